//! Hand-written schemas of the units a scenario is written in. Their serde
//! impls are hand-written visitors, so schemars cannot derive these: each
//! says what the visitor accepts, with a `pattern` an editor can check as
//! the user types. They live here, not in [`crate::units`], so that only
//! the scenario layer knows of schemars. Each pattern is ECMA-262 as well
//! as Rust syntax, since editors run it in JavaScript; a test feeds the
//! same samples to the pattern and to the parser and expects one verdict.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::units::{
    Cpu, Distribution, Duration, IntOrPercent, Memory, Percent, PositiveDuration, Quantity, Rate,
};

/// The units `humantime` reads, longest spelling first within each.
const DURATION_UNITS: &str = "nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|\
     minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|M|\
     years|year|yrs|yr|y";

/// Whole numbers with units, combinable (`1h30m`, `1h 30m`), or one
/// decimal number with one unit (`1.5h`).
fn duration_pattern() -> String {
    format!(
        "^\\s*(?:(?:[0-9]+\\s*(?:{DURATION_UNITS})\\s*)+|(?:[0-9]+\\.[0-9]*|\\.[0-9]+)\\s*(?:{DURATION_UNITS}))\\s*$"
    )
}

const DURATION_TEXT: &str = "A duration: whole numbers with units, combinable (`30s`, `5m`, \
     `1h30m`, `1h 30m`, `2d`), or a decimal number with a single unit (`1.5h`, `0.1s`), exact to \
     the nanosecond. Units: `ns`, `us`, `ms`, `s`, `m` (minutes), `h`, `d`; also `w`, `M` (month, \
     30.44 d), `y` (365.25 d) and long forms (`sec`, `min`, `hours`, `days`). A bare number is an \
     error (`30` → write `30s`), except `0`. Not negative; at most about 584 years.";

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "duration",
            "description": DURATION_TEXT,
            "anyOf": [
                { "type": "string", "pattern": duration_pattern() },
                { "description": "zero, the one bare number whose meaning needs no unit", "const": 0 }
            ],
            "examples": ["30s", "1h30m", "1.5h", "250ms", 0]
        })
    }
}

impl JsonSchema for PositiveDuration {
    fn schema_name() -> Cow<'static, str> {
        "PositiveDuration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "positive duration",
            "description": format!(
                "A duration greater than zero: a period, a timeout or a mean, where zero would \
                 spin the simulation or divide by nothing. {DURATION_TEXT}"
            ),
            "type": "string",
            "pattern": duration_pattern(),
            "not": { "pattern": "^[^1-9]*$" },
            "examples": ["10s", "5m", "1h30m", "30d"]
        })
    }
}

/// A Kubernetes quantity's text: an unsigned decimal and a suffix.
const QUANTITY_PATTERN: &str =
    "^\\+?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:m|k|Ki|[MGTPE]i?|[eE][+-]?[0-9]+)?$";

const QUANTITY_TEXT: &str = "Kubernetes' `resource.Quantity`, as a string or a YAML number, \
     not negative: a decimal number with an optional suffix: `m` (milli), `k`, `M`, `G`, `T`, \
     `P`, `E` (powers of 1000), `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei` (powers of 1024), or an \
     exponent (`e3`, `E-3`). Case matters: `M` is mega, `m` milli.";

fn quantity_schema(title: &str, description: String, examples: serde_json::Value) -> Schema {
    json_schema!({
        "title": title,
        "description": description,
        "anyOf": [
            { "type": "string", "pattern": QUANTITY_PATTERN },
            { "type": "number", "minimum": 0 }
        ],
        "examples": examples
    })
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        quantity_schema(
            "quantity",
            format!("A quantity: {QUANTITY_TEXT}"),
            serde_json::json!(["300m", "400Mi", 50, "0.5"]),
        )
    }
}

impl JsonSchema for Cpu {
    fn schema_name() -> Cow<'static, str> {
        "Cpu".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        quantity_schema(
            "CPU quantity",
            format!(
                "CPU in cores, held in millicores rounded up (`0.0001` is `1m`): {QUANTITY_TEXT}"
            ),
            serde_json::json!(["250m", "2", 0.5]),
        )
    }
}

