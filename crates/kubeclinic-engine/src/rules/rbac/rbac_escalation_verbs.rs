use super::{list_words, policy_rules, PolicyRule, RBAC_GROUP};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Role and ClusterRole entries that let the holder gain permissions nobody gave it:
    /// `escalate` or `bind` on `roles`/`clusterroles`, `impersonate` on users, groups or
    /// ServiceAccounts, `create` on `pods/exec`, `pods/attach` or `serviceaccounts/token`,
    /// `get` or `create` on `nodes/proxy` (the kubelet's API), and `approve` on certificate
    /// `signers`. A `*` among the verbs counts. Entries narrowed by `resourceNames` (binding
    /// one named role, impersonating one account) are deliberate and not judged, nor are the
    /// `resources: ["*"]` entries that `rbac-wildcard` reports.
    ///
    /// ## Why is this bad?
    /// These verbs step around RBAC's own guard. `escalate` and `bind` write or bind roles
    /// with more than the holder has (cluster-admin included); `impersonate` acts as anyone;
    /// exec and attach run commands in other pods and read their Secrets and tokens; a token
    /// request speaks as any ServiceAccount; `nodes/proxy` runs commands through the kubelet
    /// with no audit trail in the API server. One compromised pod holding the role becomes
    /// whoever it likes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: ledger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: ledger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether the holder needs the power, or a narrower one (`resourceNames`, a
    /// separate role bound only where needed), is the person's call.
    pub struct RbacEscalationVerbs {
        id: "rbac-escalation-verbs",
        category: Rbac,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

/// A verb on a resource that gains more than it says.
struct Power {
    group: &'static str,
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
    /// The finding points at the verb (`bind`), else at the resource (`pods/exec`).
    at_verb: bool,
    /// What the holder can do, after "can".
    gains: &'static str,
    /// The resources are cluster-scoped: only a ClusterRole bound by a ClusterRoleBinding
    /// grants them, in no namespace in particular.
    cluster_scoped: bool,
}

const POWERS: &[Power] = &[
    Power {
        group: RBAC_GROUP,
        resources: &["roles", "clusterroles"],
        verbs: &["escalate"],
        at_verb: true,
        gains: "write roles with permissions it does not hold",
        cluster_scoped: false,
    },
    Power {
        group: RBAC_GROUP,
        resources: &["roles", "clusterroles"],
        verbs: &["bind"],
        at_verb: true,
        gains: "bind any role to anyone, cluster-admin included",
        cluster_scoped: false,
    },
    Power {
        group: "",
        resources: &["users", "groups"],
        verbs: &["impersonate"],
        at_verb: true,
        gains: "act as any user or group, system:masters included",
        cluster_scoped: true,
    },
    Power {
        group: "",
        resources: &["serviceaccounts"],
        verbs: &["impersonate"],
        at_verb: true,
        gains: "act as any ServiceAccount",
        cluster_scoped: false,
    },
    Power {
        group: "",
        resources: &["pods/exec", "pods/attach"],
        verbs: &["create", "get"],
        at_verb: false,
        gains: "run commands in any pod and read its Secrets and token",
        cluster_scoped: false,
    },
    Power {
        group: "",
        resources: &["serviceaccounts/token"],
        verbs: &["create"],
        at_verb: false,
        gains: "mint a token for any ServiceAccount",
        cluster_scoped: false,
    },
    Power {
        group: "",
        resources: &["nodes/proxy"],
        verbs: &["get", "create"],
        at_verb: false,
        gains: "reach the kubelet's API and run commands in any pod of a node",
        cluster_scoped: true,
    },
    Power {
        group: "certificates.k8s.io",
        resources: &["signers"],
        verbs: &["approve"],
        at_verb: true,
        gains: "approve client certificates for any identity, system:masters included",
        cluster_scoped: true,
    },
];

/// One power an entry grants, and the nodes that grant it.
pub struct Granted<'a> {
    power: &'static Power,
    verbs: Vec<&'a Node>,
    resources: Vec<&'a Node>,
}

