//! Roles, ClusterRoles and their bindings: who may do what, and bindings that point nowhere.
//!
//! The rules read the set through one view: [`policy_rules`] (every entry of the `rules` of a
//! Role or ClusterRole the person wrote) and [`bindings`] (every RoleBinding and
//! ClusterRoleBinding). Objects Kubernetes ships itself (`kubernetes.io/bootstrapping:
//! rbac-defaults`, as `kubectl get clusterroles -o yaml` prints them) and ClusterRoles the
//! aggregation controller fills (`aggregationRule`) are not the person's to judge.

pub mod rbac_cluster_admin_binding;
pub mod rbac_escalation_verbs;
pub mod rbac_forbidden;
pub mod rbac_role_missing;
pub mod rbac_secrets_access;
pub mod rbac_subject_missing;
pub mod rbac_wildcard;

use crate::model::{K8sObject, Workspace};
use crate::rule::RuleEntry;
use crate::yaml::Node;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<rbac_role_missing::RbacRoleMissing>(),
    RuleEntry::of::<rbac_subject_missing::RbacSubjectMissing>(),
    RuleEntry::of::<rbac_wildcard::RbacWildcard>(),
    RuleEntry::of::<rbac_cluster_admin_binding::RbacClusterAdminBinding>(),
    RuleEntry::of::<rbac_secrets_access::RbacSecretsAccess>(),
    RuleEntry::of::<rbac_escalation_verbs::RbacEscalationVerbs>(),
    RuleEntry::of::<rbac_forbidden::RbacForbidden>(),
];

/// The API group Roles and bindings belong to.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// An object of `kind` in the RBAC API group (not an operator's own `Role` kind).
pub fn is_rbac(object: &K8sObject, kind: &str) -> bool {
    object.kind == kind
        && object
            .api_version
            .strip_prefix(RBAC_GROUP)
            .is_some_and(|v| v.starts_with('/'))
}

/// Shipped with the cluster rather than written by the person: kept up to date by the API
/// server (`kubernetes.io/bootstrapping: rbac-defaults`) or by the addon manager
/// (`addonmanager.kubernetes.io/mode`), or named in the `system:` space Kubernetes reserves
/// for its components. In a set only as a dump of the cluster, or as a copied addon.
fn shipped(object: &K8sObject) -> bool {
    let labels = object.node.path(&["metadata", "labels"]);
    let label = |key| labels.and_then(|l| l.get(key)).and_then(Node::as_str);
    label("kubernetes.io/bootstrapping") == Some("rbac-defaults")
        || label("addonmanager.kubernetes.io/mode").is_some()
        || object
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with("system:"))
}

/// A ClusterRole every cluster has: the user-facing ones and the `system:` ones.
pub fn built_in_cluster_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view") || name.starts_with("system:")
}

/// A Role the cluster makes in `kube-system` or `kube-public` (the API server's
/// `extension-apiserver-authentication-reader`, `system:` and kubeadm's roles).
pub fn built_in_role(name: &str) -> bool {
    name == "extension-apiserver-authentication-reader"
        || name.starts_with("system:")
        || name.starts_with("kubeadm:")
}

pub use crate::rules::configuration::links::unrendered;

/// One entry of a Role's or ClusterRole's `rules`.
pub struct PolicyRule<'a> {
    /// Index of the Role or ClusterRole in [`Workspace::objects`].
    pub role: usize,
    pub node: &'a Node,
    pub api_groups: &'a [Node],
    pub resources: &'a [Node],
    pub verbs: &'a [Node],
    /// `resourceNames` narrows the entry to named objects.
    pub named: bool,
}

impl<'a> PolicyRule<'a> {
    /// The item of `list` that is `value` or `*`, the exact one first.
    fn matching(list: &'a [Node], value: &str) -> Option<&'a Node> {
        list.iter()
            .find(|n| n.as_scalar().is_some_and(|s| s.text == value))
            .or_else(|| Self::star(list))
    }

    /// The `*` item of `list`.
    fn star(list: &'a [Node]) -> Option<&'a Node> {
        list.iter()
            .find(|n| n.as_scalar().is_some_and(|s| s.text == "*"))
    }

    /// The `apiGroups` item that covers `group` (`""` is the core group).
    pub fn group(&self, group: &str) -> Option<&'a Node> {
        Self::matching(self.api_groups, group)
    }

    /// The `resources` item that covers `resource`.
    pub fn resource(&self, resource: &str) -> Option<&'a Node> {
        Self::matching(self.resources, resource)
    }

