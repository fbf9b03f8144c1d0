//! A timeseries graph: the plotters canvas, an HTML legend, and a hover tooltip with the time and each
//! series' value (and anomaly band) at the nearest bucket. Redraws when the data or the window size
//! changes.

use std::sync::Arc;

use leptos::ev;
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::chart::{self, GraphData, Hover, Line, PlotBox};

#[component]
pub fn Timeseries(
    /// What to draw; `None` leaves the canvas as it is.
    #[prop(into)]
    graph: Signal<Option<GraphData>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let lines = Memo::new(move |_| {
        Arc::new(graph.with(|g| {
            g.as_ref()
                .map(|g| chart::lines(&g.response))
                .unwrap_or_default()
        }))
    });
    let resized = Trigger::new();
    let resize_listener = window_event_listener(ev::resize, move |_| resized.notify());
    on_cleanup(move || resize_listener.remove());

    let plot = StoredValue::new(None::<PlotBox>);
    let pointer_x = StoredValue::new(None::<f64>);
    let (hover, set_hover) = signal(None::<Hover>);
    let (draw_error, set_draw_error) = signal(None::<String>);
    let refresh_hover = move || {
        let found = match (plot.get_value(), pointer_x.get_value()) {
            (Some(p), Some(x)) => lines.with_untracked(|l| chart::hover_at(&p, l, x)),
            _ => None,
        };
        set_hover.set(found);
    };

    Effect::new(move |_| {
        resized.track();
        let range = graph.with(|g| g.as_ref().map(|g| g.range));
        let (Some(canvas), Some(range), lines) = (canvas.get(), range, lines.get()) else {
            return;
        };
        match chart::draw(&canvas, &lines, range) {
            Ok(drawn) => {
                // For tests and tools: what was drawn, and where the plotting area is in canvas pixels.
                let (l, t, r, b) = drawn.device_box;
                let _ = canvas.set_attribute("data-series", &drawn.series.to_string());
                let _ = canvas.set_attribute("data-points", &drawn.points.to_string());
                let _ = canvas.set_attribute("data-bands", &drawn.bands.to_string());
                let _ = canvas.set_attribute("data-anomalies", &drawn.anomalies.to_string());
                let _ = canvas.set_attribute("data-plot-area", &format!("{l},{t},{r},{b}"));
                plot.set_value(Some(drawn.plot));
                set_draw_error.set(None);
            }
            Err(e) => set_draw_error.set(Some(e)),
        }
        // Keep the tooltip on the pointer across a live refresh.
        refresh_hover();
    });

    let on_move = move |ev: ev::MouseEvent| {
        pointer_x.set_value(Some(f64::from(ev.offset_x())));
        refresh_hover();
    };
    let on_leave = move |_| {
        pointer_x.set_value(None);
        set_hover.set(None);
    };

    view! {
        <div class="timeseries">
            <div class="chart-area" on:mousemove=on_move on:mouseleave=on_leave>
                <canvas node_ref=canvas class="chart-canvas" role="img" aria-label="Timeseries graph"></canvas>
                {move || {
                    hover
                        .get()
                        .map(|h| {
                            // Past the middle, the tooltip opens to the left of the pointer.
                            let flip = plot.get_value().is_some_and(|p| h.x > (p.left + p.right) / 2.0);
                            view! { <HoverCard hover=h lines=lines.get() flip/> }
                        })
                }}
            </div>
            {move || draw_error.get().map(|e| view! { <p class="state error">"The graph could not be drawn: " {e}</p> })}
            <ul class="legend" aria-label="Series">
                {move || {
                    lines
                        .get()
                        .iter()
                        .enumerate()
                        .map(|(i, line)| view! { <LegendItem index=i line=line.clone()/> })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// One series in the legend: its color and label, and for an `anomalies()` series its band and how
/// many points fall outside it.
#[component]
fn LegendItem(index: usize, line: Line) -> impl IntoView {
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
    view! {
        <li class="legend-item">
            <span class="swatch" style:background-color=chart::css_color(index)></span>
            <span class="legend-label">{line.label.clone()}</span>
            {band}
        </li>
    }
}

/// The crosshair and tooltip for one hovered bucket. Labels and values go in as text.
#[component]
fn HoverCard(hover: Hover, lines: Arc<Vec<Line>>, flip: bool) -> impl IntoView {
    let left = format!("{}px", hover.x);
    let rows = lines
        .iter()
        .zip(&hover.values)
        .zip(&hover.bands)
        .enumerate()
        .map(|(i, ((line, value), band))| {
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
                    <span class="swatch" style:background-color=chart::css_color(i)></span>
                    <span class="tooltip-label">{line.label.clone()}</span>
                    <span class="tooltip-value">{value}</span>
                    {band}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="crosshair" style:left=left.clone()></div>
        <div class="tooltip" class:flip=flip role="tooltip" style:left=left>
            <div class="tooltip-time">{chart::time_of_day(hover.ts_ms)}</div>
            <ul>{rows}</ul>
        </div>
    }
}
