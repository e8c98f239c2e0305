pub mod duplicate_key;
pub mod unreadable_kubectl_output;
pub mod yaml_syntax_error;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<yaml_syntax_error::YamlSyntaxError>(),
    RuleEntry::of::<unreadable_kubectl_output::UnreadableKubectlOutput>(),
    RuleEntry::of::<duplicate_key::DuplicateKey>(),
];
