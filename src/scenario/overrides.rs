//! `--set PATH=VALUE`: a change to a scenario given on the command line,
//! applied to the YAML before it is checked, so that it is validated like
//! the file itself. A path is dotted (`cluster.nodePools.workers.count`); a
//! list's element is named by its `name` (`workloads.web.replicas`) or its
//! index (`faults.0.at`); a missing field is added. The value is read as
//! YAML: `5`, `30s`, `"25%"`, `{ sleep: { seconds: 5 } }`.

use serde_json::Value;

use super::{Code, Diagnostic, Scenario, ScenarioError};
use crate::limits::Limits;

/// Reads the scenario file, applies the `--set`s in order, and validates
/// the result against `limits`. Errors in the result are located in the
/// scenario as changed, shown as JSON.
pub fn load_with(
    path: &std::path::Path,
    sets: &[String],
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = super::read(path)?;
    if sets.is_empty() {
        return super::validate::parse(&text, &file, limits);
    }
    let Ok(mut value) = super::validate::yaml_value(&text) else {
        // Not even YAML, or over the reader's budget: the plain parse says where.
        return super::validate::parse(&text, &file, limits);
    };
    let mut diagnostics = Vec::new();
    for set in sets {
        if let Err(d) = apply(&mut value, set) {
            diagnostics.push(d);
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
    let changed = serde_json::to_string_pretty(&value).expect("a YAML value serializes");
    super::validate::parse(&changed, &format!("{file} (with --set)"), limits)
}

fn error(path: &str, message: String) -> Diagnostic {
    Diagnostic::new(Code::BadSet, format!("--set {path}"), message)
}

/// Applies one `PATH=VALUE`.
fn apply(root: &mut Value, set: &str) -> Result<(), Diagnostic> {
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
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        cursor = match cursor {
            Value::Object(map) => {
                if last {
                    map.insert((*segment).to_string(), new);
                    return Ok(());
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
                if last {
                    items[index] = new;
                    return Ok(());
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
    Ok(())
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
        apply(&mut v, "workloads.api.replicas=5").expect("applies");
        apply(&mut v, "workloads.web.minReady=2").expect("adds");
        apply(&mut v, "workloads.0.app.startup=30s").expect("by index, nested");
        assert_eq!(v["workloads"][1]["replicas"], 5);
        assert_eq!(v["workloads"][0]["minReady"], 2);
        assert_eq!(v["workloads"][0]["app"]["startup"], "30s");
    }

    #[test]
    fn an_unknown_element_suggests_the_closest() {
        let mut v = yaml("workloads:\n  - name: web\n");
        let e = apply(&mut v, "workloads.wbe.replicas=5").expect_err("no such element");
        assert!(e.message.contains("did you mean `web`"), "{}", e.message);
        assert!(apply(&mut v, "replicas").is_err(), "no `=`");
    }
}
