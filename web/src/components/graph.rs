//! The object graph: the checked text's objects and their links as an inline SVG. A broken
//! link is dashed, red and crossed; a click (or Enter, or Space) on it selects its finding, and
//! on anything else shows the object or the reference in the editor.

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::use_app;
use crate::graph_view::{self, EdgeView, GraphView, NodeView, Reveal, MAX_NODES};
use crate::state::Action;

/// `12.5` with one decimal, for SVG coordinates.
fn n(value: f64) -> String {
    format!("{value:.1}")
}

/// Click and keyboard handlers that emit `reveal`.
fn activation(
    on_reveal: &Callback<Reveal>,
    reveal: Reveal,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let onclick = on_reveal.reform(move |_: MouseEvent| reveal);
    let on_reveal = on_reveal.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            on_reveal.emit(reveal);
        }
    });
    (onclick, onkeydown)
}

#[function_component(GraphPanel)]
pub fn graph_panel() -> Html {
    let ctx = use_app();
    let analysis = &ctx.analysis;
    let view = use_memo(
        (
            analysis.text.clone(),
            analysis.diagnosis.clone(),
            analysis.checker.clone(),
        ),
        |(text, diagnosis, checker)| graph_view::graph(&checker.checker, text, diagnosis),
    );
    let on_reveal = {
        let state = ctx.state.clone();
        Callback::from(move |r: Reveal| {
            state.dispatch(Action::Select {
                id: r.id(),
                pane: crate::bridge::Pane::Manifests,
                selection: r.selection,
                line: r.line,
            })
        })
    };
    if view.is_empty() {
        return html! {
            <div class="empty graph-empty" data-testid="graph-empty">
                <p>{ "No linked objects in this paste." }</p>
            </div>
        };
    }
    let selected = ctx.state.selected;
    html! {
        <div class="graph-panel">
            <div class="graph-toolbar">
                <p class="graph-summary" data-testid="graph-summary">{ view.summary() }</p>
                <ul class="graph-legend" aria-label="Legend">
                    <li><span class="graph-key graph-key-link" aria-hidden="true" />{ "link" }</li>
                    <li><span class="graph-key graph-key-broken" aria-hidden="true" />{ "broken link" }</li>
                    <li><span class="graph-key graph-key-missing" aria-hidden="true" />{ "not in the paste" }</li>
                </ul>
            </div>
            if view.hidden > 0 {
                <p class="graph-note" data-testid="graph-capped">
                    { format!(
                        "Showing the first {MAX_NODES} objects; {} more are left out of the picture (the findings cover them all).",
                        view.hidden
                    ) }
                </p>
            }
            <div class="graph-scroll">
                { drawing(&view, selected, &on_reveal) }
            </div>
            if view.broken > 0 {
                { broken_list(&view, selected, &on_reveal) }
            }
        </div>
    }
}

/// The broken links in words, under the picture: what is wrong with each, one click from its
/// finding.
fn broken_list(view: &GraphView, selected: Option<usize>, on_reveal: &Callback<Reveal>) -> Html {
    let items = view.edges.iter().filter(|e| e.broken).map(|e| {
        let reveal = e.reveal;
        let onclick = on_reveal.reform(move |_: MouseEvent| reveal);
        let (source, target) = (&view.nodes[e.from], &view.nodes[e.to]);
        let tone = e.severity.unwrap_or("error");
        let is_selected = reveal.finding.is_some() && reveal.finding == selected;
        html! {
            <li class={classes!(format!("sev-{tone}"), is_selected.then_some("selected"))}>
                <button class="graph-broken-item" data-testid="graph-broken-link" {onclick}>
                    <span class="graph-broken-mark" aria-hidden="true">{ "✕" }</span>
                    <span class="graph-broken-what">
                        { format!("{} {} → {} {}", source.kind, source.name, target.kind, target.name) }
                    </span>
                    if let Some(problem) = &e.problem {
                        <span class="graph-broken-why">{ problem.clone() }</span>
                    }
                </button>
            </li>
        }
    });
    html! {
        <section class="graph-broken" aria-label="Broken links">
            <h3>{ format!("Broken links ({})", view.broken) }</h3>
            <ul>{ for items }</ul>
        </section>
    }
}

