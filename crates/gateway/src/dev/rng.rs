//! A small deterministic generator: SHA-256 of the seed's parts, then
//! SplitMix64. The same parts always give the same stream, on every
//! platform; nothing here reads the clock or the system's randomness.

use sha2::{Digest, Sha256};

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// Lower-case hex of the first `bytes` bytes of the parts' digest.
pub(crate) fn hash_hex(parts: &[&str], bytes: usize) -> String {
    digest(parts)
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Rng {
    /// The stream of these parts.
    pub(crate) fn new(parts: &[&str]) -> Rng {
        let d = digest(parts);
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        Rng(u64::from_le_bytes(first))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi as i128 - lo as i128 + 1) as u128;
        let offset = (u128::from(self.next_u64()) * span) >> 64;
        (lo as i128 + offset as i128) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index by relative weights (uniform without weights).
    pub(crate) fn weighted(&mut self, len: usize, weights: Option<&[f64]>) -> usize {
        match weights {
            Some(w) if w.len() == len => {
                let total: f64 = w.iter().sum();
                let mut x = self.unit() * total;
                for (i, weight) in w.iter().enumerate() {
                    if x < *weight {
                        return i;
                    }
                    x -= weight;
                }
                len.saturating_sub(1)
            }
            _ => self.below(len as u64) as usize,
        }
    }

    /// One of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// `n` decimal digits.
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_parts_same_stream() {
        let mut a = Rng::new(&["x", "y"]);
        let mut b = Rng::new(&["x", "y"]);
        let mut c = Rng::new(&["xy"]);
        let (a1, b1, c1) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(a1, b1);
        assert_ne!(a1, c1, "parts are length-prefixed");
    }

    #[test]
    fn ranges_stay_inside() {
        let mut r = Rng::new(&["r"]);
        for _ in 0..1000 {
            let x = r.range(-3, 3);
            assert!((-3..=3).contains(&x));
            assert!(r.unit() < 1.0);
            assert!(r.weighted(3, Some(&[0.0, 1.0, 0.0])) == 1);
        }
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(r.below(0), 0);
    }
}
