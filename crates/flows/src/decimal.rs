//! Exact decimal reading of JSON numbers, so that ranges and decimal places
//! are checked on the number as written (`12.345` has three decimals, not
//! "about 12.35"), without floating-point rounding in the comparison.

use std::cmp::Ordering;

/// A finite decimal: `±0.d₁d₂… × 10^exp`, digits without leading or trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    /// Significant digits, ASCII; empty for zero.
    digits: String,
    /// Position of the decimal point relative to the first digit.
    exp: i64,
}

impl Decimal {
    /// Reads a JSON number as serde_json prints it (`12`, `-0.5`, `1e21`, `1.5e-7`).
    pub(crate) fn from_number(n: &serde_json::Number) -> Option<Decimal> {
        Decimal::parse(&n.to_string())
    }

    /// Reads `-?digits(.digits)?([eE][+-]?digits)?`.
    pub(crate) fn parse(s: &str) -> Option<Decimal> {
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
            return None;
        }
        if mantissa.contains('.') && frac_part.is_empty() {
            return None;
        }
        let exp10: i64 = match exponent {
            None => 0,
            Some(e) => {
                let body = e.strip_prefix(['+', '-']).unwrap_or(e);
                if body.is_empty() || body.len() > 6 || !all_digits(body) {
                    return None;
                }
                e.parse().ok()?
            }
        };
        let all: String = format!("{int_part}{frac_part}");
        let leading = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_start_matches('0').trim_end_matches('0').to_owned();
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exp: 0,
            });
        }
        let int_len = i64::try_from(int_part.len()).ok()?;
        let leading = i64::try_from(leading).ok()?;
        Some(Decimal {
            negative,
            digits,
            exp: int_len - leading + exp10,
        })
    }

    /// Digits after the decimal point (trailing zeros do not count).
    pub(crate) fn decimals(&self) -> u64 {
        let len = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        u64::try_from(len.saturating_sub(self.exp)).unwrap_or(0)
    }

    /// The value as an `i64` when it is a whole number in range.
    pub(crate) fn to_i64(&self) -> Option<i64> {
        if self.decimals() > 0 {
            return None;
        }
        if self.digits.is_empty() {
            return Some(0);
        }
        let zeros = usize::try_from(self.exp)
            .ok()?
            .checked_sub(self.digits.len())?;
        if zeros + self.digits.len() > 19 {
            return None;
        }
        let text = format!(
            "{}{}{}",
            if self.negative { "-" } else { "" },
            self.digits,
            "0".repeat(zeros)
        );
        text.parse().ok()
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same exponent: the digit strings compare like the numbers (a
            // prefix is the smaller, as it has implicit trailing zeros).
            (false, false) => self
                .exp
                .cmp(&other.exp)
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).expect(s)
    }

    #[test]
    fn decimals_are_counted_as_written() {
        assert_eq!(d("12.345").decimals(), 3);
        assert_eq!(d("12.340").decimals(), 2);
        assert_eq!(d("12").decimals(), 0);
        assert_eq!(d("1200").decimals(), 0);
        assert_eq!(d("0.05").decimals(), 2);
        assert_eq!(d("1.5e-7").decimals(), 8);
        assert_eq!(d("1e21").decimals(), 0);
        assert_eq!(d("12.0").decimals(), 0);
        assert_eq!(d("0").decimals(), 0);
    }

    #[test]
    fn comparison_is_exact() {
        assert!(d("12.345") > d("12.34"));
        assert!(d("12.3") < d("12.34"));
        assert!(d("13") > d("12.999"));
        assert!(d("-1") < d("0"));
        assert!(d("-1.5") < d("-1.25"));
        assert!(d("0.001") < d("0.01"));
        assert!(d("1e21") > d("999999999999999999999"));
        assert_eq!(d("100"), d("1e2"));
        assert_eq!(d("-0.0"), d("0"));
        assert!(d("100000") > d("99999.99"));
    }

    #[test]
    fn whole_numbers_convert() {
        assert_eq!(d("1200").to_i64(), Some(1200));
        assert_eq!(d("-3.0").to_i64(), Some(-3));
        assert_eq!(d("1.5").to_i64(), None);
        assert_eq!(d("0").to_i64(), Some(0));
    }

    #[test]
    fn malformed_text_is_refused() {
        for s in [
            "",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            "--1",
            "1e1234567",
        ] {
            assert!(Decimal::parse(s).is_none(), "{s}");
        }
    }
}
