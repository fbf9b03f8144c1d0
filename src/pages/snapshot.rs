//! A snapshot's page (`/snapshot/<id>`): the graph as it was frozen, drawn again from the answers the
//! server kept (hover and legend work; no query runs), its title, who sent it and when, the
//! message, and the thread of comments with a box to add one (@mentions notify). Its sender or an
//! admin may delete it. `visit` is the page a visitor who is not signed in gets: the graph and
//! title of a public snapshot, the login form for a private one.

pub mod visit;

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{Snapshot, SnapshotComment};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Element;

use crate::api::{Abort, ApiError, use_backend};
use crate::chart::{self, ChartOptions, GraphData, merge_answers};
use crate::components::message_editor::{MessageEditor, use_mentions};
use crate::components::timeseries::Timeseries;
use crate::dom::{self, add, add_text, attr};
use crate::session::use_session;

/// Where snapshots' pages live: `/snapshot/<id>`.
pub const PREFIX: &str = "/snapshot/";

/// A snapshot's page. Ids are the server's (hex digits), so they need no escaping.
pub fn snapshot_path(id: &str) -> String {
    format!("{PREFIX}{id}")
}

/// The picture the server drew of a snapshot.
pub fn picture_path(id: &str) -> String {
    format!("/api/v1/dogwatch/snapshot/view/{id}.png")
}

/// The id in a snapshot page's path, if `path` is one.
pub fn id_in_path(path: &str) -> Option<&str> {
    let id = path.strip_prefix(PREFIX)?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// What the graph shows: the frozen answers merged as a widget merges its requests' answers, over
/// the frozen window; none when the server kept no answer.
pub fn frozen_graph(s: &Snapshot) -> Option<GraphData> {
    Some(GraphData {
        response: Arc::new(merge_answers(&s.answers)?),
        range: TimeRange {
            from_ms: s.from_ms,
            to_ms: s.to_ms,
        },
    })
}

/// How the frozen definition asks to be drawn, with times in the browser's zone.
pub fn frozen_options(s: &Snapshot) -> ChartOptions {
    ChartOptions {
        utc: false,
        ..ChartOptions::of_widget(&s.definition.known)
    }
}

/// A time in the browser's zone, e.g. "Nov 21, 2025, 10:04".
fn when(ts_ms: i64) -> String {
    chart::Zone::Local
        .at(ts_ms)
        .format("%b %-d, %Y, %H:%M")
        .to_string()
}

/// Why a snapshot cannot be shown: gone (unknown, expired or deleted: the server's 404), or the
/// API's error in words.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Gone,
    Error(String),
}

impl Failure {
    fn of(e: &ApiError) -> Failure {
        match e {
            ApiError::Rejected { status: 404, .. } => Failure::Gone,
            other => Failure::Error(other.to_string()),
        }
    }
}

/// The words for a snapshot that cannot be shown.
fn failure_view(failure: Failure) -> impl IntoView {
    match failure {
        Failure::Gone => view! {
            <div class="state idle" data-testid="snapshot-gone">
                <p>"This snapshot does not exist or has expired."</p>
                <p>"Snapshots can be set to expire, and their sender can delete them."</p>
            </div>
        }
        .into_any(),
        Failure::Error(words) => {
            view! { <p class="state error" role="alert">{words}</p> }.into_any()
        }
    }
}

/// Asks for snapshot `id` once, aborting the request if the page goes away first; the document's
/// title follows.
fn load(id: &str) -> RwSignal<Option<Result<Snapshot, ApiError>>> {
    let loaded = RwSignal::new(None);
    let abort = Abort::new();
    let request = use_backend().snapshot(id, abort.signal().as_ref());
    let in_flight = StoredValue::new_local(Some(abort));
    on_cleanup(move || {
        in_flight.try_update_value(Option::take);
    });
    document().set_title("Snapshot · dogwatch");
    spawn_local(async move {
        let answer = request.await;
        if let Ok(s) = &answer {
            document().set_title(&format!("{} · Snapshot · dogwatch", s.title));
        }
        loaded.try_set(Some(answer));
        in_flight.try_update_value(Option::take);
    });
    loaded
}

/// The title and the frozen window: what even a visitor of a public link sees above the graph.
#[component]
fn FrozenGraph(snapshot: Snapshot) -> impl IntoView {
    let window = chart::window_label(
        TimeRange {
            from_ms: snapshot.from_ms,
            to_ms: snapshot.to_ms,
        },
        chart::Zone::Local,
    );
    let graph = frozen_graph(&snapshot);
    let empty = graph
        .as_ref()
        .is_none_or(|g| g.response.series.iter().all(|s| s.pointlist.is_empty()));
    let options = frozen_options(&snapshot);
    view! {
        <div class="panel snapshot-graph">
            <div class="panel-head">
                <h2 class="snapshot-window">{window}</h2>
                <span class="panel-status">"Frozen when it was sent"</span>
            </div>
            {empty.then(|| view! { <p class="state empty">"There was no data in this window when the snapshot was taken."</p> })}
            <Timeseries graph=Signal::stored(graph) options=Signal::stored(options)/>
        </div>
    }
}

