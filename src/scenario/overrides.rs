//! `--set PATH=VALUE`: a change to a scenario given on the command line,
//! applied to the YAML before it is checked, so that it is validated like
//! the file itself. A path is dotted (`cluster.nodePools.workers.count`); a
//! list's element is named by its `name` (`workloads.web.replicas`) or its
//! index (`faults.0.at`); a missing field is added. The value is read as
//! YAML: `5`, `30s`, `"25%"`, `{ sleep: { seconds: 5 } }`.
//!
//! The scenario changed is checked as a JSON document of its own, which
//! the messages must not show: a problem with a value a change gave names
//! the argument (`--set duration=-5m`), and any other is put back at its
//! line and column of the file.

use serde_json::Value;

use super::places::{Part, Places};
use super::{Code, Diagnostic, Scenario, ScenarioError, Warnings};
use crate::limits::Limits;

/// Reads the scenario file, applies the `--set`s in order, and validates
/// the result against `limits`. A problem in a value a `--set` gave names
/// that argument; any other is shown at its field's place in the file.
pub fn load_with(
    path: &std::path::Path,
    sets: &[String],
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    load_varied(path, sets, &[], limits)
}

/// [`load_with`] for a point of a sweep: the `--set`s, then the point's
/// values (`PATH=VALUE`), a problem in which names its `--vary`.
pub fn load_varied(
    path: &std::path::Path,
    sets: &[String],
    varied: &[String],
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = super::read(path)?;
    if sets.is_empty() && varied.is_empty() {
        return super::validate::parse(&text, &file, limits);
    }
    let value = super::validate::yaml_value(&text);
    let Ok(mut value @ Value::Object(_)) = value else {
        // Not even YAML, over the reader's budget, or no mapping: the plain
        // parse says where.
        return super::validate::parse(&text, &file, limits);
    };
    let mut diagnostics = Vec::new();
    let mut applied = Vec::new();
    let changes = sets
        .iter()
        .map(|s| ("--set", s))
        .chain(varied.iter().map(|s| ("--vary", s)));
    for (flag, change) in changes {
        match apply(&mut value, flag, change) {
            Ok(path) => applied.push(Applied {
                path,
                argument: format!("{flag} {change}"),
                value: change.split_once('=').map_or("", |(_, v)| v).to_string(),
            }),
            Err(d) => diagnostics.push(d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(ScenarioError::Invalid {
            file,
            source_text: String::new(),
            diagnostics,
            not_shown: 0,
        });
    }
    // Checked as a document of its own, which the messages must not quote.
    let changed = serde_json::to_string_pretty(&value).expect("a YAML value serializes");
    let relocation = Relocation {
        applied: &applied,
        changed: (&changed, Places::of(&changed)),
        file: (&text, Places::of(&text)),
    };
    let relocated = |diagnostics: &[Diagnostic]| {
        let mut diagnostics: Vec<Diagnostic> = diagnostics
            .iter()
            .map(|d| relocation.place(d.clone()))
            .collect();
        // In the order of the file, those with no place in it first.
        diagnostics.sort_by_key(|d| (d.line, d.column));
        diagnostics
    };
    match super::validate::parse(&changed, &file, limits) {
        Ok(mut scenario) => {
            let warnings = relocated(scenario.warnings.diagnostics());
            scenario.warnings = Warnings::new(&file, &text, warnings);
            Ok(scenario)
        }
        Err(ScenarioError::Invalid {
            diagnostics,
            not_shown,
            ..
        }) => Err(ScenarioError::Invalid {
            file,
            diagnostics: relocated(&diagnostics),
            source_text: text.clone(),
            not_shown,
        }),
        Err(e) => Err(e),
    }
}

/// A `--set` applied: the field path it changed, as a diagnostic writes
/// it (`workloads[0].replicas`), the argument as given, and its value.
struct Applied {
    path: String,
    argument: String,
    value: String,
}

/// Whether the value at `path` is, or is inside, the one at `outer`.
fn within(path: &str, outer: &str) -> bool {
    path.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The changes made to a file, and where its values are in the document
/// changed and in the file, each with its text.
struct Relocation<'a> {
    applied: &'a [Applied],
    changed: (&'a str, Places),
    file: (&'a str, Places),
}

impl Relocation<'_> {
    /// A diagnostic of the changed document, placed. A problem with a
    /// value a change gave (the last that gave it) names that change's
    /// argument; one located elsewhere in the changed document is at the
    /// same key or value of the file, the value quoted as the file writes
    /// it, or, where a change added that value, names the last change
    /// inside it; one with no place there has none.
    fn place(&self, mut d: Diagnostic) -> Diagnostic {
        let checked_at = d.line.take().zip(d.column.take());
        let given = |path: &str| self.applied.iter().rev().find(|a| within(path, &a.path));
        if let Some(a) = given(&d.path).filter(|_| !d.path.is_empty()) {
            if let Some(at) = checked_at.filter(|_| d.path == a.path) {
                self.quote_as_written(&mut d, at, &a.value);
            }
            d.argument = Some(a.argument.clone());
            return d;
        }
        let Some(at) = checked_at else {
            return d;
        };
        let Some((path, part)) = self.changed.1.at(at) else {
            return d;
        };
        if let Some(a) = given(path) {
            d.argument = Some(a.argument.clone());
        } else if let Some(place) = self.file.1.get(path) {
            let (line, column) = match part {
                Part::Key => place.key.unwrap_or(place.value),
                Part::Value => place.value,
            };
            if let Some(written) = super::validate::token_at(self.file.0, line, column) {
                self.quote_as_written(&mut d, at, &written);
            }
            (d.line, d.column) = (Some(line), Some(column));
        } else if let Some(a) = self.applied.iter().rev().find(|a| within(&a.path, path)) {
            d.argument = Some(a.argument.clone());
        }
        d
    }

    /// The value the message quotes from the changed document at `at`, as
    /// the file or the argument writes it: JSON writes `1e3` as `1000.0`,
    /// and 99999999999999999999999 as `1e+23`.
    fn quote_as_written(&self, d: &mut Diagnostic, (line, column): (u64, u64), written: &str) {
        if let Some(checked) = super::validate::token_at(self.changed.0, line, column) {
            d.message = d
                .message
                .replace(&format!("`{checked}`"), &format!("`{written}`"));
        }
    }
}

/// Applies one `PATH=VALUE` given with `flag`, and gives the field path it
/// changed as a diagnostic writes it: `workloads.web.replicas` is
/// `workloads[0].replicas`.
fn apply(root: &mut Value, flag: &str, set: &str) -> Result<String, Diagnostic> {
    let error = |path: &str, message: String| {
        Diagnostic::new(Code::BadSet, format!("{flag} {path}"), message)
    };
    let Some((path, raw)) = set.split_once('=') else {
        return Err(error(
            set,
            "expected PATH=VALUE, e.g. `workloads.web.replicas=5`".to_string(),
        ));
    };
    let new = super::validate::yaml_value(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(error(
            path,
            "a path is dotted names, e.g. `workloads.web.replicas`".to_string(),
        ));
    }
    let mut cursor = root;
    let mut changed = String::new();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        cursor = match cursor {
            Value::Object(map) => {
                if !changed.is_empty() {
                    changed.push('.');
                }
                changed.push_str(segment);
                if last {
                    map.insert((*segment).to_string(), new);
                    return Ok(changed);
                }
                map.entry((*segment).to_string())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()))
            }
            Value::Array(items) => {
                let found = items.iter().position(|item| {
                    item.get("name").and_then(Value::as_str) == Some(segment)
                        || item.get("workload").and_then(Value::as_str) == Some(segment)
                });
                let index =
                    found.or_else(|| segment.parse::<usize>().ok().filter(|&i| i < items.len()));
                let Some(index) = index else {
                    let names: Vec<&str> = items
                        .iter()
                        .filter_map(|item| item.get("name").and_then(Value::as_str))
                        .collect();
                    let hint = super::closest(segment, names.iter().copied())
                        .map_or(String::new(), |best| format!("; did you mean `{best}`?"));
                    return Err(error(
                        path,
                        format!(
                            "`{}` has no element named `{segment}` (or index {segment}){hint}",
                            segments[..i].join(".")
                        ),
                    ));
                };
                changed.push_str(&format!("[{index}]"));
                if last {
                    items[index] = new;
                    return Ok(changed);
                }
                &mut items[index]
            }
            _ => {
                return Err(error(
                    path,
                    format!(
                        "`{}` is a value, not a map or a list",
                        segments[..i].join(".")
                    ),
                ));
            }
        };
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_saphyr::from_str(text).expect("valid YAML")
    }

    #[test]
    fn paths_name_list_elements_and_add_missing_fields() {
        let mut v =
            yaml("workloads:\n  - name: web\n    replicas: 3\n  - name: api\n    replicas: 2\n");
        let changed = [
            apply(&mut v, "--set", "workloads.api.replicas=5").expect("applies"),
            apply(&mut v, "--set", "workloads.web.minReady=2").expect("adds"),
            apply(&mut v, "--set", "workloads.0.app.startup=30s").expect("by index, nested"),
        ];
        assert_eq!(
            changed,
            [
                "workloads[1].replicas",
                "workloads[0].minReady",
                "workloads[0].app.startup"
            ]
        );
        assert_eq!(v["workloads"][1]["replicas"], 5);
        assert_eq!(v["workloads"][0]["minReady"], 2);
        assert_eq!(v["workloads"][0]["app"]["startup"], "30s");
    }

    #[test]
    fn an_unknown_element_suggests_the_closest() {
        let mut v = yaml("workloads:\n  - name: web\n");
        let e = apply(&mut v, "--set", "workloads.wbe.replicas=5").expect_err("no such element");
        assert!(e.message.contains("did you mean `web`"), "{}", e.message);
        assert!(apply(&mut v, "--set", "replicas").is_err(), "no `=`");
    }
}
