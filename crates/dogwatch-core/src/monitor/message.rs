//! A monitor's message template, rendered for one transition: Datadog's mustache-like sections
//! (`{{#is_alert}}…{{/is_alert}}`, negated with `{{^is_alert}}`, nested as deep as
//! [`MAX_DEPTH`]) and variables (`{{value}}`, `{{host.name}}`, …). The output is plain text: nothing
//! is escaped or interpreted as HTML, and whoever shows it puts it in a text node.
//!
//! Two entry points share one scanner: [`check`] reports the first mistake with its line and column
//! (for validation when a monitor is saved), and [`render`] never fails, because a notification must
//! still go out for a monitor saved before a rule existed. `render` treats an unclosed section as
//! running to the end, ignores a stray closing tag, shows an unclosed `{{` as text and leaves unknown
//! variables and sections empty (a negated unknown section shows its content).
//!
//! Sections, true when the transition:
//!
//! | section | |
//! |---|---|
//! | `is_alert`, `is_warning`, `is_no_data` | goes to (or renotifies in) Alert, Warn, No Data |
//! | `is_recovery` | goes to OK |
//! | `is_alert_recovery`, `is_warning_recovery`, `is_no_data_recovery` | goes to OK from Alert, Warn, No Data |
//! | `is_alert_to_warning` | goes from Alert to Warn (`is_warning` is also true) |
//! | `is_renotify` | is a renotification |
//!
//! Variables: `{{value}}` (empty for no data), `{{threshold}}`, `{{warn_threshold}}`,
//! `{{comparator}}`, `{{last_triggered_at}}` and `{{first_triggered_at}}` (`YYYY-MM-DD HH:MM:SS UTC`,
//! and `…_epoch` in milliseconds), `{{<tag key>.name}}` (the group's value of that tag),
//! `{{[dotted.key].name}}`, `{{host.ip}}`. Whitespace inside the braces and triple braces
//! `{{{value}}}` (Datadog's unescaped form; here all output is unescaped) are accepted. Numbers are
//! written compactly, with up to six significant digits: `800`, `812.5`, `0.003`.

use std::fmt;

use crate::query::Span;

use super::options::Thresholds;
use super::query::Comparator;
use super::state::{State, Transition, TransitionKind};

/// The deepest nesting of sections; deeper tags are refused by [`check`] and ignored by [`render`],
/// which keeps rendering a hostile template's recursion shallow.
pub const MAX_DEPTH: usize = 32;

/// The sections [`render`] knows.
const SECTIONS: [&str; 9] = [
    "is_alert",
    "is_warning",
    "is_no_data",
    "is_recovery",
    "is_alert_recovery",
    "is_warning_recovery",
    "is_alert_to_warning",
    "is_no_data_recovery",
    "is_renotify",
];

/// Datadog sections with arguments that dogwatch does not render yet.
const UNSUPPORTED_SECTIONS: [&str; 3] = ["is_match", "is_exact_match", "is_priority"];

/// What a message is rendered with: one group's transition.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderContext {
    pub transition: Transition,
    /// The evaluated value; `None` for no data.
    pub value: Option<f64>,
    /// `critical` is `{{threshold}}` (fill it from the query, see `Thresholds::with_query`) and
    /// `warning` is `{{warn_threshold}}`.
    pub thresholds: Thresholds,
    pub comparator: Comparator,
    /// The group's tags, e.g. `[("host", "ubuntu")]`, for `{{host.name}}`.
    pub group_tags: Vec<(String, String)>,
    /// The group's host address, if the host reports one, for `{{host.ip}}`.
    pub host_ip: Option<String>,
    pub last_triggered_ms: Option<i64>,
    pub first_triggered_ms: Option<i64>,
}

