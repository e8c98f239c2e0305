//! Containers that start and then fail: OOM kills, crashes, missing commands, probes, evictions.

pub mod command_not_found;
pub mod crashloop_app_error;
pub mod evicted;
mod integer_field;
pub mod liveness_probe_failing;
pub mod oom_killed;
pub mod probes;
pub mod readiness_probe_failing;
pub mod run_as_non_root_violation;
pub mod startup_probe_failing;
pub mod termination;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<oom_killed::OomKilled>(),
    RuleEntry::of::<command_not_found::CommandNotFound>(),
    RuleEntry::of::<liveness_probe_failing::LivenessProbeFailing>(),
    RuleEntry::of::<startup_probe_failing::StartupProbeFailing>(),
    RuleEntry::of::<readiness_probe_failing::ReadinessProbeFailing>(),
    RuleEntry::of::<evicted::Evicted>(),
    RuleEntry::of::<run_as_non_root_violation::RunAsNonRootViolation>(),
    RuleEntry::of::<crashloop_app_error::CrashloopAppError>(),
];
