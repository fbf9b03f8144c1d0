//! One dashboard: a 12-column grid of widgets built by dragging (widget types from the tray, metric
//! names from the metric list), moved by their header, resized from their corner, with keyboard
//! equivalents and undo; one timeframe and one set of template variables for every widget, both in the
//! URL. Every change is saved to the API straight away.

mod drag;
mod editor;
mod frame;
mod heatmap;
// Boards as plain data (no signals, tested natively): Datadog's dashboard JSON ⇄ `Board`, the
// numbers non-graph widgets show, and the board's URL state.
pub mod model;
mod timebar;
mod tray;
pub mod url;
pub mod values;
mod vars;
mod widget;

use dogwatch_core::grid::{self, Rect};
use dogwatch_core::template_vars::TemplateVar;
use dogwatch_core::timeframe::{TimeRange, Timeframe};
use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

use crate::api::{SharedBackend, use_backend};
use crate::app::Navigate;
use crate::chart::CrosshairSync;
use crate::pages::board::model::{Board, Definition, Kind, Widget};
use crate::pages::board::url::BoardView;
use crate::pages::dashboards;

pub use drag::Drag;

/// How many layout states undo remembers.
const UNDO_DEPTH: usize = 50;

/// Whether the last change reached the server.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Saving,
    Failed(String),
}

/// The board page's shared state, handed to its parts through context.
#[derive(Clone, Copy)]
pub struct BoardCtx {
    pub board: RwSignal<Option<Board>>,
    pub drag: RwSignal<Option<Drag>>,
    pub grid: NodeRef<Div>,
    pub editing: RwSignal<Option<i64>>,
    pub save_state: RwSignal<SaveState>,
    pub view: Memo<BoardView>,
    pub range: Memo<TimeRange>,
    pub vars: Memo<Vec<TemplateVar>>,
    history: StoredValue<Vec<Board>>,
    /// The timeframes this page went through, for Back.
    timeframes: StoredValue<Vec<Timeframe>>,
    pub can_go_back: RwSignal<bool>,
    save_queued: StoredValue<bool>,
    saving: StoredValue<bool>,
    navigate: Navigate,
    /// The board's own path (`/dashboard/:id` or with its slug), which view changes keep.
    path: Memo<String>,
    /// Kept here because saves start from event handlers, where there is no context to look in.
    backend: StoredValue<SharedBackend>,
    /// Whether the person may change boards; a read-only board has no tray, no widget controls,
    /// and never saves.
    pub editable: bool,
}

impl BoardCtx {
    /// Changes the board, remembers the state before for undo, and saves.
    pub fn commit(&self, change: impl FnOnce(&mut Board)) {
        if !self.editable {
            return;
        }
        let Some(before) = self.board.get_untracked() else {
            return;
        };
        let mut after = before.clone();
        change(&mut after);
        if after == before {
            return;
        }
        self.history.update_value(|h| {
            h.push(before);
            if h.len() > UNDO_DEPTH {
                h.remove(0);
            }
        });
        self.board.set(Some(after));
        self.save();
    }

    pub fn can_undo(&self) -> bool {
        self.history.with_value(|h| !h.is_empty())
    }

    /// Puts back the board as it was before the last change, and saves that.
    pub fn undo(&self) {
        if let Some(previous) = self.history.try_update_value(Vec::pop).flatten() {
            self.board.set(Some(previous));
            self.save();
        }
    }

    /// Stores the board; changes made while a save is in flight are stored right after it.
    pub fn save(&self) {
        if !self.editable {
            return;
        }
        if self.saving.get_value() {
            self.save_queued.set_value(true);
            return;
        }
        let Some(id) = self
            .board
            .with_untracked(|b| b.as_ref().and_then(|b| b.id.clone()))
        else {
            return;
        };
        self.saving.set_value(true);
        self.save_state.set(SaveState::Saving);
        let backend = self.backend.get_value();
        let ctx = *self;
        spawn_local(async move {
            loop {
                ctx.save_queued.set_value(false);
                let Some(body) = ctx.board.with_untracked(|b| b.as_ref().map(Board::to_wire))
                else {
                    break;
                };
                let result = backend.update_dashboard(&id, body).await;
                if ctx.save_queued.get_value() {
                    continue;
                }
                ctx.save_state.set(match result {
                    Ok(_) => SaveState::Saved,
                    Err(e) => SaveState::Failed(e.to_string()),
                });
                break;
            }
            ctx.saving.set_value(false);
        });
    }

    /// The widgets' places on the grid, in display order.
    pub fn layout(&self) -> grid::Placed {
        self.board
            .with_untracked(|b| b.as_ref().map(placed).unwrap_or_default())
    }

    /// Adds a widget at `rect` (others reflow) and returns its id.
    pub fn add_widget(&self, definition: Definition, rect: Rect) -> i64 {
        let id = self
            .board
            .with_untracked(|b| b.as_ref().map_or(1, Board::next_widget_id));
        self.commit(|b| {
            b.widgets.push(Widget {
                id,
                definition,
                layout: Some(rect),
            });
            let layout = grid::insert(&placed_without(b, id), id, rect);
            apply_layout(b, &layout);
        });
        id
    }

