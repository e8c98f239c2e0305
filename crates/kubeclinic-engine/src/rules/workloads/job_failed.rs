use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, ObjectRef};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{said, Subject};
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Jobs the Job controller gave up on: a `BackoffLimitExceeded` or
    /// `DeadlineExceeded` event (`Job has reached the specified backoff limit`, `Job was active
    /// longer than specified deadline`), a pod failure policy's `FailJob`, failed indexes, or
    /// a Job printed with `kubectl get -o yaml` whose `status.conditions` hold `type: Failed`.
    ///
    /// ## Why is this bad?
    /// A failed Job is final: the controller creates no more pods, and a CronJob's next run
    /// starts from scratch. The event only says that it stopped; the cause is in the pods'
    /// logs and states, which are lost once the pods are deleted.
    ///
    /// ## Example
    /// ```text
    ///   Normal   SuccessfulCreate      5m     job-controller  Created pod: nightly-export-b4m8n
    ///   Warning  BackoffLimitExceeded  3m41s  job-controller  Job has reached the specified backoff limit
    /// ```
    ///
    /// ## Use instead
    /// ```text
    ///   Normal   SuccessfulCreate  4m  job-controller  Created pod: seed-catalog-8vn2k
    ///   Normal   Completed         3m  job-controller  Job completed
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the repair is in what the pods run. The finding says which logs to read.
    pub struct JobFailed {
        id: "job-failed",
        category: Workloads,
        severity: Error,
        fix: None,
        reads: Both,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    BackoffLimit,
    Deadline,
    FailurePolicy,
    FailedIndexes,
    Other,
}

pub struct Failure {
    file: FileId,
    range: TextRange,
    job: Option<ObjectRef>,
    why: Why,
    /// `spec.backoffLimit` or `spec.activeDeadlineSeconds`, when the Job is in the set.
    limit: Option<String>,
}

fn why_of(reason: &str, text: &str) -> Option<Why> {
    Some(match reason {
        "BackoffLimitExceeded" => Why::BackoffLimit,
        "DeadlineExceeded" => Why::Deadline,
        "PodFailurePolicy" => Why::FailurePolicy,
        "FailedIndexes" | "MaxFailedIndexesExceeded" => Why::FailedIndexes,
        _ if text.contains("Job has reached the specified backoff limit") => Why::BackoffLimit,
        _ if text.contains("Job was active longer than specified deadline") => Why::Deadline,
        _ if text.contains("matching FailJob rule") => Why::FailurePolicy,
        _ if text.contains("Job has failed indexes") => Why::FailedIndexes,
        _ => return None,
    })
}

/// The Job of the set with this name, else the set's only Job.
fn job_in_set<'w, 'a>(ws: &'w Workspace<'a>, name: Option<&str>) -> Option<&'w Node> {
    match name {
        Some(name) => ws
            .objects_of_kind("Job")
            .find(|j| j.name.as_deref() == Some(name))
            .map(|j| j.node),
        None => ws.only_of_kind("Job").map(|j| j.node),
    }
}

fn limit(job: &Node, why: Why) -> Option<String> {
    let key = match why {
        Why::BackoffLimit => "backoffLimit",
        Why::Deadline => "activeDeadlineSeconds",
        _ => return None,
    };
    job.path(&["spec", key])
        .and_then(Node::as_str)
        .map(String::from)
}

