//! A timeseries graph: the canvas, an HTML legend whose entries hide and show their series, a hover
//! tooltip with the time and each shown series' value (and anomaly band) at the nearest bucket, a
//! crosshair shared with the other graphs of a `CrosshairSync` context, and drag-to-zoom.
//!
//! Drawing is the expensive part, so it happens only when it must: when the graph is on screen and
//! its own data, options or size changed since the last draw. The crosshair, tooltip and drag
//! selection are HTML over the canvas, so moving the pointer never redraws it.

use std::collections::BTreeSet;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use leptos::ev;
use leptos::html::{Canvas, Div, Span};
use leptos::prelude::*;

use crate::chart::{
    self, ChartOptions, CrosshairSync, GraphData, Hover, Line, Observers, PlotBox, Rgb,
};

/// Everything one draw depends on. Two equal inputs draw the same picture, so the second is skipped.
#[derive(Debug, Clone)]
struct DrawInput {
    lines: Arc<Vec<Line>>,
    colors: Arc<Vec<Rgb>>,
    range: TimeRange,
    options: ChartOptions,
    /// The canvas' CSS box: width, height.
    size: (i32, i32),
}

impl PartialEq for DrawInput {
    fn eq(&self, other: &Self) -> bool {
        // The lines come from a memo that already compared them by value: the same Arc means the
        // same lines, and comparing pointers spares walking every point again.
        Arc::ptr_eq(&self.lines, &other.lines)
            && self.colors == other.colors
            && self.range == other.range
            && self.options == other.options
            && self.size == other.size
    }
}

