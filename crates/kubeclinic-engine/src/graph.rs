//! The objects of a set and the links between them, for a picture of it: which Ingress routes
//! to which Service, which pods a Service, a policy or a budget picks, what an autoscaler
//! scales, and what the pod templates read. A name the set lacks becomes a placeholder node,
//! and a link the set shows cannot hold (a missing target, a port the Service lacks, a
//! selector that picks no pod) is marked broken, with the bytes of the reference so that a
//! front end can find the finding about it.
//!
//! Built from the facts the rules read ([`Workspace::links`], [`Workspace::autoscalers`],
//! [`Workspace::provided`], the networking helpers), never from a second reading of them, so
//! the picture and the findings agree.

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Serialize;

use crate::diagnostic::FileId;
use crate::labels::{requirements, selector_matches, selects_everything};
use crate::model::{K8sObject, Parsed, SourceFile, Workspace};
use crate::rules::configuration::links::{self, unrendered, Found, Link};
use crate::rules::networking::{ingress_backends, service_named, service_selector, PortRef};
use crate::settings::Checker;
use crate::text::TextRange;
use crate::yaml::Node;

/// The objects of the set that take part in links, and the links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Graph {
    /// Objects in input order, then the placeholders of names the set lacks, in the order
    /// first referenced.
    pub nodes: Vec<GraphNode>,
    /// Links in the order their references appear in the inputs.
    pub edges: Vec<GraphEdge>,
}

impl Graph {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Where an object stands in the flow of a request: what a picture puts in one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    /// An Ingress: where requests come in.
    Ingress,
    Service,
    /// An object that makes pods (it has a pod template), or what an autoscaler scales.
    Workload,
    /// What pods read: ConfigMaps, Secrets (and what makes them), claims, ServiceAccounts.
    Config,
    /// What acts on workloads from the side: autoscalers, disruption budgets, network policies.
    Policy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    pub kind: String,
    /// The object's name; for a placeholder of pods a selector wants, the labels wanted.
    pub name: String,
    /// The namespace the object goes to (its own, or the one its input implies).
    pub namespace: Option<String>,
    pub role: NodeRole,
    pub file: FileId,
    /// The object's `metadata.name` (else its `kind`); for a placeholder, the first reference
    /// to it.
    pub range: TextRange,
    /// The whole object; for a placeholder, the same as `range`.
    pub extent: TextRange,
    /// A placeholder: the set names it but does not hold it.
    pub missing: bool,
    /// A live object (`kubectl get -o yaml` with a status): shown, but its links are the
    /// cluster's business, so none are drawn from it.
    pub live: bool,
}

/// What a link does, from its source's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Ingress to Service.
    Routes,
    /// Service to the workloads whose pods it selects.
    Selects,
    /// Pod template to a volume's ConfigMap, Secret or claim.
    Mounts,
    /// Pod template to the ConfigMap or Secret its environment reads.
    ReadsEnv,
    UsesAccount,
    /// Pod template to an image pull secret.
    PullsWith,
    /// HorizontalPodAutoscaler to its target.
    Scales,
    /// PodDisruptionBudget to the workloads whose pods it selects.
    Guards,
    /// Ingress to the Secret holding the certificate of its hosts (`spec.tls`).
    ServesTls,
    /// NetworkPolicy to the workloads whose pods it selects.
    AppliesTo,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Routes => "routes",
            Relation::Selects => "selects",
            Relation::Mounts => "mounts",
            Relation::ReadsEnv => "reads env",
            Relation::UsesAccount => "uses account",
            Relation::PullsWith => "pulls with",
            Relation::Scales => "scales",
            Relation::Guards => "guards",
            Relation::ServesTls => "serves TLS with",
            Relation::AppliesTo => "applies to",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    /// Indexes into [`Graph::nodes`].
    pub from: usize,
    pub to: usize,
    pub relation: Relation,
    /// `shop.example.org/api, port 80`, `env DB_PASSWORD of container api`, `app=web`.
    pub label: String,
    /// The reference in the source object: the name scalar, the port, the selector.
    pub file: FileId,
    pub range: TextRange,
    /// The set shows the link cannot hold.
    pub broken: bool,
    /// Why it is broken, in words: `Service shop-web is not in the set`.
    pub problem: Option<String>,
}

/// The graph of a set under the default settings.
pub fn graph(files: &[SourceFile]) -> Graph {
    crate::settings::default_checker().graph(files)
}

