//! Warnings about one department at most once a second: when a department
//! is down or overloaded, every call fails the same way, and a warning per
//! call would flood the log (and cost every other request the writing).
//! The metrics count every failure; the log says how many it left out.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;

/// Lets one warning a second through, counting the ones it holds back.
#[derive(Debug)]
pub(super) struct WarnGate {
    /// When the gate was made: times below are milliseconds since then.
    origin: Instant,
    /// The last warning let through (milliseconds since `origin`, plus
    /// one; 0: none yet).
    last: AtomicU64,
    /// Warnings held back since the last one let through.
    held: AtomicU64,
}

impl WarnGate {
    const INTERVAL_MS: u64 = 1_000;

    /// A gate that lets the first warning through.
    pub(super) fn new() -> WarnGate {
        WarnGate {
            origin: Instant::now(),
            last: AtomicU64::new(0),
            held: AtomicU64::new(0),
        }
    }

    /// `Some(n)` when this warning may be written, `n` being how many were
    /// held back since the last one; `None` when it is held back.
    pub(super) fn pass(&self) -> Option<u64> {
        let now = u64::try_from(self.origin.elapsed().as_millis())
            .unwrap_or(u64::MAX - 1)
            .saturating_add(1);
        let last = self.last.load(Ordering::Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= Self::INTERVAL_MS;
        if due
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            Some(self.held.swap(0, Ordering::Relaxed))
        } else {
            self.held.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WarnGate;

    #[tokio::test(start_paused = true)]
    async fn one_warning_a_second_with_the_count_held_back() {
        let gate = WarnGate::new();
        assert_eq!(gate.pass(), Some(0), "the first goes through");
        for _ in 0..5 {
            assert_eq!(gate.pass(), None);
        }
        tokio::time::advance(std::time::Duration::from_millis(999)).await;
        assert_eq!(gate.pass(), None, "not yet a second");
        tokio::time::advance(std::time::Duration::from_millis(2)).await;
        assert_eq!(gate.pass(), Some(6), "the six held back are counted");
        assert_eq!(gate.pass(), None);
    }
}
