//! Request rates: `300` (per second), `300/s`, `600/min`, `3600/h`.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::UnitError;

const EXPECTED: &str = "expected requests per second such as `300`, \
     or a count per unit such as `300/s`, `600/min` or `3600/h`";

/// The highest rate a scenario may give: a thousand times the busiest
/// services on earth, low enough that a century of it, counted in requests,
/// stays far inside a `u64`.
pub const MAX_PER_SECOND: f64 = 1e9;

/// Requests per second: finite and not negative, zero meaning no traffic.
#[derive(Copy, Clone, Debug, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    pub fn new(per_second: f64) -> Result<Rate, UnitError> {
        checked(per_second, &per_second.to_string())
    }

    pub fn per_second(self) -> f64 {
        self.0
    }
}

/// Parses `count/unit` with unit `s`, `m`, `min` or `h`. A bare number in a
/// string is refused: in YAML it was quoted, so it was meant as text, and the
/// unit is then the thing most likely forgotten.
pub fn parse_rate(s: &str) -> Result<Rate, UnitError> {
    let invalid = || UnitError::new(format!("invalid rate `{s}`: {EXPECTED}"));
    let Some((count, unit)) = s.split_once('/') else {
        return Err(if s.parse::<f64>().is_ok() {
            UnitError::new(format!("rate `{s}` has no unit: write `{s}/s`"))
        } else {
            invalid()
        });
    };
    let seconds = match unit.trim() {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(invalid()),
    };
    let count: f64 = count.trim().parse().map_err(|_| invalid())?;
    checked(count / seconds, s)
}

fn checked(per_second: f64, written: &str) -> Result<Rate, UnitError> {
    if per_second.is_nan() || per_second.is_infinite() {
        Err(UnitError::new(format!(
            "invalid rate `{written}`: must be a finite number"
        )))
    } else if per_second < 0.0 {
        Err(UnitError::new(format!(
            "invalid rate `{written}`: rates cannot be negative"
        )))
    } else if per_second > MAX_PER_SECOND {
        Err(UnitError::new(format!(
            "invalid rate `{written}`: more than {MAX_PER_SECOND:e} requests per second"
        )))
    } else {
        // `-0.0` would print as `-0` in reports.
        Ok(Rate(per_second.abs()))
    }
}

impl FromStr for Rate {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        parse_rate(s)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RateVisitor)
    }
}

struct RateVisitor;

impl Visitor<'_> for RateVisitor {
    type Value = Rate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a rate such as `300` or `600/min`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Rate, E> {
        parse_rate(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rate, E> {
        checked(v as f64, &v.to_string()).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rate, E> {
        checked(v as f64, &v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Rate, E> {
        checked(v, &v.to_string()).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(s: &str) -> f64 {
        parse_rate(s).unwrap().per_second()
    }

    fn err(s: &str) -> String {
        parse_rate(s).unwrap_err().to_string()
    }

    #[test]
    fn parses_counts_per_unit() {
        assert_eq!(rate("300/s"), 300.0);
        assert_eq!(rate("600/m"), 10.0);
        assert_eq!(rate("600/min"), 10.0);
        assert_eq!(rate("3600/h"), 1.0);
        assert_eq!(rate("0.5/s"), 0.5);
        assert_eq!(rate("0/s"), 0.0);
        assert_eq!(parse_rate("-0/s").unwrap().to_string(), "0/s");
    }

    #[test]
    fn rejects_bad_rates_naming_the_value() {
        assert_eq!(err("300"), "rate `300` has no unit: write `300/s`");
        assert!(err("-5/s").contains("`-5/s`: rates cannot be negative"));
        assert!(err("inf/s").contains("`inf/s`: must be a finite number"));
        assert!(err("NaN/s").contains("`NaN/s`"));
        for bad in ["", "5/x", "5/", "/s", "fast", "5/s/s"] {
            assert!(
                err(bad).contains(&format!("`{bad}`: expected")),
                "{bad}: {}",
                err(bad)
            );
        }
        assert!(Rate::new(f64::NAN).is_err());
        assert!(Rate::new(-1.0).is_err());
    }

    #[test]
    fn deserializes_numbers_and_strings() {
        let read = |yaml: &str| serde_saphyr::from_str::<Rate>(yaml).map(Rate::per_second);
        assert_eq!(read("300").unwrap(), 300.0);
        assert_eq!(read("0.5").unwrap(), 0.5);
        assert_eq!(read("600/min").unwrap(), 10.0);
        assert!(read("-1").unwrap_err().to_string().contains("`-1`"));
        assert!(read(".inf").is_err());
        assert!(read(".nan").is_err());
    }
}
