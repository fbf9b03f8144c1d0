//! Dashboard template variables: `$host` in a query's scope becomes the selected `host:ubuntu` (or
//! `*` for all), `$host.value` in a title becomes `ubuntu`.
//!
//! Datadog stores a variable as `{"name": "host", "prefix": "host", "default": …}`: the legacy API's
//! default is the whole tag (`host:ubuntu`), the newer one's the value alone (`ubuntu`) or `*`;
//! [`normalize_default`] reads both. Names are made of letters, digits, `_` and `-`, so `$host` is
//! not part of `$hostname` (a reference is the longest such name after the `$`).

/// A variable and its selection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateVar {
    pub name: String,
    /// The tag key the value is for (`host`); `None` for a variable that stands for whole tags.
    pub prefix: Option<String>,
    /// The selected value without the prefix (`ubuntu`); `None` or `*` means all.
    pub value: Option<String>,
}

impl TemplateVar {
    /// The selected value, `None` when everything is selected.
    fn selected(&self) -> Option<&str> {
        self.value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "*")
    }

    /// What `$name` stands for in a scope: `prefix:value`, the value alone without a prefix, or `*`.
    fn scope_item(&self) -> String {
        match (self.prefix.as_deref().map(str::trim), self.selected()) {
            (Some(prefix), Some(value)) if !prefix.is_empty() => format!("{prefix}:{value}"),
            (_, Some(value)) => value.to_owned(),
            (_, None) => "*".to_owned(),
        }
    }

    /// What `$name.value` stands for: the value, or `*`.
    fn value_text(&self) -> String {
        self.selected().unwrap_or("*").to_owned()
    }
}

/// The selected value of a stored default: `host:ubuntu` (legacy, the matching `prefix:` removed)
/// or `ubuntu` (newer API). `None` for no default, an empty one, `*` or `host:*`: all values.
pub fn normalize_default(prefix: Option<&str>, default: Option<&str>) -> Option<String> {
    let default = default?.trim();
    let value = prefix
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .and_then(|p| {
            default
                .strip_prefix(p)
                .and_then(|rest| rest.strip_prefix(':'))
        })
        .unwrap_or(default);
    (!value.is_empty() && value != "*").then(|| value.to_owned())
}

/// `query` with every `$name` and `$name.value` of a known variable replaced (see the module
/// documentation). In a scope, `$name` becomes [`TemplateVar`]'s `prefix:value` or `*`; a `*` that
/// stands beside other tags is dropped, since `{*,env:prod}` means `{env:prod}` and the parser
/// accepts `*` only alone. Unknown `$names` are left as they are, so the query fails to parse and
/// says so.
pub fn apply(query: &str, vars: &[TemplateVar]) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(open) = rest.find('{') {
        out.push_str(&replace_refs(&rest[..open], vars));
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            // An unclosed scope: substitute as text and let the parser report it.
            out.push('{');
            out.push_str(&replace_refs(after, vars));
            return out;
        };
        out.push('{');
        out.push_str(&apply_scope(&after[..close], vars));
        out.push('}');
        rest = &after[close + 1..];
    }
    out.push_str(&replace_refs(rest, vars));
    out
}

/// The inside of one `{…}`: whole-item `$name`s become tags or `*`, and those `*`s are dropped when
/// other tags remain.
fn apply_scope(inner: &str, vars: &[TemplateVar]) -> String {
    let mut items: Vec<(String, bool)> = inner
        .split(',')
        .map(|item| match whole_ref(item.trim(), vars) {
            Some(var) => {
                let tag = var.scope_item();
                let star = tag == "*";
                (tag, star)
            }
            None => (replace_refs(item, vars), false),
        })
        .collect();
    if items.iter().any(|(_, star)| !star) {
        items.retain(|(_, star)| !star);
    } else {
        items.truncate(1);
    }
    items
        .into_iter()
        .map(|(item, _)| item)
        .collect::<Vec<_>>()
        .join(",")
}

/// The variable `item` names when it is exactly `$name`.
fn whole_ref<'v>(item: &str, vars: &'v [TemplateVar]) -> Option<&'v TemplateVar> {
    let name = item.strip_prefix('$')?;
    (name.len() == name_len(name))
        .then(|| find(vars, name))
        .flatten()
}

fn find<'v>(vars: &'v [TemplateVar], name: &str) -> Option<&'v TemplateVar> {
    vars.iter().find(|v| v.name == name)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The byte length of the name at the start of `s`.
fn name_len(s: &str) -> usize {
    s.find(|c: char| !is_name_char(c)).unwrap_or(s.len())
}

