//! Rules about who can reach whom.

pub mod localhost_in_env;
mod loopback;
pub mod netpol_selects_nothing;
