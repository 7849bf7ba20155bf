//! The scenario format as a product (issue 9): `nines schema` and the
//! committed `docs/scenario.schema.json` agree byte for byte, every bundled
//! scenario points its editor at that file and passes it, the schema refuses
//! what the loader refuses, its defaults are the loader's, and the reference
//! page is the one rendered from it.
//!
//! `NINES_REGENERATE=1 cargo test --release --test integration schema`
//! rewrites the two generated files.

use std::path::{Path, PathBuf};

use nines::scenario::schema::{reference_markdown, scenario_schema, scenario_schema_json};
use serde_json::{Value, json};

use crate::support::{bundled_scenarios, nines_bin};

const MODELINE: &str = "# yaml-language-server: $schema=../docs/scenario.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Compares a generated file with its committed copy, or rewrites the copy
/// when `NINES_REGENERATE` is set.
fn assert_committed(relative: &str, generated: &str, command: &str) {
    let path = root().join(relative);
    if std::env::var_os("NINES_REGENERATE").is_some() {
        std::fs::write(&path, generated).expect("the generated file is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{relative} is not what `{command}` prints; regenerate it with \
         `NINES_REGENERATE=1 cargo test --release --test integration schema` \
         (or `{command} > {relative}`)"
    );
}

#[test]
fn the_committed_schema_is_what_nines_schema_prints() {
    assert_committed(
        "docs/scenario.schema.json",
        &scenario_schema_json(),
        "nines schema",
    );
    let output = nines_bin().arg("schema").output().expect("nines runs");
    assert!(output.status.success(), "exit {:?}", output.status);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        scenario_schema_json()
    );
}

#[test]
fn the_committed_reference_is_what_nines_schema_markdown_prints() {
    assert_committed(
        "docs/scenario-reference.md",
        &reference_markdown(),
        "nines schema --markdown",
    );
    let output = nines_bin()
        .args(["schema", "--markdown"])
        .output()
        .expect("nines runs");
    assert!(output.status.success(), "exit {:?}", output.status);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        reference_markdown()
    );
}

#[test]
fn every_bundled_scenario_points_its_editor_at_the_schema() {
    for path in bundled_scenarios() {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(
            text.lines().next(),
            Some(MODELINE),
            "{} must start with `{MODELINE}`",
            path.display()
        );
    }
}

/// The bundled scenarios and the regression scenarios: every file that
/// must load.
fn valid_scenarios() -> Vec<PathBuf> {
    let regressions = root().join("tests/integration/regressions");
    let mut paths = bundled_scenarios();
    let mut more: Vec<PathBuf> = std::fs::read_dir(&regressions)
        .expect("regressions/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    more.sort();
    paths.extend(more);
    paths
}

fn yaml_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every failure as `path-in-the-file: message`.
fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("`{}`: {e}", e.instance_path()))
        .collect()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&scenario_schema()).expect("the schema compiles")
}

