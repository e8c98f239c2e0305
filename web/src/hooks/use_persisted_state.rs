use yew::prelude::*;

use crate::record::Saved;
use crate::state::State;

/// The app's reducer, restored from `localStorage` under `key` and written back on every
/// change, so a reload never loses what the person typed. Works (without persistence) where
/// storage is blocked, as in some embedding iframes.
#[hook]
pub fn use_persisted_state(key: &'static str) -> UseReducerHandle<State> {
    let state = use_reducer(|| State::restore(load(key)));
    use_effect_with(state.saved(), move |saved| store(key, saved));
    state
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<Saved> {
    let json = storage()?.get_item(key).ok().flatten()?;
    Saved::from_json(&json)
}

fn store(key: &str, saved: &Saved) {
    if let Some(storage) = storage() {
        // A full quota only costs persistence; the page keeps working.
        let _ = storage.set_item(key, &saved.to_json());
    }
}
