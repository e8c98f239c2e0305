//! Containers that start and then fail: OOM kills, crashes, missing commands, probes, evictions.

pub mod oom_killed;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<oom_killed::OomKilled>()];
