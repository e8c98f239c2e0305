use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use super::finding_detail::FindingDetail;
use super::markup::inline;
use super::use_app;
use crate::bridge::FindingView;
use crate::state::{Action, Filter};

/// Findings drawn before "Show all": a paste of thousands of objects stays responsive.
const FIRST_BATCH: usize = 300;

const SEVERITIES: [(&str, &str, &str); 3] = [
    ("error", "error", "errors"),
    ("warning", "warning", "warnings"),
    ("info", "info", "info"),
];

/// The findings that pass the filter.
pub fn filtered<'a>(findings: &'a [FindingView], filter: &Filter) -> Vec<&'a FindingView> {
    findings
        .iter()
        .filter(|f| !filter.hidden.contains(&f.severity))
        .filter(|f| filter.category.is_none_or(|c| c == f.category))
        .filter(|f| filter.rule.is_none_or(|r| r == f.rule))
        .collect()
}

/// Findings grouped by the object they are about, groups in the order of their first finding;
/// findings about no object (kubectl output, broken YAML) form a group of their own.
pub fn grouped<'a>(findings: &[&'a FindingView]) -> Vec<(String, Vec<&'a FindingView>)> {
    let mut groups: Vec<(String, Vec<&'a FindingView>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in findings {
        let key = f
            .object
            .clone()
            .unwrap_or_else(|| "Not tied to one object".to_string());
        match index.get(&key) {
            Some(&i) => groups[i].1.push(f),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![f]));
            }
        }
    }
    groups
}

