//! A dashboard as the board page edits it, read from and written back to Datadog's dashboard JSON
//! (`/api/v1/dashboard`). Fields dogwatch does not use are kept and written back unchanged, so that
//! a board imported from Datadog survives an edit. Reading names the field that is wrong.

use std::fmt;

use dogwatch_core::grid::Rect;
use serde_json::{Map, Value};

use crate::chart::{Display, Marker, Palette, YAxis};

/// A widget type of the tray, or one dogwatch keeps but cannot draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Timeseries,
    QueryValue,
    Toplist,
    Heatmap,
    Change,
    Note,
    /// Any other Datadog widget type (`event_stream`, `group`, …), kept as it came.
    Other(String),
}

impl Kind {
    /// The tray's widget types, in its order.
    pub const TRAY: [Kind; 6] = [
        Kind::Timeseries,
        Kind::QueryValue,
        Kind::Toplist,
        Kind::Heatmap,
        Kind::Change,
        Kind::Note,
    ];

    /// Datadog's `definition.type`.
    pub fn code(&self) -> &str {
        match self {
            Kind::Timeseries => "timeseries",
            Kind::QueryValue => "query_value",
            Kind::Toplist => "toplist",
            Kind::Heatmap => "heatmap",
            Kind::Change => "change",
            Kind::Note => "note",
            Kind::Other(code) => code,
        }
    }

    pub fn from_code(code: &str) -> Kind {
        Kind::TRAY
            .into_iter()
            .find(|k| k.code() == code)
            .unwrap_or_else(|| Kind::Other(code.to_owned()))
    }

    pub fn label(&self) -> &str {
        match self {
            Kind::Timeseries => "Timeseries",
            Kind::QueryValue => "Query Value",
            Kind::Toplist => "Top List",
            Kind::Heatmap => "Heatmap",
            Kind::Change => "Change",
            Kind::Note => "Note",
            Kind::Other(code) => code,
        }
    }

    /// The size a new widget of this type gets, in grid cells (width, height).
    pub fn default_size(&self) -> (u32, u32) {
        match self {
            Kind::QueryValue | Kind::Note => (2, 2),
            _ => (4, 3),
        }
    }

    /// Whether the widget draws metric queries (everything but notes and unknown types).
    pub fn has_queries(&self) -> bool {
        !matches!(self, Kind::Note | Kind::Other(_))
    }
}

/// How a query value or top list reduces each series to one number (`aggregator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reducer {
    #[default]
    Avg,
    Min,
    Max,
    Sum,
    Last,
}

impl Reducer {
    pub const ALL: [Reducer; 5] = [
        Reducer::Avg,
        Reducer::Min,
        Reducer::Max,
        Reducer::Sum,
        Reducer::Last,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reducer::Avg => "avg",
            Reducer::Min => "min",
            Reducer::Max => "max",
            Reducer::Sum => "sum",
            Reducer::Last => "last",
        }
    }

    pub fn from_code(code: &str) -> Option<Reducer> {
        Reducer::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A Query Value's conditional format: when `value <comparator> threshold`, show it in `palette`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalFormat {
    pub comparator: Comparator,
    pub value: f64,
    pub palette: FormatPalette,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparator {
    pub const ALL: [Comparator; 4] = [
        Comparator::Gt,
        Comparator::Ge,
        Comparator::Lt,
        Comparator::Le,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
        }
    }

    pub fn from_code(code: &str) -> Option<Comparator> {
        Comparator::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Gt => value > threshold,
            Comparator::Ge => value >= threshold,
            Comparator::Lt => value < threshold,
            Comparator::Le => value <= threshold,
        }
    }
}

/// Datadog's conditional-format palettes that dogwatch draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatPalette {
    WhiteOnRed,
    WhiteOnYellow,
    WhiteOnGreen,
    RedOnWhite,
    YellowOnWhite,
    GreenOnWhite,
}

impl FormatPalette {
    pub const ALL: [FormatPalette; 6] = [
        FormatPalette::WhiteOnRed,
        FormatPalette::WhiteOnYellow,
        FormatPalette::WhiteOnGreen,
        FormatPalette::RedOnWhite,
        FormatPalette::YellowOnWhite,
        FormatPalette::GreenOnWhite,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FormatPalette::WhiteOnRed => "white_on_red",
            FormatPalette::WhiteOnYellow => "white_on_yellow",
            FormatPalette::WhiteOnGreen => "white_on_green",
            FormatPalette::RedOnWhite => "red_on_white",
            FormatPalette::YellowOnWhite => "yellow_on_white",
            FormatPalette::GreenOnWhite => "green_on_white",
        }
    }

    pub fn from_code(code: &str) -> Option<FormatPalette> {
        FormatPalette::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The words for the editor's menu: "white on red".
    pub fn label(self) -> String {
        self.code().replace('_', " ")
    }
}

