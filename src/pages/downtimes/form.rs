//! Schedule Downtime (`/monitors/downtimes/new`, `?monitor_id=N` to start from a monitor): what to
//! silence (a monitor by name, or monitors by tags, and a group scope), when (one time, or
//! repeating every N days/weeks on chosen days/months/years, or a raw RRULE; ends never, on a date
//! or after N times) in any IANA zone, and whom to tell. Beside it, the server's preview: the next
//! two weeks on a week grid in the chosen zone (overnight windows are one block across midnight;
//! clock changes are flagged), the next 10 windows in the zone and in UTC, and the monitors it
//! would silence with their states.

use chrono::{Datelike, Duration, NaiveDate, Timelike};
use dogwatch_core::wire::{DowntimePreview, DowntimeV2Body, Monitor};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::model::{DowntimeForm, Ends, Field, LOCAL_INPUT, Repeat, WEEK_DAYS};
use super::{PATH, downtime_path};
use crate::api::{use_backend, use_latest};
use crate::app::Navigate;
use crate::components::message_editor::{MessageEditor, use_mentions};
use crate::dom::{self, add, add_text, attr};
use crate::pages::monitors::monitor_path;
use crate::pages::monitors::status::{badge, note};

/// Minutes in the calendar's week row.
const WEEK_MINUTES: i64 = 7 * 1440;

/// The zones the browser knows (`Intl.supportedValuesOf`), so the UI ships no zone database.
fn zones() -> Vec<String> {
    let mut all: Vec<String> =
        js_sys::Intl::supported_values_of(js_sys::Intl::SupportedValuesKey::TimeZone)
            .iter()
            .map(String::from)
            .collect();
    if !all.iter().any(|z| z == "UTC") {
        all.push("UTC".to_owned());
    }
    all
}

/// The browser's own zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
fn browser_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// The next full hour on the browser's clock, as a `datetime-local` value.
fn next_hour() -> String {
    let now = chrono::Local::now().naive_local();
    let hour = now.date().and_hms_opt(now.hour(), 0, 0).unwrap_or(now) + Duration::hours(1);
    hour.format(LOCAL_INPUT).to_string()
}

