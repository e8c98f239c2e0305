use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::quantity;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Compares what `kubectl describe pod` shows running (image, literal env values, resource
    /// limits and requests) with the container of the workload manifest in the same set, and
    /// reports each difference.
    ///
    /// ## Why is this bad?
    /// The cluster is not running what your files say. Either the last apply did not roll out
    /// (the pod template did not change, or the rollout is stuck), or someone changed the live
    /// object by hand (`kubectl edit`, `kubectl set image`) and the next apply will silently
    /// undo it. Debugging the files then explains nothing.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl describe pod backend-6c8d9f7b5-2xk9p -n prod
    /// Name:             backend-6c8d9f7b5-2xk9p
    /// Namespace:        prod
    /// Node:             node-2/10.0.1.8
    /// Controlled By:    ReplicaSet/backend-6c8d9f7b5
    /// Containers:
    ///   backend:
    ///     Image:          registry.example.com/backend:prod-v0.5.9
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: backend
    ///   namespace: prod
    /// spec:
    ///   selector:
    ///     matchLabels: {app: backend}
    ///   template:
    ///     metadata:
    ///       labels: {app: backend}
    ///     spec:
    ///       containers:
    ///         - name: backend
    ///           image: registry.example.com/backend:prod-v0.6.0
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl describe pod backend-7f9b8c6d4-9qz2m -n prod
    /// Name:             backend-7f9b8c6d4-9qz2m
    /// Namespace:        prod
    /// Node:             node-2/10.0.1.8
    /// Controlled By:    ReplicaSet/backend-7f9b8c6d4
    /// Containers:
    ///   backend:
    ///     Image:          registry.example.com/backend:prod-v0.6.0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: backend
    ///   namespace: prod
    /// spec:
    ///   selector:
    ///     matchLabels: {app: backend}
    ///   template:
    ///     metadata:
    ///       labels: {app: backend}
    ///     spec:
    ///       containers:
    ///         - name: backend
    ///           image: registry.example.com/backend:prod-v0.6.0
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the manifest states what you want, and which side is right is yours
    /// to say. `kubectl diff -f <file>` shows the differences; `kubectl rollout status` tells a
    /// stuck rollout; `kubectl apply` (or `kubectl rollout restart`) brings the cluster back.
    pub struct ManifestDrift {
        id: "manifest-drift",
        category: Drift,
        severity: Warning,
        fix: None,
        reads: Both,
    }
}

pub struct Drift {
    pod: usize,
    container: String,
    template: usize,
    /// `(what, running, manifest, where in the describe)`.
    differences: Vec<(String, String, String, TextRange)>,
}

impl Rule for ManifestDrift {
    type State<'a> = Drift;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Drift> {
        let mut out = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            for running in &observed.pod.containers {
                let Some((template, manifest)) =
                    ws.manifest_container(&observed.pod, &running.name)
                else {
                    continue;
                };
                let mut differences = Vec::new();
                if let (Some((image, range)), Some(wanted)) =
                    (&running.image, manifest.get("image").and_then(Node::as_str))
                {
                    if normalize_image(image) != normalize_image(wanted) {
                        differences.push((
                            "image".into(),
                            image.clone(),
                            wanted.to_string(),
                            *range,
                        ));
                    }
                }
                for env in manifest.get("env").map(Node::items).unwrap_or_default() {
                    let (Some(name), Some(wanted)) = (
                        env.get("name").and_then(Node::as_str),
                        env.get("value").and_then(Node::as_scalar),
                    ) else {
                        continue;
                    };
                    match running.env.iter().find(|(n, _, _)| n == name) {
                        Some((_, value, range))
                            if value != &wanted.text && !value.starts_with('<') =>
                        {
                            differences.push((
                                format!("env {name}"),
                                value.clone(),
                                wanted.text.clone(),
                                *range,
                            ));
                        }
                        None if !running.env.is_empty() => {
                            differences.push((
                                format!("env {name}"),
                                "(not set)".into(),
                                wanted.text.clone(),
                                running.anchor,
                            ));
                        }
                        _ => {}
                    }
                }
                for (section, listed) in
                    [("limits", &running.limits), ("requests", &running.requests)]
                {
                    for (resource, value, range) in listed.iter() {
                        let wanted = manifest
                            .path(&["resources", section, resource])
                            .and_then(Node::as_str);
                        if let Some(wanted) = wanted {
                            if quantity::parse(value) != quantity::parse(wanted) {
                                differences.push((
                                    format!("{section}.{resource}"),
                                    value.clone(),
                                    wanted.to_string(),
                                    *range,
                                ));
                            }
                        }
                    }
                }
                if !differences.is_empty() {
                    out.push(Drift {
                        pod: index,
                        container: running.name.clone(),
                        template,
                        differences,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Drift) -> Diagnostic {
        let observed = &ws.pods[state.pod];
        let object = ws.object_of(&ws.templates[state.template]);
        let listed: Vec<String> = state
            .differences
            .iter()
            .map(|(what, running, wanted, _)| {
                format!("{what} is {running} in the cluster but {wanted} in the manifest")
            })
            .collect();
        let file: FileId = observed.file;
        Diagnostic {
            file,
            range: state.differences[0].3,
            message: format!(
                "Container {} of {} does not match {} in the set: {}",
                state.container,
                observed.pod.label(),
                object.display(),
                listed.join("; ")
            ),
            why: "The cluster is not running what the files say: the last change did not roll out, or the live object was edited by hand and the next apply will undo it.".into(),
            help: Some(format!(
                "Run `kubectl diff -f <file>` to see every difference, and `kubectl rollout status {}/{}` for a stuck rollout; apply the manifest (or `kubectl rollout restart`) once you know which side is right.",
                object.kind.to_ascii_lowercase(),
                object.name.as_deref().unwrap_or("<name>")
            )),
            object: Some(observed.pod.reference()),
            container: Some(state.container.clone()),
            severity: None,
        }
    }
}

/// `nginx` and `docker.io/library/nginx:latest` name the same image.
fn normalize_image(image: &str) -> String {
    let mut image = image.trim().to_string();
    for prefix in [
        "docker.io/library/",
        "docker.io/",
        "index.docker.io/library/",
        "index.docker.io/",
    ] {
        if let Some(rest) = image.strip_prefix(prefix) {
            image = rest.to_string();
            break;
        }
    }
    let name_end = image.find('@').unwrap_or(image.len());
    let last_slash = image[..name_end].rfind('/').map_or(0, |i| i + 1);
    if !image[last_slash..name_end].contains(':') {
        image.insert_str(name_end, ":latest");
    }
    image
}

#[cfg(test)]
mod tests {
    use super::normalize_image;

    #[test]
    fn docker_hub_names_compare_equal() {
        assert_eq!(
            normalize_image("nginx"),
            normalize_image("docker.io/library/nginx:latest")
        );
        assert_ne!(normalize_image("shop/api:1"), normalize_image("shop/api:2"));
    }
}
