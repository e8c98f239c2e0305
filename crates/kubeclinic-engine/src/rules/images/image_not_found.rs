use super::placeholder_fix;
use super::pull_failure::{
    failures_where, is_docker_hub, manifest_container, pull_why, registry_of, Cause, PullFailure,
};
use super::reference::ImageReference;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds images that kubelet could not pull because the registry has no such repository or
    /// tag (`manifest unknown`, `not found`, `NotFound desc = failed to pull and unpack image`),
    /// read from the `Failed to pull image` events, the container's waiting state or a
    /// `kubectl get events` table. Docker Hub's "pull access denied ... repository does not
    /// exist or may require 'docker login'" is reported here too, with what to check: Docker
    /// Hub gives that answer both for a name that does not exist and for a private repository.
    /// When the workload's manifest is in the set, the finding shows where the name or tag goes.
    ///
    /// ## Why is this bad?
    /// The container never starts: the pod sits in `ErrImagePull` / `ImagePullBackOff` until
    /// the manifest names an image that exists. A common cause is an image built locally
    /// (`docker build`, `docker-compose build`) under another name than the manifest uses, or
    /// never pushed to a registry the nodes can reach.
    ///
    /// ## Example
    /// ```text
    /// Name:         dashboard-7c6d9f5b8-k2m4x
    /// Namespace:    coin-pilot-ns
    /// Node:         minikube/192.168.49.2
    /// Controlled By:  ReplicaSet/dashboard-7c6d9f5b8
    /// Containers:
    ///   dashboard:
    ///     Image:          dashboard:1.0.0
    ///     State:          Waiting
    ///       Reason:       ImagePullBackOff
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From               Message
    ///   ----     ------     ----               ----               -------
    ///   Normal   Scheduled  3m                 default-scheduler  Successfully assigned coin-pilot-ns/dashboard-7c6d9f5b8-k2m4x to minikube
    ///   Warning  Failed     90s (x4 over 3m)   kubelet            Failed to pull image "dashboard:1.0.0": rpc error: code = Unknown desc = Error response from daemon: pull access denied for dashboard, repository does not exist or may require 'docker login': denied: requested access to the resource is denied
    ///   Warning  Failed     90s (x4 over 3m)   kubelet            Error: ErrImagePull
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         dashboard-7c6d9f5b8-k2m4x
    /// Namespace:    coin-pilot-ns
    /// Node:         minikube/192.168.49.2
    /// Controlled By:  ReplicaSet/dashboard-7c6d9f5b8
    /// Containers:
    ///   dashboard:
    ///     Image:          dashboard:1.0.0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type    Reason     Age   From               Message
    ///   ----    ------     ----  ----               -------
    ///   Normal  Scheduled  3m    default-scheduler  Successfully assigned coin-pilot-ns/dashboard-7c6d9f5b8-k2m4x to minikube
    ///   Normal  Pulled     3m    kubelet            Container image "dashboard:1.0.0" already present on machine
    ///   Normal  Started    3m    kubelet            Started container dashboard
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the fix marks the tag (`<existing-tag>`) or the name
    /// (`<existing-repository>`) in the manifest's `image`; only you know which image was
    /// built and pushed.
    pub struct ImageNotFound {
        id: "image-not-found",
        category: Images,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// Whether the registry said the tag is missing (the repository exists) rather than the name.
fn tag_missing(f: &PullFailure) -> bool {
    let text = f.text.to_ascii_lowercase();
    !f.ambiguous
        && (text.contains("manifest unknown")
            || text.contains("manifest for ")
            || (text.contains("not found") && !text.contains("name unknown")))
}

/// A Docker Hub name without an account (`dashboard`): an official image, or more likely one
/// built on a laptop that no registry holds.
fn bare_name(image: &str) -> bool {
    let repository = ImageReference::parse(image).repository;
    !repository.contains('/')
}

impl Rule for ImageNotFound {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| c == Cause::NotFound)
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<crate::diagnostic::Related> {
        f.related(ws)
    }

    fn finding<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let image = f.image.as_deref().unwrap_or_default();
        let reference = ImageReference::parse(image);
        let message = if f.ambiguous {
            format!(
                "Kubelet could not pull {} for {}: Docker Hub answered \"{}\": the name does not exist there, or the repository is private",
                f.image_label(),
                f.subject(),
                f.evidence
            )
        } else if tag_missing(f) && reference.tag.is_some() {
            format!(
                "Image {} of {} does not exist: {} has no tag `{}` in `{}` ({})",
                f.image_label(),
                f.subject(),
                registry_of(image),
                reference.tag.unwrap_or_default(),
                reference.repository,
                f.evidence
            )
        } else {
            format!(
                "Image {} of {} was not found in {} ({})",
                f.image_label(),
                f.subject(),
                f.image.as_deref().map_or("the registry", registry_of),
                f.evidence
            )
        };
        f.diagnostic(message, pull_why(f), help(ws, f))
    }

    fn fix<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Option<Fix> {
        let use_ = f.manifest_image(ws)?;
        let reference = ImageReference::parse(use_.image);
        let object = ws.objects[ws.containers[use_.container].object].display();
        let (within, replacement, title) = match (tag_missing(f), reference.tag_start) {
            (true, Some(start)) => (
                TextRange::new(start, start + reference.tag.unwrap_or_default().len()),
                "<existing-tag>",
                format!(
                    "Set a tag of `{}` that the registry has in {object}",
                    reference.repository
                ),
            ),
            (true, None) => (
                TextRange::empty(reference.repository.len()),
                ":<existing-tag>",
                format!(
                    "Name a tag of `{}` that the registry has in {object}",
                    reference.repository
                ),
            ),
            (false, _) => (
                TextRange::new(0, reference.repository.len()),
                "<existing-repository>",
                format!("Name the image as it was built or pushed in {object}"),
            ),
        };
        Some(placeholder_fix(ws, &use_, within, replacement, title))
    }
}

