//! The hover tooltip: the hovered time and each shown series' value (and anomaly band), written
//! straight into its elements at every pointer move.

use dogwatch_chart::{Hover, Line, Rgb, Zone};
use leptos::html::{Div, Span};
use leptos::prelude::*;
use std::collections::BTreeSet;

use crate::chart;

/// One line of the tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct TooltipRow {
    pub label: String,
    pub color: String,
    pub has_band: bool,
}

/// The tooltip's rows: one per shown line, in the order `hover_at` reports values.
pub fn tooltip_rows(lines: &[Line], colors: &[Rgb], hidden: &BTreeSet<String>) -> Vec<TooltipRow> {
    lines
        .iter()
        .zip(colors)
        .filter(|(l, _)| !hidden.contains(&l.label))
        .map(|(l, &c)| TooltipRow {
            label: l.label.clone(),
            color: chart::css(c),
            has_band: l.band.is_some(),
        })
        .collect()
}

/// Where the mounted tooltip's texts go, and what was last written there (to skip rewriting the same).
#[derive(Default)]
pub struct TooltipRefs {
    card: NodeRef<Div>,
    time: TextSlot,
    /// Per row: its value, and for a line with a band, its band.
    slots: Vec<(TextSlot, Option<TextSlot>)>,
    flip: Option<bool>,
}

impl TooltipRefs {
    /// Writes `hover` into the tooltip; `flip` opens it to the left of the crosshair.
    pub fn paint(&mut self, hover: &Hover, flip: bool, zone: Zone) {
        if self.flip != Some(flip) {
            let Some(card) = self.card.get_untracked() else {
                return;
            };
            let _ = card.set_attribute("class", if flip { "tooltip flip" } else { "tooltip" });
            self.flip = Some(flip);
        }
        self.time.set(&chart::time_of_day(hover.ts_ms, zone));
        for (i, (value, band)) in self.slots.iter_mut().enumerate() {
            let text = hover
                .values
                .get(i)
                .copied()
                .flatten()
                .map_or_else(|| "no data".to_owned(), chart::format_value);
            value.set(&text);
            if let Some(band) = band {
                let text = hover.bands.get(i).copied().flatten().map(|(lo, hi)| {
                    format!(
                        "band {} – {}",
                        chart::format_value(lo),
                        chart::format_value(hi)
                    )
                });
                band.set(text.as_deref().unwrap_or_default());
            }
        }
    }
}

/// An element whose text changes at every pointer move, and its text node once it has one:
/// changing that node is cheaper than `textContent`, which replaces the element's children, and
/// keeping it spares asking the DOM for it each time.
#[derive(Default)]
struct TextSlot {
    el: NodeRef<Span>,
    text: Option<web_sys::Node>,
    /// What `text` holds: the same text is not written again (a text write costs the browser far
    /// more than a comparison, as it shapes the new text at once).
    written: String,
}

impl TextSlot {
    fn new(el: NodeRef<Span>) -> TextSlot {
        TextSlot {
            el,
            text: None,
            written: String::new(),
        }
    }

    fn set(&mut self, text: &str) {
        if let Some(node) = &self.text {
            if self.written != text {
                node.set_node_value(Some(text));
            }
        } else if let Some(el) = self.el.get_untracked() {
            el.set_text_content(Some(text));
            self.text = el.first_child();
        } else {
            return;
        }
        if self.written != text {
            self.written.clear();
            self.written.push_str(text);
        }
    }
}

/// The tooltip for the hovered bucket, with one row per shown line (`rows`, in the order of
/// `Hover::values`). It stays mounted while the pointer moves over the graph; `paint` writes the
/// hovered time and values straight into its elements, which costs far less at every pointer move
/// than a reactive node per text. Labels and values go in as text.
#[component]
pub fn HoverCard(
    tip: StoredValue<TooltipRefs, LocalStorage>,
    rows: Memo<Vec<TooltipRow>>,
    paint: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let card = NodeRef::<Div>::new();
    let time = NodeRef::<Span>::new();
    tip.set_value(TooltipRefs {
        card,
        time: TextSlot::new(time),
        ..TooltipRefs::default()
    });
    let rows_view = move || {
        let rows = rows.get();
        let mut slots = Vec::with_capacity(rows.len());
        let view = rows
            .into_iter()
            .map(|row| {
                let value = NodeRef::<Span>::new();
                let band = row.has_band.then(NodeRef::<Span>::new);
                slots.push((TextSlot::new(value), band.map(TextSlot::new)));
                view! {
                    <li>
                        <span class="swatch" style:background-color=row.color></span>
                        <span class="tooltip-label">{row.label}</span>
                        <span class="tooltip-value" node_ref=value></span>
                        {band.map(|band| view! { <span class="tooltip-band" node_ref=band></span> })}
                    </li>
                }
            })
            .collect_view();
        tip.update_value(|t| t.slots = slots);
        view
    };
    // Fill it in once mounted, and again when the rows change (a series hidden or shown).
    Effect::new(move |_| {
        rows.track();
        if card.get().is_some() {
            paint();
        }
    });
    view! {
        <div class="tooltip" role="tooltip" node_ref=card>
            <span class="tooltip-time" node_ref=time></span>
            <ul>{rows_view}</ul>
        </div>
    }
}
