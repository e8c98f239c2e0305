use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::model::{ContainerKind, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::yaml::Node;

use super::{asks_for, container_anchor, limit_range_defaults, template_of};

declare_rule! {
    /// ## What it does
    /// Finds HorizontalPodAutoscalers that scale on CPU or memory *utilization* (a percentage
    /// of the request: `target.type: Utilization`, `targetCPUUtilizationPercentage`, or no
    /// metrics at all, which means 80% CPU) while a container of the workload they scale
    /// requests none of that resource. Autoscalers whose workload is not in the set are not
    /// judged.
    ///
    /// ## Why is this bad?
    /// Utilization is usage divided by the request; without a request there is nothing to
    /// divide by. The autoscaler never scales: `kubectl describe hpa` shows
    /// `FailedGetResourceMetric ... missing request for cpu`, and the workload stays at its
    /// replica count under load.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector:
    ///     matchLabels: {app: storefront}
    ///   template:
    ///     metadata:
    ///       labels: {app: storefront}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.8.1
    ///           resources:
    ///             requests: {memory: 256Mi}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: storefront
    ///   minReplicas: 2
    ///   maxReplicas: 8
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: Utilization, averageUtilization: 70}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector:
    ///     matchLabels: {app: storefront}
    ///   template:
    ///     metadata:
    ///       labels: {app: storefront}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.8.1
    ///           resources:
    ///             requests: {cpu: 200m, memory: 256Mi}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: storefront
    ///   minReplicas: 2
    ///   maxReplicas: 8
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: Utilization, averageUtilization: 70}
    /// ```
    ///
    /// ## Fix safety
    /// Display only: the suggestion adds a request with a placeholder (`cpu: <cpu-request>`);
    /// how much the container needs is yours to measure.
    pub struct HpaNoRequests {
        id: "hpa-no-requests",
        category: Workloads,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

/// One utilization metric of an autoscaler and the containers that request none of it.
pub struct Unmeasured<'a> {
    hpa: usize,
    resource: &'a str,
    /// The metric's resource name or percentage; `None` for the default metric (80% CPU).
    metric: Option<&'a Node>,
    containers: Vec<usize>,
}

/// A utilization metric: the resource, the node that says so, and the one container it is
/// limited to (`ContainerResource`).
struct Metric<'a> {
    resource: &'a str,
    node: Option<&'a Node>,
    container: Option<&'a str>,
}

fn utilization_metrics<'a>(hpa: &'a Node, api_version: &str) -> Vec<Metric<'a>> {
    let Some(spec) = hpa.get("spec") else {
        return Vec::new();
    };
    if api_version == "autoscaling/v1" {
        return vec![Metric {
            resource: "cpu",
            node: spec.get("targetCPUUtilizationPercentage"),
            container: None,
        }];
    }
    let metrics = spec.get("metrics").map(Node::items).unwrap_or_default();
    if metrics.is_empty() {
        // No metrics: the controller scales on 80% CPU utilization.
        return vec![Metric {
            resource: "cpu",
            node: None,
            container: None,
        }];
    }
    metrics
        .iter()
        .filter_map(|m| {
            let (source, container) = match m.get("type").and_then(Node::as_str)? {
                "Resource" => (m.get("resource")?, None),
                "ContainerResource" => {
                    let source = m.get("containerResource")?;
                    (source, Some(source.get("container")?.as_str()?))
                }
                _ => return None,
            };
            let name = source.get("name")?;
            let resource = name.as_str().filter(|r| matches!(*r, "cpu" | "memory"))?;
            let utilization = source
                .path(&["target", "type"])
                .and_then(Node::as_str)
                .is_some_and(|t| t == "Utilization")
                || source.get("targetAverageUtilization").is_some();
            utilization.then_some(Metric {
                resource,
                node: Some(name),
                container,
            })
        })
        .collect()
}

impl Rule for HpaNoRequests {
    type State<'a> = Unmeasured<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unmeasured<'a>> {
        let mut out = Vec::new();
        for a in ws.autoscalers() {
            let Some(target) = a.target else { continue };
            let Some(template) = template_of(ws, target) else {
                continue;
            };
            let hpa = &ws.objects[a.index];
            let workload = &ws.objects[target];
            for metric in utilization_metrics(hpa.node, &hpa.api_version) {
                if limit_range_defaults(ws, workload, metric.resource) {
                    continue;
                }
                let containers: Vec<usize> = ws.templates[template]
                    .containers
                    .clone()
                    .filter(|&i| {
                        let c = &ws.containers[i];
                        c.kind == ContainerKind::Regular
                            && metric.container.is_none_or(|name| c.name == Some(name))
                            && !asks_for(c, metric.resource)
                    })
                    .collect();
                if !containers.is_empty() {
                    out.push(Unmeasured {
                        hpa: a.index,
                        resource: metric.resource,
                        metric: metric.node,
                        containers,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unmeasured<'a>) -> Diagnostic {
        let hpa = &ws.objects[u.hpa];
        let workload = &ws.objects[ws.containers[u.containers[0]].object];
        let names: Vec<&str> = u
            .containers
            .iter()
            .map(|&i| ws.containers[i].name.unwrap_or("(no name)"))
            .collect();
        let (noun, verb) = if names.len() == 1 {
            ("container", "requests")
        } else {
            ("containers", "request")
        };
        let how = if u.metric.is_none() {
            " (no metrics given: 80% CPU)"
        } else {
            ""
        };
        Diagnostic {
            file: hpa.file,
            range: u.metric.map_or_else(|| hpa.anchor_range(), |n| n.span),
            message: format!(
                "{} scales {} on {} utilization{how}, but its {noun} {} {verb} no {}",
                hpa.display(),
                workload.display(),
                u.resource,
                names.join(", "),
                u.resource
            ),
            why: format!("Utilization is usage divided by the request: without one the autoscaler never scales (`FailedGetResourceMetric: missing request for {}`), and the workload keeps its replica count under load.", u.resource),
            help: Some(format!("Give every container of {} a `resources.requests.{}`, or scale on an average value (`target.type: AverageValue`) instead.", workload.display(), u.resource)),
            object: Some(hpa.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unmeasured<'a>) -> Vec<Related> {
        u.containers
            .iter()
            .map(|&i| {
                let c = &ws.containers[i];
                Related {
                    file: ws.objects[c.object].file,
                    range: container_anchor(c),
                    message: format!(
                        "container {} requests no {}",
                        c.name.unwrap_or("(no name)"),
                        u.resource
                    ),
                }
            })
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unmeasured<'a>) -> Option<Fix> {
        let mut edits = Vec::new();
        for &i in &u.containers {
            let c = &ws.containers[i];
            let file = ws.objects[c.object].file;
            let setting = (
                vec!["resources", "requests", u.resource],
                Value::Scalar(format!("<{}-request>", u.resource)),
            );
            edits.extend(set_paths(ws, file, c.node, &[setting]));
        }
        let names: Vec<&str> = u
            .containers
            .iter()
            .map(|&i| ws.containers[i].name.unwrap_or("(no name)"))
            .collect();
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!("Request {} in {}", u.resource, names.join(", ")),
                Applicability::DisplayOnly,
                edits,
            )
        })
    }
}
