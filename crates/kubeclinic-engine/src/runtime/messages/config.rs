//! ConfigMaps, Secrets and their keys that a container's environment reads
//! (`CreateContainerConfigError`).

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("Error: configmap \"", "Failed", Pod),
    w("Error: secret \"", "Failed", Pod),
    w("Error: configmaps \"", "Failed", Pod),
    w("Error: secrets \"", "Failed", Pod),
    w("couldn't find key ", "Failed", Pod),
    w("CreateContainerConfigError:", "Failed", Pod),
    w("container has runAsNonRoot and image", "Failed", Pod),
    w("cannot verify user is non-root", "Failed", Pod),
    w("runAsUser breaks non-root policy", "Failed", Pod),
];