impl Checker {
    /// The objects of the set and their links, read as [`Checker::check`] reads them.
    pub fn graph(&self, files: &[SourceFile]) -> Graph {
        let parsed = Parsed::new(files);
        let ws = Workspace::with_checker(&parsed, self);
        build(&ws)
    }
}

/// The graph of a workspace.
pub fn build(ws: &Workspace) -> Graph {
    let mut b = Builder::new(ws);
    b.routes();
    b.tls();
    b.services();
    b.autoscalers();
    b.policies();
    b.links();
    let mut graph = b.graph;
    graph
        .edges
        .sort_by_key(|e| (e.file, e.range.start, e.range.end));
    graph
}

/// The column an object of the set is drawn in; `None` for kinds that take part in no link.
fn role_of(
    ws: &Workspace,
    object: usize,
    has_template: bool,
    makes_config: bool,
) -> Option<NodeRole> {
    let o = &ws.objects[object];
    Some(match o.kind.as_str() {
        // A Knative Service makes pods: a workload, whatever its kind is called.
        _ if has_template => NodeRole::Workload,
        "Ingress" => NodeRole::Ingress,
        "Service" => NodeRole::Service,
        "HorizontalPodAutoscaler" | "PodDisruptionBudget" | "NetworkPolicy" => NodeRole::Policy,
        "ConfigMap" | "Secret" | "PersistentVolumeClaim" | "ServiceAccount" => NodeRole::Config,
        _ if makes_config => NodeRole::Config,
        _ => return None,
    })
}

struct Builder<'w, 'a> {
    ws: &'w Workspace<'a>,
    graph: Graph,
    /// The node of each object, once it has one.
    of_object: Vec<Option<usize>>,
    /// Placeholders by kind, name and namespace.
    placeholders: HashMap<(String, String, Option<String>), usize>,
    /// The pod template of each object.
    template_of: Vec<Option<usize>>,
    by_label: TemplatesByLabel<'a>,
}

impl<'w, 'a> Builder<'w, 'a> {
    fn new(ws: &'w Workspace<'a>) -> Self {
        let mut template_of = vec![None; ws.objects.len()];
        for (t, template) in ws.templates.iter().enumerate() {
            template_of[template.object].get_or_insert(t);
        }
        let mut makes_config = vec![false; ws.objects.len()];
        for p in ws.provided() {
            if matches!(p.kind, "Secret" | "ConfigMap") {
                makes_config[p.by] = true;
            }
        }
        let mut b = Self {
            ws,
            graph: Graph::default(),
            of_object: vec![None; ws.objects.len()],
            placeholders: HashMap::new(),
            template_of,
            by_label: TemplatesByLabel::new(ws),
        };
        for (object, makes_config) in makes_config.into_iter().enumerate() {
            let has_template = b.template_of[object].is_some();
            if let Some(role) = role_of(ws, object, has_template, makes_config) {
                b.object_node(object, role);
            }
        }
        b
    }

    /// The node of `object`, made with `role` when it has none yet.
    fn object_node(&mut self, object: usize, role: NodeRole) -> usize {
        if let Some(node) = self.of_object[object] {
            return node;
        }
        let o = &self.ws.objects[object];
        let index = self.graph.nodes.len();
        self.graph.nodes.push(GraphNode {
            kind: o.kind.clone(),
            name: o.name.clone().unwrap_or_else(|| "(no name)".into()),
            namespace: o.effective_namespace().map(String::from),
            role,
            file: o.file,
            range: o.anchor_range(),
            extent: o.node.span,
            missing: false,
            live: o.is_live(),
        });
        self.of_object[object] = Some(index);
        index
    }

    /// The placeholder of `kind` `name` as `near` names it (at `range` of `near`'s file).
    fn placeholder(
        &mut self,
        kind: &str,
        name: &str,
        near: &K8sObject,
        range: TextRange,
        role: NodeRole,
    ) -> usize {
        let namespace = near.effective_namespace().map(String::from);
        let key = (kind.to_string(), name.to_string(), namespace.clone());
        if let Some(&node) = self.placeholders.get(&key) {
            return node;
        }
        let index = self.graph.nodes.len();
        self.graph.nodes.push(GraphNode {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace,
            role,
            file: near.file,
            range,
            extent: range,
            missing: true,
            live: false,
        });
        self.placeholders.insert(key, index);
        index
    }

