//! The trace view's three canvases, drawn by the chart crate: the waterfall and the flame graph,
//! each a fixed-height canvas that stays put (CSS `sticky`) inside a scrolling box whose spacer is
//! as tall as all the rows, so that a scroll redraws only the rows in view, never one DOM element
//! per span; and the minimap, where dragging chooses the window shown. Dragging across either
//! picture zooms to what was dragged over; a click selects the span under the pointer.

use std::sync::Arc;

use leptos::ev;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use web_sys::{HtmlCanvasElement, KeyboardEvent, MouseEvent};

use super::model::TraceModel;
use crate::chart::{
    self, FlameBar, WaterfallLayout, WaterfallRow, Window, draw_flame, draw_minimap, draw_waterfall,
};

const ROW_PX: f64 = 22.0;
const HEADER_PX: f64 = 22.0;
/// The label column: a third of the width, at most this.
const LABEL_PX: f64 = 300.0;
/// The plot's margin on the right (as the chart crate leaves it).
const RIGHT_PX: f64 = 8.0;
const FLAME_ROW_PX: f64 = 18.0;
/// The label column of a waterfall `width_px` wide.
fn label_px(width_px: i32) -> f64 {
    (f64::from(width_px) / 3.0).min(LABEL_PX)
}

/// A drag shorter than this is a click.
const MIN_DRAG_PX: f64 = 5.0;

/// What the view's canvases share: the trace, the window shown and the span selected.
#[derive(Clone, Copy)]
pub struct TraceView {
    pub model: StoredValue<Arc<TraceModel>>,
    pub window: RwSignal<Window>,
    pub selected: RwSignal<Option<usize>>,
}

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// Records how long a draw took and what it drew on the canvas, for the e2e test's figures.
fn note(canvas: &HtmlCanvasElement, started_ms: f64, drawn: usize) {
    let _ = canvas.set_attribute("data-draw-ms", &format!("{:.2}", now_ms() - started_ms));
    let _ = canvas.set_attribute("data-drawn", &drawn.to_string());
}

/// A trigger for the window being resized, removed with the view.
fn use_resize() -> Trigger {
    let resized = Trigger::new();
    let handle = window_event_listener(ev::resize, move |_| resized.notify());
    on_cleanup(move || handle.remove());
    resized
}

/// A scrolling box no taller than its content (plus its borders), up to its stylesheet's height.
fn fit_box(scroller: &web_sys::HtmlElement, content_px: f64) {
    let _ = scroller
        .style()
        .set_property("max-height", &format!("{}px", content_px.ceil() + 2.0));
}

/// The spacer's height: the content's less the canvas', so that the box scrolls over every row.
fn size_spacer(spacer: &web_sys::HtmlElement, content_px: f64, canvas_px: f64) {
    let _ = spacer.style().set_property(
        "height",
        &format!("{}px", (content_px - canvas_px).max(0.0)),
    );
}

/// The stretch being dragged over, shown over a picture (HTML, like the graphs' selection: the
/// picture is not redrawn while the pointer moves). `top` keeps it over the sticky canvas.
#[component]
fn DragBox(selection: RwSignal<Option<(f64, f64)>>, top: RwSignal<f64>) -> impl IntoView {
    move || {
        selection.get().map(|(a, b)| {
            view! {
                <div
                    class="chart-selection trace-selection"
                    style:left=format!("{}px", a.min(b))
                    style:width=format!("{}px", (a - b).abs())
                    style:top=format!("{}px", top.get())
                ></div>
            }
        })
    }
}

/// While a button is down over a picture, the stretch dragged over once it is long enough.
fn track_drag(
    drag_from: StoredValue<Option<(f64, f64)>>,
    selection: RwSignal<Option<(f64, f64)>>,
    min_x: impl Fn() -> f64 + Copy,
) -> impl Fn(MouseEvent) + Copy {
    move |ev: MouseEvent| {
        if let Some((x0, _)) = drag_from.get_value() {
            let min_x = min_x();
            let x = f64::from(ev.offset_x()).max(min_x);
            let dragged = (x - x0).abs() >= MIN_DRAG_PX && x0 >= min_x;
            selection.set(dragged.then_some((x0, x)));
        }
    }
}