fn drawing(view: &GraphView, selected: Option<usize>, on_reveal: &Callback<Reveal>) -> Html {
    html! {
        <svg
            class="graph"
            data-testid="graph"
            role="group"
            aria-label={format!("Object graph: {}", view.summary())}
            width={n(view.width)}
            height={n(view.height)}
            viewBox={format!("0 0 {} {}", n(view.width), n(view.height))}
        >
            <defs>
                <marker id="graph-arrow" class="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0 0 L10 5 L0 10 z" />
                </marker>
                { for ["error", "warning", "info"].iter().map(|tone| html! {
                    <marker id={format!("graph-arrow-{tone}")} class={format!("graph-arrow graph-arrow-{tone}")}
                        viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                        orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z" />
                    </marker>
                }) }
            </defs>
            { for view.headings.iter().map(|h| html! {
                <text class="graph-heading" x={n(h.x)} y={n(h.y)}>{ h.text }</text>
            }) }
            <g class="graph-edges">
                { for view.edges.iter().map(|e| edge(e, selected, on_reveal)) }
            </g>
            <g class="graph-nodes">
                { for view.nodes.iter().map(|node_view| node(node_view, selected, on_reveal)) }
            </g>
        </svg>
    }
}

fn edge(e: &EdgeView, selected: Option<usize>, on_reveal: &Callback<Reveal>) -> Html {
    let (onclick, onkeydown) = activation(on_reveal, e.reveal);
    let is_selected = e.reveal.finding.is_some() && e.reveal.finding == selected;
    // A broken link takes its finding's tone: a name only missing from the paste is quieter
    // than a typo.
    let tone = e.broken.then(|| e.severity.unwrap_or("error"));
    let marker = match tone {
        Some(tone) => format!("url(#graph-arrow-{tone})"),
        None => "url(#graph-arrow)".to_string(),
    };
    let (mx, my) = e.mid;
    html! {
        <g
            class={classes!(
                "graph-edge",
                e.broken.then_some("broken"),
                tone.map(|t| format!("sev-{t}")),
                is_selected.then_some("selected"),
            )}
            data-testid="graph-edge"
            data-broken={e.broken.to_string()}
            data-relation={e.relation.clone()}
            tabindex="0"
            role="button"
            aria-label={e.label.clone()}
            {onclick}
            {onkeydown}
        >
            <title>{ e.label.clone() }</title>
            <path class="graph-edge-hit" d={e.path.clone()} />
            <path class="graph-edge-line" d={e.path.clone()} marker-end={marker} />
            if e.broken {
                <g class="graph-edge-mark" transform={format!("translate({} {})", n(mx), n(my))}>
                    <circle r="7" />
                    <path d="M-3 -3 L3 3 M3 -3 L-3 3" />
                </g>
            }
        </g>
    }
}

fn node(v: &NodeView, selected: Option<usize>, on_reveal: &Callback<Reveal>) -> Html {
    let (onclick, onkeydown) = activation(on_reveal, v.reveal);
    let is_selected = v.reveal.finding.is_some() && v.reveal.finding == selected;
    let severity = v.severity.map(|s| format!("sev-{s}"));
    html! {
        <g
            class={classes!(
                "graph-node",
                severity,
                v.missing.then_some("missing"),
                v.live.then_some("live"),
                is_selected.then_some("selected"),
            )}
            data-testid="graph-node"
            data-kind={v.kind.clone()}
            data-name={v.name.clone()}
            data-missing={v.missing.to_string()}
            transform={format!("translate({} {})", n(v.x), n(v.y))}
            tabindex="0"
            role="button"
            // Named by its <title> (the full label), which also shows on hover.
            {onclick}
            {onkeydown}
        >
            <title>{ v.label.clone() }</title>
            <rect width={n(v.width)} height={n(v.height)} rx="8" />
            <text class="graph-node-kind" x="12" y="17">{ v.kind.clone() }</text>
            <text class="graph-node-name" x="12" y="34">{ v.short_name.clone() }</text>
            if v.findings > 0 {
                <circle class="graph-node-dot" cx={n(v.width - 12.0)} cy="13" r="4" />
            }
        </g>
    }
}