#[component]
pub fn DowntimeFormPage() -> impl IntoView {
    document().set_title("Schedule Downtime · dogwatch");
    let backend = use_backend();
    let navigate = Navigate::here();
    let query = use_query_map();
    let mut start = DowntimeForm::new(&next_hour(), &browser_zone());
    start.monitor_id = query.with_untracked(|q| q.get("monitor_id").and_then(|v| v.parse().ok()));
    let form = RwSignal::new(start);
    let monitors = RwSignal::new(Vec::<Monitor>::new());
    let mentions = use_mentions(&backend);
    {
        let list = backend.monitors(None);
        spawn_local(async move {
            let mut list = list.await.unwrap_or_default();
            list.sort_by_key(|m| m.name.to_lowercase());
            monitors.try_set(list);
        });
    }
    let body = Memo::new(move |_| form.with(DowntimeForm::body));
    let key = Memo::new(move |_| body.get().ok());
    let previewed = {
        let backend = backend.clone();
        use_latest(key, move |b: &DowntimeV2Body, abort| {
            backend.downtime_preview(b.clone(), abort)
        })
    };
    let shown = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(true);
        let Ok(body) = body.get_untracked() else {
            return;
        };
        saving.set(true);
        let request = backend.create_downtime(body);
        spawn_local(async move {
            match request.await {
                Ok(made) => {
                    let id = made.id.and_then(|i| i.parse().ok()).unwrap_or(0);
                    navigate.go(&downtime_path(id));
                }
                Err(e) => {
                    save_error.set(Some(e.to_string()));
                    saving.set(false);
                }
            }
        });
    };
    let error_of = move |field: Field| {
        move || {
            let errors = body.with(|b| b.clone().err().unwrap_or_default());
            shown.get().then(|| {
                errors
                    .into_iter()
                    .filter(|(f, _)| *f == field)
                    .map(|(_, e)| view! { <p class="field-error" role="alert">{e}</p> })
                    .collect_view()
            })
        }
    };
    let monitor_filter = RwSignal::new(String::new());
    let zone_list = zones();
    // Tags of the groups the preview found, as scope suggestions.
    let scope_tags = Memo::new(move |_| {
        let mut tags: Vec<String> = previewed.with(|p| {
            p.value
                .as_ref()
                .map(|(_, p)| {
                    p.monitors
                        .iter()
                        .flat_map(|m| m.groups.iter())
                        .flat_map(|g| g.group.split(',').map(str::to_owned))
                        .filter(|t| t != "*")
                        .collect()
                })
                .unwrap_or_default()
        });
        tags.sort();
        tags.dedup();
        tags
    });
    view! {
        <section class="page downtime-form-page">
            <header class="page-header"><h1>"Schedule Downtime"</h1></header>
            <div class="downtime-layout">
                <form class="downtime-form" on:submit=submit novalidate>
                    <fieldset>
                        <legend>"1. Choose what to silence"</legend>
                        <div class="choice" role="radiogroup" aria-label="Silence by">
                            <label><input type="radio" name="by" prop:checked=move || !form.with(|f| f.by_tags)
                                on:change=move |_| form.update(|f| f.by_tags = false)/>" By monitor name"</label>
                            <label><input type="radio" name="by" prop:checked=move || form.with(|f| f.by_tags)
                                on:change=move |_| form.update(|f| f.by_tags = true)/>" By monitor tags"</label>
                        </div>
                        <Show when=move || !form.with(|f| f.by_tags) fallback=move || view! {
                            <label class="field"><span>"Monitor tags"</span>
                                <input type="text" aria-label="Monitor tags" placeholder="team:web, env:prod (or *)"
                                    prop:value=move || form.with(|f| f.monitor_tags.clone())
                                    on:input=move |ev| form.update(|f| f.monitor_tags = event_target_value(&ev))/>
                            </label>
                        }>
                            <label class="field"><span>"Find a monitor"</span>
                                <input type="search" aria-label="Find a monitor" placeholder="Name"
                                    prop:value=move || monitor_filter.get()
                                    on:input=move |ev| monitor_filter.set(event_target_value(&ev))/>
                            </label>
                            <label class="field"><span>"Monitor"</span>
                                <select aria-label="Monitor" on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    form.update(|f| f.monitor_id = v.parse().ok());
                                }>
                                    <option value="" selected=move || form.with(|f| f.monitor_id.is_none())>"Choose a monitor"</option>
                                    {move || {
                                        let words = monitor_filter.get().to_lowercase();
                                        let chosen = form.with(|f| f.monitor_id);
                                        monitors.with(|list| list.iter()
                                            .filter(|m| Some(m.id) == chosen || m.name.to_lowercase().contains(&words))
                                            .map(|m| {
                                                let id = m.id;
                                                view! { <option value=id.to_string() selected=move || chosen == Some(id)>
                                                    {format!("{} ({})", m.name, m.overall_state)}</option> }
                                            })
                                            .collect_view())
                                    }}
                                </select>
                            </label>
                        </Show>
                        {error_of(Field::Monitor)}
                        <label class="field"><span>"Group scope"</span>
                            <input type="text" aria-label="Group scope" list="downtime-scope-tags"
                                placeholder="* (every group), or env:prod AND host:web-1"
                                prop:value=move || form.with(|f| f.scope.clone())
                                on:input=move |ev| form.update(|f| f.scope = event_target_value(&ev))/>
                        </label>
                        <datalist id="downtime-scope-tags">
                            {move || scope_tags.get().into_iter().map(|t| view! { <option value=t/> }).collect_view()}
                        </datalist>
                        {error_of(Field::Scope)}
                    </fieldset>
                    <fieldset>
                        <legend>"2. Schedule"</legend>
                        <div class="choice" role="radiogroup" aria-label="Schedule">
                            <label><input type="radio" name="kind" prop:checked=move || !form.with(|f| f.recurring)
                                on:change=move |_| form.update(|f| f.recurring = false)/>" One time"</label>
                            <label><input type="radio" name="kind" prop:checked=move || form.with(|f| f.recurring)
                                on:change=move |_| form.update(|f| f.recurring = true)/>" Recurring"</label>
                        </div>
                        <label class="field"><span>"Time zone"</span>
                            <input type="text" aria-label="Time zone" list="downtime-zones"
                                prop:value=move || form.with(|f| f.timezone.clone())
                                on:input=move |ev| form.update(|f| f.timezone = event_target_value(&ev))/>
                        </label>
                        <datalist id="downtime-zones">
                            {zone_list.into_iter().map(|z| view! { <option value=z/> }).collect_view()}
                        </datalist>
                        {error_of(Field::Zone)}
                        <label class="field"><span>"Start"</span>
                            <input type="datetime-local" aria-label="Start"
                                prop:value=move || form.with(|f| f.start.clone())
                                on:input=move |ev| form.update(|f| f.start = event_target_value(&ev))/>
                        </label>
                        {error_of(Field::Start)}
                        <Show when=move || !form.with(|f| f.recurring)>
                            <div class="choice" role="radiogroup" aria-label="End">
                                <label><input type="radio" name="end" prop:checked=move || !form.with(|f| f.end_at)
                                    on:change=move |_| form.update(|f| f.end_at = false)/>" After"</label>
                                <label><input type="radio" name="end" prop:checked=move || form.with(|f| f.end_at)
                                    on:change=move |_| form.update(|f| f.end_at = true)/>" At"</label>
                            </div>
                            <Show when=move || form.with(|f| f.end_at)>
                                <label class="field"><span>"End"</span>
                                    <input type="datetime-local" aria-label="End"
                                        prop:value=move || form.with(|f| f.end.clone())
                                        on:input=move |ev| form.update(|f| f.end = event_target_value(&ev))/>
                                </label>
                                {error_of(Field::End)}
                            </Show>
                        </Show>
                        <Show when=move || form.with(|f| f.recurring || !f.end_at)>
                            <div class="inline-fields">
                                <label class="field"><span>"Duration"</span>
                                    <input type="number" min="1" aria-label="Duration"
                                        prop:value=move || form.with(|f| f.duration.clone())
                                        on:input=move |ev| form.update(|f| f.duration = event_target_value(&ev))/>
                                </label>
                                <label class="field"><span>"Unit"</span>
                                    <select aria-label="Duration unit" on:change=move |ev| form.update(|f| f.duration_unit = event_target_value(&ev))>
                                        {[("m", "minutes"), ("h", "hours"), ("d", "days"), ("w", "weeks")].map(|(code, name)| view! {
                                            <option value=code selected=move || form.with(|f| f.duration_unit == code)>{name}</option>
                                        })}
                                    </select>
                                </label>
                            </div>
                            {error_of(Field::Duration)}
                        </Show>
                        <Show when=move || form.with(|f| f.recurring)>
                            <div class="inline-fields">
                                <label class="field"><span>"Repeat every"</span>
                                    <input type="number" min="1" aria-label="Repeat every"
                                        prop:value=move || form.with(|f| f.every.clone())
                                        on:input=move |ev| form.update(|f| f.every = event_target_value(&ev))/>
                                </label>
                                <label class="field"><span>"Period"</span>
                                    <select aria-label="Repeat period" on:change=move |ev| form.update(|f| f.repeat = Repeat::from_code(&event_target_value(&ev)))>
                                        {Repeat::ALL.map(|(r, name)| view! {
                                            <option value=r.code() selected=move || form.with(|f| f.repeat == r)>{name}</option>
                                        })}
                                    </select>
                                </label>
                            </div>
                            <Show when=move || form.with(|f| f.repeat == Repeat::Weeks)>
                                <div class="week-days" role="group" aria-label="On days">
                                    {WEEK_DAYS.iter().enumerate().map(|(i, (name, _))| view! {
                                        <button type="button" class="toggle"
                                            aria-pressed=move || form.with(|f| f.week_days[i]).to_string()
                                            on:click=move |_| form.update(|f| f.week_days[i] = !f.week_days[i])>{*name}</button>
                                    }).collect_view()}
                                </div>
                            </Show>
                            <Show when=move || form.with(|f| f.repeat == Repeat::Rule)>
                                <label class="field"><span>"RRULE"</span>
                                    <input type="text" class="mono" aria-label="RRULE" placeholder="FREQ=MONTHLY;BYDAY=2TU"
                                        prop:value=move || form.with(|f| f.rrule.clone())
                                        on:input=move |ev| form.update(|f| f.rrule = event_target_value(&ev))/>
                                </label>
                            </Show>
                            {error_of(Field::Repeat)}
                            <div class="choice" role="radiogroup" aria-label="Ends">
                                <span>"Ends"</span>
                                <label><input type="radio" name="ends" prop:checked=move || form.with(|f| f.ends == Ends::Never)
                                    on:change=move |_| form.update(|f| f.ends = Ends::Never)/>" Never"</label>
                                <label><input type="radio" name="ends" prop:checked=move || form.with(|f| f.ends == Ends::OnDate)
                                    on:change=move |_| form.update(|f| f.ends = Ends::OnDate)/>" On"</label>
                                <input type="date" aria-label="Ends on" prop:value=move || form.with(|f| f.until.clone())
                                    on:input=move |ev| form.update(|f| { f.until = event_target_value(&ev); f.ends = Ends::OnDate; })/>
                                <label><input type="radio" name="ends" prop:checked=move || form.with(|f| f.ends == Ends::After)
                                    on:change=move |_| form.update(|f| f.ends = Ends::After)/>" After"</label>
                                <input type="number" min="1" aria-label="Ends after" class="short"
                                    prop:value=move || form.with(|f| f.count.clone())
                                    on:input=move |ev| form.update(|f| { f.count = event_target_value(&ev); f.ends = Ends::After; })/>
                                <span>" times"</span>
                            </div>
                            {error_of(Field::Ends)}
                        </Show>
                    </fieldset>
                    <fieldset>
                        <legend>"3. Notify"</legend>
                        <p class="muted">"The @mentions of the message are told when the downtime starts, and when it ends as checked below."</p>
                        <MessageEditor value=Signal::derive(move || form.with(|f| f.message.clone()))
                            on_input=Callback::new(move |text| form.update(|f| f.message = text))
                            mentions previews=Signal::derive(Vec::new) plain=true/>
                        <label class="check"><input type="checkbox" prop:checked=move || form.with(|f| f.notify_expired)
                            on:change=move |ev| form.update(|f| f.notify_expired = event_target_checked(&ev))/>
                            " When it ends: tell them, and notify what is still alerting"</label>
                        <label class="check"><input type="checkbox" prop:checked=move || form.with(|f| f.notify_canceled)
                            on:change=move |ev| form.update(|f| f.notify_canceled = event_target_checked(&ev))/>
                            " When it is canceled: the same"</label>
                        <label class="check"><input type="checkbox" prop:checked=move || form.with(|f| f.mute_first_recovery)
                            on:change=move |ev| form.update(|f| f.mute_first_recovery = event_target_checked(&ev))/>
                            " Mute the first recovery of a group left alerting without a notification"</label>
                    </fieldset>
                    {move || save_error.get().map(|e| view! { <p class="state error save-error" role="alert">{e}</p> })}
                    <div class="actions">
                        <a class="button secondary" href=PATH>"Cancel"</a>
                        <button type="submit" class="primary" disabled=move || saving.get()>"Schedule"</button>
                    </div>
                </form>
                <aside class="downtime-preview" aria-label="Preview">
                    {dom::host("preview-body", Box::new(move |el| {
                        let complete = body.with(Result::is_ok);
                        previewed.with(|p| match (&p.value, &p.error) {
                            _ if !complete => note(el, "state empty", "Complete the form to see when it will be quiet.", false),
                            (_, Some((_, e))) => note(el, "state error", &e.to_string(), true),
                            (Some((_, p)), None) => preview(el, p),
                            (None, None) => note(el, "state", "Working out the schedule…", false),
                        })
                    }))}
                </aside>
            </div>
        </section>
    }
}

