//! Every rule, registered once. Each rule lives in its own file under its category.

pub mod images;
pub mod networking;
pub mod syntax;

use crate::rule::{RuleEntry, RuleMeta};

pub const REGISTRY: &[RuleEntry] = &[
    RuleEntry::of::<syntax::yaml_syntax_error::YamlSyntaxError>(),
    RuleEntry::of::<networking::netpol_selects_nothing::NetpolSelectsNothing>(),
    RuleEntry::of::<networking::localhost_in_env::LocalhostInEnv>(),
    RuleEntry::of::<images::image_tag_placeholder::ImageTagPlaceholder>(),
    RuleEntry::of::<images::image_tag_latest::ImageTagLatest>(),
    RuleEntry::of::<images::image_tag_missing::ImageTagMissing>(),
];

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().map(|e| e.meta).find(|m| m.id == id)
}
