//! The scheduler's `FailedScheduling` messages.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w(" nodes are available:", "FailedScheduling", Pod),
    w(" node(s) are available:", "FailedScheduling", Pod),
    w(
        "pod has unbound immediate PersistentVolumeClaims",
        "FailedScheduling",
        Pod,
    ),
    w(
        "no nodes available to schedule pods",
        "FailedScheduling",
        Pod,
    ),
    w("running PreBind plugin", "FailedScheduling", Pod),
];