/// What a Change widget compares the current window with (Datadog's names end in `_before`).
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompareTo {
    #[default]
    HourBefore,
    DayBefore,
    WeekBefore,
    MonthBefore,
}

impl CompareTo {
    pub const ALL: [CompareTo; 4] = [
        CompareTo::HourBefore,
        CompareTo::DayBefore,
        CompareTo::WeekBefore,
        CompareTo::MonthBefore,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CompareTo::HourBefore => "hour_before",
            CompareTo::DayBefore => "day_before",
            CompareTo::WeekBefore => "week_before",
            CompareTo::MonthBefore => "month_before",
        }
    }

    pub fn from_code(code: &str) -> Option<CompareTo> {
        CompareTo::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// One query of a widget and how it is shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub q: String,
    pub display: Display,
    pub palette: Palette,
    pub reducer: Reducer,
    pub conditional_formats: Vec<ConditionalFormat>,
    pub compare_to: CompareTo,
    /// Change widgets: show the change in percent rather than in the metric's unit.
    pub relative: bool,
    /// Fields of the request dogwatch does not use, written back as they came.
    pub extra: Map<String, Value>,
}

impl Request {
    pub fn new(q: impl Into<String>) -> Request {
        Request {
            q: q.into(),
            ..Request::default()
        }
    }
}

/// A widget's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub kind: Kind,
    pub title: String,
    pub requests: Vec<Request>,
    pub y_axis: YAxis,
    pub markers: Vec<Marker>,
    /// Notes: the markdown text.
    pub content: String,
    /// Query values: digits after the point.
    pub precision: Option<u32>,
    pub extra: Map<String, Value>,
}

impl Definition {
    /// A fresh widget of this kind; a timeseries of `metric` when one is given.
    pub fn new(kind: Kind, metric: Option<&str>) -> Definition {
        let requests = match (kind.has_queries(), metric) {
            (true, Some(metric)) => vec![Request::new(format!("avg:{metric}{{*}}"))],
            _ => Vec::new(),
        };
        Definition {
            title: metric.map(str::to_owned).unwrap_or_default(),
            content: if kind == Kind::Note {
                "Write **markdown** here.".to_owned()
            } else {
                String::new()
            },
            kind,
            requests,
            y_axis: YAxis::default(),
            markers: Vec::new(),
            precision: None,
            extra: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    pub id: i64,
    pub definition: Definition,
    /// Where it sits on the 12-column grid; `None` for ordered dashboards that never had a layout
    /// (the board places those itself).
    pub layout: Option<Rect>,
}

/// A `$name` template variable of a board.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateVariable {
    pub name: String,
    pub prefix: Option<String>,
    /// As the definition has it: `ubuntu` (new API), `host:ubuntu` (legacy) or `*`.
    pub default: Option<String>,
}

/// A dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    /// `None` until the server has stored it.
    pub id: Option<String>,
    pub title: String,
    pub description: String,
    pub widgets: Vec<Widget>,
    pub template_variables: Vec<TemplateVariable>,
    pub read_only: bool,
    pub extra: Map<String, Value>,
}

/// Why a JSON document is not a dashboard, naming the field: `widgets[2].definition.type is
/// required`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub problem: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.problem)
        } else {
            write!(f, "{} {}", self.path, self.problem)
        }
    }
}

impl std::error::Error for FieldError {}

fn err<T>(path: &str, problem: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError {
        path: path.to_owned(),
        problem: problem.into(),
    })
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn as_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, FieldError> {
    v.as_object()
        .map_or_else(|| err(path, "must be an object"), Ok)
}

fn opt_str(m: &Map<String, Value>, path: &str, key: &str) -> Result<Option<String>, FieldError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => err(&child(path, key), "must be a string"),
    }
}

fn opt_array<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'a [Value], FieldError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => err(&child(path, key), "must be an array"),
    }
}

/// A number that Datadog writes either as a JSON number or as a string (`"800"`, `"auto"`).
fn loose_number(v: Option<&Value>, path: &str) -> Result<Option<f64>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() || s.trim() == "auto" => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .or_else(|_| err(path, format!("must be a number or \"auto\", got \"{s}\""))),
        Some(_) => err(path, "must be a number"),
    }
}