    #[allow(clippy::too_many_arguments)]
    fn edge(
        &mut self,
        from: usize,
        to: usize,
        relation: Relation,
        label: String,
        file: FileId,
        range: TextRange,
        problem: Option<String>,
    ) {
        self.graph.edges.push(GraphEdge {
            from,
            to,
            relation,
            label,
            file,
            range,
            broken: problem.is_some(),
            problem,
        });
    }

    fn node_of(&self, object: usize) -> usize {
        self.of_object[object].expect("every object a link starts from has a node")
    }

    /// Ingress to Service, broken when the Service is missing or lacks the port.
    fn routes(&mut self) {
        let ws = self.ws;
        for backend in ingress_backends(ws) {
            let ingress = &ws.objects[backend.ingress];
            let Some(name) = backend.service.as_str().filter(|n| !unrendered(n)) else {
                continue;
            };
            let from = self.node_of(backend.ingress);
            let wanted = backend.port.and_then(PortRef::of);
            let label = match &wanted {
                Some(PortRef::Number(n)) => format!("{}, port {n}", backend.route),
                Some(PortRef::Name(p)) => format!("{}, port {p}", backend.route),
                None => backend.route.clone(),
            };
            match service_named(ws, name, ingress).0 {
                Some(service) => {
                    let to = self.object_node(service, NodeRole::Service);
                    let lacking = wanted.as_ref().filter(|w| {
                        crate::rules::networking::ingress_port_mismatch::lacks_port(
                            ws.objects[service].node,
                            w,
                        )
                    });
                    match (lacking, backend.port) {
                        (Some(port), Some(node)) => self.edge(
                            from,
                            to,
                            Relation::Routes,
                            label,
                            ingress.file,
                            node.span,
                            Some(format!("Service {name} has no port {}", port.text())),
                        ),
                        _ => self.edge(
                            from,
                            to,
                            Relation::Routes,
                            label,
                            ingress.file,
                            backend.service.span,
                            None,
                        ),
                    }
                }
                None => {
                    let range = backend.service.span;
                    let to = self.placeholder("Service", name, ingress, range, NodeRole::Service);
                    self.edge(
                        from,
                        to,
                        Relation::Routes,
                        label,
                        ingress.file,
                        range,
                        Some(format!("Service {name} is not in the set")),
                    );
                }
            }
        }
    }

    /// Ingress to the Secret of each `spec.tls` entry, broken when the set lacks it. A Secret
    /// cert-manager issues for the Ingress, or another object of the set makes, is drawn as
    /// one the set does not hold, without a problem.
    fn tls(&mut self) {
        let ws = self.ws;
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() {
                continue;
            }
            let issued =
                crate::rules::networking::ingress_tls_secret_missing::issued_for(ingress.node);
            for tls in ingress
                .node
                .path(&["spec", "tls"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(secret) = tls.get("secretName") else {
                    continue;
                };
                let Some(name) = secret.as_str().filter(|n| !n.is_empty() && !unrendered(n)) else {
                    continue;
                };
                let hosts: Vec<&str> = tls
                    .get("hosts")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                let label = if hosts.is_empty() {
                    "tls".to_string()
                } else {
                    format!("tls {}", hosts.join(", "))
                };
                let from = self.node_of(index);
                let provided =
                    crate::rules::networking::ingress_tls_secret_missing::tls_secrets(ws, index)
                        .map(|(_, p)| p)
                        .find(|p| p.name == name);
                let range = secret.span;
                let (to, problem) = match provided {
                    Some(p) if ws.objects[p.by].kind == "Secret" => {
                        (self.object_node(p.by, NodeRole::Config), None)
                    }
                    found => (
                        self.placeholder("Secret", name, ingress, range, NodeRole::Config),
                        (found.is_none() && !issued)
                            .then(|| format!("Secret {name} is not in the set")),
                    ),
                };
                self.edge(
                    from,
                    to,
                    Relation::ServesTls,
                    label,
                    ingress.file,
                    range,
                    problem,
                );
            }
        }
    }

