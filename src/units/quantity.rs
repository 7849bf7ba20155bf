//! Kubernetes resource quantities (`250m`, `512Mi`, `1e3`), by the rules of
//! `k8s.io/apimachinery`'s `resource.Quantity`, kept exact: the digits are
//! read as an integer with a decimal exponent, never through a float, so
//! `0.1` CPU is 100 millicores and not 99.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::UnitError;

const EXPECTED: &str = "expected a number with an optional suffix \
     (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), e.g. `250m` or `512Mi`";

/// The most significant digits a mantissa may have: beyond this a `u128`
/// cannot hold it, and no resource needs 39 digits of precision.
const MAX_DIGITS: usize = 38;

/// A non-negative resource quantity, held in thousandths (the unit of CPU
/// requests) and rounded up, as Kubernetes rounds, so a request never shrinks.
/// `u128` so that exabyte memory sizes in thousandths still fit.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    millis: u128,
}

impl Quantity {
    pub fn parse(s: &str) -> Result<Quantity, UnitError> {
        let invalid = |why: &str| UnitError::new(format!("invalid quantity `{s}`: {why}"));
        if s.starts_with('-') {
            return Err(invalid("resources cannot be negative"));
        }
        let unsigned = s.strip_prefix('+').unwrap_or(s);
        let number_end = unsigned
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(number_end);
        let millis = Suffix::parse(suffix)
            .ok_or(Malformed::Syntax)
            .and_then(|suffix| Decimal::parse(number)?.millis(suffix))
            .map_err(|malformed| match malformed {
                Malformed::Syntax => invalid(EXPECTED),
                Malformed::TooManyDigits => invalid("too many significant digits"),
                Malformed::TooLarge => invalid("too large"),
            })?;
        Ok(Quantity { millis })
    }

    /// The value in thousandths, rounded up like Kubernetes' `MilliValue`;
    /// saturates at `u64::MAX`.
    pub fn millis(self) -> u64 {
        u64::try_from(self.millis).unwrap_or(u64::MAX)
    }

    /// The value in whole units, rounded up like Kubernetes' `Value`;
    /// saturates at `u64::MAX`.
    pub fn value(self) -> u64 {
        u64::try_from(self.millis.div_ceil(1000)).unwrap_or(u64::MAX)
    }
}

impl FromStr for Quantity {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        Quantity::parse(s)
    }
}

/// The number before the suffix, as significant digits times a power of ten.
struct Decimal {
    digits: u128,
    exponent: i64,
}

/// The suffix after the number: a power of ten and a power of two.
struct Suffix {
    exponent: i64,
    binary_bits: u32,
}

enum Malformed {
    Syntax,
    TooManyDigits,
    TooLarge,
}

impl Decimal {
    /// Accepts Kubernetes' forms `1`, `1.5`, `1.` and `.5`. Zeros that do
    /// not change the value are dropped first, so `1.000…0` of any length
    /// still fits.
    fn parse(number: &str) -> Result<Decimal, Malformed> {
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if fraction.contains('.') || (whole.is_empty() && fraction.is_empty()) {
            return Err(Malformed::Syntax);
        }
        let all = [whole, fraction].concat();
        let significant = all.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.len() > MAX_DIGITS {
            return Err(Malformed::TooManyDigits);
        }
        let too_long = |_| Malformed::TooManyDigits;
        let dropped_zeros = i64::try_from(significant.len() - trimmed.len()).map_err(too_long)?;
        let fraction_len = i64::try_from(fraction.len()).map_err(too_long)?;
        Ok(Decimal {
            digits: if trimmed.is_empty() {
                0
            } else {
                trimmed.parse().map_err(|_| Malformed::Syntax)?
            },
            exponent: dropped_zeros - fraction_len,
        })
    }

