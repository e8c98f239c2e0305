//! Kubeclinic inside other pages, through two doors:
//! - [`check_json`], exported to JavaScript: the `<kube-clinic>` element (web/js/kube-clinic.js)
//!   and any other script send text and settings and get the JSON report that
//!   `kubeclinic check --format json` prints;
//! - the page's `?embed` mode: [`EmbedView`] shows a compact diagnosis of the text in the
//!   address's fragment (`#text=<percent-encoded>`) or sent with
//!   `postMessage({type: 'kubeclinic:check', text, settings})`, and answers the sender with
//!   `{type: 'kubeclinic:report', report}`. Only one origin may send: the one named by
//!   `?embed&origin=...`, or else the origin of the page that framed this one.
//!
//! Everything that can be pure is, and is tested natively: reading the query and the fragment,
//! the origin rule, settings errors and the compact view model. Text from the sender is only
//! ever rendered as text.

use gloo::events::EventListener;
use kubeclinic_engine::output::{to_json, JsonReport};
use kubeclinic_engine::settings::{default_checker, Checker, Settings};
use kubeclinic_engine::SourceFile;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Window};
use yew::prelude::*;

use crate::bridge::INPUT_NAME;

/// What the page sends back after a check.
const REPORT_TYPE: &str = "kubeclinic:report";
/// What a sender asks for.
const CHECK_TYPE: &str = "kubeclinic:check";
/// What the page tells the framing page once it listens.
const READY_TYPE: &str = "kubeclinic:ready";
const RESIZE_TYPE: &str = "kubeclinic:resize";

/// Checks `text` with the settings in `settings_json` (the `Settings` record as JSON, as the
/// CLI's settings file holds it; empty or `null` for the defaults) and returns the JSON report.
/// Settings that do not parse or name an unknown rule give `{"error": "..."}` instead.
#[wasm_bindgen(js_name = checkJson)]
pub fn check_json(text: &str, settings_json: &str) -> String {
    match check(text, settings_json) {
        Ok(checked) => checked.json,
        Err(message) => error_json(&message),
    }
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// One check: the report as JSON text, and what the compact view shows of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub json: String,
    pub compact: Compact,
}

pub fn check(text: &str, settings_json: &str) -> Result<Checked, String> {
    let custom = checker(settings_json)?;
    // With the CEL module loaded, a checker of its own evaluates the set's CEL.
    let with_cel = crate::cel::ready().then(|| {
        crate::cel::with_module(custom.clone().unwrap_or_else(|| default_checker().clone()))
    });
    let checker = with_cel
        .as_ref()
        .or(custom.as_ref())
        .unwrap_or_else(|| default_checker());
    let files = [SourceFile::new(INPUT_NAME, text)];
    let report = to_json(&files, &checker.check(&files));
    let json = serde_json::to_string(&report).map_err(|e| format!("the report: {e}"))?;
    Ok(Checked {
        compact: Compact::of(&report),
        json,
    })
}

/// The checker of `settings_json`; `None` for the defaults.
fn checker(settings_json: &str) -> Result<Option<Checker>, String> {
    let trimmed = settings_json.trim();
    if trimmed.is_empty() || trimmed == "null" {
        return Ok(None);
    }
    let settings: Settings =
        serde_json::from_str(trimmed).map_err(|e| format!("settings are not valid: {e}"))?;
    Checker::new(settings)
        .map(Some)
        .map_err(|e| format!("settings: {e}"))
}

/// The compact diagnosis: counts, then each finding on a few lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compact {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    /// False when no line was read as a manifest or as kubectl output.
    pub understood: bool,
    pub findings: Vec<CompactFinding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactFinding {
    pub severity: &'static str,
    pub line: usize,
    pub rule: &'static str,
    pub message: String,
    /// What to do: the rule's advice, else the title of its fix.
    pub todo: Option<String>,
}

