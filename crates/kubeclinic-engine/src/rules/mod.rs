//! Every rule, registered once. Each rule lives in its own file under its category, and each
//! category lists its rules in its `RULES`.

pub mod configuration;
pub mod containers;
pub mod drift;
pub mod evidence;
pub mod images;
pub mod networking;
pub mod scheduling;
pub mod security;
pub mod storage;
pub mod syntax;

use std::sync::LazyLock;

use crate::rule::{RuleEntry, RuleMeta};

/// All rules, category by category.
pub static REGISTRY: LazyLock<Vec<RuleEntry>> = LazyLock::new(|| {
    [
        syntax::RULES,
        networking::RULES,
        images::RULES,
        containers::RULES,
        scheduling::RULES,
        configuration::RULES,
        storage::RULES,
        security::RULES,
        drift::RULES,
    ]
    .concat()
});

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().map(|e| e.meta).find(|m| m.id == id)
}
