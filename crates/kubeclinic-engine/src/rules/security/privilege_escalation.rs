use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Related, Severity};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{
    added_capabilities, container_anchor, container_label, flag, is_windows, judged_containers,
    privileged_flag, set, strict, Admission, Level,
};

declare_rule! {
    /// ## What it does
    /// Finds containers that may gain more privileges than they start with, a control of the
    /// Pod Security Standards' `restricted` level: `allowPrivilegeEscalation: true` is a
    /// warning. A container that leaves it unset (it then defaults to true) is reported under
    /// the strict profile, as an info, and as an error in a namespace of the set that enforces
    /// `restricted`. A privileged container may do anything anyway: `privileged` reports it.
    ///
    /// ## Why is this bad?
    /// A setuid binary or a file capability in the image (`sudo`, `ping`, a binary made with
    /// `setcap`) then raises the process's privileges past what the container was given: to
    /// root, with a setuid-root binary. A namespace that enforces the `restricted` Pod Security
    /// level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/checkout:2.8.0
    ///           securityContext:
    ///             allowPrivilegeEscalation: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/checkout:2.8.0
    ///           securityContext:
    ///             allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `allowPrivilegeEscalation: false` (the kernel's `no_new_privs`). A
    /// process that relies on a setuid binary (`sudo`, `su`) or on a file capability to bind a
    /// port below 1024 then fails with `operation not permitted`. No fix is offered for a
    /// privileged container or one that adds `SYS_ADMIN`: the API server refuses `false` there.
    pub struct PrivilegeEscalation {
        id: "privilege-escalation",
        category: Security,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["privileged"],
    }
}

pub struct Escalation<'a> {
    container: usize,
    /// `allowPrivilegeEscalation: true`; `None` when it is not set.
    value: Option<&'a Node>,
    admission: Admission<'a>,
}

impl Rule for PrivilegeEscalation {
    type State<'a> = Escalation<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Escalation<'a>> {
        let strict = strict(ws);
        let mut out = Vec::new();
        for (index, c) in judged_containers(ws) {
            let value = set(c.node.get("securityContext"), "allowPrivilegeEscalation");
            let explicit = match value.map(flag) {
                Some(Some(true)) => true,
                // Unset.
                None => false,
                // `false`, or a value of the wrong type.
                Some(_) => continue,
            };
            let Some(admission) = Admission::of(ws, c.template, Level::Restricted) else {
                continue;
            };
            let windows = is_windows(&ws.templates[c.template]);
            if !explicit && (windows || !(strict || admission.refused())) {
                continue;
            }
            out.push(Escalation {
                container: index,
                value: value.filter(|_| explicit),
                admission,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, e: &Escalation<'a>) -> Diagnostic {
        let c = &ws.containers[e.container];
        let object = &ws.objects[c.object];
        let (range, what, severity) = match e.value {
            Some(v) => (
                v.span,
                "may gain more privileges than it starts with (allowPrivilegeEscalation: true)",
                e.admission.severity(),
            ),
            None => (
                container_anchor(c),
                "does not set allowPrivilegeEscalation: false, so it may gain more privileges than it starts with",
                Some(e.admission.severity().unwrap_or(Severity::Info)),
            ),
        };
        Diagnostic {
            file: object.file,
            range,
            message: format!("{} {what}{}", container_label(ws, c), e.admission.suffix()),
            why: format!(
                "A setuid binary or a file capability in the image (sudo, ping, a binary made with setcap) can raise the process's privileges past what the container was given: to root, with a setuid-root binary. {}",
                e.admission.consequence(object)
            ),
            help: Some("Set `allowPrivilegeEscalation: false`. A binary that needs a file capability to bind a port below 1024 can listen above 1024 instead, with its Service mapping the port.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity,
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, e: &Escalation<'a>) -> Vec<Related> {
        e.admission.related()
    }

    /// `privileged: true` of the container: `privileged`'s finding there explains this one.
    fn evidence<'a>(ws: &Workspace<'a>, e: &Escalation<'a>) -> Vec<(FileId, TextRange)> {
        let c = &ws.containers[e.container];
        privileged_flag(c)
            .map(|n| (ws.objects[c.object].file, n.span))
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, e: &Escalation<'a>) -> Option<Fix> {
        let c = &ws.containers[e.container];
        let object = &ws.objects[c.object];
        // The API server refuses `false` beside these.
        if privileged_flag(c).is_some()
            || added_capabilities(c)
                .iter()
                .any(|(cap, _)| cap == "SYS_ADMIN" || cap == "ALL")
        {
            return None;
        }
        let edits = match e.value {
            Some(v) => vec![Edit::replace(object.file, v.span, "false")],
            None => set_paths(
                ws,
                object.file,
                c.node,
                &[(
                    vec!["securityContext", "allowPrivilegeEscalation"],
                    Value::Literal("false".into()),
                )],
            ),
        };
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!(
                    "Set allowPrivilegeEscalation: false on container {} of {}",
                    c.name.unwrap_or("(no name)"),
                    object.display()
                ),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
