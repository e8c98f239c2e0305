//! CEL in the page: the engine's [`CelEvaluator`] answered by the CEL module (web/cel), which
//! web/js/cel.js loads the first time a text holds CEL. Until it is ready a checker has no
//! evaluator, and the findings say the CRD rules and policies were not evaluated.

use std::sync::Arc;

use kubeclinic_engine::cel::{CelBatch, CelEvaluator, CelOutcome};
use kubeclinic_engine::Checker;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/cel.js")]
extern "C" {
    #[wasm_bindgen(js_name = celReady)]
    fn cel_ready() -> bool;
    #[wasm_bindgen(js_name = celFailure)]
    fn cel_failure() -> String;
    #[wasm_bindgen(js_name = celLoad)]
    fn cel_load() -> js_sys::Promise;
    #[wasm_bindgen(js_name = celEvaluate)]
    fn cel_evaluate(jobs: &str) -> String;
}

/// True when `text` holds what only the CEL module can judge: a CRD's validation rules or
/// `pattern`s (regular expressions), or an admission policy.
pub fn wanted(text: &str) -> bool {
    text.contains("x-kubernetes-validations")
        || text.contains("ValidatingAdmissionPolicy")
        || (text.contains("openAPIV3Schema") && text.contains("pattern:"))
}

/// True once the CEL module answers.
pub fn ready() -> bool {
    // Native builds (the crate's tests) have no JavaScript to ask.
    cfg!(target_arch = "wasm32") && cel_ready()
}

/// Loads the module; `Ok` once it is ready.
pub async fn load() -> Result<(), String> {
    wasm_bindgen_futures::JsFuture::from(cel_load())
        .await
        .map(|_| ())
        .map_err(|_| cel_failure())
}

/// `checker`, evaluating CEL through the module when it is ready.
pub fn with_module(checker: Checker) -> Checker {
    if ready() {
        checker.with_cel(Arc::new(Module))
    } else {
        checker
    }
}

/// The module, behind the engine's trait: one JSON round trip per check.
struct Module;

impl CelEvaluator for Module {
    fn evaluate(&self, batch: &CelBatch) -> Vec<CelOutcome> {
        let Ok(json) = serde_json::to_string(batch) else {
            return Vec::new();
        };
        // A short or unreadable answer leaves those jobs unanswered: the engine then says
        // they were not evaluated.
        serde_json::from_str(&cel_evaluate(&json)).unwrap_or_default()
    }
}

/// Loads the CEL module, for scripts (the `<kube-clinic>` element) that check with
/// `checkJson` and want CEL judged: resolves once it is ready, rejects with why not.
#[wasm_bindgen(js_name = loadCel)]
pub async fn load_cel() -> Result<(), JsValue> {
    load().await.map_err(|e| JsValue::from_str(&e))
}
