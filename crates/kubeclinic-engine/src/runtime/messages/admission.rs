//! The API server's refusals: Pod Security Admission and ResourceQuota, as a controller's
//! `FailedCreate` event or as kubectl's own error.

use super::About::{Controller, Kubectl};
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("Error creating: pods ", "FailedCreate", Controller),
    w("violates PodSecurity", "FailedCreate", Kubectl),
    w("would violate PodSecurity", "FailedCreate", Kubectl),
    w("exceeded quota:", "FailedCreate", Kubectl),
    w("failed quota:", "FailedCreate", Kubectl),
];
