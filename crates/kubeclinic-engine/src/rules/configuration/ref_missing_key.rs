use super::links::{listing, Found, Graph};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds keys a pod template reads from a ConfigMap or Secret of the set
    /// (`configMapKeyRef.key`, `secretKeyRef.key`, a volume's `items[].key`) that the object
    /// does not hold in its `data`, `binaryData` or `stringData`, and names the near key when
    /// there is one. Objects whose keys the set cannot know are not judged: an ExternalSecret
    /// with `dataFrom` or a template, a ServiceAccount token Secret, an object with no keys at
    /// all (something else fills it). `optional: true` references are never reported.
    ///
    /// ## Why is this bad?
    /// The kubelet cannot start the container (`couldn't find key LOG_LVL in ConfigMap
    /// shop/web-config`: it waits in `CreateContainerConfigError`), or cannot write a volume's
    /// files (`configmap references non-existent config key`: the pod stays in
    /// `ContainerCreating`).
    ///
    /// ## Example
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
    ///           env:
    ///             - name: LOG_LEVEL
    ///               valueFrom:
    ///                 configMapKeyRef:
    ///                   name: web-config
    ///                   key: LOG_LVL
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
    ///           env:
    ///             - name: LOG_LEVEL
    ///               valueFrom:
    ///                 configMapKeyRef:
    ///                   name: web-config
    ///                   key: LOG_LEVEL
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix reads the key of the object whose name is a typo away (`LOG_LVL` ->
    /// `LOG_LEVEL`); if the typo is in the object's key, rename that one instead. Without a
    /// near key there is no fix: add the key to the object, or read one it has.
    pub struct RefMissingKey {
        id: "ref-missing-key",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["missing-configmap-key", "missing-secret-key"],
    }
}

pub struct MissingKey<'a> {
    template: usize,
    kind: &'static str,
    name: &'a str,
    key: &'a Node,
    via: String,
    volume: bool,
    container: Option<&'a str>,
    /// What the object holds, in its order.
    has: Vec<String>,
    near: Option<String>,
    /// The near key's node in the object, else the object's name.
    label: Related,
    reported: Vec<(FileId, TextRange)>,
}

impl Rule for RefMissingKey {
    type State<'a> = MissingKey<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<MissingKey<'a>> {
        let graph = Graph::new(ws);
        let mut out = Vec::new();
        for link in ws.links() {
            if link.keys.is_empty() {
                continue;
            }
            let Found::Provided(provided) = graph.find(link) else {
                continue;
            };
            let Some(has) = graph.keys(&provided) else {
                continue;
            };
            for key in &link.keys {
                let Some(wanted) = key.as_str() else { continue };
                if has.contains(&wanted) {
                    continue;
                }
                let near = nearest(wanted, has.iter().copied());
                let label = match near.and_then(|n| graph.key_node(&provided, n)) {
                    Some((file, node)) => Related {
                        file,
                        range: node.span,
                        message: format!("the near key, in {} {}", link.kind, link.name()),
                    },
                    None => graph.label_provider(provided[0], graph.describe_provider(provided[0])),
                };
                let mut listed: Vec<String> = Vec::new();
                for k in &has {
                    if !listed.iter().any(|l| l == k) {
                        listed.push((*k).to_string());
                    }
                }
                out.push(MissingKey {
                    template: link.template,
                    kind: link.kind,
                    name: link.name(),
                    key,
                    via: link.via.clone(),
                    volume: link.volume,
                    container: link.container,
                    has: listed,
                    near: near.map(String::from),
                    label,
                    reported: graph.reported(link, Some(wanted)),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &MissingKey<'a>) -> Diagnostic {
        let workload = ws.object_of(&ws.templates[m.template]);
        let (kind, name) = (m.kind, m.name);
        let key = m.key.as_str().unwrap_or_default();
        let ns = workload.effective_namespace().unwrap_or("<namespace>");
        let (tail, help) = match &m.near {
            Some(near) => (
                format!(": did you mean {near}?"),
                format!("Read key {near}, or add key {key} to {kind} {name}."),
            ),
            None => (
                format!(" (it has {})", listing(&m.has, 5)),
                format!("Add key {key} to {kind} {name}, or read one it has."),
            ),
        };
        let why = if m.volume {
            format!("The kubelet cannot write the volume's files (`{} references non-existent {} key: {key}`): the pod stays in ContainerCreating and none of its containers start.",
                kind.to_ascii_lowercase(),
                if kind == "Secret" { "secret" } else { "config" })
        } else {
            format!("The kubelet cannot build the container's environment (`couldn't find key {key} in {kind} {ns}/{name}`): it stays in CreateContainerConfigError and never starts.")
        };
        Diagnostic {
            file: workload.file,
            range: m.key.span,
            message: format!(
                "{} reads key {key} of {kind} {name} ({}), which it does not have{tail}",
                workload.display(),
                m.via
            ),
            why,
            help: Some(format!(
                "{help} If the app can start without it, set `optional: true` on the reference."
            )),
            object: Some(workload.reference()),
            container: m.container.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &MissingKey<'a>) -> Option<Fix> {
        let near = m.near.as_deref()?;
        let file = ws.object_of(&ws.templates[m.template]).file;
        Some(Fix::new(
            format!(
                "Read key {near} of {} {} instead of {}",
                m.kind,
                m.name,
                m.key.as_str().unwrap_or_default()
            ),
            Applicability::Unsafe,
            vec![super::replace_scalar(file, m.key, near)],
        ))
    }

    fn related<'a>(_ws: &Workspace<'a>, m: &MissingKey<'a>) -> Vec<Related> {
        vec![m.label.clone()]
    }

    fn evidence<'a>(_ws: &Workspace<'a>, m: &MissingKey<'a>) -> Vec<(FileId, TextRange)> {
        m.reported.clone()
    }
}