fn without(m: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    m.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Datadog's palette names (`dog_classic`, `grey`) and ours.
fn palette_from(name: &str) -> Option<Palette> {
    match name {
        "dog_classic" | "classic" => Some(Palette::Classic),
        "grey" | "gray" => Some(Palette::Gray),
        other => Palette::from_name(other),
    }
}

fn palette_code(p: Palette) -> &'static str {
    match p {
        Palette::Classic => "dog_classic",
        Palette::Gray => "grey",
        other => other.name(),
    }
}

const BOARD_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "layout_type",
    "widgets",
    "template_variables",
    "is_read_only",
    "url",
    "author_handle",
    "author_name",
    "created_at",
    "modified_at",
];
const DEFINITION_KEYS: &[&str] = &[
    "type",
    "title",
    "requests",
    "yaxis",
    "markers",
    "content",
    "precision",
];
const REQUEST_KEYS: &[&str] = &[
    "q",
    "display_type",
    "style",
    "aggregator",
    "conditional_formats",
    "compare_to",
    "change_type",
];

impl Board {
    /// An empty board with this title.
    pub fn new(title: impl Into<String>) -> Board {
        Board {
            id: None,
            title: title.into(),
            description: String::new(),
            widgets: Vec::new(),
            template_variables: Vec::new(),
            read_only: false,
            extra: Map::new(),
        }
    }

    /// Reads dashboard JSON text, as pasted into the import box.
    pub fn parse(text: &str) -> Result<Board, FieldError> {
        // serde_json's message already ends with "at line L column C".
        let value: Value =
            serde_json::from_str(text).or_else(|e| err("", format!("not valid JSON: {e}")))?;
        Board::from_json(&value)
    }

    /// Reads a dashboard in Datadog's `/api/v1/dashboard` shape.
    pub fn from_json(v: &Value) -> Result<Board, FieldError> {
        let m = as_object(v, "the dashboard")?;
        let title = match opt_str(m, "", "title")? {
            Some(t) if !t.trim().is_empty() => t,
            Some(_) => return err("title", "must not be empty"),
            None => return err("title", "is required"),
        };
        if let Some(layout) = opt_str(m, "", "layout_type")?
            && layout != "ordered"
            && layout != "free"
        {
            return err(
                "layout_type",
                format!("must be \"ordered\" or \"free\", got \"{layout}\""),
            );
        }
        let widgets_json = match m.get("widgets") {
            None | Some(Value::Null) => return err("widgets", "is required"),
            Some(Value::Array(a)) => a,
            Some(_) => return err("widgets", "must be an array"),
        };
        let mut widgets = Vec::new();
        let mut next_id = 0;
        for (i, w) in widgets_json.iter().enumerate() {
            let mut widget = widget_from_json(w, &format!("widgets[{i}]"))?;
            if widget.id <= 0 || widgets.iter().any(|o: &Widget| o.id == widget.id) {
                widget.id = 0;
            }
            next_id = next_id.max(widget.id);
            widgets.push(widget);
        }
        for w in widgets.iter_mut().filter(|w| w.id == 0) {
            next_id += 1;
            w.id = next_id;
        }
        let mut template_variables = Vec::new();
        for (i, t) in opt_array(m, "", "template_variables")?.iter().enumerate() {
            let path = format!("template_variables[{i}]");
            let t = as_object(t, &path)?;
            let name = match opt_str(t, &path, "name")? {
                Some(n) if !n.trim().is_empty() => n.trim().trim_start_matches('$').to_owned(),
                _ => return err(&child(&path, "name"), "is required"),
            };
            template_variables.push(TemplateVariable {
                name,
                prefix: opt_str(t, &path, "prefix")?.filter(|p| !p.is_empty()),
                default: opt_str(t, &path, "default")?.filter(|d| !d.is_empty()),
            });
        }
        let read_only = match m.get("is_read_only") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return err("is_read_only", "must be true or false"),
        };
        Ok(Board {
            id: opt_str(m, "", "id")?,
            title,
            description: opt_str(m, "", "description")?.unwrap_or_default(),
            widgets,
            template_variables,
            read_only,
            extra: without(m, BOARD_KEYS),
        })
    }

    /// The board in Datadog's `/api/v1/dashboard` shape, ready to PUT or export. Every widget is
    /// written with its layout, so the board is `free`.
    pub fn to_json(&self) -> Value {
        let mut m = self.extra.clone();
        m.insert("title".into(), Value::from(self.title.as_str()));
        m.insert("description".into(), Value::from(self.description.clone()));
        m.insert("layout_type".into(), Value::from("free"));
        m.insert(
            "widgets".into(),
            Value::Array(self.widgets.iter().map(widget_to_json).collect()),
        );
        m.insert(
            "template_variables".into(),
            Value::Array(
                self.template_variables
                    .iter()
                    .map(|t| {
                        object([
                            ("name", t.name.as_str().into()),
                            ("prefix", t.prefix.clone().into()),
                            ("default", t.default.clone().into()),
                        ])
                    })
                    .collect(),
            ),
        );
        m.insert("is_read_only".into(), Value::from(self.read_only));
        Value::Object(m)
    }

    /// The export file: the board without its server-made id, pretty-printed.
    pub fn export(&self) -> String {
        // Serializing a `Value` cannot fail (its map keys are strings).
        serde_json::to_string_pretty(&self.to_json()).unwrap_or_default()
    }

    pub fn widget(&self, id: i64) -> Option<&Widget> {
        self.widgets.iter().find(|w| w.id == id)
    }

    pub fn widget_mut(&mut self, id: i64) -> Option<&mut Widget> {
        self.widgets.iter_mut().find(|w| w.id == id)
    }

    /// An id no widget of this board has.
    pub fn next_widget_id(&self) -> i64 {
        self.widgets.iter().map(|w| w.id).max().unwrap_or(0) + 1
    }

    /// Every query's text.
    pub fn queries(&self) -> impl Iterator<Item = &str> {
        self.widgets
            .iter()
            .flat_map(|w| w.definition.requests.iter().map(|r| r.q.as_str()))
    }

    /// The metric names the board's queries read, sorted and once each: where template variables
    /// take their values from.
    pub fn metrics(&self) -> Vec<String> {
        let mut out: Vec<String> = self.queries().flat_map(metric_names_in).collect();
        dogwatch_core::sort::sort(&mut out);
        out.dedup();
        out
    }
}

