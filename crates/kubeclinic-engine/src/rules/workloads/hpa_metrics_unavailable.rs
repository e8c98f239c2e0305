use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, ObjectRef, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{said, Subject};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads the autoscaler's own complaints (`FailedGetResourceMetric`,
    /// `FailedComputeMetricsReplicas`, the `ScalingActive False` condition) and says why it
    /// has no metric: a container without a request for the resource, no metrics-server (or
    /// an unavailable one), pods metrics-server has no numbers for yet, or an external or
    /// custom metric no adapter serves.
    ///
    /// ## Why is this bad?
    /// Without the metric the autoscaler does nothing: `kubectl get hpa` shows
    /// `<unknown>/60%` and the workload stays at its replica count under any load, with no
    /// error anywhere else.
    ///
    /// ## Example
    /// ```text
    ///   Warning  FailedGetResourceMetric  2m3s (x9 over 4m18s)  horizontal-pod-autoscaler  failed to get cpu utilization: missing request for cpu in container sidecar of Pod catalog-6b9f7c5d4-zr2lp
    /// ```
    ///
    /// ## Use instead
    /// ```text
    ///   ScalingActive  True  ValidMetricFound  the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)
    /// ```
    ///
    /// ## Fix safety
    /// No fix here. With the workload's manifest in the set, `hpa-no-requests` points at the
    /// container and offers the request.
    pub struct HpaMetricsUnavailable {
        id: "hpa-metrics-unavailable",
        category: Workloads,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

/// Why the autoscaler has no number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// `missing request for cpu in container sidecar`: the resource and the container.
    MissingRequest {
        resource: String,
        container: Option<String>,
    },
    NoMetricsApi,
    MetricsApiUnavailable,
    NoMetricsForPods,
    UnreadyPods,
    NoAdapter,
}

pub fn cause(text: &str) -> Option<Cause> {
    if let Some((_, rest)) = text.split_once("missing request for ") {
        let resource = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            .next()
            .unwrap_or("cpu")
            .to_string();
        let container = rest
            .split_once(" in container ")
            .and_then(|(_, c)| c.split_whitespace().next())
            .map(String::from);
        return Some(Cause::MissingRequest {
            resource,
            container,
        });
    }
    let has = |n: &str| text.contains(n);
    if has("could not find the requested resource (get pods.metrics.k8s.io)")
        || has("the server could not find the requested resource") && has("metrics")
    {
        Some(Cause::NoMetricsApi)
    } else if has("currently unable to handle the request (get pods.metrics.k8s.io)")
        || has("unable to fetch metrics from resource metrics API")
    {
        Some(Cause::MetricsApiUnavailable)
    } else if has("no metrics returned from resource metrics API")
        || has("no metrics known for pod")
    {
        Some(Cause::NoMetricsForPods)
    } else if has("did not receive metrics for targeted pods") || has("pods might be unready") {
        Some(Cause::UnreadyPods)
    } else if has("unable to get external metric")
        || has("unable to get metric") && has("custom.metrics.k8s.io")
        || has("unable to fetch metrics from custom metrics API")
        || has("unable to fetch metrics from external metrics API")
    {
        Some(Cause::NoAdapter)
    } else {
        None
    }
}

pub struct NoMetric {
    file: FileId,
    range: TextRange,
    hpa: Option<ObjectRef>,
    cause: Cause,
}