impl Compact {
    pub fn of(report: &JsonReport) -> Self {
        let count = |s: &str| report.findings.iter().filter(|f| f.severity == s).count();
        Self {
            errors: count("error"),
            warnings: count("warning"),
            infos: count("info"),
            suppressed: report.suppressed.len(),
            understood: report.understood,
            findings: report
                .findings
                .iter()
                .map(|f| CompactFinding {
                    severity: f.severity,
                    line: f.location.line,
                    rule: f.rule,
                    message: f.message.clone(),
                    todo: f
                        .help
                        .clone()
                        .or_else(|| f.fix.as_ref().map(|fix| fix.title.clone())),
                })
                .collect(),
        }
    }

    /// `2 errors, 1 warning, no info`; web/js/kube-clinic.js words it the same way.
    pub fn summary(&self) -> String {
        let suppressed = match self.suppressed {
            0 => String::new(),
            n => format!(" ({n} suppressed)"),
        };
        if !self.understood && self.errors + self.warnings == 0 {
            return "Nothing was diagnosed: no line was read as a manifest or as kubectl output."
                .to_string();
        }
        if self.findings.is_empty() {
            return format!("No problems found{suppressed}.");
        }
        format!(
            "{}, {}, {}{suppressed}",
            counted(self.errors, "error", "errors"),
            counted(self.warnings, "warning", "warnings"),
            counted(self.infos, "info", "infos"),
        )
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {one}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// True when the page's query asks for the compact view (`?embed`, `?embed=1&origin=...`).
pub fn is_embed_mode(search: &str) -> bool {
    query_param(search, "embed").is_some()
}

/// The value of `name` in a query (`?a=1&b`), decoded as a browser decodes a form (`+` is a
/// space); an empty value for a bare `name`.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    param(search.strip_prefix('?').unwrap_or(search), name, true)
}

/// The value of `name` in a fragment (`#text=...`), percent-decoded (`+` stays a plus, as
/// `encodeURIComponent` writes a space as `%20`).
pub fn fragment_param(hash: &str, name: &str) -> Option<String> {
    param(hash.strip_prefix('#').unwrap_or(hash), name, false)
}

fn param(pairs: &str, name: &str, plus_is_space: bool) -> Option<String> {
    pairs.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key, plus_is_space) == name).then(|| percent_decode(value, plus_is_space))
    })
}

/// Percent-decodes `text`; a `%` not followed by two hex digits stays as it is, and bytes that
/// are not UTF-8 become U+FFFD.
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `scheme://host[:port]` of an http(s) address, as `MessageEvent.origin` spells it; `None`
/// for an empty address or another scheme (their origins are opaque).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials never belong to an origin.
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    Some(format!("{scheme}://{host}"))
}

/// The one origin whose messages are read: `?origin=` when the query names one (compared
/// exactly), else the origin of the framing page as the referrer gives it. `None`, and no
/// message is read, when there is neither, or for the opaque origin `null` that any sandboxed
/// frame has.
pub fn allowed_origin(search: &str, referrer: &str) -> Option<String> {
    let origin = match query_param(search, "origin") {
        Some(named) => named,
        None => origin_of(referrer)?,
    };
    (!origin.is_empty() && origin != "null").then_some(origin)
}

/// What the compact view shows.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Waiting,
    Checked(Compact),
    Failed(String),
}

impl Shown {
    fn of(outcome: &Result<Checked, String>) -> Self {
        match outcome {
            Ok(checked) => Shown::Checked(checked.compact.clone()),
            Err(message) => Shown::Failed(message.clone()),
        }
    }
}

/// The answer to a sender: the report, or `{"error": ...}` as [`check_json`] gives it.
fn reply(outcome: &Result<Checked, String>, id: &JsValue) -> JsValue {
    let json = match outcome {
        Ok(checked) => checked.json.clone(),
        Err(message) => error_json(message),
    };
    let report = js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL);
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &REPORT_TYPE.into());
    let _ = js_sys::Reflect::set(&message, &"report".into(), &report);
    if !id.is_undefined() {
        let _ = js_sys::Reflect::set(&message, &"id".into(), id);
    }
    message.into()
}

fn typed(kind: &str) -> JsValue {
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
    message.into()
}

