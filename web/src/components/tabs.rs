use yew::prelude::*;

use super::use_app;
use crate::state::{Action, Tab};

#[function_component(Tabs)]
pub fn tabs() -> Html {
    let ctx = use_app();
    let d = &ctx.analysis.diagnosis;
    let current = ctx.state.tab;
    let settings_label = if ctx.state.settings == kubeclinic_engine::Settings::default() {
        "Settings".to_string()
    } else {
        "Settings •".to_string()
    };
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
            { tab(Tab::Graph, "Graph".to_string(), "tab-graph") }
            { tab(Tab::Rules, "Rules".to_string(), "tab-rules") }
            { tab(Tab::Settings, settings_label, "tab-settings") }
        </nav>
    }
}