/// Moves the focus to the next or previous finding in `container` (arrow keys).
fn move_focus(container: &web_sys::Element, step: i32) {
    let Ok(buttons) = container.query_selector_all("button.finding-head") else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let count = buttons.length() as i32;
    if count == 0 {
        return;
    }
    let current = (0..count).find(|&i| {
        buttons
            .item(i as u32)
            .zip(active.as_ref())
            .is_some_and(|(b, a)| b.is_same_node(Some(a)))
    });
    let next = match current {
        Some(i) => (i + step).clamp(0, count - 1),
        None if step > 0 => 0,
        None => count - 1,
    };
    if let Some(button) = buttons
        .item(next as u32)
        .and_then(|n| n.dyn_into::<HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

#[function_component(FindingsList)]
pub fn findings_list() -> Html {
    let ctx = use_app();
    let container = use_node_ref();
    let show_all = use_state_eq(|| false);
    let d = &ctx.analysis.diagnosis;
    if d.findings.is_empty() && !d.understood && !ctx.analysis.text.trim().is_empty() {
        return html! {
            <div class="empty" data-testid="not-understood">
                <p>{ "Nothing here was read as a manifest or as kubectl output, so nothing was checked." }</p>
            </div>
        };
    }
    let filter = &ctx.state.filter;
    let shown = filtered(&d.findings, filter);
    // Best-practice notes are listed apart: they are no problems, and a paste with only
    // notes is a clean one.
    let (notes, problems): (Vec<&FindingView>, Vec<&FindingView>) =
        shown.iter().partition(|f| f.note && d.understood);
    let empty = if problems.is_empty() {
        let what = if ctx.analysis.text.trim().is_empty() {
            "Paste a manifest, drop a file, or load an example to start.".to_string()
        } else if filter.is_active() && !d.findings.is_empty() {
            "No finding passes the filter.".to_string()
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
                pane: f.pane,
                selection: f.selection,
                line: f.line,
            })
        })
    };
    let on_rule = {
        let state = ctx.state.clone();
        Callback::from(move |rule: &'static str| state.dispatch(Action::ShowRule(rule)))
    };
    let on_apply = {
        let state = ctx.state.clone();
        Callback::from(move |(text, what): (String, String)| {
            state.dispatch(Action::ApplyPatch { text, what })
        })
    };
    let analysed = ctx.analysis.text.clone();
    let card = |f: &FindingView| {
        html! {
            <FindingCard
                key={f.id}
                finding={f.clone()}
                selected={ctx.state.selected == Some(f.id)}
                on_select={on_select.clone()}
                on_rule={on_rule.clone()}
                on_apply={on_apply.clone()}
                analysed={analysed.clone()}
            />
        }
    };
    let notes_open = ctx
        .state
        .selected
        .is_some_and(|id| notes.iter().any(|f| f.id == id));

    let set_filter = {
        let state = ctx.state.clone();
        Callback::from(move |filter: Filter| state.dispatch(Action::Filter(filter)))
    };
    let severity_button = |(severity, one, many): &(&'static str, &str, &str)| {
        let severity = *severity;
        let count = d.findings.iter().filter(|f| f.severity == severity).count();
        let hidden = filter.hidden.contains(&severity);
        let onclick = {
            let set_filter = set_filter.clone();
            let filter = filter.clone();
            Callback::from(move |_: MouseEvent| {
                let mut next = filter.clone();
                if hidden {
                    next.hidden.retain(|s| *s != severity);
                } else {
                    next.hidden.push(severity);
                }
                set_filter.emit(next)
            })
        };
        html! {
            <button class={classes!("filter-chip", format!("sev-{severity}"))}
                aria-pressed={(!hidden).to_string()} {onclick}
                data-testid={format!("filter-{severity}")}>
                <span class={classes!("shape", format!("shape-{severity}"))} aria-hidden="true" />
                { format!("{count} {}", if count == 1 { one } else { many }) }
            </button>
        }
    };
    let mut categories: Vec<&'static str> = d.findings.iter().map(|f| f.category).collect();
    categories.sort_unstable();
    categories.dedup();
    let mut rules: Vec<&'static str> = d.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let on_category = {
        let set_filter = set_filter.clone();
        let filter = filter.clone();
        let categories = categories.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            set_filter.emit(Filter {
                category: categories.iter().copied().find(|c| *c == value),
                ..filter.clone()
            })
        })
    };
    let on_rule_filter = {
        let set_filter = set_filter.clone();
        let filter = filter.clone();
        let rules = rules.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            set_filter.emit(Filter {
                rule: rules.iter().copied().find(|r| *r == value),
                ..filter.clone()
            })
        })
    };
    let onkeydown = {
        let container = container.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = match e.key().as_str() {
                "ArrowDown" => 1,
                "ArrowUp" => -1,
                _ => return,
            };
            e.prevent_default();
            if let Some(element) = container.cast::<web_sys::Element>() {
                move_focus(&element, step);
            }
        })
    };

    let limit = if *show_all { usize::MAX } else { FIRST_BATCH };
    let total = problems.len();
    let visible: Vec<&FindingView> = problems.iter().copied().take(limit).collect();
    let groups = grouped(&visible);
    let on_show_all = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(true))
    };
    html! {
        <div class="findings-pane" ref={container} {onkeydown}>
            if !d.findings.is_empty() {
                <div class="filters" role="group" aria-label="Filter findings">
                    { for SEVERITIES.iter().map(severity_button) }
                    <select aria-label="Category" onchange={on_category} data-testid="filter-category">
                        <option value="" selected={filter.category.is_none()}>{ "All categories" }</option>
                        { for categories.iter().map(|c| html! {
                            <option value={*c} selected={filter.category == Some(*c)}>{ *c }</option>
                        }) }
                    </select>
                    <select aria-label="Rule" onchange={on_rule_filter} data-testid="filter-rule">
                        <option value="" selected={filter.rule.is_none()}>{ "All rules" }</option>
                        { for rules.iter().map(|r| html! {
                            <option value={*r} selected={filter.rule == Some(*r)}>{ *r }</option>
                        }) }
                    </select>
                </div>
            }
            { for empty }
            if !groups.is_empty() {
                <div class="groups" data-testid="findings">
                    { for groups.iter().map(|(object, findings)| html! {
                        <section class="group" data-object={object.clone()}>
                            <h3 class="group-head">
                                { object.clone() }
                                <span class="count">{ findings.len() }</span>
                            </h3>
                            <ol class="findings">
                                { for findings.iter().map(|f| card(f)) }
                            </ol>
                        </section>
                    }) }
                </div>
            }
            if total > visible.len() {
                <button class="secondary show-all" onclick={on_show_all} data-testid="show-all">
                    { format!("Show all {total} findings ({} more)", total - visible.len()) }
                </button>
            }
            if !notes.is_empty() {
                <details class="notes" data-testid="notes" open={notes_open}>
                    <summary>{ format!("{} best-practice note(s)", notes.len()) }</summary>
                    <ol class="findings">
                        { for notes.iter().take(limit).map(|f| card(f)) }
                    </ol>
                </details>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingCardProps {
    pub finding: FindingView,
    pub selected: bool,
    pub on_select: Callback<FindingView>,
    pub on_rule: Callback<&'static str>,
    /// Replaces the editor's text with this fix applied: (patched text, what it did).
    pub on_apply: Callback<(String, String)>,
    /// The text the finding is about, which its fix edits.
    pub analysed: std::rc::Rc<str>,
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
    let (place, editor) = match f.pane {
        crate::bridge::Pane::Manifests => (format!("line {}", f.line), "the editor"),
        crate::bridge::Pane::Cluster => (
            format!("cluster output, line {}", f.line),
            "the cluster output",
        ),
    };
    html! {
        <li
            class={classes!("finding", format!("sev-{}", f.severity), props.selected.then_some("selected"))}
            data-rule={f.rule}
            data-line={f.line.to_string()}
            data-pane={f.pane.as_str()}
            data-severity={f.severity}
        >
            <button class="finding-head" {onclick} title={format!("Select {lines} in {editor}")}
                aria-current={props.selected.then_some("true")}>
                <span class="finding-meta">
                    <span class={classes!("badge", format!("sev-{}", f.severity))}>
                        <span class={classes!("shape", format!("shape-{}", f.severity))} aria-hidden="true" />
                        { f.severity }
                    </span>
                    <code class="rule-id">{ f.rule }</code>
                    <span class="where" data-testid="line">{ place }</span>
                </span>
                <span class="message">{ inline(&f.message) }</span>
            </button>
            <FindingDetail
                finding={f.clone()}
                on_rule={props.on_rule.clone()}
                on_apply={props.on_apply.clone()}
                analysed={props.analysed.clone()}
            />
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::diagnose;

    #[test]
    fn findings_are_filtered_and_grouped_by_object() {
        let d = diagnose(crate::bridge::EXAMPLE);
        let all = filtered(&d.findings, &Filter::default());
        assert_eq!(all.len(), d.findings.len());
        let groups = grouped(&all);
        assert!(groups.len() > 1, "{groups:?}");
        let grouped_count: usize = groups.iter().map(|(_, g)| g.len()).sum();
        assert_eq!(grouped_count, all.len());
        for (object, findings) in &groups {
            assert!(findings.iter().all(|f| f
                .object
                .as_deref()
                .unwrap_or("Not tied to one object")
                == object));
        }
        let errors_only = Filter {
            hidden: vec!["warning", "info"],
            ..Filter::default()
        };
        let errors = filtered(&d.findings, &errors_only);
        assert!(!errors.is_empty() && errors.iter().all(|f| f.severity == "error"));
        let one_rule = Filter {
            rule: Some("image-tag-placeholder"),
            ..Filter::default()
        };
        assert!(filtered(&d.findings, &one_rule)
            .iter()
            .all(|f| f.rule == "image-tag-placeholder"));
        let category = Filter {
            category: Some("networking"),
            ..Filter::default()
        };
        assert!(filtered(&d.findings, &category)
            .iter()
            .all(|f| f.category == "networking"));
    }
}
