//! Search-as-you-type suggestions for the query fields: which candidates match what was typed, and
//! what the field reads after one is picked. Plain functions, tested natively.

use std::collections::BTreeSet;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One value (the metric name): suggestions match the whole text, a pick replaces it.
    Whole,
    /// A comma-separated list (scope tags, `by` keys): suggestions match the item being typed after
    /// the last comma, a pick replaces that item, and items already in the list are not offered again.
    List,
}

/// Up to `limit` candidates matching `text`, best first: those that start with what was typed, then
/// those with a word (after `.`, `_`, `:` or `-`) that starts with it, then any that contain it.
/// Case-insensitive; ties keep the candidates' order. An empty needle offers the first candidates.
pub fn suggestions(candidates: &[String], text: &str, mode: Mode, limit: usize) -> Vec<String> {
    let (chosen, needle) = match mode {
        Mode::Whole => (Vec::new(), text.trim()),
        Mode::List => split_last(text),
    };
    let needle = needle.to_lowercase();
    let mut ranked: Vec<(u8, &String)> = candidates
        .iter()
        .filter(|c| !chosen.iter().any(|done| done == c))
        .filter_map(|c| rank(&c.to_lowercase(), &needle).map(|r| (r, c)))
        .collect();
    dogwatch_core::sort::sort_by_key(&mut ranked, |(r, _)| *r);
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, c)| c.clone())
        .collect()
}

fn rank(candidate: &str, needle: &str) -> Option<u8> {
    if candidate.starts_with(needle) {
        Some(0)
    } else if candidate
        .match_indices(needle)
        .any(|(i, _)| candidate[..i].ends_with(['.', '_', ':', '-']))
    {
        Some(1)
    } else if candidate.contains(needle) {
        Some(2)
    } else {
        None
    }
}

/// The items before the last comma, and the (trimmed) item being typed after it.
fn split_last(text: &str) -> (Vec<&str>, &str) {
    match text.rsplit_once(',') {
        Some((done, typing)) => {
            let done = done
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            (done, typing.trim())
        }
        None => (Vec::new(), text.trim()),
    }
}

/// The field's text after `pick` is chosen from the suggestions.
pub fn apply(text: &str, pick: &str, mode: Mode) -> String {
    match mode {
        Mode::Whole => pick.to_owned(),
        Mode::List => {
            let (mut done, _) = split_last(text);
            done.push(pick);
            done.join(",")
        }
    }
}

/// The distinct keys of `key:value` tags, sorted (`["env:test", "host:a", "host:b"]` → `["env", "host"]`).
pub fn tag_keys(tags: &[String]) -> Vec<String> {
    // Inserted one by one: collecting into a set would bring in another copy of the sort code.
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    for t in tags {
        keys.insert(t.split_once(':').map_or(t.as_str(), |(k, _)| k));
    }
    keys.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn metric_names_match_as_you_type_prefixes_first() {
        let names = strings(&[
            "mysql.cpu",
            "my_metric",
            "system.cpu.user",
            "system.mem.used",
            "cpu.my",
        ]);
        assert_eq!(
            suggestions(&names, "my", Mode::Whole, 10),
            strings(&["mysql.cpu", "my_metric", "cpu.my"])
        );
        assert_eq!(
            suggestions(&names, "CPU", Mode::Whole, 10),
            strings(&["cpu.my", "mysql.cpu", "system.cpu.user"])
        );
        assert_eq!(
            suggestions(&names, "zzz", Mode::Whole, 10),
            Vec::<String>::new()
        );
        assert_eq!(
            suggestions(&names, "", Mode::Whole, 2),
            strings(&["mysql.cpu", "my_metric"])
        );
        assert_eq!(
            suggestions(&names, "  my_m ", Mode::Whole, 10),
            strings(&["my_metric"])
        );
    }

    #[test]
    fn lists_suggest_for_the_item_being_typed() {
        let tags = strings(&["env:test", "host:debian", "host:ubuntu", "region:france"]);
        assert_eq!(
            suggestions(&tags, "host:ubuntu, re", Mode::List, 10),
            strings(&["region:france"])
        );
        // Items already chosen are not offered again.
        assert_eq!(
            suggestions(&tags, "host:ubuntu,host", Mode::List, 10),
            strings(&["host:debian"])
        );
        assert_eq!(
            suggestions(&tags, "deb", Mode::List, 10),
            strings(&["host:debian"])
        );
        assert_eq!(
            apply("host:ubuntu, re", "region:france", Mode::List),
            "host:ubuntu,region:france"
        );
        assert_eq!(apply("ho", "host:ubuntu", Mode::List), "host:ubuntu");
        assert_eq!(apply("my", "my_metric", Mode::Whole), "my_metric");
    }

    #[test]
    fn tag_keys_are_distinct_and_sorted() {
        let tags = strings(&["host:b", "env:test", "host:a", "bare"]);
        assert_eq!(tag_keys(&tags), strings(&["bare", "env", "host"]));
    }
}