    /// `digits × 2^bits × 10^(exponent + 3)`, rounded up.
    fn millis(&self, suffix: Suffix) -> Result<u128, Malformed> {
        let binary = 1u128
            .checked_shl(suffix.binary_bits)
            .ok_or(Malformed::TooLarge)?;
        let scaled = self.digits.checked_mul(binary).ok_or(Malformed::TooLarge)?;
        let power = self
            .exponent
            .saturating_add(suffix.exponent)
            .saturating_add(3);
        if scaled == 0 {
            Ok(0)
        } else if power >= 0 {
            u32::try_from(power)
                .ok()
                .and_then(|p| 10u128.checked_pow(p))
                .and_then(|factor| scaled.checked_mul(factor))
                .ok_or(Malformed::TooLarge)
        } else {
            // Past 10^38 the divisor exceeds any u128: the value is a positive
            // sliver, which rounds up to one thousandth.
            Ok(u32::try_from(power.unsigned_abs())
                .ok()
                .and_then(|p| 10u128.checked_pow(p))
                .map_or(1, |divisor| scaled.div_ceil(divisor)))
        }
    }
}

impl Suffix {
    fn parse(suffix: &str) -> Option<Suffix> {
        let decimal = |exponent| Suffix {
            exponent,
            binary_bits: 0,
        };
        let binary = |binary_bits| Suffix {
            exponent: 0,
            binary_bits,
        };
        Some(match suffix {
            "" => decimal(0),
            "m" => decimal(-3),
            "k" => decimal(3),
            "M" => decimal(6),
            "G" => decimal(9),
            "T" => decimal(12),
            "P" => decimal(15),
            "E" => decimal(18),
            "Ki" => binary(10),
            "Mi" => binary(20),
            "Gi" => binary(30),
            "Ti" => binary(40),
            "Pi" => binary(50),
            "Ei" => binary(60),
            _ => decimal(Self::exponent(suffix)?),
        })
    }

    /// `e3`, `E-3`, `e+3`: a signed integer power of ten. A bare `E` is exa,
    /// matched before this.
    fn exponent(suffix: &str) -> Option<i64> {
        let power = suffix.strip_prefix(['e', 'E'])?;
        let digits = power.strip_prefix(['+', '-']).unwrap_or(power);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // An exponent too long for i64 is far past any representable value;
        // the arithmetic downstream saturates.
        Some(power.parse().unwrap_or(if power.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        }))
    }
}

/// A CPU amount in millicores: `250m`, `2`, `0.5`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cpu(pub u64);

impl Cpu {
    pub fn millicores(self) -> u64 {
        self.0
    }
}

impl FromStr for Cpu {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        let quantity = Quantity::parse(s)?;
        u64::try_from(quantity.millis)
            .map(Cpu)
            .map_err(|_| UnitError::new(format!("cpu `{s}` is too large")))
    }
}

/// A memory amount in bytes: `512Mi`, `1G`, `128974848`. A fraction of a
/// byte rounds up to a whole byte.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Memory(pub u64);

