use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{K8sObject, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{flag, judged, set};

declare_rule! {
    /// ## What it does
    /// Finds pod templates that run as the namespace's `default` ServiceAccount (or name none)
    /// and still get its API token mounted: `automountServiceAccountToken` is not set to false
    /// on the pod, nor on a `default` ServiceAccount of the set, and no RoleBinding or
    /// ClusterRoleBinding of the set gives that account any rights. A hardening check of the
    /// strict profile: whether the containers call the API is not in the manifests.
    ///
    /// ## Why is this bad?
    /// Every container of the pod can read a token for the Kubernetes API at
    /// `/var/run/secrets/kubernetes.io/serviceaccount`. An app that never calls the API has no
    /// use for it, and whoever compromises the app gets it, with whatever rights the `default`
    /// account is given later.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: thumbnails
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: ghcr.io/example/thumbnails:0.6.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: thumbnails
    /// spec:
    ///   automountServiceAccountToken: false
    ///   containers:
    ///     - name: worker
    ///       image: ghcr.io/example/thumbnails:0.6.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `automountServiceAccountToken: false` on the pod; a container that
    /// calls the Kubernetes API (a client library's in-cluster configuration) then fails to
    /// authenticate. Such a pod should run as a ServiceAccount of its own.
    pub struct AutomountServiceAccountToken {
        id: "automount-service-account-token",
        category: Security,
        severity: Info,
        fix: Sometimes,
        reads: Manifests,
        profile: Strict,
    }
}

pub struct Mounted<'a> {
    template: usize,
    /// `serviceAccountName: default`, when written.
    account: Option<&'a Node>,
}

/// True when the set turns the token off on the `default` ServiceAccount of `object`'s
/// namespace, or binds a role to that account (then the pod may well use it).
fn decided_by_account(ws: &Workspace, object: &K8sObject) -> bool {
    let namespace = object.effective_namespace();
    let same = |o: &K8sObject| match (o.effective_namespace(), namespace) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let off = ws.objects_of_kind("ServiceAccount").any(|sa| {
        sa.name.as_deref() == Some("default")
            && same(sa)
            && sa.node.get("automountServiceAccountToken").and_then(flag) == Some(false)
    });
    let bound = ["RoleBinding", "ClusterRoleBinding"].iter().any(|kind| {
        ws.objects_of_kind(kind).any(|binding| {
            let subjects = binding
                .node
                .get("subjects")
                .map(Node::items)
                .unwrap_or_default();
            subjects.iter().any(|s| {
                let text = |k| s.get(k).and_then(Node::as_str);
                let subject_namespace = text("namespace").or(binding.effective_namespace());
                text("kind") == Some("ServiceAccount")
                    && text("name") == Some("default")
                    && match (subject_namespace, namespace) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            })
        })
    });
    off || bound
}

impl Rule for AutomountServiceAccountToken {
    type State<'a> = Mounted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mounted<'a>> {
        judged(ws)
            .filter_map(|(template, t)| {
                if set(Some(t.spec), "automountServiceAccountToken").is_some() {
                    return None;
                }
                let account = set(Some(t.spec), "serviceAccountName")
                    .or_else(|| set(Some(t.spec), "serviceAccount"));
                if account.is_some_and(|a| a.as_str() != Some("default")) {
                    return None;
                }
                if decided_by_account(ws, ws.object_of(t)) {
                    return None;
                }
                Some(Mounted { template, account })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mounted<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[m.template]);
        let range: TextRange = m.account.map_or(object.anchor_range(), |a| a.span);
        Diagnostic {
            file: object.file,
            range,
            message: format!(
                "{} mounts the API token of the default ServiceAccount in its pods (automountServiceAccountToken is not false)",
                object.display()
            ),
            why: "Every container of the pod can read a Kubernetes API token; an app that never calls the API has no use for it, and whoever compromises the app gets it.".into(),
            help: Some("Set `automountServiceAccountToken: false` in the pod spec (or on the namespace's default ServiceAccount); a pod that calls the API should run as a ServiceAccount of its own, with only the rights it needs.".into()),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Mounted<'a>) -> Option<Fix> {
        let t = &ws.templates[m.template];
        let object = ws.object_of(t);
        let edits = set_paths(
            ws,
            object.file,
            t.spec,
            &[(
                vec!["automountServiceAccountToken"],
                Value::Literal("false".into()),
            )],
        );
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!(
                    "Set automountServiceAccountToken: false on the pods of {}",
                    object.display()
                ),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
