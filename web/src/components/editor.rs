//! The editor (CodeMirror 6: YAML highlighting, line numbers, search, folding, a lint mark per
//! finding), with file drop and file picker.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use wasm_bindgen::closure::Closure;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use crate::bridge::Pane;
use crate::codemirror::{self, EditorView};
use crate::state::Reveal;

const LABEL: &str = "Kubernetes manifest (YAML or JSON) or kubectl output";
const PLACEHOLDER: &str = "Paste Kubernetes manifests, kubectl describe / get events output or logs here, or drop a file.";
const CLUSTER_LABEL: &str = "What the cluster said: kubectl describe, get events, get pods, logs";
const CLUSTER_PLACEHOLDER: &str = "Paste kubectl describe, kubectl get events or get pods output, or log lines here. They are checked with the manifests, which the fixes change.";

/// Files larger than this would make the editor unusable.
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
    /// The findings as lint marks (`Diagnosis::editor_marks`).
    pub marks: Rc<String>,
    pub reveal: Option<Reveal>,
    pub on_input: Callback<String>,
    /// A file was read: (name, text).
    pub on_file: Callback<(String, String)>,
    pub on_error: Callback<String>,
    /// Load the sample at this index of `gallery::GALLERY`.
    pub on_example: Callback<usize>,
    /// Which text this editor holds: the manifests (with the samples) or the cluster output.
    #[prop_or_default]
    pub pane: Pane,
    /// For the manifests editor: open or close the cluster-output pane.
    #[prop_or_default]
    pub on_cluster_pane: Option<Callback<bool>>,
    /// Whether the cluster-output pane is open.
    #[prop_or_default]
    pub cluster_open: bool,
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let host = use_node_ref();
    let view: Rc<RefCell<Option<EditorView>>> = use_mut_ref(|| None);
    let picker = use_node_ref();
    let dragging = use_state_eq(|| false);
    let reader: Rc<RefCell<Option<FileReader>>> = use_mut_ref(|| None);
    // The editor's change handler calls the latest `on_input`.
    let on_input = use_mut_ref(|| props.on_input.clone());
    *on_input.borrow_mut() = props.on_input.clone();

    {
        let host = host.clone();
        let view = view.clone();
        let text = props.text.clone();
        let (label, placeholder, test_id) = match props.pane {
            Pane::Manifests => (LABEL, PLACEHOLDER, "editor"),
            Pane::Cluster => (CLUSTER_LABEL, CLUSTER_PLACEHOLDER, "cluster-editor"),
        };
        use_effect_with((), move |_| {
            let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| {
                let on_input = on_input.borrow().clone();
                on_input.emit(text);
            });
            if let Some(parent) = host.cast::<web_sys::Element>() {
                *view.borrow_mut() = Some(codemirror::mount(
                    &parent,
                    &text,
                    &on_change,
                    label,
                    placeholder,
                    test_id,
                ));
            }
            move || {
                if let Some(view) = view.borrow_mut().take() {
                    codemirror::destroy(&view);
                }
                drop(on_change);
            }
        });
    }
    {
        let view = view.clone();
        use_effect_with(props.text.clone(), move |text| {
            if let Some(view) = view.borrow().as_ref() {
                codemirror::set_text(view, text);
            }
        });
    }
    {
        let view = view.clone();
        use_effect_with(props.marks.clone(), move |marks| {
            if let Some(view) = view.borrow().as_ref() {
                codemirror::set_marks(view, marks);
            }
        });
    }
    {
        let view = view.clone();
        use_effect_with(props.reveal, move |reveal| {
            if let (Some(reveal), Some(view)) = (reveal, view.borrow().as_ref()) {
                codemirror::reveal(view, reveal.selection.start, reveal.selection.end);
            }
        });
    }

    // Files are read one after the other and checked together, as one set (a folder's
    // manifests, or a manifest with the `kubectl describe` saved beside it).
    let read_files = {
        let reader = reader.clone();
        let on_file = props.on_file.clone();
        let on_error = props.on_error.clone();
        Callback::from(move |files: Vec<(String, web_sys::File)>| {
            let (readable, skipped): (Vec<_>, Vec<_>) = files
                .into_iter()
                .partition(|(name, _)| is_manifest_name(name));
            let left_out = match skipped.as_slice() {
                [] => None,
                [(name, _)] => Some(format!(
                    "{name} is not a .yaml, .yml, .json, .txt or .log file: it was left out."
                )),
                more => Some(format!(
                    "{} files are not .yaml, .yml, .json, .txt or .log files: they were left out.",
                    more.len()
                )),
            };
            if readable.is_empty() {
                if let Some(message) = left_out {
                    on_error.emit(message);
                }
                return;
            }
            let total: f64 = readable.iter().map(|(_, f)| f.size()).sum();
            if total > MAX_FILE_BYTES {
                on_error.emit(format!(
                    "{} larger than 4 MB.",
                    match readable.as_slice() {
                        [(name, _)] => format!("{name} is"),
                        _ => "These files are together".to_string(),
                    }
                ));
                return;
            }
            // Said once the files are in, so that the notice of their loading does not hide it.
            let on_file = {
                let on_file = on_file.clone();
                let on_error = on_error.clone();
                Callback::from(move |loaded: (String, String)| {
                    on_file.emit(loaded);
                    if let Some(message) = &left_out {
                        on_error.emit(message.clone());
                    }
                })
            };
            read_in_turn(
                reader.clone(),
                readable,
                Vec::new(),
                on_file,
                on_error.clone(),
            );
        })
    };
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
        let read_files = read_files.clone();
        let on_error = props.on_error.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let Some(transfer) = e.data_transfer() else {
                return;
            };
            // Taken now, while the drop lasts; folders are walked after.
            let walk = wasm_bindgen_futures::JsFuture::from(dropped_files(&transfer));
            let read_files = read_files.clone();
            let on_error = on_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match walk.await {
                    Ok(list) => read_files.emit(named_files(&list)),
                    Err(_) => on_error.emit("The browser could not read what was dropped.".into()),
                }
            });
        })
    };
    let onpick = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(files) = input.files() {
            read_files.emit(
                (0..files.length())
                    .filter_map(|i| files.get(i))
                    .map(|f| (f.name(), f))
                    .collect(),
            );
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
    let gallery = use_node_ref();
    let samples: Html = crate::gallery::GALLERY
        .iter()
        .enumerate()
        .map(|(index, sample)| {
            let on_example = props.on_example.clone();
            let gallery = gallery.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                // Close the list once a sample is chosen.
                if let Some(details) = gallery.cast::<web_sys::Element>() {
                    let _ = details.remove_attribute("open");
                }
                on_example.emit(index)
            });
            html! {
                <li>
                    <button class="sample" {onclick} data-sample={sample.id}>
                        <span class="sample-title">{ sample.title }</span>
                        <span class="sample-shows">{ sample.shows }</span>
                    </button>
                </li>
            }
        })
        .collect();

    let manifests = props.pane == Pane::Manifests;
    let cluster_toggle = props.on_cluster_pane.as_ref().map(|on| {
        let open = props.cluster_open;
        let onclick = on.reform(move |_: MouseEvent| !open);
        let (words, title) = match (props.pane, open) {
            (Pane::Cluster, _) => (
                "Close",
                "Close this pane: its text moves to the end of the manifests box",
            ),
            (_, true) => (
                "Cluster output ✓",
                "The cluster output has its own pane below",
            ),
            (_, false) => (
                "+ Cluster output",
                "Paste kubectl output and logs in a pane of their own",
            ),
        };
        html! {
            <button class="secondary" {onclick} aria-pressed={open.to_string()}
                data-testid={if manifests { "cluster-pane-toggle" } else { "cluster-pane-close" }}
                {title}>{ words }</button>
        }
    });

    html! {
        <div class={classes!("editor-pane", format!("editor-{}", props.pane.as_str()))}>
            <div class="toolbar">
                <span class="source" title="Where this text came from">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
                        <path d="M3 1h6l4 4v10H3Z M9 1v4h4" fill="none" stroke="currentColor" stroke-width="1.3" />
                    </svg>
                    <span class="source-name">{ props.source.clone() }</span>
                </span>
                <button class="secondary" onclick={open_picker}
                    data-testid={if manifests { "open-file" } else { "open-cluster-file" }}>{ "Open file…" }</button>
                if manifests {
                <button class="secondary" onclick={on_example} data-testid="load-example" title="Manifests from a real incident">{ "Load example" }</button>
                <details class="gallery" ref={gallery} data-testid="gallery">
                    <summary class="secondary-like">{ format!("Samples ({})", crate::gallery::GALLERY.len()) }</summary>
                    <ul class="samples" aria-label="Samples">{ samples }</ul>
                </details>
                <button class="secondary" onclick={on_runtime_example} data-testid="load-runtime-example" title="kubectl describe and logs of a crash-looping pod, with its manifests">{ "Crash-loop example" }</button>
                }
                if let Some(toggle) = cluster_toggle {
                    { toggle }
                }
                <input
                    ref={picker}
                    type="file"
                    multiple=true
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
                <div class="code-host" ref={host} />
                if *dragging {
                    <div class="drop-hint">{ "Drop a .yaml, .json, .txt or .log file to check it" }</div>
                }
            </div>
        </div>
    }
}