impl Memory {
    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl FromStr for Memory {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, UnitError> {
        let quantity = Quantity::parse(s)?;
        u64::try_from(quantity.millis.div_ceil(1000))
            .map(Memory)
            .map_err(|_| UnitError::new(format!("memory `{s}` is too large")))
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Cpu {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Memory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor(PhantomData))
    }
}

/// Reads a quantity written as a string or as a YAML number. A number goes
/// back to text first (Rust prints floats in full, without an exponent) so
/// that both spellings follow the same exact rules.
struct QuantityVisitor<T>(PhantomData<T>);

impl<T: FromStr<Err = UnitError>> Visitor<'_> for QuantityVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity such as `250m`, `2` or `512Mi`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(s: &str) -> u64 {
        s.parse::<Cpu>().unwrap().millicores()
    }

    fn memory(s: &str) -> u64 {
        s.parse::<Memory>().unwrap().bytes()
    }

    fn err(s: &str) -> String {
        Quantity::parse(s).unwrap_err().to_string()
    }

    #[test]
    fn cpu_follows_kubernetes_milli_values() {
        assert_eq!(cpu("100m"), 100);
        assert_eq!(cpu("0.1"), 100);
        assert_eq!(cpu("2"), 2000);
        assert_eq!(cpu("0.5"), 500);
        assert_eq!(cpu("+1.5"), 1500);
        assert_eq!(cpu(".5"), 500);
        assert_eq!(cpu("1."), 1000);
        assert_eq!(cpu("0.0001"), 1, "a sliver rounds up to a millicore");
        assert_eq!(cpu("1e-30"), 1);
        assert_eq!(cpu("1e-99999999999999999999"), 1);
        assert_eq!(cpu("0"), 0);
        assert_eq!(cpu("0.000"), 0);
        assert_eq!(cpu("5e-3"), 5);
    }

    #[test]
    fn memory_follows_kubernetes_values() {
        assert_eq!(memory("1Gi"), 1 << 30);
        assert_eq!(memory("1G"), 1_000_000_000);
        assert_eq!(memory("1e3"), 1000);
        assert_eq!(memory("1E3"), 1000);
        assert_eq!(memory("1E"), 1_000_000_000_000_000_000);
        assert_eq!(memory("512Mi"), 512 << 20);
        assert_eq!(memory("1.5Gi"), 3 << 29);
        assert_eq!(memory("128974848"), 128_974_848);
        assert_eq!(memory("129e6"), 129_000_000);
        assert_eq!(memory("123Mi"), 123 << 20);
        assert_eq!(memory("1k"), 1000);
        assert_eq!(memory("1Ki"), 1024);
        assert_eq!(memory("1m"), 1, "a fraction of a byte rounds up");
        assert_eq!(memory("0.1"), 1);
        assert_eq!(
            memory("1.000000000000000000000000000000000000000000000000Ki"),
            1024
        );
    }

    #[test]
    fn value_and_millis_saturate() {
        let huge = Quantity::parse("100Ei").unwrap();
        assert_eq!(huge.millis(), u64::MAX);
        assert_eq!(huge.value(), u64::MAX);
        let big = Quantity::parse("1Pi").unwrap();
        assert_eq!(big.millis(), (1 << 50) * 1000);
        assert_eq!(big.value(), 1 << 50);
    }

    #[test]
    fn rejects_bad_quantities_naming_the_value() {
        assert!(err("-1").contains("`-1`: resources cannot be negative"));
        for bad in [
            "1x", "Mi", "", "1.2.3", "1e", "1e+", "1E-", ".", "+", "1 Mi", "1mi", "1.5e3.2",
        ] {
            assert!(
                err(bad).contains(&format!("`{bad}`: expected")),
                "{bad}: {}",
                err(bad)
            );
        }
        assert!(err("1e40").contains("too large"));
        assert!(err("400000000000000000000000000000000000000").contains("too large"));
        assert!(err("1000000000000000000000Ei").contains("too large"));
        assert!(err("1.234567890123456789012345678901234567891").contains("digits"));
        assert!(
            "20Ei"
                .parse::<Memory>()
                .unwrap_err()
                .to_string()
                .contains("`20Ei`")
        );
    }

    #[test]
    fn deserializes_strings_and_numbers() {
        let read_cpu = |yaml: &str| {
            serde_saphyr::from_str::<Cpu>(yaml)
                .map(Cpu::millicores)
                .map_err(|e| e.to_string())
        };
        assert_eq!(read_cpu("250m"), Ok(250));
        assert_eq!(read_cpu("2"), Ok(2000));
        assert_eq!(read_cpu("0.5"), Ok(500));
        assert_eq!(read_cpu("'0.5'"), Ok(500));
        assert!(read_cpu("-1").unwrap_err().contains("`-1`"));
        let read_memory = |yaml: &str| {
            serde_saphyr::from_str::<Memory>(yaml)
                .map(Memory::bytes)
                .map_err(|e| e.to_string())
        };
        assert_eq!(read_memory("512Mi"), Ok(512 << 20));
        assert_eq!(read_memory("1e3"), Ok(1000));
        assert_eq!(read_memory("128974848"), Ok(128_974_848));
    }
}
