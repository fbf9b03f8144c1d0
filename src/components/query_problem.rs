//! A query's mistake: the query text with the bad part underlined, and the message under it. Every
//! piece of the query goes into the page as a text node.

use leptos::prelude::*;

use crate::query_assist::problem::Problem;

#[component]
pub fn QueryProblem(
    problem: Problem,
    /// The element id, for the editor's `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    // A message about the query as a whole has nothing to underline.
    let text = problem.span.is_some().then(|| underlined(&problem));
    view! {
        <div class="query-problem" id=id role="alert">
            {text}
            <p class="query-error">{problem.message}</p>
        </div>
    }
}

/// The query text with the bad span underlined: before / bad / after, as text nodes.
fn underlined(problem: &Problem) -> impl IntoView + use<> {
    let parts = problem.parts();
    let (first, last) = problem.columns();
    // Nothing to underline means the query stopped too early: mark the place just after its end.
    let missing = parts.bad.is_empty();
    let bad = if missing {
        "\u{a0}".to_owned()
    } else {
        parts.bad.to_owned()
    };
    let (before, after) = (parts.before.to_owned(), parts.after.to_owned());
    let title = if missing {
        format!("column {first}: something is missing here")
    } else {
        format!("columns {first}–{last}")
    };
    view! {
        <pre class="query-problem-text">
            <span class="before">{before}</span>
            <span
                class="bad"
                class:missing=missing
                title=title
                data-first-column=first.to_string()
                data-last-column=last.to_string()
            >
                {bad}
            </span>
            <span class="after">{after}</span>
        </pre>
    }
}
