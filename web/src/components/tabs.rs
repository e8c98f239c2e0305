use yew::prelude::*;

use super::use_app;
use crate::state::{Action, Tab};

#[function_component(Tabs)]
pub fn tabs() -> Html {
    let ctx = use_app();
    let d = &ctx.analysis.diagnosis;
    let current = ctx.state.tab;
    let tab = |tab: Tab, label: String, id: &'static str| {
        let state = ctx.state.clone();
        let onclick = Callback::from(move |_| state.dispatch(Action::Show(tab)));
        html! {
            <button
                role="tab"
                class={classes!("tab", (tab == current).then_some("active"))}
                aria-selected={(tab == current).to_string()}
                data-testid={id}
                {onclick}
            >
                { label }
            </button>
        }
    };
    html! {
        <nav class="tabs" role="tablist">
            { tab(Tab::Findings, format!("Findings ({})", d.findings.len()), "tab-findings") }
            { tab(Tab::Patched, "Patched YAML".to_string(), "tab-patched") }
            { tab(Tab::Rules, "Rule reference".to_string(), "tab-rules") }
        </nav>
    }
}