    /// Service to the workloads whose pods it selects.
    fn services(&mut self) {
        let ws = self.ws;
        for &service in ws.indexes_of_kind("Service") {
            let object = &ws.objects[service];
            let Some((node, selector)) = service_selector(object) else {
                continue;
            };
            // Labels the controllers add to pods are in no template: nothing to draw.
            let by_controller = node.string_map().iter().any(|(k, _, _)| {
                crate::rules::networking::service_selects_nothing::set_by_controller(k)
            });
            self.selected(service, Relation::Selects, node, &selector, by_controller);
        }
        // A Service whose targetPort no selected container declares reaches its pods on a
        // port nothing listens on.
        for (service, port) in crate::rules::networking::service_port_mismatch::unserved_ports(ws) {
            let Some(from) = self.of_object[service] else {
                continue;
            };
            for edge in self
                .graph
                .edges
                .iter_mut()
                .filter(|e| e.from == from && e.relation == Relation::Selects && !e.broken)
            {
                edge.broken = true;
                edge.problem = Some(format!(
                    "no container of these pods declares port {port}, the Service's targetPort"
                ));
            }
        }
    }

    /// NetworkPolicies and PodDisruptionBudgets to the workloads whose pods they select; an
    /// empty selector selects every pod of the namespace.
    fn policies(&mut self) {
        let ws = self.ws;
        let kinds = [
            ("PodDisruptionBudget", "selector", Relation::Guards),
            ("NetworkPolicy", "podSelector", Relation::AppliesTo),
        ];
        let mut policies: Vec<(usize, &str, Relation)> = kinds
            .iter()
            .flat_map(|&(kind, field, relation)| {
                ws.indexes_of_kind(kind)
                    .iter()
                    .map(move |&i| (i, field, relation))
            })
            .collect();
        policies.sort_unstable_by_key(|(i, _, _)| *i);
        for (index, field, relation) in policies {
            let object = &ws.objects[index];
            if object.is_live() {
                continue;
            }
            let Some(node) = object.node.path(&["spec", field]) else {
                continue;
            };
            let Ok(selector) = crate::yaml::typed::<LabelSelector>(node) else {
                continue;
            };
            self.selected(index, relation, node, &selector, false);
        }
    }

