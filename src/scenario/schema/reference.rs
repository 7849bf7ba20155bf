//! The scenario reference (`docs/scenario-reference.md`), rendered from the
//! JSON Schema so that it says exactly what the schema says: a section per
//! object of the format, named by where it first appears in a file, with a
//! row per field (type, default, description, example), then a section per
//! unit. A test renders it again and compares it with the committed page.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

/// What a definition of the schema is, which decides how it is shown.
enum Kind {
    /// A map with fields of its own: a section of the reference.
    Object,
    /// A fixed set of strings: listed where a field uses it.
    Enum,
    /// A unit or a value of several shapes: a section of its own under
    /// "Units and values", linked from each field.
    Unit,
}

fn kind(definition: &Value) -> Kind {
    let is_constants = definition["oneOf"]
        .as_array()
        .is_some_and(|branches| branches.iter().all(|b| b.get("const").is_some()));
    if definition["type"] == "object" {
        Kind::Object
    } else if definition.get("enum").is_some() || is_constants {
        Kind::Enum
    } else {
        Kind::Unit
    }
}

/// An object of the format and the paths where it appears.
struct Section<'a> {
    path: String,
    schema: &'a Value,
    also: Vec<String>,
}

struct Reference<'a> {
    definitions: &'a serde_json::Map<String, Value>,
    sections: Vec<Section<'a>>,
    /// Definition name to its section.
    placed: BTreeMap<String, usize>,
    /// Unit definitions, in the order fields first use them.
    units: Vec<String>,
}

