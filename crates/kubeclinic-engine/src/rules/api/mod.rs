//! The Kubernetes API itself: which apiVersions are served, and the shape of each kind.

pub mod deprecated_api;
pub mod versions;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<deprecated_api::DeprecatedApi>()];