/// The frame's parent, when this page is framed.
fn framing_parent(window: &Window) -> Option<Window> {
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, window)).then_some(parent)
}

/// A `kubeclinic:check` message's text and settings (as JSON text); `None` for any other
/// message.
fn read_check(data: &JsValue) -> Option<(String, String, JsValue)> {
    let field = |name: &str| js_sys::Reflect::get(data, &name.into()).unwrap_or_default();
    if field("type").as_string().as_deref() != Some(CHECK_TYPE) {
        return None;
    }
    let text = field("text").as_string().unwrap_or_default();
    let settings = field("settings");
    let settings = if settings.is_undefined() || settings.is_null() {
        String::new()
    } else if let Some(json) = settings.as_string() {
        json
    } else {
        js_sys::JSON::stringify(&settings)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    };
    Some((text, settings, field("id")))
}

/// Whether a message is meant for Kubeclinic (its `type` starts with `kubeclinic:`), so that a
/// refused one is worth a warning while the page's other traffic is not.
fn is_ours(data: &JsValue) -> bool {
    js_sys::Reflect::get(data, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| t.starts_with("kubeclinic:"))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

/// The text (and settings) the fragment carries: `#text=...&settings=...`.
fn fragment_input(window: &Window) -> Option<(String, String)> {
    let hash = window.location().hash().ok()?;
    let text = fragment_param(&hash, "text")?;
    Some((text, fragment_param(&hash, "settings").unwrap_or_default()))
}

/// Checks `text` and hands the outcome to `deliver`: at once, or, when the text holds CEL
/// and the CEL module is not loaded yet, once it is (or could not be).
fn check_then(
    text: String,
    settings: String,
    deliver: impl FnOnce(Result<Checked, String>) + 'static,
) {
    if crate::cel::wanted(&text) && !crate::cel::ready() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = crate::cel::load().await;
            deliver(check(&text, &settings));
        });
    } else {
        deliver(check(&text, &settings));
    }
}

/// The `?embed` page: a compact diagnosis, no editor.
#[function_component(EmbedView)]
pub fn embed_view() -> Html {
    let shown = use_state_eq(|| Shown::Waiting);
    {
        let set = shown.setter();
        use_effect_with((), move |_| {
            let listeners = web_sys::window().map(|window| listen(&window, set));
            move || drop(listeners)
        });
    }
    // Each new view tells the framing page its height, so the frame can fit it.
    use_effect_with((*shown).clone(), |_| post_height());
    view(&shown)
}

/// Posts `{type: 'kubeclinic:resize', height}` (CSS pixels) to the framing page, if it may
/// read this frame's messages.
fn post_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    let (Some(parent), Some(origin)) =
        (framing_parent(&window), allowed_origin(&search, &referrer))
    else {
        return;
    };
    // The content's own height (the document's is at least the frame's).
    let Some(root) = window
        .document()
        .and_then(|d| d.get_element_by_id("kubeclinic"))
    else {
        return;
    };
    let scrolled = window.scroll_y().unwrap_or_default();
    let height = (root.get_bounding_client_rect().bottom() + scrolled).ceil();
    let message = typed(RESIZE_TYPE);
    let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
    let _ = parent.post_message(&message, &origin);
}

