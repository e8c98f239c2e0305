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

/// The namespaces whose `default` ServiceAccount the set decides for: it turns the token off
/// there, or binds a role to that account (then the pods may well use it). `None` stands for
/// an object without a namespace, which meets every namespace. Read once for the set.
struct Decided<'a> {
    namespaces: std::collections::HashSet<&'a str>,
    anywhere: bool,
}

impl<'w> Decided<'w> {
    fn of(ws: &'w Workspace<'_>) -> Self {
        let mut out = Decided {
            namespaces: std::collections::HashSet::new(),
            anywhere: false,
        };
        let mut add = |namespace: Option<&'w str>| match namespace {
            Some(n) => {
                out.namespaces.insert(n);
            }
            None => out.anywhere = true,
        };
        for sa in ws.objects_of_kind("ServiceAccount") {
            if sa.name.as_deref() == Some("default")
                && sa.node.get("automountServiceAccountToken").and_then(flag) == Some(false)
            {
                add(sa.effective_namespace());
            }
        }
        for kind in ["RoleBinding", "ClusterRoleBinding"] {
            for binding in ws.objects_of_kind(kind) {
                let subjects = binding
                    .node
                    .get("subjects")
                    .map(Node::items)
                    .unwrap_or_default();
                for s in subjects {
                    let text = |k| s.get(k).and_then(Node::as_str);
                    if text("kind") == Some("ServiceAccount") && text("name") == Some("default") {
                        add(text("namespace").or(binding.effective_namespace()));
                    }
                }
            }
        }
        out
    }

    /// True for `object`'s namespace.
    fn covers(&self, object: &K8sObject) -> bool {
        self.anywhere
            || match object.effective_namespace() {
                Some(n) => self.namespaces.contains(n),
                None => !self.namespaces.is_empty(),
            }
    }
}

impl Rule for AutomountServiceAccountToken {
    type State<'a> = Mounted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mounted<'a>> {
        let decided = Decided::of(ws);
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
                if decided.covers(ws.object_of(t)) {
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