/// The metric names of a query: every name written just before a `{scope}`.
pub fn metric_names_in(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in query.match_indices('{') {
        let before = &query[..i];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |p| p + 1);
        let name = &before[start..];
        if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push(name.to_owned());
        }
    }
    out
}

fn widget_from_json(v: &Value, path: &str) -> Result<Widget, FieldError> {
    let m = as_object(v, path)?;
    let id = match m.get("id") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(_) => return err(&child(path, "id"), "must be a number"),
    };
    let dpath = child(path, "definition");
    let d = match m.get("definition") {
        None | Some(Value::Null) => return err(&dpath, "is required"),
        Some(d) => as_object(d, &dpath)?,
    };
    let kind = match opt_str(d, &dpath, "type")? {
        Some(t) if !t.trim().is_empty() => Kind::from_code(t.trim()),
        _ => return err(&child(&dpath, "type"), "is required"),
    };
    let mut requests = Vec::new();
    for (j, r) in opt_array(d, &dpath, "requests")?.iter().enumerate() {
        requests.push(request_from_json(r, &format!("{dpath}.requests[{j}]"))?);
    }
    let y_axis = match d.get("yaxis") {
        None | Some(Value::Null) => YAxis::default(),
        Some(y) => {
            let ypath = child(&dpath, "yaxis");
            let y = as_object(y, &ypath)?;
            let scale = opt_str(y, &ypath, "scale")?;
            YAxis {
                min: loose_number(y.get("min"), &child(&ypath, "min"))?,
                max: loose_number(y.get("max"), &child(&ypath, "max"))?,
                log: match scale.as_deref() {
                    None | Some("linear") => false,
                    Some("log") => true,
                    Some(other) => {
                        return err(
                            &child(&ypath, "scale"),
                            format!("must be \"linear\" or \"log\", got \"{other}\""),
                        );
                    }
                },
            }
        }
    };
    let mut markers = Vec::new();
    for (j, mk) in opt_array(d, &dpath, "markers")?.iter().enumerate() {
        let mpath = format!("{dpath}.markers[{j}]");
        let mk = as_object(mk, &mpath)?;
        let value = match mk.get("value") {
            Some(Value::String(s)) => marker_value(s),
            Some(Value::Number(n)) => n.as_f64(),
            _ => None,
        };
        let Some(value) = value else {
            return err(
                &child(&mpath, "value"),
                "must be a number or \"y = <number>\"",
            );
        };
        markers.push(Marker {
            value,
            label: opt_str(mk, &mpath, "label")?.unwrap_or_default(),
        });
    }
    let precision = match d.get("precision") {
        None | Some(Value::Null) => None,
        Some(p) => match p.as_u64() {
            Some(p) if p <= 12 => Some(p as u32),
            _ => return err(&child(&dpath, "precision"), "must be a whole number 0–12"),
        },
    };
    let layout = match m.get("layout") {
        None | Some(Value::Null) => None,
        Some(l) => Some(layout_from_json(l, &child(path, "layout"))?),
    };
    Ok(Widget {
        id,
        definition: Definition {
            kind,
            title: opt_str(d, &dpath, "title")?.unwrap_or_default(),
            requests,
            y_axis,
            markers,
            content: opt_str(d, &dpath, "content")?.unwrap_or_default(),
            precision,
            extra: without(d, DEFINITION_KEYS),
        },
        layout,
    })
}

