use yew::prelude::*;

use super::markup::inline;
use super::use_app;
use crate::bridge;
use crate::dom;
use crate::hooks::use_patch;
use crate::state::Action;

#[function_component(FixPreview)]
pub fn fix_preview() -> Html {
    let ctx = use_app();
    let include_unsafe = ctx.state.include_unsafe;
    let patch = use_patch(&ctx.analysis, include_unsafe);
    let status = use_state(|| None::<(bool, String)>);
    let side_by_side = use_state_eq(|| false);
    let download_name = bridge::patched_name(&ctx.state.source);
    // Several dropped files: each changed one can be saved on its own.
    let files = use_memo(
        (ctx.state.text.clone(), patch.patched.clone()),
        |(text, patched)| bridge::changed_files(text, patched),
    );
    let safe_patch = use_patch(&ctx.analysis, false);

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
    let save = |name: &str, text: &str| {
        let status = status.clone();
        let (name, text) = (name.to_string(), text.to_string());
        Callback::from(move |_: MouseEvent| {
            status.set(Some(
                match dom::download(&name, &text, "application/yaml") {
                    Ok(()) => (true, format!("Saved as {name}.")),
                    Err(why) => (false, format!("Could not save: {why}")),
                },
            ));
        })
    };
    let on_download = save(&download_name, &patch.patched);
    let apply = |text: String, what: String| {
        let state = ctx.state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::ApplyPatch {
                text: text.clone(),
                what: what.clone(),
            })
        })
    };
    let on_apply_safe = apply(
        safe_patch.patched.clone(),
        format!("{} safe fix(es)", safe_patch.applied.len()),
    );
    let on_apply_all = apply(
        patch.patched.clone(),
        format!("{} fix(es)", patch.applied.len()),
    );
    let on_undo = {
        let state = ctx.state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Undo))
    };
    let undo_title = ctx
        .state
        .undo
        .last()
        .map(|u| format!("Undo: {}", u.what))
        .unwrap_or_default();
    let on_layout = {
        let side_by_side = side_by_side.clone();
        let next = !*side_by_side;
        Callback::from(move |_: MouseEvent| side_by_side.set(next))
    };
    let rows = use_memo((patch.clone(), *side_by_side), |(patch, split)| {
        if *split {
            bridge::split_rows(&patch.diff)
        } else {
            Vec::new()
        }
    });

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
                    { "Include fixes that change behaviour" }
                </label>
                <span class="spacer" />
                <button class="secondary" onclick={on_apply_safe} data-testid="apply-safe"
                    disabled={!safe_patch.changed}
                    title="Put the text with only the safe fixes into the editor">{ "Apply safe fixes" }</button>
                <button class="secondary" onclick={on_apply_all} data-testid="apply-all"
                    disabled={!patch.changed}
                    title="Put the patched text shown here into the editor">{ "Apply all shown" }</button>
                <button class="secondary" onclick={on_undo} data-testid="undo"
                    disabled={ctx.state.undo.is_empty()} title={undo_title}>{ "Undo" }</button>
                if let Some((ok, message)) = &*status {
                    <span class={classes!("status", (!ok).then_some("status-error"))} role="status" data-testid="copy-status">
                        { message.clone() }
                    </span>
                }
                <button class="secondary" onclick={on_copy} data-testid="copy">{ "Copy" }</button>
                <button class="primary" onclick={on_download} data-testid="download"
                    title={format!("Save as {download_name}")}>{ "Download" }</button>
            </div>
            <p class="patch-summary" data-testid="patch-summary">
                { summary }
                if !patch.converged {
                    { " Fixing stopped before the text settled; check the result." }
                }
            </p>
            if !files.is_empty() {
                <section class="block">
                    <h3>{ "Patched files" }</h3>
                    <ul class="file-downloads" data-testid="patched-files">
                        { for files.iter().map(|(name, text)| html! {
                            <li>
                                <code>{ name.clone() }</code>
                                <button class="secondary" onclick={save(name, text)}
                                    data-file={name.clone()}>{ "Download" }</button>
                            </li>
                        }) }
                    </ul>
                </section>
            }
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
                                    <span class={classes!("badge", format!("app-{}", s.applicability))}>{ bridge::safety_words(s.applicability) }</span>
                                    <code class="rule-id">{ s.rule }</code>
                                    <span class="where">{ format!("line {}", s.line) }</span>
                                </div>
                                <p>{ inline(&s.title) }</p>
                                { for s.edits.iter().map(|e| html! {
                                    <div class="edit">
                                        <pre class="diff" tabindex="0"><span class="diff-del">{ format!("- {}", e.before) }</span><span class="diff-add">{ format!("+ {}", e.after) }</span></pre>
                                    </div>
                                }) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if patch.changed {
                <section class="block">
                    <div class="block-head">
                        <h3>{ "Diff" }</h3>
                        <button class="link" onclick={on_layout} data-testid="diff-layout"
                            aria-pressed={side_by_side.to_string()}>
                            { if *side_by_side { "Unified" } else { "Side by side" } }
                        </button>
                    </div>
                    if *side_by_side {
                        <div class="split-diff" data-testid="split-diff" role="table" aria-label="Side-by-side diff" tabindex="0">
                            { for rows.iter().map(|r| html! {
                                <div class={classes!("split-row", r.class)} role="row">
                                    <pre class={classes!("cell", r.left.is_some().then_some("cell-old"))} role="cell">{ r.left.clone().unwrap_or_default() }</pre>
                                    <pre class={classes!("cell", r.right.is_some().then_some("cell-new"))} role="cell">{ r.right.clone().unwrap_or_default() }</pre>
                                </div>
                            }) }
                        </div>
                    } else {
                        <pre class="diff" data-testid="diff" tabindex="0" aria-label="Unified diff">
                            { for patch.diff.iter().map(|l| html! {
                                <span class={l.kind.class()}>{ l.text.clone() }</span>
                            }) }
                        </pre>
                    }
                </section>
            }
            <section class="block">
                <h3>{ "Patched YAML" }</h3>
                <pre class="patched" data-testid="patched-text" tabindex="0" aria-label="Patched YAML">{ patch.patched.clone() }</pre>
            </section>
        </div>
    }
}
