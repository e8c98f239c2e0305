use yew::prelude::*;

use super::markup::inline;
use super::use_app;
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::bridge::{self, DocBlock, RuleDocs, RuleView};
use crate::state::Action;

/// Whether a rule matches the search: every word in its id, category, summary or docs.
pub fn matches(rule: &RuleView, query: &str) -> bool {
    let query = query.to_lowercase();
    let haystack = || {
        format!(
            "{} {} {} {}",
            rule.id, rule.category, rule.severity, rule.summary
        )
        .to_lowercase()
    };
    query
        .split_whitespace()
        .all(|word| haystack().contains(word))
}

/// The rule docs, loaded once per page: from the single-file build's data block, else from
/// `rule-docs.json` beside the page (cached by the service worker, so offline too).
#[derive(Clone, PartialEq)]
enum Docs {
    Loading,
    Ready(Rc<RuleDocs>),
    Failed(String),
}

thread_local! {
    static LOADED: RefCell<Option<Rc<RuleDocs>>> = const { RefCell::new(None) };
}

/// The id of the `<script type="application/json">` that holds the docs in `kubeclinic.html`.
const DOCS_BLOCK: &str = "kubeclinic-rule-docs";
const DOCS_FILE: &str = "rule-docs.json";

async fn load_docs() -> Result<RuleDocs, String> {
    let window = web_sys::window().ok_or("no window")?;
    let inline = window
        .document()
        .and_then(|d| d.get_element_by_id(DOCS_BLOCK))
        .and_then(|e| e.text_content());
    if let Some(text) = inline {
        return bridge::parse_rule_docs(&text);
    }
    let failed = |what: &str| format!("the rule docs ({DOCS_FILE}) could not be loaded: {what}");
    let response = JsFuture::from(window.fetch_with_str(DOCS_FILE))
        .await
        .map_err(|_| failed("no answer"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| failed("no answer"))?;
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let text = response.text().map_err(|_| failed("unreadable body"))?;
    let text = JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| failed("unreadable body"))?;
    bridge::parse_rule_docs(&text)
}

#[hook]
fn use_docs() -> Docs {
    let docs = use_state(|| match LOADED.with(|l| l.borrow().clone()) {
        Some(loaded) => Docs::Ready(loaded),
        None => Docs::Loading,
    });
    {
        let docs = docs.clone();
        use_effect_with((), move |_| {
            if *docs == Docs::Loading {
                wasm_bindgen_futures::spawn_local(async move {
                    docs.set(match load_docs().await {
                        Ok(loaded) => {
                            let loaded = Rc::new(loaded);
                            LOADED.with(|l| *l.borrow_mut() = Some(loaded.clone()));
                            Docs::Ready(loaded)
                        }
                        Err(message) => Docs::Failed(message),
                    });
                });
            }
        });
    }
    (*docs).clone()
}

#[function_component(RuleBrowser)]
pub fn rule_browser() -> Html {
    let ctx = use_app();
    let docs = use_docs();
    let rules = {
        let docs = docs.clone();
        use_memo(docs, |docs| match docs {
            Docs::Ready(loaded) => bridge::rules(loaded),
            _ => bridge::rules(&RuleDocs::new()),
        })
    };
    let focus = ctx.state.focus_rule;
    let query = use_state(String::new);
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let shown: Vec<&RuleView> = rules.iter().filter(|r| matches(r, &query)).collect();

    use_effect_with(focus, |focus| {
        if let Some(id) = focus {
            let target = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("rule-{id}")));
            if let Some(target) = target {
                target.scroll_into_view();
            }
        }
    });

    html! {
        <div class="rules" data-testid="rules">
            <p class="intro">
                { format!("{} rules. Each one explains what it checks, why it matters and how its fix behaves. Link to one as #/rules/<id>.", rules.len()) }
            </p>
            <input type="search" class="rule-search" placeholder="Search rules: id, category, words"
                aria-label="Search rules" value={(*query).clone()} oninput={on_query}
                data-testid="rule-search" />
            if docs == Docs::Loading {
                <p class="empty" data-testid="rule-docs-loading">{ "Loading the rule docs…" }</p>
            }
            if let Docs::Failed(message) = &docs {
                <p class="empty" role="alert" data-testid="rule-docs-failed">{ message.clone() }</p>
            }
            if shown.is_empty() {
                <p class="empty">{ "No rule matches." }</p>
            }
            { for shown.iter().map(|rule| html! {
                <details
                    class="rule"
                    id={format!("rule-{}", rule.id)}
                    data-rule={rule.id}
                    open={focus == Some(rule.id)}
                >
                    <summary onclick={
                        let state = ctx.state.clone();
                        let id = rule.id;
                        Callback::from(move |_: MouseEvent| state.dispatch(Action::ShowRule(id)))
                    }>
                        <span class="rule-title">
                            <code class="rule-id">{ rule.id }</code>
                            <span class={classes!("badge", format!("sev-{}", rule.severity))}>{ rule.severity }</span>
                            <span class="tag">{ rule.category }</span>
                            <span class="tag">{ format!("fix: {}", rule.fix) }</span>
                        </span>
                        <span class="rule-summary">{ inline(&rule.summary) }</span>
                    </summary>
                    <div class="doc">{ for rule.docs.iter().map(doc_block) }</div>
                </details>
            }) }
        </div>
    }
}

fn doc_block(block: &DocBlock) -> Html {
    match block {
        DocBlock::Heading(text) => html! { <h4>{ text.clone() }</h4> },
        DocBlock::Paragraph(text) => html! { <p>{ inline(text) }</p> },
        DocBlock::List(items) => html! {
            <ul>{ for items.iter().map(|item| html! { <li>{ inline(item) }</li> }) }</ul>
        },
        DocBlock::Code { lang, text } => html! {
            <pre class={classes!("code-block", (!lang.is_empty()).then(|| format!("lang-{lang}")))} tabindex="0">{ text.clone() }</pre>
        },
    }
}
