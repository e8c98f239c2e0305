use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{container_label, judged_containers, privileged_flag, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds containers that run privileged (`securityContext.privileged: true`), a control of
    /// the Pod Security Standards' `baseline` level.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every device of the node, and no
    /// seccomp or AppArmor confinement: whoever gets code running in it is root on the node.
    /// A namespace that enforces the `baseline` (or `restricted`) Pod Security level refuses
    /// the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: ledger
    /// spec:
    ///   selector:
    ///     matchLabels: {app: ledger}
    ///   template:
    ///     metadata:
    ///       labels: {app: ledger}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/ledger:2.3.1
    ///           securityContext:
    ///             privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: ledger
    /// spec:
    ///   selector:
    ///     matchLabels: {app: ledger}
    ///   template:
    ///     metadata:
    ///       labels: {app: ledger}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/ledger:2.3.1
    ///           securityContext:
    ///             privileged: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `privileged: false`. A process that needs the node's devices, to
    /// mount file systems or to change the node's network (a CSI or CNI driver, a node agent)
    /// stops working; give it the one capability it needs instead, or run it in a namespace
    /// that enforces the `privileged` level.
    pub struct Privileged {
        id: "privileged",
        category: Security,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Flagged<'a> {
    container: usize,
    flag: &'a Node,
    admission: Admission<'a>,
}

impl Rule for Privileged {
    type State<'a> = Flagged<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Flagged<'a>> {
        judged_containers(ws)
            .filter_map(|(index, c)| {
                Some(Flagged {
                    container: index,
                    flag: privileged_flag(c)?,
                    admission: Admission::of(ws, c.template, Level::Baseline)?,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Flagged<'a>) -> Diagnostic {
        let c = &ws.containers[p.container];
        let object = &ws.objects[c.object];
        Diagnostic {
            file: object.file,
            range: p.flag.span,
            message: format!(
                "{} runs privileged (securityContext.privileged: true){}",
                container_label(ws, c),
                p.admission.suffix()
            ),
            why: format!(
                "A privileged container has every capability and device of the node: code running in it is root on the node. {}",
                p.admission.consequence(object)
            ),
            help: Some("Remove `privileged: true` and add only the capability the process needs (`capabilities.add`); if it truly needs the node (a CSI or CNI driver, a node agent), run it in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: p.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, p: &Flagged<'a>) -> Vec<Related> {
        p.admission.related()
    }

    fn fix<'a>(ws: &Workspace<'a>, p: &Flagged<'a>) -> Option<Fix> {
        let c = &ws.containers[p.container];
        let object = &ws.objects[c.object];
        Some(Fix::new(
            format!(
                "Set privileged: false on container {} of {}",
                c.name.unwrap_or("(no name)"),
                object.display()
            ),
            Applicability::Unsafe,
            vec![Edit::replace(object.file, p.flag.span, "false")],
        ))
    }
}
