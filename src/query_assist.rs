//! Help for typing a query by hand: what to suggest at the cursor ([`context`]), and how to show a
//! mistake in it ([`problem`]). Plain functions over the text, tested natively; the editor component
//! only wires them to the DOM.

pub mod context;
pub mod problem;

use std::ops::Range;

use crate::suggest::{self, Mode};
use context::{Context, Expect, MODIFIERS, function_names};

/// The space aggregators that may prefix a metric.
const AGGREGATORS: [&str; 4] = ["avg", "sum", "min", "max"];

/// What a suggestion is, shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Function,
    Aggregator,
    Metric,
    TagKey,
    Tag,
    Modifier,
    Value,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Aggregator => "aggregator",
            Kind::Metric => "metric",
            Kind::TagKey => "tag key",
            Kind::Tag => "tag",
            Kind::Modifier => "modifier",
            Kind::Value => "value",
        }
    }
}

/// One suggestion: what the list shows, and what replaces the word at the cursor when it is picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub label: String,
    pub insert: String,
    pub kind: Kind,
}

impl Completion {
    fn new(label: impl Into<String>, insert: impl Into<String>, kind: Kind) -> Completion {
        Completion {
            label: label.into(),
            insert: insert.into(),
            kind,
        }
    }
}

/// What suggestions are drawn from: metric names, and the `key:value` tags of the metric whose scope
/// the cursor is in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    pub metrics: &'a [String],
    pub tags: &'a [String],
}

/// Up to `limit` suggestions for the word being typed at `cursor` in `context`, best first.
pub fn completions(
    text: &str,
    cursor: usize,
    context: &Context,
    sources: Sources<'_>,
    limit: usize,
) -> Vec<Completion> {
    let needle = context.needle(text, cursor);
    let mut out = Vec::new();
    match &context.expect {
        Expect::Expression => {
            out.extend(
                AGGREGATORS
                    .iter()
                    .filter(|a| starts_with(a, needle))
                    .map(|a| Completion::new(format!("{a}:"), format!("{a}:"), Kind::Aggregator)),
            );
            out.extend(
                function_names()
                    .filter(|f| starts_with(f, needle))
                    .map(|f| Completion::new(format!("{f}()"), format!("{f}("), Kind::Function)),
            );
            out.extend(metrics(sources.metrics, needle, limit));
        }
        Expect::Metric => out.extend(metrics(sources.metrics, needle, limit)),
        Expect::Tag { chosen, .. } => {
            let open: Vec<String> = sources
                .tags
                .iter()
                .filter(|t| !chosen.contains(t))
                .cloned()
                .collect();
            if !needle.contains(':') {
                let keys = suggest::tag_keys(&open);
                out.extend(
                    keys.iter()
                        .filter(|k| starts_with(k, needle))
                        .map(|k| Completion::new(format!("{k}:"), format!("{k}:"), Kind::TagKey)),
                );
            }
            out.extend(
                suggest::suggestions(&open, needle, Mode::Whole, limit)
                    .into_iter()
                    .map(|t| Completion::new(t.clone(), t, Kind::Tag)),
            );
            if needle.is_empty() && chosen.is_empty() {
                out.push(Completion::new("*", "*", Kind::Tag));
            }
        }
        Expect::TagKey { chosen, .. } => {
            let keys: Vec<String> = suggest::tag_keys(sources.tags)
                .into_iter()
                .filter(|k| !chosen.contains(k))
                .collect();
            out.extend(
                suggest::suggestions(&keys, needle, Mode::Whole, limit)
                    .into_iter()
                    .map(|k| Completion::new(k.clone(), k, Kind::TagKey)),
            );
        }
        Expect::Modifier => out.extend(
            MODIFIERS
                .iter()
                .filter(|(m, _)| starts_with(m, needle))
                .map(|(m, args)| {
                    let insert = if args.is_some() {
                        format!("{m}(")
                    } else {
                        format!("{m}()")
                    };
                    Completion::new(format!("{m}()"), insert, Kind::Modifier)
                }),
        ),
        Expect::Argument { options, quoted } => {
            out.extend(options.iter().filter(|o| starts_with(o, needle)).map(|o| {
                let shown = if *quoted {
                    format!("'{o}'")
                } else {
                    (*o).to_owned()
                };
                Completion::new(shown.clone(), shown, Kind::Value)
            }))
        }
        Expect::Nothing => {}
    }
    // What is already typed out in full needs no suggestion.
    let typed = text.get(context.word.clone()).unwrap_or("");
    out.retain(|c| c.insert != typed);
    out.truncate(limit);
    out
}

