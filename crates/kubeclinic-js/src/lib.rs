//! Kubeclinic for JavaScript, the `kubeclinic` npm package: `check`, `fix` and `rules` over the
//! engine's `Checker`, as the CLI and the web app call it. The TypeScript types are derived
//! from the types in [`input`], [`report`] and [`rules`]; scripts/npm-package.sh builds the
//! package.
//!
//! Arguments are read with the path of whatever is wrong in them, and thrown as a JS `Error`
//! naming it: `settings.profile: unknown variant ...`, `input[1] (big.log): the text is ...`.

pub mod input;
pub mod report;
pub mod rules;

use kubeclinic_engine::settings::{default_checker, Checker};
use serde::Deserialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::input::{FixOptions, Input, Settings};
use crate::report::{fix_result, FixResult, Locator, Report};
use crate::rules::RuleDocs;

/// Checks one text (manifests, kubectl output or both) or a set of files as one set, and
/// returns the findings.
#[wasm_bindgen]
pub fn check(input: Ts<Input>, settings: Option<Ts<Settings>>) -> Result<Ts<Report>, JsError> {
    let files = read("input", input)?.into_files().map_err(error)?;
    let checker = checker(settings)?;
    let checker = checker.as_ref().unwrap_or_else(|| default_checker());
    Ok(Locator::new(&files)
        .report(&checker.check(&files))
        .into_ts()?)
}

/// Applies the safe fixes (and with `{unsafe: true}` also those that change behaviour) until
/// the text stops changing, and returns the patched text(s), the fixes applied and what is
/// still reported.
#[wasm_bindgen]
pub fn fix(
    input: Ts<Input>,
    settings: Option<Ts<Settings>>,
    options: Option<Ts<FixOptions>>,
) -> Result<Ts<FixResult>, JsError> {
    let input = read("input", input)?;
    let one_text = input.is_text();
    let files = input.into_files().map_err(error)?;
    let checker = checker(settings)?;
    let checker = checker.as_ref().unwrap_or_else(|| default_checker());
    let options = optional("options", options)?.unwrap_or_default();
    let outcome = checker.fix(&files, options.threshold());
    Ok(fix_result(&files, &outcome, one_text).into_ts()?)
}

/// Every rule with its documentation.
#[wasm_bindgen]
pub fn rules() -> Result<Ts<RuleDocs>, JsError> {
    Ok(rules::rule_docs().into_ts()?)
}

/// The checker of `settings`; `None` for the defaults (`undefined` or `null`).
fn checker(settings: Option<Ts<Settings>>) -> Result<Option<Checker>, JsError> {
    optional("settings", settings)?
        .map(|s| s.checker().map_err(error))
        .transpose()
}

/// An argument that may be left out, or given as `null`.
fn optional<T: Tsify + for<'de> Deserialize<'de>>(
    argument: &str,
    value: Option<Ts<T>>,
) -> Result<Option<T>, JsError> {
    match value {
        Some(value) if !value.js_value().is_null() => read(argument, value).map(Some),
        _ => Ok(None),
    }
}

fn read<T: Tsify + for<'de> Deserialize<'de>>(argument: &str, value: Ts<T>) -> Result<T, JsError> {
    input::read(
        argument,
        serde_wasm_bindgen::Deserializer::from(value.js_value()),
    )
    .map_err(error)
}

fn error(message: String) -> JsError {
    JsError::new(&message)
}
