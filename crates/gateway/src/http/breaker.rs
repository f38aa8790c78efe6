//! A circuit breaker per department: closed → open after N failures in a
//! row or a failure ratio over a window → after a cooldown, half-open with
//! one probe → closed when the probe succeeds, open again when it fails.
//! Time is passed in, so the state machine is tested without sleeping.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::config::BreakerConfig;
use crate::stats::BreakerState;

/// Whether an attempt may go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Closed: go.
    Go,
    /// Half-open: this attempt is the probe.
    Probe,
    /// Open (or a probe is out): not now; try again after this long.
    Rejected(Duration),
}

#[derive(Debug)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { probe_out: bool },
}

#[derive(Debug)]
pub(crate) struct Breaker {
    config: BreakerConfig,
    state: State,
    consecutive: u32,
    window: VecDeque<bool>,
}

impl Breaker {
    pub(crate) fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            state: State::Closed,
            consecutive: 0,
            window: VecDeque::new(),
        }
    }

    pub(crate) fn state(&self, now: Instant) -> BreakerState {
        match self.state {
            State::Closed => BreakerState::Closed,
            State::Open { until } if now >= until => BreakerState::HalfOpen,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    pub(crate) fn admit(&mut self, now: Instant) -> Admission {
        match self.state {
            State::Closed => Admission::Go,
            State::Open { until } if now >= until => {
                self.state = State::HalfOpen { probe_out: true };
                Admission::Probe
            }
            State::Open { until } => Admission::Rejected(until - now),
            State::HalfOpen { probe_out: true } => Admission::Rejected(Duration::from_secs(1)),
            State::HalfOpen { probe_out: false } => {
                self.state = State::HalfOpen { probe_out: true };
                Admission::Probe
            }
        }
    }

    /// The probe did not go out after all (no slot): let another try.
    pub(crate) fn cancel_probe(&mut self) {
        if let State::HalfOpen { probe_out: true } = self.state {
            self.state = State::HalfOpen { probe_out: false };
        }
    }

    /// The outcome of an admitted attempt. `failed` is true for failures
    /// that say the department is unwell (transport, timeout, 5xx, 429,
    /// contract violations), not for refusals.
    pub(crate) fn record(&mut self, admission: Admission, failed: bool, now: Instant) {
        let cooldown = Duration::from_millis(self.config.cooldown_ms);
        match (admission, &self.state) {
            (Admission::Probe, State::HalfOpen { .. }) => {
                if failed {
                    self.state = State::Open {
                        until: now + cooldown,
                    };
                } else {
                    self.state = State::Closed;
                    self.consecutive = 0;
                    self.window.clear();
                }
            }
            (Admission::Go, State::Closed) => {
                self.window.push_back(failed);
                while self.window.len() > self.config.window.max(1) as usize {
                    self.window.pop_front();
                }
                if failed {
                    self.consecutive += 1;
                } else {
                    self.consecutive = 0;
                }
                let failures = self.window.iter().filter(|f| **f).count();
                let ratio_trips = self.window.len() >= self.config.min_calls.max(1) as usize
                    && failures as f64 >= self.config.failure_ratio * self.window.len() as f64;
                if failed
                    && (self.consecutive >= self.config.consecutive_failures.max(1) || ratio_trips)
                {
                    self.state = State::Open {
                        until: now + cooldown,
                    };
                    self.consecutive = 0;
                    self.window.clear();
                }
            }
            // Late results of attempts admitted before the state changed.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BreakerConfig {
        BreakerConfig {
            consecutive_failures: 3,
            window: 10,
            min_calls: 6,
            failure_ratio: 0.5,
            cooldown_ms: 1000,
        }
    }

    #[test]
    fn opens_after_consecutive_failures_then_probes() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..3 {
            let a = b.admit(t0);
            assert_eq!(a, Admission::Go);
            b.record(a, true, t0);
        }
        assert_eq!(b.state(t0), BreakerState::Open);
        assert!(matches!(b.admit(t0), Admission::Rejected(d) if d == Duration::from_millis(1000)));
        let later = t0 + Duration::from_millis(1000);
        assert_eq!(b.state(later), BreakerState::HalfOpen);
        let probe = b.admit(later);
        assert_eq!(probe, Admission::Probe);
        assert!(
            matches!(b.admit(later), Admission::Rejected(_)),
            "one probe at a time"
        );
        b.record(probe, true, later);
        assert_eq!(
            b.state(later),
            BreakerState::Open,
            "a failed probe opens again"
        );
        let later = later + Duration::from_millis(1000);
        let probe = b.admit(later);
        b.record(probe, false, later);
        assert_eq!(b.state(later), BreakerState::Closed);
        assert_eq!(b.admit(later), Admission::Go);
    }

    #[test]
    fn opens_on_failure_ratio() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        // Alternating failures never make three in a row, but half fail.
        for i in 0..6 {
            let a = b.admit(t0);
            assert_eq!(a, Admission::Go, "attempt {i}");
            b.record(a, i % 2 == 1, t0);
        }
        assert_eq!(b.state(t0), BreakerState::Open);
    }

    #[test]
    fn successes_keep_it_closed_and_cancelled_probes_free_the_slot() {
        let t0 = Instant::now();
        let mut b = Breaker::new(config());
        for _ in 0..50 {
            let a = b.admit(t0);
            b.record(a, false, t0);
        }
        assert_eq!(b.state(t0), BreakerState::Closed);
        for _ in 0..3 {
            let a = b.admit(t0);
            b.record(a, true, t0);
        }
        let later = t0 + Duration::from_secs(2);
        assert_eq!(b.admit(later), Admission::Probe);
        b.cancel_probe();
        assert_eq!(b.admit(later), Admission::Probe);
    }
}
