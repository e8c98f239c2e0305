//! Volumes and claims that do not bind or mount.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
