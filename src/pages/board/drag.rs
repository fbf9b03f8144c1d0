//! Dragging on the board, with pointer events (mouse, pen, touch and automation alike; the HTML5
//! drag-and-drop API does none of touch well): a tray widget type or a metric name onto the grid, a
//! widget by its header, a widget's corner to resize it. While a drag is on, the grid shows where the
//! widget would land and the others reflow around it; releasing commits, releasing off the grid
//! cancels.

use dogwatch_core::grid::{self, COLUMNS, Rect};
use leptos::ev;
use leptos::prelude::*;

use super::{BoardCtx, new_definition};
use crate::pages::board::model::{Kind, Request};

/// Height of one grid row in CSS pixels, the gap between widgets included.
pub const ROW_PX: f64 = 90.0;
/// The id the widget being dropped has in the preview layout.
pub const PREVIEW_ID: i64 = -1;

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A widget type from the tray.
    New(Kind),
    /// A metric name from the metric list.
    Metric(String),
    /// A widget by its header; `grab` is where it was held, in cells from its top-left corner.
    Move { id: i64, grab: (f64, f64) },
    /// A widget by its corner.
    Resize { id: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drag {
    pub source: Source,
    /// Where it would land; `None` off the grid.
    pub target: Option<Rect>,
    /// For a metric: the timeseries widget under the pointer, which would get it as another query.
    pub onto: Option<i64>,
    /// The pointer, in client pixels (for the floating label).
    pub pointer: (f64, f64),
}

/// The pointer in grid cells (fractional), from the grid's box; `None` when off the grid.
fn cell_at(ctx: &BoardCtx, client: (f64, f64)) -> Option<(f64, f64)> {
    let rect = ctx.grid.get_untracked()?.get_bounding_client_rect();
    let (x, y) = (client.0 - rect.left(), client.1 - rect.top());
    let inside = x >= 0.0 && y >= 0.0 && x <= rect.width() && y <= rect.height();
    inside.then(|| (x / (rect.width() / f64::from(COLUMNS)), y / ROW_PX))
}

/// Where a widget of `size` held at `grab` lands when the pointer is at `cell`.
pub fn landing(cell: (f64, f64), grab: (f64, f64), size: (u32, u32)) -> Rect {
    let width = size.0.clamp(1, COLUMNS);
    let max_x = f64::from(COLUMNS - width);
    Rect {
        x: (cell.0 - grab.0).round().clamp(0.0, max_x) as u32,
        y: (cell.1 - grab.1).round().max(0.0) as u32,
        width,
        height: size.1.max(1),
    }
}

/// The size a resize drag gives a widget at `rect` when the pointer is at `cell`.
pub fn resized(rect: Rect, cell: (f64, f64)) -> Rect {
    let width = (cell.0.round() as i64 - i64::from(rect.x)).clamp(1, i64::from(COLUMNS - rect.x));
    let height = (cell.1.round() as i64 - i64::from(rect.y)).max(1);
    Rect {
        width: width as u32,
        height: height as u32,
        ..rect
    }
}

fn contains(r: &Rect, cell: (f64, f64)) -> bool {
    cell.0 >= f64::from(r.x)
        && cell.0 < f64::from(r.x + r.width)
        && cell.1 >= f64::from(r.y)
        && cell.1 < f64::from(r.y + r.height)
}

/// Starts a drag (from a `pointerdown`).
pub fn start(ctx: BoardCtx, source: Source, ev: &ev::PointerEvent) {
    if ev.button() != 0 {
        return;
    }
    // No text selection, no native image drag, no scrolling of a touch screen under the finger.
    ev.prevent_default();
    ctx.drag.set(Some(Drag {
        source,
        target: None,
        onto: None,
        pointer: (f64::from(ev.client_x()), f64::from(ev.client_y())),
    }));
}

fn follow(ctx: BoardCtx, client: (f64, f64)) {
    let Some(mut drag) = ctx.drag.get_untracked() else {
        return;
    };
    drag.pointer = client;
    let cell = cell_at(&ctx, client);
    let layout = ctx.layout();
    let rect_of = |id: i64| layout.iter().find(|(i, _)| *i == id).map(|(_, r)| *r);
    drag.onto = None;
    drag.target = match (&drag.source, cell) {
        (_, None) => None,
        (Source::New(kind), Some(cell)) => {
            let size = kind.default_size();
            Some(landing(cell, (f64::from(size.0) / 2.0, 0.5), size))
        }
        (Source::Metric(_), Some(cell)) => {
            let onto = ctx.board.with_untracked(|b| {
                b.as_ref().and_then(|b| {
                    b.widgets
                        .iter()
                        .find(|w| {
                            w.definition.kind == Kind::Timeseries
                                && w.layout.is_some_and(|r| contains(&r, cell))
                        })
                        .map(|w| w.id)
                })
            });
            drag.onto = onto;
            let size = Kind::Timeseries.default_size();
            onto.is_none()
                .then(|| landing(cell, (f64::from(size.0) / 2.0, 0.5), size))
        }
        (Source::Move { id, grab }, Some(cell)) => {
            rect_of(*id).map(|r| landing(cell, *grab, (r.width, r.height)))
        }
        (Source::Resize { id }, Some(cell)) => rect_of(*id).map(|r| resized(r, cell)),
    };
    ctx.drag.set(Some(drag));
}

fn finish(ctx: BoardCtx) {
    let Some(drag) = ctx.drag.get_untracked() else {
        return;
    };
    ctx.drag.set(None);
    match (drag.source, drag.target, drag.onto) {
        (Source::Metric(metric), _, Some(onto)) => ctx.commit(|b| {
            if let Some(w) = b.widget_mut(onto) {
                w.definition
                    .requests
                    .push(Request::new(format!("avg:{metric}{{*}}")));
            }
        }),
        (Source::Metric(metric), Some(rect), None) => {
            ctx.add_widget(new_definition(Kind::Timeseries, Some(&metric)), rect);
        }
        (Source::New(kind), Some(rect), _) => {
            let opens_editor = kind != Kind::Note;
            let id = ctx.add_widget(new_definition(kind, None), rect);
            if opens_editor {
                ctx.editing.set(Some(id));
            }
        }
        (Source::Move { id, .. } | Source::Resize { id }, Some(rect), _) => ctx.place(id, rect),
        _ => {}
    }
}

/// The keyboard's drop: a tray widget type or a metric goes to the first free place of the grid.
pub fn add_at_first_free(ctx: BoardCtx, source: Source) {
    let kind = match &source {
        Source::New(kind) => kind.clone(),
        Source::Metric(_) => Kind::Timeseries,
        Source::Move { .. } | Source::Resize { .. } => return,
    };
    let (width, height) = kind.default_size();
    let rect = grid::first_free(&ctx.layout(), width, height);
    ctx.drag.set(Some(Drag {
        source,
        target: Some(rect),
        onto: None,
        pointer: (0.0, 0.0),
    }));
    finish(ctx);
}

/// The layout the grid shows: the board's, or during a drag, where everything would be after the drop.
pub fn preview(ctx: &BoardCtx) -> grid::Placed {
    let layout = ctx
        .board
        .with(|b| b.as_ref().map(super::placed).unwrap_or_default());
    match ctx.drag.get() {
        Some(Drag {
            source: Source::Move { id, .. } | Source::Resize { id },
            target: Some(rect),
            ..
        }) => grid::place(&layout, id, rect),
        Some(Drag {
            source: Source::New(_) | Source::Metric(_),
            target: Some(rect),
            ..
        }) => grid::insert(&layout, PREVIEW_ID, rect),
        _ => layout,
    }
}

/// Follows the pointer on the whole window while a drag is on (the pointer leaves the element it
/// started on at once).
pub fn listen(ctx: BoardCtx) {
    let moved = window_event_listener(ev::pointermove, move |e: ev::PointerEvent| {
        if ctx.drag.with_untracked(Option::is_some) {
            follow(ctx, (f64::from(e.client_x()), f64::from(e.client_y())));
        }
    });
    let released = window_event_listener(ev::pointerup, move |e: ev::PointerEvent| {
        if ctx.drag.with_untracked(Option::is_some) {
            follow(ctx, (f64::from(e.client_x()), f64::from(e.client_y())));
            finish(ctx);
        }
    });
    let cancelled = window_event_listener(ev::pointercancel, move |_| ctx.drag.set(None));
    let escaped = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
        if e.key() == "Escape" {
            ctx.drag.set(None);
        }
    });
    on_cleanup(move || {
        moved.remove();
        released.remove();
        cancelled.remove();
        escaped.remove();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_widget_lands_under_the_pointer_inside_the_columns() {
        // Held by the middle of its top row: centred under the pointer.
        assert_eq!(
            landing((6.2, 1.7), (2.0, 0.5), (4, 3)),
            Rect {
                x: 4,
                y: 1,
                width: 4,
                height: 3
            }
        );
        // Near the right edge it stops at column 12.
        assert_eq!(landing((11.9, 0.2), (2.0, 0.5), (4, 3)).x, 8);
        // Above or left of the grid it stays at 0.
        assert_eq!(
            landing((0.1, 0.1), (2.0, 0.5), (4, 3)),
            Rect {
                x: 0,
                y: 0,
                width: 4,
                height: 3
            }
        );
    }

    #[test]
    fn resizing_follows_the_pointer_and_keeps_at_least_one_cell() {
        let r = Rect {
            x: 2,
            y: 1,
            width: 4,
            height: 3,
        };
        assert_eq!(
            resized(r, (8.4, 6.1)),
            Rect {
                x: 2,
                y: 1,
                width: 6,
                height: 5
            }
        );
        assert_eq!(
            resized(r, (0.0, 0.0)),
            Rect {
                x: 2,
                y: 1,
                width: 1,
                height: 1
            }
        );
        assert_eq!(resized(r, (30.0, 2.0)).width, 10);
    }
}
