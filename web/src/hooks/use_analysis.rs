use std::rc::Rc;

use gloo::timers::callback::Timeout;
use kubeclinic_engine::{Checker, Settings};
use yew::prelude::*;

use crate::bridge::{self, Diagnosis, Patch};

/// Typing pauses shorter than this do not re-run the checks.
pub const DEBOUNCE_MS: u32 = 100;

/// The findings of the last text the person paused on.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The text the findings are about (it lags the editor while the person types).
    pub text: Rc<str>,
    /// The cluster output of its own pane that was checked with it (empty: none).
    pub cluster: Rc<str>,
    pub diagnosis: Rc<Diagnosis>,
    /// True while the editor holds text that has not been checked yet.
    pub pending: bool,
    /// The checker of the person's settings (the default one while they are invalid).
    pub checker: Rc<CheckerHandle>,
}

/// A checker with the settings it was made from, comparable by those settings.
pub struct CheckerHandle {
    pub checker: Checker,
    pub settings: Settings,
    /// Why the person's settings could not be used, if they could not.
    pub error: Option<String>,
    /// The checker evaluates CEL (the CEL module was loaded when it was made).
    pub cel: bool,
}

impl PartialEq for CheckerHandle {
    fn eq(&self, other: &Self) -> bool {
        self.settings == other.settings && self.cel == other.cel
    }
}

impl std::fmt::Debug for CheckerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckerHandle")
            .field("settings", &self.settings)
            .field("error", &self.error)
            .finish()
    }
}

/// Checks `text` and `cluster` once they have stopped changing for [`DEBOUNCE_MS`]; the first
/// texts are checked at once so the page opens diagnosed. New settings re-check at once.
#[hook]
pub fn use_analysis(text: &str, cluster: &str, settings: &Settings) -> Analysis {
    let current = (Rc::<str>::from(text), Rc::<str>::from(cluster));
    let settled = use_state_eq(|| current.clone());
    {
        let settled = settled.clone();
        use_effect_with(current.clone(), move |current| {
            let timeout = (*settled != *current).then(|| {
                let current = current.clone();
                Timeout::new(DEBOUNCE_MS, move || settled.set(current))
            });
            move || drop(timeout)
        });
    }
    // The CEL module loads the first time a text holds CEL; the checker is made again once
    // it is ready, and the text re-checked with it.
    let cel_ready = use_state_eq(crate::cel::ready);
    {
        let cel_ready = cel_ready.clone();
        let wanted = crate::cel::wanted(&settled.0) || crate::cel::wanted(&settled.1);
        use_effect_with(wanted, move |wanted| {
            if *wanted && !*cel_ready {
                wasm_bindgen_futures::spawn_local(async move {
                    if crate::cel::load().await.is_ok() {
                        cel_ready.set(true);
                    }
                });
            }
        });
    }
    let checker = use_memo(
        (settings.clone(), *cel_ready),
        |(settings, _)| match bridge::checker_for(settings) {
            Ok(checker) => CheckerHandle {
                cel: crate::cel::ready(),
                checker,
                settings: settings.clone(),
                error: None,
            },
            Err(error) => CheckerHandle {
                checker: crate::cel::with_module(Checker::default()),
                cel: crate::cel::ready(),
                settings: settings.clone(),
                error: Some(error),
            },
        },
    );
    let (checked, checked_cluster) = (*settled).clone();
    let diagnosis = use_memo(
        (checked.clone(), checked_cluster.clone(), checker.clone()),
        |(text, cluster, checker)| bridge::diagnose_with(&checker.checker, text, cluster),
    );
    Analysis {
        pending: *checked != *text || *checked_cluster != *cluster,
        text: checked,
        cluster: checked_cluster,
        diagnosis,
        checker,
    }
}

/// The patched text of the checked text; computed only where it is shown.
#[hook]
pub fn use_patch(analysis: &Analysis, include_unsafe: bool) -> Rc<Patch> {
    use_memo(
        (
            analysis.text.clone(),
            analysis.cluster.clone(),
            analysis.checker.clone(),
            include_unsafe,
        ),
        |(text, cluster, checker, include_unsafe)| {
            bridge::patch_with(&checker.checker, text, cluster, *include_unsafe)
        },
    )
}
