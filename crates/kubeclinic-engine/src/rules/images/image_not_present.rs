use super::pull_failure::{failures_where, Cause, PullFailure};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds containers whose image the node does not have while `imagePullPolicy: Never`
    /// forbids pulling it: `ErrImageNeverPull`, `Container image "orders:dev" is not present
    /// with pull policy of Never`.
    ///
    /// ## Why is this bad?
    /// The kubelet only looks in the node's own image store. An image built on a laptop with
    /// `docker build` lives in that Docker's store, not in the node's containerd (kind,
    /// minikube, k3s and cloud nodes each have their own), so the pod waits forever.
    ///
    /// ## Example
    /// ```text
    ///   Warning  ErrImageNeverPull  8s (x5 over 44s)  kubelet  Container image "orders:dev" is not present with pull policy of Never
    /// ```
    ///
    /// ## Use instead
    /// ```text
    ///   Normal   Pulled   3s  kubelet  Container image "orders:dev" already present on machine
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the image has to reach the node (or a registry), which the manifest cannot do.
    pub struct ImageNotPresent {
        id: "image-not-present",
        category: Images,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

impl Rule for ImageNotPresent {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| c == Cause::NeverPulled)
    }

    fn finding<'a>(_ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let image = f.image.as_deref().unwrap_or("<image>");
        f.diagnostic(
            format!(
                "{} cannot start: the node has no copy of {}, and imagePullPolicy Never forbids pulling it",
                crate::rules::evidence::capitalize(&f.subject()),
                f.image_label()
            ),
            if f.recovered {
                "The container runs now, so this is history; it returns on every node that lacks the image.".into()
            } else {
                "The kubelet looks only in the node's own image store, so the pod waits in ErrImageNeverPull until the image is put there.".into()
            },
            format!(
                "Load the image into the cluster's nodes: `kind load docker-image {image}`, `minikube image load {image}` (or build inside `eval $(minikube docker-env)`), `docker save {image} | sudo k3s ctr images import -` on k3s. Otherwise push it to a registry the nodes reach and set `imagePullPolicy: IfNotPresent`."
            ),
        )
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<Related> {
        f.related(ws)
    }
}
