//! Percentages (`25%`, `99.95%`) and Kubernetes' int-or-percent values
//! (`maxSurge: 1`, `maxUnavailable: 25%`).
//!
//! The `%` is required: a bare `99.9` could be a fraction or a percentage,
//! and guessing wrong silently changes a result by a factor of a hundred.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::UnitError;

/// A percentage in [0, 100], kept as written so reports echo it back.
#[derive(Copy, Clone, Debug, PartialEq, PartialOrd)]
pub struct Percent(f64);

impl Percent {
    pub fn new(percent: f64) -> Result<Percent, UnitError> {
        if (0.0..=100.0).contains(&percent) {
            Ok(Percent(percent))
        } else {
            Err(out_of_range(&format!("{percent}%")))
        }
    }

    /// The percentage as written: `99.9` for `99.9%`.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The share of one: `0.999` for `99.9%`.
    pub fn fraction(self) -> f64 {
        self.0 / 100.0
    }
}

/// Parses `25%` or `99.95%`: a plain decimal number followed by `%`.
pub fn parse_percent(s: &str) -> Result<Percent, UnitError> {
    let invalid = || {
        UnitError::new(format!(
            "invalid percentage `{s}`: expected a number followed by `%`, e.g. `25%`"
        ))
    };
    let Some(number) = s.strip_suffix('%') else {
        return Err(if is_decimal(s) { no_sign(s) } else { invalid() });
    };
    if number.starts_with('-') {
        return Err(UnitError::new(format!(
            "invalid percentage `{s}`: percentages cannot be negative"
        )));
    }
    if !is_decimal(number) {
        return Err(invalid());
    }
    let value = number.parse().map_err(|_| invalid())?;
    Percent::new(value).map_err(|_| out_of_range(s))
}

/// Digits with at most one decimal point: no sign, exponent, `inf` or `NaN`,
/// which `f64::from_str` would otherwise let through.
fn is_decimal(number: &str) -> bool {
    number.bytes().any(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && number.bytes().filter(|&b| b == b'.').count() <= 1
}

fn no_sign(number: &str) -> UnitError {
    UnitError::new(format!("`{number}` is not a percentage: write `{number}%`"))
}

fn out_of_range(written: &str) -> UnitError {
    UnitError::new(format!(
        "invalid percentage `{written}`: must be between 0% and 100%"
    ))
}

impl FromStr for Percent {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        parse_percent(s)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PercentVisitor)
    }
}

struct PercentVisitor;

