//! "Send snapshot": a button beside a graph, and its dialog. A snapshot freezes exactly what is on
//! screen: the graph's timeseries definition and the window shown go to the server, which runs the
//! queries once over that window and keeps the answers; the message's @mentions are notified.
//! The dialog shows the window in words (it cannot be changed here), a public-link choice and an
//! expiry; once sent, the link to the snapshot's page.

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{Open, SNAPSHOT_EXPIRIES, Snapshot, SnapshotRequest, WidgetDefinition};
use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::use_backend;
use crate::chart::{self, Marker, YAxis};
use crate::components::message_editor::{MessageEditor, use_mentions};
use crate::pages::board::model::{Definition, Kind, Request};
use crate::pages::snapshot::snapshot_path;
use crate::session::use_session;

/// What a snapshot of a graph would freeze: its title (the dialog's first guess), its definition and
/// the window on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub title: String,
    pub definition: Open<WidgetDefinition>,
    pub range: TimeRange,
}

/// A timeseries widget's definition drawing `queries` (one request each), as dashboards write it:
/// through the board model, so that a graph outside a board is frozen in the same shape.
pub fn timeseries(
    title: &str,
    queries: &[String],
    y_axis: YAxis,
    markers: Vec<Marker>,
) -> Open<WidgetDefinition> {
    let mut def = Definition::new(Kind::Timeseries, None);
    def.title = title.to_owned();
    def.requests = queries.iter().map(Request::new).collect();
    def.y_axis = y_axis;
    def.markers = markers;
    def.to_wire()
}

/// The top-level queries of a comma list (`avg:a{*}, avg:b{x,y}`), each its own request so that
/// each keeps its colours; the whole text when it does not parse (the server will say why).
pub fn split_queries(text: &str) -> Vec<String> {
    match dogwatch_core::query::parse(text) {
        Ok(list) => list
            .exprs
            .iter()
            .map(|e| e.span.text(text).to_owned())
            .collect(),
        Err(_) => vec![text.to_owned()],
    }
}

/// The words for an expiry of [`SNAPSHOT_EXPIRIES`].
pub fn expiry_label(code: &str) -> &'static str {
    match code {
        "1h" => "1 hour",
        "1d" => "1 day",
        "7d" => "7 days",
        "30d" => "30 days",
        _ => "Never",
    }
}

