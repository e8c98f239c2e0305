//! The text area with a line-number gutter, file drop and file picker.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use web_sys::{DragEvent, HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::Reveal;

/// Must equal the editor's `line-height` in style.css: scrolling to a line depends on it.
const LINE_PX: i32 = 20;

/// Files larger than this would make the text area unusable.
const MAX_FILE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Whether a file name looks like something the app reads: manifests, or saved kubectl output
/// and logs.
pub fn is_manifest_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".txt", ".log"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: AttrValue,
    /// Where the text came from, shown above the editor.
    pub source: AttrValue,
    /// Worst severity per 1-based line, for the gutter.
    pub marks: Rc<Vec<(usize, &'static str)>>,
    pub reveal: Option<Reveal>,
    pub on_input: Callback<String>,
    /// A file was read: (name, text).
    pub on_file: Callback<(String, String)>,
    pub on_error: Callback<String>,
    /// Load the example at this index of `bridge::EXAMPLES`.
    pub on_example: Callback<usize>,
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let textarea = use_node_ref();
    let gutter = use_node_ref();
    let picker = use_node_ref();
    let dragging = use_state_eq(|| false);
    let reader: Rc<RefCell<Option<FileReader>>> = use_mut_ref(|| None);

    // One text node of numbers plus a marker per flagged line: cheap for long files.
    let lines = props.text.split('\n').count();
    let numbers = use_memo(lines, |lines| {
        AttrValue::from(
            (1..=*lines)
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    });
    let markers = props
        .marks
        .iter()
        .filter(|(line, _)| *line <= lines)
        .map(|(line, severity)| {
            let top = (*line as i64 - 1) * i64::from(LINE_PX);
            html! {
                <div
                    class={classes!("ln-mark", format!("mark-{severity}"))}
                    style={format!("top:{top}px")}
                >
                    { line.to_string() }
                </div>
            }
        })
        .collect::<Html>();

    let sync_gutter = {
        let textarea = textarea.clone();
        let gutter = gutter.clone();
        move || {
            if let (Some(area), Some(gutter)) = (
                textarea.cast::<HtmlTextAreaElement>(),
                gutter.cast::<HtmlElement>(),
            ) {
                gutter.set_scroll_top(area.scroll_top());
            }
        }
    };

    {
        let textarea = textarea.clone();
        let sync_gutter = sync_gutter.clone();
        use_effect_with(props.reveal, move |reveal| {
            if let (Some(reveal), Some(area)) = (reveal, textarea.cast::<HtmlTextAreaElement>()) {
                let _ = area.focus();
                let _ = area.set_selection_range(reveal.selection.start, reveal.selection.end);
                let line = i32::try_from(reveal.line).unwrap_or(i32::MAX / LINE_PX);
                let top = (line - 1).saturating_mul(LINE_PX) - area.client_height() / 3;
                area.set_scroll_top(top.max(0));
                sync_gutter();
            }
        });
    }

    let read_file = {
        let reader = reader.clone();
        let on_file = props.on_file.clone();
        let on_error = props.on_error.clone();
        Callback::from(move |file: web_sys::File| {
            let name = file.name();
            if !is_manifest_name(&name) {
                on_error.emit(format!(
                    "{name} is not a .yaml, .yml, .json, .txt or .log file."
                ));
                return;
            }
            if file.size() > MAX_FILE_BYTES {
                on_error.emit(format!("{name} is larger than 4 MB."));
                return;
            }
            let on_file = on_file.clone();
            let on_error = on_error.clone();
            let task =
                gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |result| {
                    match result {
                        Ok(text) => on_file.emit((name, text)),
                        Err(error) => on_error.emit(format!("Could not read {name}: {error}")),
                    }
                });
            *reader.borrow_mut() = Some(task);
        })
    };

    let oninput = {
        let on_input = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_input.emit(area.value());
        })
    };
    let onscroll = Callback::from(move |_: Event| sync_gutter());
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        let read_file = read_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                read_file.emit(file);
            }
        })
    };
    let onpick = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            read_file.emit(file);
        }
        // Picking the same file again should load it again.
        input.set_value("");
    });
    let open_picker = {
        let picker = picker.clone();
        Callback::from(move |_| {
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_example = props.on_example.reform(|_: MouseEvent| 0);
    let on_runtime_example = props.on_example.reform(|_: MouseEvent| 1);

    html! {
        <div class="editor-pane">
            <div class="toolbar">
                <span class="source" title="Where this text came from">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
                        <path d="M3 1h6l4 4v10H3Z M9 1v4h4" fill="none" stroke="currentColor" stroke-width="1.3" />
                    </svg>
                    <span class="source-name">{ props.source.clone() }</span>
                </span>
                <button class="secondary" onclick={open_picker} data-testid="open-file">{ "Open file…" }</button>
                <button class="secondary" onclick={on_example} data-testid="load-example" title="Manifests from a real incident">{ "Load example" }</button>
                <button class="secondary" onclick={on_runtime_example} data-testid="load-runtime-example" title="kubectl describe and logs of a crash-looping pod, with its manifests">{ "Crash-loop example" }</button>
                <input
                    ref={picker}
                    type="file"
                    accept=".yaml,.yml,.json,.txt,.log,application/yaml,application/json,text/plain"
                    class="hidden"
                    onchange={onpick}
                />
            </div>
            <div
                class={classes!("editor", (*dragging).then_some("dragging"))}
                {ondragover}
                {ondragleave}
                {ondrop}
            >
                <div class="gutter" ref={gutter} aria-hidden="true">
                    <div class="gutter-lines">
                        <pre class="ln-numbers">{ (*numbers).clone() }</pre>
                        { markers }
                    </div>
                </div>
                <textarea
                    ref={textarea}
                    class="code"
                    data-testid="editor"
                    aria-label="Kubernetes manifest (YAML or JSON)"
                    placeholder="Paste Kubernetes manifests, kubectl describe / get events output or logs here, or drop a file."
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    value={props.text.clone()}
                    {oninput}
                    {onscroll}
                />
                if *dragging {
                    <div class="drop-hint">{ "Drop a .yaml, .json, .txt or .log file to check it" }</div>
                }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_manifest_files_are_read() {
        assert!(is_manifest_name("deploy.YAML"));
        assert!(is_manifest_name("a.yml"));
        assert!(is_manifest_name("list.json"));
        assert!(is_manifest_name("describe.txt"));
        assert!(!is_manifest_name("photo.png"));
        assert!(!is_manifest_name("yaml"));
    }
}
