//! The page layout and the one context every component reads.

use yew::prelude::*;

use crate::components::{Editor, FindingsList, FixPreview, Header, NoticeBar, RuleBrowser, Tabs};
use crate::hooks::{use_analysis, use_persisted_state, Analysis};
use crate::state::{Action, State, Tab};

/// Where the person's text is kept between visits.
const STORAGE_KEY: &str = "kubeclinic.v1";

#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub state: UseReducerHandle<State>,
    pub analysis: Analysis,
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_persisted_state(STORAGE_KEY);
    let analysis = use_analysis(&state.text);
    let marks = use_memo(analysis.diagnosis.clone(), |d| d.line_marks());

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
        Callback::from(move |message| {
            state.dispatch(Action::Notify(crate::state::Notice::Error(message)))
        })
    };
    let on_example = {
        let state = state.clone();
        Callback::from(move |index| state.dispatch(Action::LoadExample(index)))
    };

    let results = match state.tab {
        Tab::Findings => html! { <FindingsList /> },
        Tab::Patched => html! { <FixPreview /> },
        Tab::Rules => html! { <RuleBrowser /> },
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
                    <section class="pane pane-editor" aria-label="Manifest">
                        <Editor
                            text={AttrValue::from(state.text.clone())}
                            source={AttrValue::from(state.source.clone())}
                            marks={marks}
                            reveal={state.reveal}
                            {on_input}
                            {on_file}
                            {on_error}
                            {on_example}
                        />
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
