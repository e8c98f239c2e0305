//! The Kubernetes API itself: which apiVersions are served, and the shape of each kind.

pub mod admission_policy_violation;
pub mod admission_webhook_rejected;
pub mod apply_validation_error;
pub mod cel_expression_error;
pub mod cel_facts;
pub mod crd_validation_rule;
pub mod custom_resource_not_checked;
pub mod custom_schema;
pub mod deprecated_api;
pub mod duplicate_name_in_pod;
pub mod duplicate_object;
pub mod field_immutable;
pub mod formats;
pub mod invalid_enum_value;
pub mod invalid_name;
pub mod invalid_quantity;
pub mod kind_not_served;
pub mod missing_required_field;
pub mod shape;
pub mod unknown_field;
pub mod unknown_kind;
pub mod value_out_of_range;
pub mod versions;
pub mod wrong_type;

use crate::model::Workspace;
use crate::rule::RuleEntry;
use shape::{Issue, Problem};

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<deprecated_api::DeprecatedApi>(),
    RuleEntry::of::<unknown_kind::UnknownKind>(),
    RuleEntry::of::<unknown_field::UnknownField>(),
    RuleEntry::of::<wrong_type::WrongType>(),
    RuleEntry::of::<missing_required_field::MissingRequiredField>(),
    RuleEntry::of::<invalid_enum_value::InvalidEnumValue>(),
    RuleEntry::of::<value_out_of_range::ValueOutOfRange>(),
    RuleEntry::of::<custom_resource_not_checked::CustomResourceNotChecked>(),
    RuleEntry::of::<crd_validation_rule::CrdValidationRule>(),
    RuleEntry::of::<admission_policy_violation::AdmissionPolicyViolation>(),
    RuleEntry::of::<cel_expression_error::CelExpressionError>(),
    RuleEntry::of::<invalid_quantity::InvalidQuantity>(),
    RuleEntry::of::<duplicate_object::DuplicateObject>(),
    RuleEntry::of::<invalid_name::InvalidName>(),
    RuleEntry::of::<duplicate_name_in_pod::DuplicateNameInPod>(),
    RuleEntry::of::<apply_validation_error::ApplyValidationError>(),
    RuleEntry::of::<field_immutable::FieldImmutable>(),
    RuleEntry::of::<kind_not_served::KindNotServed>(),
    RuleEntry::of::<admission_webhook_rejected::AdmissionWebhookRejected>(),
];

/// The schema issues of one sort.
fn issues(ws: &Workspace, sort: impl Fn(&Problem) -> bool) -> Vec<Issue> {
    ws.shape_issues()
        .iter()
        .filter(|i| sort(&i.problem))
        .cloned()
        .collect()
}
