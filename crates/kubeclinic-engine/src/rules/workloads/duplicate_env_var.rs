use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds an environment variable defined twice in one container's `env` list.
    ///
    /// ## Why is this bad?
    /// The last definition wins without a word (kubectl only warns `hides previous
    /// definition`): the value you read in the first place is not the one the app gets, and a
    /// later edit to it changes nothing.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: ghcr.io/example/worker:3.3.0
    ///       env:
    ///         - name: LOG_LEVEL
    ///           value: info
    ///         - name: QUEUE
    ///           value: jobs
    ///         - name: LOG_LEVEL
    ///           value: debug
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: ghcr.io/example/worker:3.3.0
    ///       env:
    ///         - name: LOG_LEVEL
    ///           value: debug
    ///         - name: QUEUE
    ///           value: jobs
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of the two values is meant is yours to say.
    pub struct DuplicateEnvVar {
        id: "duplicate-env-var",
        category: Workloads,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Twice<'a> {
    container: usize,
    name: &'a str,
    first: &'a Node,
    again: &'a Node,
}

impl Rule for DuplicateEnvVar {
    type State<'a> = Twice<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Twice<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            let names: Vec<&Node> = c
                .node
                .get("env")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.get("name"))
                .collect();
            for (i, node) in names.iter().enumerate() {
                let Some(name) = node.as_str() else { continue };
                if let Some(first) = names[..i].iter().find(|n| n.as_str() == Some(name)) {
                    out.push(Twice {
                        container: index,
                        name,
                        first,
                        again: node,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Diagnostic {
        let c = &ws.containers[t.container];
        let object = &ws.objects[c.object];
        let first_line = ws.lines(object.file).line_of(t.first.span.start) + 1;
        Diagnostic {
            file: object.file,
            range: t.again.span,
            message: format!(
                "Container {} of {} defines {} twice (first on line {first_line}); this one wins",
                c.name.unwrap_or("(no name)"),
                object.display(),
                t.name
            ),
            why: "Kubernetes keeps the last definition without an error: the first value, and any later change to it, has no effect.".into(),
            help: Some("Keep one definition with the value you mean.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Vec<Related> {
        let object = &ws.objects[ws.containers[t.container].object];
        vec![Related {
            file: object.file,
            range: t.first.span,
            message: format!("{} first defined here, and overridden", t.name),
        }]
    }
}
