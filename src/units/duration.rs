//! Durations as a scenario writes them: `30s`, `1h30m`, `1.5h`.
//!
//! Whole numbers with units go through `humantime`, so its unit table is the
//! one users meet everywhere; a decimal number with one unit (`1.5h`), which
//! `humantime` refuses, is computed here in integers so that `0.1s` is exactly
//! 100 ms and not the nearest float.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::UnitError;
use crate::sim::SimDuration;

const EXPECTED: &str =
    "expected a number with a unit (ns, us, ms, s, m, h, d), e.g. `30s` or `1h30m`";

/// Parses a duration with a unit. A decimal number takes exactly one unit and
/// rounds to the nearest nanosecond, the resolution of simulated time.
pub fn parse_duration(s: &str) -> Result<SimDuration, UnitError> {
    let text = s.trim();
    if text.starts_with('-') {
        return Err(UnitError::new(format!(
            "invalid duration `{s}`: durations cannot be negative"
        )));
    }
    let is_bare_number = text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1;
    if is_bare_number {
        return Err(no_unit(text));
    }
    let nanos = match split_decimal(text) {
        Some((number, unit)) => decimal_nanos(s, number, unit)?,
        None => whole_nanos(s, text)?,
    };
    u64::try_from(nanos)
        .map(SimDuration::from_nanos)
        .map_err(|_| too_large(s))
}

/// Splits `1.5h` into `1.5` and `h`; `None` when there is no decimal point
/// before the first letter, which leaves the text to `humantime`.
fn split_decimal(text: &str) -> Option<(&str, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    number.contains('.').then_some((number, unit.trim_start()))
}

fn decimal_nanos(original: &str, number: &str, unit: &str) -> Result<u128, UnitError> {
    let invalid = |why: &str| UnitError::new(format!("invalid duration `{original}`: {why}"));
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if frac_part.contains('.') || (int_part.is_empty() && frac_part.is_empty()) {
        return Err(invalid(EXPECTED));
    }
    if unit.is_empty() || !unit.chars().all(char::is_alphabetic) {
        return Err(invalid("a decimal number takes a single unit, e.g. `1.5h`"));
    }
    let unit_nanos = humantime::parse_duration(&format!("1{unit}"))
        .map_err(|_| invalid(EXPECTED))?
        .as_nanos();
    let digits: String = [int_part, frac_part].concat();
    let mantissa: u128 = digits.parse().map_err(|_| too_large(original))?;
    let divisor = u32::try_from(frac_part.len())
        .ok()
        .and_then(|scale| 10u128.checked_pow(scale))
        .ok_or_else(|| invalid("too many decimal places"))?;
    let scaled = mantissa
        .checked_mul(unit_nanos)
        .ok_or_else(|| too_large(original))?;
    Ok(scaled / divisor + u128::from(scaled % divisor >= divisor.div_ceil(2)))
}

fn whole_nanos(original: &str, text: &str) -> Result<u128, UnitError> {
    match humantime::parse_duration(text) {
        Ok(duration) => Ok(duration.as_nanos()),
        Err(humantime::DurationError::NumberOverflow) => Err(too_large(original)),
        Err(_) => Err(UnitError::new(format!(
            "invalid duration `{original}`: {EXPECTED}"
        ))),
    }
}

fn no_unit(number: &str) -> UnitError {
    UnitError::new(format!("`{number}` has no unit: write `{number}s`"))
}

fn too_large(original: &str) -> UnitError {
    UnitError::new(format!(
        "invalid duration `{original}`: too large, the longest is about 584 years"
    ))
}

/// A duration the way an operator says it: `52s`, `52.5s`, `5m 12s`,
/// `2h 03m`, `3d 04h`. The text report writes its durations so, and the
/// faults' events theirs, so that one timeline reads in one style.
pub fn for_people(secs: f64) -> String {
    if secs < 60.0 {
        return if secs == secs.trunc() {
            format!("{secs:.0}s")
        } else {
            format!("{secs:.1}s")
        };
    }
    let s = secs.round() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m {sec:02}s")
    }
}

