//! How a graph is drawn, as a dashboard widget's editor or a monitor page sets it: per-query display
//! and palette, the value axis, markers, shaded regions, hidden series and the zone of the times.

use std::collections::BTreeSet;

use dogwatch_core::wire::{NumberOrText, WidgetDefinition};
use plotters::style::RGBAColor;

use crate::format::Zone;

/// How a graph is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartOptions {
    /// Per query (index = QuerySeries.query_index); missing entries use the defaults.
    pub styles: Vec<QueryStyle>,
    pub y_axis: YAxis,
    pub markers: Vec<Marker>,
    /// Stretches of time shaded across the plot's height, under the data (the monitor preview's
    /// alert, warning and no-data spans).
    pub regions: Vec<Region>,
    /// Series hidden by the legend, by line label (the legend toggles them; also settable).
    pub hidden: BTreeSet<String>,
    /// Times on the axis and in the tooltip in UTC rather than in the browser's zone.
    pub utc: bool,
}

impl ChartOptions {
    /// The style of query `query_index`: its entry, or the default.
    pub fn style(&self, query_index: usize) -> QueryStyle {
        self.styles.get(query_index).copied().unwrap_or_default()
    }

    /// The zone the times are shown in: UTC when asked, else the local zone (the browser's).
    pub fn zone(&self) -> Zone {
        Zone::utc_if(self.utc)
    }
}

/// How a query's series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Display {
    #[default]
    Line,
    Area,
    Bars,
}

impl Display {
    pub const ALL: [Display; 3] = [Display::Line, Display::Area, Display::Bars];

    /// The name Datadog's JSON uses (`display_type`).
    pub fn name(self) -> &'static str {
        match self {
            Display::Line => "line",
            Display::Area => "area",
            Display::Bars => "bars",
        }
    }

    pub fn from_name(name: &str) -> Option<Display> {
        Display::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Datadog's palettes (`style.palette`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    #[default]
    Classic,
    Cool,
    Warm,
    Purple,
    Orange,
    Gray,
}

impl Palette {
    pub const ALL: [Palette; 6] = [
        Palette::Classic,
        Palette::Cool,
        Palette::Warm,
        Palette::Purple,
        Palette::Orange,
        Palette::Gray,
    ];

    /// The name Datadog's JSON uses (`style.palette`).
    pub fn name(self) -> &'static str {
        match self {
            Palette::Classic => "classic",
            Palette::Cool => "cool",
            Palette::Warm => "warm",
            Palette::Purple => "purple",
            Palette::Orange => "orange",
            Palette::Gray => "gray",
        }
    }

    pub fn from_name(name: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.name() == name)
    }

    /// A palette as dashboards write it: Datadog's names (`dog_classic`, `grey`) and ours.
    pub fn from_wire(name: &str) -> Option<Palette> {
        match name {
            "dog_classic" | "classic" => Some(Palette::Classic),
            "grey" | "gray" => Some(Palette::Gray),
            other => Palette::from_name(other),
        }
    }

    /// The name written into a dashboard, as Datadog writes it.
    pub fn wire_code(self) -> &'static str {
        match self {
            Palette::Classic => "dog_classic",
            Palette::Gray => "grey",
            other => other.name(),
        }
    }
}

/// The style of one query's series.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueryStyle {
    pub display: Display,
    pub palette: Palette,
}

/// The value axis: fixed ends where set, and linear or logarithmic.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YAxis {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub log: bool,
}

/// A dashed horizontal line across the plot at `value`, with its label drawn by the backend as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub value: f64,
    pub label: String,
}

/// `"y = 800"`, `"800"`, `"y=800"`: Datadog writes markers as small equations.
pub fn marker_value(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s
        .strip_prefix('y')
        .map(|r| r.trim_start().trim_start_matches('=').trim())
        .unwrap_or(s);
    s.parse().ok()
}

/// A number Datadog writes as a number or as text (`"auto"` and anything else unreadable: none).
fn loose(v: Option<&NumberOrText>) -> Option<f64> {
    match v? {
        NumberOrText::Number(n) => n.as_f64(),
        NumberOrText::Text(s) => s.trim().parse().ok(),
    }
}

