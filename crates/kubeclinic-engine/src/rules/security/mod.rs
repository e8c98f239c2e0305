//! Pods refused by admission or security settings.

pub mod pod_security_admission_violation;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<
    pod_security_admission_violation::PodSecurityAdmissionViolation,
>()];
