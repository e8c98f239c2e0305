//! Rules about who can reach whom.

pub mod localhost_in_env;
mod loopback;
pub mod netpol_selects_nothing;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<netpol_selects_nothing::NetpolSelectsNothing>(),
    RuleEntry::of::<localhost_in_env::LocalhostInEnv>(),
];