    /// The `verbs` item that covers `verb`.
    pub fn verb(&self, verb: &str) -> Option<&'a Node> {
        Self::matching(self.verbs, verb)
    }

    pub fn star_group(&self) -> Option<&'a Node> {
        Self::star(self.api_groups)
    }

    pub fn star_resource(&self) -> Option<&'a Node> {
        Self::star(self.resources)
    }

    pub fn star_verb(&self) -> Option<&'a Node> {
        Self::star(self.verbs)
    }

    /// The verbs as written, `*` included.
    pub fn verb_names(&self) -> Vec<&'a str> {
        self.verbs.iter().filter_map(Node::as_str).collect()
    }

    /// True when some verb does more than read (`get`, `list`, `watch`).
    pub fn writes(&self) -> bool {
        self.verb_names()
            .iter()
            .any(|v| !matches!(*v, "get" | "list" | "watch"))
    }

    /// The group whose every resource a `*` in `resources` hands out, when that is a group
    /// where "everything" means the keys to the cluster: every group (`*`) or the core one
    /// (Secrets, `pods/exec`, `serviceaccounts/token`, `nodes/proxy`) whatever the verbs; the
    /// RBAC, admission and certificate groups when a verb writes. `None` for the rest: all of
    /// one operator's own kinds, or the read-only metrics APIs, is a scope, not a wildcard to
    /// fear.
    pub fn wildcard_reach(&self) -> Option<Reach> {
        if self.named || self.verbs.is_empty() {
            return None;
        }
        self.star_resource()?;
        if self.star_group().is_some() {
            return Some(Reach::Everything);
        }
        if self.group("").is_some() {
            return Some(Reach::Core);
        }
        if !self.writes() {
            return None;
        }
        [
            RBAC_GROUP,
            "admissionregistration.k8s.io",
            "certificates.k8s.io",
        ]
        .into_iter()
        .find(|g| self.group(g).is_some())
        .map(Reach::Group)
    }
}

/// What a `*` in `resources` reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every resource of every API group.
    Everything,
    /// Every resource of the core group.
    Core,
    /// Every resource of one group that controls permissions or admission.
    Group(&'static str),
}

/// Every rule entry of the Roles and ClusterRoles of the set that a person wrote, in input
/// order.
pub fn policy_rules<'a>(ws: &Workspace<'a>) -> Vec<PolicyRule<'a>> {
    let mut out = Vec::new();
    for kind in ["Role", "ClusterRole"] {
        for &role in ws.indexes_of_kind(kind) {
            let object = &ws.objects[role];
            if !is_rbac(object, kind)
                || shipped(object)
                || object.node.get("aggregationRule").is_some()
            {
                continue;
            }
            for node in object
                .node
                .get("rules")
                .map(Node::items)
                .unwrap_or_default()
            {
                if !node.is_mapping() {
                    continue;
                }
                let list = |key| node.get(key).map(Node::items).unwrap_or_default();
                out.push(PolicyRule {
                    role,
                    node,
                    api_groups: list("apiGroups"),
                    resources: list("resources"),
                    verbs: list("verbs"),
                    named: !list("resourceNames").is_empty(),
                });
            }
        }
    }
    out.sort_by_key(|r| (r.role, r.node.span.start));
    out
}

/// A RoleBinding or ClusterRoleBinding of the set.
#[derive(Clone)]
pub struct Binding<'a> {
    /// Index in [`Workspace::objects`].
    pub object: usize,
    /// A ClusterRoleBinding: it grants in every namespace.
    pub cluster_wide: bool,
    pub role_ref: &'a Node,
    /// `roleRef.kind`: `Role` or `ClusterRole`.
    pub kind: Option<&'a Node>,
    /// `roleRef.name`.
    pub name: &'a Node,
    pub subjects: &'a [Node],
}

impl<'a> Binding<'a> {
    pub fn kind(&self) -> &'a str {
        self.kind.and_then(Node::as_str).unwrap_or_default()
    }

    pub fn role_name(&self) -> &'a str {
        self.name.as_str().unwrap_or_default()
    }

    /// True when the binding grants the ClusterRole `name`.
    pub fn grants_cluster_role(&self, name: &str) -> bool {
        self.kind() == "ClusterRole" && self.role_name() == name
    }

    /// A subject as kubectl shows it: `ServiceAccount monitoring/agent`, `Group ops`.
    pub fn subject_name(&self, ws: &Workspace, subject: &Node) -> Option<String> {
        let kind = subject.get("kind").and_then(Node::as_str)?;
        let name = subject.get("name").and_then(Node::as_str)?;
        let namespace = subject
            .get("namespace")
            .and_then(Node::as_str)
            .filter(|ns| !ns.is_empty())
            .or_else(|| {
                (!self.cluster_wide)
                    .then(|| ws.objects[self.object].effective_namespace())
                    .flatten()
            });
        Some(match (kind, namespace) {
            ("ServiceAccount", Some(ns)) => format!("{kind} {ns}/{name}"),
            _ => format!("{kind} {name}"),
        })
    }

    /// Every subject as kubectl shows it.
    pub fn subject_names(&self, ws: &Workspace) -> Vec<String> {
        self.subjects
            .iter()
            .filter_map(|s| self.subject_name(ws, s))
            .collect()
    }
}

