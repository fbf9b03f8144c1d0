//! The grid and each widget's frame: header (the move handle, title, edit and remove), body, and the
//! resize corner. A focused widget moves with the arrow keys and resizes with shift+arrows. Widgets
//! are keyed by id, so moving one never rebuilds another's content.

use dogwatch_core::grid::{self, Nudge, Rect};
use leptos::ev;
use leptos::prelude::*;

use super::BoardCtx;
use super::drag::{self, PREVIEW_ID, ROW_PX, Source};
use super::widget::{WidgetBody, snapshot_definition};
use crate::components::send_snapshot::{SendSnapshot, Subject};
use crate::pages::board::model::{Definition, Kind};

/// Rows of empty grid kept below the last widget, to drop into.
const SPARE_ROWS: u32 = 3;

/// Where a rectangle of cells sits: CSS `left`, `top`, `width` and `height`. They are set one
/// property at a time (`style:left=…`), never as a `style` attribute, which the server's
/// Content-Security-Policy (`style-src 'self'`) refuses.
fn position(r: Rect) -> [String; 4] {
    [
        format!("calc({} * 100% / 12)", r.x),
        format!("{}px", f64::from(r.y) * ROW_PX),
        format!("calc({} * 100% / 12 - 10px)", r.width),
        format!("{}px", f64::from(r.height) * ROW_PX - 10.0),
    ]
}

