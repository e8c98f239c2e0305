//! ConfigMaps and Secrets that pods read but that are missing, or miss a key.

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[];
