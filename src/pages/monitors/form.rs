//! The monitor form (`/monitors/create`, `/monitors/{id}/edit`): the metric query in the query
//! editor, time aggregation and window, comparator and thresholds, multi-alert keys, no-data,
//! renotify, delay and full-window options, tags, priority, name and the message. Every problem is
//! shown in words next to its field (core's rules, through `monitor_form`) and saving waits until
//! there are none; the API's own 400 is shown above the Save button. A preview graph shows the
//! query over the last day with the thresholds as markers, shaded where core's replay of the
//! evaluator finds the monitor would have been in Alert, Warn or No Data.

/// The form as plain data, tested natively.
pub mod state;

use std::sync::Arc;

use dogwatch_core::monitor::{Span, State};
use dogwatch_core::timeframe::TimeRange;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiFuture, use_backend, use_latest};
use crate::app::Navigate;
use crate::chart::{ChartOptions, GraphData, Marker, RGBAColor, Region, YAxis};
use crate::components::message_editor::{MessageEditor, use_mentions};
use crate::components::query_editor::QueryEditor;
use crate::components::timeseries::Timeseries;
use crate::pages::monitors::form::state::{Field, MonitorForm, PREVIEW_STATES, Problem, WINDOWS};

use super::monitor_path;

const COMPARATORS: [(&str, &str); 6] = [
    (">", "above"),
    (">=", "above or equal to"),
    ("<", "below"),
    ("<=", "below or equal to"),
    ("==", "equal to"),
    ("!=", "not equal to"),
];

const AGGRS: [(&str, &str); 5] = [
    ("avg", "average"),
    ("min", "minimum"),
    ("max", "maximum"),
    ("sum", "sum"),
    ("change", "change"),
];

/// How a field is edited.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Choice(&'static [(&'static str, &'static str)]),
    Check,
}

/// One field of the form: its element id (also its key in `MonitorForm::get`), label, kind, and
/// the problems shown under it. The form lists its fields as data, so one function draws them all.
struct Spec(&'static str, &'static str, Kind, Option<Field>);

#[rustfmt::skip]
const DEFINE: &[Spec] = &[
    Spec("monitor-aggr", "Time aggregation", Kind::Choice(&AGGRS), None),
    Spec("monitor-window", "Over the last", Kind::Choice(&WINDOWS), None),
    Spec("monitor-by", "Multi alert by (tag keys)", Kind::Text, None),
];

#[rustfmt::skip]
const CONDITIONS: &[Spec] = &[
    Spec("monitor-comparator", "Trigger when the value is", Kind::Choice(&COMPARATORS), None),
    Spec("monitor-critical", "Alert threshold", Kind::Text, Some(Field::Critical)),
    Spec("monitor-warning", "Warning threshold", Kind::Text, Some(Field::Warning)),
    Spec("monitor-critical-recovery", "Alert recovery threshold", Kind::Text, Some(Field::CriticalRecovery)),
    Spec("monitor-warning-recovery", "Warning recovery threshold", Kind::Text, Some(Field::WarningRecovery)),
    Spec("monitor-notify-no-data", "Notify if data is missing", Kind::Check, None),
    Spec("monitor-no-data", "No data after (minutes)", Kind::Text, Some(Field::NoData)),
    Spec("monitor-renotify", "Renotify every (minutes, empty: never)", Kind::Text, Some(Field::Renotify)),
    Spec("monitor-delay", "Evaluation delay (seconds)", Kind::Text, Some(Field::Delay)),
    Spec("monitor-full-window", "Require a full window of data", Kind::Check, None),
];

const NAME: &[Spec] = &[Spec("monitor-name", "Name", Kind::Text, None)];

#[rustfmt::skip]
const META: &[Spec] = &[
    Spec("monitor-tags", "Tags (comma-separated)", Kind::Text, None),
    Spec("monitor-priority", "Priority (1-5)", Kind::Text, Some(Field::Priority)),
];

