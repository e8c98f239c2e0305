use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{ContainerKind, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{container_anchor, container_label, flag, is_windows, judged_containers, set};

declare_rule! {
    /// ## What it does
    /// Finds containers whose root file system is writable: `readOnlyRootFilesystem` is not
    /// `true` in their securityContext. A hardening check of the strict profile; the Pod
    /// Security Standards do not require it.
    ///
    /// ## Why is this bad?
    /// Whoever gets code running in the container can drop tools into it and change the app's
    /// own files, and what the app writes there (logs, caches) fills the node's disk without a
    /// limit that says so.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: catalog
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: ghcr.io/example/catalog:2.2.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: catalog
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: ghcr.io/example/catalog:2.2.0
    ///       securityContext:
    ///         readOnlyRootFilesystem: true
    ///       volumeMounts:
    ///         - name: tmp
    ///           mountPath: /tmp
    ///   volumes:
    ///     - name: tmp
    ///       emptyDir: {}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `readOnlyRootFilesystem: true`; an app that writes outside its
    /// volumes (`/tmp`, a cache, a pid file) then fails with `read-only file system`. Mount an
    /// `emptyDir` at each such path.
    pub struct WritableRootFs {
        id: "writable-root-fs",
        category: Security,
        severity: Info,
        fix: Sometimes,
        reads: Manifests,
        profile: Strict,
    }
}

pub struct Writable<'a> {
    container: usize,
    /// `readOnlyRootFilesystem: false`; `None` when it is not set.
    value: Option<&'a Node>,
}

impl Rule for WritableRootFs {
    type State<'a> = Writable<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Writable<'a>> {
        judged_containers(ws)
            .filter(|(_, c)| {
                c.kind != ContainerKind::Ephemeral && !is_windows(&ws.templates[c.template])
            })
            .filter_map(|(index, c)| {
                let value = set(c.node.get("securityContext"), "readOnlyRootFilesystem");
                if value.and_then(flag) == Some(true) {
                    return None;
                }
                Some(Writable {
                    container: index,
                    value,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, w: &Writable<'a>) -> Diagnostic {
        let c = &ws.containers[w.container];
        let object = &ws.objects[c.object];
        let range: TextRange = w.value.map_or(container_anchor(c), |v| v.span);
        Diagnostic {
            file: object.file,
            range,
            message: format!(
                "{} can write to its root file system (readOnlyRootFilesystem is not true)",
                container_label(ws, c)
            ),
            why: "Whoever gets code running in it can drop tools into it and change the app's own files, and what the app writes there fills the node's disk.".into(),
            help: Some("Set `readOnlyRootFilesystem: true` and mount an `emptyDir` at each path the app writes to (`/tmp`, caches).".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, w: &Writable<'a>) -> Option<Fix> {
        let c = &ws.containers[w.container];
        let object = &ws.objects[c.object];
        let edits = set_paths(
            ws,
            object.file,
            c.node,
            &[(
                vec!["securityContext", "readOnlyRootFilesystem"],
                Value::Literal("true".into()),
            )],
        );
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!(
                    "Set readOnlyRootFilesystem: true on container {} of {}",
                    c.name.unwrap_or("(no name)"),
                    object.display()
                ),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
