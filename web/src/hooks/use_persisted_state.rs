use gloo::storage::{LocalStorage, Storage};
use yew::prelude::*;

use crate::state::{Saved, State};

/// The app's reducer, restored from `localStorage` under `key` and written back on every
/// change, so a reload never loses what the person typed. Works (without persistence) where
/// storage is blocked, as in some embedding iframes.
#[hook]
pub fn use_persisted_state(key: &'static str) -> UseReducerHandle<State> {
    let state = use_reducer(|| State::restore(load(key)));
    use_effect_with(state.saved(), move |saved| store(key, saved));
    state
}

fn storage_available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

fn load(key: &str) -> Option<Saved> {
    if !storage_available() {
        return None;
    }
    LocalStorage::get(key).ok()
}

fn store(key: &str, saved: &Saved) {
    if storage_available() {
        // A full quota only costs persistence; the page keeps working.
        let _ = LocalStorage::set(key, saved);
    }
}
