//! Pod sandboxes kubelet could not create: the runtime's and the CNI plugin's errors.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w(
        "Failed to create pod sandbox",
        "FailedCreatePodSandBox",
        Pod,
    ),
    w("Failed create pod sandbox", "FailedCreatePodSandBox", Pod),
    w(
        "failed to setup network for sandbox",
        "FailedCreatePodSandBox",
        Pod,
    ),
    w(
        "failed to set up sandbox container",
        "FailedCreatePodSandBox",
        Pod,
    ),
    w("NetworkPlugin cni failed", "FailedCreatePodSandBox", Pod),
    w("networkPlugin cni failed", "FailedCreatePodSandBox", Pod),
];
