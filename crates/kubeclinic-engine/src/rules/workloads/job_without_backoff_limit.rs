use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Jobs and CronJobs whose pods restart `OnFailure` with neither a `backoffLimit`
    /// nor an `activeDeadlineSeconds`: the retries were left to the default without a
    /// thought for what a failure costs.
    ///
    /// ## Why is this bad?
    /// A failing run is retried 6 times (the default `backoffLimit`), with back-off delays
    /// that grow to minutes, so a broken job takes several minutes to be reported failed;
    /// with `OnFailure` the retries restart the same pod, and when the limit is reached the
    /// Job controller deletes it, so its logs go with it. A job that is not safe to run
    /// twice (it charges, sends or imports) runs up to 7 times.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: import-invoices
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///         - name: import
    ///           image: ghcr.io/example/invoice-import:1.3.0
    ///           resources:
    ///             requests: {cpu: 200m, memory: 256Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: import-invoices
    /// spec:
    ///   backoffLimit: 2
    ///   template:
    ///     spec:
    ///       restartPolicy: OnFailure
    ///       containers:
    ///         - name: import
    ///           image: ghcr.io/example/invoice-import:1.3.0
    ///           resources:
    ///             requests: {cpu: 200m, memory: 256Mi}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: how many retries a job may take is a property of the job; writing the default
    /// (`backoffLimit: 6`) would only hide the question.
    pub struct JobWithoutBackoffLimit {
        id: "job-without-backoff-limit",
        category: Workloads,
        severity: Info,
        fix: None,
        reads: Manifests,
        profile: Strict,
    }
}

pub struct Unbounded<'a> {
    object: usize,
    restart: &'a Node,
}

impl Rule for JobWithoutBackoffLimit {
    type State<'a> = Unbounded<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unbounded<'a>> {
        let mut out = Vec::new();
        for (index, o) in ws.objects.iter().enumerate() {
            let path: &[&str] = match o.kind.as_str() {
                "Job" => &["spec"],
                "CronJob" => &["spec", "jobTemplate", "spec"],
                _ => continue,
            };
            if o.is_live() {
                continue;
            }
            let Some(job) = o.node.path(path) else {
                continue;
            };
            let Some(restart) = job.path(&["template", "spec", "restartPolicy"]) else {
                continue;
            };
            let bounded = [
                "backoffLimit",
                "backoffLimitPerIndex",
                "activeDeadlineSeconds",
            ]
            .iter()
            .any(|k| job.get(k).is_some_and(|v| v.as_str().is_some()));
            if restart.as_str() == Some("OnFailure") && !bounded {
                out.push(Unbounded {
                    object: index,
                    restart,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unbounded<'a>) -> Diagnostic {
        let o = &ws.objects[u.object];
        Diagnostic {
            file: o.file,
            range: u.restart.span,
            message: format!(
                "{} restarts failing pods OnFailure with the default backoffLimit (6 retries) and no deadline",
                o.display()
            ),
            why: "A broken run is retried 6 times over several minutes before the job is marked failed, and when the limit is reached the pod is deleted with its logs; a job that is not safe to repeat runs up to 7 times.".into(),
            help: Some("Set `backoffLimit` to the retries the job can afford (0 for a job that must not run twice), or `activeDeadlineSeconds`; use `restartPolicy: Never` to keep each failed pod and its logs.".into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }
}
