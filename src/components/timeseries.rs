//! A timeseries graph: the canvas, an HTML legend whose entries hide and show their series, a hover
//! tooltip with the time and each shown series' value (and anomaly band) at the nearest bucket, a
//! crosshair shared with the other graphs of a `CrosshairSync` context, and drag-to-zoom.
//!
//! Drawing is the expensive part, so it happens only when it must: when the graph is on screen and
//! its own data, options or size changed since the last draw. The crosshair, tooltip and drag
//! selection are HTML over the canvas, so moving the pointer never redraws it.

use std::collections::BTreeSet;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use leptos::ev;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;

use crate::chart::{
    self, ChartOptions, CrosshairSync, GraphData, Hover, Line, Observers, PlotBox, Rgb,
};

/// Everything one draw depends on. Two equal inputs draw the same picture, so the second is skipped.
#[derive(Debug, Clone)]
struct DrawInput {
    lines: Arc<Vec<Line>>,
    colors: Arc<Vec<Rgb>>,
    range: TimeRange,
    options: ChartOptions,
    /// The canvas' CSS box: width, height.
    size: (i32, i32),
}

impl PartialEq for DrawInput {
    fn eq(&self, other: &Self) -> bool {
        // The lines come from a memo that already compared them by value: the same Arc means the
        // same lines, and comparing pointers spares walking every point again.
        Arc::ptr_eq(&self.lines, &other.lines)
            && self.colors == other.colors
            && self.range == other.range
            && self.options == other.options
            && self.size == other.size
    }
}