fn metrics(names: &[String], needle: &str, limit: usize) -> impl Iterator<Item = Completion> {
    suggest::suggestions(names, needle, Mode::Whole, limit)
        .into_iter()
        .map(|m| Completion::new(m.clone(), m, Kind::Metric))
}

fn starts_with(candidate: &str, needle: &str) -> bool {
    candidate
        .to_ascii_lowercase()
        .starts_with(&needle.to_ascii_lowercase())
}

/// The text after `insert` replaces the byte range `word`, and the cursor (a byte offset) just after
/// what was inserted.
pub fn apply(text: &str, word: Range<usize>, insert: &str) -> (String, usize) {
    let start = floor_boundary(text, word.start);
    let end = floor_boundary(text, word.end).max(start);
    // Renaming a call keeps its arguments: `ro|llup(sum)` → `rollup(sum)`, not `rollup((sum)`.
    let insert = if text[end..].starts_with('(') {
        insert.trim_end_matches("()").trim_end_matches('(')
    } else {
        insert
    };
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..start]);
    out.push_str(insert);
    out.push_str(&text[end..]);
    (out, start + insert.len())
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte offset of `text` from a DOM selection offset, which counts UTF-16 code units.
pub fn byte_of_utf16(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    text.len()
}

/// The DOM selection offset (UTF-16 code units) of byte offset `byte` of `text`.
pub fn utf16_of_byte(text: &str, byte: usize) -> u32 {
    let byte = floor_boundary(text, byte);
    text[..byte].chars().map(|c| c.len_utf16() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use context::context_at;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The labels suggested at the end of `text`.
    fn labels(text: &str, metrics: &[&str], tags: &[&str]) -> Vec<String> {
        let (metrics, tags) = (strings(metrics), strings(tags));
        let context = context_at(text, text.len());
        let sources = Sources {
            metrics: &metrics,
            tags: &tags,
        };
        completions(text, text.len(), &context, sources, 12)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    const METRICS: &[&str] = &["my_metric", "mysql.performance.cpu_time", "system.load.1"];
    const TAGS: &[&str] = &["env:test", "host:debian", "host:ubuntu"];

    #[test]
    fn metric_names_where_a_metric_goes() {
        assert_eq!(labels("avg:my_", METRICS, &[]), strings(&["my_metric"]));
        assert_eq!(
            labels("sum:", METRICS, &[]),
            strings(&["my_metric", "mysql.performance.cpu_time", "system.load.1"])
        );
        assert_eq!(
            labels("avg:cpu", METRICS, &[]),
            strings(&["mysql.performance.cpu_time"])
        );
        assert_eq!(
            labels("avg:my_metric", METRICS, &[]),
            Vec::<String>::new(),
            "typed out in full"
        );
    }

    #[test]
    fn functions_and_aggregators_start_expressions() {
        assert_eq!(
            labels("a", &[], &[]),
            strings(&["avg:", "abs()", "anomalies()"])
        );
        assert_eq!(
            labels("anomalies(my", METRICS, &[]),
            strings(&["my_metric", "mysql.performance.cpu_time"])
        );
        let all = labels("", METRICS, &[]);
        assert_eq!(
            all[..5],
            strings(&["avg:", "sum:", "min:", "max:", "abs()"])
        );
        assert_eq!(all.len(), 12);
        assert_eq!(labels("week", &[], &[]), strings(&["week_before()"]));
    }

    #[test]
    fn tag_keys_and_tags_inside_a_scope() {
        assert_eq!(
            labels("avg:my_metric{ho", &[], TAGS),
            strings(&["host:", "host:debian", "host:ubuntu"])
        );
        assert_eq!(
            labels("avg:my_metric{host:u", &[], TAGS),
            strings(&["host:ubuntu"])
        );
        assert_eq!(
            labels("avg:my_metric{host:ubuntu,", &[], TAGS),
            strings(&["env:", "host:", "env:test", "host:debian"])
        );
        assert_eq!(
            labels("avg:my_metric{", &[], TAGS),
            strings(&[
                "env:",
                "host:",
                "env:test",
                "host:debian",
                "host:ubuntu",
                "*"
            ])
        );
        assert_eq!(
            labels("avg:m{env:test} by {", &[], TAGS),
            strings(&["env", "host"])
        );
        assert_eq!(labels("avg:m{*} by {env,h", &[], TAGS), strings(&["host"]));
    }

    #[test]
    fn modifiers_and_their_arguments() {
        assert_eq!(labels("avg:m{*}.rol", &[], &[]), strings(&["rollup()"]));
        assert_eq!(
            labels("avg:m{*}.", &[], &[]),
            strings(&["rollup()", "as_count()", "as_rate()", "fill()"])
        );
        assert_eq!(labels("avg:m{*}.rollup(s", &[], &[]), strings(&["sum"]));
        assert_eq!(
            labels("anomalies(avg:m{*}, '", &[], &[]),
            strings(&["'basic'", "'agile'", "'robust'"])
        );
        assert_eq!(labels("avg:m{*} + 1", METRICS, TAGS), Vec::<String>::new());
    }

    #[test]
    fn picking_replaces_the_word_and_moves_the_cursor() {
        let text = "avg:my_";
        let context = context_at(text, text.len());
        assert_eq!(
            apply(text, context.word, "my_metric"),
            ("avg:my_metric".into(), 13)
        );
        let text = "avg:my_metric{*}.ro.x";
        let context = context_at(text, 19);
        assert_eq!(context.word, 17..19);
        assert_eq!(
            apply(text, context.word, "rollup("),
            ("avg:my_metric{*}.rollup(.x".into(), 24)
        );
        let text = "anomalies(avg:m{*}, 'ba', 2)";
        let context = context_at(text, 23);
        assert_eq!(
            apply(text, context.word, "'basic'"),
            ("anomalies(avg:m{*}, 'basic', 2)".into(), 27)
        );
        let text = "avg:m{*}.ro(sum)";
        let context = context_at(text, 11);
        assert_eq!(
            apply(text, context.word, "rollup("),
            ("avg:m{*}.rollup(sum)".into(), 15)
        );
        let text = "avg:m{!ho}";
        let context = context_at(text, 9);
        assert_eq!(apply(text, context.word, "host:a").0, "avg:m{!host:a}");
    }

    #[test]
    fn dom_offsets_count_utf16_units() {
        let text = "a{é:😀}x";
        assert_eq!(byte_of_utf16(text, 0), 0);
        assert_eq!(byte_of_utf16(text, 3), 4, "after é (2 bytes, 1 unit)");
        assert_eq!(
            byte_of_utf16(text, 6),
            9,
            "after the emoji (4 bytes, 2 units)"
        );
        assert_eq!(byte_of_utf16(text, 99), text.len());
        assert_eq!(utf16_of_byte(text, 9), 6);
        assert_eq!(utf16_of_byte(text, 6), 4, "inside the emoji: its start");
        assert_eq!(utf16_of_byte(text, 99), 8);
    }
}