/// Checks the fragment's text, then listens for messages and fragment changes; returns the
/// listeners, which stop when dropped.
fn listen(window: &Window, set: UseStateSetter<Shown>) -> [EventListener; 2] {
    let search = window.location().search().unwrap_or_default();
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    let allowed = allowed_origin(&search, &referrer);
    let parent = framing_parent(window);

    // A check of the fragment's text is also sent to the framing page, if it may read it.
    let check_fragment = {
        let (window, set, allowed, parent) =
            (window.clone(), set.clone(), allowed.clone(), parent.clone());
        move || {
            let Some((text, settings)) = fragment_input(&window) else {
                return;
            };
            let (set, parent, allowed) = (set.clone(), parent.clone(), allowed.clone());
            check_then(text, settings, move |outcome| {
                set.set(Shown::of(&outcome));
                if let (Some(parent), Some(origin)) = (&parent, &allowed) {
                    let _ = parent.post_message(&reply(&outcome, &JsValue::UNDEFINED), origin);
                }
            });
        }
    };
    check_fragment();
    let on_hash = EventListener::new(window, "hashchange", move |_| check_fragment());

    let ready_to = allowed.clone();
    let on_message = EventListener::new(window, "message", move |event| {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let data = event.data();
        let origin = event.origin();
        if allowed.as_deref() != Some(origin.as_str()) {
            if is_ours(&data) {
                console_warn(&format!(
                    "Kubeclinic ignored a message from {origin}: only {} may send text \
                     (set it with ?embed&origin=...)",
                    allowed.as_deref().unwrap_or("no origin")
                ));
            }
            return;
        }
        let Some((text, settings, id)) = read_check(&data) else {
            return;
        };
        let set = set.clone();
        let source = event.source();
        check_then(text, settings, move |outcome| {
            set.set(Shown::of(&outcome));
            // The sender is a window (frames and openers post to this one); the reply goes
            // to the origin it came from, so no other page can read it.
            if let Some(source) = &source {
                let source: &Window = source.unchecked_ref();
                let _ = source.post_message(&reply(&outcome, &id), &origin);
            }
        });
    });

    if let (Some(parent), Some(origin)) = (&parent, &ready_to) {
        let _ = parent.post_message(&typed(READY_TYPE), origin);
    }
    [on_message, on_hash]
}

fn view(shown: &Shown) -> Html {
    let body = match shown {
        Shown::Waiting => html! {
            <p class="kc-summary" data-testid="embed-summary">
                { "Waiting for text: put it in the address (#text=...) or send it with postMessage." }
            </p>
        },
        Shown::Failed(message) => html! {
            <p class="kc-summary kc-failed" role="alert" data-testid="embed-summary">{ message.clone() }</p>
        },
        Shown::Checked(compact) => html! {
            <>
                <p class="kc-summary" data-testid="embed-summary">{ compact.summary() }</p>
                if !compact.findings.is_empty() {
                    <ol class="kc-findings">
                        { for compact.findings.iter().map(finding) }
                    </ol>
                }
            </>
        },
    };
    let state = match shown {
        Shown::Waiting => "waiting",
        Shown::Failed(_) => "failed",
        Shown::Checked(_) => "checked",
    };
    html! {
        <section class="kc-embed" data-state={state} aria-label="Kubeclinic diagnosis">
            { body }
            <p class="kc-credit">{ "Checked in this browser by Kubeclinic; nothing was uploaded." }</p>
        </section>
    }
}