/// A mistake in a template, found by [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The byte range of the offending tag.
    pub span: Span,
    /// 1-based line of the tag.
    pub line: usize,
    /// 1-based character column of the tag on its line.
    pub column: usize,
    pub kind: TemplateErrorKind,
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// `{{` without a closing `}}`.
    UnclosedTag,
    /// `{{#name}}` or `{{^name}}` without `{{/name}}`.
    UnclosedSection { name: String },
    /// `{{/name}}` with no open section of that name.
    UnexpectedClose { name: String },
    /// A section name that is none of the known ones.
    UnknownSection { name: String },
    /// `{{#is_match …}}` and the like, which dogwatch does not render yet.
    UnsupportedSection { name: String },
    /// Sections nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = format!("line {}, column {}", self.line, self.column);
        match &self.kind {
            TemplateErrorKind::UnclosedTag => {
                write!(f, "`{{{{` at {at} is never closed with `}}}}`")
            }
            TemplateErrorKind::UnclosedSection { name } => write!(
                f,
                "the section `{name}` opened at {at} is never closed; end it with \
                 `{{{{/{name}}}}}`"
            ),
            TemplateErrorKind::UnexpectedClose { name } => write!(
                f,
                "`{{{{/{name}}}}}` at {at} closes a section that is not open"
            ),
            TemplateErrorKind::UnknownSection { name } => write!(
                f,
                "unknown section `{name}` at {at}; use one of {}",
                SECTIONS.join(", ")
            ),
            TemplateErrorKind::UnsupportedSection { name } => {
                write!(f, "the section `{name}` at {at} is not supported yet")
            }
            TemplateErrorKind::TooDeep => {
                write!(f, "sections nest more than {MAX_DEPTH} deep at {at}")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// The first mistake in `template`, in text order, or `Ok` if it renders as written.
pub fn check(template: &str) -> Result<(), TemplateError> {
    let parsed = parse(template);
    match parsed.errors.into_iter().min_by_key(|(span, _)| span.start) {
        None => Ok(()),
        Some((span, kind)) => {
            let (line, column) = line_column(template, span.start);
            Err(TemplateError {
                span,
                line,
                column,
                kind,
            })
        }
    }
}

/// The message for one transition; never fails (see the module doc for what it forgives).
pub fn render(template: &str, ctx: &RenderContext) -> String {
    let parsed = parse(template);
    let mut out = String::with_capacity(template.len());
    render_nodes(&parsed.nodes, ctx, &mut out);
    out
}

#[derive(Debug)]
enum Node<'a> {
    Text(&'a str),
    /// The trimmed text between the braces.
    Var(&'a str),
    Section {
        name: &'a str,
        /// Written with arguments, as in `{{#is_match "role.name" "db"}}`.
        has_args: bool,
        inverted: bool,
        children: Vec<Node<'a>>,
    },
}

struct Parsed<'a> {
    nodes: Vec<Node<'a>>,
    errors: Vec<(Span, TemplateErrorKind)>,
}

/// An open section while scanning.
struct Frame<'a> {
    name: &'a str,
    has_args: bool,
    inverted: bool,
    open: Span,
    children: Vec<Node<'a>>,
}

impl<'a> Frame<'a> {
    fn into_node(self) -> Node<'a> {
        Node::Section {
            name: self.name,
            has_args: self.has_args,
            inverted: self.inverted,
            children: self.children,
        }
    }
}

/// Scans the template into a tree, collecting every mistake on the way.
fn parse(template: &str) -> Parsed<'_> {
    let mut root: Vec<Node<'_>> = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut errors = Vec::new();
    let mut pos = 0;

    fn current<'s, 'a>(
        root: &'s mut Vec<Node<'a>>,
        stack: &'s mut [Frame<'a>],
    ) -> &'s mut Vec<Node<'a>> {
        match stack.last_mut() {
            Some(frame) => &mut frame.children,
            None => root,
        }
    }

    while let Some(rel) = template.get(pos..).and_then(|rest| rest.find("{{")) {
        let start = pos + rel;
        if start > pos {
            current(&mut root, &mut stack).push(Node::Text(&template[pos..start]));
        }
        let triple = template[start..].starts_with("{{{");
        let (open_len, close) = if triple { (3, "}}}") } else { (2, "}}") };
        let inner_start = start + open_len;
        let rest = &template[inner_start..];
        let inner_len = rest.find(close).filter(|&end| !rest[..end].contains("{{"));
        let Some(inner_len) = inner_len else {
            if triple {
                // `{` written before a tag, as in `{{{value}}`: the first brace is text.
                current(&mut root, &mut stack).push(Node::Text(&template[start..start + 1]));
                pos = start + 1;
                continue;
            }
            // No closing braces before the next tag: the braces are text.
            errors.push((
                Span::new(start, start + open_len),
                TemplateErrorKind::UnclosedTag,
            ));
            current(&mut root, &mut stack).push(Node::Text(&template[start..inner_start]));
            pos = inner_start;
            continue;
        };
        let inner = rest[..inner_len].trim();
        let end = inner_start + inner_len + close.len();
        let span = Span::new(start, end);
        pos = end;

        let (sigil, body) = match inner.chars().next() {
            Some(c @ ('#' | '^' | '/' | '!')) => (Some(c), inner[1..].trim()),
            _ => (None, inner),
        };
        let mut words = body.split_whitespace();
        let name = words.next().unwrap_or("");
        let has_args = words.next().is_some();
        match sigil {
            None => current(&mut root, &mut stack).push(Node::Var(inner)),
            // A mustache comment.
            Some('!') => {}
            Some('/') => match stack.iter().rposition(|frame| frame.name == name) {
                Some(index) => {
                    while stack.len() > index + 1 {
                        if let Some(inner_frame) = stack.pop() {
                            errors.push((
                                inner_frame.open,
                                TemplateErrorKind::UnclosedSection {
                                    name: inner_frame.name.to_owned(),
                                },
                            ));
                            current(&mut root, &mut stack).push(inner_frame.into_node());
                        }
                    }
                    if let Some(frame) = stack.pop() {
                        current(&mut root, &mut stack).push(frame.into_node());
                    }
                }
                None => errors.push((
                    span,
                    TemplateErrorKind::UnexpectedClose {
                        name: name.to_owned(),
                    },
                )),
            },
            Some(c) => {
                if stack.len() >= MAX_DEPTH {
                    errors.push((span, TemplateErrorKind::TooDeep));
                    continue;
                }
                if UNSUPPORTED_SECTIONS.contains(&name) {
                    errors.push((
                        span,
                        TemplateErrorKind::UnsupportedSection {
                            name: name.to_owned(),
                        },
                    ));
                } else if !SECTIONS.contains(&name) || has_args {
                    errors.push((
                        span,
                        TemplateErrorKind::UnknownSection {
                            name: body.to_owned(),
                        },
                    ));
                }
                stack.push(Frame {
                    name,
                    has_args,
                    inverted: c == '^',
                    open: span,
                    children: Vec::new(),
                });
            }
        }
    }
    if pos < template.len() {
        current(&mut root, &mut stack).push(Node::Text(&template[pos..]));
    }
    while let Some(frame) = stack.pop() {
        errors.push((
            frame.open,
            TemplateErrorKind::UnclosedSection {
                name: frame.name.to_owned(),
            },
        ));
        current(&mut root, &mut stack).push(frame.into_node());
    }
    Parsed {
        nodes: root,
        errors,
    }
}