/// A window's length in words, rounded: "5 minutes", "1 hour", "7 days".
pub fn duration_words(ms: i64) -> String {
    let secs = (ms / 1000).max(0);
    let (n, unit) = match secs {
        s if s < 120 => (s, "second"),
        s if s < 2 * 3600 => ((s + 30) / 60, "minute"),
        s if s < 2 * 86_400 => ((s + 1800) / 3600, "hour"),
        s => ((s + 43_200) / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The request the dialog sends: the subject as it was when the dialog opened, and its choices.
pub fn request(
    subject: &Subject,
    title: &str,
    message: &str,
    public: bool,
    expires: &str,
) -> SnapshotRequest {
    let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    SnapshotRequest {
        title: given(title),
        message: given(message),
        definition: subject.definition.clone(),
        from_ms: subject.range.from_ms,
        to_ms: subject.range.to_ms,
        public,
        expires: Some(expires.to_owned()),
    }
}

/// The "Send snapshot" button; `subject` is asked when it is pressed (none: nothing on screen to
/// freeze), and the dialog keeps that answer while it is open.
#[component]
pub fn SendSnapshot(
    subject: Callback<(), Option<Subject>>,
    /// A small button, for a widget's header.
    #[prop(optional)]
    compact: bool,
    /// The button's accessible name when it needs more than "Send snapshot" (which widget's).
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let open = RwSignal::new(None::<Subject>);
    let class = if compact {
        "icon snapshot-button"
    } else {
        "secondary snapshot-button"
    };
    let on_close = Callback::new(move |()| open.set(None));
    // Whoever --anonymous-viewer lets in may look, not share: the server would refuse.
    let may_send = use_session().me().is_some_and(|me| !me.anonymous);
    may_send.then(move || {
        view! {
            <button type="button" class=class
                aria-label=move || label.map(|l| l.get())
                on:pointerdown=|ev: ev::PointerEvent| ev.stop_propagation()
                on:click=move |_| open.set(subject.run(()))>
                "Send snapshot"
            </button>
            {move || open.get().map(|subject| view! { <SnapshotDialog subject on_close/> })}
        }
    })
}

#[component]
fn SnapshotDialog(subject: Subject, on_close: Callback<()>) -> impl IntoView {
    let backend = use_backend();
    let mentions = use_mentions(&backend);
    let title = RwSignal::new(subject.title.clone());
    let message = RwSignal::new(String::new());
    let public = RwSignal::new(false);
    let expires = RwSignal::new(SNAPSHOT_EXPIRIES[0].to_owned());
    let sending = RwSignal::new(false);
    let sent = RwSignal::new(None::<Snapshot>);
    let error = RwSignal::new(None::<String>);
    let window = format!(
        "{} ({})",
        chart::window_label(subject.range, chart::Zone::Local),
        duration_words(subject.range.to_ms - subject.range.from_ms)
    );
    let subject = StoredValue::new(subject);
    let send = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() || sent.with_untracked(Option::is_some) {
            return;
        }
        let body = subject.with_value(|s| {
            request(
                s,
                &title.get_untracked(),
                &message.get_untracked(),
                public.get_untracked(),
                &expires.get_untracked(),
            )
        });
        sending.set(true);
        error.set(None);
        let answer = backend.create_snapshot(body);
        spawn_local(async move {
            match answer.await {
                Ok(snapshot) => {
                    sent.try_set(Some(snapshot));
                }
                Err(e) => {
                    error.try_set(Some(format!("The snapshot was not sent: {e}")));
                }
            }
            sending.try_set(false);
        });
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };
    // The message is where the sender starts typing: the title is prefilled.
    let dialog = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let area = dialog
            .get()
            .and_then(|d| d.query_selector("textarea").ok().flatten());
        if let Some(area) = area.and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = area.focus();
        }
    });
    let done = move || sent.with(Option::is_some);

    view! {
        <div class="modal-backdrop" on:keydown=on_keydown>
            <div class="modal snapshot-dialog" role="dialog" aria-modal="true" aria-labelledby="snapshot-dialog-title"
                node_ref=dialog>
                <h2 id="snapshot-dialog-title">"Send snapshot"</h2>
                <form class="snapshot-form" on:submit=send>
                    <label class="field">
                        <span class="field-label">"Title"</span>
                        <input type="text" name="title" prop:value=move || title.get() disabled=done
                            on:input=move |ev| title.set(event_target_value(&ev))/>
                    </label>
                    <div class="field">
                        <label class="field-label" for="snapshot-message">"Message"</label>
                        <MessageEditor plain=true id="snapshot-message"
                            placeholder="What to look at, and whom to tell: @alice"
                            value=Signal::derive(move || message.get())
                            on_input=Callback::new(move |text| message.set(text))
                            mentions previews=Signal::derive(Vec::new)/>
                    </div>
                    <p class="snapshot-timeframe">
                        <span class="field-label">"Timeframe"</span>
                        <span data-testid="snapshot-window">{window}</span>
                        <span class="muted">"The snapshot keeps this window's data as it is now."</span>
                    </p>
                    <label class="check">
                        <input type="checkbox" name="public" prop:checked=move || public.get() disabled=done
                            on:change=move |ev| public.set(event_target_checked(&ev))/>
                        "Public link"
                    </label>
                    <p class="muted snapshot-public-hint">"Anyone with the link will see the graph and its title, not the message or the comments."</p>
                    <label class="field snapshot-expiry">
                        <span class="field-label">"Expires"</span>
                        <select name="expires" disabled=done on:change=move |ev| expires.set(event_target_value(&ev))>
                            {SNAPSHOT_EXPIRIES.into_iter().map(|code| view! {
                                <option value=code selected=move || expires.with(|e| e == code)>{expiry_label(code)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    {move || sent.get().map(|s| {
                        let path = snapshot_path(&s.id);
                        let origin = window_origin();
                        view! {
                            <p class="snapshot-sent" role="status">
                                "Snapshot sent. Its link: "
                                <a href=path.clone()>{format!("{origin}{path}")}</a>
                            </p>
                        }
                    })}
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| on_close.run(())>
                            {move || if done() { "Close" } else { "Cancel" }}
                        </button>
                        <Show when=move || !done()>
                            <button type="submit" class="primary" disabled=move || sending.get()>
                                {move || if sending.get() { "Sending…" } else { "Send" }}
                            </button>
                        </Show>
                    </div>
                </form>
            </div>
        </div>
    }
}

/// This page's origin (`http://host:port`), for a link to copy.
fn window_origin() -> String {
    window().location().origin().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_said_in_the_nearest_whole_unit() {
        assert_eq!(duration_words(5 * 60_000), "5 minutes");
        assert_eq!(duration_words(60_000), "60 seconds");
        assert_eq!(duration_words(3_600_000), "60 minutes");
        assert_eq!(duration_words(4 * 3_600_000), "4 hours");
        assert_eq!(duration_words(86_400_000), "24 hours");
        assert_eq!(duration_words(7 * 86_400_000), "7 days");
        assert_eq!(duration_words(1_000), "1 second");
    }

    #[test]
    fn a_comma_list_is_one_request_per_query() {
        assert_eq!(
            split_queries("avg:a{*}, max:b{x:1,y:2} by {host}"),
            ["avg:a{*}", "max:b{x:1,y:2} by {host}"]
        );
        assert_eq!(split_queries("avg:a{"), ["avg:a{"]);
    }

    #[test]
    fn a_timeseries_of_queries_is_written_as_a_board_writes_it_and_sent_with_the_choices() {
        let def = timeseries(
            "my_metric",
            &["avg:my_metric{*}".to_owned(), "max:my_metric{*}".to_owned()],
            YAxis::default(),
            vec![Marker {
                value: 800.0,
                label: "Alert 800".to_owned(),
            }],
        );
        let json = serde_json::to_value(&def).expect("json");
        assert_eq!(json["type"], "timeseries");
        assert_eq!(json["title"], "my_metric");
        assert_eq!(json["requests"][0]["q"], "avg:my_metric{*}");
        assert_eq!(json["requests"][1]["q"], "max:my_metric{*}");
        assert_eq!(json["markers"][0]["value"], "y = 800");
        // What the snapshot page draws from it again.
        let options = chart::ChartOptions::of_widget(&def.known);
        assert_eq!(options.styles.len(), 2);
        assert_eq!(options.markers[0].value, 800.0);

        let subject = Subject {
            title: "my_metric".to_owned(),
            definition: def,
            range: TimeRange {
                from_ms: 1_000,
                to_ms: 301_000,
            },
        };
        let body = request(&subject, "  ", " @carol look at this ", false, "1d");
        assert_eq!(body.title, None);
        assert_eq!(body.message.as_deref(), Some("@carol look at this"));
        assert_eq!((body.from_ms, body.to_ms), (1_000, 301_000));
        assert_eq!(body.expires.as_deref(), Some("1d"));
        assert!(!body.public);
        for code in SNAPSHOT_EXPIRIES {
            assert!(code == "never" || expiry_label(code) != "Never");
        }
    }
}
