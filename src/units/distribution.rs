//! Random durations: how long a node lives, a pod takes to start, a request
//! takes to serve. Written in YAML as a plain duration (`15s`, fixed) or a
//! map naming one distribution (`{exponential: 30d}`).

use std::fmt;

use rand::Rng;
use rand::RngExt;
use rand::distr::OpenClosed01;
use rand_distr::{Exp1, StandardNormal};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::UnitError;
use super::duration::{Duration, DurationVisitor};
use crate::sim::SimDuration;

const KINDS: [&str; 4] = ["exponential", "lognormal", "uniform", "weibull"];

/// An unknown key this close to a known one is taken for a typo of it.
const TYPO_DISTANCE: usize = 3;

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Distribution {
    Fixed(SimDuration),
    Exponential { mean: SimDuration },
    LogNormal { median: SimDuration, sigma: f64 },
    Uniform { low: SimDuration, high: SimDuration },
    Weibull { scale: SimDuration, shape: f64 },
}

impl Distribution {
    /// Checks the parameters; reading from YAML calls it, and code that
    /// builds a distribution from other input should too.
    pub fn validate(&self) -> Result<(), UnitError> {
        let positive = |name: &str, d: SimDuration| {
            if d.is_zero() {
                Err(UnitError::new(format!(
                    "{name} must be greater than zero, got `{d}`"
                )))
            } else {
                Ok(())
            }
        };
        match *self {
            Distribution::Fixed(_) => Ok(()),
            Distribution::Exponential { mean } => positive("exponential mean", mean),
            Distribution::LogNormal { median, sigma } => {
                positive("lognormal median", median)?;
                if sigma.is_finite() && sigma >= 0.0 {
                    Ok(())
                } else {
                    Err(UnitError::new(format!(
                        "invalid lognormal sigma `{sigma}`: expected a finite number, zero or more"
                    )))
                }
            }
            Distribution::Uniform { low, high } => {
                if low <= high {
                    Ok(())
                } else {
                    Err(UnitError::new(format!(
                        "invalid uniform range `[{low}, {high}]`: the low end exceeds the high end"
                    )))
                }
            }
            Distribution::Weibull { scale, shape } => {
                positive("weibull scale", scale)?;
                if shape.is_finite() && shape > 0.0 {
                    Ok(())
                } else {
                    Err(UnitError::new(format!(
                        "invalid weibull shape `{shape}`: expected a finite number greater than zero"
                    )))
                }
            }
        }
    }

    /// Draws one duration. `Fixed` draws nothing, so making a value fixed
    /// never shifts the rest of a random stream. The other draws are the
    /// ones `rand_distr`'s `Exp`, `LogNormal` and `Weibull` make, written out
    /// so that no parameter (even one that skipped [`Self::validate`]) can
    /// make a constructor fail: the result saturates instead.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDuration {
        match *self {
            Distribution::Fixed(value) => value,
            Distribution::Exponential { mean } => {
                let standard: f64 = rng.sample(Exp1);
                SimDuration::from_secs_f64(mean.as_secs_f64() * standard)
            }
            Distribution::LogNormal { median, sigma } => {
                let normal: f64 = rng.sample(StandardNormal);
                SimDuration::from_secs_f64(median.as_secs_f64() * (sigma * normal).exp())
            }
            Distribution::Uniform { low, high } => {
                let (low, high) = (low.min(high), low.max(high));
                SimDuration::from_nanos(rng.random_range(low.as_nanos()..=high.as_nanos()))
            }
            Distribution::Weibull { scale, shape } => {
                let uniform: f64 = rng.sample(OpenClosed01);
                let stretched = (-uniform.ln()).powf(shape.recip());
                SimDuration::from_secs_f64(scale.as_secs_f64() * stretched)
            }
        }
    }

    /// The expected value, for reports and for sizing a run; saturates.
    pub fn mean(&self) -> SimDuration {
        match *self {
            Distribution::Fixed(value) => value,
            Distribution::Exponential { mean } => mean,
            Distribution::LogNormal { median, sigma } => {
                SimDuration::from_secs_f64(median.as_secs_f64() * (sigma * sigma / 2.0).exp())
            }
            Distribution::Uniform { low, high } => {
                let midpoint = (u128::from(low.as_nanos()) + u128::from(high.as_nanos())) / 2;
                SimDuration::from_nanos(u64::try_from(midpoint).unwrap_or(u64::MAX))
            }
            Distribution::Weibull { scale, shape } => {
                SimDuration::from_secs_f64(scale.as_secs_f64() * gamma(1.0 + shape.recip()))
            }
        }
    }

    /// Whether sampling consumes randomness: false only for `Fixed`.
    pub fn is_random(&self) -> bool {
        !matches!(self, Distribution::Fixed(_))
    }
}

