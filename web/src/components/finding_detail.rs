use yew::prelude::*;

use super::markup::inline;
use crate::bridge::{self, FindingView};

#[derive(Properties, PartialEq)]
pub struct FindingDetailProps {
    pub finding: FindingView,
    /// Opens the rule's documentation.
    pub on_rule: Callback<&'static str>,
    /// Puts the text with this finding's fix applied into the editor: (text, what it did).
    pub on_apply: Callback<(String, String)>,
    /// The text the finding is about.
    pub analysed: std::rc::Rc<str>,
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
                <dt>{ "What to do" }</dt>
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
                    <span class={classes!("badge", format!("app-{}", fix.applicability))}
                        title={format!("Applicability: {}", fix.applicability)}>
                        { bridge::safety_words(fix.applicability) }
                    </span>
                    { " " }{ inline(&fix.title) }
                    if fix.applicability != "display-only" {
                        { " " }
                        <button class="link" data-testid="apply-fix" onclick={
                            let fix = fix.clone();
                            let analysed = props.analysed.clone();
                            let on_apply = props.on_apply.clone();
                            let what = format!("{} ({rule})", fix.title);
                            Callback::from(move |_: MouseEvent| {
                                if let Some(text) = bridge::apply_one(&analysed, &fix) {
                                    on_apply.emit((text, what.clone()));
                                }
                            })
                        }>{ "Apply this fix" }</button>
                    }
                </dd>
            }
            <dt class="sr-only">{ "Rule" }</dt>
            <dd class="rule-link">
                <button class="link" onclick={open_rule}>{ format!("About {rule} →") }</button>
            </dd>
        </dl>
    }
}
