use super::{bindings, built_in_cluster_role, built_in_role, is_rbac, unrendered, Binding};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::{K8sObject, Workspace};
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::yaml::{render_scalar, Node};

declare_rule! {
    /// ## What it does
    /// Finds RoleBindings and ClusterRoleBindings whose `roleRef` names a Role or ClusterRole
    /// the set does not have while the set holds one that it surely meant: a near name of that
    /// kind (a typo: `pod-reeder` for `pod-reader`, a Role of the binding's namespace), the
    /// same name of the other kind (`kind: Role` for the ClusterRole `view`), or the same
    /// Role in another namespace (a RoleBinding can only grant a Role of its own namespace).
    /// It also finds ClusterRoleBindings that name a Role, which the API server refuses. The
    /// ClusterRoles every cluster has (`cluster-admin`, `admin`, `edit`, `view`, `system:*`)
    /// and the Roles it makes in `kube-system` always exist; a name the set has nothing close
    /// to is taken to be applied from elsewhere and is not judged.
    ///
    /// ## Why is this bad?
    /// A binding to a role that does not exist grants nothing: its subjects' calls are refused
    /// (`forbidden: User "system:serviceaccount:shop:api" cannot list resource "pods"`), and
    /// the workloads running as them fail wherever they use the API. A ClusterRoleBinding
    /// naming a Role is refused outright (`roleRef.kind: Unsupported value: "Role"`).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: pod-reader
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods"]
    ///     verbs: ["get", "list", "watch"]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: api-reads-pods
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: pod-reeder
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: api
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: pod-reader
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods"]
    ///     verbs: ["get", "list", "watch"]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: api-reads-pods
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: pod-reader
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: api
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the near role, or the kind the set has that name as; the
    /// subjects then hold that role's permissions, so check it is the one meant. A Role in
    /// another namespace has no fix: move the binding, or the Role.
    pub struct RbacRoleMissing {
        id: "rbac-role-missing",
        category: Rbac,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

/// What the binding names instead of a role the set has.
pub enum Miss {
    /// A role of that kind with a near name.
    Typo(String),
    /// The same name is a role of the other kind.
    OtherKind(&'static str),
    /// The Role is in another namespace.
    OtherNamespace(String),
    /// A ClusterRoleBinding names a Role.
    RoleInClusterBinding,
}

pub struct Dangling<'a> {
    binding: Binding<'a>,
    miss: Miss,
    /// The role meant, in [`Workspace::objects`].
    meant: Option<usize>,
}

/// The Roles and ClusterRoles of the set (not another API group's `Role` kinds).
fn roles(ws: &Workspace, kind: &str) -> Vec<usize> {
    ws.indexes_of_kind(kind)
        .iter()
        .copied()
        .filter(|&i| is_rbac(&ws.objects[i], kind))
        .collect()
}

fn named<'w>(ws: &'w Workspace, index: usize) -> &'w str {
    ws.objects[index].name.as_deref().unwrap_or_default()
}