    /// Edges from `source` to the workloads `selector` picks, or one broken edge to a
    /// placeholder of the pods wanted when it picks none.
    fn selected(
        &mut self,
        source: usize,
        relation: Relation,
        node: &Node,
        selector: &LabelSelector,
        by_controller: bool,
    ) {
        let ws = self.ws;
        let object = &ws.objects[source];
        let from = self.node_of(source);
        let everything = selects_everything(selector);
        let label = if everything {
            match object.effective_namespace() {
                Some(ns) => format!("every pod of namespace {ns}"),
                None => "every pod of its namespace".to_string(),
            }
        } else {
            requirements(node)
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let matched = self.by_label.select(ws, selector, object);
        if matched.is_empty() {
            if everything || by_controller || ws.made_by_controller(selector, object) {
                return;
            }
            let to = self.placeholder("Pod", &label, object, node.span, NodeRole::Workload);
            self.edge(
                from,
                to,
                relation,
                label.clone(),
                object.file,
                node.span,
                Some(format!("no pod template of the set has labels {label}")),
            );
            return;
        }
        // One template per object: each workload once.
        for t in matched {
            let workload = ws.templates[t].object;
            if workload == source {
                continue;
            }
            let to = self.object_node(workload, NodeRole::Workload);
            self.edge(
                from,
                to,
                relation,
                label.clone(),
                object.file,
                node.span,
                None,
            );
        }
    }

    /// HorizontalPodAutoscaler to what it scales.
    fn autoscalers(&mut self) {
        let ws = self.ws;
        for a in ws.autoscalers() {
            let hpa = &ws.objects[a.index];
            let Some(name_node) = a.target_name else {
                continue;
            };
            let Some(name) = name_node.as_str().filter(|n| !unrendered(n)) else {
                continue;
            };
            let from = self.node_of(a.index);
            let label = match (a.min_replicas(), a.max.and_then(Node::as_i64)) {
                (Some(min), Some(max)) => format!("{min} to {max} replicas"),
                (_, Some(max)) => format!("up to {max} replicas"),
                _ => "replicas".to_string(),
            };
            match a.target {
                Some(target) => {
                    let to = self.object_node(target, NodeRole::Workload);
                    self.edge(
                        from,
                        to,
                        Relation::Scales,
                        label,
                        hpa.file,
                        name_node.span,
                        None,
                    );
                }
                None => {
                    let kind = a.target_kind.unwrap_or("Deployment");
                    let range = name_node.span;
                    let to = self.placeholder(kind, name, hpa, range, NodeRole::Workload);
                    self.edge(
                        from,
                        to,
                        Relation::Scales,
                        label,
                        hpa.file,
                        range,
                        Some(format!("{kind} {name} is not in the set")),
                    );
                }
            }
        }
    }

    /// Pod templates to what they read: ConfigMaps, Secrets, claims, ServiceAccounts.
    fn links(&mut self) {
        let ws = self.ws;
        let found = links::Graph::new(ws);
        for link in ws.links() {
            let workload = ws.templates[link.template].object;
            let object = &ws.objects[workload];
            let from = self.node_of(workload);
            let relation = relation_of(link);
            let name = link.name();
            let range = link.name.span;
            match found.find(link) {
                Found::Provided(provided) if !provided.is_empty() => {
                    let mut makers: Vec<usize> = Vec::new();
                    for i in provided {
                        let p = &ws.provided()[i];
                        if makers.contains(&p.by) {
                            continue;
                        }
                        makers.push(p.by);
                        let maker = &ws.objects[p.by];
                        let label = if maker.kind == link.kind {
                            link.via.clone()
                        } else {
                            format!(
                                "{} ({} {name} made by {})",
                                link.via,
                                link.kind,
                                maker.display()
                            )
                        };
                        let to = self.object_node(p.by, NodeRole::Config);
                        self.edge(from, to, relation, label, object.file, range, None);
                    }
                }
                // Made by a kustomize generator or an operator of the set: not in it as an
                // object, and not broken either.
                Found::Provided(_) => {
                    let to = self.placeholder(link.kind, name, object, range, NodeRole::Config);
                    self.edge(
                        from,
                        to,
                        relation,
                        link.via.clone(),
                        object.file,
                        range,
                        None,
                    );
                }
                Found::Missing | Found::Absent => {
                    let to = self.placeholder(link.kind, name, object, range, NodeRole::Config);
                    let meant = found
                        .near(link)
                        .map(|i| format!("; did you mean {}?", ws.provided()[i].name))
                        .unwrap_or_default();
                    self.edge(
                        from,
                        to,
                        relation,
                        link.via.clone(),
                        object.file,
                        range,
                        Some(format!("{} {name} is not in the set{meant}", link.kind)),
                    );
                }
            }
        }
    }
}

fn relation_of(link: &Link) -> Relation {
    if link.pull_secret {
        Relation::PullsWith
    } else if link.kind == "ServiceAccount" {
        Relation::UsesAccount
    } else if link.volume {
        Relation::Mounts
    } else {
        Relation::ReadsEnv
    }
}

/// The pod templates of the set by each of their labels, so that a selector with
/// `matchLabels` looks only at the templates that have one of its labels instead of at every
/// template: a set of thousands of Services and Deployments stays fast. The verdict is still
/// [`selector_matches`]'s; other selectors go through [`Workspace::select`].
struct TemplatesByLabel<'a> {
    by_pair: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> TemplatesByLabel<'a> {
    fn new(ws: &Workspace<'a>) -> Self {
        let mut by_pair: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        for (t, template) in ws.templates.iter().enumerate() {
            for (k, v) in template.label_pairs() {
                by_pair.entry((k, v)).or_default().push(t);
            }
        }
        Self { by_pair }
    }

    /// The templates `selector` (of `near`) picks, in input order, among those that can share
    /// `near`'s namespace: what [`Workspace::select`] matches.
    fn select(&self, ws: &Workspace, selector: &LabelSelector, near: &K8sObject) -> Vec<usize> {
        let shortest = selector.match_labels.as_ref().and_then(|labels| {
            labels
                .iter()
                .map(|(k, v)| {
                    self.by_pair
                        .get(&(k.as_str(), v.as_str()))
                        .map_or(&[][..], Vec::as_slice)
                })
                .min_by_key(|list| list.len())
        });
        match shortest {
            Some(list) => list
                .iter()
                .copied()
                .filter(|&t| ws.object_of(&ws.templates[t]).may_share_namespace(near))
                .filter(|&t| selector_matches(selector, ws.template_labels(t)))
                .collect(),
            None => ws.select(selector, near).matched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(text: &str) -> Graph {
        graph(&[SourceFile::new("t.yaml", text)])
    }

    fn node<'g>(g: &'g Graph, kind: &str, name: &str) -> (usize, &'g GraphNode) {
        g.nodes
            .iter()
            .enumerate()
            .find(|(_, n)| n.kind == kind && n.name == name)
            .unwrap_or_else(|| panic!("no {kind} {name} in {:#?}", g.nodes))
    }

    /// (from kind/name, relation, to kind/name, broken) of every edge.
    fn edges(g: &Graph) -> Vec<(String, &'static str, String, bool)> {
        let name = |i: usize| format!("{} {}", g.nodes[i].kind, g.nodes[i].name);
        g.edges
            .iter()
            .map(|e| (name(e.from), e.relation.as_str(), name(e.to), e.broken))
            .collect()
    }

    fn has(g: &Graph, from: &str, relation: &str, to: &str, broken: bool) -> bool {
        edges(g)
            .iter()
            .any(|(f, r, t, b)| f == from && *r == relation && t == to && *b == broken)
    }

    const SHOP: &str = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  rules:
    - host: shop.example.org
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - name: api
          image: ghcr.io/example/web:1.2.3
          ports: [{containerPort: 8080}]
          envFrom:
            - configMapRef: {name: web-config}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: web-db, key: password}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: Secret
metadata: {name: web-db, namespace: shop}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#;