impl JsonSchema for Memory {
    fn schema_name() -> Cow<'static, str> {
        "Memory".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        quantity_schema(
            "memory quantity",
            format!(
                "Memory in bytes, a fraction of a byte rounded up (`1G` is 10⁹ bytes, `1Gi` \
                 2³⁰): {QUANTITY_TEXT}"
            ),
            serde_json::json!(["512Mi", "1.5Gi", "1G", 128974848]),
        )
    }
}

/// A decimal from 0 to 100 followed by `%`, leading zeros allowed.
const PERCENT_PATTERN: &str = "^0*(?:100(?:\\.0*)?|[0-9]{1,2}(?:\\.[0-9]*)?|\\.[0-9]+)%$";

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "percentage",
            "description": "A percentage from `0%` to `100%`: a decimal number followed by `%`. \
                            The `%` is required: `99.9` alone is an error, so a fraction is never \
                            taken for a percentage.",
            "type": "string",
            "pattern": PERCENT_PATTERN,
            "examples": ["99.9%", "99.95%", "25%"]
        })
    }
}

impl JsonSchema for IntOrPercent {
    fn schema_name() -> Cow<'static, str> {
        "IntOrPercent".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "count or percentage",
            "description": "Kubernetes' IntOrString as `maxSurge`, `maxUnavailable` and \
                            PodDisruptionBudgets use it: a whole number of pods, or a percentage \
                            of the desired replicas (`25%`), rounded as the field says.",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": u32::MAX },
                { "type": "string", "pattern": PERCENT_PATTERN }
            ],
            "examples": [1, "25%"]
        })
    }
}

/// A count, `/`, and a unit of time: `600/min`.
const RATE_PATTERN: &str =
    "^\\s*(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?\\s*/\\s*(?:s|m|min|h)\\s*$";

impl JsonSchema for Rate {
    fn schema_name() -> Cow<'static, str> {
        "Rate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "rate",
            "description": "Requests per second, not negative (`0` is no traffic): a YAML number \
                            (`300`, `0.5`), or a string with a unit of time: `300/s`, `600/m` or \
                            `600/min` (per minute), `3600/h`. A quoted number without a unit \
                            (`\"300\"`) is an error.",
            "anyOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": RATE_PATTERN }
            ],
            "examples": [300, "600/min"]
        })
    }
}

impl JsonSchema for Distribution {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        let positive = generator.subschema_for::<PositiveDuration>();
        let one_key = |key: &str, description: &str, value: Schema| {
            json_schema!({
                "type": "object",
                "description": description,
                "properties": { key: value },
                "required": [key],
                "additionalProperties": false
            })
        };
        let parameters = |first: &str, second: &str, second_schema: serde_json::Value| {
            json_schema!({
                "type": "object",
                "properties": { first: positive.clone(), second: second_schema },
                "required": [first, second],
                "additionalProperties": false
            })
        };
        json_schema!({
            "title": "distribution",
            "description": "A random duration: a plain duration is a fixed value (no random draw); \
                            a map with exactly one key names a distribution.",
            "anyOf": [
                duration.clone(),
                one_key(
                    "exponential",
                    "`{exponential: MEAN}`: memoryless, with this mean (> 0).",
                    positive.clone(),
                ),
                one_key(
                    "lognormal",
                    "`{lognormal: {median: D, sigma: S}}`: median × e^(sigma·Z), Z standard \
                     normal; median > 0, sigma ≥ 0. Mean median × e^(sigma²/2).",
                    parameters("median", "sigma", serde_json::json!({ "type": "number", "minimum": 0 })),
                ),
                one_key(
                    "uniform",
                    "`{uniform: [LOW, HIGH]}`: uniform between two durations, low ≤ high.",
                    json_schema!({ "type": "array", "items": duration, "minItems": 2, "maxItems": 2 }),
                ),
                one_key(
                    "weibull",
                    "`{weibull: {scale: D, shape: K}}`: scale > 0, shape > 0; a shape below 1 makes \
                     early failures likelier, 1 is exponential, above 1 is wear-out. Mean scale × \
                     Γ(1 + 1/shape).",
                    parameters(
                        "scale",
                        "shape",
                        serde_json::json!({ "type": "number", "exclusiveMinimum": 0 }),
                    ),
                ),
            ],
            "examples": [
                "15s",
                { "exponential": "30d" },
                { "lognormal": { "median": "20s", "sigma": 0.5 } },
                { "uniform": ["10s", "30s"] },
                { "weibull": { "scale": "30d", "shape": 0.7 } }
            ]
        })
    }
}
