use crate::cel::{CelOutcome, FailureKind};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::{K8sObject, Workspace};
use crate::rule::Rule;

use super::cel_facts::{object_path, PolicySubject, Subject};

declare_rule! {
    /// ## What it does
    /// Evaluates the ValidatingAdmissionPolicies of the set against every object of the set
    /// they match, as the API server does on create: through each binding's
    /// `matchResources`, `paramRef` (with the parameter objects of the set) and
    /// `validationActions`, the policy's `matchConstraints` (resource rules, namespace and
    /// object selectors), `matchConditions`, `variables` and `validations` with their
    /// `message` or `messageExpression`.
    ///
    /// `Deny` is reported as an error, `Warn` as a warning, `Audit` as info. A policy that no
    /// binding of the set names is judged as if bound, at warning level, and the finding
    /// says so: the cluster enforces nothing until a binding names the policy.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object: `deployments.apps "web" is forbidden:
    /// ValidatingAdmissionPolicy 'replica-cap' with binding 'replica-cap-prod' denied
    /// request: <message>`. In a GitOps pipeline that is a sync that never finishes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: replica-cap
    /// spec:
    ///   matchConstraints:
    ///     resourceRules:
    ///       - apiGroups: ["apps"]
    ///         apiVersions: ["v1"]
    ///         operations: ["CREATE", "UPDATE"]
    ///         resources: ["deployments"]
    ///   validations:
    ///     - expression: "object.spec.replicas <= 5"
    ///       message: at most 5 replicas
    /// ---
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicyBinding
    /// metadata:
    ///   name: replica-cap-all
    /// spec:
    ///   policyName: replica-cap
    ///   validationActions: [Deny]
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 8
    ///   selector: {matchLabels: {app: web}}
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: replica-cap
    /// spec:
    ///   matchConstraints:
    ///     resourceRules:
    ///       - apiGroups: ["apps"]
    ///         apiVersions: ["v1"]
    ///         operations: ["CREATE", "UPDATE"]
    ///         resources: ["deployments"]
    ///   validations:
    ///     - expression: "object.spec.replicas <= 5"
    ///       message: at most 5 replicas
    /// ---
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicyBinding
    /// metadata:
    ///   name: replica-cap-all
    /// spec:
    ///   policyName: replica-cap
    ///   validationActions: [Deny]
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 4
    ///   selector: {matchLabels: {app: web}}
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether the object or the policy is wrong is the person's to say.
    pub struct AdmissionPolicyViolation {
        id: "admission-policy-violation",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub enum Denied {
    /// A validation of `subject` (an index into the evaluated policies) did not pass for its
    /// object.
    Failed {
        subject: usize,
        validation: usize,
        message: String,
        kind: FailureKind,
    },
    /// A match condition raised an error.
    MatchError {
        subject: usize,
        condition: String,
        message: String,
    },
    /// The policy applies to objects of the set but could not be evaluated.
    NotEvaluated {
        policy: usize,
        binding: Option<usize>,
        why: String,
    },
}

impl Rule for AdmissionPolicyViolation {
    type State<'a> = Denied;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Denied> {
        let facts = ws.cel();
        let mut out = Vec::new();
        let mut unset: Vec<((usize, Option<usize>), usize)> = Vec::new();
        for (index, (subject, outcome)) in facts.evaluated.iter().enumerate() {
            let Subject::Policy(p) = subject else {
                continue;
            };
            if p.object.is_none() {
                continue;
            }
            let Some(CelOutcome::Policy(outcome)) = outcome else {
                if !out.iter().any(|d| matches!(d, Denied::NotEvaluated { policy, binding, .. } if *policy == p.policy && *binding == p.binding)) {
                    out.push(Denied::NotEvaluated {
                        policy: p.policy,
                        binding: p.binding,
                        why: "no CEL evaluator is loaded".into(),
                    });
                }
                continue;
            };
            if outcome.match_unset {
                // Counted per policy and binding: said once, below.
                match unset
                    .iter_mut()
                    .find(|(pb, _)| *pb == (p.policy, p.binding))
                {
                    Some((_, n)) => *n += 1,
                    None => unset.push(((p.policy, p.binding), 1)),
                }
            } else if let Some((condition, message)) =
                outcome.match_error.as_ref().filter(|_| p.fail_closed)
            {
                out.push(Denied::MatchError {
                    subject: index,
                    condition: condition.clone(),
                    message: message.clone(),
                });
            }
            let mut counted = outcome.match_unset;
            for f in outcome
                .failures
                .iter()
                .filter(|f| p.fail_closed || f.kind != FailureKind::Evaluation)
            {
                if f.kind == FailureKind::Unset {
                    if !counted {
                        counted = true;
                        match unset
                            .iter_mut()
                            .find(|(pb, _)| *pb == (p.policy, p.binding))
                        {
                            Some((_, n)) => *n += 1,
                            None => unset.push(((p.policy, p.binding), 1)),
                        }
                    }
                    continue;
                }
                out.push(Denied::Failed {
                    subject: index,
                    validation: f.validation,
                    message: f.message.clone(),
                    kind: f.kind,
                });
            }
        }
        for ((policy, binding), count) in unset {
            out.push(Denied::NotEvaluated {
                policy,
                binding,
                why: format!(
                    "for {count} {} of the set it reads fields {} not set, which the API server may fill in (defaults, mutating admission) before it decides",
                    if count == 1 { "object" } else { "objects" },
                    if count == 1 { "that object does" } else { "they do" },
                ),
            });
        }
        for (policy, binding, why) in &facts.not_evaluated {
            out.push(Denied::NotEvaluated {
                policy: *policy,
                binding: *binding,
                why: why.clone(),
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, d: &Denied) -> Diagnostic {
        let name = |i: usize| ws.objects[i].name.clone().unwrap_or_default();
        match d {
            Denied::Failed {
                subject,
                validation,
                message,
                kind,
            } => {
                let (p, object) = policy_subject(ws, *subject);
                let expression = p
                    .expressions
                    .validations
                    .get(*validation)
                    .and_then(|n| n.as_str())
                    .unwrap_or_default();
                // The field the expression reads, when the object sets it.
                let at = object_path(expression)
                    .and_then(|path| object.node.path(&path))
                    .map_or(object.anchor_range(), |n| n.span);
                let policy = name(p.policy);
                let by = match p.binding {
                    Some(b) => format!("ValidatingAdmissionPolicy {policy} (binding {})", name(b)),
                    None => format!("ValidatingAdmissionPolicy {policy}"),
                };
                let verb = match (p.binding, p.severity) {
                    (None, _) => "would be denied, once a binding enforces it, by",
                    (_, Severity::Error) => "is denied by",
                    (_, Severity::Warning) => "draws a warning from",
                    _ => "is recorded in the audit log by",
                };
                let with_binding = p
                    .binding
                    .map(|b| format!(" with binding '{}'", name(b)))
                    .unwrap_or_default();
                let mut why = match p.severity {
                    Severity::Warning => format!(
                        "The API server accepts the object with `Warning: Validation failed for ValidatingAdmissionPolicy '{policy}'{with_binding}: {message}`, which CI logs and kubectl show and people rarely read."
                    ),
                    Severity::Info => format!(
                        "The API server accepts the object and records the failure in its audit log (`validation.policy.admission.k8s.io/validation_failure`): {message}."
                    ),
                    _ => format!(
                        "The API server answers `{} \"{}\" is forbidden: ValidatingAdmissionPolicy '{policy}'{with_binding} denied request: {message}`.",
                        // `deployments.apps`, as kubectl prints a resource of a group.
                        match object.api_version.split_once('/') {
                            Some((group, _)) => format!("{}.{group}", super::cel_facts::resource_of(&object.kind)),
                            None => super::cel_facts::resource_of(&object.kind),
                        },
                        object.name.as_deref().unwrap_or(""),
                    ),
                };
                let (message, severity) = match kind {
                    FailureKind::Unsupported => (
                        format!(
                            "{} was not checked against {by}: {message}",
                            object.display()
                        ),
                        Some(Severity::Info),
                    ),
                    _ => (
                        format!("{} {verb} {by}: {message}", object.display()),
                        Some(p.severity),
                    ),
                };
                if p.binding.is_none() {
                    why.push_str(" No ValidatingAdmissionPolicyBinding in the set names this policy: the cluster enforces it only once one does, with the binding's validationActions.");
                }
                if p.namespace_assumed {
                    why.push_str(" The namespace's labels are not in the set, so its namespaceSelector was taken as matching.");
                }
                Diagnostic {
                    file: object.file,
                    range: at,
                    message,
                    why,
                    help: Some(format!("Change the object so that `{expression}` holds, or ask the policy's owners for an exception.")),
                    object: Some(object.reference()),
                    container: None,
                    severity,
                }
            }
            Denied::MatchError {
                subject,
                condition,
                message,
            } => {
                let (p, object) = policy_subject(ws, *subject);
                Diagnostic {
                    file: object.file,
                    range: object.anchor_range(),
                    message: format!(
                        "The match condition `{condition}` of ValidatingAdmissionPolicy {} raises an error for {}: {message}",
                        name(p.policy),
                        object.display()
                    ),
                    why: "With `failurePolicy: Fail` (the default) a match condition that raises an error fails the request as a failed validation does: the object is refused, with the error for a message.".into(),
                    help: Some("Guard the condition with `has(...)` for fields an object may not set, or set the field.".into()),
                    object: Some(object.reference()),
                    container: None,
                    severity: Some(p.severity),
                }
            }
            Denied::NotEvaluated {
                policy,
                binding,
                why,
            } => {
                let o = &ws.objects[*policy];
                Diagnostic {
                    file: o.file,
                    range: o.anchor_range(),
                    message: format!(
                        "ValidatingAdmissionPolicy {}{} was not evaluated: {why}",
                        name(*policy),
                        binding.map(|b| format!(" (binding {})", name(b))).unwrap_or_default()
                    ),
                    why: "A policy left out is no all-clear: the objects it matches were not judged by it.".into(),
                    help: Some("Paste its parameter objects and binding with it.".into()),
                    object: Some(o.reference()),
                    container: None,
                    severity: Some(Severity::Info),
                }
            }
        }
    }

    fn related<'a>(ws: &Workspace<'a>, d: &Denied) -> Vec<Related> {
        let Denied::Failed {
            subject,
            validation,
            ..
        } = d
        else {
            return Vec::new();
        };
        let (p, _) = policy_subject(ws, *subject);
        let policy = &ws.objects[p.policy];
        let mut out = Vec::new();
        if let Some(node) = p.expressions.validations.get(*validation) {
            out.push(Related {
                file: policy.file,
                range: node.span,
                message: format!("the validation, in {}", policy.display()),
            });
        }
        if let Some(b) = p.binding {
            let binding = &ws.objects[b];
            out.push(Related {
                file: binding.file,
                range: binding.anchor_range(),
                message: "the binding".into(),
            });
        }
        if let Some(params) = p.params {
            let params = &ws.objects[params];
            out.push(Related {
                file: params.file,
                range: params.anchor_range(),
                message: "the parameters".into(),
            });
        }
        out
    }
}

/// The evaluated policy at `index` of the facts, with the object it was evaluated against.
fn policy_subject<'w, 'a>(
    ws: &'w Workspace<'a>,
    index: usize,
) -> (&'w PolicySubject<'a>, &'w K8sObject<'a>) {
    match &ws.cel().evaluated[index].0 {
        Subject::Policy(
            p @ PolicySubject {
                object: Some(object),
                ..
            },
        ) => (p, &ws.objects[*object]),
        _ => unreachable!("the index of a policy evaluated against an object"),
    }
}
