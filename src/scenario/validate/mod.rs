//! From the file as written to a runnable [`Scenario`]: YAML errors located
//! with their field path, then every semantic check, all problems reported
//! together.

use std::cell::RefCell;

use serde_saphyr::Spanned;

mod autoscaling;
mod cluster;
mod expansion;
mod faults;
mod rollouts;
mod workloads;

use super::error::{Diagnostic, ScenarioError, Warnings, closest, with_suggestion};
use super::file::{self, ScenarioFile};
use super::*;
use crate::limits::{self, Limits, over_limit};
use crate::units::Distribution;

pub(super) fn parse(
    text: &str,
    file_name: &str,
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    let invalid = |diagnostics, not_shown| ScenarioError::Invalid {
        file: file_name.to_string(),
        source_text: text.to_string(),
        diagnostics,
        not_shown,
    };
    if is_blank(text) {
        return Err(invalid(
            vec![Diagnostic::new(
                Code::EmptyScenario,
                "",
                "the scenario is empty: expected a mapping with `name`, `duration`, \
                 `cluster` and `workloads`",
            )],
            0,
        ));
    }
    expansion::check(text).map_err(|d| invalid(vec![d], 0))?;
    let raw = deserialize(text).map_err(|d| invalid(vec![d], 0))?;
    let mut checker = Checker {
        limits: *limits,
        ..Checker::default()
    };
    let mut scenario = checker.scenario(raw);
    // In the order of the file, as a reader goes through it; those with no
    // place in it first.
    checker.diagnostics.sort_by_key(|d| (d.line, d.column));
    if checker.errors > 0 {
        return Err(invalid(checker.diagnostics, checker.not_shown));
    }
    scenario.warnings = Warnings::new(file_name, text, checker.diagnostics);
    Ok(scenario)
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
    let code = code_of(error);
    let message = if code == Code::ReaderBudget {
        format!(
            "{message}: the file expands past what a scenario may hold (at most {} values, \
             {} MiB of text, {} values replayed by aliases); an alias bomb?",
            limits::MAX_YAML_NODES,
            limits::MAX_YAML_TEXT_BYTES >> 20,
            limits::MAX_ALIAS_REPLAYED_EVENTS
        )
    } else {
        plain_message(message, token, path)
    };
    Diagnostic {
        code,
        path: user_path(path),
        line: location.map(|l| l.line()),
        column: location.map(|l| l.column()),
        message,
        argument: None,
    }
}

