//! The scenario format's JSON Schema, derived from the serde types of
//! [`super::file`] (so it cannot drift from what the loader reads), and the
//! scenario reference rendered from it.
//!
//! The schema is draft-07, the draft that editors' YAML support
//! (yaml-language-server, JetBrains IDEs) reads best. It describes
//! what a file may say, field by field; rules across fields (a workload
//! named by a fault exists, `minReplicas` ≤ `maxReplicas`) stay with
//! [`super::load`], which an editor does not run.

mod reference;
mod units;

pub use reference::reference_markdown;

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use super::file::ScenarioFile;

/// The JSON Schema of a scenario file.
pub fn scenario_schema() -> Value {
    let generator = SchemaSettings::draft07().for_deserialize().into_generator();
    let mut schema = generator.into_root_schema_for::<ScenarioFile>().to_value();
    unwrap_descriptions(&mut schema);
    lead_with_identity(schema)
}

/// The schema as `nines schema` prints it and `docs/scenario.schema.json`
/// holds it: pretty-printed, with a final newline.
pub fn scenario_schema_json() -> String {
    let mut text =
        serde_json::to_string_pretty(&scenario_schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Doc comments arrive wrapped at the source's line width; editors show a
/// description as one paragraph, so a single line break becomes a space
/// (a blank line, a paragraph break, stays).
fn unwrap_descriptions(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => *text = unwrap(text),
                    _ => unwrap_descriptions(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

fn unwrap(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.replace('\n', " "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `$schema`, `title` and `description` first, so that the file opens with
/// what it is; schemars puts them after the properties.
fn lead_with_identity(schema: Value) -> Value {
    let Value::Object(mut rest) = schema else {
        return schema;
    };
    let mut ordered = Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(value) = rest.shift_remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    ordered.extend(rest);
    Value::Object(ordered)
}
