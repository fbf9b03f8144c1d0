//! The legend: one entry per series, a button that hides or shows it.

use dogwatch_chart::Rgb;
use leptos::prelude::*;

use crate::chart;

/// One series in the legend: a button with its color and label that hides or shows it, and for an
/// `anomalies()` series its band and how many points fall outside it.
#[component]
pub fn LegendItem(
    label: String,
    /// For an `anomalies()` series: its band in words, and how many points fall outside it.
    band: Option<(String, usize)>,
    color: Rgb,
    is_hidden: bool,
    toggle: Callback<()>,
) -> impl IntoView {
    let band = band.map(|(describe, outside)| {
        let outside = (outside > 0).then(|| {
            let words = if outside == 1 {
                "1 point outside".to_owned()
            } else {
                format!("{outside} points outside")
            };
            view! {
                <span class="legend-anomalies">
                    <span class="dot" style:background-color=chart::ANOMALY_CSS></span>
                    {words}
                </span>
            }
        });
        view! {
            <span class="legend-band">
                <span class="swatch band" style:background-color=chart::BAND_CSS></span>
                {describe}
            </span>
            {outside}
        }
    });
    let title = if is_hidden { "Show" } else { "Hide" };
    view! {
        <li class="legend-entry" class:hidden=is_hidden>
            <button
                type="button"
                class="legend-item"
                aria-pressed=if is_hidden { "false" } else { "true" }
                title=format!("{title} {label}")
                on:click=move |_| toggle.run(())
            >
                <span class="swatch" style:background-color=chart::css(color)></span>
                <span class="legend-label">{label.clone()}</span>
            </button>
            {band}
        </li>
    }
}

/// The legend of `lines` in `colors`: entries for the series in `hidden` are struck through, and a
/// click on an entry hands `on_toggle` the hidden set with that series toggled.
#[component]
pub fn Legend(
    lines: Memo<std::sync::Arc<Vec<dogwatch_chart::Line>>>,
    colors: Memo<std::sync::Arc<Vec<Rgb>>>,
    hidden: Signal<std::collections::BTreeSet<String>>,
    on_toggle: Callback<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let entries = move || {
        let hidden_now = hidden.get();
        let colors = colors.get();
        lines
            .get()
            .iter()
            .zip(colors.iter())
            .map(|(line, &color)| {
                let is_hidden = hidden_now.contains(&line.label);
                let label = line.label.clone();
                let toggle = Callback::new(move |()| {
                    let mut set = hidden.get_untracked();
                    if !set.remove(&label) {
                        set.insert(label.clone());
                    }
                    on_toggle.run(set);
                });
                let band = line
                    .band
                    .as_ref()
                    .map(|b| (b.describe(), chart::anomalies(line).len()));
                view! { <LegendItem label=line.label.clone() band color is_hidden toggle/> }
            })
            .collect_view()
    };
    view! { <ul class="legend" aria-label="Series">{entries}</ul> }
}