    /// Moves or resizes a widget (others reflow).
    pub fn place(&self, id: i64, rect: Rect) {
        self.commit(|b| {
            let layout = grid::place(&placed(b), id, rect);
            apply_layout(b, &layout);
        });
    }

    pub fn remove(&self, id: i64) {
        self.commit(|b| {
            let layout = grid::remove(&placed(b), id);
            b.widgets.retain(|w| w.id != id);
            apply_layout(b, &layout);
        });
    }

    /// Changes the view (timeframe, zone, variables) by navigating, so Back undoes it.
    pub fn set_view(&self, change: impl FnOnce(&mut BoardView)) {
        let mut next = self.view.get_untracked();
        change(&mut next);
        if next != self.view.get_untracked() {
            // The same path (with or without its slug), a new query: a new history entry.
            let url = format!("{}?{}", self.path.get_untracked(), next.to_search());
            self.navigate.view(&url);
        }
    }

    /// Shows another timeframe (a preset, a typed range, a zoom); Back returns to this one.
    pub fn set_timeframe(&self, timeframe: Timeframe) {
        let current = self.view.get_untracked().timeframe;
        if timeframe != current {
            self.timeframes.update_value(|t| t.push(current));
            self.can_go_back.set(true);
            self.set_view(|v| v.timeframe = timeframe);
        }
    }

    /// What a drag across a graph does: every widget shows that window, paused.
    pub fn zoom(&self) -> Callback<TimeRange> {
        let ctx = *self;
        Callback::new(move |range| ctx.set_timeframe(Timeframe::zoomed(range)))
    }

    /// Pauses or resumes without adding to Back's list.
    pub fn toggle_live(&self, now_ms: i64) {
        self.set_view(|v| {
            v.timeframe = if v.timeframe.is_live() {
                v.timeframe.pause(now_ms)
            } else {
                v.timeframe.resume()
            };
        });
    }

    /// Back to the timeframe before the last change.
    pub fn back(&self) {
        if let Some(t) = self.timeframes.try_update_value(Vec::pop).flatten() {
            self.can_go_back
                .set(self.timeframes.with_value(|p| !p.is_empty()));
            self.set_view(|v| v.timeframe = t);
        }
    }
}

/// Every widget's rect (the board has given each one a layout when it was loaded).
pub fn placed(b: &Board) -> grid::Placed {
    b.widgets
        .iter()
        .filter_map(|w| Some((w.id, w.layout?)))
        .collect()
}

fn placed_without(b: &Board, id: i64) -> grid::Placed {
    placed(b).into_iter().filter(|(i, _)| *i != id).collect()
}

fn apply_layout(b: &mut Board, layout: &[(i64, Rect)]) {
    for w in &mut b.widgets {
        if let Some((_, r)) = layout.iter().find(|(i, _)| *i == w.id) {
            w.layout = Some(*r);
        }
    }
}

