use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{quoted_after, said};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads the API server's RBAC refusals, from kubectl (`Error from server (Forbidden)`),
    /// a controller's log or a client library's 403 body: `pods is forbidden: User
    /// "system:serviceaccount:monitoring:pod-watcher" cannot list resource "pods" in API
    /// group "" at the cluster scope`, and says who lacks which verb on what, where.
    ///
    /// ## Why is this bad?
    /// The call fails every time: a controller that cannot list or watch what it manages
    /// does nothing, and an app that reads the API crashes or serves stale data.
    ///
    /// ## Example
    /// ```text
    /// E0312 08:14:51.220431       1 reflector.go:138] Failed to watch *v1.Pod: failed to list *v1.Pod: pods is forbidden: User "system:serviceaccount:monitoring:pod-watcher" cannot list resource "pods" in API group "" at the cluster scope
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl auth can-i list pods -A --as=system:serviceaccount:monitoring:pod-watcher
    /// yes
    /// ```
    ///
    /// ## Fix safety
    /// No fix: granting rights is a decision; the help gives the Role and binding that would
    /// grant exactly this one.
    pub struct RbacForbidden {
        id: "rbac-forbidden",
        category: Rbac,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub user: String,
    pub verb: String,
    pub resource: String,
    pub group: String,
    /// `None` at the cluster scope.
    pub namespace: Option<String>,
}

/// `User "u" cannot list resource "pods" in API group "" in the namespace "ci"`, and the older
/// `User "u" cannot list pods at the cluster scope`.
pub fn read(text: &str) -> Option<Refusal> {
    let text = text.replace("\\\"", "\"");
    let user = quoted_after(&text, "is forbidden: User ")?.to_string();
    let rest = &text[text.find(&format!("User \"{user}\" cannot "))? + user.len() + 15..];
    let mut words = rest.split_whitespace();
    let verb = words.next()?.to_string();
    let (resource, group) = match quoted_after(rest, "resource ") {
        Some(resource) => (
            resource.to_string(),
            quoted_after(rest, "in API group ")
                .unwrap_or("")
                .to_string(),
        ),
        None => (words.next()?.to_string(), String::new()),
    };
    let namespace = quoted_after(rest, "in the namespace ").map(String::from);
    Some(Refusal {
        user,
        verb,
        resource,
        group,
        namespace,
    })
}

pub struct Forbidden {
    file: FileId,
    range: TextRange,
    refusal: Refusal,
}

impl Rule for RbacForbidden {
    type State<'a> = Forbidden;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Forbidden> {
        let mut out: Vec<Forbidden> = Vec::new();
        for s in said(ws) {
            let Some(refusal) = read(s.text) else {
                continue;
            };
            if out.iter().any(|o| o.refusal == refusal) {
                continue;
            }
            out.push(Forbidden {
                file: s.file,
                range: s.range,
                refusal,
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Forbidden) -> Diagnostic {
        let r = &state.refusal;
        let group = if r.group.is_empty() {
            "core".to_string()
        } else {
            r.group.clone()
        };
        let scope = r
            .namespace
            .as_deref()
            .map_or("at the cluster scope".to_string(), |n| {
                format!("in namespace {n}")
            });
        let account = r
            .user
            .strip_prefix("system:serviceaccount:")
            .and_then(|a| a.split_once(':'));
        let who = match account {
            Some((ns, name)) => format!("ServiceAccount {name} of namespace {ns}"),
            None => format!("User {}", r.user),
        };
        let (kind, binding) = match &r.namespace {
            Some(_) => ("role", "rolebinding"),
            None => ("clusterrole", "clusterrolebinding"),
        };
        let ns_flag = r
            .namespace
            .as_deref()
            .map(|n| format!(" -n {n}"))
            .unwrap_or_default();
        let subject = match account {
            Some((ns, name)) => format!("--serviceaccount={ns}:{name}"),
            None => format!("--user={}", r.user),
        };
        let resource = if r.group.is_empty() {
            r.resource.clone()
        } else {
            format!("{}.{}", r.resource, r.group)
        };
        let mut help = format!(
            "Grant it, and only it: `kubectl create {kind} {name}{ns_flag} --verb={} --resource={resource}` and `kubectl create {binding} {name}{ns_flag} --{kind}={name} {subject}`; check with `kubectl auth can-i {} {resource}{ns_flag} --as={}`.",
            r.verb,
            r.verb,
            r.user,
            name = format!("{}-{}", r.resource.split('/').next().unwrap_or("api"), r.verb),
        );
        if account.is_some_and(|(_, name)| name == "default") {
            help.push_str(" The pod runs as its namespace's `default` ServiceAccount: if the chart creates an account with these rights, set `serviceAccountName` in the pod template.");
        }
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!(
                "{who} may not {} {} (API group {group}) {scope}: no Role or ClusterRole bound to it allows it",
                r.verb, r.resource
            ),
            why: "The API server refuses the call every time: a controller that cannot list or watch what it manages does nothing, and an app that reads the API fails.".into(),
            help: Some(help),
            object: None,
            container: None,
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_and_old_wordings() {
        let r = read("pods is forbidden: User \"system:serviceaccount:ci:deployer\" cannot list resource \"pods\" in API group \"\" in the namespace \"ci\"").unwrap();
        assert_eq!(
            (r.verb.as_str(), r.resource.as_str(), r.namespace.as_deref()),
            ("list", "pods", Some("ci"))
        );
        let old = read("pods is forbidden: User \"system:serviceaccount:default:default\" cannot list pods at the cluster scope").unwrap();
        assert_eq!((old.resource.as_str(), old.namespace), ("pods", None));
        let json = read(r#"configmaps \"lock\" is forbidden: User \"system:serviceaccount:jobs:default\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"jobs\""#).unwrap();
        assert_eq!(json.verb, "get");
    }
}
