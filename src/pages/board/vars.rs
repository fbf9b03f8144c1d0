//! The board's template variables: one menu per `$name`, its values the tag values of the board's
//! metrics for the variable's prefix. The choice goes into the URL (`tpl_var_<name>`).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::BoardCtx;
use crate::api::use_backend;

#[component]
pub fn TemplateBar() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let backend = use_backend();
    let defs = Memo::new(move |_| {
        ctx.board.with(|b| {
            b.as_ref()
                .map(|b| b.template_variables.clone())
                .unwrap_or_default()
        })
    });
    let metrics = Memo::new(move |_| {
        ctx.board.with(|b| {
            b.as_ref()
                .map(crate::pages::board::model::Board::metrics)
                .unwrap_or_default()
        })
    });
    // Every `key:value` tag of the board's metrics.
    let tags = RwSignal::new(BTreeSet::<String>::new());
    Effect::new(move |_| {
        let metrics = metrics.get();
        for m in metrics {
            let request = backend.all_tags(&m, None);
            spawn_local(async move {
                if let Ok(t) = request.await {
                    tags.try_update(|all| all.extend(t.data.attributes.tags));
                }
            });
        }
    });
    move || {
        let defs = defs.get();
        (!defs.is_empty()).then(|| {
            view! {
                <div class="template-bar" aria-label="Template variables">
                    {defs.into_iter().map(|d| {
                        let name = d.name.clone();
                        let prefix = d.prefix.clone();
                        let values = Memo::new(move |_| {
                            let p = prefix.clone().unwrap_or_default();
                            tags.with(|t| t.iter().filter_map(|tag| tag.strip_prefix(&format!("{p}:")).map(str::to_owned)).collect::<Vec<_>>())
                        });
                        let current = {
                            let name = name.clone();
                            Memo::new(move |_| {
                                ctx.vars.with(|vs| vs.iter().find(|v| v.name == name).and_then(|v| v.value.clone()))
                                    .unwrap_or_else(|| "*".to_owned())
                            })
                        };
                        let choose = {
                            let name = name.clone();
                            move |ev: leptos::ev::Event| {
                                let value = event_target_value(&ev);
                                let name = name.clone();
                                ctx.set_view(move |v| { v.vars.insert(name, value); });
                            }
                        };
                        let label = format!("${name}");
                        view! {
                            <label class="field template-var">
                                <span>{label.clone()}</span>
                                <select aria-label=label on:change=choose>
                                    <option value="*" selected=move || current.get() == "*">"*"</option>
                                    {move || {
                                        let mut vs = values.get();
                                        let cur = current.get();
                                        if cur != "*" && !vs.contains(&cur) { vs.insert(0, cur.clone()); }
                                        vs.into_iter().map(|v| {
                                            let selected = v == cur;
                                            view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                                        }).collect_view()
                                    }}
                                </select>
                            </label>
                        }
                    }).collect_view()}
                </div>
            }
        })
    }
}