#[test]
fn every_bundled_scenario_passes_the_schema() {
    let validator = validator();
    let failures: Vec<String> = valid_scenarios()
        .iter()
        .flat_map(|path| {
            schema_errors(&validator, &yaml_value(path))
                .into_iter()
                .map(move |e| format!("{}: {e}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong, how to make the mistake, and where the schema must say so.
type Mistake = (&'static str, fn(&mut Value), &'static str);

#[test]
fn the_schema_refuses_an_unknown_field_and_a_wrong_type_as_the_loader_does() {
    let validator = validator();
    let base = yaml_value(&root().join("scenarios/node-loss.yaml"));
    let cases: [Mistake; 4] = [
        (
            "an unknown field",
            |v| v["workloads"][0]["replicaz"] = json!(3),
            "/workloads/0",
        ),
        (
            "a duration without a unit",
            |v| v["duration"] = json!(30),
            "/duration",
        ),
        (
            "a count as text",
            |v| v["workloads"][0]["replicas"] = json!("three"),
            "/workloads/0/replicas",
        ),
        (
            "an unknown setting",
            |v| v["cluster"]["settings"] = json!({ "nodeMonitorGracePeriode": "40s" }),
            "/cluster/settings",
        ),
    ];
    assert!(
        schema_errors(&validator, &base).is_empty(),
        "the base passes"
    );
    for (what, change, at) in cases {
        let mut changed = base.clone();
        change(&mut changed);
        let errors = schema_errors(&validator, &changed);
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("`{at}`"))),
            "{what}: expected an error at `{at}`, got {errors:?}"
        );
        let text = serde_json::to_string(&changed).expect("serializes");
        assert!(
            nines::scenario::parse(&text, "changed.yaml").is_err(),
            "{what}: the loader refuses it too"
        );
    }
}

/// One definition of the schema as a schema of its own.
fn definition_validator(name: &str) -> jsonschema::Validator {
    let schema = scenario_schema();
    jsonschema::validator_for(&json!({
        "$schema": schema["$schema"],
        "definitions": schema["definitions"],
        "$ref": format!("#/definitions/{name}"),
    }))
    .expect("the definition compiles")
}

/// The schema of a unit and its parser give one verdict on each sample.
fn assert_agree<T: serde::de::DeserializeOwned>(definition: &str, samples: &[&str]) {
    let validator = definition_validator(definition);
    for sample in samples {
        let value: Value = serde_saphyr::from_str(sample).expect("a YAML sample");
        let parsed = serde_saphyr::from_str::<T>(sample).is_ok();
        assert_eq!(
            validator.is_valid(&value),
            parsed,
            "{definition} `{sample}`: the schema says {}, the parser {}",
            validator.is_valid(&value),
            parsed
        );
    }
}

#[test]
fn unit_patterns_accept_what_the_parsers_accept() {
    use nines::scenario::file::{Mtbf, PortSpec};
    use nines::units::{
        Cpu, Distribution, Duration, IntOrPercent, Memory, Percent, PositiveDuration, Quantity,
        Rate,
    };
    let durations = [
        "30s", "1h30m", "1h 30m", "1 h", "2d", "250ms", "7ns", "1.5h", ".5s", "0.1s", "1.5 min",
        "3w", "0", "0s", "30", "1.5", "-5s", "5x", "1.5h30m", "1.2.3s", "''", "\"\"", "10 sec",
    ];
    assert_agree::<Duration>("Duration", &durations);
    assert_agree::<PositiveDuration>("PositiveDuration", &durations);
    assert_agree::<PositiveDuration>("PositiveDuration", &["0h0m", "0.0s", "00s", "0.5s"]);
    let quantities = [
        "250m",
        "2",
        "2",
        "0.5",
        "1.5Gi",
        "512Mi",
        "1G",
        "1e3",
        "1E-3",
        "+1",
        "-1",
        "1Mb",
        "1ki",
        ".5",
        "5.",
        "''",
        "128974848",
        "1.5.5",
        "abc",
    ];
    assert_agree::<Quantity>("Quantity", &quantities);
    assert_agree::<Cpu>("Cpu", &quantities);
    assert_agree::<Memory>("Memory", &quantities);
    let percents = [
        "25%", "99.95%", "100%", "0%", "100.0%", "100.5%", "101%", "99.9", "'99.9'", "-1%", ".5%",
        "5.%", "'%'", "1e2%",
    ];
    assert_agree::<Percent>("Percent", &percents);
    assert_agree::<IntOrPercent>("IntOrPercent", &percents);
    assert_agree::<IntOrPercent>(
        "IntOrPercent",
        &["1", "0", "-1", "'1'", "abc", "4294967296"],
    );
    assert_agree::<Rate>(
        "Rate",
        &[
            "300", "0.5", "0", "300/s", "600/min", "600/m", "3600/h", "1e3/s", "'300'", "-1/s",
            "300/d", "-5", "abc",
        ],
    );
    assert_agree::<Distribution>(
        "Distribution",
        &[
            "15s",
            "0",
            "{exponential: 30d}",
            "{exponential: 0s}",
            "{lognormal: {median: 20s, sigma: 0.5}}",
            "{lognormal: {median: 20s}}",
            "{lognormal: {median: 0s, sigma: 0.5}}",
            "{uniform: [10s, 30s]}",
            "{uniform: [10s]}",
            "{weibull: {scale: 30d, shape: 0.7}}",
            "{weibull: {scale: 30d, shape: 0}}",
            "{expontial: 30d}",
            "{exponential: 30d, weibull: {scale: 30d, shape: 1}}",
            "{}",
            "30",
        ],
    );
    assert_agree::<Mtbf>(
        "Mtbf",
        &[
            "7d",
            "0",
            "0s",
            "{exponential: 7d}",
            "{weibull: {scale: 30d, shape: 0.7}}",
        ],
    );
    assert_agree::<PortSpec>(
        "PortSpec",
        &[
            "8080",
            "0",
            "65536",
            "http",
            "HTTP",
            "a-very-long-port-name",
            "123",
            "web-8080",
        ],
    );
}

/// The schema's node for a value: through `$ref`, an `Option`'s `anyOf`
/// with `null`, and the `allOf` wrapper a described `$ref` gets.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(reference) = node["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        return resolve(root, &root["definitions"][name]);
    }
    for key in ["anyOf", "allOf"] {
        if let Some(branches) = node[key].as_array() {
            let not_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b["type"] != json!("null"))
                .collect();
            if let [only] = not_null[..] {
                return resolve(root, only);
            }
        }
    }
    node
}