impl<'a> Granted<'a> {
    fn at(&self) -> &'a Node {
        if self.power.at_verb {
            self.verbs[0]
        } else {
            self.resources[0]
        }
    }

    /// `bind on clusterroles`, `create on pods/exec and pods/attach`, `every verb on roles`.
    fn grant(&self) -> String {
        let text = |nodes: &[&Node]| {
            let mut words: Vec<&str> = nodes.iter().filter_map(|n| n.as_str()).collect();
            words.dedup();
            list_words(&words)
        };
        let verbs = if self.verbs.iter().any(|v| v.as_str() == Some("*")) {
            "every verb".to_string()
        } else {
            text(&self.verbs)
        };
        format!("{verbs} on {}", text(&self.resources))
    }
}

pub struct Escalation<'a> {
    rule: PolicyRule<'a>,
    granted: Vec<Granted<'a>>,
}

fn granted<'a>(rule: &PolicyRule<'a>, cluster_role: bool) -> Vec<Granted<'a>> {
    POWERS
        .iter()
        // A Role cannot grant cluster-scoped resources.
        .filter(|p| rule.group(p.group).is_some() && (cluster_role || !p.cluster_scoped))
        .filter_map(|power| {
            let resources: Vec<&Node> = power
                .resources
                .iter()
                .filter_map(|r| rule.resource(r))
                .collect();
            let verbs: Vec<&Node> = power.verbs.iter().filter_map(|v| rule.verb(v)).collect();
            (!resources.is_empty() && !verbs.is_empty()).then_some(Granted {
                power,
                verbs,
                resources,
            })
        })
        .collect()
}

impl Rule for RbacEscalationVerbs {
    type State<'a> = Escalation<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Escalation<'a>> {
        policy_rules(ws)
            .into_iter()
            .filter(|rule| !rule.named && rule.wildcard_reach().is_none())
            .filter_map(|rule| {
                let granted = granted(&rule, ws.objects[rule.role].kind == "ClusterRole");
                (!granted.is_empty()).then_some(Escalation { rule, granted })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, e: &Escalation<'a>) -> Diagnostic {
        let role = &ws.objects[e.rule.role];
        // Powers that the same verbs on the same resources grant are said together.
        let mut said: Vec<(String, Vec<&str>)> = Vec::new();
        for g in &e.granted {
            let grant = g.grant();
            match said.iter_mut().find(|(s, _)| *s == grant) {
                Some((_, gains)) => gains.push(g.power.gains),
                None => said.push((grant, vec![g.power.gains])),
            }
        }
        let gains: Vec<String> = said
            .iter()
            .map(|(grant, gains)| format!("{} ({grant})", list_words(gains)))
            .collect();
        let scope = if e.granted.iter().all(|g| g.power.cluster_scoped) {
            String::new()
        } else {
            format!(" in {}", super::scope(ws, role))
        };
        Diagnostic {
            file: role.file,
            range: e.granted[0].at().span,
            message: format!("{} can {}{scope}", role.display(), list_words(&gains)),
            why: "These verbs step around RBAC's own guard: whoever holds the role, and any pod running as one of its subjects, can gain permissions nobody gave it.".into(),
            help: Some("Drop the entry if the holder does not need it; otherwise narrow it with `resourceNames`, or move it to a role bound only where and to whom it is needed.".into()),
            object: Some(role.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, e: &Escalation<'a>) -> Vec<Related> {
        let file = ws.objects[e.rule.role].file;
        let first = &e.granted[0];
        // The other half of the first grant (the resource of a verb, the verb of a
        // resource), then where each further grant is.
        let other = if first.power.at_verb {
            first.resources[0]
        } else {
            first.verbs[0]
        };
        let mut out = vec![Related {
            file,
            range: other.span,
            message: first.grant(),
        }];
        for g in &e.granted[1..] {
            let at = g.at().span;
            if at != first.at().span && out.iter().all(|r| r.range != at) {
                out.push(Related {
                    file,
                    range: at,
                    message: format!("{}: {}", g.grant(), g.power.gains),
                });
            }
        }
        out
    }
}