#[component]
pub fn Waterfall(view: TraceView) -> impl IntoView {
    let TraceView {
        model,
        window: shown,
        selected,
    } = view;
    let scroller = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let spacer = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let resized = use_resize();
    let rows_total = model.with_value(|m| m.rows.len());

    let layout = move |top: f64, win: Window, origin_ns: i64, width_px: i32| {
        let first = (top / ROW_PX).floor();
        WaterfallLayout {
            window: win,
            origin_ns,
            label_px: label_px(width_px),
            row_px: ROW_PX,
            header_px: HEADER_PX,
            scrolled_px: top - first * ROW_PX,
            dpr: 1.0,
        }
    };
    Effect::new(move |_| {
        resized.track();
        if let (Some(sp), Some(c), Some(b)) = (spacer.get(), canvas.get(), scroller.get()) {
            let content = HEADER_PX + rows_total as f64 * ROW_PX;
            fit_box(&b, content);
            size_spacer(&sp, content, f64::from(c.client_height()));
        }
    });
    Effect::new(move |_| {
        resized.track();
        let (top, win, sel) = (scroll_top.get(), shown.get(), selected.get());
        let Some(c) = canvas.get() else { return };
        let started = now_ms();
        let drawn = model.with_value(|m| {
            let lay = layout(top, win, m.whole.from_ns, c.client_width());
            let first = ((top / ROW_PX).floor() as usize).min(m.rows.len());
            let last = (first + lay.rows_in(f64::from(c.client_height()))).min(m.rows.len());
            let rows: Vec<WaterfallRow> = m.rows[first..last]
                .iter()
                .map(|r| WaterfallRow {
                    bar: m.bar(r.span),
                    depth: r.depth,
                    label: &m.labels[r.span],
                    selected: sel == Some(r.span),
                })
                .collect();
            chart::paint_whole(&c, |root, dpr| {
                draw_waterfall(root, &rows, &WaterfallLayout { dpr, ..lay })
                    .map_err(|e| e.to_string())
            })
        });
        note(&c, started, drawn.unwrap_or(0));
    });
    // A span selected elsewhere (the flame graph) is scrolled into view.
    Effect::watch(
        move || selected.get(),
        move |sel, _, _| {
            let (Some(i), Some(box_el)) = (*sel, scroller.get_untracked()) else {
                return;
            };
            let row = model.with_value(|m| m.row_of.get(i).copied().unwrap_or(0)) as f64;
            let top = f64::from(box_el.scroll_top());
            let visible = f64::from(box_el.client_height()) - HEADER_PX - ROW_PX;
            if row * ROW_PX < top || row * ROW_PX > top + visible {
                box_el.set_scroll_top(((row * ROW_PX) - visible / 2.0).max(0.0) as i32);
            }
        },
        false,
    );

    let drag_from = StoredValue::new(None::<(f64, f64)>);
    let dragged = RwSignal::new(None::<(f64, f64)>);
    let on_down = move |ev: MouseEvent| {
        drag_from.set_value(Some((f64::from(ev.offset_x()), f64::from(ev.offset_y()))));
    };
    let labels_end = move || {
        canvas
            .get_untracked()
            .map_or(LABEL_PX, |c| label_px(c.client_width()))
    };
    let on_move = track_drag(drag_from, dragged, labels_end);
    // Arrows move the selection from row to row; Escape clears it.
    let on_key = move |ev: KeyboardEvent| {
        let step: i64 = match ev.key().as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            "Escape" => {
                selected.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        let next = model.with_value(|m| {
            let row = selected
                .get_untracked()
                .and_then(|i| m.row_of.get(i).copied())
                .map_or(0, |r| {
                    (r as i64 + step).clamp(0, m.rows.len() as i64 - 1) as usize
                });
            m.rows.get(row).map(|r| r.span)
        });
        selected.set(next);
    };
    let on_up = move |ev: MouseEvent| {
        let Some((x0, y0)) = drag_from.get_value() else {
            return;
        };
        drag_from.set_value(None);
        dragged.set(None);
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let (x1, y1) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let labels = label_px(c.client_width());
        let plot_w = f64::from(c.client_width()) - labels - RIGHT_PX;
        let win = shown.get_untracked();
        if (x1 - x0).abs() >= MIN_DRAG_PX && x0.min(x1) >= labels {
            let at = |x: f64| win.at((x - labels).clamp(0.0, plot_w), plot_w);
            let (a, b) = (at(x0.min(x1)), at(x0.max(x1)));
            shown.set(Window::new(a, b.max(a + 1_000)));
            return;
        }
        let top = scroll_top.get_untracked();
        let lay = model.with_value(|m| layout(top, win, m.whole.from_ns, c.client_width()));
        let Some(r) = lay.row_at(y0.max(y1)) else {
            return;
        };
        let first = (top / ROW_PX).floor() as usize;
        if let Some(row) = model.with_value(|m| m.rows.get(first + r).copied()) {
            selected.set(Some(row.span));
        }
    };
    view! {
        <div
            class="waterfall"
            node_ref=scroller
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <canvas
                class="waterfall-canvas"
                node_ref=canvas
                role="img"
                tabindex="0"
                aria-label="Waterfall: one row per span, depth first. The up and down arrows select the spans in turn."
                on:mousedown=on_down
                on:mousemove=on_move
                on:mouseup=on_up
                on:mouseleave=move |_| {
                    drag_from.set_value(None);
                    dragged.set(None);
                }
                on:keydown=on_key
            ></canvas>
            <DragBox selection=dragged top=scroll_top/>
            <div class="waterfall-spacer" node_ref=spacer></div>
        </div>
    }
}

#[component]
pub fn Flame(view: TraceView) -> impl IntoView {
    let TraceView {
        model,
        window: shown,
        selected,
    } = view;
    let scroller = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let spacer = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let resized = use_resize();
    let depths = model.with_value(|m| m.by_depth.len());
    Effect::new(move |_| {
        resized.track();
        if let (Some(sp), Some(c), Some(b)) = (spacer.get(), canvas.get(), scroller.get()) {
            let content = depths as f64 * FLAME_ROW_PX;
            fit_box(&b, content);
            size_spacer(&sp, content, f64::from(c.client_height()));
        }
    });
    Effect::new(move |_| {
        resized.track();
        let (top, win, sel) = (scroll_top.get(), shown.get(), selected.get());
        let Some(c) = canvas.get() else { return };
        let started = now_ms();
        let first = (top / FLAME_ROW_PX).floor() as usize;
        let rows = (f64::from(c.client_height()) / FLAME_ROW_PX).ceil() as usize + 1;
        let drawn = model.with_value(|m| {
            let bars: Vec<FlameBar> = m
                .by_depth
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .flat_map(|(depth, level)| {
                    level.iter().map(move |&i| FlameBar {
                        row: depth - first,
                        bar: m.bar(i),
                        label: &m.labels[i],
                        selected: sel == Some(i),
                    })
                })
                .collect();
            chart::paint_whole(&c, |root, dpr| {
                draw_flame(root, &bars, win, FLAME_ROW_PX, dpr).map_err(|e| e.to_string())
            })
        });
        note(&c, started, drawn.unwrap_or(0));
    });
    let drag_from = StoredValue::new(None::<(f64, f64)>);
    let dragged = RwSignal::new(None::<(f64, f64)>);
    let on_move = track_drag(drag_from, dragged, || 0.0);
    let on_up = move |ev: MouseEvent| {
        let Some((x0, y0)) = drag_from.get_value() else {
            return;
        };
        drag_from.set_value(None);
        dragged.set(None);
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let width = f64::from(c.client_width());
        let win = shown.get_untracked();
        let x1 = f64::from(ev.offset_x());
        if (x1 - x0).abs() >= MIN_DRAG_PX {
            let (a, b) = (win.at(x0.min(x1), width), win.at(x0.max(x1), width));
            shown.set(Window::new(a, b.max(a + 1_000)));
            return;
        }
        let depth = ((y0 + scroll_top.get_untracked()) / FLAME_ROW_PX).floor() as usize;
        let found = model.with_value(|m| m.span_at(depth, win.at(x0, width)));
        if found.is_some() {
            selected.set(found);
        }
    };
    view! {
        <div
            class="flame"
            node_ref=scroller
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <canvas
                class="flame-canvas"
                node_ref=canvas
                role="img"
                aria-label="Flame graph: one row per depth"
                on:mousedown=move |ev: MouseEvent| drag_from.set_value(Some((f64::from(ev.offset_x()), f64::from(ev.offset_y()))))
                on:mousemove=on_move
                on:mouseup=on_up
                on:mouseleave=move |_| {
                    drag_from.set_value(None);
                    dragged.set(None);
                }
            ></canvas>
            <DragBox selection=dragged top=scroll_top/>
            <div class="flame-spacer" node_ref=spacer></div>
        </div>
    }
}

#[component]
pub fn Minimap(view: TraceView) -> impl IntoView {
    let TraceView {
        model,
        window: shown,
        ..
    } = view;
    let canvas = NodeRef::<Canvas>::new();
    let resized = use_resize();
    // As tall as its rows (the chart gives each at most 6 px), between 12 and 48 px.
    let rows = model.with_value(|m| m.rows.len());
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let height = (rows as f64 * 6.0).clamp(12.0, 48.0);
            let _ = web_sys::HtmlElement::style(&c).set_property("height", &format!("{height}px"));
        }
    });
    Effect::new(move |_| {
        resized.track();
        let win = shown.get();
        let Some(c) = canvas.get() else { return };
        let started = now_ms();
        let drawn = model.with_value(|m| {
            let bars = m
                .rows
                .iter()
                .enumerate()
                .map(|(r, row)| (r, m.bar(row.span)));
            chart::paint_whole(&c, |root, _| {
                draw_minimap(root, bars, m.rows.len(), m.whole, win).map_err(|e| e.to_string())
            })
        });
        note(&c, started, drawn.unwrap_or(0));
    });
    let drag_from = StoredValue::new(None::<f64>);
    let on_up = move |ev: MouseEvent| {
        let Some(x0) = drag_from.get_value() else {
            return;
        };
        drag_from.set_value(None);
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let width = f64::from(c.client_width());
        let whole = model.with_value(|m| m.whole);
        let x1 = f64::from(ev.offset_x());
        let next = if (x1 - x0).abs() >= MIN_DRAG_PX {
            let (a, b) = (whole.at(x0.min(x1), width), whole.at(x0.max(x1), width));
            Window::new(a, b.max(a + 1_000))
        } else {
            // A click moves the window, as wide as it was, to be centred there.
            let win = shown.get_untracked();
            let half = win.duration_ns() / 2;
            let center = whole
                .at(x1, width)
                .clamp(whole.from_ns + half, whole.to_ns - half);
            Window::new(center - half, center - half + win.duration_ns())
        };
        shown.set(next);
    };
    view! {
        <canvas
            class="minimap"
            node_ref=canvas
            role="img"
            aria-label="Minimap of the whole trace: drag to choose the window shown"
            on:mousedown=move |ev: MouseEvent| drag_from.set_value(Some(f64::from(ev.offset_x())))
            on:mouseup=on_up
        ></canvas>
    }
}
