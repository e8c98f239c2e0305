use std::rc::Rc;

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::bridge::{self, Diagnosis, Patch};

/// Typing pauses shorter than this do not re-run the checks.
pub const DEBOUNCE_MS: u32 = 150;

/// The findings of the last text the person paused on.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The text the findings are about (it lags the editor while the person types).
    pub text: Rc<str>,
    pub diagnosis: Rc<Diagnosis>,
    /// True while the editor holds text that has not been checked yet.
    pub pending: bool,
}

/// Checks `text` once it has stopped changing for [`DEBOUNCE_MS`]; the first text is checked
/// at once so the page opens diagnosed.
#[hook]
pub fn use_analysis(text: &str) -> Analysis {
    let settled = use_state_eq(|| Rc::<str>::from(text));
    {
        let settled = settled.clone();
        use_effect_with(Rc::<str>::from(text), move |text| {
            let timeout = (**settled != **text).then(|| {
                let text = text.clone();
                Timeout::new(DEBOUNCE_MS, move || settled.set(text))
            });
            move || drop(timeout)
        });
    }
    let checked = (*settled).clone();
    let diagnosis = use_memo(checked.clone(), |text| bridge::diagnose(text));
    Analysis {
        pending: *checked != *text,
        text: checked,
        diagnosis,
    }
}

/// The patched text of the checked text; computed only where it is shown.
#[hook]
pub fn use_patch(text: Rc<str>, include_unsafe: bool) -> Rc<Patch> {
    use_memo((text, include_unsafe), |(text, include_unsafe)| {
        bridge::patch(text, *include_unsafe)
    })
}