/// The reader's error as a code: what serde says of a value apart from
/// what the YAML parser says of the text.
fn code_of(error: &serde_saphyr::Error) -> Code {
    use serde_saphyr::Error as E;
    match error.without_snippet() {
        E::SerdeUnknownField { .. } => Code::UnknownField,
        E::SerdeMissingField { .. } => Code::MissingField,
        E::DuplicateMappingKey { .. } => Code::DuplicateKey,
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => Code::ReaderBudget,
        E::Message { .. }
        | E::Unexpected { .. }
        | E::InvalidScalar { .. }
        | E::NonFiniteFloat { .. }
        | E::NullIntoString { .. }
        | E::InvalidBooleanStrict { .. }
        | E::SerdeInvalidType { .. }
        | E::SerdeInvalidValue { .. }
        | E::SerdeInvalidLength { .. }
        | E::SerdeUnknownVariant { .. }
        | E::UnexpectedValueForUnit { .. }
        | E::UnexpectedValueForUnitEnumVariant { .. }
        | E::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => Code::InvalidValue,
        _ => Code::Syntax,
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

/// The scalar that starts at a line and column, for messages that must
/// quote it: its value, without the quotes it may be written in (a value
/// given with `--set` is checked written in JSON's).
pub(super) fn token_at(text: &str, line: u64, column: u64) -> Option<String> {
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
    let token = ['"', '\'']
        .into_iter()
        .find_map(|q| token.strip_prefix(q)?.strip_suffix(q))
        .unwrap_or(token);
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
    /// The problems found, up to [`limits::MAX_DIAGNOSTICS`].
    diagnostics: Vec<Diagnostic>,
    /// Errors found, shown or not: any stops the run.
    errors: usize,
    /// Problems past the cap, counted only.
    not_shown: usize,
    limits: Limits,
    /// The controller-wide HPA settings each HPA's behavior defaults to.
    hpa_tolerance: f64,
    hpa_downscale_stabilization: SimDuration,
}

impl Checker {
    /// Reports a problem; `code` says whether it is an error or a warning.
    fn push(&mut self, diagnostic: Diagnostic) {
        if diagnostic.code.severity() == Severity::Error {
            self.errors += 1;
        }
        if self.is_full() {
            self.not_shown += 1;
        } else {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Past the cap, problems are only counted, and the costly search for a
    /// closest name is skipped.
    fn is_full(&self) -> bool {
        self.diagnostics.len() >= limits::MAX_DIAGNOSTICS
    }

    /// A problem with no place of its own in the file.
    fn report(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) {
        self.push(Diagnostic::new(code, path, message));
    }

    /// A problem located at a value of the file.
    fn report_at<T>(
        &mut self,
        code: Code,
        path: impl Into<String>,
        at: &Spanned<T>,
        message: impl Into<String>,
    ) {
        self.push(Diagnostic {
            line: Some(at.referenced.line()),
            column: Some(at.referenced.column()),
            ..Diagnostic::new(code, path, message)
        });
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
        let best = if self.is_full() {
            None
        } else {
            closest(&given.value, valid.iter().map(String::as_str))
        };
        let hint = match best {
            Some(best) => format!("; did you mean `{best}`?"),
            None if valid.is_empty() || valid.len() > 10 => String::new(),
            None => format!(
                "; valid: {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.report_at(
            Code::UnknownName,
            path,
            given,
            format!("unknown {kind} `{}`{hint}", given.value),
        );
        None
    }

    fn scenario(&mut self, raw: ScenarioFile) -> Scenario {
        if raw.name.value.trim().is_empty() {
            self.report_at(Code::InvalidName, "name", &raw.name, "must not be empty");
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
        self.pods_fit(&raw.workloads, &workloads, &pools, &nodes);
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
            self.report_at(
                Code::OverLimit,
                "duration",
                &raw.duration,
                format!(
                    "`{}` is longer than a run may be: {}",
                    days(duration),
                    over_limit(days(self.limits.duration), "--max-duration")
                ),
            );
        }
        for (field, count) in [
            ("faults", raw.faults.len()),
            ("rollouts", raw.rollouts.len()),
        ] {
            if count as u64 > self.limits.faults {
                self.report(
                    Code::OverLimit,
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
            warnings: Warnings::default(),
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

/// A duration in the days a person thinks of long runs in, where it is a
/// whole number of them, with the years past one.
fn days(d: SimDuration) -> String {
    const DAY_NS: u64 = 86_400 * 1_000_000_000;
    let n = d.as_nanos() / DAY_NS;
    match (d.as_nanos().is_multiple_of(DAY_NS), n / 365) {
        (true, 0) => format!("{n}d"),
        (true, years) => format!("{n}d ({years} years)"),
        (false, _) => d.to_string(),
    }
}

/// `N things`, or `N more things make M` when others came before them.
fn in_all(these: u64, total: u64, things: &str) -> String {
    if these == total {
        format!("{total} {things}")
    } else {
        format!("{these} more {things} make {total}")
    }
}

/// Kubernetes object names (RFC 1123 labels), since nodes and pods are
/// named after them; the error says what is wrong with the name.
fn dns_label(name: &str) -> Result<(), String> {
    const MAX: usize = 63;
    if name.chars().count() > MAX {
        let shown: String = name.chars().take(20).collect();
        return Err(format!(
            "`{shown}…` is {} characters long; Kubernetes names have at most {MAX}",
            name.chars().count()
        ));
    }
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid name: lowercase letters, digits and `-`, \
             starting and ending with a letter or digit"
        ))
    }
}
