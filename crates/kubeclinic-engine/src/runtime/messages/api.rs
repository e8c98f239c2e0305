//! kubectl's and the API server's answers to `apply`, `create`, `patch` and Helm: schema
//! validation, immutable fields, kinds the server does not serve, admission webhooks and
//! RBAC refusals, as kubectl prints them or as a program's log quotes them.

use super::About::Kubectl;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("error validating data:", "Invalid", Kubectl),
    w("strict decoding error:", "Invalid", Kubectl),
    w("field is immutable", "Invalid", Kubectl),
    w("no matches for kind", "NotServed", Kubectl),
    w("unable to recognize \"", "NotServed", Kubectl),
    w("resource mapping not found", "NotServed", Kubectl),
    w("admission webhook \"", "Denied", Kubectl),
    w("failed calling webhook", "Denied", Kubectl),
    w("is forbidden: User ", "Forbidden", Kubectl),
];
