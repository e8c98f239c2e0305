//! Volumes that cannot be attached or mounted: kubelet's and the attach-detach controller's
//! messages.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("MountVolume.SetUp failed", "FailedMount", Pod),
    w("MountVolume.MountDevice failed", "FailedMount", Pod),
    w("MountVolume.WaitForAttach failed", "FailedMount", Pod),
    w("Unable to attach or mount volumes", "FailedMount", Pod),
    w("Unable to mount volumes", "FailedMount", Pod),
    w("Multi-Attach error", "FailedAttachVolume", Pod),
    w("AttachVolume.Attach failed", "FailedAttachVolume", Pod),
];
