use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;

use super::{
    confinement_fix, confinement_message, container_anchor, container_label, inherited, is_windows,
    judged, template_metadata, unconfined, Admission, Level, Unconfined,
};

declare_rule! {
    /// ## What it does
    /// Finds pods and containers that turn seccomp off, a control of the Pod Security
    /// Standards' `baseline` level: `seccompProfile.type: Unconfined` in the pod's or a
    /// container's securityContext, or the legacy annotations
    /// `seccomp.security.alpha.kubernetes.io/pod` and
    /// `container.seccomp.security.alpha.kubernetes.io/<container>` set to `unconfined`. In a
    /// namespace of the set that enforces the `restricted` level, a container without any
    /// seccomp profile is an error too: that level refuses it.
    ///
    /// ## Why is this bad?
    /// Without a seccomp filter the container may make every system call of the node's kernel,
    /// the rarely used ones most kernel exploits go through included; the runtime's default
    /// profile blocks them and nothing an ordinary app needs. A namespace that enforces the
    /// `baseline` (or `restricted`) Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: search
    /// spec:
    ///   selector:
    ///     matchLabels: {app: search}
    ///   template:
    ///     metadata:
    ///       labels: {app: search}
    ///     spec:
    ///       securityContext:
    ///         seccompProfile:
    ///           type: Unconfined
    ///       containers:
    ///         - name: indexer
    ///           image: ghcr.io/example/search:7.4.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: search
    /// spec:
    ///   selector:
    ///     matchLabels: {app: search}
    ///   template:
    ///     metadata:
    ///       labels: {app: search}
    ///     spec:
    ///       securityContext:
    ///         seccompProfile:
    ///           type: RuntimeDefault
    ///       containers:
    ///         - name: indexer
    ///           image: ghcr.io/example/search:7.4.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix asks for the runtime's default profile (`type: RuntimeDefault`, or
    /// `runtime/default` in an annotation); a process that makes a system call the profile
    /// blocks (some debuggers, nested sandboxes) then fails with `operation not permitted`.
    pub struct SeccompUnconfined {
        id: "seccomp-unconfined",
        category: Security,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub enum Found<'a> {
    Unconfined(Unconfined<'a>),
    /// A container without any profile, in a namespace that enforces `restricted`.
    Missing(usize),
}

pub struct Filterless<'a> {
    found: Found<'a>,
    admission: Admission<'a>,
}

impl Rule for SeccompUnconfined {
    type State<'a> = Filterless<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Filterless<'a>> {
        let mut out: Vec<Filterless> = unconfined(
            ws,
            "seccompProfile",
            CONTAINER_ANNOTATION,
            Some(POD_ANNOTATION),
        )
        .into_iter()
        .filter_map(|found| {
            Some(Filterless {
                admission: Admission::of(ws, found.template, Level::Baseline)?,
                found: Found::Unconfined(found),
            })
        })
        .collect();
        for (template, t) in judged(ws) {
            let Some(admission) = Admission::of(ws, template, Level::Restricted) else {
                continue;
            };
            if !admission.refused() || is_windows(t) {
                continue;
            }
            let annotations = template_metadata(ws, t).and_then(|m| m.get("annotations"));
            for index in t.containers.clone() {
                let c = &ws.containers[index];
                let annotated = annotations.is_some_and(|a| {
                    a.get(POD_ANNOTATION).is_some()
                        || c.name
                            .is_some_and(|n| a.get(&format!("{CONTAINER_ANNOTATION}{n}")).is_some())
                });
                if inherited(ws, c, "seccompProfile").is_none() && !annotated {
                    out.push(Filterless {
                        found: Found::Missing(index),
                        admission,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, f: &Filterless<'a>) -> Diagnostic {
        let (object, container, message, range) = match &f.found {
            Found::Unconfined(found) => {
                let (object, container, message) =
                    confinement_message(ws, found, "seccomp", "seccompProfile");
                (object, container, message, found.value.span)
            }
            Found::Missing(index) => {
                let c = &ws.containers[*index];
                (
                    &ws.objects[c.object],
                    c.name.map(String::from),
                    format!(
                        "{} sets no seccomp profile, so it runs without one",
                        container_label(ws, c)
                    ),
                    container_anchor(c),
                )
            }
        };
        Diagnostic {
            file: object.file,
            range,
            message: format!("{message}{}", f.admission.suffix()),
            why: format!(
                "Without a seccomp filter the container may make every system call of the node's kernel, the rarely used ones most kernel exploits go through included. {}",
                f.admission.consequence(object)
            ),
            help: Some("Use the runtime's default filter (`seccompProfile: {type: RuntimeDefault}` in the pod's securityContext), or load a profile that allows what the process needs and name it with `type: Localhost`.".into()),
            object: Some(object.reference()),
            container,
            severity: f.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, f: &Filterless<'a>) -> Vec<Related> {
        f.admission.related()
    }

    fn fix<'a>(ws: &Workspace<'a>, f: &Filterless<'a>) -> Option<Fix> {
        match &f.found {
            Found::Unconfined(found) => confinement_fix(ws, found, "seccomp", "runtime/default"),
            Found::Missing(index) => {
                let c = &ws.containers[*index];
                let object = &ws.objects[c.object];
                let edits = set_paths(
                    ws,
                    object.file,
                    c.node,
                    &[(
                        vec!["securityContext", "seccompProfile", "type"],
                        Value::Scalar("RuntimeDefault".into()),
                    )],
                );
                (!edits.is_empty()).then(|| {
                    Fix::new(
                        format!(
                            "Use the runtime's default seccomp profile for container {} of {} (RuntimeDefault)",
                            c.name.unwrap_or("(no name)"),
                            object.display()
                        ),
                        Applicability::Unsafe,
                        edits,
                    )
                })
            }
        }
    }
}