    #[test]
    fn a_linked_set_draws_every_link_whole() {
        let g = graph_of(SHOP);
        let kinds: Vec<&str> = g.nodes.iter().map(|n| n.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "Ingress",
                "Service",
                "Deployment",
                "ConfigMap",
                "Secret",
                "ServiceAccount",
                "HorizontalPodAutoscaler",
                "PodDisruptionBudget",
                "NetworkPolicy"
            ],
            "objects in input order, no placeholder"
        );
        assert!(g.nodes.iter().all(|n| !n.missing && !n.live));
        assert!(has(&g, "Ingress shop", "routes", "Service web", false));
        assert!(has(&g, "Service web", "selects", "Deployment web", false));
        assert!(has(
            &g,
            "Deployment web",
            "reads env",
            "ConfigMap web-config",
            false
        ));
        assert!(has(
            &g,
            "Deployment web",
            "reads env",
            "Secret web-db",
            false
        ));
        assert!(has(
            &g,
            "Deployment web",
            "uses account",
            "ServiceAccount web",
            false
        ));
        assert!(has(
            &g,
            "HorizontalPodAutoscaler web",
            "scales",
            "Deployment web",
            false
        ));
        assert!(has(
            &g,
            "PodDisruptionBudget web",
            "guards",
            "Deployment web",
            false
        ));
        assert!(has(
            &g,
            "NetworkPolicy default-deny",
            "applies to",
            "Deployment web",
            false
        ));
        assert_eq!(g.edges.len(), 8, "{:#?}", edges(&g));