/// Sets a style property through the CSSOM, which the CSP allows (a `style` attribute it refuses).
fn set_style(el: &Element, name: &str, value: &str) {
    if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = el.style().set_property(name, value);
    }
}

/// A position on a week row, in percent.
fn percent(minutes: i64) -> String {
    format!("{:.3}%", minutes as f64 * 100.0 / WEEK_MINUTES as f64)
}

/// The preview: the calendar, the clock changes, the next windows, the monitors.
fn preview(el: &Element, p: &DowntimePreview) {
    add_text(
        el,
        "h2",
        "",
        &format!("The next two weeks ({})", p.timezone),
    );
    let start = NaiveDate::parse_from_str(&p.calendar_start, "%Y-%m-%d").ok();
    let calendar = add(el, "div", "calendar");
    attr(&calendar, "aria-label", "Calendar");
    for w in 0..2i64 {
        let (from, to) = (w * WEEK_MINUTES, (w + 1) * WEEK_MINUTES);
        let week = add(&calendar, "div", "cal-week");
        let days = add(&week, "div", "cal-days");
        for d in 0..7 {
            let day = start.map(|s| s + Duration::days(w * 7 + d));
            let weekend = day.is_some_and(|d| d.weekday().num_days_from_monday() >= 5);
            let label = day.map_or_else(String::new, |d| d.format("%a %-d %b").to_string());
            add_text(
                &days,
                "div",
                if weekend {
                    "cal-day weekend"
                } else {
                    "cal-day"
                },
                &label,
            );
        }
        let track = add(&week, "div", "cal-track");
        for d in 1..7 {
            set_style(
                &add(&track, "div", "cal-midnight"),
                "left",
                &percent(d * 1440),
            );
        }
        // An overnight window is one block across midnight; one running over Sunday night
        // continues on the next row.
        for b in p
            .blocks
            .iter()
            .filter(|b| b.start_minute < to && b.end_minute > from)
        {
            let (s, e) = (b.start_minute.max(from), b.end_minute.min(to));
            let block = add(
                &track,
                "div",
                if b.offset_changes {
                    "cal-block dst"
                } else {
                    "cal-block"
                },
            );
            attr(&block, "title", &b.label);
            set_style(&block, "left", &percent(s - from));
            set_style(&block, "width", &percent(e - s));
            add_text(&block, "span", "", &b.label);
        }
        for c in p
            .clock_changes
            .iter()
            .filter(|c| c.minute >= from && c.minute < to)
        {
            let mark = add(&track, "div", "cal-dst");
            attr(&mark, "title", &c.label);
            set_style(&mark, "left", &percent(c.minute - from));
            add_text(&mark, "span", "", "DST");
        }
    }
    if !p.clock_changes.is_empty() {
        let ul = add(el, "ul", "clock-changes");
        for c in &p.clock_changes {
            let li = add(&ul, "li", "");
            add_text(&li, "strong", "", "Clock change: ");
            dom::text(
                &li,
                &format!(
                    "{} — windows keep their wall-clock times and length.",
                    c.label
                ),
            );
        }
    }
    add_text(el, "h3", "", "Next windows");
    let table = add(el, "table", "key-table occurrence-table");
    let head = add(&add(&table, "thead", ""), "tr", "");
    for h in [
        format!("In {}", p.timezone),
        "In UTC".to_owned(),
        String::new(),
    ] {
        add_text(&head, "th", "", &h);
    }
    let tbody = add(&table, "tbody", "");
    for o in &p.occurrences {
        let mut notes = Vec::new();
        if o.offset_changes {
            notes.push("clock change inside");
        }
        if o.start_placed == "skipped" {
            notes.push("start moved out of the skipped hour");
        }
        if o.end_placed == "repeated" {
            notes.push("ends at the second of a repeated hour");
        }
        let tr = add(&tbody, "tr", "occurrence");
        let end = o
            .end_local
            .clone()
            .unwrap_or_else(|| "until canceled".into());
        add_text(&tr, "td", "", &format!("{} → {end}", o.start_local));
        let end = o.end_utc.clone().unwrap_or_else(|| "…".into());
        add_text(&tr, "td", "muted", &format!("{} → {end}", o.start_utc));
        add_text(&tr, "td", "muted", &notes.join("; "));
    }
    add_text(el, "h3", "", "Monitors it would silence");
    if p.monitors.is_empty() {
        return note(el, "state empty", "No monitor matches yet.", false);
    }
    let ul = add(el, "ul", "silenced-monitors");
    for m in &p.monitors {
        let li = add(&ul, "li", "");
        badge(&li, &m.overall_state);
        dom::text(&li, " ");
        attr(
            &add_text(&li, "a", "", &m.name),
            "href",
            &monitor_path(m.id),
        );
        if !m.groups.is_empty() {
            let groups: Vec<String> = m
                .groups
                .iter()
                .map(|g| format!("{} ({})", g.group, g.state))
                .collect();
            dom::text(
                &li,
                &format!(
                    " — {} group(s) in scope: {}",
                    m.groups.len(),
                    groups.join(", ")
                ),
            );
        }
    }
}
