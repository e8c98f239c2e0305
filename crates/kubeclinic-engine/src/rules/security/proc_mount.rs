use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node};

use super::{container_label, judged_containers, set, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds containers whose `securityContext.procMount` is not `Default` (`Unmasked`), a
    /// control of the Pod Security Standards' `baseline` level.
    ///
    /// ## Why is this bad?
    /// The runtime normally masks parts of `/proc` and makes others read-only
    /// (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys`); an unmasked `/proc` lets the
    /// container read the node's memory, change kernel settings or reboot the node. It exists
    /// for container runtimes nested in a user-namespaced pod. A namespace that enforces the
    /// `baseline` (or `restricted`) Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: sandbox
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: runner
    ///       image: ghcr.io/example/runner:2.0.1
    ///       securityContext:
    ///         procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: sandbox
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: runner
    ///       image: ghcr.io/example/runner:2.0.1
    ///       securityContext:
    ///         procMount: Default
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `procMount: Default`; a container runtime nested in the pod that
    /// needs its own unmasked `/proc` then fails to start its containers.
    pub struct ProcMount {
        id: "proc-mount",
        category: Security,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Unmasked<'a> {
    container: usize,
    value: &'a Node,
    admission: Admission<'a>,
}

impl Rule for ProcMount {
    type State<'a> = Unmasked<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unmasked<'a>> {
        judged_containers(ws)
            .filter_map(|(index, c)| {
                let value = set(c.node.get("securityContext"), "procMount")?;
                if value.as_str()? == "Default" {
                    return None;
                }
                Some(Unmasked {
                    container: index,
                    value,
                    admission: Admission::of(ws, c.template, Level::Baseline)?,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unmasked<'a>) -> Diagnostic {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        Diagnostic {
            file: object.file,
            range: u.value.span,
            message: format!(
                "{} does not mask /proc (procMount: {}){}",
                container_label(ws, c),
                u.value.as_str().unwrap_or("?"),
                u.admission.suffix()
            ),
            why: format!(
                "An unmasked /proc lets the container read the node's memory (/proc/kcore), change kernel settings (/proc/sys) or reboot the node (/proc/sysrq-trigger). {}",
                u.admission.consequence(object)
            ),
            help: Some("Remove `procMount` or set it to `Default`; only a container runtime nested in a pod with `hostUsers: false` needs `Unmasked`, and it belongs in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: u.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, u: &Unmasked<'a>) -> Vec<Related> {
        u.admission.related()
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unmasked<'a>) -> Option<Fix> {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        let style = u
            .value
            .as_scalar()
            .map_or(crate::yaml::ScalarStyle::Plain, |s| s.style);
        Some(Fix::new(
            format!(
                "Set procMount: Default on container {} of {}",
                c.name.unwrap_or("(no name)"),
                object.display()
            ),
            Applicability::Unsafe,
            vec![Edit::replace(
                object.file,
                u.value.span,
                render_scalar("Default", style),
            )],
        ))
    }
}
