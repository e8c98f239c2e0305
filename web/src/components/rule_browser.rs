use yew::prelude::*;

use super::markup::inline;
use super::use_app;
use crate::bridge::{self, DocBlock};

#[function_component(RuleBrowser)]
pub fn rule_browser() -> Html {
    let ctx = use_app();
    let rules = use_memo((), |_| bridge::rules());
    let focus = ctx.state.focus_rule;

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
                { format!("{} rules. Each one explains what it checks, why it matters and how its fix behaves.", rules.len()) }
            </p>
            { for rules.iter().map(|rule| html! {
                <details
                    class="rule"
                    id={format!("rule-{}", rule.id)}
                    data-rule={rule.id}
                    open={focus == Some(rule.id)}
                >
                    <summary>
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
            <pre class={classes!("code-block", (!lang.is_empty()).then(|| format!("lang-{lang}")))}>{ text.clone() }</pre>
        },
    }
}