/// Reads `files` one by one, then hands over their texts joined as one set.
fn read_in_turn(
    reader: Rc<RefCell<Option<FileReader>>>,
    mut files: Vec<(String, web_sys::File)>,
    mut read: Vec<(String, String)>,
    on_file: Callback<(String, String)>,
    on_error: Callback<String>,
) {
    if files.is_empty() {
        if !read.is_empty() {
            on_file.emit(join_files(&read));
        }
        return;
    }
    let (name, file) = files.remove(0);
    let next = reader.clone();
    let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |result| {
        match result {
            Ok(text) => {
                read.push((name, text));
                read_in_turn(next, files, read, on_file, on_error);
            }
            Err(error) => on_error.emit(format!("Could not read {name}: {error}")),
        }
    });
    *reader.borrow_mut() = Some(task);
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/drop.js")]
extern "C" {
    /// `[[path, File], ...]` of a drop, folders walked. Called while the drop event runs:
    /// its entries are gone after.
    #[wasm_bindgen(js_name = droppedFiles)]
    fn dropped_files(transfer: &web_sys::DataTransfer) -> js_sys::Promise;
}

/// The `[path, File]` pairs the drop module returns.
fn named_files(list: &wasm_bindgen::JsValue) -> Vec<(String, web_sys::File)> {
    use wasm_bindgen::JsCast;
    js_sys::Array::from(list)
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            let file = pair.get(1).dyn_into::<web_sys::File>().ok()?;
            Some((pair.get(0).as_string()?, file))
        })
        .collect()
}

/// Several files as one text: each starts a new document, under a comment naming it, so every
/// finding's line still says which file it is in. One file stays as it is.
pub fn join_files(files: &[(String, String)]) -> (String, String) {
    match files {
        [(name, text)] => (name.clone(), text.clone()),
        _ => {
            let mut joined = String::new();
            for (name, text) in files {
                if !joined.is_empty() && !joined.ends_with('\n') {
                    joined.push('\n');
                }
                if !joined.is_empty() {
                    joined.push_str("---\n");
                }
                joined.push_str(&format!("# file: {name}\n"));
                joined.push_str(text);
            }
            (format!("{} files", files.len()), joined)
        }
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

    #[test]
    fn several_files_become_one_set_with_their_names() {
        let one = join_files(&[("a.yaml".into(), "kind: Pod\n".into())]);
        assert_eq!(one, ("a.yaml".to_string(), "kind: Pod\n".to_string()));
        let (name, text) = join_files(&[
            ("a.yaml".into(), "kind: Pod".into()),
            ("describe.txt".into(), "Events:\n".into()),
        ]);
        assert_eq!(name, "2 files");
        assert_eq!(
            text,
            "# file: a.yaml\nkind: Pod\n---\n# file: describe.txt\nEvents:\n"
        );
    }
}
