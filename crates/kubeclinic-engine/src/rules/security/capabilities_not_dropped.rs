use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Related, Severity};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{
    append_item, capability, container_anchor, container_label, is_windows, judged_containers,
    privileged_flag, Admission, Level,
};

declare_rule! {
    /// ## What it does
    /// Finds containers that do not drop every capability (`capabilities.drop` lacks `ALL`), a
    /// control of the Pod Security Standards' `restricted` level. A hardening check of the
    /// strict profile, and an error there in a namespace of the set that enforces `restricted`.
    /// A privileged container has them all anyway: `privileged` reports it.
    ///
    /// ## Why is this bad?
    /// The container keeps the runtime's default capabilities (`NET_RAW`, `CHOWN`,
    /// `DAC_OVERRIDE`, `SETUID`, `SETGID` and more) that most apps never use: with `NET_RAW`
    /// alone a compromised process can spoof packets to its neighbours on the node. A namespace
    /// that enforces the `restricted` Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: mailer
    /// spec:
    ///   containers:
    ///     - name: smtp
    ///       image: ghcr.io/example/mailer:1.5.2
    ///       securityContext:
    ///         capabilities:
    ///           drop: [NET_RAW]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: mailer
    /// spec:
    ///   containers:
    ///     - name: smtp
    ///       image: ghcr.io/example/mailer:1.5.2
    ///       securityContext:
    ///         capabilities:
    ///           drop: [ALL]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds `ALL` to `capabilities.drop`; a process that changes file owners,
    /// switches users or binds a port below 1024 then fails with `operation not permitted`.
    /// Add back what it needs in `capabilities.add`.
    pub struct CapabilitiesNotDropped {
        id: "capabilities-not-dropped",
        category: Security,
        severity: Info,
        fix: Sometimes,
        reads: Manifests,
        profile: Strict,
        explained_by: ["privileged"],
    }
}

pub struct Kept<'a> {
    container: usize,
    /// The container's `drop` list, when it has one.
    drop: Option<&'a Node>,
    admission: Admission<'a>,
}

impl Rule for CapabilitiesNotDropped {
    type State<'a> = Kept<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Kept<'a>> {
        judged_containers(ws)
            .filter(|(_, c)| !is_windows(&ws.templates[c.template]))
            .filter_map(|(index, c)| {
                let drop = c.node.path(&["securityContext", "capabilities", "drop"]);
                let all = drop
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| capability(s) == "ALL"));
                if all {
                    return None;
                }
                Some(Kept {
                    container: index,
                    drop,
                    admission: Admission::of(ws, c.template, Level::Restricted)?,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, k: &Kept<'a>) -> Diagnostic {
        let c = &ws.containers[k.container];
        let object = &ws.objects[c.object];
        let range = c
            .node
            .path(&["securityContext", "capabilities"])
            .and_then(|caps| caps.entry("drop"))
            .map_or(container_anchor(c), |e| e.key.span);
        Diagnostic {
            file: object.file,
            range,
            message: format!(
                "{} keeps the runtime's default capabilities (capabilities.drop does not list ALL){}",
                container_label(ws, c),
                k.admission.suffix()
            ),
            why: format!(
                "NET_RAW, CHOWN, DAC_OVERRIDE, SETUID and the other default capabilities stay with the process, which most apps never need: with NET_RAW alone a compromised process can spoof packets to its neighbours. {}",
                k.admission.consequence(object)
            ),
            help: Some("Add `ALL` to `capabilities.drop` and add back only what the process needs (`NET_BIND_SERVICE` is the one the `restricted` level allows).".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: Some(k.admission.severity().unwrap_or(Severity::Info)),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, k: &Kept<'a>) -> Vec<Related> {
        k.admission.related()
    }

    /// `privileged: true` of the container: `privileged`'s finding there explains this one.
    fn evidence<'a>(ws: &Workspace<'a>, k: &Kept<'a>) -> Vec<(FileId, TextRange)> {
        let c = &ws.containers[k.container];
        privileged_flag(c)
            .map(|n| (ws.objects[c.object].file, n.span))
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, k: &Kept<'a>) -> Option<Fix> {
        let c = &ws.containers[k.container];
        let object = &ws.objects[c.object];
        let edits = match k.drop {
            Some(drop) if !drop.items().is_empty() || drop.flow => {
                vec![append_item(ws, object.file, drop, "ALL")?]
            }
            Some(_) => return None,
            None => set_paths(
                ws,
                object.file,
                c.node,
                &[(
                    vec!["securityContext", "capabilities", "drop"],
                    Value::Block(vec!["- ALL".into()]),
                )],
            ),
        };
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!(
                    "Drop all capabilities of container {} of {}",
                    c.name.unwrap_or("(no name)"),
                    object.display()
                ),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