/// Γ(x) for x ≥ 1, all that the Weibull mean needs (1 + 1/shape with a
/// positive shape), by the Lanczos approximation (g = 7, n = 9; about 15
/// significant digits). Computed through logarithms so that a large `x`
/// gives infinity, which saturates, instead of infinity × 0 = NaN.
fn gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let z = x - 1.0;
    let series = COEFFICIENTS[1..]
        .iter()
        .zip(1..)
        .fold(COEFFICIENTS[0], |sum, (c, i)| sum + c / (z + f64::from(i)));
    let t = z + G + 0.5;
    let ln_gamma = 0.5 * (2.0 * std::f64::consts::PI).ln() + (z + 0.5) * t.ln() - t + series.ln();
    ln_gamma.exp()
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let distribution = deserializer.deserialize_any(DistributionVisitor)?;
        distribution.validate().map_err(de::Error::custom)?;
        Ok(distribution)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogNormalParameters {
    median: Duration,
    sigma: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeibullParameters {
    scale: Duration,
    shape: f64,
}

struct DistributionVisitor;

impl<'de> Visitor<'de> for DistributionVisitor {
    type Value = Distribution;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a duration such as `15s`, or a map with one key: \
             `exponential`, `lognormal`, `uniform` or `weibull`",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Distribution, E> {
        DurationVisitor.visit_str(v).map(Distribution::Fixed)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Distribution, E> {
        DurationVisitor.visit_u64(v).map(Distribution::Fixed)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Distribution, E> {
        DurationVisitor.visit_i64(v).map(Distribution::Fixed)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Distribution, E> {
        DurationVisitor.visit_f64(v).map(Distribution::Fixed)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Distribution, A::Error> {
        let Some(kind) = map.next_key::<String>()? else {
            return Err(de::Error::custom(UnitError::new(format!(
                "invalid distribution `{{}}`: expected one key, {}",
                kinds_or_duration()
            ))));
        };
        let distribution = match kind.as_str() {
            "exponential" => Distribution::Exponential {
                mean: map.next_value::<Duration>()?.get(),
            },
            "lognormal" => {
                let p: LogNormalParameters = map.next_value()?;
                Distribution::LogNormal {
                    median: p.median.get(),
                    sigma: p.sigma,
                }
            }
            "uniform" => {
                let bounds: Vec<Duration> = map.next_value()?;
                let [low, high] = bounds[..] else {
                    let written: Vec<String> = bounds.iter().map(ToString::to_string).collect();
                    return Err(de::Error::custom(UnitError::new(format!(
                        "invalid uniform range `[{}]`: expected two durations, e.g. `[10s, 30s]`",
                        written.join(", ")
                    ))));
                };
                Distribution::Uniform {
                    low: low.get(),
                    high: high.get(),
                }
            }
            "weibull" => {
                let p: WeibullParameters = map.next_value()?;
                Distribution::Weibull {
                    scale: p.scale.get(),
                    shape: p.shape,
                }
            }
            unknown => return Err(de::Error::custom(unknown_kind(unknown))),
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(UnitError::new(format!(
                "a distribution has one key, got `{kind}` and `{extra}`"
            ))));
        }
        Ok(distribution)
    }
}

fn unknown_kind(kind: &str) -> UnitError {
    let closest = KINDS
        .into_iter()
        .map(|known| (strsim::levenshtein(kind, known), known))
        .min()
        .filter(|&(distance, _)| distance <= TYPO_DISTANCE);
    match closest {
        Some((_, known)) => UnitError::new(format!(
            "unknown distribution `{kind}`: did you mean `{known}`?"
        )),
        None => UnitError::new(format!(
            "unknown distribution `{kind}`: {}",
            kinds_or_duration()
        )),
    }
}

fn kinds_or_duration() -> String {
    let kinds: Vec<String> = KINDS.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "expected one of {}, or a duration such as `15s`",
        kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const DRAWS: u32 = 100_000;

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    fn read(yaml: &str) -> Result<Distribution, String> {
        serde_saphyr::from_str::<Distribution>(yaml).map_err(|e| e.to_string())
    }

    /// Asserts the mean of many draws lies within four standard errors of
    /// the analytic mean, given the distribution's variance in seconds².
    fn assert_sample_mean(distribution: Distribution, variance: f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let total: f64 = (0..DRAWS)
            .map(|_| distribution.sample(&mut rng).as_secs_f64())
            .sum();
        let sample_mean = total / f64::from(DRAWS);
        let expected = distribution.mean().as_secs_f64();
        let tolerance = 4.0 * (variance / f64::from(DRAWS)).sqrt();
        assert!(
            (sample_mean - expected).abs() <= tolerance,
            "{distribution:?}: sample mean {sample_mean} vs {expected} ± {tolerance}"
        );
    }

    #[test]
    fn gamma_matches_known_values() {
        let close = |x: f64, want: f64| {
            let got = gamma(x);
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "Γ({x}) = {got}, want {want}"
            );
        };
        close(1.0, 1.0);
        close(2.0, 1.0);
        close(3.0, 2.0);
        close(5.0, 24.0);
        close(1.5, std::f64::consts::PI.sqrt() / 2.0);
        close(1.0 + 1.0 / 0.7, 1.265_823_506_057_23);
        assert_eq!(gamma(1.0e4), f64::INFINITY);
    }

    #[test]
    fn sample_means_match_analytic_means() {
        let mean = 30.0 * 86_400.0;
        assert_sample_mean(
            Distribution::Exponential {
                mean: SimDuration::from_secs_f64(mean),
            },
            mean * mean,
        );
        let (low, high) = (10.0, 30.0);
        assert_sample_mean(
            Distribution::Uniform {
                low: secs(10),
                high: secs(30),
            },
            (high - low) * (high - low) / 12.0,
        );
        let (median, sigma): (f64, f64) = (20.0, 0.5);
        let mu = median.ln();
        assert_sample_mean(
            Distribution::LogNormal {
                median: secs(20),
                sigma,
            },
            ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp(),
        );
        for shape in [0.7, 1.0, 3.5] {
            let scale = 3600.0;
            let first = gamma(1.0 + 1.0 / shape);
            assert_sample_mean(
                Distribution::Weibull {
                    scale: secs(3600),
                    shape,
                },
                scale * scale * (gamma(1.0 + 2.0 / shape) - first * first),
            );
        }
    }

    #[test]
    fn analytic_means() {
        let uniform = Distribution::Uniform {
            low: secs(10),
            high: secs(30),
        };
        assert_eq!(uniform.mean(), secs(20));
        let exponential_weibull = Distribution::Weibull {
            scale: secs(60),
            shape: 1.0,
        };
        assert_eq!(exponential_weibull.mean(), secs(60));
        let weibull = Distribution::Weibull {
            scale: secs(60),
            shape: 0.5,
        };
        assert_eq!(weibull.mean(), secs(120));
        let extreme = Distribution::Weibull {
            scale: secs(60),
            shape: 0.001,
        };
        assert_eq!(extreme.mean(), SimDuration::MAX);
        let lognormal = Distribution::LogNormal {
            median: secs(20),
            sigma: 0.0,
        };
        assert_eq!(lognormal.mean(), secs(20));
    }

    #[test]
    fn fixed_consumes_no_randomness() {
        let mut used = ChaCha8Rng::seed_from_u64(7);
        let fixed = Distribution::Fixed(secs(15));
        assert_eq!(fixed.sample(&mut used), secs(15));
        assert!(!fixed.is_random());
        let mut fresh = ChaCha8Rng::seed_from_u64(7);
        assert_eq!(used.next_u64(), fresh.next_u64());
    }

    #[test]
    fn invalid_hand_built_parameters_do_not_panic() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let odd = [
            Distribution::Exponential {
                mean: SimDuration::ZERO,
            },
            Distribution::LogNormal {
                median: SimDuration::ZERO,
                sigma: f64::NAN,
            },
            Distribution::Uniform {
                low: secs(30),
                high: secs(10),
            },
            Distribution::Weibull {
                scale: SimDuration::ZERO,
                shape: -1.0,
            },
            Distribution::Weibull {
                scale: SimDuration::MAX,
                shape: 0.0,
            },
        ];
        for distribution in odd {
            assert!(distribution.validate().is_err(), "{distribution:?}");
            assert!(distribution.is_random());
            distribution.sample(&mut rng);
            distribution.mean();
        }
    }

    #[test]
    fn reads_every_yaml_form() {
        assert_eq!(read("15s"), Ok(Distribution::Fixed(secs(15))));
        assert_eq!(read("0"), Ok(Distribution::Fixed(SimDuration::ZERO)));
        assert_eq!(
            read("{exponential: 30d}"),
            Ok(Distribution::Exponential {
                mean: secs(30 * 86_400)
            })
        );
        assert_eq!(
            read("lognormal: {median: 20s, sigma: 0.5}"),
            Ok(Distribution::LogNormal {
                median: secs(20),
                sigma: 0.5
            })
        );
        assert_eq!(
            read("uniform: [10s, 30s]"),
            Ok(Distribution::Uniform {
                low: secs(10),
                high: secs(30)
            })
        );
        assert_eq!(
            read("weibull:\n  scale: 30d\n  shape: 0.7\n"),
            Ok(Distribution::Weibull {
                scale: secs(30 * 86_400),
                shape: 0.7
            })
        );
    }

    #[test]
    fn rejects_bad_yaml_naming_the_value() {
        let fails = |yaml: &str, wanted: &str| {
            let message = read(yaml).unwrap_err();
            assert!(message.contains(wanted), "{yaml}: {message}");
        };
        fails(
            "{expontial: 30d}",
            "unknown distribution `expontial`: did you mean `exponential`?",
        );
        fails("{normal: 30d}", "did you mean `lognormal`?");
        fails(
            "{gaussian: 30d}",
            "expected one of `exponential`, `lognormal`",
        );
        fails("{}", "expected one key");
        fails(
            "{exponential: 30d, uniform: [1s, 2s]}",
            "got `exponential` and `uniform`",
        );
        fails("30", "`30` has no unit: write `30s`");
        fails(
            "{exponential: 0s}",
            "exponential mean must be greater than zero, got `0s`",
        );
        fails("{lognormal: {median: 20s, sigma: -1}}", "sigma `-1`");
        fails(
            "{lognormal: {median: 0s, sigma: 1}}",
            "median must be greater than zero",
        );
        fails("{lognormal: {median: 20s, sigma: .nan}}", "sigma `NaN`");
        fails("{lognormal: {median: 20s, sigm: 1}}", "sigm");
        fails("{uniform: [30s, 10s]}", "`[30s, 10s]`");
        fails("{uniform: [10s]}", "`[10s]`: expected two durations");
        fails("{uniform: [1s, 2s, 3s]}", "`[1s, 2s, 3s]`");
        fails("{weibull: {scale: 30d, shape: 0}}", "shape `0`");
        fails(
            "{weibull: {scale: 0s, shape: 1}}",
            "weibull scale must be greater than zero",
        );
        fails("{weibull: {scale: 30d, shape: .inf}}", "shape `inf`");
    }
}
