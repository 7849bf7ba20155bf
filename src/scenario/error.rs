//! Errors in a scenario file, located: file, line, column, field path, what
//! was expected, and the closest valid name for a typo.

use std::fmt;

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The field path, as a user would write it with `--set`: `workloads[0].replicas`.
    pub path: String,
    /// 1-based line and column, where the problem has a place in the file.
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
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
    #[error("{}", render(file, source_text, diagnostics))]
    Invalid {
        file: String,
        source_text: String,
        diagnostics: Vec<Diagnostic>,
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

fn render(file: &str, source_text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.render(file, source_text));
    }
    if diagnostics.len() > 1 {
        out.push_str(&format!("\n{} errors in `{file}`", diagnostics.len()));
    }
    out
}

impl Diagnostic {
    fn render(&self, file: &str, source_text: &str) -> String {
        let place = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file.to_string(),
        };
        let mut out = if self.path.is_empty() {
            format!("{place}: {}", self.message)
        } else {
            format!("{place}: `{}`: {}", self.path, self.message)
        };
        if let Some(snippet) = self.snippet(source_text) {
            out.push('\n');
            out.push_str(&snippet);
        }
        out
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
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: `{}`: {}", self.path, self.message),
            _ => write!(f, "`{}`: {}", self.path, self.message),
        }
    }
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
            path: "a".into(),
            line: Some(2),
            column: Some(3),
            message: "bad".into(),
        };
        let out = d.render("f.yaml", "x: 1\na: bad\n");
        assert!(out.starts_with("f.yaml:2:3: `a`: bad"), "{out}");
        assert!(out.ends_with("  |   ^"), "{out}");
    }
}