/// Every binding of the set with a `roleRef.name`, in input order.
pub fn bindings<'a>(ws: &Workspace<'a>) -> Vec<Binding<'a>> {
    let mut out = Vec::new();
    for (kind, cluster_wide) in [("RoleBinding", false), ("ClusterRoleBinding", true)] {
        for &object in ws.indexes_of_kind(kind) {
            let o = &ws.objects[object];
            if !is_rbac(o, kind) || shipped(o) {
                continue;
            }
            let Some(role_ref) = o.node.get("roleRef") else {
                continue;
            };
            let Some(name) = role_ref.get("name").filter(|n| n.as_str().is_some()) else {
                continue;
            };
            out.push(Binding {
                object,
                cluster_wide,
                role_ref,
                kind: role_ref.get("kind"),
                name,
                subjects: o.node.get("subjects").map(Node::items).unwrap_or_default(),
            });
        }
    }
    out.sort_by_key(|b| b.object);
    out
}

/// `a, b and c`.
pub fn list_words<S: AsRef<str>>(words: &[S]) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// Where a Role's or ClusterRole's grant applies, for messages: `namespace shop`, `every
/// namespace` (a ClusterRoleBinding of the set grants it), `namespaces a and b` (its
/// RoleBindings in the set), `every namespace it is bound in`.
pub fn scope(ws: &Workspace, role: &K8sObject) -> String {
    if role.kind == "Role" {
        return match role.effective_namespace() {
            Some(ns) => format!("namespace {ns}"),
            None => "its namespace".into(),
        };
    }
    let name = role.name.as_deref().unwrap_or_default();
    let granting: Vec<Binding> = bindings(ws)
        .into_iter()
        .filter(|b| b.grants_cluster_role(name))
        .collect();
    if granting.iter().any(|b| b.cluster_wide) {
        return "every namespace".into();
    }
    let mut namespaces: Vec<&str> = granting
        .iter()
        .filter_map(|b| ws.objects[b.object].effective_namespace())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    match namespaces.as_slice() {
        [] => "every namespace it is bound in".into(),
        [one] => format!("namespace {one}"),
        more => format!("namespaces {}", list_words(more)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Parsed;
    use crate::SourceFile;

    fn with_rules(text: &str, check: impl Fn(&Workspace, Vec<PolicyRule>)) {
        let files = [SourceFile::new("x.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let rules = policy_rules(&ws);
        check(&ws, rules);
    }

    #[test]
    fn wildcards_reach_by_group_and_verbs() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - {apiGroups: ['*'], resources: ['*'], verbs: [get]}\n  - {apiGroups: [''], resources: ['*'], verbs: [list]}\n  - {apiGroups: [metrics.k8s.io], resources: ['*'], verbs: ['*']}\n  - {apiGroups: [rbac.authorization.k8s.io], resources: ['*'], verbs: [get, list]}\n  - {apiGroups: [rbac.authorization.k8s.io], resources: ['*'], verbs: [bind]}\n  - {apiGroups: [''], resources: ['*'], resourceNames: [x], verbs: [get]}\n  - {apiGroups: [''], resources: [pods], verbs: ['*']}\n";
        with_rules(text, |_, rules| {
            let reach: Vec<Option<Reach>> = rules.iter().map(PolicyRule::wildcard_reach).collect();
            assert_eq!(
                reach,
                [
                    Some(Reach::Everything),
                    Some(Reach::Core),
                    None,
                    None,
                    Some(Reach::Group(RBAC_GROUP)),
                    None,
                    None
                ]
            );
        });
    }

    #[test]
    fn shipped_aggregated_and_foreign_roles_are_not_read() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cluster-admin\n  labels: {kubernetes.io/bootstrapping: rbac-defaults}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: monitoring}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {team: a}}]\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n---\napiVersion: example.org/v1\nkind: Role\nmetadata: {name: app}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: odd}\nrules: [~, 3, {verbs: get}]\n";
        with_rules(text, |ws, rules| {
            assert_eq!(rules.len(), 1);
            assert_eq!(ws.objects[rules[0].role].name.as_deref(), Some("odd"));
            assert!(rules[0].verbs.is_empty());
            assert_eq!(rules[0].wildcard_reach(), None);
        });
    }

    #[test]
    fn odd_objects_are_read_without_panic() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: a}\nroleRef: {}\nsubjects: ~\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: shop}\nroleRef: {kind: 3, name: [x]}\nsubjects: [~, {kind: ServiceAccount}, {kind: ServiceAccount, name: ~, namespace: 7}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: c}\nroleRef: &ref {kind: Role, name: readr}\nsubjects: [{kind: ServiceAccount, name: sa, namespace: ''}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader}\nrules: {}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\nrules: [{apiGroups: '*', resources: [~, '*'], verbs: [{a: b}, '*']}, {resources: [secrets], verbs: [list]}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n";
        let report = crate::check(&[SourceFile::new("odd.yaml", text)]);
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "rbac-role-missing"));
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "rbac-subject-missing"));
    }

    #[test]
    fn words_are_listed() {
        assert_eq!(list_words::<&str>(&[]), "");
        assert_eq!(list_words(&["a"]), "a");
        assert_eq!(list_words(&["a", "b", "c"]), "a, b and c");
    }
}
