//! From the file as written to a runnable [`Scenario`]: YAML errors located
//! with their field path, then every semantic check, all problems reported
//! together.

use std::cell::RefCell;

use serde_saphyr::Spanned;

mod autoscaling;
mod cluster;
mod faults;
mod rollouts;
mod workloads;

use super::error::{Diagnostic, ScenarioError, closest, with_suggestion};
use super::file::{self, ScenarioFile};
use super::*;
use crate::limits::{self, Limits, over_limit};
use crate::units::Distribution;

pub(super) fn parse(
    text: &str,
    file_name: &str,
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    let invalid = |diagnostics| ScenarioError::Invalid {
        file: file_name.to_string(),
        source_text: text.to_string(),
        diagnostics,
    };
    if is_blank(text) {
        return Err(invalid(vec![Diagnostic {
            path: String::new(),
            line: None,
            column: None,
            message: "the scenario is empty: expected a mapping with `name`, `duration`, \
                      `cluster` and `workloads`"
                .into(),
        }]));
    }
    let raw = deserialize(text).map_err(|d| invalid(vec![d]))?;
    let mut checker = Checker {
        limits: *limits,
        ..Checker::default()
    };
    let scenario = checker.scenario(raw);
    if checker.diagnostics.is_empty() {
        Ok(scenario)
    } else {
        Err(invalid(checker.diagnostics))
    }
}

fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// The YAML reader held to the budget of [`crate::limits`], so that an
/// alias bomb or a flood of values is refused as it is read.
fn reader_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: limits::MAX_YAML_NODES,
            max_total_scalar_bytes: limits::MAX_YAML_TEXT_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits::MAX_ALIAS_REPLAYED_EVENTS,
        },
    }
}

/// The file as a plain YAML value, for `--set` to change, read with the
/// same budget as a scenario.
pub(super) fn yaml_value(text: &str) -> Result<serde_json::Value, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, reader_options())
}

/// Deserializes with the field path recorded, so a type error names
/// `workloads[0].readinessProbe.periodSeconds`, not just a line.
fn deserialize(text: &str) -> Result<ScenarioFile, Diagnostic> {
    let failure: RefCell<Option<(String, serde_saphyr::Error)>> = RefCell::new(None);
    let result =
        serde_saphyr::with_deserializer_from_str_with_options(text, reader_options(), |de| {
            serde_path_to_error::deserialize::<_, ScenarioFile>(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let surrogate =
                    <serde_saphyr::Error as serde::de::Error>::custom(inner.to_string());
                *failure.borrow_mut() = Some((path, inner));
                surrogate
            })
        });
    match result {
        Ok(raw) => Ok(raw),
        Err(outer) => {
            let (path, error) = failure.into_inner().unwrap_or((String::new(), outer));
            Err(diagnostic_from_yaml(&path, &error, text))
        }
    }
}

fn diagnostic_from_yaml(path: &str, error: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let location = error.location().filter(|l| l.line() > 0);
    let mut message = error.without_snippet().to_string();
    if let Some(l) = location {
        let suffix = format!(" at line {}, column {}", l.line(), l.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    let message = message.trim_start_matches("error: ");
    let token = location.and_then(|l| token_at(text, l.line(), l.column()));
    Diagnostic {
        path: user_path(path),
        line: location.map(|l| l.line()),
        column: location.map(|l| l.column()),
        message: plain_message(message, token, path),
    }
}

/// The field path as the user wrote it: without the `value` step that a
/// located (`Spanned`) field adds, nor the `?` of a key the parser never
/// finished reading.
fn user_path(path: &str) -> String {
    let mut steps: Vec<&str> = Vec::new();
    for step in path.split('.') {
        // `httpHeaders[i].value` is the one real field named `value`.
        let header_value = steps.last().is_some_and(|s| s.starts_with("httpHeaders["));
        if step.is_empty() || step == "?" || (step == "value" && !header_value) {
            continue;
        }
        steps.push(step);
    }
    steps.join(".")
}

/// The YAML library's wording where it speaks of itself, in the user's terms.
fn plain_message(message: &str, token: Option<String>, path: &str) -> String {
    let token = token.unwrap_or_default();
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        return format!("duplicate key `{key}`: each key may appear once in a mapping");
    }
    if matches!(message, "invalid u32" | "invalid u64" | "invalid u16") {
        return format!("expected a whole number, zero or more, got `{token}`");
    }
    if message.starts_with("non-finite float") {
        return format!("expected a finite number, got `{token}`");
    }
    if message == "expected mapping start" && (path.is_empty() || path == ".") {
        return "a scenario is a mapping with `name`, `duration`, `cluster` and `workloads`"
            .to_string();
    }
    with_suggestion(message)
}

/// The scalar that starts at a line and column, for messages that must quote it.
fn token_at(text: &str, line: u64, column: u64) -> Option<String> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let rest: String = line
        .chars()
        .skip(usize::try_from(column).ok()?.saturating_sub(1))
        .collect();
    let token: String = rest
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | ']' | '#'))
        .collect();
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// What a fault may name.
#[derive(Clone, Copy)]
struct Targets<'a> {
    workloads: &'a [String],
    nodes: &'a [String],
    pools: &'a [String],
    zones: &'a [String],
    control_plane: ControlPlane,
}

