//! The few browser calls made outside Yew: clipboard, downloads, the mount point and the panic
//! banner. Each one degrades to a message instead of an exception.

use gloo::timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, Clipboard, Document, Element, HtmlAnchorElement, HtmlDocument,
    HtmlTextAreaElement, Url,
};

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// The element the app renders into (`<div id="kubeclinic" data-kubeclinic-app>` in
/// index.html), emptied of the loading message; `None` on any other page. The `<kube-clinic>`
/// element loads the same wasm into docs pages, where the app must not start, and where an
/// element with the id `kubeclinic` may well be a heading: hence the marker attribute.
pub fn app_root() -> Option<Element> {
    let root = document()?
        .query_selector("#kubeclinic[data-kubeclinic-app]")
        .ok()??;
    root.set_inner_html("");
    Some(root)
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// Copies `text` with the asynchronous clipboard API, falling back to a hidden text area and
/// `execCommand("copy")` where that API is missing or refused (plain-HTTP pages).
pub async fn copy_text(text: &str) -> Result<(), String> {
    if let Some(clipboard) = clipboard() {
        if JsFuture::from(clipboard.write_text(text)).await.is_ok() {
            return Ok(());
        }
    }
    copy_with_exec_command(text)
}

fn clipboard() -> Option<Clipboard> {
    let navigator = web_sys::window()?.navigator();
    let value = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    Some(value.unchecked_into())
}

fn copy_with_exec_command(text: &str) -> Result<(), String> {
    let document = document().ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let area: HtmlTextAreaElement = document
        .create_element("textarea")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "no text area".to_string())?;
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("style", "position:fixed;top:0;left:-9999px;opacity:0");
    body.append_child(&area).map_err(describe)?;
    area.select();
    let copied = document
        .dyn_ref::<HtmlDocument>()
        .ok_or("no HTML document")?
        .exec_command("copy")
        .map_err(describe);
    let _ = body.remove_child(&area);
    match copied? {
        true => Ok(()),
        false => Err("the browser did not allow copying; select the text and copy it".into()),
    }
}

/// Saves `text` as a file through a temporary object URL.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let document = document().ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "no link".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    let _ = link.set_attribute("style", "display:none");
    body.append_child(&link).map_err(describe)?;
    link.click();
    let _ = body.remove_child(&link);
    // The download has started by then; release the text.
    Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The address's fragment, with its `#` (empty when there is none).
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the address's fragment without a new history entry or a `hashchange`; an empty
/// one removes it.
pub fn set_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if fragment == self::fragment() {
        return;
    }
    let location = window.location();
    let base = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&(base + fragment)));
    }
}

/// Calls `f` whenever the person follows a link to another fragment.
pub fn on_hash_change(f: impl Fn() + 'static) -> Option<gloo::events::EventListener> {
    let window = web_sys::window()?;
    Some(gloo::events::EventListener::new(
        &window,
        "hashchange",
        move |_| f(),
    ))
}

/// The link to this page with `fragment`.
pub fn link_with(fragment: &str) -> String {
    let Some(window) = web_sys::window() else {
        return fragment.to_string();
    };
    let location = window.location();
    format!(
        "{}{}{}{fragment}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// Sets the page's theme (`data-theme` on the root element); `None` follows the system.
pub fn set_theme(theme: Option<&str>) {
    let Some(root) = document().and_then(|d| d.document_element()) else {
        return;
    };
    let _ = match theme {
        Some(theme) => root.set_attribute("data-theme", theme),
        None => root.remove_attribute("data-theme"),
    };
}

/// Calls `f` with the text of a paste made while no text field has the focus, so a paste
/// anywhere on the page lands in the editor.
pub fn on_paste_outside_fields(
    f: impl Fn(String) + 'static,
) -> Option<gloo::events::EventListener> {
    let target = document()?;
    let document = target.clone();
    Some(gloo::events::EventListener::new(
        &target,
        "paste",
        move |event| {
            let in_field = document.active_element().is_some_and(|e| {
                matches!(e.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT")
                    || e.has_attribute("contenteditable")
                    // The editor's host: the focus is inside its shadow root.
                    || e.shadow_root().is_some()
            });
            if in_field {
                return;
            }
            let text = event
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(|e| e.clipboard_data())
                .and_then(|data| data.get_data("text/plain").ok())
                .unwrap_or_default();
            if !text.trim().is_empty() {
                event.prevent_default();
                f(text);
            }
        },
    ))
}
