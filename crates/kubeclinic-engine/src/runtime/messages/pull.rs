//! Image pulls: kubelet's `Failed to pull image`, the waiting reasons, and the runtimes'
//! errors that travel inside them.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("Failed to pull image", "Failed", Pod),
    w("Back-off pulling image", "BackOff", Pod),
    // Status words count only as the head of a message (`ErrImagePull: rpc error: ...`,
    // `Error: ImagePullBackOff`), not inside a sentence that names the status.
    w("ErrImagePull:", "Failed", Pod),
    w("Error: ErrImagePull", "Failed", Pod),
    w("Error: ImagePullBackOff", "BackOff", Pod),
    w("ImagePullBackOff:", "BackOff", Pod),
    w("ErrImageNeverPull:", "ErrImageNeverPull", Pod),
    w(
        "is not present with pull policy of Never",
        "ErrImageNeverPull",
        Pod,
    ),
    w("Error: InvalidImageName", "InspectFailed", Pod),
    w("InvalidImageName:", "InspectFailed", Pod),
    w("trying and failing to pull image", "Failed", Pod),
    w(
        "Error response from daemon: pull access denied",
        "Failed",
        Pod,
    ),
    w("Failed to apply default image tag", "InspectFailed", Pod),
    w("couldn't parse image reference", "InspectFailed", Pod),
    w("failed to pull and unpack image", "Failed", Pod),
    w("pull access denied for", "Failed", Pod),
    w("failed to resolve reference", "Failed", Pod),
    w("toomanyrequests:", "Failed", Pod),
    w("no matching manifest for", "Failed", Pod),
    w("initializing source docker://", "Failed", Pod),
    w("reading manifest ", "Failed", Pod),
];