        let route = g
            .edges
            .iter()
            .find(|e| e.relation == Relation::Routes)
            .unwrap();
        assert_eq!(route.label, "shop.example.org/, port 80");
        assert_eq!(&SHOP[route.range.start..route.range.end], "web");
        let secret = g
            .edges
            .iter()
            .find(|e| g.nodes[e.to].kind == "Secret")
            .unwrap();
        assert_eq!(secret.label, "env DB_PASSWORD of container api");
        assert_eq!(&SHOP[secret.range.start..secret.range.end], "web-db");
        let deny = g
            .edges
            .iter()
            .find(|e| e.relation == Relation::AppliesTo)
            .unwrap();
        assert_eq!(deny.label, "every pod of namespace shop");
        let (_, deployment) = node(&g, "Deployment", "web");
        assert_eq!(&SHOP[deployment.range.start..deployment.range.end], "web");
        assert!(
            SHOP[deployment.extent.start..deployment.extent.end].starts_with("apiVersion: apps/v1")
        );
        assert_eq!(deployment.role, NodeRole::Workload);
        assert_eq!(deployment.namespace.as_deref(), Some("shop"));
        let starts: Vec<usize> = g.edges.iter().map(|e| e.range.start).collect();
        assert!(
            starts.windows(2).all(|w| w[0] <= w[1]),
            "edges in text order"
        );
        assert_eq!(graph_of(SHOP), g, "deterministic");
    }

    #[test]
    fn a_backend_to_a_missing_service_or_port_is_broken() {
        let text = SHOP
            .replace("service: {name: web, port: {number: 80}}", "service: {name: web-svc, port: {number: 80}}")
            + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: admin, namespace: shop}\nspec:\n  defaultBackend:\n    service: {name: web, port: {number: 8080}}\n";
        let g = graph_of(&text);
        let (missing, placeholder) = node(&g, "Service", "web-svc");
        assert!(placeholder.missing);
        assert_eq!(placeholder.namespace.as_deref(), Some("shop"));
        assert_eq!(
            &text[placeholder.range.start..placeholder.range.end],
            "web-svc"
        );
        let to_missing = g.edges.iter().find(|e| e.to == missing).unwrap();
        assert!(to_missing.broken);
        assert_eq!(
            to_missing.problem.as_deref(),
            Some("Service web-svc is not in the set")
        );
        assert!(has(&g, "Ingress admin", "routes", "Service web", true));
        let port = g
            .edges
            .iter()
            .find(|e| g.nodes[e.from].name == "admin")
            .unwrap();
        assert_eq!(
            &text[port.range.start..port.range.end],
            "8080",
            "points at the port"
        );
        assert_eq!(
            port.problem.as_deref(),
            Some("Service web has no port 8080")
        );
        assert_eq!(port.label, "the default backend, port 8080");
    }

    #[test]
    fn a_typo_in_a_configmap_name_is_a_broken_link_to_a_placeholder() {
        let text = SHOP.replace(
            "configMapRef: {name: web-config}",
            "configMapRef: {name: web-confg}",
        );
        let g = graph_of(&text);
        let (index, placeholder) = node(&g, "ConfigMap", "web-confg");
        assert!(placeholder.missing);
        assert_eq!(placeholder.role, NodeRole::Config);
        let edge = g.edges.iter().find(|e| e.to == index).unwrap();
        assert!(edge.broken);
        assert_eq!(edge.relation, Relation::ReadsEnv);
        assert_eq!(
            edge.problem.as_deref(),
            Some("ConfigMap web-confg is not in the set; did you mean web-config?")
        );
        assert_eq!(&text[edge.range.start..edge.range.end], "web-confg");
        // The ConfigMap meant is still drawn, with no link to it.
        let (config, _) = node(&g, "ConfigMap", "web-config");
        assert!(g.edges.iter().all(|e| e.to != config));
        // The finding about it covers the edge's reference.
        let report = crate::check(&[SourceFile::new("t.yaml", text.as_str())]);
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "ref-missing-configmap" && f.range.contains_range(edge.range)));
    }

    #[test]
    fn selectors_that_pick_nothing_point_at_a_placeholder_of_the_pods_wanted() {
        let text = SHOP
            .replace("selector: {app: web}", "selector: {app: wbe}")
            .replace(
                "selector: {matchLabels: {app: web}}\n---\napiVersion: networking",
                "selector: {matchLabels: {app: webb}}\n---\napiVersion: networking",
            )
            .replace("name: web}\n  minReplicas", "name: wbe}\n  minReplicas");
        let g = graph_of(&text);
        assert!(has(&g, "Service web", "selects", "Pod app=wbe", true));
        assert!(has(
            &g,
            "PodDisruptionBudget web",
            "guards",
            "Pod app=webb",
            true
        ));
        assert!(has(
            &g,
            "HorizontalPodAutoscaler web",
            "scales",
            "Deployment wbe",
            true
        ));
        let (_, pods) = node(&g, "Pod", "app=wbe");
        assert!(pods.missing && pods.role == NodeRole::Workload);
        let selects = g
            .edges
            .iter()
            .find(|e| e.relation == Relation::Selects)
            .unwrap();
        assert_eq!(&text[selects.range.start..selects.range.end], "{app: wbe}");
        assert_eq!(
            selects.problem.as_deref(),
            Some("no pod template of the set has labels app=wbe")
        );
    }

    #[test]
    fn secrets_made_by_a_controller_link_to_their_maker() {
        let text = SHOP.replace(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: web-db, namespace: shop}\nstringData: {password: hunter2}",
            "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: web-db-sync, namespace: shop}\nspec:\n  target: {name: web-db}\n  data: [{secretKey: password, remoteRef: {key: db}}]",
        );
        let g = graph_of(&text);
        let (_, maker) = node(&g, "ExternalSecret", "web-db-sync");
        assert_eq!(maker.role, NodeRole::Config);
        assert!(has(
            &g,
            "Deployment web",
            "reads env",
            "ExternalSecret web-db-sync",
            false
        ));
        let edge = g
            .edges
            .iter()
            .find(|e| g.nodes[e.to].kind == "ExternalSecret")
            .unwrap();
        assert_eq!(
            edge.label,
            "env DB_PASSWORD of container api (Secret web-db made by ExternalSecret web-db-sync)"
        );
    }

    #[test]
    fn kubectl_output_alone_gives_an_empty_graph() {
        let describe = "Name:         web-7d4b9c8f6-x2x9z\nNamespace:    shop\nStatus:       Running\nContainers:\n  api:\n    Image:  ghcr.io/example/web:1.2.3\n    State:  Waiting\n      Reason:  CrashLoopBackOff\nEvents:\n  Type     Reason   Age  From     Message\n  ----     ------   ---  ----     -------\n  Warning  BackOff  5s   kubelet  Back-off restarting failed container api\n";
        assert!(graph_of(describe).is_empty());
        assert_eq!(graph_of(describe).edges, []);
        assert!(graph_of("").is_empty());
        assert!(graph_of("a: [1, 2\n").is_empty());
        let live = "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: shop}\nspec:\n  containers: [{name: api, image: web:1, envFrom: [{configMapRef: {name: nowhere}}]}]\nstatus:\n  phase: Running\n";
        let g = graph_of(live);
        assert_eq!(g.nodes.len(), 1);
        assert!(g.nodes[0].live);
        assert!(
            g.edges.is_empty(),
            "a live pod's links are the cluster's business"
        );
    }

    #[test]
    fn ingress_tls_secrets_are_linked() {
        let text = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls:
    - hosts: [shop.example.org]
      secretName: shop-tls
    - hosts: [admin.example.org]
      secretName: admin-tls
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: shop-tls, namespace: shop}
data: {tls.crt: "", tls.key: ""}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: issued
  namespace: shop
  annotations: {cert-manager.io/cluster-issuer: letsencrypt}
