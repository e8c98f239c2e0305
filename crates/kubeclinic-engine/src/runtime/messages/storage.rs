//! Claims that stay Pending: the volume controller's binding and provisioning messages.

use super::About::PersistentVolumeClaim as Claim;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w(
        "no persistent volumes available for this claim",
        "FailedBinding",
        Claim,
    ),
    w("storageclass.storage.k8s.io", "ProvisioningFailed", Claim),
    w("failed to provision volume", "ProvisioningFailed", Claim),
    w(
        "waiting for a volume to be created",
        "ExternalProvisioning",
        Claim,
    ),
];
