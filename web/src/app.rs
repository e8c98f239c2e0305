//! The page layout and the one context every component reads.

use yew::prelude::*;

use crate::bridge::{Pane, CLUSTER_NAME};
use crate::components::{
    Editor, FindingsList, FixPreview, GraphPanel, Header, NoticeBar, RuleBrowser, SettingsPanel,
    Tabs,
};
use crate::dom;
use crate::hooks::{use_analysis, use_persisted_state, Analysis};
use crate::record::STORAGE_KEY;
use crate::state::{Action, Notice, State, Tab};

#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub state: UseReducerHandle<State>,
    pub analysis: Analysis,
}

/// What the address's fragment asks for: `#share=...`, `#/samples/<id>` or `#/rules/<id>`.
fn follow_fragment(state: &UseReducerHandle<State>) {
    let fragment = dom::fragment();
    if fragment.starts_with(crate::share::PREFIX) {
        let state = state.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match crate::share::read(&fragment).await {
                Ok(payload) => state.dispatch(Action::Shared {
                    text: payload.text,
                    cluster: payload.cluster,
                    settings: payload.settings,
                }),
                Err(why) => state.dispatch(Action::Notify(Notice::Error(format!(
                    "Could not open the share link: {why}. Your own text is unchanged."
                )))),
            }
            // A reload must not load the link over what the person typed since.
            dom::set_fragment("");
        });
    } else if let Some(id) = fragment.strip_prefix("#/samples/") {
        if let Some(index) = crate::gallery::position(id) {
            state.dispatch(Action::LoadExample(index));
        }
        dom::set_fragment("");
    } else if let Some(id) = fragment.strip_prefix("#/rules/") {
        if let Some(rule) = kubeclinic_engine::rules::find(id) {
            state.dispatch(Action::ShowRule(rule.id));
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_persisted_state(STORAGE_KEY);
    let analysis = use_analysis(&state.text, &state.cluster, &state.settings);
    let marks = use_memo(analysis.diagnosis.clone(), |d| {
        d.editor_marks(Pane::Manifests)
    });
    let cluster_marks = use_memo(analysis.diagnosis.clone(), |d| {
        d.editor_marks(Pane::Cluster)
    });

    {
        let state = state.clone();
        use_effect_with((), move |_| {
            follow_fragment(&state);
            let on_hash = {
                let state = state.clone();
                dom::on_hash_change(move || follow_fragment(&state))
            };
            let on_paste = dom::on_paste_outside_fields(move |text| {
                state.dispatch(Action::Load {
                    name: "pasted text".to_string(),
                    text,
                })
            });
            move || drop((on_hash, on_paste))
        });
    }
    use_effect_with(state.theme, |theme| dom::set_theme(theme.attribute()));
    // The rule reference is linkable: the open rule's id is in the address.
    use_effect_with((state.tab, state.focus_rule), |(tab, rule)| {
        if let (Tab::Rules, Some(rule)) = (tab, rule) {
            dom::set_fragment(&format!("#/rules/{rule}"));
        } else if dom::fragment().starts_with("#/rules/") {
            dom::set_fragment("");
        }
    });

    let on_input = {
        let state = state.clone();
        Callback::from(move |text| state.dispatch(Action::Edit(text)))
    };
    let on_file = {
        let state = state.clone();
        Callback::from(move |(name, text)| state.dispatch(Action::Load { name, text }))
    };
    let on_error = {
        let state = state.clone();
        Callback::from(move |message| state.dispatch(Action::Notify(Notice::Error(message))))
    };
    let on_example = {
        let state = state.clone();
        Callback::from(move |index| state.dispatch(Action::LoadExample(index)))
    };
    let on_cluster_pane = {
        let state = state.clone();
        Callback::from(move |open| state.dispatch(Action::ShowCluster(open)))
    };
    let on_cluster_input = {
        let state = state.clone();
        Callback::from(move |text| state.dispatch(Action::EditCluster(text)))
    };
    let on_cluster_file = {
        let state = state.clone();
        Callback::from(move |(name, text): (String, String)| {
            state.dispatch(Action::EditCluster(text));
            state.dispatch(Action::Notify(Notice::Info(format!(
                "Loaded {name} as cluster output."
            ))));
        })
    };
    let cluster_open = state.cluster_open || !state.cluster.is_empty();

    let results = match state.tab {
        Tab::Findings => html! { <FindingsList /> },
        Tab::Patched => html! { <FixPreview /> },
        Tab::Graph => html! { <GraphPanel /> },
        Tab::Rules => html! { <RuleBrowser /> },
        Tab::Settings => html! { <SettingsPanel /> },
    };
    let context = AppContext {
        state: state.clone(),
        analysis,
    };
    html! {
        <ContextProvider<AppContext> context={context}>
            <div class="app">
                <Header />
                <NoticeBar />
                <main class="workspace">
                    <section class={classes!("pane", "pane-editor", cluster_open.then_some("with-cluster"))} aria-label="Manifest">
                        <Editor
                            text={AttrValue::from(state.text.clone())}
                            source={AttrValue::from(state.source.clone())}
                            marks={marks}
                            reveal={state.reveal.filter(|r| r.pane == Pane::Manifests)}
                            {on_input}
                            {on_file}
                            on_error={on_error.clone()}
                            on_example={on_example.clone()}
                            on_cluster_pane={Some(on_cluster_pane.clone())}
                            {cluster_open}
                        />
                        if cluster_open {
                            <Editor
                                pane={Pane::Cluster}
                                text={AttrValue::from(state.cluster.clone())}
                                source={AttrValue::from(CLUSTER_NAME)}
                                marks={cluster_marks}
                                reveal={state.reveal.filter(|r| r.pane == Pane::Cluster)}
                                on_input={on_cluster_input}
                                on_file={on_cluster_file}
                                {on_error}
                                {on_example}
                                on_cluster_pane={Some(on_cluster_pane)}
                                {cluster_open}
                            />
                        }
                    </section>
                    <section class="pane pane-results" aria-label="Results">
                        <Tabs />
                        // Keyed by tab so each tab opens scrolled to its top.
                        <div class="results" role="tabpanel" key={format!("{:?}", state.tab)}>{ results }</div>
                    </section>
                </main>
            </div>
        </ContextProvider<AppContext>>
    }
}