fn render_nodes(nodes: &[Node<'_>], ctx: &RenderContext, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Var(name) => out.push_str(&variable(name, ctx)),
            Node::Section {
                name,
                has_args,
                inverted,
                children,
            } => {
                let on = !has_args && section_is_on(name, &ctx.transition);
                if on != *inverted {
                    render_nodes(children, ctx, out);
                }
            }
        }
    }
}

/// Whether the section `name` is true for `t`; unknown sections are false.
fn section_is_on(name: &str, t: &Transition) -> bool {
    let recovery = t.kind == TransitionKind::Recovery;
    match name {
        "is_alert" => t.to == State::Alert,
        "is_warning" => t.to == State::Warn,
        "is_no_data" => t.to == State::NoData,
        "is_recovery" => recovery,
        "is_alert_recovery" => recovery && t.from == State::Alert,
        "is_warning_recovery" => recovery && t.from == State::Warn,
        "is_no_data_recovery" => recovery && t.from == State::NoData,
        "is_alert_to_warning" => t.kind == TransitionKind::AlertToWarning,
        "is_renotify" => t.kind == TransitionKind::Renotify,
        _ => false,
    }
}

/// The text of a variable; empty when unknown or without a value.
fn variable(name: &str, ctx: &RenderContext) -> String {
    let number = |n: Option<f64>| n.map(format_value).unwrap_or_default();
    let time = |ms: Option<i64>| ms.map(format_utc).unwrap_or_default();
    let epoch = |ms: Option<i64>| ms.map(|ms| ms.to_string()).unwrap_or_default();
    match name {
        "value" => number(ctx.value),
        "threshold" => number(ctx.thresholds.critical),
        "warn_threshold" => number(ctx.thresholds.warning),
        "comparator" => ctx.comparator.symbol().to_owned(),
        "last_triggered_at" => time(ctx.last_triggered_ms),
        "first_triggered_at" => time(ctx.first_triggered_ms),
        "last_triggered_at_epoch" => epoch(ctx.last_triggered_ms),
        "first_triggered_at_epoch" => epoch(ctx.first_triggered_ms),
        _ => tag_variable(name, ctx).unwrap_or_default(),
    }
}

/// `host.name`, `[dotted.key].name`, `host.ip`.
fn tag_variable(name: &str, ctx: &RenderContext) -> Option<String> {
    let (key, attribute) = match name.strip_prefix('[') {
        Some(bracketed) => {
            let (key, rest) = bracketed.split_once(']')?;
            (key.trim(), rest.strip_prefix('.')?)
        }
        None => name.rsplit_once('.')?,
    };
    let key = key.to_lowercase();
    match attribute {
        "name" => ctx
            .group_tags
            .iter()
            .find(|(k, _)| k.to_lowercase() == key)
            .map(|(_, v)| v.clone()),
        "ip" if key == "host" => ctx.host_ip.clone(),
        _ => None,
    }
}

/// A number with up to six significant digits and no trailing zeros: `800`, `812.5`, `0.003`,
/// `1.5e20`.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs().log10().floor();
    if !(-6.0..15.0).contains(&magnitude) {
        let text = format!("{value:.5e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => text,
        };
    }
    // `magnitude` is within -6..15 here, so the cast is exact.
    let decimals = (5 - magnitude as i32).clamp(0, 15) as usize;
    let text = format!("{value:.decimals$}");
    let text = trim_zeros(&text);
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// `2026-11-21 15:04:05 UTC`; times outside years 1 to 9999 are clamped to them.
pub fn format_utc(ms: i64) -> String {
    const MIN_MS: i64 = -62_135_596_800_000; // 0001-01-01 00:00:00
    const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31 23:59:59.999
    chrono::DateTime::from_timestamp_millis(ms.clamp(MIN_MS, MAX_MS))
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// 1-based line and character column of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
