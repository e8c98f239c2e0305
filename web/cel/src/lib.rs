//! The web page's CEL evaluator, as a wasm module with no imports: the page instantiates it
//! only when a paste holds CEL (a CRD's `x-kubernetes-validations`, an admission policy), so
//! the page that opens stays small.
//!
//! The calling convention is two buffers in the module's memory. The page asks for an input
//! buffer of `len` bytes ([`kubeclinic_cel_input`]), writes the batch there as UTF-8 JSON (the
//! engine's `CelBatch`), and calls [`kubeclinic_cel_evaluate`], which answers the length
//! of the outcomes (JSON, the engine's `CelOutcome` list); [`kubeclinic_cel_output`] says
//! where they are.

use std::sync::Mutex;

use kubeclinic_engine::cel::{CelBatch, CelEvaluator, KubeCel};

static INPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Evaluates a JSON batch (the engine's `CelBatch`); a reading error is an outcome list of its own shape,
/// `{"error": "..."}`, so the page can say what went wrong.
pub fn evaluate_json(jobs: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<CelBatch>(jobs) {
        Ok(batch) => serde_json::to_vec(&KubeCel.evaluate(&batch)).unwrap_or_default(),
        Err(e) => {
            serde_json::to_vec(&serde_json::json!({ "error": e.to_string() })).unwrap_or_default()
        }
    }
}

/// The input buffer, resized to `len` bytes: where the page writes the jobs.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn kubeclinic_cel_input(len: usize) -> *mut u8 {
    let mut input = INPUT.lock().unwrap_or_else(|e| e.into_inner());
    input.clear();
    input.resize(len, 0);
    input.as_mut_ptr()
}

/// Evaluates the jobs in the input buffer; answers the outcomes' length in bytes.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn kubeclinic_cel_evaluate() -> usize {
    let input = std::mem::take(&mut *INPUT.lock().unwrap_or_else(|e| e.into_inner()));
    let mut output = OUTPUT.lock().unwrap_or_else(|e| e.into_inner());
    *output = evaluate_json(&input);
    output.len()
}

/// Where the outcomes of the last evaluation are.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn kubeclinic_cel_output() -> *const u8 {
    OUTPUT.lock().unwrap_or_else(|e| e.into_inner()).as_ptr()
}

#[cfg(test)]
mod tests {
    #[test]
    fn jobs_in_outcomes_out() {
        let jobs = br#"{"values":[{"spec":{"replicas":9}}],"jobs":[{"job":"policy","hasParamKind":false,"object":0,"params":null,
            "namespaceObject":null,"request":{"operation":"CREATE","name":"","namespace":"",
            "group":"apps","version":"v1","kind":"Deployment","resource":"deployments"},
            "matchConditions":[],"variables":[],
            "validations":[{"expression":"object.spec.replicas <= 5","message":"at most 5","messageExpression":null}]}]}"#;
        let out: serde_json::Value = serde_json::from_slice(&super::evaluate_json(jobs)).unwrap();
        assert_eq!(out[0]["failures"][0]["message"], "at most 5", "{out}");
        let bad: serde_json::Value = serde_json::from_slice(&super::evaluate_json(b"[{")).unwrap();
        assert!(bad["error"].is_string());
    }
}
