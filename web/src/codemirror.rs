//! The bindings of the editor module (`web/editor/index.js`, bundled with CodeMirror 6 into
//! `web/js/editor.bundle.js` by `scripts/bootstrap.sh`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/editor.bundle.js")]
extern "C" {
    /// An editor view.
    pub type EditorView;

    /// Makes an editor in `parent` holding `text`; `on_change` hears the person's edits.
    #[wasm_bindgen(js_name = mount)]
    pub fn mount(
        parent: &web_sys::Element,
        text: &str,
        on_change: &Closure<dyn FnMut(String)>,
        label: &str,
        placeholder: &str,
        test_id: &str,
    ) -> EditorView;

    /// Replaces the text unless it already is `text` (the change is not reported back).
    #[wasm_bindgen(js_name = setText)]
    pub fn set_text(view: &EditorView, text: &str);

    /// Shows lint marks: a JSON array of `[from, to, severity, message]`.
    #[wasm_bindgen(js_name = setMarks)]
    pub fn set_marks(view: &EditorView, marks: &str);

    /// Selects `from..to` (UTF-16), scrolls it into view and focuses the editor.
    #[wasm_bindgen(js_name = reveal)]
    pub fn reveal(view: &EditorView, from: u32, to: u32);

    #[wasm_bindgen(js_name = destroy)]
    pub fn destroy(view: &EditorView);
}