impl Visitor<'_> for PercentVisitor {
    type Value = Percent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a percentage such as `99.9%`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Percent, E> {
        parse_percent(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Percent, E> {
        Err(E::custom(no_sign(&v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Percent, E> {
        Err(E::custom(no_sign(&v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Percent, E> {
        Err(E::custom(no_sign(&v.to_string())))
    }
}

/// Kubernetes' `IntOrString` as `maxSurge` and `maxUnavailable` use it: a
/// count of pods, or a percentage of the desired replicas.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum IntOrPercent {
    Int(u32),
    Percent(Percent),
}

impl IntOrPercent {
    /// Kubernetes' `GetScaledValueFromIntOrPercent`: a count as is, a
    /// percentage of `total` rounded up or down (the rollout controller
    /// rounds `maxSurge` up and `maxUnavailable` down).
    pub fn resolve(self, total: u32, round_up: bool) -> u32 {
        match self {
            IntOrPercent::Int(count) => count,
            IntOrPercent::Percent(percent) => {
                // Multiply first, as Kubernetes does, so whole percentages of
                // whole totals stay exact.
                let scaled = percent.get() * f64::from(total) / 100.0;
                let rounded = if round_up {
                    scaled.ceil()
                } else {
                    scaled.floor()
                };
                rounded as u32
            }
        }
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Int(count) => count.fmt(f),
            IntOrPercent::Percent(percent) => percent.fmt(f),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrPercent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntOrPercentVisitor)
    }
}

struct IntOrPercentVisitor;

impl Visitor<'_> for IntOrPercentVisitor {
    type Value = IntOrPercent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number or a percentage such as `25%`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrPercent, E> {
        if v.ends_with('%') {
            parse_percent(v)
                .map(IntOrPercent::Percent)
                .map_err(E::custom)
        } else {
            Err(E::custom(UnitError::new(format!(
                "invalid value `{v}`: expected a whole number such as `1` \
                 or a percentage such as `25%`"
            ))))
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrPercent, E> {
        u32::try_from(v).map(IntOrPercent::Int).map_err(|_| {
            E::custom(UnitError::new(format!(
                "invalid count `{v}`: at most {}",
                u32::MAX
            )))
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrPercent, E> {
        match u64::try_from(v) {
            Ok(count) => self.visit_u64(count),
            Err(_) => Err(E::custom(UnitError::new(format!(
                "invalid count `{v}`: counts cannot be negative"
            )))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<IntOrPercent, E> {
        Err(E::custom(UnitError::new(format!(
            "invalid value `{v}`: expected a whole number such as `1` \
             or a percentage such as `25%`"
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percent(s: &str) -> f64 {
        parse_percent(s).unwrap().get()
    }

    fn err(s: &str) -> String {
        parse_percent(s).unwrap_err().to_string()
    }

    #[test]
    fn parses_percentages_as_written() {
        assert_eq!(percent("25%"), 25.0);
        assert_eq!(percent("99.9%"), 99.9);
        assert_eq!(percent("99.95%"), 99.95);
        assert_eq!(percent("0%"), 0.0);
        assert_eq!(percent("100%"), 100.0);
        assert_eq!(parse_percent("25%").unwrap().fraction(), 0.25);
        assert_eq!(parse_percent("99.9%").unwrap().to_string(), "99.9%");
    }

    #[test]
    fn rejects_bad_percentages_naming_the_value() {
        assert_eq!(err("99.9"), "`99.9` is not a percentage: write `99.9%`");
        assert!(err("-5%").contains("`-5%`: percentages cannot be negative"));
        assert!(err("100.1%").contains("`100.1%`: must be between 0% and 100%"));
        for bad in ["", "%", "NaN%", "inf%", "1e2%", "five%", "1.2.3%", "25 %"] {
            assert!(
                err(bad).contains(&format!("`{bad}`")),
                "{bad}: {}",
                err(bad)
            );
        }
        assert!(Percent::new(f64::NAN).is_err());
        assert!(Percent::new(-0.5).is_err());
    }

    #[test]
    fn deserializes_only_with_a_percent_sign() {
        let p: Percent = serde_saphyr::from_str("99.95%").unwrap();
        assert_eq!(p.get(), 99.95);
        let e = serde_saphyr::from_str::<Percent>("99.9").unwrap_err();
        assert!(e.to_string().contains("write `99.9%`"), "{e}");
    }

    #[test]
    fn int_or_percent_reads_both_forms() {
        let read = |yaml: &str| serde_saphyr::from_str::<IntOrPercent>(yaml);
        assert_eq!(read("3").unwrap(), IntOrPercent::Int(3));
        assert_eq!(
            read("25%").unwrap(),
            IntOrPercent::Percent(parse_percent("25%").unwrap())
        );
        for bad in ["'3'", "-1", "1.5", "150%", "4294967296"] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolves_like_kubernetes() {
        let quarter = IntOrPercent::Percent(parse_percent("25%").unwrap());
        assert_eq!(quarter.resolve(10, true), 3);
        assert_eq!(quarter.resolve(10, false), 2);
        assert_eq!(quarter.resolve(4, false), 1);
        assert_eq!(quarter.resolve(1, false), 0);
        assert_eq!(quarter.resolve(1, true), 1);
        assert_eq!(quarter.resolve(0, true), 0);
        let third = IntOrPercent::Percent(parse_percent("33.3%").unwrap());
        assert_eq!(third.resolve(1000, true), 333);
        assert_eq!(IntOrPercent::Int(2).resolve(10, true), 2);
        assert_eq!(IntOrPercent::Int(20).resolve(10, false), 20);
        let all = IntOrPercent::Percent(parse_percent("100%").unwrap());
        assert_eq!(all.resolve(u32::MAX, true), u32::MAX);
    }
}