#[component]
pub fn MonitorFormPage(
    /// The monitor being edited; `None` creates one.
    id: Option<i64>,
) -> impl IntoView {
    let backend = use_backend();
    let form = RwSignal::new(MonitorForm::default());
    let load_error = RwSignal::new(None::<String>);
    let save_error = RwSignal::new(None::<String>);
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);
    if let Some(id) = id {
        let request = backend.monitor(id, None);
        spawn_local(async move {
            match request.await {
                Ok(m) => form.set(MonitorForm::from_monitor(&m)),
                Err(e) => load_error.set(Some(format!("Could not load monitor {id}: {e}"))),
            }
        });
    }
    document().set_title(if id.is_some() {
        "Edit Monitor · dogwatch"
    } else {
        "New Monitor · dogwatch"
    });

    // Metric names for the query editor, and who may be mentioned.
    let now_secs = (js_sys::Date::now() / 1000.0) as i64;
    let names = use_latest(Memo::new(move |_| Some(now_secs - 86_400)), {
        let backend = backend.clone();
        move |from: &i64, abort| backend.metrics(*from, abort)
    });
    let metric_names = Signal::derive(move || {
        names
            .with(|l| l.value.as_ref().map(|(_, m)| m.metrics.clone()))
            .unwrap_or_default()
    });
    let mentions = use_mentions(&backend);

    let problems = Memo::new(move |_| form.with(MonitorForm::problems));
    // "… is required" waits for a first Save; the rest shows as soon as it is typed.
    let shown = Memo::new(move |_| {
        let all = tried.get();
        problems.with(|p| {
            p.iter()
                .filter(|(_, m)| all || !m.ends_with("is required"))
                .cloned()
                .collect::<Vec<Problem>>()
        })
    });
    let previews = Signal::derive(move || {
        let now_ms = js_sys::Date::now() as i64;
        form.with(|f| {
            PREVIEW_STATES
                .iter()
                .map(|&(state, label)| (label, f.preview(state, now_ms)))
                .collect::<Vec<_>>()
        })
    });

    let navigate = Navigate::here();
    let save = move |_| {
        tried.set(true);
        save_error.set(None);
        if !problems.with_untracked(Vec::is_empty) {
            return;
        }
        saving.set(true);
        let request = backend.save_monitor(id, form.with_untracked(MonitorForm::to_body));
        spawn_local(async move {
            let answer = request.await;
            saving.set(false);
            match answer {
                Ok(saved) => navigate.go(&monitor_path(saved.id)),
                Err(e) => save_error.set(Some(format!("The API refused the monitor: {e}"))),
            }
        });
    };

    view! {
        <section class="page monitor-form">
            <header class="page-header">
                <h1>{if id.is_some() { "Edit Monitor" } else { "New Monitor" }}</h1>
            </header>
            {move || load_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            <form class="monitor-fields" on:submit=|ev| ev.prevent_default()>
                <fieldset>
                    <legend>"1. Define the metric"</legend>
                    <div class="field">
                        <label for="monitor-query">"Metric query"</label>
                        <QueryEditor id="monitor-query"
                            value=Signal::derive(move || form.with(|f| f.metric_query.clone()))
                            metric_names api_error=Signal::derive(|| None::<String>)
                            on_commit=Callback::new(move |text| form.update(|f| f.metric_query = text))/>
                        {errors(shown, Field::Query)}
                    </div>
                    {fields(form, shown, DEFINE)}
                    <Preview form/>
                </fieldset>
                <fieldset>
                    <legend>"2. Set alert conditions"</legend>
                    {fields(form, shown, CONDITIONS)}
                </fieldset>
                <fieldset>
                    <legend>"3. Say what's happening"</legend>
                    {fields(form, shown, NAME)}
                    <MessageEditor value=Signal::derive(move || form.with(|f| f.message.clone()))
                        on_input=Callback::new(move |text| form.update(|f| f.message = text))
                        mentions previews/>
                    {errors(shown, Field::Message)}
                    {fields(form, shown, META)}
                </fieldset>
                {move || save_error.get().map(|e| view! { <p class="state error save-error" role="alert">{e}</p> })}
                <div class="actions">
                    <a class="button secondary" href=id.map_or_else(|| super::PATH.to_owned(), monitor_path)>"Cancel"</a>
                    <button type="button" class="primary" disabled=move || saving.get() on:click=save>"Save"</button>
                </div>
            </form>
        </section>
    }
}

/// The problems about `field`, each as an alert under it.
fn errors(shown: Memo<Vec<Problem>>, field: Field) -> impl IntoView {
    move || {
        shown.with(|p| {
            p.iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, message)| view! { <p class="field-error" role="alert">{message.clone()}</p> })
                .collect_view()
        })
    }
}

/// A row of fields.
fn fields(
    form: RwSignal<MonitorForm>,
    shown: Memo<Vec<Problem>>,
    specs: &'static [Spec],
) -> impl IntoView {
    let items = specs
        .iter()
        .map(|spec| field(form, shown, spec))
        .collect_view();
    view! { <div class="fields">{items}</div> }
}

