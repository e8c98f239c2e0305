use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{ContainerKind, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;

use super::{asks_for, container_anchor, container_title, limit_range_defaults};

declare_rule! {
    /// ## What it does
    /// Finds containers (init containers and those of Jobs and CronJobs included) that ask
    /// for neither CPU nor memory: no `resources.requests`, and no limits, which would stand
    /// in for them. A LimitRange of the set that gives containers defaults in their namespace
    /// counts as asking.
    ///
    /// ## Why is this bad?
    /// The scheduler places the pod as if it needed nothing, so nodes fill up past what they
    /// can run; the pod is `BestEffort` and the first evicted when a node runs short of
    /// memory; and autoscalers, quotas and capacity planning have nothing to count.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly-export
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: export
    ///               image: ghcr.io/example/exporter:3.0.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly-export
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: export
    ///               image: ghcr.io/example/exporter:3.0.1
    ///               resources:
    ///                 requests:
    ///                   cpu: 200m
    ///                   memory: 256Mi
    /// ```
    ///
    /// ## Fix safety
    /// Display only: the suggestion adds `requests` with placeholders (`cpu: <cpu>`,
    /// `memory: <memory>`); what the container needs is yours to measure.
    pub struct MissingResources {
        id: "missing-resources",
        category: Workloads,
        severity: Info,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Unsized {
    container: usize,
}

impl Rule for MissingResources {
    type State<'a> = Unsized;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unsized> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            let object = &ws.objects[c.object];
            // Ephemeral containers cannot have resources; a live object shows what the
            // cluster admitted.
            if c.kind == ContainerKind::Ephemeral
                || object.is_live()
                || object.kind == "PodTemplate"
            {
                continue;
            }
            let asks = ["cpu", "memory"]
                .iter()
                .any(|r| asks_for(c, r) || limit_range_defaults(ws, object, r));
            if !asks {
                out.push(Unsized { container: index });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unsized) -> Diagnostic {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        Diagnostic {
            file: object.file,
            range: container_anchor(c),
            message: format!("{} requests no CPU or memory", container_title(ws, c)),
            why: "The scheduler places the pod as if it needed nothing: nodes fill up past what they can run, the pod is the first evicted when memory runs short (BestEffort), and autoscalers and quotas have nothing to count.".into(),
            help: Some("Set `resources.requests.cpu` and `resources.requests.memory` to what the container uses under normal load (and a memory limit to what it may reach).".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unsized) -> Option<Fix> {
        let c = &ws.containers[u.container];
        let file = ws.objects[c.object].file;
        let edits = set_paths(
            ws,
            file,
            c.node,
            &[
                (
                    vec!["resources", "requests", "cpu"],
                    Value::Scalar("<cpu>".into()),
                ),
                (
                    vec!["resources", "requests", "memory"],
                    Value::Scalar("<memory>".into()),
                ),
            ],
        );
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!(
                    "Request CPU and memory for container {}",
                    c.name.unwrap_or("(no name)")
                ),
                Applicability::DisplayOnly,
                edits,
            )
        })
    }
}
