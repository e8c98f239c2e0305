pub mod yaml_syntax_error;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[RuleEntry::of::<yaml_syntax_error::YamlSyntaxError>()];
