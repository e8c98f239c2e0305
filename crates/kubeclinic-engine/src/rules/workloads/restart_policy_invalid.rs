use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node};

declare_rule! {
    /// ## What it does
    /// Finds pod templates whose `restartPolicy` their controller does not take: a
    /// Deployment, StatefulSet, DaemonSet, ReplicaSet or ReplicationController whose pods do
    /// not restart `Always`, and a Job or CronJob whose pods would (`Always`, which is also
    /// what an unset `restartPolicy` means).
    ///
    /// ## Why is this bad?
    /// The API server refuses the workload (`spec.template.spec.restartPolicy: Unsupported
    /// value: "OnFailure": supported values: "Always"`, or for a Job `supported values:
    /// "OnFailure", "Never"`): nothing of it runs. A Job copied from a Deployment, or the
    /// other way round, is the usual way in.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: migrate
    ///           image: ghcr.io/example/shop-migrations:5.1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///         - name: migrate
    ///           image: ghcr.io/example/shop-migrations:5.1.0
    /// ```
    ///
    /// ## Fix safety
    /// Safe for a long-running workload: `Always` is the only value it takes. Unsafe for a Job
    /// or CronJob: the fix writes `OnFailure` (a failed container restarts in the same pod);
    /// choose `Never` if each retry must be a fresh pod.
    pub struct RestartPolicyInvalid {
        id: "restart-policy-invalid",
        category: Workloads,
        severity: Error,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Invalid<'a> {
    template: usize,
    /// The `restartPolicy` node, when written.
    node: Option<&'a Node>,
    written: &'a str,
    allowed: &'static [&'static str],
    job: bool,
}

impl Rule for RestartPolicyInvalid {
    type State<'a> = Invalid<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Invalid<'a>> {
        let mut out = Vec::new();
        for (index, t) in ws.templates.iter().enumerate() {
            let object = ws.object_of(t);
            if object.is_live() || object.is_custom_resource() {
                continue;
            }
            let (allowed, job): (&'static [&'static str], bool) = match object.kind.as_str() {
                "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController" => (&["Always"], false),
                "Job" | "CronJob" => (&["OnFailure", "Never"], true),
                _ => continue,
            };
            let node = t.spec.get("restartPolicy");
            let written = match node {
                Some(n) => match n.as_str() {
                    Some(text) => text,
                    None => continue,
                },
                None => "Always",
            };
            // A value of another case is `invalid-enum-value`'s (`always`).
            let known = ["Always", "OnFailure", "Never"].contains(&written);
            if known && !allowed.contains(&written) {
                out.push(Invalid {
                    template: index,
                    node,
                    written,
                    allowed,
                    job,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, i: &Invalid<'a>) -> Diagnostic {
        let t = &ws.templates[i.template];
        let object = ws.object_of(t);
        let what = match i.node {
            Some(_) => format!("restarts its pods `{}`", i.written),
            None => "sets no restartPolicy, so its pods would restart `Always`".to_string(),
        };
        Diagnostic {
            file: object.file,
            range: i.node.map_or(object.anchor_range(), |n| n.span),
            message: format!(
                "{} {what}, which a {} does not take (it takes {})",
                object.display(),
                object.kind,
                i.allowed.join(" or ")
            ),
            why: "The API server refuses the workload (`restartPolicy: Unsupported value`): none of it runs.".into(),
            help: Some(if i.job {
                "A Job's pods must end: set `restartPolicy: OnFailure` (retry in the same pod) or `Never` (a new pod per retry, up to backoffLimit).".into()
            } else {
                "A long-running workload's pods always restart: set `restartPolicy: Always` or remove the field; for work that ends, use a Job.".into()
            }),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, i: &Invalid<'a>) -> Option<Fix> {
        let t = &ws.templates[i.template];
        let file = ws.object_of(t).file;
        let (value, applicability) = if i.job {
            ("OnFailure", Applicability::Unsafe)
        } else {
            ("Always", Applicability::Safe)
        };
        let edit = match i.node {
            Some(n) => Edit::replace(file, n.span, render_scalar(value, n.as_scalar()?.style)),
            None => set_path(
                ws,
                file,
                t.spec,
                &["restartPolicy"],
                &Value::Scalar(value.into()),
            )?,
        };
        Some(Fix::new(
            format!("Restart {value}"),
            applicability,
            vec![edit],
        ))
    }
}
