//! Pods the scheduler cannot place: resources, affinity, taints, quotas.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