/// Walks a scenario and its schema together, calling `check` with the path
/// and the default of each field absent from the scenario whose schema
/// gives one.
fn absent_defaults<'a>(
    root: &'a Value,
    schema: &'a Value,
    scenario: &Value,
    at: &mut Vec<String>,
    check: &mut dyn FnMut(&[String], &'a Value),
) {
    let node = resolve(root, schema);
    match scenario {
        Value::Object(fields) => {
            let Some(properties) = node["properties"].as_object() else {
                return;
            };
            for (key, property) in properties {
                at.push(key.clone());
                match (fields.get(key), property.get("default")) {
                    (Some(value), _) => absent_defaults(root, property, value, at, check),
                    (None, Some(default)) => check(at, default),
                    (None, None) => {}
                }
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                absent_defaults(root, &node["items"], item, at, check);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Writing a field's schema default where the scenario leaves it out
/// changes nothing the loader builds, in every bundled scenario.
#[test]
fn the_schema_defaults_are_what_the_loader_applies() {
    let schema = scenario_schema();
    let load = |v: &Value| {
        let text = serde_json::to_string(v).expect("serializes");
        nines::scenario::parse(&text, "scenario.yaml").map(|s| format!("{s:?}"))
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in bundled_scenarios() {
        let value = yaml_value(&path);
        let base = load(&value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut check = |at: &[String], default: &Value| {
            checked += 1;
            let mut changed = value.clone();
            set(&mut changed, at, default.clone());
            let field = format!("{}: `{}: {default}`", path.display(), at.join("."));
            match load(&changed) {
                Ok(loaded) if loaded == base => {}
                Ok(_) => failures.push(format!("{field} changes the scenario")),
                Err(e) => failures.push(format!("{field} is refused: {e}")),
            }
        };
        absent_defaults(&schema, &schema, &value, &mut Vec::new(), &mut check);
    }
    assert!(checked > 100, "only {checked} defaults were checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn set(value: &mut Value, at: &[String], new: Value) {
    let (last, parents) = at.split_last().expect("a path");
    let mut cursor = value;
    for segment in parents {
        cursor = match cursor {
            Value::Array(items) => &mut items[segment.parse::<usize>().expect("an index")],
            other => &mut other[segment.as_str()],
        };
    }
    cursor[last.as_str()] = new;
}

/// Every field and every definition is described, and a field's
/// description states its schema default, so the two cannot drift apart.
#[test]
fn every_field_is_described_with_its_default() {
    let schema = scenario_schema();
    let mut failures = Vec::new();
    let mut objects = vec![("(root)".to_string(), &schema)];
    for (name, definition) in schema["definitions"].as_object().expect("definitions") {
        if definition["description"].as_str().is_none_or(str::is_empty) {
            failures.push(format!("{name} has no description"));
        }
        objects.push((name.clone(), definition));
    }
    for (name, object) in objects {
        let Some(properties) = object["properties"].as_object() else {
            continue;
        };
        for (field, property) in properties {
            let Some(description) = property["description"].as_str() else {
                failures.push(format!("{name}.{field} has no description"));
                continue;
            };
            if let Some(default) = property.get("default") {
                let written = match default {
                    Value::String(s) if s.is_empty() => "\"\"".to_string(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !description.contains(&format!("`{written}`")) {
                    failures.push(format!(
                        "{name}.{field}: the description does not say its default `{written}`"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
