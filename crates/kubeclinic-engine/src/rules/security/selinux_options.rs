use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{container_label, judged, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds SELinux options that the Pod Security Standards' `baseline` level forbids, in the
    /// pod's or a container's `securityContext.seLinuxOptions`: a `type` other than
    /// `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t`, or any
    /// `user` or `role`. One finding per field.
    ///
    /// ## Why is this bad?
    /// On nodes that enforce SELinux, the container's label is what keeps it from the node's
    /// files and processes; another type, user or role can lift that confinement (`spc_t` is not
    /// confined at all). A namespace that enforces the `baseline` (or `restricted`) Pod
    /// Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: collector
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: ghcr.io/example/collector:3.3.0
    ///       securityContext:
    ///         seLinuxOptions:
    ///           type: spc_t
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: collector
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: ghcr.io/example/collector:3.3.0
    ///       securityContext:
    ///         seLinuxOptions:
    ///           level: "s0:c123,c456"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which label the process needs depends on the node's SELinux policy and what the
    /// process reads on the node.
    pub struct SelinuxOptions {
        id: "selinux-options",
        category: Security,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

/// The types the `baseline` level allows.
const TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub struct Label<'a> {
    template: usize,
    /// The container, by index in `Workspace::containers`; `None` for the pod's options.
    container: Option<usize>,
    field: &'static str,
    value: &'a Node,
    admission: Admission<'a>,
}

fn forbidden(options: Option<&Node>) -> Vec<(&'static str, &Node)> {
    let Some(options) = options else {
        return Vec::new();
    };
    ["type", "user", "role"]
        .into_iter()
        .filter_map(|field| {
            let value = options.get(field)?;
            let text = value.as_str().filter(|t| !t.is_empty())?;
            (field != "type" || !TYPES.contains(&text)).then_some((field, value))
        })
        .collect()
}

impl Rule for SelinuxOptions {
    type State<'a> = Label<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Label<'a>> {
        let mut out = Vec::new();
        for (template, t) in judged(ws) {
            let mut found: Vec<(Option<usize>, &'static str, &'a Node)> =
                forbidden(t.spec.path(&["securityContext", "seLinuxOptions"]))
                    .into_iter()
                    .map(|(field, value)| (None, field, value))
                    .collect();
            for index in t.containers.clone() {
                let options = ws.containers[index]
                    .node
                    .path(&["securityContext", "seLinuxOptions"]);
                found.extend(
                    forbidden(options)
                        .into_iter()
                        .map(|(field, value)| (Some(index), field, value)),
                );
            }
            if found.is_empty() {
                continue;
            }
            let Some(admission) = Admission::of(ws, template, Level::Baseline) else {
                continue;
            };
            out.extend(found.into_iter().map(|(container, field, value)| Label {
                template,
                container,
                field,
                value,
                admission,
            }));
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, l: &Label<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[l.template]);
        let value = l.value.as_str().unwrap_or("");
        let who = match l.container {
            Some(index) => container_label(ws, &ws.containers[index]),
            None => format!("{} gives its containers", object.display()),
        };
        let verb = if l.container.is_some() { " sets" } else { "" };
        let note = if value == "spc_t" {
            ", the unconfined super-privileged type"
        } else {
            ""
        };
        Diagnostic {
            file: object.file,
            range: l.value.span,
            message: format!(
                "{who}{verb} the SELinux {} {value}{note} (seLinuxOptions.{}){}",
                l.field,
                l.field,
                l.admission.suffix()
            ),
            why: format!(
                "On nodes that enforce SELinux, the container's label keeps it from the node's files and processes; another type, user or role can lift that confinement. {}",
                l.admission.consequence(object)
            ),
            help: Some(format!(
                "Remove `seLinuxOptions.{}` to get the runtime's own label{}; only `level` may be set freely. A node agent that truly needs another label belongs in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.",
                l.field,
                if l.field == "type" {
                    format!(", or use one of {}", TYPES.join(", "))
                } else {
                    String::new()
                }
            )),
            object: Some(object.reference()),
            container: l
                .container
                .and_then(|i| ws.containers[i].name)
                .map(String::from),
            severity: l.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, l: &Label<'a>) -> Vec<Related> {
        l.admission.related()
    }
}