/// `"y = 800"`, `"800"`, `"y=800"`: Datadog writes markers as small equations.
fn marker_value(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s
        .strip_prefix('y')
        .map(|r| r.trim_start().trim_start_matches('=').trim())
        .unwrap_or(s);
    s.parse().ok()
}

fn layout_from_json(v: &Value, path: &str) -> Result<Rect, FieldError> {
    let m = as_object(v, path)?;
    let cell = |key: &str| -> Result<u32, FieldError> {
        match m.get(key) {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map_or_else(|| err(&child(path, key), "must be a whole number"), Ok),
            None | Some(Value::Null) => err(&child(path, key), "is required"),
            Some(_) => err(&child(path, key), "must be a number"),
        }
    };
    let rect = Rect {
        x: cell("x")?,
        y: cell("y")?,
        width: cell("width")?.max(1),
        height: cell("height")?.max(1),
    };
    if rect.x >= dogwatch_core::grid::COLUMNS {
        return err(
            &child(path, "x"),
            "must be less than 12 (the grid has 12 columns)",
        );
    }
    Ok(rect)
}

fn request_from_json(v: &Value, path: &str) -> Result<Request, FieldError> {
    let m = as_object(v, path)?;
    let q = match m.get("q") {
        Some(Value::String(q)) => q.clone(),
        None | Some(Value::Null) => return err(&child(path, "q"), "is required"),
        Some(_) => return err(&child(path, "q"), "must be a string"),
    };
    let display = match opt_str(m, path, "display_type")? {
        None => Display::default(),
        Some(d) => Display::from_name(&d).map_or_else(
            || {
                err(
                    &child(path, "display_type"),
                    format!("must be \"line\", \"area\" or \"bars\", got \"{d}\""),
                )
            },
            Ok,
        )?,
    };
    let palette = match m.get("style") {
        None | Some(Value::Null) => Palette::default(),
        Some(s) => {
            let spath = child(path, "style");
            let s = as_object(s, &spath)?;
            match opt_str(s, &spath, "palette")? {
                None => Palette::default(),
                Some(p) => palette_from(&p).map_or_else(
                    || {
                        err(
                            &child(&spath, "palette"),
                            format!("is not a palette dogwatch knows: \"{p}\""),
                        )
                    },
                    Ok,
                )?,
            }
        }
    };
    let reducer = match opt_str(m, path, "aggregator")? {
        None => Reducer::default(),
        Some(a) => Reducer::from_code(&a).map_or_else(
            || {
                err(
                    &child(path, "aggregator"),
                    format!("must be avg, min, max, sum or last, got \"{a}\""),
                )
            },
            Ok,
        )?,
    };
    let mut conditional_formats = Vec::new();
    for (k, f) in opt_array(m, path, "conditional_formats")?
        .iter()
        .enumerate()
    {
        let fpath = format!("{path}.conditional_formats[{k}]");
        let f = as_object(f, &fpath)?;
        let comparator = opt_str(f, &fpath, "comparator")?
            .and_then(|c| Comparator::from_code(&c))
            .map_or_else(
                || err(&child(&fpath, "comparator"), "must be >, >=, < or <="),
                Ok,
            )?;
        let value = loose_number(f.get("value"), &child(&fpath, "value"))?
            .map_or_else(|| err(&child(&fpath, "value"), "is required"), Ok)?;
        let palette = opt_str(f, &fpath, "palette")?
            .and_then(|p| FormatPalette::from_code(&p))
            .map_or_else(
                || {
                    err(
                        &child(&fpath, "palette"),
                        "must be one of white_on_red, white_on_yellow, white_on_green, \
                         red_on_white, yellow_on_white, green_on_white",
                    )
                },
                Ok,
            )?;
        conditional_formats.push(ConditionalFormat {
            comparator,
            value,
            palette,
        });
    }
    let compare_to = match opt_str(m, path, "compare_to")? {
        None => CompareTo::default(),
        Some(c) => CompareTo::from_code(&c).map_or_else(
            || {
                err(
                    &child(path, "compare_to"),
                    "must be hour_before, day_before, week_before or month_before",
                )
            },
            Ok,
        )?,
    };
    let relative = opt_str(m, path, "change_type")?.as_deref() == Some("relative");
    Ok(Request {
        q,
        display,
        palette,
        reducer,
        conditional_formats,
        compare_to,
        relative,
        extra: without(m, REQUEST_KEYS),
    })
}