impl Rule for HpaMetricsUnavailable {
    type State<'a> = NoMetric;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<NoMetric> {
        // The autoscaler the paste is about: the event's own, else the set's only one.
        let only = ws
            .only_of_kind("HorizontalPodAutoscaler")
            .map(|o| o.reference());
        let mut out: Vec<NoMetric> = Vec::new();
        for s in said(ws) {
            let telling = matches!(
                s.reason,
                "FailedGetResourceMetric"
                    | "FailedComputeMetricsReplicas"
                    | "FailedGetExternalMetric"
                    | "FailedGetPodsMetric"
                    | "FailedGetObjectMetric"
                    | "FailedGetContainerResourceMetric"
            ) || s
                .text
                .contains("the HPA was unable to compute the replica count")
                || s.text.contains("failed to get cpu utilization")
                || s.text.contains("failed to get memory utilization");
            if !telling {
                continue;
            }
            let Some(cause) = cause(s.text) else {
                continue;
            };
            if out.iter().any(|o| o.cause == cause) {
                continue;
            }
            let hpa = s
                .subject
                .as_ref()
                .filter(|sub| sub.kind == "HorizontalPodAutoscaler")
                .map(Subject::reference)
                .or_else(|| only.clone());
            out.push(NoMetric {
                file: s.file,
                range: s.range,
                hpa,
                cause,
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &NoMetric) -> Diagnostic {
        let who = match state.hpa.as_ref().and_then(|h| h.name.as_deref()) {
            Some(name) => format!("HorizontalPodAutoscaler {name}"),
            None => "The autoscaler".to_string(),
        };
        let (what, help): (String, String) = match &state.cause {
            Cause::MissingRequest { resource, container } => (
                match container {
                    Some(c) => format!("container {c} requests no {resource}, and utilization is a share of the request"),
                    None => format!("a container of the workload requests no {resource}, and utilization is a share of the request"),
                },
                format!("Give every container of the pod (sidecars and injected proxies too) a `resources.requests.{resource}`, or scale on `target.type: AverageValue` instead of `Utilization`. Paste the workload's manifest to have the container pointed at."),
            ),
            Cause::NoMetricsApi => (
                "the cluster serves no resource metrics API (metrics.k8s.io): metrics-server is not installed".into(),
                "Install metrics-server (its release manifest or Helm chart); `kubectl top pods` works once it serves metrics.".into(),
            ),
            Cause::MetricsApiUnavailable => (
                "the resource metrics API is registered but does not answer: metrics-server is down or unreachable".into(),
                "Check `kubectl get apiservice v1beta1.metrics.k8s.io` (Available) and metrics-server's logs; it often cannot scrape kubelets with self-signed certificates (`--kubelet-insecure-tls` for test clusters) or cannot be reached from the API server (firewall on port 10250/4443).".into(),
            ),
            Cause::NoMetricsForPods => (
                "metrics-server has no numbers for the workload's pods yet".into(),
                "New pods get metrics after a minute or two; if it persists, metrics-server cannot scrape the kubelet of their node (its logs say why), and `kubectl top pods` shows the same gap.".into(),
            ),
            Cause::UnreadyPods => (
                "the targeted pods are not ready, so no metric counts".into(),
                "Make the pods pass their readiness probes first (`kubectl get pods`, `kubectl describe pod`); the autoscaler ignores unready pods' usage.".into(),
            ),
            Cause::NoAdapter => (
                "no adapter serves the custom or external metric it scales on".into(),
                "Install and configure the metrics adapter (prometheus-adapter, KEDA, the cloud's adapter) and check `kubectl get apiservices | grep metrics` shows custom.metrics.k8s.io or external.metrics.k8s.io Available; the metric name must match what the adapter exposes.".into(),
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{who} cannot read its metric: {what}"),
            why: "Without the metric the autoscaler keeps the replica count it has (`<unknown>` in `kubectl get hpa`), however high the load.".into(),
            help: Some(help),
            object: state.hpa.clone(),
            container: match &state.cause {
                Cause::MissingRequest { container, .. } => container.clone(),
                _ => None,
            },
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &NoMetric) -> Vec<Related> {
        let Cause::MissingRequest { resource, .. } = &state.cause else {
            return Vec::new();
        };
        let Some(hpa) = &state.hpa else {
            return Vec::new();
        };
        ws.objects_of_kind("HorizontalPodAutoscaler")
            .filter(|o| o.name == hpa.name)
            .filter_map(|o| {
                Some(Related {
                    file: o.file,
                    range: o.node.get("spec")?.span,
                    message: format!("scales on {resource} utilization"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_read() {
        assert_eq!(
            cause("failed to get cpu utilization: missing request for cpu in container sidecar of Pod catalog-6b9f7c5d4-zr2lp"),
            Some(Cause::MissingRequest { resource: "cpu".into(), container: Some("sidecar".into()) })
        );
        assert_eq!(
            cause("missing request for memory"),
            Some(Cause::MissingRequest {
                resource: "memory".into(),
                container: None
            })
        );
        assert_eq!(cause("unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"), Some(Cause::NoMetricsApi));
        assert_eq!(cause("unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)"), Some(Cause::MetricsApiUnavailable));
        assert_eq!(cause("New size: 4; reason: cpu resource utilization (percentage of request) above target"), None);
    }
}
