//! A dashboard as the board page edits it, read from and written back to the wire's
//! [`wire::Dashboard`] (Datadog's `/api/v1/dashboard` shape). Members dogwatch does not use are kept
//! and written back unchanged, so that a board imported from Datadog survives an edit. Reading names
//! the member that is wrong.

use std::fmt;

use dogwatch_core::grid::Rect;
use dogwatch_core::wire::{self, BodyError, NumberOrText, Open};
use serde_json::{Map, Value};

use crate::chart::{Display, Marker, Palette, YAxis, marker_value};

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

    /// The definition in the wire's shape, as a dashboard writes it (and a snapshot freezes it).
    pub fn to_wire(&self) -> Open<wire::WidgetDefinition> {
        definition_to_wire(self)
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

/// A number that Datadog writes either as a JSON number or as text (`"800"`, `"auto"`).
fn loose_number(v: Option<&NumberOrText>, path: &str) -> Result<Option<f64>, FieldError> {
    match v {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(n.as_f64()),
        Some(NumberOrText::Text(s)) if s.trim().is_empty() || s.trim() == "auto" => Ok(None),
        Some(NumberOrText::Text(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .or_else(|_| err(path, format!("must be a number or \"auto\", got \"{s}\""))),
    }
}

/// A finite number as the wire writes it.
fn number(v: f64) -> Option<NumberOrText> {
    serde_json::Number::from_f64(v).map(NumberOrText::Number)
}

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
        match wire::decode::<Open<wire::Dashboard>>(text.as_bytes()) {
            Ok(board) => Board::from_wire(board),
            Err(BodyError::NotAnObject) => err("the dashboard", "must be an object"),
            // serde_json's message already ends with "at line L column C".
            Err(BodyError::Syntax(e)) => err("", format!("not valid JSON: {e}")),
            Err(BodyError::Member(problem)) => err("", problem),
        }
    }

    /// Reads a dashboard as the API answers it, checking what its types do not say.
    pub fn from_wire(board: Open<wire::Dashboard>) -> Result<Board, FieldError> {
        let Open {
            known: mut d,
            extra,
        } = board;
        if d.title.trim().is_empty() {
            return err("title", "must not be empty");
        }
        if let Some(layout) = &d.layout_type
            && layout != "ordered"
            && layout != "free"
        {
            return err(
                "layout_type",
                format!("must be \"ordered\" or \"free\", got \"{layout}\""),
            );
        }
        d.number_widgets();
        let mut widgets = Vec::new();
        for (i, w) in d.widgets.into_iter().enumerate() {
            widgets.push(widget_from_wire(w.known, &format!("widgets[{i}]"))?);
        }
        let mut template_variables = Vec::new();
        for (i, t) in d.template_variables.into_iter().flatten().enumerate() {
            let t = t.known;
            let name = t.name.trim().trim_start_matches('$');
            if name.is_empty() {
                return err(&format!("template_variables[{i}].name"), "is required");
            }
            template_variables.push(TemplateVariable {
                name: name.to_owned(),
                prefix: t.prefix.filter(|p| !p.is_empty()),
                default: t.default.filter(|d| !d.is_empty()),
            });
        }
        Ok(Board {
            id: d.id,
            title: d.title,
            description: d.description.unwrap_or_default(),
            widgets,
            template_variables,
            read_only: d.is_read_only,
            extra,
        })
    }

    /// The board in the wire's shape, ready to PUT or export. Every widget is written with its
    /// layout, so the board is `free`; the server-made members (id, url, times) are left out.
    pub fn to_wire(&self) -> Open<wire::Dashboard> {
        let template_variables = self
            .template_variables
            .iter()
            .map(|t| {
                Open::new(wire::TemplateVariable {
                    name: t.name.clone(),
                    prefix: t.prefix.clone(),
                    default: t.default.clone(),
                })
            })
            .collect();
        Open {
            known: wire::Dashboard {
                title: self.title.clone(),
                description: Some(self.description.clone()),
                layout_type: Some("free".to_owned()),
                widgets: self.widgets.iter().map(widget_to_wire).collect(),
                template_variables: Some(template_variables),
                is_read_only: self.read_only,
                ..wire::Dashboard::default()
            },
            extra: self.extra.clone(),
        }
    }

    /// The export file: the board without its server-made id, pretty-printed.
    pub fn export(&self) -> String {
        // Serializing typed values with string keys cannot fail.
        serde_json::to_string_pretty(&self.to_wire()).unwrap_or_default()
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

fn widget_from_wire(w: wire::Widget, path: &str) -> Result<Widget, FieldError> {
    let dpath = child(path, "definition");
    let Open { known: d, extra } = w.definition;
    let kind = match d.kind.trim() {
        "" => return err(&child(&dpath, "type"), "is required"),
        code => Kind::from_code(code),
    };
    let mut requests = Vec::new();
    for (j, r) in d.requests.into_iter().flatten().enumerate() {
        requests.push(request_from_wire(r, &format!("{dpath}.requests[{j}]"))?);
    }
    let y_axis = match d.yaxis {
        None => YAxis::default(),
        Some(y) => {
            let ypath = child(&dpath, "yaxis");
            YAxis {
                min: loose_number(y.known.min.as_ref(), &child(&ypath, "min"))?,
                max: loose_number(y.known.max.as_ref(), &child(&ypath, "max"))?,
                log: match y.known.scale.as_deref() {
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
    for (j, mk) in d.markers.into_iter().flatten().enumerate() {
        let value = match &mk.known.value {
            Some(NumberOrText::Text(s)) => marker_value(s),
            Some(NumberOrText::Number(n)) => n.as_f64(),
            None => None,
        };
        let Some(value) = value else {
            return err(
                &format!("{dpath}.markers[{j}].value"),
                "must be a number or \"y = <number>\"",
            );
        };
        markers.push(Marker {
            value,
            label: mk.known.label.unwrap_or_default(),
        });
    }
    if d.precision.is_some_and(|p| p > 12) {
        return err(&child(&dpath, "precision"), "must be a whole number 0–12");
    }
    let layout = match w.layout {
        None => None,
        Some(l) => Some(layout_from_wire(l.known, &child(path, "layout"))?),
    };
    Ok(Widget {
        id: w.id.unwrap_or_default(),
        definition: Definition {
            kind,
            title: d.title.unwrap_or_default(),
            requests,
            y_axis,
            markers,
            content: d.content.unwrap_or_default(),
            precision: d.precision,
            extra,
        },
        layout,
    })
}

fn layout_from_wire(l: wire::WidgetLayout, path: &str) -> Result<Rect, FieldError> {
    if l.x >= dogwatch_core::grid::COLUMNS {
        return err(
            &child(path, "x"),
            "must be less than 12 (the grid has 12 columns)",
        );
    }
    Ok(Rect {
        x: l.x,
        y: l.y,
        width: l.width.max(1),
        height: l.height.max(1),
    })
}

fn request_from_wire(r: Open<wire::WidgetRequest>, path: &str) -> Result<Request, FieldError> {
    let Open { known: r, extra } = r;
    let Some(q) = r.q else {
        return err(&child(path, "q"), "is required");
    };
    let display = match r.display_type {
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
    let palette = match r.style.and_then(|s| s.known.palette) {
        None => Palette::default(),
        Some(p) => Palette::from_wire(&p).map_or_else(
            || {
                err(
                    &format!("{path}.style.palette"),
                    format!("is not a palette dogwatch knows: \"{p}\""),
                )
            },
            Ok,
        )?,
    };
    let reducer = match r.aggregator {
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
    for (k, f) in r.conditional_formats.into_iter().flatten().enumerate() {
        let fpath = format!("{path}.conditional_formats[{k}]");
        let f = f.known;
        let comparator = f
            .comparator
            .and_then(|c| Comparator::from_code(&c))
            .map_or_else(
                || err(&child(&fpath, "comparator"), "must be >, >=, < or <="),
                Ok,
            )?;
        let value = loose_number(f.value.as_ref(), &child(&fpath, "value"))?
            .map_or_else(|| err(&child(&fpath, "value"), "is required"), Ok)?;
        let palette = f
            .palette
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
    let compare_to = match r.compare_to {
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
    Ok(Request {
        q,
        display,
        palette,
        reducer,
        conditional_formats,
        compare_to,
        relative: r.change_type.as_deref() == Some("relative"),
        extra,
    })
}

fn widget_to_wire(w: &Widget) -> Open<wire::Widget> {
    Open::new(wire::Widget {
        id: Some(w.id),
        definition: w.definition.to_wire(),
        layout: w.layout.map(|r| {
            Open::new(wire::WidgetLayout {
                x: r.x,
                y: r.y,
                width: r.width,
                height: r.height,
            })
        }),
    })
}

fn definition_to_wire(d: &Definition) -> Open<wire::WidgetDefinition> {
    let mut def = wire::WidgetDefinition {
        kind: d.kind.code().to_owned(),
        title: Some(d.title.clone()),
        precision: d.precision,
        ..wire::WidgetDefinition::default()
    };
    let requests = || {
        Some(
            d.requests
                .iter()
                .map(|r| request_to_wire(r, &d.kind))
                .collect(),
        )
    };
    match d.kind {
        Kind::Note => def.content = Some(d.content.clone()),
        // Written back as it came: dogwatch did not interpret it.
        Kind::Other(_) if d.requests.is_empty() => {}
        _ => def.requests = requests(),
    }
    if d.kind == Kind::Timeseries {
        let bound = |b: Option<f64>| {
            NumberOrText::Text(b.map_or_else(|| "auto".to_owned(), |v| v.to_string()))
        };
        def.yaxis = Some(Open::new(wire::WidgetAxis {
            min: Some(bound(d.y_axis.min)),
            max: Some(bound(d.y_axis.max)),
            scale: Some(if d.y_axis.log { "log" } else { "linear" }.to_owned()),
        }));
        def.markers = Some(
            d.markers
                .iter()
                .map(|m| {
                    Open::new(wire::WidgetMarker {
                        value: Some(NumberOrText::Text(format!("y = {}", m.value))),
                        label: Some(m.label.clone()),
                        display_type: Some("error dashed".to_owned()),
                    })
                })
                .collect(),
        );
    }
    Open {
        known: def,
        extra: d.extra.clone(),
    }
}

fn request_to_wire(r: &Request, kind: &Kind) -> Open<wire::WidgetRequest> {
    let mut out = wire::WidgetRequest {
        q: Some(r.q.clone()),
        ..wire::WidgetRequest::default()
    };
    match kind {
        Kind::Timeseries => {
            out.display_type = Some(r.display.name().to_owned());
            out.style = Some(Open::new(wire::RequestStyle {
                palette: Some(r.palette.wire_code().to_owned()),
            }));
        }
        Kind::QueryValue | Kind::Toplist => {
            out.aggregator = Some(r.reducer.code().to_owned());
            if *kind == Kind::QueryValue || !r.conditional_formats.is_empty() {
                let formats = r.conditional_formats.iter().map(|f| {
                    Open::new(wire::ConditionalFormat {
                        comparator: Some(f.comparator.code().to_owned()),
                        value: number(f.value),
                        palette: Some(f.palette.code().to_owned()),
                    })
                });
                out.conditional_formats = Some(formats.collect());
            }
        }
        Kind::Change => {
            out.compare_to = Some(r.compare_to.code().to_owned());
            let change = if r.relative { "relative" } else { "absolute" };
            out.change_type = Some(change.to_owned());
        }
        _ => {}
    }
    Open {
        known: out,
        extra: r.extra.clone(),
    }
}

#[cfg(test)]
mod tests;
