//! The cluster runs something else than the manifests in the set say.

pub mod manifest_drift;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<manifest_drift::ManifestDrift>()];