impl Rule for JobFailed {
    type State<'a> = Failure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Failure> {
        let mut out: Vec<Failure> = Vec::new();
        // Jobs as `kubectl get job -o yaml` prints them.
        for job in ws.objects_of_kind("Job") {
            let conditions = job
                .node
                .path(&["status", "conditions"])
                .map(Node::items)
                .unwrap_or_default();
            for condition in conditions {
                let is = |key: &str, value: &str| {
                    condition.get(key).and_then(Node::as_str) == Some(value)
                };
                if !(is("type", "Failed") && is("status", "True")) {
                    continue;
                }
                let reason = condition.get("reason").and_then(Node::as_str).unwrap_or("");
                let message = condition
                    .get("message")
                    .and_then(Node::as_str)
                    .unwrap_or("");
                let why = why_of(reason, message).unwrap_or(Why::Other);
                let anchor = condition
                    .get("reason")
                    .or_else(|| condition.get("type"))
                    .map(|n| n.span)
                    .unwrap_or(condition.span);
                out.push(Failure {
                    file: job.file,
                    range: anchor,
                    job: Some(job.reference()),
                    why,
                    limit: limit(job.node, why),
                });
            }
        }
        for s in said(ws) {
            let Some(why) = why_of(s.reason, s.text) else {
                continue;
            };
            let job = s
                .subject
                .as_ref()
                .filter(|sub| sub.kind == "Job")
                .map(Subject::reference);
            if out
                .iter()
                .any(|o| o.why == why && (o.job.is_none() || job.is_none() || o.job == job))
            {
                continue;
            }
            let name = job.as_ref().and_then(|j| j.name.as_deref());
            out.push(Failure {
                file: s.file,
                range: s.range,
                limit: job_in_set(ws, name).and_then(|node| limit(node, why)),
                job,
                why,
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Failure) -> Diagnostic {
        let name = state.job.as_ref().and_then(|j| j.name.clone());
        let who = match &name {
            Some(name) => format!("Job {name}"),
            None => "The Job".to_string(),
        };
        let logs = match &name {
            Some(name) => {
                format!("`kubectl get pods -l job-name={name}` and `kubectl logs job/{name}`")
            }
            None => "`kubectl get pods -l job-name=<job>` and `kubectl logs job/<job>`".to_string(),
        };
        let (what, help) = match state.why {
            Why::BackoffLimit => (
                match &state.limit {
                    Some(n) => format!("its pods failed more than backoffLimit ({n}) times, so it stopped retrying"),
                    None => "its pods failed more than its backoffLimit (6 unless set), so it stopped retrying".to_string(),
                },
                format!("The cause is in the failed pods: {logs}, then `kubectl describe pod` of one of them (paste them here). Raise `backoffLimit` only once the failure is understood; `restartPolicy: Never` keeps each failed pod to read."),
            ),
            Why::Deadline => (
                match &state.limit {
                    Some(n) => format!("it ran longer than activeDeadlineSeconds ({n} s) and its pods were stopped"),
                    None => "it ran longer than its activeDeadlineSeconds and its pods were stopped".to_string(),
                },
                format!("Find what made it slow ({logs}: waiting on a dependency, an image pull, too little CPU), or raise `activeDeadlineSeconds`; the deadline counts from the Job's start, retries included."),
            ),
            Why::FailurePolicy => (
                "a pod failed in a way its podFailurePolicy marks as fatal (FailJob)".to_string(),
                format!("Read the failed pod's exit code and conditions ({logs}); the matching rule of `spec.podFailurePolicy` ended the Job at the first such failure."),
            ),
            Why::FailedIndexes => (
                "some of its indexes failed".to_string(),
                format!("Each failed index has its own pods: {logs} with `-l batch.kubernetes.io/job-completion-index=<index>`."),
            ),
            Why::Other => (
                "it has the Failed condition".to_string(),
                format!("Read the condition's message and the pods' state: {logs}."),
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{who} failed: {what}"),
            why: "A failed Job is final: the controller creates no more pods, and the cause is only in the pods' logs and states, lost once the pods are deleted.".into(),
            help: Some(help),
            object: state.job.clone(),
            container: None,
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_wordings_agree() {
        assert_eq!(why_of("BackoffLimitExceeded", ""), Some(Why::BackoffLimit));
        assert_eq!(
            why_of("", "Job was active longer than specified deadline"),
            Some(Why::Deadline)
        );
        assert_eq!(why_of("Completed", "Job completed"), None);
    }
}