#[component]
pub fn SnapshotPage(
    id: String,
    /// Where to go once the snapshot is deleted.
    on_deleted: Callback<()>,
) -> impl IntoView {
    let loaded = load(&id);
    // The page is drawn once per snapshot; new comments go into the thread only.
    let shown = Memo::new(move |_| {
        loaded.with(|l| match l {
            None => None,
            Some(Ok(s)) => Some(Ok(s.id.clone())),
            Some(Err(e)) => Some(Err(Failure::of(e))),
        })
    });
    move || match shown.get() {
        None => {
            view! { <section class="page"><p class="state">"Loading the snapshot…"</p></section> }
                .into_any()
        }
        Some(Err(failure)) => {
            view! { <section class="page snapshot-page">{failure_view(failure)}</section> }
                .into_any()
        }
        Some(Ok(_)) => {
            let snapshot = loaded.with_untracked(|l| l.clone().and_then(Result::ok));
            snapshot
                .map(|s| view! { <Discussed snapshot=s loaded on_deleted/> })
                .into_any()
        }
    }
}

/// The whole snapshot, as a signed-in reader sees it.
#[component]
fn Discussed(
    snapshot: Snapshot,
    loaded: RwSignal<Option<Result<Snapshot, ApiError>>>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let backend = use_backend();
    let confirm = RwSignal::new(false);
    // The question takes the focus, so that Escape (or Enter on Cancel) answers it.
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    let delete_error = RwSignal::new(None::<String>);
    let id = snapshot.id.clone();
    let delete = move |_| {
        let request = backend.delete_snapshot(&id);
        spawn_local(async move {
            match request.await {
                Ok(()) => on_deleted.run(()),
                Err(e) => {
                    confirm.try_set(false);
                    delete_error.try_set(Some(format!("The snapshot was not deleted: {e}")));
                }
            }
        });
    };
    let comments = Signal::derive(move || {
        loaded.with(|l| match l {
            Some(Ok(s)) => s.comments.clone().unwrap_or_default(),
            _ => Vec::new(),
        })
    });
    let on_comment = Callback::new(move |c: SnapshotComment| {
        loaded.update(|l| {
            if let Some(Ok(s)) = l {
                s.comments.get_or_insert_with(Vec::new).push(c);
            }
        });
    });
    let sent_by = match &snapshot.sender {
        Some(p) => format!(
            "Sent by {} (@{}) on {}",
            p.name,
            p.handle,
            when(snapshot.created_ms)
        ),
        None => format!("Sent on {}", when(snapshot.created_ms)),
    };
    let expiry = match snapshot.expires_ms {
        Some(ms) => format!("Expires {}", when(ms)),
        None => "Never expires".to_owned(),
    };
    let message = snapshot.message.clone().filter(|m| !m.trim().is_empty());
    let (title, public, can_delete, png) = (
        snapshot.title.clone(),
        snapshot.public,
        snapshot.can_delete,
        snapshot.png_url.clone(),
    );
    let id = snapshot.id.clone();
    view! {
        <section class="page snapshot-page">
            <header class="page-header">
                <h1>{title}</h1>
                {public.then(|| view! { <span class="badge public-badge" title="Anyone with the link sees the graph and title">"Public link"</span> })}
                <div class="actions">
                    <a class="button secondary" href=png download="">"Picture (PNG)"</a>
                    {can_delete.then(|| view! {
                        <button type="button" class="danger" on:click=move |_| confirm.set(true)>"Delete"</button>
                    })}
                </div>
            </header>
            {move || delete_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            <p class="muted snapshot-meta">{sent_by} " · " {expiry}</p>
            {message.map(|m| view! { <pre class="snapshot-message">{m}</pre> })}
            <FrozenGraph snapshot/>
            <Thread id comments on_comment/>
            <Show when=move || confirm.get()>
                <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { confirm.set(false) }>
                    <div class="modal" role="dialog" aria-modal="true" aria-label="Delete snapshot">
                        <p>"Delete this snapshot? Its link stops working and its comments go with it."</p>
                        <div class="actions">
                            <button type="button" class="secondary" node_ref=cancel on:click=move |_| confirm.set(false)>"Cancel"</button>
                            <button type="button" class="danger" on:click=delete.clone()>"Delete snapshot"</button>
                        </div>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// The comments, oldest first, and the box to add one.
#[component]
fn Thread(
    id: String,
    #[prop(into)] comments: Signal<Vec<SnapshotComment>>,
    on_comment: Callback<SnapshotComment>,
) -> impl IntoView {
    let backend = use_backend();
    let mentions = use_mentions(&backend);
    let text = RwSignal::new(String::new());
    let posting = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let post = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() || posting.get_untracked() {
            return;
        }
        posting.set(true);
        error.set(None);
        let request = backend.comment_snapshot(&id, &body);
        spawn_local(async move {
            match request.await {
                Ok(comment) => {
                    on_comment.run(comment);
                    text.try_set(String::new());
                }
                Err(e) => {
                    error.try_set(Some(format!("The comment was not posted: {e}")));
                }
            }
            posting.try_set(false);
        });
    };
    // Whoever --anonymous-viewer lets in reads the thread; writing in it takes signing in.
    let may_comment = use_session().me().is_some_and(|me| !me.anonymous);
    view! {
        <section class="snapshot-thread" aria-labelledby="snapshot-comments">
            <h2 id="snapshot-comments">"Comments"</h2>
            {dom::host("comment-list", Box::new(move |el| comments.with(|list| thread(el, list))))}
            <p class="muted" hidden=may_comment>"Sign in to comment."</p>
            <form class="comment-form" on:submit=post hidden=!may_comment>
                <label class="field-label" for="snapshot-comment">"Add a comment"</label>
                <MessageEditor plain=true id="snapshot-comment"
                    placeholder="Reply; @mention someone to tell them"
                    value=Signal::derive(move || text.get())
                    on_input=Callback::new(move |t| text.set(t))
                    mentions previews=Signal::derive(Vec::new)/>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || posting.get() || text.with(|t| t.trim().is_empty())>
                        {move || if posting.get() { "Posting…" } else { "Comment" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The comments as text: author, time, words.
fn thread(el: &Element, comments: &[SnapshotComment]) {
    if comments.is_empty() {
        add_text(el, "p", "muted", "No comments yet.");
        return;
    }
    let ol = add(el, "ol", "comments");
    for c in comments {
        let li = add(&ol, "li", "comment");
        attr(&li, "data-event-id", &c.event_id.to_string());
        let head = add(&li, "p", "comment-head");
        let author = match &c.author {
            Some(p) => format!("{} (@{})", p.name, p.handle),
            None => "An API client".to_owned(),
        };
        add_text(&head, "span", "comment-author", &author);
        add_text(&head, "span", "muted comment-time", &when(c.ts_ms));
        add_text(&li, "p", "comment-text", &c.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_page_is_known_by_its_path() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(id_in_path(&snapshot_path(id)), Some(id));
        assert_eq!(id_in_path("/snapshot/abc/"), Some("abc"));
        assert_eq!(id_in_path("/snapshot/"), None);
        assert_eq!(id_in_path("/snapshot/a/b"), None);
        assert_eq!(id_in_path("/snapshots/abc"), None);
        assert_eq!(id_in_path("/metric/explorer"), None);
        assert_eq!(
            picture_path(id),
            "/api/v1/dogwatch/snapshot/view/0123456789abcdef0123456789abcdef.png"
        );
    }

    fn answer(query: &str, points: &[(i64, f64)]) -> serde_json::Value {
        serde_json::json!({
            "status": "ok", "res_type": "time_series", "resp_version": 1, "query": query,
            "from_date": 0, "to_date": 300_000, "group_by": [], "message": "",
            "series": [{
                "metric": "my_metric", "display_name": "my_metric", "expression": query,
                "scope": "*", "tag_set": [], "aggr": "avg", "interval": 20,
                "length": points.len(), "query_index": 0, "start": 0, "end": 280_000,
                "pointlist": points.iter().map(|(t, v)| serde_json::json!([t, v])).collect::<Vec<_>>(),
            }],
        })
    }

    #[test]
    fn the_frozen_answers_draw_as_the_widget_drew_them_in_the_browsers_zone() {
        let snapshot: Snapshot = serde_json::from_value(serde_json::json!({
            "id": "ab", "title": "t", "url": "/snapshot/ab",
            "png_url": "/api/v1/dogwatch/snapshot/view/ab.png",
            "definition": {"type": "timeseries", "requests": [
                {"q": "avg:my_metric{*}", "display_type": "bars"}, {"q": "max:my_metric{*}"}
            ]},
            "from_ms": 0, "to_ms": 300_000,
            "answers": [answer("avg:my_metric{*}", &[(0, 1.0), (20_000, 2.0)]),
                        answer("max:my_metric{*}", &[(0, 3.0)])],
            "public": true, "created_ms": 300_000
        }))
        .expect("a public snapshot, without the members about people");
        assert_eq!(snapshot.sender, None);
        let graph = frozen_graph(&snapshot).expect("a graph");
        assert_eq!(
            graph.range,
            TimeRange {
                from_ms: 0,
                to_ms: 300_000
            }
        );
        let indexes: Vec<usize> = graph
            .response
            .series
            .iter()
            .map(|s| s.query_index)
            .collect();
        assert_eq!(indexes, [0, 1]);
        let options = frozen_options(&snapshot);
        assert!(!options.utc);
        assert_eq!(options.style(0).display, chart::Display::Bars);
        let gone = Snapshot {
            answers: Vec::new(),
            ..snapshot
        };
        assert_eq!(frozen_graph(&gone), None);
    }
}
