//! Pods refused by admission or security settings.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