fn widget_to_json(w: &Widget) -> Value {
    let d = &w.definition;
    let mut def = d.extra.clone();
    def.insert("type".into(), Value::from(d.kind.code()));
    def.insert("title".into(), Value::from(d.title.as_str()));
    match d.kind {
        Kind::Note => {
            def.insert("content".into(), Value::from(d.content.as_str()));
        }
        Kind::Other(_) => {
            // Written back exactly as it came: dogwatch did not interpret it.
            if !d.requests.is_empty() {
                def.insert(
                    "requests".into(),
                    Value::Array(
                        d.requests
                            .iter()
                            .map(|r| request_to_json(r, &d.kind))
                            .collect(),
                    ),
                );
            }
        }
        _ => {
            def.insert(
                "requests".into(),
                Value::Array(
                    d.requests
                        .iter()
                        .map(|r| request_to_json(r, &d.kind))
                        .collect(),
                ),
            );
        }
    }
    if d.kind == Kind::Timeseries {
        let bound =
            |b: Option<f64>| Value::from(b.map_or_else(|| "auto".to_owned(), |v| v.to_string()));
        def.insert(
            "yaxis".into(),
            object([
                ("min", bound(d.y_axis.min)),
                ("max", bound(d.y_axis.max)),
                (
                    "scale",
                    Value::from(if d.y_axis.log { "log" } else { "linear" }),
                ),
            ]),
        );
        def.insert(
            "markers".into(),
            Value::Array(
                d.markers
                    .iter()
                    .map(|m| {
                        object([
                            ("value", format!("y = {}", m.value).into()),
                            ("label", m.label.as_str().into()),
                            ("display_type", "error dashed".into()),
                        ])
                    })
                    .collect(),
            ),
        );
    }
    if let Some(p) = d.precision {
        def.insert("precision".into(), Value::from(p));
    }
    let mut out = Map::new();
    out.insert("id".into(), Value::from(w.id));
    out.insert("definition".into(), Value::Object(def));
    if let Some(r) = w.layout {
        out.insert(
            "layout".into(),
            object([
                ("x", r.x.into()),
                ("y", r.y.into()),
                ("width", r.width.into()),
                ("height", r.height.into()),
            ]),
        );
    }
    Value::Object(out)
}

/// A JSON object of these members (built by hand: `json!` would bring serde's serializer along).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn request_to_json(r: &Request, kind: &Kind) -> Value {
    let mut m = r.extra.clone();
    m.insert("q".into(), Value::from(r.q.as_str()));
    match kind {
        Kind::Timeseries => {
            m.insert("display_type".into(), Value::from(r.display.name()));
            m.insert(
                "style".into(),
                object([("palette", palette_code(r.palette).into())]),
            );
        }
        Kind::QueryValue | Kind::Toplist => {
            m.insert("aggregator".into(), Value::from(r.reducer.code()));
            if *kind == Kind::QueryValue || !r.conditional_formats.is_empty() {
                m.insert(
                    "conditional_formats".into(),
                    Value::Array(
                        r.conditional_formats
                            .iter()
                            .map(|f| {
                                object([
                                    ("comparator", f.comparator.code().into()),
                                    ("value", f.value.into()),
                                    ("palette", f.palette.code().into()),
                                ])
                            })
                            .collect(),
                    ),
                );
            }
        }
        Kind::Change => {
            m.insert("compare_to".into(), Value::from(r.compare_to.code()));
            m.insert(
                "change_type".into(),
                Value::from(if r.relative { "relative" } else { "absolute" }),
            );
        }
        _ => {}
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests;