impl Rule for RbacRoleMissing {
    type State<'a> = Dangling<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Dangling<'a>> {
        let mut out = Vec::new();
        let (all_roles, cluster_roles) = (roles(ws, "Role"), roles(ws, "ClusterRole"));
        if all_roles.is_empty() && cluster_roles.is_empty() {
            return out;
        }
        for binding in bindings(ws) {
            let object = &ws.objects[binding.object];
            let name = binding.role_name();
            if unrendered(name) {
                continue;
            }
            let cluster_role_named = cluster_roles
                .iter()
                .copied()
                .find(|&i| named(ws, i) == name);
            // Roles the binding can grant: those that can share its namespace.
            let local: Vec<usize> = all_roles
                .iter()
                .copied()
                .filter(|&i| ws.objects[i].may_share_namespace(object))
                .collect();
            let found = match (binding.kind(), binding.cluster_wide) {
                ("Role", true) => {
                    out.push(Dangling {
                        miss: Miss::RoleInClusterBinding,
                        meant: cluster_role_named,
                        binding,
                    });
                    continue;
                }
                ("ClusterRole", _) => cluster_role_named.is_some() || built_in_cluster_role(name),
                ("Role", false) => {
                    built_in_role(name) || local.iter().any(|&i| named(ws, i) == name)
                }
                _ => true,
            };
            if found {
                continue;
            }
            let same_kind: &[usize] = if binding.kind() == "Role" {
                &local
            } else {
                &cluster_roles
            };
            let near = nearest(name, same_kind.iter().map(|&i| named(ws, i)))
                .and_then(|near| same_kind.iter().copied().find(|&i| named(ws, i) == near));
            let (miss, meant) =
                if let Some(near) = near {
                    (Miss::Typo(named(ws, near).to_string()), Some(near))
                } else if binding.kind() == "Role" {
                    if let Some(c) = cluster_role_named {
                        (Miss::OtherKind("ClusterRole"), Some(c))
                    } else if matches!(name, "cluster-admin" | "admin" | "edit" | "view") {
                        (Miss::OtherKind("ClusterRole"), None)
                    } else if let Some(elsewhere) = all_roles.iter().copied().find(|&i| {
                        named(ws, i) == name && !ws.objects[i].may_share_namespace(object)
                    }) {
                        let ns = ws.objects[elsewhere]
                            .effective_namespace()
                            .unwrap_or_default()
                            .to_string();
                        (Miss::OtherNamespace(ns), Some(elsewhere))
                    } else {
                        continue;
                    }
                } else if let Some(role) = local.iter().copied().find(|&i| named(ws, i) == name) {
                    // Only a RoleBinding can grant a Role.
                    if binding.cluster_wide {
                        continue;
                    }
                    (Miss::OtherKind("Role"), Some(role))
                } else {
                    continue;
                };
            out.push(Dangling {
                binding,
                miss,
                meant,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, d: &Dangling<'a>) -> Diagnostic {
        let object = &ws.objects[d.binding.object];
        let (kind, name) = (d.binding.kind(), d.binding.role_name());
        let in_ns = match (kind, object.effective_namespace()) {
            ("Role", Some(ns)) => format!(" in namespace {ns}"),
            _ => String::new(),
        };
        let grants = format!("{} grants {kind} {name}", object.display());
        let nothing = "The binding grants nothing: its subjects' API calls are refused (`forbidden`), and the workloads running as them fail wherever they use the API.".to_string();
        let (range, message, why, help) = match &d.miss {
            Miss::Typo(near) => (
                d.binding.name.span,
                format!("{grants}, which the set does not have{in_ns}: did you mean {near}?"),
                nothing,
                format!("Name the {kind} exactly as its `metadata.name`."),
            ),
            Miss::OtherKind(other) => (
                d.binding.kind.map_or(d.binding.name.span, |k| k.span),
                format!("{grants}, which the set does not have{in_ns}; {name} is a {other}: did you mean kind {other}?"),
                nothing,
                format!("Set `roleRef.kind` to {other}."),
            ),
            Miss::OtherNamespace(ns) => (
                d.binding.name.span,
                format!("{grants}, which is in namespace {ns}, not{in_ns}: a RoleBinding can only grant a Role of its own namespace"),
                nothing,
                format!("Put the RoleBinding in namespace {ns}, or the Role in the binding's namespace (or make it a ClusterRole)."),
            ),
            Miss::RoleInClusterBinding => (
                d.binding.kind.map_or(d.binding.name.span, |k| k.span),
                format!("{grants}: a ClusterRoleBinding can only grant a ClusterRole"),
                "The API server refuses the binding (`roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"`): its subjects get nothing.".to_string(),
                "Grant a ClusterRole, or grant the Role with a RoleBinding in its namespace.".to_string(),
            ),
        };
        Diagnostic {
            file: object.file,
            range,
            message,
            why,
            help: Some(help),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, d: &Dangling<'a>) -> Vec<Related> {
        let Some(meant) = d.meant.map(|i| &ws.objects[i]) else {
            return Vec::new();
        };
        vec![Related {
            file: meant.file,
            range: meant.anchor_range(),
            message: describe(meant),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, d: &Dangling<'a>) -> Option<Fix> {
        let file = ws.objects[d.binding.object].file;
        let replace = |node: &Node, text: &str| {
            let style = node.as_scalar()?.style;
            Some(Edit::replace(file, node.span, render_scalar(text, style)))
        };
        let (title, edit) = match &d.miss {
            Miss::Typo(near) => (
                format!("Grant {} {near}", d.binding.kind()),
                replace(d.binding.name, near)?,
            ),
            Miss::OtherKind(other) => (
                format!("Grant {other} {}", d.binding.role_name()),
                replace(d.binding.kind?, other)?,
            ),
            Miss::RoleInClusterBinding => {
                d.meant?;
                (
                    format!("Grant ClusterRole {}", d.binding.role_name()),
                    replace(d.binding.kind?, "ClusterRole")?,
                )
            }
            Miss::OtherNamespace(_) => return None,
        };
        Some(Fix::new(title, Applicability::Unsafe, vec![edit]))
    }
}

/// `the Role pod-reader of namespace shop`, `the ClusterRole view`.
fn describe(role: &K8sObject) -> String {
    match (role.kind.as_str(), role.effective_namespace()) {
        ("Role", Some(ns)) => format!("the {} of namespace {ns}", role.display()),
        _ => format!("the {}", role.display()),
    }
}
