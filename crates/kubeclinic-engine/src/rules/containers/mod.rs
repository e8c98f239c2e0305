//! Containers that start and then fail: OOM kills, crashes, missing commands, probes, evictions.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
