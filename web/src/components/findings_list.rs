use yew::prelude::*;

use super::finding_detail::FindingDetail;
use super::markup::inline;
use super::use_app;
use crate::bridge::FindingView;
use crate::state::Action;

#[function_component(FindingsList)]
pub fn findings_list() -> Html {
    let ctx = use_app();
    let d = &ctx.analysis.diagnosis;
    if d.findings.is_empty() && !d.understood && !ctx.analysis.text.trim().is_empty() {
        return html! {
            <div class="empty" data-testid="not-understood">
                <p>{ "Nothing here was read as a manifest or as kubectl output, so nothing was checked." }</p>
            </div>
        };
    }
    // Best-practice notes are listed apart: they are no problems, and a paste with only
    // notes is a clean one.
    let (notes, problems): (Vec<&FindingView>, Vec<&FindingView>) =
        d.findings.iter().partition(|f| f.note && d.understood);
    let empty = if problems.is_empty() {
        let what = if ctx.analysis.text.trim().is_empty() {
            "Paste a manifest, drop a file, or load the example to start.".to_string()
        } else {
            match d.suppressed {
                0 => format!("No problems found in {}.", d.checked),
                n => format!("No problems found in {} ({n} suppressed).", d.checked),
            }
        };
        Some(html! {
            <div class="empty" data-testid="no-findings">
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12.5 10 17 19 7" fill="none" stroke="currentColor" stroke-width="2.2" /></svg>
                <p>{ what }</p>
            </div>
        })
    } else {
        None
    };
    let on_select = {
        let state = ctx.state.clone();
        Callback::from(move |f: FindingView| {
            state.dispatch(Action::Select {
                id: f.id,
                selection: f.selection,
                line: f.line,
            })
        })
    };
    let on_rule = {
        let state = ctx.state.clone();
        Callback::from(move |rule: &'static str| state.dispatch(Action::ShowRule(rule)))
    };
    let card = |f: &FindingView| {
        html! {
            <FindingCard
                key={f.id}
                finding={f.clone()}
                selected={ctx.state.selected == Some(f.id)}
                on_select={on_select.clone()}
                on_rule={on_rule.clone()}
            />
        }
    };
    let notes_open = ctx
        .state
        .selected
        .is_some_and(|id| notes.iter().any(|f| f.id == id));
    html! {
        <>
            { for empty }
            if !problems.is_empty() {
                <ol class="findings" data-testid="findings">
                    { for problems.iter().map(|f| card(f)) }
                </ol>
            }
            if !notes.is_empty() {
                <details class="notes" data-testid="notes" open={notes_open}>
                    <summary>{ format!("{} best-practice note(s)", notes.len()) }</summary>
                    <ol class="findings">
                        { for notes.iter().map(|f| card(f)) }
                    </ol>
                </details>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingCardProps {
    pub finding: FindingView,
    pub selected: bool,
    pub on_select: Callback<FindingView>,
    pub on_rule: Callback<&'static str>,
}

#[function_component(FindingCard)]
fn finding_card(props: &FindingCardProps) -> Html {
    let f = &props.finding;
    let onclick = {
        let finding = f.clone();
        props.on_select.reform(move |_: MouseEvent| finding.clone())
    };
    let lines = if f.end_line > f.line {
        format!("lines {}–{}", f.line, f.end_line)
    } else {
        format!("line {}, column {}", f.line, f.column)
    };
    html! {
        <li
            class={classes!("finding", format!("sev-{}", f.severity), props.selected.then_some("selected"))}
            data-rule={f.rule}
            data-line={f.line.to_string()}
            data-severity={f.severity}
        >
            <button class="finding-head" {onclick} title={format!("Select {lines} in the editor")}>
                <span class="finding-meta">
                    <span class={classes!("badge", format!("sev-{}", f.severity))}>{ f.severity }</span>
                    <code class="rule-id">{ f.rule }</code>
                    <span class="where" data-testid="line">{ format!("line {}", f.line) }</span>
                </span>
                <span class="message">{ inline(&f.message) }</span>
            </button>
            <FindingDetail finding={f.clone()} on_rule={props.on_rule.clone()} />
        </li>
    }
}
