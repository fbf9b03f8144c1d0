//! Dashboard lists and receipts (`/api/v1/dashboard`, legacy `/api/v1/dash`).

use serde::{Deserialize, Serialize};

use super::Open;

/// One row of `GET /api/v1/dashboard`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardSummary {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub layout_type: String,
    pub url: String,
    pub created_at: String,
    pub modified_at: String,
    pub author_handle: String,
    pub is_read_only: bool,
}

/// `GET /api/v1/dashboard` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardSummary>,
}

/// `DELETE /api/v1/dashboard/{id}` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashboardDeleted {
    pub deleted_dashboard_id: String,
}

/// One row of the legacy `GET /api/v1/dash`; `id` is the numeric id as a string, as Datadog sent it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashSummary {
    pub id: String,
    pub resource: String,
    pub title: String,
    pub description: Option<String>,
    pub created: String,
    pub modified: String,
    pub read_only: bool,
}

/// Legacy `GET /api/v1/dash` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashList {
    pub dashes: Vec<DashSummary>,
}

/// A dashboard in Datadog's `/api/v1/dashboard` shape: the body of a create or update, and (with the
/// server-owned members filled in) its answer. Every object keeps the members dogwatch does not read
/// (`Open::extra`), so that a board imported from Datadog survives an edit. Members that Datadog
/// writes as `null` are `Option`s and echo back as they came.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Dashboard {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `ordered` or `free`; required by the API, optional in an imported file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout_type: Option<String>,
    pub widgets: Vec<Open<Widget>>,
    #[serde(default)]
    pub template_variables: Option<Vec<Open<TemplateVariable>>>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub is_read_only: bool,
    /// Owned by the server: set in its answers, ignored in requests. (Not a flattened struct: serde
    /// reads those through a map, and `Open` would no longer know which members are this type's.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
}

impl Dashboard {
    /// Gives every widget a unique positive id: each keeps its own unless it has none, a
    /// non-positive one, or one an earlier widget took; those get the next ids after the largest.
    pub fn number_widgets(&mut self) {
        let mut next = self
            .widgets
            .iter()
            .filter_map(|w| w.known.id)
            .max()
            .unwrap_or(0)
            .max(0);
        let mut seen = std::collections::HashSet::new();
        let mut renumber = Vec::new();
        for (i, w) in self.widgets.iter().enumerate() {
            match w.known.id {
                Some(id) if id > 0 && seen.insert(id) => {}
                _ => renumber.push(i),
            }
        }
        for i in renumber {
            next += 1;
            self.widgets[i].known.id = Some(next);
        }
    }
}

/// One widget: what it shows and, on a free layout, where.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Widget {
    /// Unique within its board; the server numbers widgets that come without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub definition: Open<WidgetDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Open<WidgetLayout>>,
}

/// A widget's place on the 12-column grid, in cells.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct WidgetLayout {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// What a widget draws. `kind` is Datadog's `type` (`timeseries`, `query_value`, `note`, `group`, …);
/// members of types dogwatch does not draw stay in `extra`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct WidgetDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<Open<WidgetRequest>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaxis: Option<Open<WidgetAxis>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markers: Option<Vec<Open<WidgetMarker>>>,
    /// Notes: markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Query values: digits after the point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
}

/// One query of a widget and how it is shown. Which members apply depends on the widget's type.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct WidgetRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `line`, `area` or `bars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<Open<RequestStyle>>,
    /// `avg`, `min`, `max`, `sum` or `last`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional_formats: Option<Vec<Open<ConditionalFormat>>>,
    /// Change widgets: `hour_before`, `day_before`, `week_before` or `month_before`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_to: Option<String>,
    /// Change widgets: `absolute` or `relative`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct RequestStyle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub palette: Option<String>,
}

/// A query value's or top list's colouring rule: `value comparator threshold` → `palette`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct ConditionalFormat {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<NumberOrText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub palette: Option<String>,
}

/// A timeseries' y axis; Datadog writes the bounds as text (`"auto"`, `"0"`) or numbers.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct WidgetAxis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<NumberOrText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<NumberOrText>,
    /// `linear` or `log`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
}

/// A horizontal line on a timeseries; Datadog writes its value as a small equation (`"y = 800"`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct WidgetMarker {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<NumberOrText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_type: Option<String>,
}

/// A board's `$name` variable. `default` is a bare value in this API (`ubuntu`), `prefix:value` in
/// the legacy one.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct TemplateVariable {
    pub name: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
}

/// A JSON member that Datadog writes either as a number or as text, kept as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberOrText {
    Number(serde_json::Number),
    Text(String),
}

impl Serialize for NumberOrText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrText::Number(n) => n.serialize(s),
            NumberOrText::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl serde::de::Visitor<'_> for Either {
            type Value = NumberOrText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Number(v.into()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<NumberOrText, E> {
                serde_json::Number::from_f64(v)
                    .map(NumberOrText::Number)
                    .ok_or_else(|| E::custom("a number must be finite"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Text(v.to_owned()))
            }
        }
        d.deserialize_any(Either)
    }
}

/// The legacy `/api/v1/dash` body, as datadogpy's `api.Timeboard.create` sends it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashDefinition {
    pub title: String,
    pub description: String,
    pub graphs: Vec<Open<Graph>>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub template_variables: Vec<Open<TemplateVariable>>,
    /// `true`, `false`, or the same as text, as older clients send it.
    #[serde(default, deserialize_with = "bool_or_word")]
    pub read_only: bool,
}

/// One graph of a legacy dash.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Graph {
    #[serde(default)]
    pub title: Option<String>,
    pub definition: Open<GraphDefinition>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct GraphDefinition {
    /// The widget type: `timeseries`, `query_value`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viz: Option<String>,
    pub requests: Vec<Open<GraphRequest>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct GraphRequest {
    pub q: String,
    /// `line`, `area` or `bars`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// A legacy dash as `/api/v1/dash/{id}` answers it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashAnswer {
    pub dash: Dash,
    pub resource: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Dash {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub graphs: Vec<Open<Graph>>,
    pub template_variables: Vec<Open<TemplateVariable>>,
    pub read_only: bool,
    pub created: String,
    pub modified: String,
}

/// `true`/`false`, as JSON or (any case) as text; `null` is `false`.
fn bool_or_word<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Word;
    impl serde::de::Visitor<'_> for Word {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_any(Word)
}