/// Text with `$name.value` → the value (or `*`) and `$name` → `prefix:value` (or `*`).
fn replace_refs(text: &str, vars: &[TemplateVar]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let len = name_len(after);
        let name = &after[..len];
        let tail = &after[len..];
        match find(vars, name) {
            Some(var) => {
                let value_suffix = tail
                    .strip_prefix(".value")
                    .filter(|t| !t.starts_with(is_name_char));
                match value_suffix {
                    Some(t) => {
                        out.push_str(&var.value_text());
                        rest = t;
                    }
                    None => {
                        out.push_str(&var.scope_item());
                        rest = tail;
                    }
                }
            }
            None => {
                out.push('$');
                out.push_str(name);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The variable names `query` refers to (`$name` or `$name.value`), each once, in order of first use.
pub fn referenced(query: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, _) in query.match_indices('$') {
        let after = &query[i + 1..];
        let name = &after[..name_len(after)];
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, prefix: Option<&str>, value: Option<&str>) -> TemplateVar {
        TemplateVar {
            name: name.to_owned(),
            prefix: prefix.map(str::to_owned),
            value: value.map(str::to_owned),
        }
    }

    fn vars() -> Vec<TemplateVar> {
        vec![
            var("host", Some("host"), Some("ubuntu")),
            var("hostname", Some("hostname"), Some("web-1")),
            var("env", Some("env"), None),
            var("region", Some("region"), Some("*")),
            var("tag", None, Some("team:core")),
            var("any", None, None),
        ]
    }

    /// The substituted query, then its canonical form from the parser (or the parse error).
    fn render(query: &str) -> String {
        let applied = apply(query, &vars());
        let parsed = match crate::query::parse(&applied) {
            Ok(list) => list.to_string(),
            Err(e) => format!("error: {e}"),
        };
        format!("{applied}  =>  {parsed}")
    }

    macro_rules! check {
        ($input:expr, @$expected:literal) => {
            insta::assert_snapshot!(render($input), @$expected)
        };
    }

    #[test]
    fn scopes() {
        check!("avg:my_metric{$host}", @"avg:my_metric{host:ubuntu}  =>  avg:my_metric{host:ubuntu}");
        check!("avg:m{$host,env:prod}", @"avg:m{host:ubuntu,env:prod}  =>  avg:m{host:ubuntu,env:prod}");
        check!("avg:m{$hostname}", @"avg:m{hostname:web-1}  =>  avg:m{hostname:web-1}");
        check!("avg:m{$env}", @"avg:m{*}  =>  avg:m{*}");
        check!("avg:m{$env,env:prod}", @"avg:m{env:prod}  =>  avg:m{env:prod}");
        check!("avg:m{ $env , $host }", @"avg:m{host:ubuntu}  =>  avg:m{host:ubuntu}");
        check!("avg:m{$env,$region}", @"avg:m{*}  =>  avg:m{*}");
        check!("avg:m{$tag} by {host}", @"avg:m{team:core} by {host}  =>  avg:m{team:core} by {host}");
        check!("avg:m{$any}", @"avg:m{*}  =>  avg:m{*}");
        check!("avg:m{$host} / avg:n{$host,$env}", @"avg:m{host:ubuntu} / avg:n{host:ubuntu}  =>  avg:m{host:ubuntu} / avg:n{host:ubuntu}");
        check!("avg:m{host:$host.value}", @"avg:m{host:ubuntu}  =>  avg:m{host:ubuntu}");
    }

    #[test]
    fn unknown_variables_are_left_for_the_parser_to_report() {
        check!("avg:m{$nope}", @"avg:m{$nope}  =>  error: unexpected character `$` in a tag at column 7; tags may contain letters, digits and `_ - . / :`");
        check!("avg:m{$host_x}", @"avg:m{$host_x}  =>  error: unexpected character `$` in a tag at column 7; tags may contain letters, digits and `_ - . / :`");
        check!("avg:m{$host", @"avg:m{host:ubuntu  =>  error: expected `}` to close the scope opened at column 6");
    }

    #[test]
    fn titles_take_values() {
        let vars = vars();
        assert_eq!(apply("CPU on $host.value", &vars), "CPU on ubuntu");
        assert_eq!(apply("$env.value / $hostname.value.", &vars), "* / web-1.");
        assert_eq!(apply("$host.values", &vars), "host:ubuntu.values");
        assert_eq!(apply("costs $5 on $host", &vars), "costs $5 on host:ubuntu");
        assert_eq!(apply("$", &vars), "$");
        assert_eq!(apply("", &vars), "");
    }

    #[test]
    fn defaults_in_both_api_shapes() {
        assert_eq!(
            normalize_default(Some("host"), Some("host:ubuntu")).as_deref(),
            Some("ubuntu")
        );
        assert_eq!(
            normalize_default(Some("host"), Some("ubuntu")).as_deref(),
            Some("ubuntu")
        );
        assert_eq!(normalize_default(Some("host"), Some("*")), None);
        assert_eq!(normalize_default(Some("host"), Some("host:*")), None);
        assert_eq!(normalize_default(Some("host"), Some("")), None);
        assert_eq!(normalize_default(Some("host"), None), None);
        // Another key's tag, or a value with a colon of its own, is kept whole.
        assert_eq!(
            normalize_default(Some("url"), Some("https://x")).as_deref(),
            Some("https://x")
        );
        assert_eq!(
            normalize_default(Some("host"), Some("hostname:a")).as_deref(),
            Some("hostname:a")
        );
        assert_eq!(
            normalize_default(None, Some("team:core")).as_deref(),
            Some("team:core")
        );
    }

    #[test]
    fn referenced_names() {
        assert_eq!(
            referenced("avg:m{$host,$env} / n{$host} title $region.value $"),
            ["host", "env", "region"]
        );
        assert!(referenced("avg:m{*}").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(query in ".{0,40}") {
            let _ = apply(&query, &vars());
            let _ = referenced(&query);
        }
    }
}
