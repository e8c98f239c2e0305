//! The wordings of kubelet, the scheduler, the controllers, the API server and the container
//! runtimes (docker, containerd, CRI-O), one module per family. [`recognise`] reads any single
//! line, wherever it stands (an event row with or without its columns, a describe field, a
//! bare message quoted in a sentence, a log line, a status string) and says which message it
//! holds, where the message starts, and which event reason and object kind it belongs to.
//!
//! This is what lets a fragment count as evidence: a lone `Failed to pull image "x":` line is
//! read as the `Failed` event of a pod even without the describe around it.

mod admission;
mod api;
mod config;
mod controllers;
mod eviction;
mod logs;
mod mount;
mod probes;
mod pull;
mod sandbox;
mod scheduling;
mod storage;
mod termination;

/// What kind of object a message is about, as far as its wording says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    Pod,
    /// A controller's `FailedCreate` (ReplicaSet, Job, StatefulSet...).
    Controller,
    PersistentVolumeClaim,
    /// kubectl's own answer to a command (`Error from server (Forbidden): ...`).
    Kubectl,
    /// A container's own output: read as a log line, not as an event.
    Log,
}

/// The families of messages, one module each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Pull,
    Mount,
    Config,
    Scheduling,
    Admission,
    Probe,
    Termination,
    Eviction,
    Storage,
    /// kubectl's and the API server's refusals of an object.
    Api,
    Sandbox,
    /// The Job and autoscaler controllers.
    Controllers,
    Log,
}

/// One recognised message in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recognised {
    pub family: Family,
    /// The event reason kubernetes gives this message (`Failed`, `FailedScheduling`...).
    pub reason: &'static str,
    pub about: About,
    /// Byte offset in the line where the message starts.
    pub at: usize,
}

/// A wording: the text that marks it and what it means.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wording {
    /// Text found anywhere in the line. The message starts where it is found, or at the
    /// start of `from` when that is found earlier in the line.
    pub needle: &'static str,
    pub reason: &'static str,
    pub about: About,
}

pub(crate) const fn w(needle: &'static str, reason: &'static str, about: About) -> Wording {
    Wording {
        needle,
        reason,
        about,
    }
}

fn families() -> [(Family, &'static [Wording]); 13] {
    [
        (Family::Admission, admission::WORDINGS),
        (Family::Api, api::WORDINGS),
        (Family::Sandbox, sandbox::WORDINGS),
        (Family::Controllers, controllers::WORDINGS),
        (Family::Scheduling, scheduling::WORDINGS),
        (Family::Storage, storage::WORDINGS),
        (Family::Mount, mount::WORDINGS),
        (Family::Config, config::WORDINGS),
        (Family::Pull, pull::WORDINGS),
        (Family::Probe, probes::WORDINGS),
        (Family::Eviction, eviction::WORDINGS),
        (Family::Termination, termination::WORDINGS),
        (Family::Log, logs::WORDINGS),
    ]
}

/// The message `line` holds, if any: the earliest wording found wins, so
/// `Error: ErrImagePull: rpc error: ... pull access denied` is an image pull, not a log line.
pub fn recognise(line: &str) -> Option<Recognised> {
    let mut best: Option<Recognised> = None;
    for (family, wordings) in families() {
        for wording in wordings {
            let Some(at) = line.find(wording.needle) else {
                continue;
            };
            let at = message_start(line, at);
            if best.is_none_or(|b| at < b.at) {
                best = Some(Recognised {
                    family,
                    reason: wording.reason,
                    about: wording.about,
                    at,
                });
            }
        }
    }
    best
}

/// Where the message containing byte `at` starts: a kubectl or kubelet prefix that wraps the
/// message (`Error: `, `Error from server (Forbidden): `) belongs to it.
fn message_start(line: &str, at: usize) -> usize {
    let before = &line[..at];
    for prefix in ["Error from server", "Error: ", "Warning: ", "error: "] {
        if let Some(i) = before.rfind(prefix) {
            return i;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_line_names_its_message() {
        let cases = [
            ("  Failed to pull image \"redis:7.2-alpine\":", Family::Pull, "Failed"),
            ("ErrImagePull: rpc error: code = Unknown desc = Error response from daemon: pull access denied for dashboard, repository does not exist", Family::Pull, "Failed"),
            ("0/3 nodes are available: 3 Insufficient memory.", Family::Scheduling, "FailedScheduling"),
            ("MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found", Family::Mount, "FailedMount"),
            ("Error: secret \"db\" not found", Family::Config, "Failed"),
            ("Liveness probe failed: HTTP probe failed with statuscode: 500", Family::Probe, "Unhealthy"),
            ("standard_init_linux.go:228: exec user process caused: exec format error", Family::Log, "Log"),
            ("Error from server (Forbidden): error when creating \"x.yaml\": pods \"x\" is forbidden: violates PodSecurity \"restricted:v1.24\": runAsNonRoot != true", Family::Admission, "FailedCreate"),
            ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 87Mi.", Family::Eviction, "Evicted"),
        ];
        for (line, family, reason) in cases {
            let r = recognise(line).unwrap_or_else(|| panic!("not recognised: {line}"));
            assert_eq!((r.family, r.reason), (family, reason), "{line}");
        }
    }

    #[test]
    fn prose_and_normal_events_are_not_messages() {
        for line in [
            "I upgraded the chart to 1.4.5 and now the pod does not start",
            "Successfully pulled image \"nginx:1.25\" in 1.2s",
            "Started container api",
        ] {
            assert_eq!(recognise(line), None, "{line}");
        }
    }

    #[test]
    fn the_message_starts_at_its_prefix() {
        let line = "  Warning  Failed  3s  kubelet  Error: configmap \"app\" not found";
        let r = recognise(line).unwrap();
        assert_eq!(&line[r.at..r.at + 6], "Error:");
    }
}
