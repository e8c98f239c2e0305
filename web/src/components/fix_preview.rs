use yew::prelude::*;

use super::markup::inline;
use super::use_app;
use crate::dom;
use crate::hooks::use_patch;
use crate::state::Action;

/// The name the patched text is saved under.
const DOWNLOAD_NAME: &str = "kubeclinic-patched.yaml";

#[function_component(FixPreview)]
pub fn fix_preview() -> Html {
    let ctx = use_app();
    let include_unsafe = ctx.state.include_unsafe;
    let patch = use_patch(ctx.analysis.text.clone(), include_unsafe);
    let status = use_state(|| None::<(bool, String)>);

    let on_toggle = {
        let state = ctx.state.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            state.dispatch(Action::IncludeUnsafe(input.checked()));
        })
    };
    let on_copy = {
        let status = status.clone();
        let text = patch.patched.clone();
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                status.set(Some(match dom::copy_text(&text).await {
                    Ok(()) => (true, "Copied to the clipboard.".to_string()),
                    Err(why) => (false, format!("Could not copy: {why}")),
                }));
            });
        })
    };
    let on_download = {
        let status = status.clone();
        let text = patch.patched.clone();
        Callback::from(move |_: MouseEvent| {
            status.set(Some(
                match dom::download(DOWNLOAD_NAME, &text, "application/yaml") {
                    Ok(()) => (true, format!("Saved as {DOWNLOAD_NAME}.")),
                    Err(why) => (false, format!("Could not save: {why}")),
                },
            ));
        })
    };

    let summary = match (patch.applied.len(), patch.changed) {
        (_, false) => "No automatic fix changes this text.".to_string(),
        (1, true) => format!("1 fix applied; {} finding(s) remain.", patch.remaining),
        (n, true) => format!("{n} fixes applied; {} finding(s) remain.", patch.remaining),
    };

    html! {
        <div class="fix-preview">
            <div class="toolbar">
                <label class="toggle" title="Unsafe fixes change what runs (addresses, selectors): review the diff before using them.">
                    <input
                        type="checkbox"
                        data-testid="include-unsafe"
                        checked={include_unsafe}
                        onchange={on_toggle}
                    />
                    { "Include unsafe fixes" }
                </label>
                <span class="spacer" />
                if let Some((ok, message)) = &*status {
                    <span class={classes!("status", (!ok).then_some("status-error"))} role="status" data-testid="copy-status">
                        { message.clone() }
                    </span>
                }
                <button class="secondary" onclick={on_copy} data-testid="copy">{ "Copy" }</button>
                <button class="primary" onclick={on_download} data-testid="download">{ "Download" }</button>
            </div>
            <p class="patch-summary" data-testid="patch-summary">
                { summary }
                if !patch.converged {
                    { " Fixing stopped before the text settled; check the result." }
                }
            </p>
            if !patch.applied.is_empty() {
                <section class="block">
                    <h3>{ "Applied" }</h3>
                    <ul class="fix-list">
                        { for patch.applied.iter().map(|a| html! {
                            <li data-rule={a.rule}>
                                <code class="rule-id">{ a.rule }</code>
                                <span>{ inline(&a.title) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if !patch.suggestions.is_empty() {
                <section class="block">
                    <h3>{ "Suggestions, not applied" }</h3>
                    <ul class="fix-list suggestions" data-testid="suggestions">
                        { for patch.suggestions.iter().map(|s| html! {
                            <li data-rule={s.rule} data-applicability={s.applicability}>
                                <div class="suggestion-head">
                                    <span class={classes!("badge", format!("app-{}", s.applicability))}>{ s.applicability }</span>
                                    <code class="rule-id">{ s.rule }</code>
                                    <span class="where">{ format!("line {}", s.line) }</span>
                                </div>
                                <p>{ inline(&s.title) }</p>
                                { for s.edits.iter().map(|e| html! {
                                    <div class="edit">
                                        <pre class="diff"><span class="diff-del">{ format!("- {}", e.before) }</span><span class="diff-add">{ format!("+ {}", e.after) }</span></pre>
                                    </div>
                                }) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if patch.changed {
                <section class="block">
                    <h3>{ "Diff" }</h3>
                    <pre class="diff" data-testid="diff">
                        { for patch.diff.iter().map(|l| html! {
                            <span class={l.kind.class()}>{ l.text.clone() }</span>
                        }) }
                    </pre>
                </section>
            }
            <section class="block">
                <h3>{ "Patched YAML" }</h3>
                <pre class="patched" data-testid="patched-text">{ patch.patched.clone() }</pre>
            </section>
        </div>
    }
}
