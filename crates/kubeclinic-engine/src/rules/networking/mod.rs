//! Rules about who can reach whom.

mod connection_errors;
pub mod dns_resolution_failure;
pub mod localhost_connection;
pub mod localhost_in_env;
mod loopback;
pub mod netpol_selects_nothing;
pub mod service_selects_nothing;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<netpol_selects_nothing::NetpolSelectsNothing>(),
    RuleEntry::of::<service_selects_nothing::ServiceSelectsNothing>(),
    RuleEntry::of::<localhost_in_env::LocalhostInEnv>(),
    RuleEntry::of::<localhost_connection::LocalhostConnection>(),
    RuleEntry::of::<dns_resolution_failure::DnsResolutionFailure>(),
];
