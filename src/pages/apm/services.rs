//! The services list: every service that sent spans in the timeframe, with its requests per
//! second, error rate, p50/p95/p99 latency, Apdex and a sparkline of its requests; an env filter
//! and Apdex's T. A row leads to the service's page.

use std::sync::Arc;

use dogwatch_core::wire::{ApmServices, ServiceRow};
use leptos::prelude::*;

use super::state::{ApmState, per_second, percent};
use super::{ApmHead, Shown, Spark, UrlState, service_href, shown, use_window};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::chart::format_duration_ns;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let url = UrlState::new();
    let state = url.state;
    let backend = use_backend();
    let key = use_window(state);
    let load = use_latest(
        key,
        move |(s, range), abort| -> ApiFuture<Arc<ApmServices>> {
            let request = backend.apm_services(s.service_params(*range), abort);
            Box::pin(async move { request.await.map(Arc::new) })
        },
    );
    Effect::new(|_| document().set_title("APM services · dogwatch"));
    let envs = Memo::new(move |_| {
        load.with(|l| {
            l.value
                .as_ref()
                .map(|(_, v)| v.envs.clone())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="page apm">
            <ApmHead url title="APM services".to_owned()>
                <div class="apm-filters">
                    <div class="field">
                        <label for="apm-env">"Env"</label>
                        <select
                            id="apm-env"
                            prop:value=move || state.with(|s| s.env.clone())
                            on:change=move |ev| {
                                let env = event_target_value(&ev);
                                url.update(|s| s.env = env);
                            }
                        >
                            <option value="">"All envs"</option>
                            {move || {
                                let current = state.with(|s| s.env.clone());
                                let mut envs = envs.get();
                                if !current.is_empty() && !envs.contains(&current) {
                                    envs.push(current.clone());
                                }
                                envs.into_iter()
                                    .map(|e| {
                                        let selected = e == current;
                                        view! { <option value=e.clone() selected=selected>{e.clone()}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                    <super::FilterInput
                        id="apm-apdex"
                        label="Apdex T (s)"
                        placeholder="0.5"
                        value=Signal::derive(move || state.with(|s| s.apdex_t.clone()))
                        on_commit=Callback::new(move |t: String| url.update(|s| s.apdex_t = t))
                    />
                </div>
            </ApmHead>
            <div class="panel" aria-live="polite">
                {move || if let Some(v) = super::blocked(state) { v } else { match load.with(shown) {
                    Shown::Loading => view! { <p class="state loading">"Loading services…"</p> }.into_any(),
                    Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                    Shown::Ready(answer) => services_table(&answer, &state.get_untracked()).into_any(),
                }}}
            </div>
        </section>
    }
}

fn services_table(answer: &ApmServices, state: &ApmState) -> impl IntoView + use<> {
    if answer.services.is_empty() {
        return view! {
            <div class="state empty">
                <p>"No service sent spans in this timeframe."</p>
                <p class="hint">"Point a tracer at the trace agent's port (ddtrace: DD_AGENT_HOST, DD_TRACE_AGENT_PORT) or an OpenTelemetry exporter at the OTLP port, or choose a longer timeframe."</p>
            </div>
        }
        .into_any();
    }
    let truncated = answer.truncated.then(|| {
        view! { <p class="banner">"This timeframe holds more spans than were read: the figures cover the newest ones."</p> }
    });
    let apdex_t = format_duration_ns(answer.apdex_t_ms * 1_000_000);
    let rows = answer
        .services
        .iter()
        .map(|row| service_row(row, state))
        .collect_view();
    view! {
        {truncated}
        <table class="apm-table services-table">
            <thead>
                <tr>
                    <th>"Service"</th>
                    <th>"Type"</th>
                    <th class="num">"Requests"</th>
                    <th class="num">"Req/s"</th>
                    <th class="num">"Errors"</th>
                    <th class="num">"p50"</th>
                    <th class="num">"p95"</th>
                    <th class="num">"p99"</th>
                    <th class="num" title=format!("Apdex at T = {apdex_t}")>"Apdex"</th>
                    <th>"Requests over time"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

fn service_row(row: &ServiceRow, state: &ApmState) -> impl IntoView + use<> {
    let href = service_href(&row.service, state);
    let spark: Vec<f64> = row.buckets.iter().map(|b| b.stats.hits as f64).collect();
    let s = &row.stats;
    let errors = if s.errors > 0 {
        "num error-rate"
    } else {
        "num"
    };
    view! {
        <tr>
            <td><a class="service-link" href=href>{row.service.clone()}</a></td>
            <td class="muted">{row.kind.clone()}</td>
            <td class="num">{s.hits}</td>
            <td class="num">{per_second(row.rate_per_s)}</td>
            <td class=errors>{percent(row.error_rate)}</td>
            <td class="num">{format_duration_ns(s.p50_ns)}</td>
            <td class="num">{format_duration_ns(s.p95_ns)}</td>
            <td class="num">{format_duration_ns(s.p99_ns)}</td>
            <td class="num">{row.apdex.map_or_else(|| "–".to_owned(), |a| format!("{a:.2}"))}</td>
            <td><Spark values=spark label=format!("Requests of {}", row.service)/></td>
        </tr>
    }
}