/// The reference page as Markdown.
pub fn reference_markdown() -> String {
    let schema = super::scenario_schema();
    let empty = serde_json::Map::new();
    let mut reference = Reference {
        definitions: schema["definitions"].as_object().unwrap_or(&empty),
        sections: vec![Section {
            path: String::new(),
            schema: &schema,
            also: Vec::new(),
        }],
        placed: BTreeMap::new(),
        units: Vec::new(),
    };
    reference.walk_properties(&schema, "");
    reference.render(&schema)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn reference_name(node: &Value) -> Option<&str> {
    node["$ref"]
        .as_str()
        .map(|r| r.trim_start_matches("#/definitions/"))
}

impl<'a> Reference<'a> {
    fn walk_properties(&mut self, object: &'a Value, path: &str) {
        if let Some(properties) = object["properties"].as_object() {
            for (key, property) in properties {
                self.walk(property, &join(path, key));
            }
        }
    }

    /// Finds the objects and units a value at `path` may hold.
    fn walk(&mut self, node: &'a Value, path: &str) {
        if let Some(name) = reference_name(node) {
            let Some(definition) = self.definitions.get(name) else {
                return;
            };
            match kind(definition) {
                Kind::Object => match self.placed.get(name) {
                    Some(&index) => self.sections[index].also.push(path.to_string()),
                    None => {
                        self.placed.insert(name.to_string(), self.sections.len());
                        self.sections.push(Section {
                            path: path.to_string(),
                            schema: definition,
                            also: Vec::new(),
                        });
                        self.walk_properties(definition, path);
                    }
                },
                Kind::Enum => {}
                Kind::Unit => {
                    if !self.units.iter().any(|u| u == name) {
                        self.units.push(name.to_string());
                        self.walk(definition, path);
                    }
                }
            }
            return;
        }
        self.walk_properties(node, path);
        if let Some(items) = node.get("items") {
            self.walk(items, &format!("{path}[]"));
        }
        for key in ["anyOf", "allOf", "oneOf"] {
            for branch in node[key].as_array().into_iter().flatten() {
                self.walk(branch, path);
            }
        }
    }

    fn render(&self, root: &Value) -> String {
        let mut page = String::new();
        page.push_str(HEADER);
        page.push_str("## Fields\n");
        for section in &self.sections {
            self.render_section(&mut page, section, section.path.is_empty().then_some(root));
        }
        page.push_str(UNITS_HEADER);
        for name in &self.units {
            self.render_unit(&mut page, name);
        }
        page.push_str(FOOTER);
        page
    }

    fn render_section(&self, page: &mut String, section: &Section, root: Option<&Value>) {
        let heading = if root.is_some() {
            "Top level".to_string()
        } else {
            format!("`{}`", section.path)
        };
        let _ = write!(page, "\n### {heading}\n\n");
        if let Some(description) = section.schema["description"].as_str() {
            let _ = write!(page, "{description}\n\n");
        }
        if !section.also.is_empty() {
            let also: Vec<String> = section.also.iter().map(|p| format!("`{p}`")).collect();
            let _ = write!(page, "Also at {}.\n\n", also.join(", "));
        }
        let Some(properties) = section.schema["properties"]
            .as_object()
            .filter(|p| !p.is_empty())
        else {
            page.push_str("No fields: written `{}`.\n");
            return;
        };
        let required: Vec<&str> = section.schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        page.push_str("| field | type | default | description | example |\n");
        page.push_str("|---|---|---|---|---|\n");
        for (key, property) in properties {
            let default = if required.contains(&key.as_str()) {
                "**required**".to_string()
            } else {
                property
                    .get("default")
                    .map_or("—".to_string(), |d| format!("`{}`", flow(d)))
            };
            let _ = writeln!(
                page,
                "| `{key}` | {} | {default} | {} | {} |",
                self.type_text(property),
                cell(&self.description(property)),
                self.example(property),
            );
        }
    }

    /// A field's description, with the meaning of each value of an enum.
    fn description(&self, property: &Value) -> String {
        let mut text = property["description"].as_str().unwrap_or("").to_string();
        if let Some(definition) = self.target(property) {
            let values: Vec<String> = definition["oneOf"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| {
                    Some(format!(
                        "`{}`: {}",
                        b["const"].as_str()?,
                        b["description"].as_str()?
                    ))
                })
                .collect();
            if !values.is_empty() {
                let _ = write!(text, "\n\n{}", values.join("<br>"));
            }
        }
        text
    }

    /// The definition a field's value refers to, through an `Option`.
    fn target(&self, node: &Value) -> Option<&'a Value> {
        if let Some(name) = reference_name(node) {
            return self.definitions.get(name);
        }
        ["anyOf", "allOf"]
            .iter()
            .flat_map(|key| node[*key].as_array().into_iter().flatten())
            .find_map(|branch| self.target(branch))
    }

    fn type_text(&self, node: &Value) -> String {
        if let Some(name) = reference_name(node) {
            let Some(definition) = self.definitions.get(name) else {
                return name.to_string();
            };
            return match kind(definition) {
                Kind::Object => {
                    let path = self
                        .placed
                        .get(name)
                        .map_or("", |&i| self.sections[i].path.as_str());
                    format!("[object](#{})", anchor(path))
                }
                Kind::Enum => or_list(&enum_values(definition)),
                Kind::Unit => {
                    let title = unit_title(definition, name);
                    format!("[{title}](#{})", anchor(&title))
                }
            };
        }
        for key in ["anyOf", "allOf"] {
            if let Some(branches) = node[key].as_array() {
                let shown: Vec<String> = branches
                    .iter()
                    .filter(|b| b["type"] != "null")
                    .map(|b| self.type_text(b))
                    .collect();
                return shown.join(" or ");
            }
        }
        let kind = match &node["type"] {
            Value::Array(types) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("any"),
            Value::String(kind) => kind.as_str(),
            _ => "any",
        };
        match kind {
            "array" => format!("list of {}", self.type_text(&node["items"])),
            "object" => match node.get("additionalProperties") {
                Some(values @ Value::Object(_)) => {
                    format!("map of string to {}", self.type_text(values))
                }
                _ => {
                    let keys: Vec<&str> = node["properties"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(key, _)| key.as_str())
                        .collect();
                    format!("`{{{}}}`", keys.join(", "))
                }
            },
            "integer" | "number" => {
                let bounds = bounds(node);
                if bounds.is_empty() {
                    kind.to_string()
                } else {
                    format!("{kind} {bounds}")
                }
            }
            other => other.to_string(),
        }
    }

    /// The field's own example, else its default, else one of its type, else
    /// a link to its object's section.
    fn example(&self, property: &Value) -> String {
        let own = property["examples"].as_array().and_then(|e| e.first());
        let of_type = self.target(property).and_then(|d| match kind(d) {
            Kind::Object => None,
            Kind::Enum => enum_values(d).into_iter().next().map(Value::String),
            Kind::Unit => d["examples"].as_array().and_then(|e| e.first()).cloned(),
        });
        let boolean = (property["type"] == "boolean").then_some(Value::Bool(true));
        match own
            .cloned()
            .or(boolean)
            .or_else(|| property.get("default").cloned())
            .or(of_type)
        {
            Some(example) => format!("`{}`", cell(&flow(&example))),
            None => match self
                .target(property.get("items").unwrap_or(property))
                .and_then(|d| {
                    self.sections
                        .iter()
                        .find(|s| std::ptr::eq(s.schema, d))
                        .map(|s| anchor(&s.path))
                }) {
                Some(link) => format!("[below](#{link})"),
                None => "—".to_string(),
            },
        }
    }

    fn render_unit(&self, page: &mut String, name: &str) {
        let Some(definition) = self.definitions.get(name) else {
            return;
        };
        let title = unit_title(definition, name);
        let _ = write!(page, "\n### {title}\n\n");
        if let Some(description) = definition["description"].as_str() {
            let _ = write!(page, "{description}\n\n");
        }
        let mut forms = Vec::new();
        self.forms(definition, &mut forms, true);
        if !forms.is_empty() {
            page.push_str("Accepted:\n\n");
            for form in forms {
                let _ = writeln!(page, "- {form}");
            }
            page.push('\n');
        }
        if let Some(examples) = definition["examples"].as_array() {
            let shown: Vec<String> = examples.iter().map(|e| format!("`{}`", flow(e))).collect();
            let _ = writeln!(page, "Examples: {}.", shown.join(", "));
        }
    }

    /// The shapes a unit accepts, one line each: a pattern, a number's
    /// bounds, a map's key and what it says. The unit's own description
    /// (`top`) is shown above the list, not in it.
    fn forms(&self, node: &Value, forms: &mut Vec<String>, top: bool) {
        for key in ["anyOf", "allOf"] {
            for branch in node[key].as_array().into_iter().flatten() {
                self.forms(branch, forms, false);
            }
        }
        if let Some(name) = reference_name(node) {
            if let Some(definition) = self.definitions.get(name) {
                let title = unit_title(definition, name);
                forms.push(format!("a [{title}](#{})", anchor(&title)));
            }
            return;
        }
        let mut form = match node["type"].as_str() {
            Some("string") => match node["pattern"].as_str() {
                Some(pattern) => format!("a string matching `{pattern}`"),
                None => "a string".to_string(),
            },
            Some("object") => {
                let keys: Vec<String> = node["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(key, value)| format!("`{key}` ({})", self.type_text(value)))
                    .collect();
                format!("a map with {}", keys.join(", "))
            }
            Some("integer") => format!("an integer {}", bounds(node))
                .trim_end()
                .to_string(),
            Some("number") => format!("a number {}", bounds(node)).trim_end().to_string(),
            _ => match node.get("const") {
                Some(value) => format!("`{}`", flow(value)),
                None => return,
            },
        };
        if let Some(length) = node["maxLength"].as_u64() {
            let _ = write!(form, " of at most {length} characters");
        }
        if let Some(pattern) = node["not"]["pattern"].as_str() {
            let _ = write!(form, ", and not matching `{pattern}`");
        }
        if let Some(description) = node["description"].as_str().filter(|_| !top) {
            let _ = write!(form, ": {description}");
        }
        forms.push(form);
    }
}

fn unit_title(definition: &Value, name: &str) -> String {
    definition["title"].as_str().unwrap_or(name).to_string()
}

fn enum_values(definition: &Value) -> Vec<String> {
    let constants = definition["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| &b["const"]);
    definition["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(constants)
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// `` `a`, `b` or `c` ``.
fn or_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A number's bounds: `≥ 1, ≤ 1800`.
fn bounds(node: &Value) -> String {
    let number = |v: &Value| {
        v.as_f64().map(|n| {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{}", n as i64)
            } else {
                n.to_string()
            }
        })
    };
    [
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ]
    .iter()
    .filter_map(|(key, sign)| number(&node[*key]).map(|n| format!("{sign} {n}")))
    .collect::<Vec<_>>()
    .join(", ")
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, other
/// punctuation dropped.
fn anchor(heading: &str) -> String {
    if heading.is_empty() {
        return "top-level".to_string();
    }
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Text fit for a table cell: no `|`, and paragraphs as line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\n\n", "<br><br>")
        .replace('\n', " ")
}

/// A value as it would be written in a YAML flow: plain strings where
/// YAML reads them back as the same string, quoted otherwise.
fn flow(value: &Value) -> String {
    match value {
        Value::String(s) if is_plain(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

fn is_plain(s: &str) -> bool {
    let reserved = ["true", "false", "null", "~", "yes", "no", "on", "off"];
    !s.is_empty()
        && s.trim() == s
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !s.contains(|c: char| ",[]{}".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && s.parse::<f64>().is_err()
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
}

const HEADER: &str = "# Scenario reference

<!-- Generated by `nines schema --markdown` from the scenario's JSON Schema
(`docs/scenario.schema.json`, itself generated from the doc comments in
`src/scenario/file.rs` and `src/scenario/schema/units.rs`): do not edit by
hand. Regenerate both with
`NINES_REGENERATE=1 cargo test --release --test integration schema`. -->

Every field of a scenario file: its type, its default (with the Kubernetes
flag or field it mirrors), its constraints and an example. What each setting
does to a run, with the events it produces, is in
[the scenario format](scenario-format.md); this page is the list. Keys are
camelCase, and an unknown key is an error.

Editors complete and check scenario files against the schema when the file
starts with

```yaml
# yaml-language-server: $schema=../docs/scenario.schema.json
```

(the path is relative to the scenario file; every bundled scenario has this
line). `nines schema` prints the schema.

In the tables, a **required** field must be given; `—` means the field has
no default value of its own, and its description says what happens without
it. A type links to its section below.

";

const UNITS_HEADER: &str = "
## Units and values

How durations, quantities, percentages, rates and distributions are written.
The patterns are the schema's, which editors check as you type; the loader
checks the same rules and a few the pattern cannot (a duration past 584
years, a uniform range whose low end exceeds its high end).
";

const FOOTER: &str = "
## Error and warning codes

Every error and warning `nines` reports about a scenario has a stable code;
the codes are listed in [error-codes.md](error-codes.md).
";