#[component]
pub fn Timeseries(
    /// What to draw; `None` leaves the canvas as it is.
    #[prop(into)]
    graph: Signal<Option<GraphData>>,
    /// Styles, axis, markers and hidden series.
    #[prop(into, optional)]
    options: Signal<ChartOptions>,
    /// Called with the window selected by dragging across the plot; without it, dragging does nothing.
    #[prop(optional, into)]
    on_zoom: Option<Callback<TimeRange>>,
) -> impl IntoView {
    let area_ref = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let sync = use_context::<CrosshairSync>();

    let lines = Memo::new(move |_| {
        Arc::new(graph.with(|g| {
            g.as_ref()
                .map(|g| chart::lines(&g.response))
                .unwrap_or_default()
        }))
    });
    let range = Memo::new(move |_| graph.with(|g| g.as_ref().map(|g| g.range)));
    // The legend's toggles, once used, win over the options' hidden set until the options change it.
    let toggled = RwSignal::new(None::<BTreeSet<String>>);
    Effect::watch(
        move || options.with(|o| o.hidden.clone()),
        move |_, _, _| toggled.set(None),
        false,
    );
    let effective = Memo::new(move |_| {
        let mut o = options.get();
        if let Some(hidden) = toggled.get() {
            o.hidden = hidden;
        }
        o
    });
    let colors = Memo::new(move |_| {
        let queries: Vec<usize> = lines.with(|l| l.iter().map(|l| l.query_index).collect());
        Arc::new(effective.with(|o| chart::series_colors(&queries, o)))
    });

    let size = RwSignal::new(None::<(i32, i32)>);
    let visible = RwSignal::new(false);
    let observers = StoredValue::new_local(None::<Observers>);
    let measure = move || {
        if let Some(c) = canvas.get_untracked() {
            let now = Some((c.client_width(), c.client_height()));
            if size.get_untracked() != now {
                size.set(now);
            }
        }
    };
    Effect::new(move |_| {
        let Some(area) = area_ref.get() else { return };
        // Measure and look now, so that a graph on screen draws without waiting a frame for the
        // observers' first reports; they keep both up to date afterwards.
        measure();
        visible.set(chart::on_screen_now(&area));
        let watching = Observers::watch(&area, measure, move |on_screen| {
            if visible.get_untracked() != on_screen {
                visible.set(on_screen);
            }
        });
        observers.set_value(watching);
    });
    on_cleanup(move || {
        // Disconnects the observers.
        observers.try_set_value(None);
    });

    let input = Memo::new(move |_| {
        Some(DrawInput {
            lines: lines.get(),
            colors: colors.get(),
            range: range.get()?,
            options: effective.get(),
            size: size.get()?,
        })
    });

    let plot = RwSignal::new(None::<PlotBox>);
    let pointer_x = StoredValue::new(None::<f64>);
    let hover = RwSignal::new(None::<Hover>);
    let selection = RwSignal::new(None::<(f64, f64)>);
    let drag_from = StoredValue::new(None::<f64>);
    let (draw_error, set_draw_error) = signal(None::<String>);
    let draws = StoredValue::new(0_u64);
    let last_drawn = StoredValue::new(None::<DrawInput>);

    let refresh_hover = move || {
        let found = match (plot.get_untracked(), pointer_x.get_value()) {
            (Some(p), Some(x)) => lines.with_untracked(|l| {
                effective.with_untracked(|o| chart::hover_at(&p, shown(l, &o.hidden), x))
            }),
            _ => None,
        };
        if hover.with_untracked(|h| *h != found) {
            if let Some(CrosshairSync(ts)) = sync {
                ts.set(found.as_ref().map(|h| h.ts_ms));
            }
            hover.set(found);
        }
    };

    Effect::new(move |_| {
        let (Some(canvas), true, Some(input)) = (canvas.get(), visible.get(), input.get()) else {
            return;
        };
        if last_drawn.with_value(|last| last.as_ref() == Some(&input)) {
            return;
        }
        match chart::draw(
            &canvas,
            &input.lines,
            &input.colors,
            input.range,
            &input.options,
        ) {
            Ok(drawn) => {
                // For tests and tools: what was drawn, where the plotting area is in canvas pixels,
                // and how many times the canvas was drawn.
                let (l, t, r, b) = drawn.device_box;
                let count = draws.get_value() + 1;
                draws.set_value(count);
                let attributes = [
                    ("data-series", drawn.series.to_string()),
                    ("data-points", drawn.points.to_string()),
                    ("data-drawn-points", drawn.drawn_points.to_string()),
                    ("data-hidden", drawn.hidden.to_string()),
                    ("data-bands", drawn.bands.to_string()),
                    ("data-anomalies", drawn.anomalies.to_string()),
                    ("data-plot-area", format!("{l},{t},{r},{b}")),
                    ("data-draws", count.to_string()),
                ];
                for (name, value) in attributes {
                    let _ = canvas.set_attribute(name, &value);
                }
                plot.set(Some(drawn.plot));
                set_draw_error.set(None);
            }
            Err(e) => set_draw_error.set(Some(e)),
        }
        last_drawn.set_value(Some(input));
        // Keep the tooltip on the pointer across a live refresh.
        refresh_hover();
    });

    // The pointer's x in the chart area, from the event's client position: `offsetX` would be
    // relative to whichever overlay the pointer is over.
    let x_of = move |ev: &ev::PointerEvent| {
        let area = area_ref.get_untracked()?;
        Some(f64::from(ev.client_x()) - area.get_bounding_client_rect().left())
    };
    let on_down = move |ev: ev::PointerEvent| {
        let (Some(_), Some(x), 0) = (on_zoom, x_of(&ev), ev.button()) else {
            return;
        };
        if let Some(area) = area_ref.get_untracked() {
            // Keep receiving moves (and the release) when the pointer leaves the graph mid-drag.
            let _ = area.set_pointer_capture(ev.pointer_id());
        }
        drag_from.set_value(Some(x));
    };
    let on_move = move |ev: ev::PointerEvent| {
        let Some(x) = x_of(&ev) else { return };
        pointer_x.set_value(Some(x));
        refresh_hover();
        if let Some(from) = drag_from.get_value() {
            selection.set(Some((from, x)));
        }
    };
    let on_up = move |ev: ev::PointerEvent| {
        let (Some(from), Some(to)) = (drag_from.get_value(), x_of(&ev)) else {
            return;
        };
        drag_from.set_value(None);
        selection.set(None);
        let picked = plot
            .get_untracked()
            .and_then(|p| chart::selected_range(&p, from, to));
        if let (Some(range), Some(on_zoom)) = (picked, on_zoom) {
            on_zoom.run(range);
        }
    };
    let on_cancel = move |_: ev::PointerEvent| {
        drag_from.set_value(None);
        selection.set(None);
    };
    let on_leave = move |_: ev::PointerEvent| {
        pointer_x.set_value(None);
        refresh_hover();
    };

    // Where the crosshair stands: at the hovered bucket here, or at the time hovered on another graph.
    let crosshair_x = Memo::new(move |_| {
        if let Some(h) = hover.with(|h| h.as_ref().map(|h| h.x)) {
            return Some(h);
        }
        let ts_ms = sync.and_then(|CrosshairSync(ts)| ts.get())?;
        let p = plot.get()?;
        (p.range.from_ms..=p.range.to_ms)
            .contains(&ts_ms)
            .then(|| p.x_of(ts_ms))
    });
    let selection_box = move || {
        let (a, b) = selection.get()?;
        let p = plot.get()?;
        let (l, r) = (
            a.min(b).clamp(p.left, p.right),
            a.max(b).clamp(p.left, p.right),
        );
        Some((l, r - l, p.top, p.bottom - p.top))
    };

    view! {
        <div class="timeseries">
            <div
                node_ref=area_ref
                class="chart-area"
                class:zoomable=on_zoom.is_some()
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_cancel
                on:pointerleave=on_leave
            >
                <canvas node_ref=canvas class="chart-canvas" role="img" aria-label="Timeseries graph"></canvas>
                {move || {
                    crosshair_x
                        .get()
                        .map(|_| view! { <div class="crosshair" style:left=move || px(crosshair_x.get())></div> })
                }}
                {move || {
                    selection_box()
                        .map(|(left, width, top, height)| {
                            view! {
                                <div
                                    class="chart-selection"
                                    style:left=format!("{left}px")
                                    style:width=format!("{width}px")
                                    style:top=format!("{top}px")
                                    style:height=format!("{height}px")
                                ></div>
                            }
                        })
                }}
                {move || {
                    hover
                        .get()
                        .map(|h| {
                            // Past the middle, the tooltip opens to the left of the pointer.
                            let flip = plot
                                .get_untracked()
                                .is_some_and(|p| h.x > (p.left + p.right) / 2.0);
                            let rows = tooltip_rows(&lines.get_untracked(), &colors.get_untracked(), &effective.with_untracked(|o| o.hidden.clone()));
                            view! { <HoverCard hover=h rows flip/> }
                        })
                }}
            </div>
            {move || draw_error.get().map(|e| view! { <p class="state error">"The graph could not be drawn: " {e}</p> })}
            <ul class="legend" aria-label="Series">
                {move || {
                    let hidden = effective.with(|o| o.hidden.clone());
                    let colors = colors.get();
                    lines
                        .get()
                        .iter()
                        .zip(colors.iter())
                        .map(|(line, &color)| {
                            let is_hidden = hidden.contains(&line.label);
                            let label = line.label.clone();
                            let toggle = Callback::new(move |()| {
                                let mut set = effective.with_untracked(|o| o.hidden.clone());
                                if !set.remove(&label) {
                                    set.insert(label.clone());
                                }
                                toggled.set(Some(set));
                            });
                            view! { <LegendItem line=line.clone() color is_hidden toggle/> }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

fn px(x: Option<f64>) -> String {
    format!("{}px", x.unwrap_or_default())
}

/// The lines not hidden.
fn shown<'a>(
    lines: &'a [Line],
    hidden: &'a BTreeSet<String>,
) -> impl Iterator<Item = &'a Line> + Clone {
    lines.iter().filter(|l| !hidden.contains(&l.label))
}

/// The tooltip's label and color for each shown line, in the order `hover_at` reports values.
fn tooltip_rows(
    lines: &[Line],
    colors: &[Rgb],
    hidden: &BTreeSet<String>,
) -> Vec<(String, String)> {
    lines
        .iter()
        .zip(colors)
        .filter(|(l, _)| !hidden.contains(&l.label))
        .map(|(l, &c)| (l.label.clone(), chart::css(c)))
        .collect()
}

/// One series in the legend: a button with its color and label that hides or shows it, and for an
/// `anomalies()` series its band and how many points fall outside it.
#[component]
fn LegendItem(line: Line, color: Rgb, is_hidden: bool, toggle: Callback<()>) -> impl IntoView {
    let band = line.band.as_ref().map(|band| {
        let outside = chart::anomalies(&line).len();
        let outside = (outside > 0).then(|| {
            let words = if outside == 1 {
                "1 point outside".to_owned()
            } else {
                format!("{outside} points outside")
            };
            view! {
                <span class="legend-anomalies">
                    <span class="dot" style:background-color=chart::ANOMALY_CSS></span>
                    {words}
                </span>
            }
        });
        view! {
            <span class="legend-band">
                <span class="swatch band" style:background-color=chart::BAND_CSS></span>
                {band.describe()}
            </span>
            {outside}
        }
    });
    let title = if is_hidden { "Show" } else { "Hide" };
    view! {
        <li class="legend-entry" class:hidden=is_hidden>
            <button
                type="button"
                class="legend-item"
                aria-pressed=if is_hidden { "false" } else { "true" }
                title=format!("{title} {}", line.label)
                on:click=move |_| toggle.run(())
            >
                <span class="swatch" style:background-color=chart::css(color)></span>
                <span class="legend-label">{line.label.clone()}</span>
            </button>
            {band}
        </li>
    }
}

/// The tooltip for one hovered bucket: `rows` are the shown lines' labels and colors, in the order of
/// `hover.values`. Labels and values go in as text.
#[component]
fn HoverCard(hover: Hover, rows: Vec<(String, String)>, flip: bool) -> impl IntoView {
    let left = format!("{}px", hover.x);
    let rows = rows
        .into_iter()
        .zip(&hover.values)
        .zip(&hover.bands)
        .map(|(((label, color), value), band)| {
            let value = value.map_or_else(|| "no data".to_owned(), chart::format_value);
            let band = band.map(|(lo, hi)| {
                let range = format!(
                    "band {} – {}",
                    chart::format_value(lo),
                    chart::format_value(hi)
                );
                view! { <span class="tooltip-band">{range}</span> }
            });
            view! {
                <li>
                    <span class="swatch" style:background-color=color></span>
                    <span class="tooltip-label">{label}</span>
                    <span class="tooltip-value">{value}</span>
                    {band}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="tooltip" class:flip=flip role="tooltip" style:left=left>
            <div class="tooltip-time">{chart::time_of_day(hover.ts_ms)}</div>
            <ul>{rows}</ul>
        </div>
    }
}