/// One field bound to the form, with its problems under it.
fn field(form: RwSignal<MonitorForm>, shown: Memo<Vec<Problem>>, spec: &'static Spec) -> AnyView {
    let &Spec(id, label, kind, problem) = spec;
    let set = move |value: String| form.update(|f| f.set(id, value));
    let input = match kind {
        Kind::Text => view! {
            <label class="field" for=id>
                <span>{label}</span>
                <input id=id type="text" autocomplete="off"
                    prop:value=move || form.with(|f| f.get(id).to_owned())
                    on:input=move |ev| set(event_target_value(&ev))/>
            </label>
        }
        .into_any(),
        Kind::Choice(options) => view! {
            <label class="field" for=id>
                <span>{label}</span>
                <select id=id on:change=move |ev| set(event_target_value(&ev))>
                    {options.iter().map(|&(value, text)| view! {
                        <option value=value selected=move || form.with(|f| f.get(id) == value)>{text}</option>
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        Kind::Check => view! {
            <label class="check">
                <input id=id type="checkbox" prop:checked=move || form.with(|f| f.get(id) == "true")
                    on:change=move |ev| set(event_target_checked(&ev).to_string())/>
                {label}
            </label>
        }
        .into_any(),
    };
    view! { <div class="field-box">{input}{problem.map(|p| errors(shown, p))}</div> }.into_any()
}

/// The query over the last day with the thresholds as markers, shaded where the monitor would
/// have triggered, with a summary in words.
#[component]
fn Preview(form: RwSignal<MonitorForm>) -> impl IntoView {
    let backend = use_backend();
    let key = Memo::new(move |_| {
        let query = form.with(MonitorForm::graph_query);
        dogwatch_core::query::parse(&query).ok()?;
        Some(query)
    });
    let results = use_latest(key, move |query: &String, abort| -> ApiFuture<_> {
        let range = last_day();
        let request = backend.query(query, range, abort);
        Box::pin(async move {
            request.await.map(|response| GraphData {
                response: Arc::new(response),
                range,
            })
        })
    });
    let graph = Signal::derive(move || results.with(|l| l.value.as_ref().map(|(_, g)| g.clone())));
    let parsed = Memo::new(move |_| form.with(MonitorForm::parsed));
    // Where the monitor would have been in Warn, Alert or No Data over the day, replayed by core.
    let replayed = Memo::new(move |_| {
        graph.with(|g| {
            let g = g.as_ref()?;
            form.with(|f| f.replay(&g.response, (g.range.from_ms, g.range.to_ms)))
        })
    });
    let options = Signal::derive(move || {
        let mut options =
            graph.with(|g| parsed.with(|p| chart_options(g.as_ref(), p.as_ref().map(|(_, t)| t))));
        options.regions =
            replayed.with(|r| r.as_ref().map(|r| regions(&r.spans)).unwrap_or_default());
        options
    });
    let summary = move || replayed.with(|r| r.as_ref().map(|r| form.with(|f| f.replay_summary(r))));
    view! {
        <div class="monitor-preview" aria-label="Preview graph">
            {move || match (key.with(Option::is_some), results.with(|l| l.error.as_ref().map(|(_, e)| e.to_string()))) {
                (false, _) => view! { <p class="state idle">"Type a metric query to see the last day."</p> }.into_any(),
                (true, Some(e)) => view! { <p class="state error">{e}</p> }.into_any(),
                (true, None) => view! {
                    <Timeseries graph options/>
                    <p class="muted trigger-summary">{summary}</p>
                }.into_any(),
            }}
        </div>
    }
}

/// Spans of state as shaded regions: red for Alert, yellow for Warn, grey for No Data.
pub fn regions(spans: &[Span]) -> Vec<Region> {
    spans
        .iter()
        .map(|span| Region {
            from_ms: span.from_ms,
            to_ms: span.to_ms,
            fill: match span.state {
                State::Alert => RGBAColor(225, 45, 60, 0.18),
                State::Warn => RGBAColor(240, 180, 20, 0.22),
                _ => RGBAColor(110, 118, 130, 0.16),
            },
        })
        .collect()
}

/// The thresholds as dashed markers (alert, warning and their recoveries), with a value axis tall
/// enough to show them next to the data of `graph`.
pub fn chart_options(
    graph: Option<&GraphData>,
    thresholds: Option<&dogwatch_core::monitor::Thresholds>,
) -> ChartOptions {
    let Some(t) = thresholds else {
        return ChartOptions::default();
    };
    let markers: Vec<Marker> = [
        (t.critical, "Alert"),
        (t.warning, "Warning"),
        (t.critical_recovery, "Alert recovery"),
        (t.warning_recovery, "Warning recovery"),
    ]
    .into_iter()
    .filter_map(|(value, label)| {
        value.map(|value| Marker {
            value,
            label: format!(
                "{label} {}",
                dogwatch_core::monitor::message::format_value(value)
            ),
        })
    })
    .collect();
    let values = graph
        .iter()
        .flat_map(|g| g.response.series.iter())
        .flat_map(|s| s.pointlist.iter().filter_map(|(_, v)| *v))
        .chain(markers.iter().map(|m| m.value))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let y_axis = YAxis {
        min: (lo <= hi).then_some(lo - pad),
        max: (lo <= hi).then_some(hi + pad),
        log: false,
    };
    ChartOptions {
        markers,
        y_axis,
        ..ChartOptions::default()
    }
}

/// The day up to now.
pub fn last_day() -> TimeRange {
    let now_ms = js_sys::Date::now() as i64;
    TimeRange {
        from_ms: now_ms - 86_400_000,
        to_ms: now_ms,
    }
}
