//! Hooks that connect the state to the engine and to the browser.

mod use_analysis;
mod use_persisted_state;

pub use use_analysis::{use_analysis, use_patch, Analysis};
pub use use_persisted_state::use_persisted_state;
