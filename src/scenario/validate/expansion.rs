//! Alias bombs, refused before anything is read. An alias (`*name`)
//! stands for everything its anchor (`&name`) holds, aliases included, so a
//! few lines can stand for billions of values (the "billion laughs"). A
//! scenario's own types reject most bombs at their first value of the wrong
//! type, and the reader's budget stops any expansion, but only here is what
//! the file expands to known, and named, whatever the bomb looks like.

use granit_parser::{Event, Parser};

use crate::limits::MAX_YAML_NODES;
use crate::scenario::{Code, Diagnostic};

/// Counts the values the file stands for, each alias as many as its anchor
/// holds, in one pass over the parser's events with no value built. A file
/// past [`MAX_YAML_NODES`] is an error at the alias that crosses it. A
/// syntax error is left to the reader, which locates it better.
pub(super) fn check(text: &str) -> Result<(), Diagnostic> {
    // Each anchor's expanded size, by the parser's anchor id.
    let mut sizes: std::collections::BTreeMap<usize, u64> = std::collections::BTreeMap::new();
    // The open collections: their anchor id (0 for none) and size so far.
    let mut open: Vec<(usize, u64)> = vec![(0, 0)];
    let mut aliases = false;
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else {
            return Ok(());
        };
        let added = match event {
            Event::Scalar(_, _, anchor, _) => {
                if anchor != 0 {
                    sizes.insert(anchor, 1);
                }
                1
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                open.push((anchor, 1));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, size)) = open.pop() else {
                    return Ok(());
                };
                if anchor != 0 {
                    sizes.insert(anchor, size);
                }
                size
            }
            Event::Alias(anchor) => {
                aliases = true;
                sizes.get(&anchor).copied().unwrap_or(1)
            }
            _ => continue,
        };
        let Some(parent) = open.last_mut() else {
            return Ok(());
        };
        parent.1 = parent.1.saturating_add(added);
        let total: u64 = open
            .iter()
            .map(|(_, size)| *size)
            .fold(0, u64::saturating_add);
        if total > MAX_YAML_NODES as u64 {
            return Err(Diagnostic {
                line: Some(span.start.line() as u64),
                column: Some(span.start.col() as u64 + 1),
                ..Diagnostic::new(
                    Code::ReaderBudget,
                    "",
                    if aliases {
                        format!(
                            "through its aliases (`*name`) the file stands for more than \
                             {MAX_YAML_NODES} values: an alias bomb? A scenario is refused past that"
                        )
                    } else {
                        format!(
                            "the file holds more than {MAX_YAML_NODES} values; a scenario is \
                             refused past that"
                        )
                    },
                )
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laughs(levels: usize) -> String {
        let mut text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_string();
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn a_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit() {
        let error = check(&laughs(10)).expect_err("a bomb");
        assert_eq!(error.code, Code::ReaderBudget);
        assert_eq!(error.line, Some(6), "{error:?}");
    }

    #[test]
    fn a_file_of_too_many_plain_values_is_not_called_a_bomb() {
        let text = format!("x: [{}]\n", vec!["1"; MAX_YAML_NODES + 1].join(", "));
        let error = check(&text).expect_err("too many values");
        assert!(
            error.message.starts_with("the file holds more than"),
            "{error:?}"
        );
    }

    #[test]
    fn a_few_levels_and_a_reused_anchor_are_fine() {
        assert!(check(&laughs(3)).is_ok());
        let probe = "p: &p { httpGet: { port: 8080 }, periodSeconds: 5 }\n";
        let reuse: String = (0..1000).map(|i| format!("w{i}: *p\n")).collect();
        assert!(check(&format!("{probe}{reuse}")).is_ok());
    }
}
