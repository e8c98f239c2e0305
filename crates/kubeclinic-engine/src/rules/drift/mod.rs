//! The cluster runs something else than the manifests in the set say.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
