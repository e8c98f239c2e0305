use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{quoted_after, said};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads an admission webhook's refusal: `admission webhook "validation.gatekeeper.sh"
    /// denied the request: [allowed-repos] ...`, Kyverno's `admission webhook
    /// "validate.kyverno.svc-fail" denied the request` with the policy and rule below it, as
    /// kubectl prints it or as a controller's `FailedCreate` event quotes it; and a webhook
    /// the API server could not call at all (`failed calling webhook "x": ... context deadline
    /// exceeded`, `connect: connection refused`, `no endpoints available for service`).
    ///
    /// ## Why is this bad?
    /// The object is not created or changed. When a ReplicaSet's or Job's pods are refused,
    /// the workload exists but never gets a pod; when the webhook cannot be called and fails
    /// closed, every request it intercepts fails, whatever its content.
    ///
    /// ## Example
    /// ```text
    /// Error from server (Forbidden): error when creating "web.yaml": admission webhook "validation.gatekeeper.sh" denied the request: [allowed-repos] container <web> has an invalid image repo <nginx:1.25.3>, allowed repos are ["registry.internal.example/"]
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl apply -f web.yaml
    /// deployment.apps/web created
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what the policy wants is in its message; change the object to meet it, or ask
    /// for an exception.
    pub struct AdmissionWebhookRejected {
        id: "admission-webhook-rejected",
        category: Api,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

pub struct Rejected {
    file: FileId,
    range: TextRange,
    webhook: String,
    /// What the webhook said, or why it could not be called.
    said: String,
    /// The API server could not call the webhook.
    unreachable: bool,
}

impl Rule for AdmissionWebhookRejected {
    type State<'a> = Rejected;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Rejected> {
        let mut out: Vec<Rejected> = Vec::new();
        for s in said(ws) {
            let (webhook, rest, unreachable) =
                if let Some(name) = quoted_after(s.text, "admission webhook ") {
                    let rest = s.text.split_once("denied the request").map(|(_, r)| r);
                    match rest {
                        Some(rest) => (name, rest, false),
                        None => continue,
                    }
                } else if let Some(name) = quoted_after(s.text, "failed calling webhook ") {
                    let rest = s
                        .text
                        .split_once(&format!("\"{name}\""))
                        .map_or("", |(_, r)| r);
                    (name, rest, true)
                } else {
                    continue;
                };
            let said = rest
                .trim_start_matches([':', ' '])
                .trim()
                .trim_start_matches("failed to call webhook: ")
                .to_string();
            if out.iter().any(|o| o.webhook == webhook && o.said == said) {
                continue;
            }
            out.push(Rejected {
                file: s.file,
                range: s.range,
                webhook: webhook.to_string(),
                said,
                unreachable,
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Rejected) -> Diagnostic {
        let webhook = &state.webhook;
        let said = if state.said.is_empty() || state.said == "without explanation" {
            None
        } else {
            Some(state.said.chars().take(300).collect::<String>())
        };
        let (message, why, help) = if state.unreachable {
            (
                format!("The API server could not call admission webhook {webhook}{}", said.map(|s| format!(": {s}")).unwrap_or_default()),
                "A webhook that fails closed (`failurePolicy: Fail`) refuses every request it intercepts while its service is down or unreachable, whatever the object.",
                "Check the webhook's pods and Service (`kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations`, then the Service named in its `clientConfig`, and its endpoints); on private clusters the control plane must be allowed to reach the webhook's port (GKE, EKS firewall rules).".to_string(),
            )
        } else {
            let engine = if webhook.contains("kyverno") {
                "the Kyverno policy named below the message (`kubectl get clusterpolicy,policy -A`)"
            } else if webhook.contains("gatekeeper") {
                "the Gatekeeper constraint in brackets (`kubectl get constraints`)"
            } else {
                "the policy behind it"
            };
            (
                format!("Admission webhook {webhook} denied the object{}", said.map(|s| format!(": {s}")).unwrap_or_else(|| " (see the lines below the message)".into())),
                "The object is not created or changed; when a controller's pods are refused, the workload exists but never gets a pod.",
                format!("Change the object to meet {engine}, or ask its owners for an exception for this namespace."),
            )
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message,
            why: why.into(),
            help: Some(help),
            object: None,
            container: None,
            severity: None,
        }
    }
}
