use crate::cel::{CelOutcome, FailureKind};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::cel_facts::{field_range, rule_node, transition_rules, Subject};

declare_rule! {
    /// ## What it does
    /// Evaluates the `x-kubernetes-validations` rules (CEL) of a CustomResourceDefinition in
    /// the set against each of its custom resources, as the API server does when they are
    /// created, and reports the rules that fail with their `message` or `messageExpression`.
    ///
    /// ## Why is this bad?
    /// The API server refuses a custom resource whose rule is false or raises an error:
    /// `kubectl apply` fails with `Invalid value: "object": <message>`, and a GitOps sync
    /// stays out of date until someone reads the controller's log.
    ///
    /// Rules that compare with the stored object (`oldSelf`) run on updates only; they are
    /// listed at info level as not evaluated. A rule using a function the evaluator lacks is
    /// said to be not evaluated, never passed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiextensions.k8s.io/v1
    /// kind: CustomResourceDefinition
    /// metadata:
    ///   name: workerpools.acme.dev
    /// spec:
    ///   group: acme.dev
    ///   scope: Namespaced
    ///   names: {kind: WorkerPool, plural: workerpools}
    ///   versions:
    ///     - name: v1
    ///       served: true
    ///       storage: true
    ///       schema:
    ///         openAPIV3Schema:
    ///           type: object
    ///           properties:
    ///             spec:
    ///               type: object
    ///               properties:
    ///                 replicas: {type: integer}
    ///                 minReplicas: {type: integer}
    ///               x-kubernetes-validations:
    ///                 - rule: self.minReplicas <= self.replicas
    ///                   message: minReplicas must not exceed replicas
    /// ---
    /// apiVersion: acme.dev/v1
    /// kind: WorkerPool
    /// metadata:
    ///   name: batch
    /// spec:
    ///   replicas: 2
    ///   minReplicas: 4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apiextensions.k8s.io/v1
    /// kind: CustomResourceDefinition
    /// metadata:
    ///   name: workerpools.acme.dev
    /// spec:
    ///   group: acme.dev
    ///   scope: Namespaced
    ///   names: {kind: WorkerPool, plural: workerpools}
    ///   versions:
    ///     - name: v1
    ///       served: true
    ///       storage: true
    ///       schema:
    ///         openAPIV3Schema:
    ///           type: object
    ///           properties:
    ///             spec:
    ///               type: object
    ///               properties:
    ///                 replicas: {type: integer}
    ///                 minReplicas: {type: integer}
    ///               x-kubernetes-validations:
    ///                 - rule: self.minReplicas <= self.replicas
    ///                   message: minReplicas must not exceed replicas
    /// ---
    /// apiVersion: acme.dev/v1
    /// kind: WorkerPool
    /// metadata:
    ///   name: batch
    /// spec:
    ///   replicas: 4
    ///   minReplicas: 2
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which value is wrong is the person's to say.
    pub struct CrdValidationRule {
        id: "crd-validation-rule",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub enum Broken<'a> {
    /// A rule failed (or raised an error, or could not be evaluated) for a custom resource.
    Failed {
        object: usize,
        crd: usize,
        at: TextRange,
        rule: Option<&'a Node>,
        rule_text: String,
        path: String,
        message: String,
        kind: FailureKind,
    },
    /// A transition rule, not evaluated for the custom resources of the set.
    Transition {
        crd: usize,
        rule: &'a Node,
        count: usize,
    },
    /// No CEL evaluator in this build: the rules of the CRD were not evaluated.
    NotEvaluated { object: usize, crd: usize },
}

impl Rule for CrdValidationRule {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        let mut out = Vec::new();
        // Per schema: how many of the set's custom resources its rules were run on.
        let mut checked: Vec<(usize, &'a Node, usize)> = Vec::new();
        for (subject, outcome) in &ws.cel().evaluated {
            let Subject::Crd {
                crd,
                schema,
                object: Some(object),
            } = subject
            else {
                continue;
            };
            match checked
                .iter_mut()
                .find(|(c, s, _)| c == crd && std::ptr::eq(*s, *schema))
            {
                Some(entry) => entry.2 += 1,
                None => checked.push((*crd, schema, 1)),
            }
            let Some(CelOutcome::Schema { failures }) = outcome else {
                out.push(Broken::NotEvaluated {
                    object: *object,
                    crd: *crd,
                });
                continue;
            };
            let node = ws.objects[*object].node;
            for f in failures.iter().filter(|f| f.kind != FailureKind::Compile) {
                out.push(Broken::Failed {
                    object: *object,
                    crd: *crd,
                    at: field_range(node, &f.field_path),
                    rule: rule_node(schema, &f.rule),
                    rule_text: f.rule.clone(),
                    path: f.field_path.trim_start_matches('.').to_string(),
                    message: f.message.clone(),
                    kind: f.kind,
                });
            }
        }
        for (crd, schema, count) in checked {
            for rule in transition_rules(schema) {
                out.push(Broken::Transition { crd, rule, count });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        match b {
            Broken::Failed {
                object,
                at,
                rule_text,
                path,
                message,
                kind,
                ..
            } => {
                let o = &ws.objects[*object];
                let place = if path.is_empty() {
                    String::new()
                } else {
                    format!(" at {path}")
                };
                let (message, why, help, severity) = match kind {
                    FailureKind::Unsupported => (
                        format!("{} was not checked against its CRD's rule `{rule_text}`{place}: {message}", o.display()),
                        "Kubeclinic's CEL does not have everything the API server's has; this rule was left out rather than passed.".to_string(),
                        "Check this rule with `kubectl apply --dry-run=server`.".to_string(),
                        Some(Severity::Info),
                    ),
                    FailureKind::Evaluation => (
                        format!("{} breaks its CRD's rule `{rule_text}`{place}: the rule raises an error ({message})", o.display()),
                        "The API server refuses an object whose validation rule raises an error, as when it reads a field the object does not set.".to_string(),
                        "Set the field the rule reads, or, in the CRD, guard the rule with `has(self.field)`.".to_string(),
                        None,
                    ),
                    _ => (
                        format!("{} breaks a validation rule of its CRD{place}: {message}", o.display()),
                        format!(
                            "The API server evaluates the CRD's `x-kubernetes-validations` on every create and update and refuses the object: `The {} \"{}\" is invalid: {}: Invalid value: \"object\": {message}`.",
                            o.kind,
                            o.name.as_deref().unwrap_or(""),
                            if path.is_empty() { "<root>" } else { path.as_str() },
                        ),
                        format!("Change the object so that `{rule_text}` holds, or, if the rule is wrong, the CRD."),
                        None,
                    ),
                };
                Diagnostic {
                    file: o.file,
                    range: *at,
                    message,
                    why,
                    help: Some(help),
                    object: Some(o.reference()),
                    container: None,
                    severity,
                }
            }
            Broken::Transition { crd, rule, count } => {
                let c = &ws.objects[*crd];
                Diagnostic {
                    file: c.file,
                    range: rule.span,
                    message: format!(
                        "The rule `{}` compares with the stored object (`oldSelf`): it runs on updates only, and was not evaluated for the {count} custom resource{} of the set",
                        rule.as_str().unwrap_or_default(),
                        if *count == 1 { "" } else { "s" }
                    ),
                    why: "A transition rule needs the object as the cluster stores it, which a paste does not hold; on a first create the API server skips it too.".into(),
                    help: Some("Check updates with `kubectl apply --dry-run=server` against the cluster.".into()),
                    object: Some(c.reference()),
                    container: None,
                    severity: Some(Severity::Info),
                }
            }
            Broken::NotEvaluated { object, .. } => {
                let o = &ws.objects[*object];
                Diagnostic {
                    file: o.file,
                    range: o.anchor_range(),
                    message: format!("{} was not checked against its CRD's validation rules: no CEL evaluator is loaded", o.display()),
                    why: "The CRD's `x-kubernetes-validations` need a CEL evaluator; without it nothing is said of them, which is no all-clear.".into(),
                    help: Some("Use the kubeclinic CLI or the npm package, or wait for the page's CEL module to load.".into()),
                    object: Some(o.reference()),
                    container: None,
                    severity: Some(Severity::Info),
                }
            }
        }
    }

    fn related<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Vec<Related> {
        match b {
            Broken::Failed {
                crd,
                rule: Some(rule),
                ..
            } => {
                let c = &ws.objects[*crd];
                vec![Related {
                    file: c.file,
                    range: rule.span,
                    message: format!("the rule, in {}", c.display()),
                }]
            }
            Broken::NotEvaluated { crd, .. } => {
                let c = &ws.objects[*crd];
                vec![Related {
                    file: c.file,
                    range: c.anchor_range(),
                    message: "the CRD".into(),
                }]
            }
            _ => Vec::new(),
        }
    }
}