impl ChartOptions {
    /// How a timeseries widget's definition asks to be drawn, read leniently: what is missing or
    /// unknown is drawn the default way. (The board's editor reads the same members strictly and
    /// names the wrong one.) Times in UTC.
    pub fn of_widget(def: &WidgetDefinition) -> ChartOptions {
        let styles = def
            .requests
            .iter()
            .flatten()
            .map(|r| QueryStyle {
                display: r
                    .known
                    .display_type
                    .as_deref()
                    .and_then(Display::from_name)
                    .unwrap_or_default(),
                palette: r
                    .known
                    .style
                    .as_ref()
                    .and_then(|s| s.known.palette.as_deref())
                    .and_then(Palette::from_wire)
                    .unwrap_or_default(),
            })
            .collect();
        let y_axis = def.yaxis.as_ref().map_or_else(YAxis::default, |y| YAxis {
            min: loose(y.known.min.as_ref()),
            max: loose(y.known.max.as_ref()),
            log: y.known.scale.as_deref() == Some("log"),
        });
        let markers = def
            .markers
            .iter()
            .flatten()
            .filter_map(|m| {
                let value = match m.known.value.as_ref()? {
                    NumberOrText::Text(s) => marker_value(s)?,
                    NumberOrText::Number(n) => n.as_f64()?,
                };
                Some(Marker {
                    value,
                    label: m.known.label.clone().unwrap_or_default(),
                })
            })
            .collect();
        ChartOptions {
            styles,
            y_axis,
            markers,
            utc: true,
            ..ChartOptions::default()
        }
    }
}

/// A stretch of time `[from_ms, to_ms]` shaded in `fill`, translucent so that the grid shows through.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub from_ms: i64,
    pub to_ms: i64,
    pub fill: RGBAColor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_in_datadog_json() {
        for p in Palette::ALL {
            assert_eq!(Palette::from_name(p.name()), Some(p));
        }
        assert_eq!(Palette::Classic.name(), "classic");
        assert_eq!(Palette::from_name("gray"), Some(Palette::Gray));
        assert_eq!(Palette::from_name("grey"), None);
        for d in Display::ALL {
            assert_eq!(Display::from_name(d.name()), Some(d));
        }
        assert_eq!(Display::from_name("bars"), Some(Display::Bars));
        assert_eq!(Display::from_name("dots"), None);
    }

    #[test]
    fn a_query_without_a_style_gets_the_default() {
        let options = ChartOptions {
            styles: vec![QueryStyle {
                display: Display::Area,
                palette: Palette::Warm,
            }],
            ..ChartOptions::default()
        };
        assert_eq!(options.style(0).display, Display::Area);
        assert_eq!(options.style(3), QueryStyle::default());
        assert_eq!(options.zone(), Zone::Local);
        let utc = ChartOptions {
            utc: true,
            ..ChartOptions::default()
        };
        assert_eq!(utc.zone(), Zone::utc());
    }

    #[test]
    fn a_widget_definition_says_how_it_is_drawn_and_unknown_members_draw_the_default_way() {
        let def: WidgetDefinition = serde_json::from_value(serde_json::json!({
            "type": "timeseries",
            "requests": [
                {"q": "a", "display_type": "bars", "style": {"palette": "dog_classic"}},
                {"q": "b", "display_type": "dots", "style": {"palette": "warm"}},
                {"q": "c"}
            ],
            "yaxis": {"min": "auto", "max": 100, "scale": "log"},
            "markers": [{"value": "y = 80", "label": "high"}, {"value": "x"}, {"value": 5}]
        }))
        .expect("a definition");
        let o = ChartOptions::of_widget(&def);
        assert_eq!(
            o.styles,
            [
                QueryStyle {
                    display: Display::Bars,
                    palette: Palette::Classic
                },
                QueryStyle {
                    display: Display::Line,
                    palette: Palette::Warm
                },
                QueryStyle::default(),
            ]
        );
        assert_eq!(
            o.y_axis,
            YAxis {
                min: None,
                max: Some(100.0),
                log: true
            }
        );
        assert_eq!(
            o.markers,
            [
                Marker {
                    value: 80.0,
                    label: "high".into()
                },
                Marker {
                    value: 5.0,
                    label: String::new()
                },
            ]
        );
        assert!(o.utc);
        assert_eq!(Palette::from_wire("grey"), Some(Palette::Gray));
        assert_eq!(Palette::Gray.wire_code(), "grey");
        assert_eq!(marker_value("y=-2.5"), Some(-2.5));
    }
}
