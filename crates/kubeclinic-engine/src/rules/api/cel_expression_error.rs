use crate::cel::{CelOutcome, ExpressionPlace, FailureKind};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::cel_facts::{rule_node, Subject};

declare_rule! {
    /// ## What it does
    /// Compiles every CEL expression of the set: the `x-kubernetes-validations` rules of
    /// CustomResourceDefinitions, and the `validations`, `matchConditions`, `variables` and
    /// `messageExpression`s of ValidatingAdmissionPolicies, and reports those that do not
    /// parse, or (in a CRD rule) name what only policies have (`object`, `request`), on the
    /// expression's line. A CRD rule whose estimated cost is over the API server's budget is
    /// a warning.
    ///
    /// ## Why is this bad?
    /// The API server refuses a CRD whose rule does not compile (`compilation failed`), so
    /// the CRD and every resource of it fail to apply, and refuses a policy whose expression
    /// does not compile, so it is never enforced.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: replica-cap
    /// spec:
    ///   failurePolicy: Fail
    ///   matchConstraints:
    ///     resourceRules:
    ///       - apiGroups: ["apps"]
    ///         apiVersions: ["v1"]
    ///         operations: ["CREATE", "UPDATE"]
    ///         resources: ["deployments"]
    ///   validations:
    ///     - expression: "object.spec.replicas <= "
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: replica-cap
    /// spec:
    ///   failurePolicy: Fail
    ///   matchConstraints:
    ///     resourceRules:
    ///       - apiGroups: ["apps"]
    ///         apiVersions: ["v1"]
    ///         operations: ["CREATE", "UPDATE"]
    ///         resources: ["deployments"]
    ///   validations:
    ///     - expression: "object.spec.replicas <= 5"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what the expression meant is its author's to say.
    pub struct CelExpressionError {
        id: "cel-expression-error",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct Broken<'a> {
    object: usize,
    at: &'a Node,
    expression: String,
    message: String,
    what: &'static str,
    /// The estimated cost is over the budget, rather than the expression being broken.
    cost: bool,
}

impl Rule for CelExpressionError {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        let mut out: Vec<Broken<'a>> = Vec::new();
        for (subject, outcome) in &ws.cel().evaluated {
            match (subject, outcome) {
                (
                    Subject::Crd {
                        crd,
                        schema,
                        object: None,
                    },
                    Some(CelOutcome::Schema { failures }),
                ) => {
                    for f in failures
                        .iter()
                        .filter(|f| matches!(f.kind, FailureKind::Compile | FailureKind::Cost))
                    {
                        let at = rule_node(schema, &f.rule).unwrap_or(*schema);
                        let cost = f.kind == FailureKind::Cost;
                        // A CRD serving two versions with one schema says it once.
                        if out.iter().any(|b| std::ptr::eq(b.at, at) && b.cost == cost) {
                            continue;
                        }
                        out.push(Broken {
                            object: *crd,
                            at,
                            expression: f.rule.clone(),
                            message: f.message.clone(),
                            what: "validation rule",
                            cost,
                        });
                    }
                }
                (Subject::Policy(p), Some(CelOutcome::Policy(outcome))) if p.object.is_none() => {
                    for e in &outcome.compile_errors {
                        let (node, what) = match e.place {
                            ExpressionPlace::MatchCondition(i) => (
                                p.expressions.match_conditions.get(i).copied(),
                                "match condition",
                            ),
                            ExpressionPlace::Variable(i) => {
                                (p.expressions.variables.get(i).copied(), "variable")
                            }
                            ExpressionPlace::Validation(i) => {
                                (p.expressions.validations.get(i).copied(), "validation")
                            }
                            ExpressionPlace::MessageExpression(i) => (
                                p.expressions.message_expressions.get(i).copied().flatten(),
                                "messageExpression",
                            ),
                        };
                        let Some(at) = node else { continue };
                        out.push(Broken {
                            object: p.policy,
                            at,
                            expression: at.as_str().unwrap_or_default().to_string(),
                            message: e.message.clone(),
                            what,
                            cost: false,
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        let o = &ws.objects[b.object];
        let first_line = b
            .message
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        if b.cost {
            return Diagnostic {
                file: o.file,
                range: b.at.span,
                message: format!(
                    "The {} `{}` of {} may cost more than the API server allows one rule ({})",
                    b.what,
                    b.expression.trim(),
                    o.display(),
                    first_line.trim()
                ),
                why: "The API server estimates each rule's worst cost from the schema's bounds and refuses the CRD when one is over budget (`estimated rule cost exceeds budget`); lists and strings without `maxItems` or `maxLength` count as huge.".into(),
                help: Some("Bound the lists and strings the rule walks with `maxItems` and `maxLength`.".into()),
                object: Some(o.reference()),
                container: None,
                severity: Some(crate::diagnostic::Severity::Warning),
            };
        }
        Diagnostic {
            file: o.file,
            range: b.at.span,
            message: format!(
                "The {} `{}` of {} is not valid CEL: {}",
                b.what,
                b.expression.trim(),
                o.display(),
                first_line.trim()
            ),
            why: if o.kind == "CustomResourceDefinition" {
                "The API server refuses a CRD whose rule does not compile, so neither the CRD nor any of its resources can be applied.".into()
            } else {
                "The API server refuses the policy (`spec.validations[0].expression: Invalid value: ...: compilation failed`), so it is never enforced; a policy already in the cluster whose expression stops compiling fails every request it matches by its failurePolicy (`Fail`: nothing it matches can be created).".into()
            },
            help: Some("Correct the expression; `kubectl apply --dry-run=server` shows the API server's own reading.".into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }
}