fn finding(f: &CompactFinding) -> Html {
    html! {
        <li class="kc-finding" data-severity={f.severity} data-rule={f.rule} data-line={f.line.to_string()}>
            <p class="kc-head">
                <span class="kc-severity">{ f.severity }</span>
                <span class="kc-line">{ format!("line {}", f.line) }</span>
                <code class="kc-rule">{ f.rule }</code>
            </p>
            <p class="kc-message">{ f.message.clone() }</p>
            if let Some(todo) = &f.todo {
                <p class="kc-todo"><span class="kc-todo-label">{ "What to do: " }</span>{ todo.clone() }</p>
            }
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATEST: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n";

    #[test]
    fn a_check_gives_the_cli_report_and_its_compact_view() {
        let json = check_json(LATEST, "");
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(report["version"], 1);
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"image-tag-latest"), "{rules:?}");

        let compact = check(LATEST, "null").unwrap().compact;
        let latest = compact
            .findings
            .iter()
            .find(|f| f.rule == "image-tag-latest")
            .unwrap();
        assert_eq!(latest.line, 8);
        assert!(latest.todo.is_some());
        assert_eq!(compact.findings.len(), rules.len());
        assert!(
            compact.summary().contains("warning"),
            "{}",
            compact.summary()
        );
    }

    #[test]
    fn settings_change_the_check_and_bad_settings_are_an_error_object() {
        let quiet = check(LATEST, r#"{"ignore": ["image-tag-latest"]}"#).unwrap();
        assert!(quiet
            .compact
            .findings
            .iter()
            .all(|f| f.rule != "image-tag-latest"));

        for bad in ["{", r#"{"ignore": ["image-tag-lates"]}"#, r#""strict""#] {
            let answer: serde_json::Value = serde_json::from_str(&check_json(LATEST, bad)).unwrap();
            let error = answer["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{answer}"));
            assert!(error.starts_with("settings"), "{error}");
        }
        let answer = check_json(LATEST, r#"{"ignore": ["image-tag-lates"]}"#);
        assert!(
            answer.contains("did you mean `image-tag-latest`"),
            "{answer}"
        );
    }

    #[test]
    fn the_summary_counts_and_never_reads_as_all_clear_for_prose() {
        let compact = |errors, warnings, infos, understood| Compact {
            errors,
            warnings,
            infos,
            understood,
            findings: vec![
                CompactFinding {
                    severity: "info",
                    line: 1,
                    rule: "r",
                    message: String::new(),
                    todo: None,
                };
                errors + warnings + infos
            ],
            ..Compact::default()
        };
        assert_eq!(
            compact(2, 1, 0, true).summary(),
            "2 errors, 1 warning, no info"
        );
        assert_eq!(compact(0, 0, 0, true).summary(), "No problems found.");
        assert!(compact(0, 0, 1, false)
            .summary()
            .starts_with("Nothing was diagnosed"));
        let prose = check("Our pods are broken, any idea?\n", "")
            .unwrap()
            .compact;
        assert!(!prose.understood);
        assert!(prose.summary().starts_with("Nothing was diagnosed"));
    }

    #[test]
    fn query_and_fragment_are_read_as_browsers_write_them() {
        assert!(is_embed_mode("?embed"));
        assert!(is_embed_mode("?x=1&embed=1"));
        assert!(!is_embed_mode("?embedded"));
        assert!(!is_embed_mode(""));
        assert_eq!(
            query_param("?embed&origin=https%3A%2F%2Fdocs.example", "origin").as_deref(),
            Some("https://docs.example")
        );
        assert_eq!(query_param("?q=a+b", "q").as_deref(), Some("a b"));
        let hash = "#text=kind%3A%20Pod%0Aa%3A%201+2%20%F0%9F%9A%80&settings=%7B%7D";
        assert_eq!(
            fragment_param(hash, "text").as_deref(),
            Some("kind: Pod\na: 1+2 🚀")
        );
        assert_eq!(fragment_param(hash, "settings").as_deref(), Some("{}"));
        assert_eq!(
            fragment_param("#text=100%", "text").as_deref(),
            Some("100%")
        );
        assert_eq!(
            fragment_param("#text=%ZZ%C3", "text").as_deref(),
            Some("%ZZ\u{fffd}")
        );
        assert_eq!(fragment_param("#share=abc", "text"), None);
    }

    #[test]
    fn only_the_named_or_framing_origin_may_send() {
        let docs = "https://docs.example";
        assert_eq!(
            allowed_origin(
                "?embed&origin=https://docs.example",
                "https://other.example/a"
            )
            .as_deref(),
            Some(docs)
        );
        assert_eq!(
            allowed_origin("?embed", "https://docs.example/guide/page.html?x#y").as_deref(),
            Some(docs)
        );
        assert_eq!(
            allowed_origin("?embed", "http://127.0.0.1:8080/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(allowed_origin("?embed", ""), None);
        assert_eq!(allowed_origin("?embed&origin=", docs), None);
        assert_eq!(allowed_origin("?embed&origin=null", docs), None);
        assert_eq!(allowed_origin("?embed", "file:///home/me/page.html"), None);
        assert_eq!(
            origin_of("HTTPS://user:pw@Docs.Example:443/x").as_deref(),
            Some(docs)
        );
        assert_eq!(
            origin_of("http://docs.example:8443").as_deref(),
            Some("http://docs.example:8443")
        );
    }
}
