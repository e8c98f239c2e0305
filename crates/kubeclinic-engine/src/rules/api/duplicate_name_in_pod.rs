use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds pod templates where two containers (init containers included) share a name, and
    /// volumes that share a name.
    ///
    /// ## Why is this bad?
    /// The API server refuses the pod (`spec.containers[1].name: Duplicate value: "app"`, or
    /// `spec.volumes[1].name: Duplicate value`): no pod is created. Copying a container block
    /// to add a sidecar and forgetting to rename it is the usual way in.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: ghcr.io/example/web:2.0.0
    ///     - name: web
    ///       image: ghcr.io/example/log-shipper:1.4.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: ghcr.io/example/web:2.0.0
    ///     - name: log-shipper
    ///       image: ghcr.io/example/log-shipper:1.4.0
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of the two to rename, and to what, is yours (other fields may refer to
    /// the name: `kubectl logs -c`, resource policies, probes of sidecars).
    pub struct DuplicateNameInPod {
        id: "duplicate-name-in-pod",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct Duplicate<'a> {
    template: usize,
    what: &'static str,
    name: &'a str,
    first: &'a Node,
    again: &'a Node,
}

impl Rule for DuplicateNameInPod {
    type State<'a> = Duplicate<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Duplicate<'a>> {
        let mut out = Vec::new();
        for (index, t) in ws.templates.iter().enumerate() {
            if ws.object_of(t).is_live() {
                continue;
            }
            let mut groups: Vec<(&'static str, Vec<&Node>)> = Vec::new();
            let containers = ["initContainers", "containers"]
                .iter()
                .flat_map(|f| t.spec.get(f).map(Node::items).unwrap_or_default())
                .collect();
            groups.push(("container", containers));
            groups.push((
                "volume",
                t.spec
                    .get("volumes")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .collect(),
            ));
            for (what, items) in groups {
                let mut seen: Vec<(&str, &Node)> = Vec::new();
                for item in items {
                    let Some(node) = item.get("name") else {
                        continue;
                    };
                    let Some(name) = node.as_str() else {
                        continue;
                    };
                    match seen.iter().find(|(n, _)| *n == name) {
                        Some((_, first)) => out.push(Duplicate {
                            template: index,
                            what,
                            name,
                            first,
                            again: node,
                        }),
                        None => seen.push((name, node)),
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, d: &Duplicate<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[d.template]);
        Diagnostic {
            file: object.file,
            range: d.again.span,
            message: format!("{} has two {}s named {}", object.display(), d.what, d.name),
            why: format!("The API server refuses the pod (`Duplicate value: \"{}\"`): none of it is created.", d.name),
            help: Some(format!("Give each {} of the pod a name of its own.", d.what)),
            object: Some(object.reference()),
            container: (d.what == "container").then(|| d.name.to_string()),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, d: &Duplicate<'a>) -> Vec<Related> {
        vec![Related {
            file: ws.object_of(&ws.templates[d.template]).file,
            range: d.first.span,
            message: format!("the first {} named {}", d.what, d.name),
        }]
    }

    fn fix<'a>(_ws: &Workspace<'a>, _d: &Duplicate<'a>) -> Option<Fix> {
        None
    }
}