spec:
  tls: [{hosts: [api.example.org], secretName: api-tls}]
  defaultBackend: {service: {name: web, port: {number: 80}}}
"#;
        let g = graph_of(text);
        assert!(
            has(
                &g,
                "Ingress shop",
                "serves TLS with",
                "Secret shop-tls",
                false
            ),
            "{:#?}",
            edges(&g)
        );
        assert!(has(
            &g,
            "Ingress shop",
            "serves TLS with",
            "Secret admin-tls",
            true
        ));
        // cert-manager makes the Secret: not in the set, and not a problem.
        assert!(has(
            &g,
            "Ingress issued",
            "serves TLS with",
            "Secret api-tls",
            false
        ));
        let tls = g
            .edges
            .iter()
            .find(|e| e.relation == Relation::ServesTls)
            .unwrap();
        assert_eq!(tls.label, "tls shop.example.org");
        assert_eq!(&text[tls.range.start..tls.range.end], "shop-tls");
        let (_, missing) = node(&g, "Secret", "admin-tls");
        assert!(missing.missing);
    }

    #[test]
    fn a_target_port_no_container_declares_breaks_the_link() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: web:1, ports: [{containerPort: 80}]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n";
        let g = graph_of(text);
        assert!(
            has(&g, "Service web", "selects", "Deployment web", true),
            "{:#?}",
            edges(&g)
        );
        let edge = g
            .edges
            .iter()
            .find(|e| e.relation == Relation::Selects)
            .unwrap();
        assert!(edge.problem.as_deref().unwrap().contains("port 8080"));
        let served = text.replace("targetPort: 8080", "targetPort: 80");
        assert!(has(
            &graph_of(&served),
            "Service web",
            "selects",
            "Deployment web",
            false
        ));
    }

    #[test]
    fn a_thousand_objects_stay_fast() {
        let mut text = String::new();
        for i in 0..250 {
            text.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}, tier: web}}}}\n    spec:\n      containers:\n        - name: app\n          image: app:{i}\n          envFrom: [{{configMapRef: {{name: app-{i}-config}}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: shop}}\nspec:\n  selector: {{tier: web, app: app-{i}}}\n  ports: [{{port: 80}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app-{i}-config, namespace: shop}}\ndata: {{a: b}}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: app-{i}, namespace: shop}}\nspec:\n  defaultBackend: {{service: {{name: app-{i}, port: {{number: 80}}}}}}\n"
            ));
        }
        let started = std::time::Instant::now();
        let g = graph_of(&text);
        let took = started.elapsed();
        assert_eq!(g.nodes.len(), 1000);
        assert_eq!(g.edges.len(), 750);
        assert!(g.edges.iter().all(|e| !e.broken));
        // One selector per Service looks only at the templates sharing its rarest label.
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    }
}
