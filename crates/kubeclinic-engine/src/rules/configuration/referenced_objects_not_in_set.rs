use std::collections::HashSet;

use super::links::{listing, unknown, Link};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Says once for the whole set which ConfigMaps, Secrets, PersistentVolumeClaims and
    /// ServiceAccounts its pod templates need that the set does not hold (the usual case for a
    /// Deployment checked on its own): they are applied from elsewhere, and the set cannot tell
    /// whether they exist. The finding points at the first reference; the others are secondary
    /// labels. Not listed: what the set holds, names a `ref-missing-*` rule reports as a typo
    /// of one it holds, `optional: true` references, `default` and `kube-root-ca.crt`, and
    /// what kubelet already reported missing.
    ///
    /// ## Why is this bad?
    /// It is not wrong in itself, and only an info: but a pod that needs an object its
    /// namespace lacks never starts (a ConfigMap or Secret), is never scheduled (a claim) or is
    /// never created (a ServiceAccount). Checking them together with the workload also checks
    /// their names and keys.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-config
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: shop
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-config
    /// ```
    ///
    /// ## Fix safety
    /// No fix: only the cluster knows whether the objects exist.
    pub struct ReferencedObjectsNotInSet {
        id: "referenced-objects-not-in-set",
        category: Configuration,
        severity: Info,
        fix: None,
        reads: Manifests,
    }
}

/// The first place that names each object the set does not hold, in input order.
pub struct NotInSet<'a> {
    needed: Vec<(Link<'a>, Option<String>)>,
}

impl Rule for ReferencedObjectsNotInSet {
    type State<'a> = NotInSet<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<NotInSet<'a>> {
        let mut all = unknown(ws);
        all.sort_by_key(|l| {
            (
                ws.objects[ws.templates[l.template].object].file,
                l.name.span.start,
            )
        });
        let mut needed: Vec<(Link<'a>, Option<String>)> = Vec::new();
        let mut seen: HashSet<(&str, &str, Option<String>)> = HashSet::new();
        for link in all {
            let ns = ws.objects[ws.templates[link.template].object]
                .effective_namespace()
                .map(String::from);
            if seen.insert((link.kind, link.name(), ns.clone())) {
                needed.push((link, ns));
            }
        }
        if needed.is_empty() {
            return Vec::new();
        }
        vec![NotInSet { needed }]
    }

    fn finding<'a>(ws: &Workspace<'a>, n: &NotInSet<'a>) -> Diagnostic {
        let (first, _) = &n.needed[0];
        let workload = ws.object_of(&ws.templates[first.template]);
        let namespaces: Vec<Option<&str>> = n.needed.iter().fold(Vec::new(), |mut acc, (_, ns)| {
            if !acc.contains(&ns.as_deref()) {
                acc.push(ns.as_deref());
            }
            acc
        });
        let qualified = namespaces.len() > 1;
        // `ConfigMaps a and b, Secret c`: one group per kind, in the order first needed.
        let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
        for (l, ns) in &n.needed {
            let name = match ns {
                Some(ns) if qualified => format!("{ns}/{}", l.name()),
                _ => l.name().to_string(),
            };
            match kinds.iter_mut().find(|(k, _)| *k == l.kind) {
                Some((_, names)) => names.push(name),
                None => kinds.push((l.kind, vec![name])),
            }
        }
        let groups: Vec<String> = kinds
            .iter()
            .map(|(kind, names)| {
                let plural = if names.len() > 1 { "s" } else { "" };
                format!("{kind}{plural} {}", listing(names, 4))
            })
            .collect();
        let one_workload = n
            .needed
            .iter()
            .all(|(l, _)| ws.templates[l.template].object == ws.templates[first.template].object);
        let who = if one_workload {
            workload.display()
        } else {
            "The pod templates of the set".to_string()
        };
        let them = if n.needed.len() == 1 { "it" } else { "them" };
        let commands: Vec<String> = namespaces
            .iter()
            .map(|ns| {
                let objects: Vec<String> = n
                    .needed
                    .iter()
                    .filter(|(_, n)| n.as_deref() == *ns)
                    .map(|(l, _)| format!("{}/{}", resource(l.kind), l.name()))
                    .collect();
                let ns = ns.map(|ns| format!(" -n {ns}")).unwrap_or_default();
                format!("`kubectl get {}{ns}`", objects.join(" "))
            })
            .collect();
        Diagnostic {
            file: workload.file,
            range: first.name.span,
            message: if n.needed.len() == 1 {
                format!(
                    "{who} needs {}, which the set does not hold; make sure it exists in the cluster",
                    groups.join("")
                )
            } else {
                format!(
                    "{who} need{} {} objects the set does not hold; make sure they exist in the cluster: {}",
                    if one_workload { "s" } else { "" },
                    n.needed.len(),
                    groups.join("; ")
                )
            },
            why: "A pod that needs a ConfigMap or Secret its namespace lacks never starts, one whose claim is missing is never scheduled, and one whose ServiceAccount is missing is never created; from the set alone this cannot be checked.".into(),
            help: Some(format!(
                "Check {them} in the cluster ({}), or add {them} to the set so that names and keys are checked too.",
                commands.join(", ")
            )),
            object: Some(workload.reference()),
            container: first.container.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, n: &NotInSet<'a>) -> Vec<Related> {
        n.needed
            .iter()
            .skip(1)
            .map(|(l, _)| {
                let workload = ws.object_of(&ws.templates[l.template]);
                Related {
                    file: workload.file,
                    range: l.name.span,
                    message: format!(
                        "{} {}, needed by {} ({})",
                        l.kind,
                        l.name(),
                        workload.display(),
                        l.via
                    ),
                }
            })
            .collect()
    }
}

/// The resource name kubectl takes.
fn resource(kind: &str) -> &'static str {
    match kind {
        "ConfigMap" => "configmap",
        "Secret" => "secret",
        "PersistentVolumeClaim" => "pvc",
        _ => "serviceaccount",
    }
}
