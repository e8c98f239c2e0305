use yew::prelude::*;

use super::markup::inline;
use crate::bridge::FindingView;

#[derive(Properties, PartialEq)]
pub struct FindingDetailProps {
    pub finding: FindingView,
    /// Opens the rule's documentation.
    pub on_rule: Callback<&'static str>,
}

#[function_component(FindingDetail)]
pub fn finding_detail(props: &FindingDetailProps) -> Html {
    let f = &props.finding;
    let object = match (&f.object, &f.container) {
        (Some(object), Some(container)) => Some(format!("{object}, container {container}")),
        (Some(object), None) => Some(object.clone()),
        (None, Some(container)) => Some(format!("container {container}")),
        (None, None) => None,
    };
    let rule = f.rule;
    let open_rule = props.on_rule.reform(move |_: MouseEvent| rule);
    html! {
        <dl class="detail">
            <dt>{ "Why" }</dt>
            <dd class="why">{ inline(&f.why) }</dd>
            if let Some(help) = &f.help {
                <dt>{ "Help" }</dt>
                <dd class="help">{ inline(help) }</dd>
            }
            if let Some(object) = object {
                <dt>{ "Object" }</dt>
                <dd class="object">{ object }</dd>
            }
            if !f.related.is_empty() {
                <dt>{ "See also" }</dt>
                <dd class="related" data-testid="related">
                    <ul>
                        { for f.related.iter().map(|r| html! {
                            <li>{ format!("line {}: ", r.line) }{ inline(&r.message) }</li>
                        }) }
                    </ul>
                </dd>
            }
            if let Some(fix) = &f.fix {
                <dt>{ "Fix" }</dt>
                <dd class="fix" data-applicability={fix.applicability}>
                    <span class={classes!("badge", format!("app-{}", fix.applicability))}>{ fix.applicability }</span>
                    { " " }{ inline(&fix.title) }
                </dd>
            }
            <dt class="sr-only">{ "Rule" }</dt>
            <dd class="rule-link">
                <button class="link" onclick={open_rule}>{ format!("About {rule} →") }</button>
            </dd>
        </dl>
    }
}
