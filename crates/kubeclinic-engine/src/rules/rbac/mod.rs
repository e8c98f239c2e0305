//! Roles, ClusterRoles and their bindings: who may do what, and bindings that point nowhere.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
