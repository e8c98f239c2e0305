//! What the Job and HorizontalPodAutoscaler controllers say when they give up or cannot
//! compute a scale.

use super::About::Controller;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w(
        "Job has reached the specified backoff limit",
        "BackoffLimitExceeded",
        Controller,
    ),
    w(
        "Job was active longer than specified deadline",
        "DeadlineExceeded",
        Controller,
    ),
    w(
        "missing request for ",
        "FailedGetResourceMetric",
        Controller,
    ),
    w(
        "unable to get metrics for resource",
        "FailedGetResourceMetric",
        Controller,
    ),
    w(
        "unable to fetch metrics from resource metrics API",
        "FailedGetResourceMetric",
        Controller,
    ),
    w(
        "no metrics returned from resource metrics API",
        "FailedGetResourceMetric",
        Controller,
    ),
];
