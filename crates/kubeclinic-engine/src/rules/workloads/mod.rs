//! Workloads and their own consistency: selectors, resources, environment, schedules.

pub mod duplicate_env_var;
pub mod hpa_target_missing;
pub mod invalid_cron;
pub mod pdb_selects_nothing;
pub mod requests_exceed_limits;
pub mod selector_template_mismatch;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<selector_template_mismatch::SelectorTemplateMismatch>(),
    RuleEntry::of::<requests_exceed_limits::RequestsExceedLimits>(),
    RuleEntry::of::<duplicate_env_var::DuplicateEnvVar>(),
    RuleEntry::of::<invalid_cron::InvalidCron>(),
    RuleEntry::of::<hpa_target_missing::HpaTargetMissing>(),
    RuleEntry::of::<pdb_selects_nothing::PdbSelectsNothing>(),
];
