//! Evictions: kubelet's node-pressure messages.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("The node was low on resource", "Evicted", Pod),
    w("The node had condition: [", "Evicted", Pod),
    w("ephemeral local storage usage exceeds", "Evicted", Pod),
];
