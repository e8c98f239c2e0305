use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;

use super::{confinement_fix, confinement_message, unconfined, Admission, Level, Unconfined};

declare_rule! {
    /// ## What it does
    /// Finds pods and containers that turn AppArmor off, a control of the Pod Security
    /// Standards' `baseline` level: `appArmorProfile.type: Unconfined` in the pod's or a
    /// container's securityContext, or the annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>: unconfined` on the pod
    /// template.
    ///
    /// ## Why is this bad?
    /// The runtime's default AppArmor profile keeps a compromised process from writing to
    /// `/proc` and `/sys`, mounting file systems and other known ways out of the container;
    /// unconfined, only the other layers remain. A namespace that enforces the `baseline` (or
    /// `restricted`) Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: reports
    /// spec:
    ///   selector:
    ///     matchLabels: {app: reports}
    ///   template:
    ///     metadata:
    ///       labels: {app: reports}
    ///     spec:
    ///       containers:
    ///         - name: render
    ///           image: ghcr.io/example/reports:1.0.7
    ///           securityContext:
    ///             appArmorProfile:
    ///               type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: reports
    /// spec:
    ///   selector:
    ///     matchLabels: {app: reports}
    ///   template:
    ///     metadata:
    ///       labels: {app: reports}
    ///     spec:
    ///       containers:
    ///         - name: render
    ///           image: ghcr.io/example/reports:1.0.7
    ///           securityContext:
    ///             appArmorProfile:
    ///               type: RuntimeDefault
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix asks for the runtime's default profile (`type: RuntimeDefault`, or
    /// `runtime/default` in the annotation); a process that mounts file systems or writes to
    /// `/proc` is then denied. Write a `Localhost` profile that allows what it needs instead.
    pub struct ApparmorUnconfined {
        id: "apparmor-unconfined",
        category: Security,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

pub struct Off<'a> {
    found: Unconfined<'a>,
    admission: Admission<'a>,
}

impl Rule for ApparmorUnconfined {
    type State<'a> = Off<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Off<'a>> {
        unconfined(ws, "appArmorProfile", ANNOTATION, None)
            .into_iter()
            .filter_map(|found| {
                Some(Off {
                    admission: Admission::of(ws, found.template, Level::Baseline)?,
                    found,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, off: &Off<'a>) -> Diagnostic {
        let (object, container, message) =
            confinement_message(ws, &off.found, "AppArmor", "appArmorProfile");
        Diagnostic {
            file: object.file,
            range: off.found.value.span,
            message: format!("{message}{}", off.admission.suffix()),
            why: format!(
                "The runtime's default AppArmor profile keeps a compromised process from writing to /proc and /sys, mounting file systems and other known ways out of the container; unconfined, only the other layers remain. {}",
                off.admission.consequence(object)
            ),
            help: Some("Remove it to get the runtime's default profile (`RuntimeDefault`), or load a profile that allows what the process needs and name it with `type: Localhost`.".into()),
            object: Some(object.reference()),
            container,
            severity: off.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, off: &Off<'a>) -> Vec<Related> {
        off.admission.related()
    }

    fn fix<'a>(ws: &Workspace<'a>, off: &Off<'a>) -> Option<Fix> {
        confinement_fix(ws, &off.found, "AppArmor", "runtime/default")
    }
}
