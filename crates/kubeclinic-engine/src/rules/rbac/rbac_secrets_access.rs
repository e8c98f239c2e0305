use super::{bindings, list_words, policy_rules, Binding, PolicyRule};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Roles and ClusterRoles that let their holder read Secrets it does not name:
    /// `get`, `list`, `watch` or `*` on `secrets` of the core group, without `resourceNames`.
    /// A ClusterRole that lists or watches them and that a ClusterRoleBinding of the set grants
    /// in every namespace is a warning; the rest (a Role, `get` alone, a ClusterRole bound per
    /// namespace or elsewhere) is said as info. `resources: ["*"]` is `rbac-wildcard`'s.
    ///
    /// ## Why is this bad?
    /// Secrets hold passwords, API keys, TLS keys and ServiceAccount tokens. `list` and `watch`
    /// return every Secret with its data, so the holder, and any pod running as one of its
    /// subjects, can read every credential of the namespace, or of the cluster through a
    /// ClusterRoleBinding: one compromised pod leaks them all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: config-sync
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["configmaps", "secrets"]
    ///     verbs: ["get", "list", "watch"]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: config-sync
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: config-sync
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: config-sync
    ///     namespace: platform
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: config-sync
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["configmaps"]
    ///     verbs: ["get", "list", "watch"]
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     resourceNames: ["config-sync-token"]
    ///     verbs: ["get"]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: config-sync
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: config-sync
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: config-sync
    ///     namespace: platform
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which Secrets the holder needs, and whether a controller must watch them all
    /// (cert-manager, external-secrets and ingress controllers do), is the person's to say; a
    /// controller that must can keep it with `# kubeclinic: ignore[rbac-secrets-access]`.
    pub struct RbacSecretsAccess {
        id: "rbac-secrets-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Reads<'a> {
    rule: PolicyRule<'a>,
    /// The `secrets` item.
    secrets: &'a Node,
    /// The reading verbs as written (`get`, `list`, `watch`, `*`).
    verbs: Vec<&'a Node>,
    /// `list`, `watch` or `*`: every Secret at once.
    lists: bool,
    /// The ClusterRoleBinding that grants the ClusterRole in every namespace.
    cluster_wide: Option<Binding<'a>>,
}

impl Rule for RbacSecretsAccess {
    type State<'a> = Reads<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Reads<'a>> {
        let mut out = Vec::new();
        for rule in policy_rules(ws) {
            if rule.named || rule.group("").is_none() {
                continue;
            }
            let Some(secrets) = rule
                .resources
                .iter()
                .find(|n| n.as_str() == Some("secrets"))
            else {
                continue;
            };
            let verbs: Vec<&Node> = rule
                .verbs
                .iter()
                .filter(|v| matches!(v.as_str(), Some("get" | "list" | "watch" | "*")))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let lists = verbs.iter().any(|v| v.as_str() != Some("get"));
            let role = &ws.objects[rule.role];
            let cluster_wide = if role.kind == "ClusterRole" {
                let name = role.name.as_deref().unwrap_or_default();
                bindings(ws)
                    .into_iter()
                    .find(|b| b.cluster_wide && b.grants_cluster_role(name))
            } else {
                None
            };
            out.push(Reads {
                rule,
                secrets,
                verbs,
                lists,
                cluster_wide,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, r: &Reads<'a>) -> Diagnostic {
        let role = &ws.objects[r.rule.role];
        let verbs: Vec<&str> = r.verbs.iter().filter_map(|v| v.as_str()).collect();
        let verbs = if verbs.contains(&"*") {
            "every verb".to_string()
        } else {
            list_words(&verbs)
        };
        let scope = format!("in {}", super::scope(ws, role));
        let what = if r.lists {
            format!("reads every Secret {scope} ({verbs} on secrets)")
        } else {
            format!("reads any Secret {scope} by name ({verbs} on secrets)")
        };
        let held_by = r
            .cluster_wide
            .as_ref()
            .map(|b| {
                let subjects = b.subject_names(ws);
                let to = if subjects.is_empty() {
                    String::new()
                } else {
                    format!(" to {}", list_words(&subjects))
                };
                format!("; {} grants it{to}", ws.objects[b.object].display())
            })
            .unwrap_or_default();
        Diagnostic {
            file: role.file,
            range: r.secrets.span,
            message: format!("{} {what}{held_by}", role.display()),
            why: if r.lists {
                format!("Secrets hold passwords, API keys, TLS keys and ServiceAccount tokens: `list` and `watch` return every one of them with its data, so the holder, and any pod running as one of its subjects, can read every credential {scope}: one compromised pod leaks them all.")
            } else {
                format!("Secrets hold passwords, API keys, TLS keys and ServiceAccount tokens: the holder, and any pod running as one of its subjects, can read any of them {scope} whose name it knows or guesses.")
            },
            help: Some("Name the Secrets the holder reads with `resourceNames` (for `get`), or grant the role per namespace with RoleBindings; a controller that must watch every Secret can keep it, with `# kubeclinic: ignore[rbac-secrets-access]` saying so.".into()),
            object: Some(role.reference()),
            container: None,
            severity: (!(r.lists && r.cluster_wide.is_some())).then_some(Severity::Info),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, r: &Reads<'a>) -> Vec<Related> {
        let role = &ws.objects[r.rule.role];
        let mut out: Vec<Related> = r
            .rule
            .node
            .get("verbs")
            .map(|v| Related {
                file: role.file,
                range: v.span,
                message: "the verbs that read them".into(),
            })
            .into_iter()
            .collect();
        if let Some(b) = &r.cluster_wide {
            let binding = &ws.objects[b.object];
            out.push(Related {
                file: binding.file,
                range: b.name.span,
                message: format!("{} grants it in every namespace", binding.display()),
            });
        }
        out
    }
}
