//! Liveness, readiness and startup probes: kubelet's `Unhealthy` and `Killing` messages.

use super::About::Pod;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("Liveness probe failed", "Unhealthy", Pod),
    w("Readiness probe failed", "Unhealthy", Pod),
    w("Startup probe failed", "Unhealthy", Pod),
    w("Liveness probe errored", "Unhealthy", Pod),
    w("Readiness probe errored", "Unhealthy", Pod),
    w("failed liveness probe, will be restarted", "Killing", Pod),
    w("failed startup probe, will be restarted", "Killing", Pod),
];
