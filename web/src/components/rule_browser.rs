use yew::prelude::*;

use super::markup::inline;
use super::use_app;
use crate::bridge::{self, DocBlock, RuleView};
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

#[function_component(RuleBrowser)]
pub fn rule_browser() -> Html {
    let ctx = use_app();
    let rules = use_memo((), |_| bridge::rules());
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
