use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::yaml::{render_scalar, Node};

use super::container_title;
use crate::rules::images::reference::is_placeholder;

declare_rule! {
    /// ## What it does
    /// Finds a container's `volumeMounts[].name` (or `volumeDevices[].name`) that no volume
    /// of its pod declares: neither `spec.volumes[].name` nor, for a StatefulSet, a
    /// `volumeClaimTemplates[].metadata.name`. Says which volume comes close.
    ///
    /// ## Why is this bad?
    /// The API server refuses the pod (`volumeMounts[0].name: Not found: "config"`): a
    /// workload's pods are never created, and only the ReplicaSet's or StatefulSet's events
    /// say why.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: gateway
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: gateway}
    ///   template:
    ///     metadata:
    ///       labels: {app: gateway}
    ///     spec:
    ///       containers:
    ///         - name: envoy
    ///           image: ghcr.io/example/gateway:1.30.2
    ///           volumeMounts:
    ///             - name: gateway-confg
    ///               mountPath: /etc/envoy
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    ///       volumes:
    ///         - name: gateway-config
    ///           emptyDir: {}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: gateway
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: gateway}
    ///   template:
    ///     metadata:
    ///       labels: {app: gateway}
    ///     spec:
    ///       containers:
    ///         - name: envoy
    ///           image: ghcr.io/example/gateway:1.30.2
    ///           volumeMounts:
    ///             - name: gateway-config
    ///               mountPath: /etc/envoy
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    ///       volumes:
    ///         - name: gateway-config
    ///           emptyDir: {}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the declared volume that differs by a typo; check it is the one
    /// to mount there. Without a near name there is no fix: declare the volume.
    pub struct VolumeMountMissingVolume {
        id: "volume-mount-missing-volume",
        category: Workloads,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Unmounted<'a> {
    container: usize,
    name: &'a Node,
    field: &'static str,
    /// Every volume the pod has: name and node.
    volumes: Vec<(&'a str, &'a Node)>,
}

impl Unmounted<'_> {
    fn near(&self) -> Option<(&str, &Node)> {
        let wanted = self.name.as_str()?;
        let near = nearest(wanted, self.volumes.iter().map(|(n, _)| *n))?;
        self.volumes.iter().find(|(n, _)| *n == near).copied()
    }
}

impl Rule for VolumeMountMissingVolume {
    type State<'a> = Unmounted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unmounted<'a>> {
        let mut out = Vec::new();
        for template in &ws.templates {
            let object = ws.object_of(template);
            // An operator may add volumes to the pods of its custom resource.
            if object.is_live() || object.is_custom_resource() {
                continue;
            }
            let mut volumes: Vec<(&str, &Node)> = template
                .spec
                .get("volumes")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| {
                    let n = v.get("name")?;
                    Some((n.as_str()?, n))
                })
                .collect();
            if object.kind == "StatefulSet" {
                volumes.extend(
                    object
                        .node
                        .path(&["spec", "volumeClaimTemplates"])
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|c| {
                            let n = c.path(&["metadata", "name"])?;
                            Some((n.as_str()?, n))
                        }),
                );
            }
            for index in template.containers.clone() {
                let c = &ws.containers[index];
                for field in ["volumeMounts", "volumeDevices"] {
                    for mount in c.node.get(field).map(Node::items).unwrap_or_default() {
                        let Some(name) = mount.get("name") else {
                            continue;
                        };
                        let Some(wanted) = name.as_str() else {
                            continue;
                        };
                        if is_placeholder(wanted) || volumes.iter().any(|(v, _)| *v == wanted) {
                            continue;
                        }
                        out.push(Unmounted {
                            container: index,
                            name,
                            field,
                            volumes: volumes.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unmounted<'a>) -> Diagnostic {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        let wanted = u.name.as_str().unwrap_or_default();
        let near = u
            .near()
            .map(|(n, _)| format!(": did you mean {n}?"))
            .unwrap_or_default();
        let have = if u.volumes.is_empty() {
            " (the pod declares no volumes)".to_string()
        } else if near.is_empty() {
            format!(
                " (it declares {})",
                u.volumes
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        let message = format!(
            "{} mounts volume {wanted}, which the pod does not declare{have}{near}",
            container_title(ws, c)
        );
        let field = u.field;
        Diagnostic {
            file: object.file,
            range: u.name.span,
            message,
            why: format!("The API server refuses the pod (`{field}.name: Not found: \"{wanted}\"`): none of its pods are created."),
            help: Some(format!("Name a volume of the pod's `spec.volumes`{}, or declare a volume {wanted}.", if object.kind == "StatefulSet" { " or `volumeClaimTemplates`" } else { "" })),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unmounted<'a>) -> Vec<Related> {
        let file = ws.objects[ws.containers[u.container].object].file;
        u.near()
            .map(|(name, node)| Related {
                file,
                range: node.span,
                message: format!("the volume {name}"),
            })
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unmounted<'a>) -> Option<Fix> {
        let (near, _) = u.near()?;
        let file = ws.objects[ws.containers[u.container].object].file;
        let style = u.name.as_scalar()?.style;
        Some(Fix::new(
            format!("Mount volume {near}"),
            Applicability::Unsafe,
            vec![Edit::replace(file, u.name.span, render_scalar(near, style))],
        ))
    }
}
