//! Errors in a scenario file, located: file, line, column, field path, what
//! was expected, and the closest valid name for a typo.

use std::fmt;

use super::codes::{Code, Severity};

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, as a stable code; its letter says whether the run stops.
    pub code: Code,
    /// The field path, as a user would write it with `--set`: `workloads[0].replicas`.
    pub path: String,
    /// 1-based line and column, where the problem has a place in the file.
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    /// The command-line argument the offending value came from, as given
    /// (`--set duration=-5m`), where it is not the file's.
    pub argument: Option<String>,
}

/// Everything wrong with a scenario, or why it could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario `{file}`")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(file, source_text, diagnostics, *not_shown))]
    Invalid {
        file: String,
        source_text: String,
        /// Every error, and the warnings found with them.
        diagnostics: Vec<Diagnostic>,
        /// Problems past [`crate::limits::MAX_DIAGNOSTICS`], counted only.
        not_shown: usize,
    },
}

impl ScenarioError {
    /// The problems found, empty for an I/O error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Io { .. } => &[],
            ScenarioError::Invalid { diagnostics, .. } => diagnostics,
        }
    }
}

impl ScenarioError {
    /// A single problem, with no place in the file's text.
    pub(super) fn one(file: &str, code: Code, path: &str, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            file: file.to_string(),
            source_text: String::new(),
            diagnostics: vec![Diagnostic::new(code, path, message)],
            not_shown: 0,
        }
    }
}

fn render(file: &str, source_text: &str, diagnostics: &[Diagnostic], not_shown: usize) -> String {
    let mut out = diagnostics
        .iter()
        .map(|d| d.render(file, source_text))
        .collect::<Vec<_>>()
        .join("\n");
    if not_shown > 0 {
        out.push_str(&format!("\n… and {not_shown} more problems, not shown"));
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.code.severity() == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if diagnostics.len() + not_shown > 1 {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let summary = match (errors, warnings) {
            (_, 0) => plural(errors, "error"),
            (0, _) => plural(warnings, "warning"),
            _ => format!(
                "{} and {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        };
        out.push_str(&format!("\n{summary} in `{file}`"));
    }
    out
}

/// Problems that do not stop a run, kept with the text they point into so
/// that they print like errors, with their place and a snippet.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    file: String,
    source_text: String,
    diagnostics: Vec<Diagnostic>,
}

impl Warnings {
    pub(super) fn new(file: &str, source_text: &str, diagnostics: Vec<Diagnostic>) -> Warnings {
        if diagnostics.is_empty() {
            return Warnings::default();
        }
        Warnings {
            file: file.to_string(),
            source_text: source_text.to_string(),
            diagnostics,
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// Those not among `others`: what a variant of a scenario (a sweep's
    /// point) warns of beyond what the scenario itself does.
    pub fn beyond(&self, others: &Warnings) -> Warnings {
        let new = (self.diagnostics.iter())
            .filter(|d| !others.diagnostics.contains(d))
            .cloned()
            .collect();
        Warnings::new(&self.file, &self.source_text, new)
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(&self.file, &self.source_text, &self.diagnostics, 0))
    }
}

impl Diagnostic {
    /// A problem with no place in the file's text.
    pub(super) fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            argument: None,
        }
    }

    /// `error[E013]: FILE:LINE:COL: `PATH`: MESSAGE`, then the line with a
    /// caret under the column; `FILE: `ARGUMENT`: …` for a value given on
    /// the command line.
    fn render(&self, file: &str, source_text: &str) -> String {
        let place = match (&self.argument, self.line, self.column) {
            (Some(argument), _, _) => format!("{file}: `{argument}`"),
            (None, Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (None, Some(line), None) => format!("{file}:{line}"),
            _ => file.to_string(),
        };
        let label = format!("{}[{}]", self.code.severity().name(), self.code);
        let mut out = if self.path.is_empty() {
            format!("{label}: {place}: {}", self.message)
        } else {
            format!("{label}: {place}: `{}`: {}", self.path, self.message)
        };
        if let Some(snippet) = self.snippet(source_text) {
            out.push('\n');
            out.push_str(&snippet);
        }
        printable(&out)
    }

    /// The offending line with a caret under the column, as compilers show it.
    fn snippet(&self, source_text: &str) -> Option<String> {
        let line_no = self.line?;
        let text = source_text
            .lines()
            .nth(usize::try_from(line_no).ok()?.checked_sub(1)?)?;
        let gutter = line_no.to_string().len();
        let mut out = format!("{:gutter$} |\n{line_no} | {text}", "");
        if let Some(column) = self.column {
            let pad: String = text
                .chars()
                .take(usize::try_from(column.saturating_sub(1)).unwrap_or(0))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("\n{:gutter$} | {pad}^", ""));
        }
        Some(out)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(argument) = &self.argument {
            return write!(
                f,
                "{}: `{argument}`: `{}`: {}",
                self.code, self.path, self.message
            );
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(
                f,
                "{}: {l}:{c}: `{}`: {}",
                self.code, self.path, self.message
            ),
            _ => write!(f, "{}: `{}`: {}", self.code, self.path, self.message),
        }
    }
}

/// The text with every control character but a line break or a tab shown
/// as `�`: a file's bytes are echoed in messages, and an escape sequence in
/// them must not reach the terminal. One character for one keeps the caret
/// under its column.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// The valid name closest to `given`, if one is close enough to be a typo.
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::levenshtein(&given_lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.len().max(given.len()) / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Adds "did you mean" to serde's unknown-field and unknown-variant messages,
/// whose valid names it lists after "expected one of" / "expected".
pub fn with_suggestion(message: &str) -> String {
    let Some(given) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
        .and_then(|rest| rest.split('`').next())
    else {
        return message.to_string();
    };
    let Some((_, expected)) = message.split_once("expected ") else {
        return message.to_string();
    };
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let candidates: Vec<&str> = expected
        .split([',', ' '])
        .map(|s| s.trim_matches(|c| c == '`' || c == '\'' || c == '"'))
        .filter(|s| !s.is_empty() && *s != "or")
        .collect();
    match closest(given, candidates.iter().copied()) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_field() {
        let m = with_suggestion(
            "unknown field `perodSeconds`, expected one of httpGet, periodSeconds, timeoutSeconds",
        );
        assert!(m.ends_with("did you mean `periodSeconds`?"), "{m}");
    }

    #[test]
    fn no_suggestion_when_nothing_is_close() {
        let m = with_suggestion("unknown field `zzzzzzzz`, expected one of name, replicas");
        assert!(!m.contains("did you mean"), "{m}");
    }

    #[test]
    fn snippet_points_at_the_column() {
        let d = Diagnostic {
            code: Code::InvalidValue,
            path: "a".into(),
            line: Some(2),
            column: Some(3),
            message: "bad".into(),
            argument: None,
        };
        let out = d.render("f.yaml", "x: 1\na: bad\n");
        assert!(
            out.starts_with("error[E003]: f.yaml:2:3: `a`: bad"),
            "{out}"
        );
        assert!(out.ends_with("  |   ^"), "{out}");
    }
}