fn help(ws: &Workspace, f: &PullFailure) -> String {
    let image = f.image.as_deref().unwrap_or("<image>");
    let reference = ImageReference::parse(image);
    let policy = manifest_container(ws, f)
        .and_then(|c| ws.containers[c].node.get("imagePullPolicy"))
        .and_then(Node::as_str);
    if f.ambiguous && is_docker_hub(image) && bare_name(image) {
        let latest = reference.tag.is_none_or(|t| t == "latest");
        let policy_note = match (policy, latest) {
            (Some("IfNotPresent" | "Never"), _) => String::new(),
            (_, true) => " and set `imagePullPolicy: IfNotPresent` (with the `latest` tag the default is Always, which ignores images already on the node)".to_string(),
            (Some("Always"), false) => " and drop `imagePullPolicy: Always`, which ignores images already on the node".to_string(),
            _ => String::new(),
        };
        return format!(
            "`{}` has no registry or account, so the node asked Docker Hub for the official image `library/{}`, which does not exist. If you built it yourself, the node cannot see your local image: check the name the build produced (`docker images`; docker-compose names images `<project>-<service>` unless the service sets `image:`), then load it into the cluster (`minikube image load {image}`, `kind load docker-image {image}`, or build after `eval $(minikube docker-env)`){policy_note}, or push it to a registry and use that name. If it is a private Docker Hub repository instead, add an imagePullSecret.",
            reference.repository, reference.repository
        );
    }
    if f.ambiguous {
        return format!(
            "Docker Hub gives this answer both for a name that does not exist and for a private repository. Check the spelling of `{}` and of the tag (`docker manifest inspect {image}` from a machine that can pull it); if the repository exists and is private, create a docker-registry Secret and list it under imagePullSecrets.",
            reference.repository
        );
    }
    if tag_missing(f) {
        return format!(
            "Check which tags `{}` has (`crane ls {}`, or the registry's UI) and that the pipeline pushed the tag the manifest names: a tag is missing when a build failed or was never pushed, or when the manifest was edited by hand.",
            reference.repository, reference.repository
        );
    }
    format!(
        "Check the spelling of `{}` against the registry (`docker manifest inspect {image}`) and that the image was pushed there; some registries also answer \"not found\" to clients without access to a private repository.",
        reference.repository
    )
}
