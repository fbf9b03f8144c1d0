//! What the render benchmark (`cargo xtask bench render`, tests/bench/render.mjs) calls from
//! JavaScript: mounting the real `Timeseries` component, the same code path as the explorer, on data
//! the benchmark generates. Trunk 0.21 puts the wasm module's exports on `window.wasmBindings`.

use std::cell::RefCell;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{QueryResponse, QuerySeries};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::chart::{
    ChartOptions, CrosshairSync, Display, GraphData, Marker, Palette, QueryStyle, YAxis,
};
use crate::components::timeseries::Timeseries;

thread_local! {
    /// One crosshair context for every graph the benchmark (or a test) mounts, so that graphs
    /// mounted side by side share it as a dashboard's do.
    static SYNC: CrosshairSync = CrosshairSync::new();
    /// The data `bench_prepare` turned into a query answer, for `bench_mount`.
    static PREPARED: RefCell<Option<GraphData>> = const { RefCell::new(None) };
    /// The options `bench_style` set, for the graphs mounted after it.
    static OPTIONS: RefCell<ChartOptions> = RefCell::new(ChartOptions::default());
    /// The options of every graph mounted, for `bench_restyle`.
    static MOUNTED: RefCell<Vec<RwSignal<ChartOptions>>> = const { RefCell::new(Vec::new()) };
}

/// Sets the chart options of the graphs mounted next: `display` and `palette` by their Datadog
/// names (unknown names keep the defaults), a log value axis, and one dashed marker at
/// `marker_value` labelled `marker_label` when the label is not empty. The browser tests use it to
/// draw what the explorer never asks for.
#[wasm_bindgen]
pub fn bench_style(display: &str, palette: &str, log: bool, marker_value: f64, marker_label: &str) {
    let options = ChartOptions {
        styles: vec![QueryStyle {
            display: Display::from_name(display).unwrap_or_default(),
            palette: Palette::from_name(palette).unwrap_or_default(),
        }],
        y_axis: YAxis {
            log,
            ..YAxis::default()
        },
        markers: (!marker_label.is_empty())
            .then(|| Marker {
                value: marker_value,
                label: marker_label.to_owned(),
            })
            .into_iter()
            .collect(),
        ..ChartOptions::default()
    };
    OPTIONS.with(|o| *o.borrow_mut() = options);
}

/// Turns one series (`ts_ms[i]`, `values[i]`) into the query answer the UI would have received from
/// the API, for `bench_mount`. Kept apart so that the benchmark times the chart, not this conversion
/// (as it hands uPlot its arrays ready-made).
#[wasm_bindgen]
pub fn bench_prepare(ts_ms: Vec<f64>, values: Vec<f64>) {
    let graph = GraphData {
        response: Arc::new(response(&ts_ms, &values)),
        range: TimeRange {
            from_ms: ts_ms.first().copied().unwrap_or_default() as i64,
            to_ms: ts_ms.last().copied().unwrap_or_default() as i64,
        },
    };
    PREPARED.with(|p| *p.borrow_mut() = Some(graph));
}

/// Mounts a `Timeseries` of the prepared data into `container`, its canvas `width` × `height` CSS
/// pixels, and returns the milliseconds the mount itself took. The canvas is drawn right after, in
/// the same task (Leptos runs effects as microtasks); its `data-draws` turns to 1 when it is.
#[wasm_bindgen]
pub fn bench_mount(container: web_sys::HtmlElement, width: u32, height: u32) -> f64 {
    let now = || {
        window()
            .performance()
            .map_or(0.0, |p: web_sys::Performance| p.now())
    };
    let started = now();
    let Some(graph) = PREPARED.with(|p| p.borrow().clone()) else {
        return 0.0;
    };
    let sync = SYNC.with(|s| *s);
    let options = RwSignal::new(OPTIONS.with(|o| o.borrow().clone()));
    MOUNTED.with(|m| m.borrow_mut().push(options));
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(sync);
        let graph = graph.clone();
        view! {
            <Timeseries
                graph=Signal::derive(move || Some(graph.clone()))
                options=options
            />
        }
    })
    .forget();
    // The stylesheet sizes the canvas to the page; the benchmark asks for its own size.
    // Property by property: a `style` attribute is refused by the Content-Security-Policy.
    if let Some(canvas) = container
        .query_selector("canvas")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let style = canvas.style();
        let _ = style.set_property("width", &format!("{width}px"));
        let _ = style.set_property("height", &format!("{height}px"));
    }
    now() - started
}

/// Gives every graph mounted so far the palette named `palette` (Datadog's name; unknown names give
/// the default): their data is drawn again in the new colors while the frame's layout (size, window,
/// value scale) stays the same, which the benchmark uses to count frame redraws.
#[wasm_bindgen]
pub fn bench_restyle(palette: &str) {
    let palette = Palette::from_name(palette).unwrap_or_default();
    MOUNTED.with(|m| {
        for options in m.borrow().iter() {
            options.update(|o| {
                let display = o.style(0).display;
                o.styles = vec![QueryStyle { display, palette }];
            });
        }
    });
}

/// `bench_prepare` then `bench_mount`: one series drawn in `container`.
#[wasm_bindgen]
pub fn bench_draw(
    container: web_sys::HtmlElement,
    ts_ms: Vec<f64>,
    values: Vec<f64>,
    width: u32,
    height: u32,
) -> f64 {
    bench_prepare(ts_ms, values);
    bench_mount(container, width, height)
}

/// A query answer holding one series.
fn response(ts_ms: &[f64], values: &[f64]) -> QueryResponse {
    let pointlist: Vec<(i64, Option<f64>)> = ts_ms
        .iter()
        .zip(values)
        .map(|(&ts, &v)| (ts as i64, v.is_finite().then_some(v)))
        .collect();
    let (start, end) = (
        pointlist.first().map_or(0, |p| p.0),
        pointlist.last().map_or(0, |p| p.0),
    );
    QueryResponse {
        status: "ok".into(),
        res_type: "time_series".into(),
        resp_version: 1,
        query: "bench".into(),
        from_date: start,
        to_date: end,
        group_by: vec![],
        message: String::new(),
        series: vec![QuerySeries {
            metric: "bench".into(),
            display_name: "bench".into(),
            expression: "bench".into(),
            scope: "*".into(),
            tag_set: vec![],
            aggr: None,
            interval: 1,
            length: pointlist.len(),
            query_index: 0,
            start,
            end,
            pointlist,
            attributes: Default::default(),
            unit: None,
            band: None,
        }],
        times: vec![],
        values: vec![],
    }
}