#[component]
pub fn Grid() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let layout = Memo::new(move |_| drag::preview(&ctx));
    let ids = Memo::new(move |_| {
        ctx.board.with(|b| {
            b.as_ref()
                .map(|b| b.widgets.iter().map(|w| w.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        layout.with(|l| l.iter().map(|(_, r)| r.y + r.height).max().unwrap_or(0)) + SPARE_ROWS
    });
    let height = move || format!("{}px", f64::from(rows.get().max(5)) * ROW_PX);
    let placeholder = move || {
        let drag = ctx.drag.get()?;
        let rect = match drag.source {
            Source::New(_) | Source::Metric(_) => {
                layout.with(|l| l.iter().find(|(i, _)| *i == PREVIEW_ID).map(|(_, r)| *r))
            }
            Source::Move { id, .. } | Source::Resize { id } => drag
                .target
                .and(layout.with(|l| l.iter().find(|(i, _)| *i == id).map(|(_, r)| *r))),
        }?;
        let [left, top, width, height] = position(rect);
        Some(view! {
            <div class="drop-placeholder" style:left=left style:top=top style:width=width style:height=height></div>
        })
    };
    view! {
        <div class="board-grid" node_ref=ctx.grid style:height=height class:dragging=move || ctx.drag.with(Option::is_some)
            aria-label="Dashboard grid">
            {move || ids.with(Vec::is_empty).then(|| view! {
                <p class="grid-hint">{if ctx.editable {
                    "Drag a widget type or a metric from the left onto the board."
                } else {
                    "This dashboard has no widgets yet."
                }}</p>
            })}
            {placeholder}
            <For each=move || ids.get() key=|id| *id let:id>
                <WidgetFrame id layout/>
            </For>
        </div>
    }
}

#[component]
fn WidgetFrame(id: i64, layout: Memo<grid::Placed>) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let rect =
        Memo::new(move |_| layout.with(|l| l.iter().find(|(i, _)| *i == id).map(|(_, r)| *r)));
    let definition = Memo::new(move |_| {
        ctx.board.with(|b| {
            b.as_ref()
                .and_then(|b| b.widget(id))
                .map(|w| w.definition.clone())
        })
    });
    let title = Memo::new(move |_| {
        definition.with(|d| {
            d.as_ref()
                .map(|d| {
                    if d.title.is_empty() {
                        d.kind.label().to_owned()
                    } else {
                        d.title.clone()
                    }
                })
                .unwrap_or_default()
        })
    });
    let kind = Memo::new(move |_| {
        definition.with(|d| {
            d.as_ref()
                .map(|d| d.kind.code().to_owned())
                .unwrap_or_default()
        })
    });
    let body_def = Signal::derive(move || {
        definition
            .get()
            .unwrap_or_else(|| Definition::new(crate::pages::board::model::Kind::Note, None))
    });
    let dragged = move || {
        ctx.drag.with(|d| {
            d.as_ref().is_some_and(|d| matches!(d.source, Source::Move { id: m, .. } | Source::Resize { id: m } if m == id))
        })
    };
    let drop_onto = move || {
        ctx.drag
            .with(|d| d.as_ref().is_some_and(|d| d.onto == Some(id)))
    };

    let start_move = move |ev: ev::PointerEvent| {
        if !ctx.editable {
            return;
        }
        let Some(r) = rect.get_untracked() else {
            return;
        };
        let Some(grid_el) = ctx.grid.get_untracked() else {
            return;
        };
        let b = grid_el.get_bounding_client_rect();
        let col = b.width() / 12.0;
        let grab = (
            (f64::from(ev.client_x()) - b.left()) / col - f64::from(r.x),
            (f64::from(ev.client_y()) - b.top()) / ROW_PX - f64::from(r.y),
        );
        drag::start(ctx, Source::Move { id, grab }, &ev);
    };
    let start_resize = move |ev: ev::PointerEvent| drag::start(ctx, Source::Resize { id }, &ev);
    let on_key = move |ev: ev::KeyboardEvent| {
        // Only when the frame itself has focus: arrows inside a widget's controls keep their meaning.
        if ev.target() != ev.current_target() || !ctx.editable {
            return;
        }
        let nudge = match ev.key().as_str() {
            "ArrowLeft" => Nudge::Left,
            "ArrowRight" => Nudge::Right,
            "ArrowUp" => Nudge::Up,
            "ArrowDown" => Nudge::Down,
            "Delete" => {
                ctx.remove(id);
                return;
            }
            "Enter" => {
                ctx.editing.set(Some(id));
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(r) = rect.get_untracked() {
            ctx.place(id, grid::nudge(r, nudge, ev.shift_key()));
        }
    };
    let stop = |ev: ev::PointerEvent| ev.stop_propagation();
    // The widget as on screen now: its queries with the board's variables, over the board's window.
    let snapshot = Callback::new(move |()| {
        let def = definition.get_untracked()?;
        let definition = ctx.vars.with_untracked(|v| snapshot_definition(&def, v));
        // An untitled widget is known by its (first) query.
        let title = if def.title.trim().is_empty() {
            let first = definition.known.requests.iter().flatten().next();
            first.and_then(|r| r.known.q.clone()).unwrap_or_default()
        } else {
            def.title.clone()
        };
        Some(Subject {
            title,
            definition,
            range: ctx.range.get_untracked(),
        })
    });
    let side = move |i: usize| {
        move || {
            rect.get()
                .map(|r| position(r)[i].clone())
                .unwrap_or_default()
        }
    };
    let label = move || {
        format!(
            "{} widget: {}.{}",
            kind.get(),
            title.get(),
            if ctx.editable {
                " Arrows move it, shift+arrows resize it, Enter edits, Delete removes."
            } else {
                ""
            }
        )
    };
    let data_rect = move || {
        rect.get()
            .map(|r| format!("{},{},{},{}", r.x, r.y, r.width, r.height))
            .unwrap_or_default()
    };
    view! {
        <div class="widget" tabindex="0" style:left=side(0) style:top=side(1) style:width=side(2) style:height=side(3) data-widget-id=id.to_string() data-kind=move || kind.get()
            data-rect=data_rect class:lifted=dragged class:drop-onto=drop_onto
            aria-label=label on:keydown=on_key>
            <header class="widget-header" on:pointerdown=start_move title=ctx.editable.then_some("Drag to move")>
                <span class="widget-title">{move || title.get()}</span>
                {move || (kind.get() == Kind::Timeseries.code()).then(|| view! {
                    <SendSnapshot subject=snapshot compact=true
                        label=Signal::derive(move || format!("Send snapshot of {}", title.get()))/>
                })}
                {ctx.editable.then(|| view! {
                    <button type="button" class="icon" on:pointerdown=stop on:click=move |_| ctx.editing.set(Some(id))
                        aria-label=move || format!("Edit {}", title.get())>"Edit"</button>
                    <button type="button" class="icon" on:pointerdown=stop on:click=move |_| ctx.remove(id)
                        aria-label=move || format!("Remove {}", title.get())>"×"</button>
                })}
            </header>
            <div class="widget-body">
                <WidgetBody definition=body_def range=ctx.range vars=ctx.vars utc=Signal::derive(move || ctx.view.with(|v| v.utc))
                    on_zoom=ctx.zoom()/>
            </div>
            {ctx.editable.then(|| view! {
                <div class="resize-handle" on:pointerdown=start_resize title="Drag to resize" aria-hidden="true"></div>
            })}
        </div>
    }
}
