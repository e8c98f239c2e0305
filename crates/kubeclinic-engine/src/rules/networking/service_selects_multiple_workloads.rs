use super::service_targets;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::{ContainerKind, Workspace};
use crate::rule::Rule;
use crate::rules::images::reference::ImageReference;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Services whose selector matches the pods of several workloads that run different
    /// images (`app: shop` on both the storefront and its worker), so one Service balances
    /// across unrelated programs. Workloads that run the same image (blue/green, canaries,
    /// one app split over StatefulSets) are not reported.
    ///
    /// ## Why is this bad?
    /// The Service sends a share of the connections to pods that do not serve that port or that
    /// protocol: a fraction of requests fail (`connection refused`, `502`, wrong responses)
    /// while the rest work, which is the hardest failure to track down.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: shop
    /// spec:
    ///   selector: {app: shop}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop, component: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop, component: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.4.1
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: mailer
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop, component: mailer}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop, component: mailer}
    ///     spec:
    ///       containers:
    ///         - name: mailer
    ///           image: ghcr.io/example/mailer:1.1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: shop
    /// spec:
    ///   selector: {app: shop, component: web}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop, component: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop, component: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.4.1
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: mailer
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop, component: mailer}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop, component: mailer}
    ///     spec:
    ///       containers:
    ///         - name: mailer
    ///           image: ghcr.io/example/mailer:1.1.0
    /// ```
    ///
    /// ## Fix safety
    /// No fix: add a label that only the intended workload's pods carry (`component: web`)
    /// and select it too.
    pub struct ServiceSelectsMultipleWorkloads {
        id: "service-selects-multiple-workloads",
        category: Networking,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Mixed {
    service: usize,
    /// One template per distinct image set, in input order.
    templates: Vec<usize>,
}

/// The repositories a template's regular containers run, sorted.
fn repositories<'a>(ws: &Workspace<'a>, template: usize) -> Vec<&'a str> {
    let mut out: Vec<&str> = ws
        .containers_of(template)
        .filter(|c| c.kind == ContainerKind::Regular)
        .filter_map(|c| c.node.get("image").and_then(Node::as_str))
        .map(|i| ImageReference::parse(i).repository)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Rule for ServiceSelectsMultipleWorkloads {
    type State<'a> = Mixed;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mixed> {
        let mut out = Vec::new();
        // How often each (kind, name, namespace) is defined, counted once for the set.
        let mut defined: std::collections::HashMap<(&str, Option<&str>, Option<&str>), usize> =
            std::collections::HashMap::new();
        for o in &ws.objects {
            *defined
                .entry((o.kind.as_str(), o.name.as_deref(), o.effective_namespace()))
                .or_default() += 1;
        }
        // A Service defined twice comes from alternative files (one or the other is applied),
        // and so may its workloads: `duplicate-object` speaks of that.
        let defined_twice = |kind: &str, o: &crate::model::K8sObject| {
            defined
                .get(&(kind, o.name.as_deref(), o.effective_namespace()))
                .is_some_and(|&n| n > 1)
        };
        for &index in ws.indexes_of_kind("Service") {
            let Some(templates) = service_targets(ws, index) else {
                continue;
            };
            let service = &ws.objects[index];
            if defined_twice("Service", service) {
                continue;
            }
            let mut distinct: Vec<(usize, Vec<&str>)> = Vec::new();
            for t in templates {
                let owner = ws.object_of(&ws.templates[t]);
                if defined_twice(&owner.kind, owner) {
                    continue;
                }
                let repos = repositories(ws, t);
                if repos.is_empty() {
                    continue;
                }
                // Same program when the two share any repository (a sidecar added to one).
                if distinct
                    .iter()
                    .any(|(_, seen)| seen.iter().any(|r| repos.contains(r)))
                {
                    continue;
                }
                distinct.push((t, repos));
            }
            if distinct.len() > 1 {
                out.push(Mixed {
                    service: index,
                    templates: distinct.into_iter().map(|(t, _)| t).collect(),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mixed) -> Diagnostic {
        let service = &ws.objects[m.service];
        let owners: Vec<String> = m
            .templates
            .iter()
            .map(|&t| ws.object_of(&ws.templates[t]).display())
            .collect();
        Diagnostic {
            file: service.file,
            range: service
                .node
                .path(&["spec", "selector"])
                .map_or(service.anchor_range(), |s| s.span),
            message: format!(
                "Service {} selects the pods of {}, which run different images",
                service.name.as_deref().unwrap_or("<unnamed>"),
                owners.join(" and ")
            ),
            why: "The Service balances connections across all of them: a share of requests reaches pods that do not serve this port or protocol and fails, while the rest work.".into(),
            help: Some("Select a label that only the intended workload's pods carry (add one such as `component: web` to its template).".into()),
            object: Some(service.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mixed) -> Vec<Related> {
        m.templates
            .iter()
            .take(4)
            .map(|&t| {
                let template = &ws.templates[t];
                let object = ws.object_of(template);
                Related {
                    file: object.file,
                    range: template.labels.map_or(object.anchor_range(), |l| l.span),
                    message: format!("pods of {}", object.display()),
                }
            })
            .collect()
    }

    fn fix<'a>(_ws: &Workspace<'a>, _m: &Mixed) -> Option<Fix> {
        None
    }
}