#[component]
pub fn Timeseries(
    /// What to draw; `None` leaves the canvas as it is.
    #[prop(into)]
    graph: Signal<Option<GraphData>>,
    /// Styles, axis, markers and hidden series.
    #[prop(into, optional)]
    options: Signal<ChartOptions>,
    /// Called with the window selected by dragging across the plot; without it, dragging does nothing.
    #[prop(optional, into)]
    on_zoom: Option<Callback<TimeRange>>,
) -> impl IntoView {
    let area_ref = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let sync = use_context::<CrosshairSync>();

    let lines = Memo::new(move |_| {
        Arc::new(graph.with(|g| {
            g.as_ref()
                .map(|g| chart::lines(&g.response))
                .unwrap_or_default()
        }))
    });
    let range = Memo::new(move |_| graph.with(|g| g.as_ref().map(|g| g.range)));
    // The legend's toggles, once used, win over the options' hidden set until the options change it.
    let toggled = RwSignal::new(None::<BTreeSet<String>>);
    Effect::watch(
        move || options.with(|o| o.hidden.clone()),
        move |_, _, _| toggled.set(None),
        false,
    );
    let effective = Memo::new(move |_| {
        let mut o = options.get();
        if let Some(hidden) = toggled.get() {
            o.hidden = hidden;
        }
        o
    });
    let colors = Memo::new(move |_| {
        let queries: Vec<usize> = lines.with(|l| l.iter().map(|l| l.query_index).collect());
        Arc::new(effective.with(|o| chart::series_colors(&queries, o)))
    });

    let size = RwSignal::new(None::<(i32, i32)>);
    let visible = RwSignal::new(false);
    let observers = StoredValue::new_local(None::<Observers>);
    let measure = move || {
        if let Some(c) = canvas.get_untracked() {
            let now = Some((c.client_width(), c.client_height()));
            if size.get_untracked() != now {
                size.set(now);
            }
        }
    };
    Effect::new(move |_| {
        let Some(area) = area_ref.get() else { return };
        // Measure and look now, so that a graph on screen draws without waiting a frame for the
        // observers' first reports; they keep both up to date afterwards.
        measure();
        visible.set(chart::on_screen_now(&area));
        let watching = Observers::watch(&area, measure, move |on_screen| {
            if visible.get_untracked() != on_screen {
                visible.set(on_screen);
            }
        });
        observers.set_value(watching);
    });
    on_cleanup(move || {
        // Disconnects the observers.
        observers.try_set_value(None);
    });

    let input = Memo::new(move |_| {
        Some(DrawInput {
            lines: lines.get(),
            colors: colors.get(),
            range: range.get()?,
            options: effective.get(),
            size: size.get()?,
        })
    });

    let plot = RwSignal::new(None::<PlotBox>);
    let pointer_x = StoredValue::new(None::<f64>);
    let area_left = StoredValue::new(None::<f64>);
    // The hovered bucket is plain data, not a signal: the pointer moves often, and the crosshair and
    // tooltip are written straight into their elements (see `paint`), while `hovering` (whether the
    // tooltip is mounted) changes only as the pointer enters and leaves.
    let hover = StoredValue::new(None::<Hover>);
    let hovering = RwSignal::new(false);
    let crosshair = NodeRef::<Div>::new();
    let crosshair_at = StoredValue::new(None::<f64>);
    // What the pointer handlers read, taken at each draw.
    let drawn_view = StoredValue::new(DrawnView::default());
    let crosshair_style = StoredValue::new_local(None::<web_sys::CssStyleDeclaration>);
    let tip = StoredValue::new_local(TooltipRefs::default());
    let selection = RwSignal::new(None::<(f64, f64)>);
    let drag_from = StoredValue::new(None::<f64>);
    let (draw_error, set_draw_error) = signal(None::<String>);
    let draws = StoredValue::new(0_u64);
    // This graph's subscription to the crosshair context.
    let sync_id = StoredValue::new(None::<u64>);
    let last_drawn = StoredValue::new(None::<DrawInput>);

    // Puts the crosshair at `x` (CSS pixels in the chart area), or hides it.
    let place_crosshair = move |x: Option<f64>| {
        let was = crosshair_at.get_value();
        if was == x {
            return;
        }
        crosshair_at.set_value(x);
        if crosshair_style.with_value(Option::is_none) {
            let style = crosshair
                .get_untracked()
                .map(|el| web_sys::HtmlElement::style(&el));
            crosshair_style.set_value(style);
        }
        // Borrowed, not cloned: cloning and dropping a JS object handle costs two calls into the
        // bindings' JavaScript.
        crosshair_style.with_value(|style| {
            let Some(style) = style else { return };
            // One property at a time: cheaper than rewriting the style attribute at every move.
            match x {
                Some(x) => {
                    let _ = style.set_property("left", &css_px(x));
                    if was.is_none() {
                        let _ = style.remove_property("display");
                    }
                }
                None => {
                    let _ = style.set_property("display", "none");
                }
            }
        });
    };
    let paint = move || {
        hover.with_value(|h| {
            place_crosshair(h.as_ref().map(|h| h.x));
            if let Some(h) = h {
                let (flip, offset) = drawn_view.with_value(|v| {
                    let flip = v.plot.is_some_and(|p| h.x > (p.left + p.right) / 2.0);
                    (flip, v.zone)
                });
                tip.update_value(|t| t.paint(h, flip, offset));
            }
        })
    };
    let refresh_hover = move || {
        let found = drawn_view.with_value(|v| match (v.plot, pointer_x.get_value()) {
            (Some(p), Some(x)) => chart::hover_at(&p, v.shown(), x),
            _ => None,
        });
        let Some(was_present) = hover.with_value(|h| (*h != found).then_some(h.is_some())) else {
            return;
        };
        let present = found.is_some();
        let ts_ms = found.as_ref().map(|h| h.ts_ms);
        hover.set_value(found);
        paint();
        // `hovering` follows `hover`: compared with the bucket left, not read (a signal read costs
        // more than the plain value).
        if was_present != present {
            hovering.set(present);
        }
        if let Some((sync, id)) = sync.zip(sync_id.get_value()) {
            sync.publish(id, ts_ms);
        }
    };
    // The time hovered on another graph of the same context: the crosshair goes there, unless the
    // pointer is over this graph.
    let follow = move |ts_ms: Option<i64>| {
        if hover.try_with_value(Option::is_none) != Some(true) {
            return;
        }
        let plot = drawn_view.with_value(|v| v.plot);
        let x = ts_ms.zip(plot).and_then(|(ts_ms, p)| {
            (p.range.from_ms..=p.range.to_ms)
                .contains(&ts_ms)
                .then(|| p.x_of(ts_ms))
        });
        place_crosshair(x);
    };
    if let Some(sync) = sync {
        sync_id.set_value(Some(sync.subscribe(follow)));
    }
    on_cleanup(move || {
        if let Some((sync, id)) = sync.zip(sync_id.try_get_value().flatten()) {
            sync.unsubscribe(id);
        }
    });

    Effect::new(move |_| {
        let (Some(canvas), true, Some(input)) = (canvas.get(), visible.get(), input.get()) else {
            return;
        };
        if last_drawn.with_value(|last| last.as_ref() == Some(&input)) {
            return;
        }
        match chart::draw(
            &canvas,
            &input.lines,
            &input.colors,
            input.range,
            &input.options,
        ) {
            Ok(drawn) => {
                // For tests and tools: what was drawn, where the plotting area is in canvas pixels,
                // and how many times the canvas was drawn.
                let (l, t, r, b) = drawn.device_box;
                let count = draws.get_value() + 1;
                draws.set_value(count);
                let attributes = [
                    ("data-series", drawn.series.to_string()),
                    ("data-points", drawn.points.to_string()),
                    ("data-drawn-points", drawn.drawn_points.to_string()),
                    ("data-hidden", drawn.hidden.to_string()),
                    ("data-bands", drawn.bands.to_string()),
                    ("data-anomalies", drawn.anomalies.to_string()),
                    ("data-regions", drawn.regions.to_string()),
                    ("data-plot-area", format!("{l},{t},{r},{b}")),
                    ("data-draws", count.to_string()),
                ];
                for (name, value) in attributes {
                    let _ = canvas.set_attribute(name, &value);
                }
                plot.set(Some(drawn.plot));
                drawn_view.set_value(DrawnView {
                    plot: Some(drawn.plot),
                    shown: input
                        .lines
                        .iter()
                        .map(|l| !input.options.hidden.contains(&l.label))
                        .collect(),
                    lines: Arc::clone(&input.lines),
                    zone: if input.options.utc {
                        Some(0)
                    } else {
                        chart::fixed_offset(input.range)
                    },
                });
                // Where another graph's crosshair now falls on this one.
                follow(sync.and_then(|s| s.ts_ms()));
                area_left.set_value(None);
                set_draw_error.set(None);
            }
            Err(e) => set_draw_error.set(Some(e)),
        }
        last_drawn.set_value(Some(input));
        // Keep the tooltip on the pointer across a live refresh.
        refresh_hover();
    });

    // The pointer's x in the chart area, from its client x and the area's left edge. The edge is
    // read when the pointer enters (and on the first move after a draw) rather than at every move,
    // which would make the browser lay the page out again each time.
    let x_of = move |ev: &ev::PointerEvent| {
        let left = match area_left.get_value() {
            Some(left) => left,
            None => {
                let left = area_ref.get_untracked()?.get_bounding_client_rect().left();
                area_left.set_value(Some(left));
                left
            }
        };
        Some(f64::from(ev.client_x()) - left)
    };
    let on_down = move |ev: ev::PointerEvent| {
        let (Some(_), Some(x), 0) = (on_zoom, x_of(&ev), ev.button()) else {
            return;
        };
        if let Some(area) = area_ref.get_untracked() {
            // Keep receiving moves (and the release) when the pointer leaves the graph mid-drag.
            let _ = area.set_pointer_capture(ev.pointer_id());
        }
        drag_from.set_value(Some(x));
    };
    let on_move = move |ev: ev::PointerEvent| {
        let Some(x) = x_of(&ev) else { return };
        pointer_x.set_value(Some(x));
        refresh_hover();
        if let Some(from) = drag_from.get_value() {
            selection.set(Some((from, x)));
        }
    };
    let on_up = move |ev: ev::PointerEvent| {
        let (Some(from), Some(to)) = (drag_from.get_value(), x_of(&ev)) else {
            return;
        };
        drag_from.set_value(None);
        selection.set(None);
        let picked = plot
            .get_untracked()
            .and_then(|p| chart::selected_range(&p, from, to));
        if let (Some(range), Some(on_zoom)) = (picked, on_zoom) {
            on_zoom.run(range);
        }
    };
    let on_cancel = move |_: ev::PointerEvent| {
        drag_from.set_value(None);
        selection.set(None);
    };
    let on_enter = move |_: ev::PointerEvent| area_left.set_value(None);
    let on_leave = move |_: ev::PointerEvent| {
        area_left.set_value(None);
        pointer_x.set_value(None);
        refresh_hover();
    };

    let tooltip_rows = Memo::new(move |_| {
        lines.with(|l| colors.with(|c| effective.with(|o| tooltip_rows(l, c, &o.hidden))))
    });

    let selection_box = Memo::new(move |_| {
        let (a, b) = selection.get()?;
        let p = plot.get()?;
        let (l, r) = (
            a.min(b).clamp(p.left, p.right),
            a.max(b).clamp(p.left, p.right),
        );
        Some((l, r - l, p.top, p.bottom - p.top))
    });

    view! {
        <div class="timeseries">
            <div
                node_ref=area_ref
                class="chart-area"
                class:zoomable=on_zoom.is_some()
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_cancel
                on:pointerenter=on_enter
                on:pointerleave=on_leave
            >
                <canvas node_ref=canvas class="chart-canvas" role="img" aria-label="Timeseries graph"></canvas>
                // The tooltip hangs from the crosshair, so that one write moves both.
                <div class="crosshair" node_ref=crosshair style:display="none">
                    <Show when=move || hovering.get()>
                        <HoverCard tip rows=tooltip_rows paint/>
                    </Show>
                </div>
                <Show when=move || selection_box.with(Option::is_some)>
                    <div
                        class="chart-selection"
                        style:left=move || px(selection_box.get().map(|b| b.0))
                        style:width=move || px(selection_box.get().map(|b| b.1))
                        style:top=move || px(selection_box.get().map(|b| b.2))
                        style:height=move || px(selection_box.get().map(|b| b.3))
                    ></div>
                </Show>
            </div>
            {move || draw_error.get().map(|e| view! { <p class="state error">"The graph could not be drawn: " {e}</p> })}
            <ul class="legend" aria-label="Series">
                {move || {
                    let hidden = effective.with(|o| o.hidden.clone());
                    let colors = colors.get();
                    lines
                        .get()
                        .iter()
                        .zip(colors.iter())
                        .map(|(line, &color)| {
                            let is_hidden = hidden.contains(&line.label);
                            let label = line.label.clone();
                            let toggle = Callback::new(move |()| {
                                let mut set = effective.with_untracked(|o| o.hidden.clone());
                                if !set.remove(&label) {
                                    set.insert(label.clone());
                                }
                                toggled.set(Some(set));
                            });
                            let band = line
                                .band
                                .as_ref()
                                .map(|b| (b.describe(), chart::anomalies(line).len()));
                            view! { <LegendItem label=line.label.clone() band color is_hidden toggle/> }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// `x` CSS pixels as CSS text, to the 1/64 px the browser lays out in (Blink's LayoutUnit), so the
/// same place on screen: "523.453125px". Written by hand: a float's shortest decimal form (`{x}`,
/// up to 17 digits here) was the largest piece of our own code in a pointer move.
fn css_px(x: f64) -> String {
    let units = (x * 64.0).round();
    let mut text = String::with_capacity(20);
    if units < 0.0 {
        text.push('-');
    }
    let units = units.abs().min(1e15) as u64;
    push_digits(&mut text, units / 64, 1);
    let frac = units % 64;
    if frac > 0 {
        // k/64 is k × 0.015625: six decimals, exactly.
        text.push('.');
        let mut decimals = frac * 15_625;
        let mut width = 6;
        while decimals.is_multiple_of(10) {
            decimals /= 10;
            width -= 1;
        }
        push_digits(&mut text, decimals, width);
    }
    text.push_str("px");
    text
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(text: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut n = n;
    while n > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    text.extend(digits[i..].iter().map(|&d| char::from(d)));
}

fn px(x: Option<f64>) -> String {
    format!("{}px", x.unwrap_or_default())
}

/// What the pointer handlers need of the last draw, in one place: reading it is one borrow, where
/// the signals and memos it comes from cost a lookup, a lock and a guard each, at every move.
#[derive(Default)]
struct DrawnView {
    plot: Option<PlotBox>,
    lines: Arc<Vec<Line>>,
    /// Per line: whether it is shown (not hidden from the legend).
    shown: Vec<bool>,
    /// The zone's offset over the window drawn, when it has one: tooltip times without a `Date` each.
    zone: Option<i64>,
}

impl DrawnView {
    /// The lines not hidden.
    fn shown(&self) -> impl Iterator<Item = &Line> + Clone {
        self.lines
            .iter()
            .zip(&self.shown)
            .filter_map(|(l, &shown)| shown.then_some(l))
    }
}

/// One line of the tooltip.
#[derive(Debug, Clone, PartialEq)]
struct TooltipRow {
    label: String,
    color: String,
    has_band: bool,
}

/// The tooltip's rows: one per shown line, in the order `hover_at` reports values.
fn tooltip_rows(lines: &[Line], colors: &[Rgb], hidden: &BTreeSet<String>) -> Vec<TooltipRow> {
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

/// One series in the legend: a button with its color and label that hides or shows it, and for an
/// `anomalies()` series its band and how many points fall outside it.
#[component]
fn LegendItem(
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

/// Where the mounted tooltip's texts go, and what was last written there (to skip rewriting the same).
#[derive(Default)]
struct TooltipRefs {
    card: NodeRef<Div>,
    time: TextSlot,
    /// Per row: its value, and for a line with a band, its band.
    slots: Vec<(TextSlot, Option<TextSlot>)>,
    flip: Option<bool>,
}

impl TooltipRefs {
    /// Writes `hover` into the tooltip; `flip` opens it to the left of the crosshair.
    fn paint(&mut self, hover: &Hover, flip: bool, offset: Option<i64>) {
        if self.flip != Some(flip) {
            let Some(card) = self.card.get_untracked() else {
                return;
            };
            let _ = card.set_attribute("class", if flip { "tooltip flip" } else { "tooltip" });
            self.flip = Some(flip);
        }
        let time = match offset {
            Some(offset) => chart::time_of_day_at(hover.ts_ms, offset),
            None => chart::time_of_day(hover.ts_ms),
        };
        self.time.set(&time);
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
fn HoverCard(
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

#[cfg(test)]
mod tests {
    use super::css_px;

    #[test]
    fn crosshair_positions_are_written_to_the_64th_of_a_pixel() {
        assert_eq!(css_px(0.0), "0px");
        assert_eq!(css_px(-0.001), "0px");
        assert_eq!(css_px(12.0), "12px");
        assert_eq!(css_px(523.453125), "523.453125px");
        assert_eq!(css_px(100.5), "100.5px");
        assert_eq!(css_px(-3.25), "-3.25px");
        assert_eq!(css_px(1.0 / 64.0), "0.015625px");
        // Any x: the text is x rounded to 1/64, exactly.
        for i in 0..20_000 {
            let x = f64::from(i) * 0.0731 - 50.0;
            let rounded = (x * 64.0).round() / 64.0;
            let expected = if rounded == 0.0 {
                "0px".to_owned()
            } else {
                format!("{rounded}px")
            };
            assert_eq!(css_px(x), expected, "{x}");
        }
    }
}