/// Gathers every semantic problem instead of stopping at the first.
#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
    limits: Limits,
    /// The controller-wide HPA settings each HPA's behavior defaults to.
    hpa_tolerance: f64,
    hpa_downscale_stabilization: SimDuration,
}

impl Checker {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        });
    }

    fn error_at<T>(
        &mut self,
        path: impl Into<String>,
        at: &Spanned<T>,
        message: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            path: path.into(),
            line: Some(at.referenced.line()),
            column: Some(at.referenced.column()),
            message: message.into(),
        });
    }

    fn error_near<T>(
        &mut self,
        at: &Spanned<T>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.error_at(path, at, message);
    }

    /// Resolves a name against the valid ones, or reports it with the closest.
    fn resolve(
        &mut self,
        path: &str,
        kind: &str,
        given: &Spanned<String>,
        valid: &[String],
    ) -> Option<usize> {
        if let Some(i) = valid.iter().position(|v| *v == given.value) {
            return Some(i);
        }
        let hint = match closest(&given.value, valid.iter().map(String::as_str)) {
            Some(best) => format!("; did you mean `{best}`?"),
            None if valid.is_empty() => String::new(),
            None => format!(
                "; valid: {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error_at(
            path,
            given,
            format!("unknown {kind} `{}`{hint}", given.value),
        );
        None
    }

    fn scenario(&mut self, raw: ScenarioFile) -> Scenario {
        if raw.name.value.trim().is_empty() {
            self.error_at("name", &raw.name, "must not be empty");
        }
        let settings = self.settings(&raw.cluster.settings);
        let control_plane = raw.cluster.control_plane.as_ref().map_or(
            ControlPlane {
                api_servers: 1,
                etcd_members: 1,
                managed: None,
                stacked: true,
                backup_interval: None,
                restore_time: Distribution::Fixed(defaults::ETCD_RESTORE_TIME),
            },
            |cp| ControlPlane {
                api_servers: cp.api_servers.unwrap_or(1).max(1),
                etcd_members: cp.etcd_members.unwrap_or(1).max(1),
                stacked: cp.topology != Some(file::Topology::External),
                backup_interval: cp.backup_interval.map(|b| b.get()),
                restore_time: cp
                    .restore_time
                    .unwrap_or(Distribution::Fixed(defaults::ETCD_RESTORE_TIME)),
                managed: cp.managed.as_ref().map(|m| Managed {
                    sla: m.sla.fraction(),
                    outage: m.outage.unwrap_or(Distribution::Exponential {
                        mean: defaults::MANAGED_OUTAGE_MEAN,
                    }),
                }),
            },
        );
        let (zones, pools, node_groups, nodes) = self.cluster(&raw.cluster);
        let mut workloads = self.workloads(&raw.workloads, &zones);
        self.traffic(&raw.traffic, &mut workloads);
        let workload_names: Vec<String> = workloads.iter().map(|w| w.name.clone()).collect();
        let node_names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let faults: Vec<Fault> = raw
            .faults
            .iter()
            .enumerate()
            .take(usize::try_from(self.limits.faults).unwrap_or(usize::MAX))
            .filter_map(|(i, f)| {
                let targets = Targets {
                    workloads: &workload_names,
                    nodes: &node_names,
                    pools: &pools,
                    zones: &zones,
                    control_plane,
                };
                self.fault(i, f, &targets)
            })
            .collect();
        self.fault_names_and_times(&raw.faults, raw.duration.value.get());
        let rollouts = self.rollouts(&raw.rollouts, &workloads, raw.duration.value.get());
        let slo = raw.slo.map(|s| self.slo(&s)).unwrap_or_default();
        let duration = raw.duration.value.get();
        if duration > self.limits.duration {
            self.error_at(
                "duration",
                &raw.duration,
                format!(
                    "`{}` is longer than a run may be: {}",
                    raw.duration.value,
                    over_limit(days(self.limits.duration), "--max-duration")
                ),
            );
        }
        for (field, count) in [
            ("faults", raw.faults.len()),
            ("rollouts", raw.rollouts.len()),
        ] {
            if count as u64 > self.limits.faults {
                self.error(
                    field,
                    format!(
                        "{count} {field}: {}",
                        over_limit(self.limits.faults, "--max-faults")
                    ),
                );
            }
        }
        Scenario {
            name: raw.name.value,
            description: raw.description,
            duration: raw.duration.value.get(),
            seed: raw.seed,
            cold_start: raw.cold_start,
            zones,
            pools,
            node_groups,
            nodes,
            settings,
            control_plane,
            workloads,
            faults,
            rollouts,
            slo,
        }
    }

    fn slo(&mut self, s: &file::SloSpec) -> Slo {
        Slo {
            request_availability: s.request_availability.map(|p| p.fraction()),
            uptime: s.uptime.map(|p| p.fraction()),
            max_dropped_in_flight: s.max_dropped_in_flight,
            max_outage: s.max_outage.map(|d| d.get()),
            expect: s.expect,
        }
    }
}

/// A limit on the simulated time, in the days a person thinks of it in.
fn days(d: SimDuration) -> String {
    const DAY: u64 = 86_400;
    let secs = d.as_nanos() / 1_000_000_000;
    if secs % DAY == 0 && d.as_nanos() % 1_000_000_000 == 0 {
        format!("{}d ({} years)", secs / DAY, secs / DAY / 365)
    } else {
        d.to_string()
    }
}

/// Kubernetes object names (RFC 1123 labels), since nodes and pods are named after them.
fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}
