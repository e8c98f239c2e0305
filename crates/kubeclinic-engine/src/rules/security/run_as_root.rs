use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::yaml::Node;

use super::{
    container_anchor, container_label, flag, inherited, is_windows, judged, pods_of, strict,
    Admission, Level, Scope,
};

declare_rule! {
    /// ## What it does
    /// Finds containers told to run as root, a control of the Pod Security Standards'
    /// `restricted` level: `runAsUser: 0`, or `runAsNonRoot: false` with no other user set, in
    /// the container's securityContext or its pod's (the container's own setting wins). A
    /// container that sets neither `runAsNonRoot: true` nor a non-root `runAsUser` runs as
    /// whatever user its image names, root when it names none: it is reported under the strict
    /// profile, as an info, and as an error in a namespace of the set that enforces
    /// `restricted`, which requires `runAsNonRoot: true`.
    ///
    /// ## Why is this bad?
    /// A process that runs as root owns every file of the container and its volumes, and one
    /// that breaks out of the container is root on the node. A namespace that enforces the
    /// `restricted` Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   selector:
    ///     matchLabels: {app: invoices}
    ///   template:
    ///     metadata:
    ///       labels: {app: invoices}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/invoices:1.9.3
    ///           securityContext:
    ///             runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   selector:
    ///     matchLabels: {app: invoices}
    ///   template:
    ///     metadata:
    ///       labels: {app: invoices}
    ///     spec:
    ///       securityContext:
    ///         runAsNonRoot: true
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/invoices:1.9.3
    ///           securityContext:
    ///             runAsUser: 10001
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: for `runAsNonRoot: false` or an unset one, the fix sets `runAsNonRoot: true`;
    /// the kubelet then refuses to start an image that runs as root
    /// (`CreateContainerConfigError`), so the image needs a numeric non-root `USER` or a
    /// `runAsUser`. `runAsUser: 0` gets no fix: which user the image works with is yours to
    /// pick, and files it writes may need another owner.
    pub struct RunAsRoot {
        id: "run-as-root",
        category: Security,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

#[derive(Clone, Copy)]
pub enum Kind<'a> {
    /// `runAsUser: 0`.
    User(&'a Node, Scope),
    /// `runAsNonRoot: false`, no user set.
    NonRootFalse(&'a Node, Scope),
    /// Nothing says the container runs as another user than its image's.
    Unset,
}

pub struct Root<'a> {
    template: usize,
    /// The containers it applies to, by index in `Workspace::containers`.
    containers: Vec<usize>,
    kind: Kind<'a>,
    admission: Admission<'a>,
}

impl Rule for RunAsRoot {
    type State<'a> = Root<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Root<'a>> {
        let strict = strict(ws);
        let mut out: Vec<Root<'a>> = Vec::new();
        for (template, t) in judged(ws) {
            // A namespace that admits root still runs the kubelet's own check.
            let admitted = Admission::of(ws, template, Level::Restricted);
            let admission = admitted.unwrap_or(Admission {
                check: Level::Restricted,
                enforced: None,
                node_agent: ws.object_of(t).kind == "DaemonSet",
            });
            for index in t.containers.clone() {
                let c = &ws.containers[index];
                let user = inherited(ws, c, "runAsUser");
                let non_root = inherited(ws, c, "runAsNonRoot");
                let requires_non_root = non_root.is_some_and(|(n, _)| flag(n) == Some(true));
                let kind = match (user, non_root) {
                    (Some((node, scope)), _)
                        if node.as_i64() == Some(0)
                            && (admitted.is_some() || requires_non_root) =>
                    {
                        Kind::User(node, scope)
                    }
                    _ if admitted.is_none() => continue,
                    (Some((node, scope)), _) if node.as_i64() == Some(0) => Kind::User(node, scope),
                    (None, Some((node, scope))) if flag(node) == Some(false) => {
                        Kind::NonRootFalse(node, scope)
                    }
                    // `restricted` asks for `runAsNonRoot: true` whatever the user.
                    (_, non_root)
                        if admission.refused()
                            && non_root.is_none_or(|(n, _)| flag(n) != Some(true)) =>
                    {
                        Kind::Unset
                    }
                    (None, None) if strict && !is_windows(t) => Kind::Unset,
                    _ => continue,
                };
                // A pod-wide setting is one finding, for every container that inherits it.
                let same_pod_setting = |r: &Root| match (r.kind, kind) {
                    (Kind::User(a, Scope::Pod), Kind::User(b, Scope::Pod))
                    | (Kind::NonRootFalse(a, Scope::Pod), Kind::NonRootFalse(b, Scope::Pod)) => {
                        std::ptr::eq(a, b)
                    }
                    _ => false,
                };
                match out.iter_mut().find(|r| same_pod_setting(r)) {
                    Some(root) => root.containers.push(index),
                    None => out.push(Root {
                        template,
                        containers: vec![index],
                        kind,
                        admission,
                    }),
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, r: &Root<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[r.template]);
        let first = &ws.containers[r.containers[0]];
        let names: Vec<&str> = r
            .containers
            .iter()
            .map(|&i| ws.containers[i].name.unwrap_or("(no name)"))
            .collect();
        let pod_wide = |how: &str, setting: &str| {
            format!(
                "{} runs container{} {} {how} ({setting} in the pod's securityContext)",
                object.display(),
                if names.len() > 1 { "s" } else { "" },
                names.join(", ")
            )
        };
        let requires_non_root =
            inherited(ws, first, "runAsNonRoot").is_some_and(|(n, _)| flag(n) == Some(true));
        let (range, message, severity) = match r.kind {
            Kind::User(node, Scope::Pod) => (
                node.span,
                pod_wide("as root", "runAsUser: 0"),
                r.admission.severity(),
            ),
            Kind::User(node, _) if requires_non_root => (
                node.span,
                format!(
                    "{} is told to run as root (runAsUser: 0) and to refuse root (runAsNonRoot: true): the kubelet never starts it",
                    container_label(ws, first)
                ),
                Some(Severity::Error),
            ),
            Kind::User(node, Scope::Container) => (
                node.span,
                format!("{} runs as root (runAsUser: 0)", container_label(ws, first)),
                r.admission.severity(),
            ),
            Kind::NonRootFalse(node, Scope::Pod) => (
                node.span,
                format!(
                    "{}: {} as root if {} image does",
                    pod_wide("without the non-root check", "runAsNonRoot: false"),
                    if names.len() > 1 { "they run" } else { "it runs" },
                    if names.len() > 1 { "their" } else { "its" }
                ),
                r.admission.severity(),
            ),
            Kind::NonRootFalse(node, Scope::Container) => (
                node.span,
                format!(
                    "{} turns the non-root check off (runAsNonRoot: false): it runs as root if its image does",
                    container_label(ws, first)
                ),
                r.admission.severity(),
            ),
            Kind::Unset => (
                container_anchor(first),
                if inherited(ws, first, "runAsUser").is_some() {
                    format!("{} does not set runAsNonRoot: true", container_label(ws, first))
                } else {
                    format!(
                        "{} does not set runAsNonRoot: true: it runs as root if its image does",
                        container_label(ws, first)
                    )
                },
                Some(r.admission.severity().unwrap_or(Severity::Info)),
            ),
        };
        Diagnostic {
            file: object.file,
            range,
            message: format!("{message}{}", r.admission.suffix()),
            why: if requires_non_root && matches!(r.kind, Kind::User(..)) {
                "The kubelet refuses to create the container (CreateContainerConfigError: `container's runAsUser breaks non-root policy`): the pod never runs.".to_string()
            } else {
                format!(
                    "A process that runs as root owns every file of the container and its volumes, and one that breaks out of the container is root on the node. {}",
                    r.admission.consequence(object)
                )
            },
            help: Some("Build the image with a numeric non-root user (`USER 10001`), set `runAsNonRoot: true` so the kubelet refuses to start it as root, and give files it must write to that user (`fsGroup` for volumes).".into()),
            object: Some(object.reference()),
            container: (r.containers.len() == 1)
                .then(|| first.name.map(String::from))
                .flatten(),
            severity,
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, r: &Root<'a>) -> Vec<Related> {
        r.admission.related()
    }

    fn fix<'a>(ws: &Workspace<'a>, r: &Root<'a>) -> Option<Fix> {
        let object = ws.object_of(&ws.templates[r.template]);
        let first = &ws.containers[r.containers[0]];
        let (edits, whom) = match r.kind {
            Kind::User(..) => return None,
            Kind::NonRootFalse(node, scope) => (
                vec![Edit::replace(object.file, node.span, "true")],
                match scope {
                    Scope::Pod => pods_of(object),
                    Scope::Container => format!(
                        "container {} of {}",
                        first.name.unwrap_or("(no name)"),
                        object.display()
                    ),
                },
            ),
            Kind::Unset => {
                // An explicit `false` of the container is replaced; a missing one is added.
                let edits = set_paths(
                    ws,
                    object.file,
                    first.node,
                    &[(
                        vec!["securityContext", "runAsNonRoot"],
                        Value::Literal("true".into()),
                    )],
                );
                (
                    edits,
                    format!(
                        "container {} of {}",
                        first.name.unwrap_or("(no name)"),
                        object.display()
                    ),
                )
            }
        };
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!("Set runAsNonRoot: true on {whom} (its image must run as a non-root user)"),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
