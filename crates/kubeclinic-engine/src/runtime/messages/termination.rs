//! Containers that could not start or keep stopping: the runtime's start errors and
//! kubelet's back-off.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("Back-off restarting failed container", "BackOff", Pod),
    w("OCI runtime create failed", "Failed", Pod),
    w("OCI runtime exec failed", "Failed", Pod),
    w("failed to create containerd task", "Failed", Pod),
    w("executable file not found in $PATH", "Failed", Pod),
    w("Error: failed to start container", "Failed", Pod),
    w("Error: container create failed", "Failed", Pod),
];
