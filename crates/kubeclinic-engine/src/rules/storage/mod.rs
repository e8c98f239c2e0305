//! Volumes and claims that do not bind or mount.

pub mod failed_mount;
pub mod ref_missing_pvc;
pub mod unbound_pvc;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<unbound_pvc::UnboundPvc>(),
    RuleEntry::of::<failed_mount::FailedMount>(),
    RuleEntry::of::<ref_missing_pvc::RefMissingPvc>(),
];