/// Gives every widget without a layout (an ordered dashboard, a legacy timeboard) a place.
pub fn with_layout(mut b: Board) -> Board {
    let items: Vec<_> = b
        .widgets
        .iter()
        .map(|w| (w.id, w.layout, w.definition.kind.default_size()))
        .collect();
    let layout = grid::auto_place(&items);
    apply_layout(&mut b, &layout);
    b
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let query = use_query_map();
    let params = use_params_map();
    let path = use_location().pathname;
    let backend = use_backend();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let board = RwSignal::new(None::<Board>);
    let load_error = RwSignal::new(None::<String>);
    Effect::new({
        let backend = backend.clone();
        move |_| {
            let request = backend.dashboard(&id.get(), None);
            spawn_local(async move {
                match request.await.map(Board::from_wire) {
                    Ok(Ok(b)) => board.set(Some(with_layout(b))),
                    Ok(Err(e)) => {
                        load_error.set(Some(format!("This dashboard cannot be read: {e}")))
                    }
                    Err(e) => load_error.set(Some(e.to_string())),
                }
            });
        }
    });
    let names = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.template_variables
                        .iter()
                        .map(|t| t.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let view = Memo::new(move |_| {
        let names = names.get();
        query.with(|q| BoardView::from_params(|k| q.get(k), &names))
    });
    // The clock for live timeframes: ticks at the span's refresh period while live.
    let now_ms = RwSignal::new(js_sys::Date::now() as i64);
    Effect::new(move |_| {
        if let Some(period) = view.with(|v| v.timeframe.refresh_period_ms()) {
            let handle = set_interval_with_handle(
                move || now_ms.set(js_sys::Date::now() as i64),
                std::time::Duration::from_millis(period.max(1000) as u64),
            );
            now_ms.set(js_sys::Date::now() as i64);
            on_cleanup(move || {
                if let Ok(h) = handle {
                    h.clear();
                }
            });
        }
    });
    let range = Memo::new(move |_| view.with(|v| v.timeframe.range(now_ms.get())));
    let vars = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| view.with(|v| v.template_vars(&b.template_variables)))
                .unwrap_or_default()
        })
    });
    let ctx = BoardCtx {
        board,
        drag: RwSignal::new(None),
        grid: NodeRef::new(),
        editing: RwSignal::new(None),
        save_state: RwSignal::new(SaveState::Saved),
        view,
        range,
        vars,
        history: StoredValue::new(Vec::new()),
        timeframes: StoredValue::new(Vec::new()),
        can_go_back: RwSignal::new(false),
        save_queued: StoredValue::new(false),
        saving: StoredValue::new(false),
        navigate: Navigate::here(),
        path,
        backend: StoredValue::new(backend.clone()),
        editable: crate::session::use_session().can_edit(),
    };
    provide_context(ctx);
    provide_context(CrosshairSync::new());
    drag::listen(ctx);

    // Ctrl+Z / Cmd+Z undoes the last change, unless the user is typing in a field.
    let undo_keys = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
        let typing = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("z") && !typing {
            e.prevent_default();
            ctx.undo();
        }
    });
    on_cleanup(move || undo_keys.remove());

    let title = Memo::new(move |_| board.with(|b| b.as_ref().map(|b| b.title.clone())));
    view! {
        <section class="page board-page">
            {move || load_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            <Show when=move || title.with(Option::is_some) fallback=move || {
                (load_error.with(Option::is_none)).then(|| view! { <p class="state">"Loading dashboard…"</p> })
            }>
                <BoardHeader/>
                <timebar::TimeBar/>
                <vars::TemplateBar/>
                <div class="board-body" class:read-only=!ctx.editable>
                    {ctx.editable.then(|| view! { <tray::Tray/> })}
                    <frame::Grid/>
                </div>
                {move || ctx.editing.get().map(|id| view! { <editor::Editor id/> })}
            </Show>
        </section>
    }
}

#[component]
fn BoardHeader() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let title = Memo::new(move |_| {
        ctx.board
            .with(|b| b.as_ref().map(|b| b.title.clone()).unwrap_or_default())
    });
    let exporting = RwSignal::new(false);
    let status = move || match ctx.save_state.get() {
        SaveState::Saved => {
            view! { <span class="save-state">"All changes saved"</span> }.into_any()
        }
        SaveState::Saving => view! { <span class="save-state">"Saving…"</span> }.into_any(),
        SaveState::Failed(e) => {
            view! { <span class="save-state error" role="alert">"Not saved: " {e}</span> }
                .into_any()
        }
    };
    let rename = move |ev: ev::Event| {
        let text = event_target_value(&ev);
        if !text.trim().is_empty() {
            ctx.commit(|b| b.title = text.trim().to_owned());
        }
    };
    view! {
        <header class="page-header board-header">
            <a class="back-link" href=dashboards::PATH>"Dashboards"</a>
            <input class="board-title" aria-label="Dashboard title" prop:value=move || title.get() on:change=rename
                readonly=!ctx.editable/>
            {ctx.editable.then_some(status)}
            <div class="actions">
                {ctx.editable.then(|| view! {
                    <button type="button" class="secondary" disabled=move || { ctx.board.track(); !ctx.can_undo() }
                        on:click=move |_| ctx.undo() title="Undo the last change (Ctrl+Z)">"Undo"</button>
                })}
                <button type="button" class="secondary" on:click=move |_| exporting.set(true)>"Export JSON"</button>
            </div>
        </header>
        <Show when=move || exporting.get()>
            <ExportDialog on_close=Callback::new(move |()| exporting.set(false))/>
        </Show>
    }
}

#[component]
fn ExportDialog(on_close: Callback<()>) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let text = ctx
        .board
        .with_untracked(|b| b.as_ref().map(Board::export).unwrap_or_default());
    let href = format!(
        "data:application/json;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&text))
    );
    let file = ctx
        .board
        .with_untracked(|b| {
            b.as_ref()
                .map(|b| format!("{}.json", crate::pages::board::url::file_stem(&b.title)))
        })
        .unwrap_or_default();
    view! {
        <div class="modal-backdrop">
            <div class="modal wide" role="dialog" aria-modal="true" aria-label="Export dashboard JSON">
                <h2>"Export dashboard JSON"</h2>
                <p class="muted">"The board in Datadog's /api/v1/dashboard shape: import it here or POST it to a Datadog-compatible API."</p>
                <textarea class="json-output" aria-label="Exported JSON" rows="16" readonly spellcheck="false" prop:value=text></textarea>
                <div class="actions">
                    <a class="button secondary" href=href download=file>"Download"</a>
                    <button type="button" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
                </div>
            </div>
        </div>
    }
}

/// A new widget of this kind or of this metric, as dropped from the tray.
pub fn new_definition(kind: Kind, metric: Option<&str>) -> Definition {
    Definition::new(kind, metric)
}