/// Reads a duration from YAML: a string with a unit, or the number `0`, the
/// one bare number whose meaning does not depend on a unit. Shared with
/// [`super::Distribution`], whose plain form is a duration.
pub(super) struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = SimDuration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration with a unit, e.g. `30s` or `1h30m`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SimDuration, E> {
        parse_duration(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SimDuration, E> {
        bare_number(&v.to_string(), v == 0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SimDuration, E> {
        bare_number(&v.to_string(), v == 0)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SimDuration, E> {
        bare_number(&v.to_string(), v == 0.0)
    }
}

fn bare_number<E: de::Error>(number: &str, is_zero: bool) -> Result<SimDuration, E> {
    if is_zero {
        Ok(SimDuration::ZERO)
    } else if number.starts_with('-') {
        Err(E::custom(UnitError::new(format!(
            "invalid duration `{number}`: durations cannot be negative"
        ))))
    } else {
        Err(E::custom(no_unit(number)))
    }
}

/// A duration read from a scenario; zero allowed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub SimDuration);

impl Duration {
    pub fn get(self) -> SimDuration {
        self.0
    }
}

impl FromStr for Duration {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        parse_duration(s).map(Duration)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor).map(Duration)
    }
}

/// A duration that must not be zero: a period, a timeout or a mean, where
/// zero would spin the simulation or divide by nothing.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PositiveDuration(pub SimDuration);

impl PositiveDuration {
    pub fn new(duration: SimDuration) -> Result<Self, UnitError> {
        if duration.is_zero() {
            Err(UnitError::new(format!(
                "duration must be greater than zero, got `{duration}`"
            )))
        } else {
            Ok(PositiveDuration(duration))
        }
    }

    pub fn get(self) -> SimDuration {
        self.0
    }
}

impl FromStr for PositiveDuration {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        parse_duration(s).and_then(PositiveDuration::new)
    }
}

impl fmt::Display for PositiveDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for PositiveDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let duration = deserializer.deserialize_any(DurationVisitor)?;
        PositiveDuration::new(duration).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_people_says_a_duration_as_an_operator_does() {
        assert_eq!(for_people(52.0), "52s");
        assert_eq!(for_people(1.437), "1.4s");
        assert_eq!(for_people(312.0), "5m 12s");
        assert_eq!(for_people(1270.553), "21m 11s");
        assert_eq!(for_people(7380.0), "2h 03m");
        assert_eq!(for_people(3.0 * 86_400.0 + 4.0 * 3_600.0), "3d 04h");
    }

    fn ms(millis: u64) -> SimDuration {
        SimDuration::from_millis(millis)
    }

    fn err(s: &str) -> String {
        parse_duration(s).unwrap_err().to_string()
    }

    #[test]
    fn parses_whole_durations_through_humantime() {
        assert_eq!(parse_duration("250ms"), Ok(ms(250)));
        assert_eq!(parse_duration("30s"), Ok(ms(30_000)));
        assert_eq!(parse_duration("5m"), Ok(ms(300_000)));
        assert_eq!(parse_duration("1h30m"), Ok(ms(5_400_000)));
        assert_eq!(parse_duration("1h 30m"), Ok(ms(5_400_000)));
        assert_eq!(parse_duration("2d"), Ok(ms(172_800_000)));
        assert_eq!(parse_duration("0s"), Ok(SimDuration::ZERO));
        assert_eq!(parse_duration("7ns"), Ok(SimDuration::from_nanos(7)));
    }

    #[test]
    fn parses_a_decimal_with_one_unit_exactly() {
        assert_eq!(parse_duration("1.5h"), Ok(ms(5_400_000)));
        assert_eq!(parse_duration("0.5s"), Ok(ms(500)));
        assert_eq!(parse_duration("0.25s"), Ok(ms(250)));
        assert_eq!(parse_duration("0.1s"), Ok(ms(100)));
        assert_eq!(parse_duration("1.5 min"), Ok(ms(90_000)));
        assert_eq!(parse_duration(".5s"), Ok(ms(500)));
        assert_eq!(
            parse_duration("0.3333333333333s"),
            Ok(SimDuration::from_nanos(333_333_333))
        );
        assert_eq!(parse_duration("1.5ns"), Ok(SimDuration::from_nanos(2)));
    }

    #[test]
    fn rejects_bad_durations_naming_the_value() {
        assert_eq!(
            err("5x"),
            "invalid duration `5x`: expected a number with a unit (ns, us, ms, s, m, h, d), \
             e.g. `30s` or `1h30m`"
        );
        assert_eq!(err("30"), "`30` has no unit: write `30s`");
        assert_eq!(err("1.5"), "`1.5` has no unit: write `1.5s`");
        assert!(err("-5s").contains("`-5s`: durations cannot be negative"));
        assert!(err("").contains("``"));
        assert!(err("1.5x").contains("`1.5x`"));
        assert!(err("1.5h30m").contains("single unit"));
        assert!(err("1.2.3s").contains("`1.2.3s`"));
        assert!(err("1.2.3").contains("invalid duration `1.2.3`"));
        assert!(err("100000000000000000000000h").contains("too large"));
        assert!(err("600y").contains("too large"));
        assert!(err("10000000d").contains("too large"));
    }

    #[test]
    fn deserializes_a_string_or_zero() {
        let d: Duration = serde_saphyr::from_str("1h30m").unwrap();
        assert_eq!(d.get(), ms(5_400_000));
        let d: Duration = serde_saphyr::from_str("0").unwrap();
        assert_eq!(d.get(), SimDuration::ZERO);
        let e = serde_saphyr::from_str::<Duration>("30").unwrap_err();
        assert!(
            e.to_string().contains("`30` has no unit: write `30s`"),
            "{e}"
        );
        let e = serde_saphyr::from_str::<Duration>("-5").unwrap_err();
        assert!(e.to_string().contains("cannot be negative"), "{e}");
    }

    #[test]
    fn positive_duration_rejects_zero() {
        let d: PositiveDuration = serde_saphyr::from_str("10s").unwrap();
        assert_eq!(d.get(), ms(10_000));
        for zero in ["0s", "0", "0ms"] {
            let e = serde_saphyr::from_str::<PositiveDuration>(zero).unwrap_err();
            assert!(
                e.to_string()
                    .contains("must be greater than zero, got `0s`"),
                "{e}"
            );
        }
        assert!("0s".parse::<PositiveDuration>().is_err());
    }
}
