use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{quoted_after, said};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads kubectl's and Helm's `no matches for kind "Ingress" in version
    /// "extensions/v1beta1"` (with `ensure CRDs are installed first`, `resource mapping not
    /// found`, or the older `unable to recognize "x.yaml"`), and says what the cluster serves
    /// instead: the apiVersion a built-in kind moved to, or that a custom resource's
    /// definition (CRD) is not installed.
    ///
    /// ## Why is this bad?
    /// The object is not created, and kubectl or Helm stops there: the rest of a release
    /// that needs it (the Ingress that routes traffic, the Certificate that makes its TLS
    /// secret) never exists.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl apply -f shop-ingress.yaml
    /// error: resource mapping not found for name: "storefront" namespace: "" from "shop-ingress.yaml": no matches for kind "Ingress" in version "extensions/v1beta1"
    /// ensure CRDs are installed first
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl apply -f shop-ingress.yaml
    /// ingress.networking.k8s.io/storefront created
    /// ```
    ///
    /// ## Fix safety
    /// No fix here: with the manifest in the set, `deprecated-api` converts a built-in kind to
    /// the served apiVersion.
    pub struct KindNotServed {
        id: "kind-not-served",
        category: Api,
        severity: Error,
        fix: None,
        reads: Both,
    }
}

pub struct NotServed {
    file: FileId,
    range: TextRange,
    kind: String,
    version: String,
}

/// The apiVersion Kubernetes serves a built-in kind under today.
fn served(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Ingress" | "IngressClass" | "NetworkPolicy" => "networking.k8s.io/v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        "CronJob" | "Job" => "batch/v1",
        "PodDisruptionBudget" => "policy/v1",
        "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet" | "ControllerRevision" => {
            "apps/v1"
        }
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            "rbac.authorization.k8s.io/v1"
        }
        "CustomResourceDefinition" => "apiextensions.k8s.io/v1",
        "PriorityClass" => "scheduling.k8s.io/v1",
        "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment" => "storage.k8s.io/v1",
        "EndpointSlice" => "discovery.k8s.io/v1",
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            "admissionregistration.k8s.io/v1"
        }
        "Lease" => "coordination.k8s.io/v1",
        "CertificateSigningRequest" => "certificates.k8s.io/v1",
        "RuntimeClass" => "node.k8s.io/v1",
        "Event" => "events.k8s.io/v1",
        _ => return None,
    })
}

impl Rule for KindNotServed {
    type State<'a> = NotServed;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<NotServed> {
        let mut out: Vec<NotServed> = Vec::new();
        for s in said(ws) {
            let Some(at) = s.text.find("no matches for kind ") else {
                continue;
            };
            let rest = &s.text[at..];
            let Some(kind) = quoted_after(rest, "no matches for kind ") else {
                continue;
            };
            let version = quoted_after(rest, " in version ").unwrap_or("");
            if out.iter().any(|o| o.kind == kind && o.version == version) {
                continue;
            }
            out.push(NotServed {
                file: s.file,
                range: s.range,
                kind: kind.to_string(),
                version: version.to_string(),
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &NotServed) -> Diagnostic {
        let (kind, version) = (&state.kind, &state.version);
        let group = version.split('/').next().unwrap_or(version);
        let (message, help) = match served(kind) {
            Some(now) if now != version => (
                format!("The cluster does not serve {kind} in {version}: it serves {kind} as {now}"),
                format!("Write the {kind} as `apiVersion: {now}` (its fields may have changed too: `kubectl explain {} --api-version={now}`); with a Helm chart, upgrade to a chart version written for your cluster's Kubernetes.", kind.to_ascii_lowercase()),
            ),
            _ => (
                format!("The cluster does not know kind {kind} in {version}: no CustomResourceDefinition serves it"),
                format!("Install the CRDs of the operator that defines {group} first (its chart's CRDs, or `installCRDs=true`), then apply again; `kubectl api-resources | grep {group}` shows whether the cluster knows the group, and which version it serves."),
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message,
            why: "The object is not created, and kubectl or Helm stops there: what the rest of the release needs from it never exists.".into(),
            help: Some(help),
            object: None,
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &NotServed) -> Vec<Related> {
        ws.objects
            .iter()
            .filter(|o| o.kind == state.kind && o.api_version == state.version)
            .filter_map(|o| {
                Some(Related {
                    file: o.file,
                    range: o.node.get("apiVersion")?.span,
                    message: format!("the apiVersion of {}", o.display()),
                })
            })
            .collect()
    }
}
