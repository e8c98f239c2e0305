use super::{policy_rules, scope, PolicyRule, Reach};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds entries of a Role's or ClusterRole's `rules` whose `resources: ["*"]` hands out
    /// every resource of every API group (`apiGroups: ["*"]`), or of the core group, whatever
    /// the verbs; or of the RBAC, admission or certificate groups with a verb that writes.
    /// One finding per entry, at its `*`. A `*` confined to one operator's own API group, or
    /// to the read-only metrics APIs, is a scope and is not judged; nor are entries narrowed
    /// by `resourceNames`, ClusterRoles the aggregation controller fills (`aggregationRule`),
    /// or the roles the cluster ships (labelled `kubernetes.io/bootstrapping: rbac-defaults` or
    /// `addonmanager.kubernetes.io/mode`, or named `system:*`).
    ///
    /// ## Why is this bad?
    /// Every resource of the core group includes every Secret, `pods/exec` (commands in any
    /// pod) and `serviceaccounts/token` (a token for any account); every resource of the RBAC
    /// group with write verbs lets the holder grant itself anything. Whoever holds the role,
    /// and every pod running as its subjects, owns its namespace (or the cluster), and kinds
    /// that later CRDs add are granted too.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: deployer
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: deployer
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "patch", "update"]
    ///   - apiGroups: [""]
    ///     resources: ["services", "configmaps"]
    ///     verbs: ["get", "list", "watch", "create", "update"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: only the person knows which resources and verbs the holder uses
    /// (`kubectl auth can-i --list --as=system:serviceaccount:<namespace>:<name>` shows what
    /// it has, its audit log what it does).
    pub struct RbacWildcard {
        id: "rbac-wildcard",
        category: Rbac,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Wide<'a> {
    rule: PolicyRule<'a>,
    reach: Reach,
    /// The `*` of `resources`.
    star: &'a Node,
}

impl Rule for RbacWildcard {
    type State<'a> = Wide<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Wide<'a>> {
        policy_rules(ws)
            .into_iter()
            .filter_map(|rule| {
                let reach = rule.wildcard_reach()?;
                let star = rule.star_resource()?;
                Some(Wide { rule, reach, star })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, w: &Wide<'a>) -> Diagnostic {
        let role = &ws.objects[w.rule.role];
        let verbs = if w.rule.star_verb().is_some() {
            "every verb".to_string()
        } else {
            super::list_words(&w.rule.verb_names())
        };
        let what = match w.reach {
            Reach::Everything => "every resource of every API group".to_string(),
            Reach::Core => {
                "every resource of the core API group (Secrets, pods/exec and serviceaccounts/token included)".to_string()
            }
            Reach::Group(group) => format!("every resource of API group {group}"),
        };
        let power = match w.reach {
            Reach::Everything | Reach::Core => {
                "can read every Secret, run commands in every pod and take over any ServiceAccount"
            }
            Reach::Group(super::RBAC_GROUP) => {
                "can grant any permission to anyone, itself included"
            }
            Reach::Group(_) => {
                "controls what the API server admits or which certificates it trusts"
            }
        };
        Diagnostic {
            file: role.file,
            range: w.star.span,
            message: format!("{} grants {verbs} on {what}", role.display()),
            why: format!(
                "Whoever holds the role, and every pod running as its subjects, {power} in {}{}.",
                scope(ws, role),
                if w.reach == Reach::Everything {
                    "; the kinds that CRDs add later are granted too"
                } else {
                    ""
                }
            ),
            help: Some("List the API groups, resources and verbs the holder uses (`kubectl auth can-i --list --as=system:serviceaccount:<namespace>:<name>` shows what it has).".into()),
            object: Some(role.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, w: &Wide<'a>) -> Vec<Related> {
        let file = ws.objects[w.rule.role].file;
        [
            (w.rule.star_group(), "every API group"),
            (w.rule.star_verb(), "every verb"),
        ]
        .into_iter()
        .filter_map(|(node, message)| {
            Some(Related {
                file,
                range: node?.span,
                message: message.into(),
            })
        })
        .collect()
    }
}
