use super::{bindings, list_words, Binding};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds bindings that give the built-in ClusterRole `cluster-admin` (in a ClusterRoleBinding
    /// or a RoleBinding), or `admin` or `edit` through a ClusterRoleBinding, that is in every
    /// namespace. `admin`, `edit` and `view` bound in one namespace by a RoleBinding are the
    /// usual way to hand a namespace to a team and are not judged, nor is `view` cluster-wide
    /// (it reads no Secrets).
    ///
    /// ## Why is this bad?
    /// `cluster-admin` is every permission on every object: its subjects, and every pod running
    /// as a ServiceAccount among them, own the cluster (or the whole namespace, through a
    /// RoleBinding). `edit` and `admin` in every namespace read every Secret and change every
    /// workload, `kube-system`'s included, which is one step from owning the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-deployer
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: deployer
    ///     namespace: ci
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ci-deployer
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: deployer
    ///     namespace: ci
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the narrower role and the namespaces to grant it in are the person's choice.
    pub struct RbacClusterAdminBinding {
        id: "rbac-cluster-admin-binding",
        category: Rbac,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

impl Rule for RbacClusterAdminBinding {
    type State<'a> = Binding<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Binding<'a>> {
        bindings(ws)
            .into_iter()
            .filter(|b| {
                b.kind() == "ClusterRole"
                    && match b.role_name() {
                        "cluster-admin" => true,
                        "admin" | "edit" => b.cluster_wide,
                        _ => false,
                    }
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Binding<'a>) -> Diagnostic {
        let binding = &ws.objects[b.object];
        let role = b.role_name();
        let subjects = b.subject_names(ws);
        let to = if subjects.is_empty() {
            String::new()
        } else {
            format!(" to {}", list_words(&subjects))
        };
        let (where_, why) = match (role, b.cluster_wide) {
            ("cluster-admin", true) => (
                "in every namespace and on the cluster itself".to_string(),
                "cluster-admin is every permission on every object: its subjects, and every pod running as one of them, can read every Secret, run anything anywhere and grant themselves whatever they like.".to_string(),
            ),
            ("cluster-admin", false) => {
                let ns = binding.effective_namespace().unwrap_or("its namespace");
                (
                    format!("in namespace {ns}"),
                    format!("cluster-admin through a RoleBinding is every permission in namespace {ns}: its subjects, and every pod running as one of them, read all its Secrets, run anything there and rewrite its Roles and bindings."),
                )
            }
            _ => (
                "in every namespace".to_string(),
                format!("{role} in every namespace lets its subjects, and every pod running as one of them, read every Secret and change every workload, kube-system's included: a step away from owning the cluster."),
            ),
        };
        Diagnostic {
            file: binding.file,
            range: b.name.span,
            message: format!(
                "{} gives ClusterRole {role} {where_}{to}",
                binding.display()
            ),
            why,
            help: Some(if b.cluster_wide {
                "Write a ClusterRole or Role with the permissions the subjects use, or bind `edit`/`admin` with a RoleBinding in each namespace they work in.".into()
            } else {
                "Bind `admin` or `edit` instead, or a Role with the permissions the subjects use."
                    .into()
            }),
            object: Some(binding.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, b: &Binding<'a>) -> Vec<Related> {
        let file = ws.objects[b.object].file;
        b.subjects
            .iter()
            .filter_map(|s| {
                let name = s.get("name")?;
                Some(Related {
                    file,
                    range: name.span,
                    message: format!("subject {}", b.subject_name(ws, s)?),
                })
            })
            .collect()
    }
}
