//! What a board's URL holds besides its id: the timeframe (`span`, `live`, `from_ts`, `to_ts`), the
//! time zone of the axes (`tz=utc`, browser zone otherwise) and the template variables' values
//! (`tpl_var_<name>=<value>`, Datadog's parameter names), so that a copied link opens the same view.

use std::collections::BTreeMap;

use dogwatch_core::template_vars::{TemplateVar, normalize_default};
use dogwatch_core::timeframe::Timeframe;

use super::model::TemplateVariable;
use crate::pages::explorer::state::encode_query_value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoardView {
    pub timeframe: Timeframe,
    pub utc: bool,
    /// Chosen values by variable name; a variable not in the map takes its default.
    pub vars: BTreeMap<String, String>,
}

pub fn var_param(name: &str) -> String {
    format!("tpl_var_{name}")
}

impl BoardView {
    /// Reads the URL's parameters for a board with these variables.
    pub fn from_params(get: impl Fn(&str) -> Option<String>, names: &[String]) -> BoardView {
        BoardView {
            timeframe: Timeframe::from_params(
                get("span").as_deref(),
                get("live").as_deref(),
                get("from_ts").as_deref(),
                get("to_ts").as_deref(),
            ),
            utc: get("tz").is_some_and(|z| z.trim().eq_ignore_ascii_case("utc")),
            vars: names
                .iter()
                .filter_map(|n| Some((n.clone(), get(&var_param(n))?)))
                .fold(BTreeMap::new(), |mut vars, (n, v)| {
                    // Not `collect`: that would bring in another copy of the sort code.
                    vars.insert(n, v);
                    vars
                }),
        }
    }

    pub fn to_search(&self) -> String {
        let mut params: Vec<(String, String)> = self
            .timeframe
            .to_params()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        if self.utc {
            params.push(("tz".into(), "utc".into()));
        }
        for (name, value) in &self.vars {
            params.push((var_param(name), value.clone()));
        }
        params
            .iter()
            .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The variables with their values for query substitution: the URL's choice, else the board's
    /// default (`host:ubuntu` or `ubuntu`), else all (`*`).
    pub fn template_vars(&self, defs: &[TemplateVariable]) -> Vec<TemplateVar> {
        defs.iter()
            .map(|d| TemplateVar {
                name: d.name.clone(),
                prefix: d.prefix.clone(),
                value: self
                    .vars
                    .get(&d.name)
                    .cloned()
                    .or_else(|| normalize_default(d.prefix.as_deref(), d.default.as_deref()))
                    .filter(|v| v != "*" && !v.is_empty()),
            })
            .collect()
    }
}

/// A file name for an exported board: its title's letters and digits, runs of anything else as `-`.
pub fn file_stem(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "dashboard".to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use dogwatch_core::timeframe::{Span, TimeRange};

    use super::*;

    fn params(search: &str) -> impl Fn(&str) -> Option<String> + '_ {
        move |key| {
            search.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == key).then(|| v.replace("%3A", ":"))
            })
        }
    }

    #[test]
    fn the_url_round_trips_timeframe_zone_and_variables() {
        let names = vec!["host1".to_owned()];
        let view = BoardView {
            timeframe: Timeframe::Paused {
                span: Span::Past5Minutes,
                range: TimeRange::new(1_000_000, 1_300_000).expect("range"),
            },
            utc: true,
            vars: [("host1".to_owned(), "ubuntu".to_owned())].into(),
        };
        let search = view.to_search();
        assert_eq!(
            search,
            "span=5m&live=false&from_ts=1000000&to_ts=1300000&tz=utc&tpl_var_host1=ubuntu"
        );
        assert_eq!(BoardView::from_params(params(&search), &names), view);
        let live = BoardView::from_params(params("span=5m&live=true"), &names);
        assert_eq!(live.timeframe, Timeframe::Live(Span::Past5Minutes));
        assert!(!live.utc && live.vars.is_empty());
    }

    #[test]
    fn variables_take_the_url_then_the_default_then_all() {
        let defs = vec![
            TemplateVariable {
                name: "host1".into(),
                prefix: Some("host".into()),
                default: Some("host:ubuntu".into()),
            },
            TemplateVariable {
                name: "env".into(),
                prefix: Some("env".into()),
                default: None,
            },
        ];
        let values = |view: &BoardView| -> Vec<Option<String>> {
            view.template_vars(&defs)
                .into_iter()
                .map(|v| v.value)
                .collect()
        };
        let mut view = BoardView::default();
        assert_eq!(values(&view), [Some("ubuntu".to_owned()), None]);
        view.vars.insert("host1".into(), "debian".into());
        view.vars.insert("env".into(), "*".into());
        assert_eq!(values(&view), [Some("debian".to_owned()), None]);
    }
}
