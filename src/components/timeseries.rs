//! A timeseries graph: two canvases drawn by dogwatch-chart (plotters-canvas), an HTML legend whose
//! entries hide and show their series, a hover tooltip with the time and each shown series' value
//! (and anomaly band) at the nearest bucket, a crosshair shared with the other graphs of a
//! `CrosshairSync` context, and drag-to-zoom.
//!
//! Drawing is the expensive part, so it happens only when it must: when the graph is on screen and
//! its own data, options or size changed since the last draw, and then the frame (grid, axes,
//! labels) only when its layout changed too. The crosshair, tooltip and drag selection are HTML
//! over the canvases, so moving the pointer never redraws them.

mod legend;
mod overlay;
mod state;
mod tooltip;

use std::collections::BTreeSet;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use leptos::ev;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;

use crate::chart::{
    self, ChartOptions, CrosshairSync, Frames, GraphData, Hover, Observers, PlotBox,
};
use legend::Legend;
use overlay::Crosshair;
use state::{DrawInput, DrawnView, canvas_attributes, selection_box};
use tooltip::{HoverCard, TooltipRefs, tooltip_rows};

#[component]
pub fn Timeseries(
    /// What to draw; `None` leaves the canvases as they are.
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
    let frame_ref = NodeRef::<Canvas>::new();
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

    let (size, visible) = watch_box(area_ref, frame_ref);
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
    let area_left = StoredValue::new(None::<f64>);
    // The hovered bucket is plain data, not a signal: the pointer moves often, and the crosshair and
    // tooltip are written straight into their elements (see `paint`), while `hovering` (whether the
    // tooltip is mounted) changes only as the pointer enters and leaves.
    let hover = StoredValue::new(None::<Hover>);
    let hovering = RwSignal::new(false);
    let crosshair_ref = NodeRef::<Div>::new();
    let crosshair = StoredValue::new_local(Crosshair::new(crosshair_ref));
    // What the pointer handlers read, taken at each draw.
    let drawn_view = StoredValue::new(DrawnView::default());
    let tip = StoredValue::new_local(TooltipRefs::default());
    let selection = RwSignal::new(None::<(f64, f64)>);
    let drag_from = StoredValue::new(None::<f64>);
    let (draw_error, set_draw_error) = signal(None::<String>);
    let draws = StoredValue::new(0_u64);
    let frames = StoredValue::new(Frames::default());
    // This graph's subscription to the crosshair context.
    let sync_id = StoredValue::new(None::<u64>);
    let last_drawn = StoredValue::new(None::<DrawInput>);

    let place_crosshair = move |x: Option<f64>| crosshair.update_value(|c| c.place(x));
    let paint = move || {
        hover.with_value(|h| {
            place_crosshair(h.as_ref().map(|h| h.x));
            if let Some(h) = h {
                let (flip, zone) = drawn_view.with_value(|v| {
                    let flip = v.plot.is_some_and(|p| h.x > (p.left + p.right) / 2.0);
                    (flip, v.zone.unwrap_or(chart::Zone::Local))
                });
                tip.update_value(|t| t.paint(h, flip, zone));
            }
        })
    };
    let refresh_hover = move || {
        let found = drawn_view.with_value(|v| match (v.plot, pointer_x.get_value()) {
            (Some(p), Some(x)) => chart::hover_at(&p, v.shown(), x),
            _ => None,
        });
        let Some(was_present) = hover.with_value(|h| (*h != found).then_some(h.is_some())) else {
            return;
        };
        let present = found.is_some();
        let ts_ms = found.as_ref().map(|h| h.ts_ms);
        hover.set_value(found);
        paint();
        // `hovering` follows `hover`: compared with the bucket left, not read (a signal read costs
        // more than the plain value).
        if was_present != present {
            hovering.set(present);
        }
        if let Some((sync, id)) = sync.zip(sync_id.get_value()) {
            sync.publish(id, ts_ms);
        }
    };
    // The time hovered on another graph of the same context: the crosshair goes there, unless the
    // pointer is over this graph.
    let follow = move |ts_ms: Option<i64>| {
        if hover.try_with_value(Option::is_none) != Some(true) {
            return;
        }
        let plot = drawn_view.with_value(|v| v.plot);
        let x = ts_ms.zip(plot).and_then(|(ts_ms, p)| {
            (p.range.from_ms..=p.range.to_ms)
                .contains(&ts_ms)
                .then(|| p.x_of(ts_ms))
        });
        place_crosshair(x);
    };
    if let Some(sync) = sync {
        sync_id.set_value(Some(sync.subscribe(follow)));
    }
    on_cleanup(move || {
        if let Some((sync, id)) = sync.zip(sync_id.try_get_value().flatten()) {
            sync.unsubscribe(id);
        }
    });

    Effect::new(move |_| {
        let (Some(back), Some(front), true, Some(input)) =
            (frame_ref.get(), canvas.get(), visible.get(), input.get())
        else {
            return;
        };
        if last_drawn.with_value(|last| last.as_ref() == Some(&input)) {
            return;
        }
        let painted = frames.try_update_value(|f| {
            let painted = chart::paint(
                &back,
                &front,
                f,
                &input.lines,
                &input.colors,
                input.range,
                &input.options,
            );
            painted.map(|p| (p, f.count))
        });
        match painted {
            Some(Ok((painted, frame_draws))) => {
                let count = draws.get_value() + 1;
                draws.set_value(count);
                for (name, value) in canvas_attributes(&painted, count, frame_draws) {
                    let _ = front.set_attribute(name, &value);
                }
                let plot_box = painted.layout.plot_box();
                plot.set(Some(plot_box));
                drawn_view.set_value(DrawnView::of(&input, plot_box));
                // Where another graph's crosshair now falls on this one.
                follow(sync.and_then(|s| s.ts_ms()));
                area_left.set_value(None);
                set_draw_error.set(None);
            }
            Some(Err(e)) => set_draw_error.set(Some(e)),
            None => {}
        }
        last_drawn.set_value(Some(input));
        // Keep the tooltip on the pointer across a live refresh.
        refresh_hover();
    });

    // The pointer's x in the chart area, from its client x and the area's left edge. The edge is
    // read when the pointer enters (and on the first move after a draw) rather than at every move,
    // which would make the browser lay the page out again each time.
    let x_of = move |ev: &ev::PointerEvent| {
        let left = match area_left.get_value() {
            Some(left) => left,
            None => {
                let left = area_ref.get_untracked()?.get_bounding_client_rect().left();
                area_left.set_value(Some(left));
                left
            }
        };
        Some(f64::from(ev.client_x()) - left)
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
    let on_enter = move |_: ev::PointerEvent| area_left.set_value(None);
    let on_leave = move |_: ev::PointerEvent| {
        area_left.set_value(None);
        pointer_x.set_value(None);
        refresh_hover();
    };

    let tooltip_rows = Memo::new(move |_| {
        lines.with(|l| colors.with(|c| effective.with(|o| tooltip_rows(l, c, &o.hidden))))
    });
    let selection_box = Memo::new(move |_| Some(selection_box(selection.get()?, &plot.get()?)));
    let px = move |pick: fn((f64, f64, f64, f64)) -> f64| {
        move || format!("{}px", selection_box.get().map(pick).unwrap_or_default())
    };
    let hidden = Signal::derive(move || effective.with(|o| o.hidden.clone()));
    let on_toggle = Callback::new(move |set| toggled.set(Some(set)));

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
                on:pointerenter=on_enter
                on:pointerleave=on_leave
            >
                // The data canvas first, so that it is the graph's first canvas; it is positioned,
                // so it lies over the frame whatever the order.
                <canvas node_ref=canvas class="chart-canvas" role="img" aria-label="Timeseries graph"></canvas>
                <canvas node_ref=frame_ref class="chart-frame" aria-hidden="true"></canvas>
                // The tooltip hangs from the crosshair, so that one write moves both.
                <div class="crosshair" node_ref=crosshair_ref style:display="none">
                    <Show when=move || hovering.get()>
                        <HoverCard tip rows=tooltip_rows paint/>
                    </Show>
                </div>
                <Show when=move || selection_box.with(Option::is_some)>
                    <div
                        class="chart-selection"
                        style:left=px(|b| b.0)
                        style:width=px(|b| b.1)
                        style:top=px(|b| b.2)
                        style:height=px(|b| b.3)
                    ></div>
                </Show>
            </div>
            {move || draw_error.get().map(|e| view! { <p class="state error">"The graph could not be drawn: " {e}</p> })}
            <Legend lines colors hidden on_toggle/>
        </div>
    }
}

/// Watches the graph's box: its size (the frame canvas' CSS box), and whether any of it is on
/// screen. Both are measured at once when the box mounts, so that a graph on screen draws without
/// waiting a frame for the observers' first reports; the observers keep them up to date afterwards.
fn watch_box(
    area_ref: NodeRef<Div>,
    frame_ref: NodeRef<Canvas>,
) -> (RwSignal<Option<(i32, i32)>>, RwSignal<bool>) {
    let size = RwSignal::new(None::<(i32, i32)>);
    let visible = RwSignal::new(false);
    let observers = StoredValue::new_local(None::<Observers>);
    let measure = move || {
        if let Some(c) = frame_ref.get_untracked() {
            let now = Some((c.client_width(), c.client_height()));
            if size.get_untracked() != now {
                size.set(now);
            }
        }
    };
    Effect::new(move |_| {
        let Some(area) = area_ref.get() else { return };
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
    (size, visible)
}
