//! Where each value of a scenario file is, by its field path, and which
//! value is at a place. A scenario changed by `--set` is checked as a
//! document the file never held: a problem found at a value of that
//! document is shown at the same value in the file.

use std::collections::BTreeMap;

use granit_parser::{Event, Parser};

/// A 1-based line and column.
pub(super) type LineColumn = (u64, u64);

/// A value's place in the file, and its key's when it is a mapping's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    pub key: Option<LineColumn>,
    pub value: LineColumn,
}

/// Which of a field a place is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Key,
    Value,
}

/// Every value of a text by its field path, written as a diagnostic writes
/// it (`workloads[0].readinessProbe.periodSeconds`), and the other way.
#[derive(Debug, Default)]
pub(super) struct Places {
    by_path: BTreeMap<String, Place>,
    by_place: BTreeMap<LineColumn, (String, Part)>,
}

/// A collection being read, with its path.
enum Open {
    /// A mapping, and the key read whose value comes next, with its place.
    Mapping {
        path: String,
        key: Option<(String, LineColumn)>,
    },
    /// A sequence, and the index of its next element.
    Sequence { path: String, next: usize },
}

impl Places {
    /// The places of the values of `text`'s first document, up to a syntax
    /// error if it has one. A key that is not a plain name (a mapping, an
    /// alias) is read as `?`, which no field path holds.
    pub(super) fn of(text: &str) -> Places {
        let mut places: BTreeMap<String, Place> = BTreeMap::new();
        let mut open: Vec<Open> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else {
                break;
            };
            let at = (span.start.line() as u64, span.start.col() as u64 + 1);
            let starts = match &event {
                Event::Scalar(..) | Event::Alias(_) => None,
                Event::SequenceStart(..) => Some(false),
                Event::MappingStart(..) => Some(true),
                Event::SequenceEnd | Event::MappingEnd => {
                    open.pop();
                    if open.is_empty() {
                        break;
                    }
                    continue;
                }
                _ => continue,
            };
            let path = match open.last_mut() {
                None => String::new(),
                Some(Open::Mapping {
                    key: key @ None, ..
                }) => {
                    let name = match &event {
                        Event::Scalar(name, ..) => name.to_string(),
                        _ => "?".to_string(),
                    };
                    *key = Some((name, at));
                    // A key's own contents, if it has any, are no field.
                    if let Some(mapping) = starts {
                        open.push(opened(mapping, "?".to_string()));
                    }
                    continue;
                }
                Some(Open::Mapping { path, key }) => {
                    let (name, key_at) = key.take().expect("matched as Some");
                    let field = if path.is_empty() {
                        name
                    } else {
                        format!("{path}.{name}")
                    };
                    places.entry(field.clone()).or_insert(Place {
                        key: Some(key_at),
                        value: at,
                    });
                    field
                }
                Some(Open::Sequence { path, next }) => {
                    let element = format!("{path}[{next}]");
                    *next += 1;
                    places.entry(element.clone()).or_insert(Place {
                        key: None,
                        value: at,
                    });
                    element
                }
            };
            match starts {
                Some(mapping) => open.push(opened(mapping, path)),
                // A document that is one value.
                None if open.is_empty() => break,
                None => {}
            }
        }
        let mut by_place = BTreeMap::new();
        for (path, place) in &places {
            if let Some(key) = place.key {
                by_place.entry(key).or_insert((path.clone(), Part::Key));
            }
            by_place
                .entry(place.value)
                .or_insert((path.clone(), Part::Value));
        }
        Places {
            by_path: places,
            by_place,
        }
    }

    /// The place of the value at `path`.
    pub(super) fn get(&self, path: &str) -> Option<Place> {
        self.by_path.get(path).copied()
    }

    /// The field whose key or value starts at `at`. In JSON no two start at
    /// one place; in YAML a block mapping starts where its first key does.
    pub(super) fn at(&self, at: LineColumn) -> Option<(&str, Part)> {
        let (path, part) = self.by_place.get(&at)?;
        Some((path, *part))
    }
}

fn opened(mapping: bool, path: String) -> Open {
    if mapping {
        Open::Mapping { path, key: None }
    } else {
        Open::Sequence { path, next: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_elements_are_found_by_path() {
        let places = Places::of(
            "name: t\nworkloads:\n  - name: web\n    replicas: 3\n    probe: { periodSeconds: 5 }\n",
        );
        let at = |path: &str| places.get(path).map(|p| (p.key, p.value));
        assert_eq!(at("name"), Some((Some((1, 1)), (1, 7))));
        assert_eq!(at("workloads[0]"), Some((None, (3, 5))));
        assert_eq!(at("workloads[0].replicas"), Some((Some((4, 5)), (4, 15))));
        assert_eq!(
            at("workloads[0].probe.periodSeconds"),
            Some((Some((5, 14)), (5, 29)))
        );
        assert_eq!(at("workloads[1]"), None);
        assert_eq!(at("duration"), None);
    }

    #[test]
    fn a_key_that_is_not_a_name_is_skipped_with_its_value() {
        let places = Places::of("? [a, b]\n: 1\nafter: 2\n");
        assert_eq!(places.get("after").map(|p| p.value), Some((3, 8)));
        assert_eq!(places.get("a"), None);
    }
}
