//! Workloads and their own consistency: selectors, resources, environment, schedules.

pub mod selector_template_mismatch;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<
    selector_template_mismatch::SelectorTemplateMismatch,
>()];
