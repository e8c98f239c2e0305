//! The sample gallery: small, realistic pastes that each tell one story the engine finds,
//! loaded with one click. The first two are the app's own examples; the others follow the
//! incidents our users reported and the shapes people paste into issues (describe fields,
//! event rows without a header, a `kubectl get pods` table with a traceback, a `List`).
//!
//! Pure: no browser APIs here, so the table is checked natively with `cargo test`.

use crate::bridge::{EXAMPLE, EXAMPLE_NAME, RUNTIME_EXAMPLE, RUNTIME_EXAMPLE_NAME};

/// One sample of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Stable and url-safe (lowercase letters, digits and `-`), for links to a sample.
    pub id: &'static str,
    /// Short, for the button or the card.
    pub title: &'static str,
    /// One sentence: what the sample shows.
    pub shows: &'static str,
    /// The file name the editor shows as the text's source.
    pub file: &'static str,
    pub text: &'static str,
    /// The rule ids the sample is about: the diagnosis reports each of them.
    pub expect: &'static [&'static str],
}

/// The samples, in the order they are offered.
pub const GALLERY: &[Sample] = &[
    Sample {
        id: "netpol-wrong-labels",
        title: "A NetworkPolicy that selects the wrong pods",
        shows: "An allow policy written for labels no pod has, under a default-deny policy, \
                beside a localhost MongoDB address and an image tag the pipeline never filled in.",
        file: EXAMPLE_NAME,
        text: EXAMPLE,
        expect: &[
            "netpol-selects-nothing",
            "localhost-in-env",
            "image-tag-placeholder",
        ],
    },
    Sample {
        id: "compose-migration",
        title: "From Docker Compose: a crash loop and a failed pull",
        shows: "What the cluster said about a crash-looping bot and a dashboard that never \
                pulls, tied to the localhost DATABASE_URL and the image name in the manifests.",
        file: RUNTIME_EXAMPLE_NAME,
        text: RUNTIME_EXAMPLE,
        expect: &["localhost-connection", "image-not-found"],
    },
    Sample {
        id: "cronjob-and-deployment",
        title: "The same job, run twice",
        shows: "A Deployment still looping beside the CronJob that replaced it, a CronJob \
                with a stale image name, and a default-deny policy that leaves no way to DNS.",
        file: "ticker-cronjob-and-deployment.yaml",
        text: include_str!("../../tests/fixtures/gallery/ticker-cronjob-and-deployment.yaml"),
        expect: &[
            "duplicate-workload",
            "image-name-inconsistent",
            "default-deny-no-dns",
        ],
    },
    Sample {
        id: "hpa-and-secrets",
        title: "An autoscaler that cannot scale",
        shows: "An HPA on CPU and memory utilization of a container that requests neither, \
                fixed replicas under it, sample values left in a Secret and a password \
                written into DATABASE_URL.",
        file: "analytics-hpa-and-secrets.yaml",
        text: include_str!("../../tests/fixtures/gallery/analytics-hpa-and-secrets.yaml"),
        expect: &[
            "hpa-no-requests",
            "replicas-with-hpa",
            "placeholder-secret-value",
            "plaintext-secret-env",
        ],
    },
    Sample {
        id: "alb-ingress",
        title: "An ALB Ingress without a class",
        shows: "An Ingress meant for the AWS Load Balancer Controller that names no ingress \
                class, an ExternalSecret that provides the Deployment's Secret, and a \
                disruption budget that blocks every drain of the single gateway pod.",
        file: "alb-ingress-externalsecret.yaml",
        text: include_str!("../../tests/fixtures/gallery/alb-ingress-externalsecret.yaml"),
        expect: &["ingress-class-missing", "single-replica-with-pdb"],
    },
    Sample {
        id: "airgapped-registry",
        title: "Docker Hub out of reach",
        shows: "Pull events that time out on registry-1.docker.io from nodes that cannot \
                reach Docker Hub, traced back to the image the manifest in Git still names.",
        file: "airgapped-registry-timeout.txt",
        text: include_str!("../../tests/fixtures/gallery/airgapped-registry-timeout.txt"),
        expect: &["image-registry-unreachable"],
    },
    Sample {
        id: "oom-killed",
        title: "OOMKilled, exit code 137",
        shows: "A describe of a worker killed at its memory limit over and over, turned into \
                a patch that raises the limit in its Deployment.",
        file: "oomkilled-describe.txt",
        text: include_str!("../../tests/fixtures/gallery/oomkilled-describe.txt"),
        expect: &["oom-killed"],
    },
    Sample {
        id: "pending-insufficient-cpu",
        title: "Pending: Insufficient cpu",
        shows: "A FailedScheduling event (0/3 nodes are available) for a replica that \
                requests more CPU than any node has free, with a patch for the request in \
                its Deployment.",
        file: "pending-insufficient-cpu.txt",
        text: include_str!("../../tests/fixtures/gallery/pending-insufficient-cpu.txt"),
        expect: &["insufficient-resources"],
    },
    Sample {
        id: "pull-unauthorized",
        title: "ImagePullBackOff from a private registry",
        shows: "Event rows without their header, as grep leaves them: the registry answers \
                the pull with 401 Unauthorized, and the Deployment names no pull secret.",
        file: "imagepull-event-rows.txt",
        text: include_str!("../../tests/fixtures/gallery/imagepull-event-rows.txt"),
        expect: &["image-pull-auth"],
    },
    Sample {
        id: "crashloop-traceback",
        title: "CrashLoopBackOff and a traceback",
        shows: "A kubectl get pods table with a crash-looping worker and the Python traceback \
                of its previous run: the database host name does not resolve.",
        file: "crashloop-table-and-traceback.txt",
        text: include_str!("../../tests/fixtures/gallery/crashloop-table-and-traceback.txt"),
        expect: &["dns-resolution-failure"],
    },
    Sample {
        id: "service-selector",
        title: "503 behind the Ingress",
        shows: "A Service that still selects the app's old name, another that targets a port \
                no container declares, and an Ingress route to a Service port that does not \
                exist.",
        file: "service-selector-and-ports.yaml",
        text: include_str!("../../tests/fixtures/gallery/service-selector-and-ports.yaml"),
        expect: &[
            "service-selects-nothing",
            "service-port-mismatch",
            "ingress-port-mismatch",
        ],
    },
    Sample {
        id: "deprecated-api-list",
        title: "A List exported from an old cluster",
        shows: "A kubectl get -o yaml List whose Deployment and Ingress use extensions/v1beta1, \
                which today's clusters reject, with their conversions to apps/v1 and \
                networking.k8s.io/v1.",
        file: "deprecated-api-list.yaml",
        text: include_str!("../../tests/fixtures/gallery/deprecated-api-list.yaml"),
        expect: &["deprecated-api"],
    },
];

/// The place in [`GALLERY`] of the sample with this id (from a link), if any.
pub fn position(id: &str) -> Option<usize> {
    GALLERY.iter().position(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::diagnose;
    use kubeclinic_engine::Severity;

    #[test]
    fn the_app_examples_come_first() {
        assert_eq!((GALLERY[0].file, GALLERY[0].text), (EXAMPLE_NAME, EXAMPLE));
        assert_eq!(
            (GALLERY[1].file, GALLERY[1].text),
            (RUNTIME_EXAMPLE_NAME, RUNTIME_EXAMPLE)
        );
        assert!((10..=14).contains(&GALLERY.len()), "{}", GALLERY.len());
    }

    #[test]
    fn ids_are_unique_and_url_safe() {
        for (i, s) in GALLERY.iter().enumerate() {
            assert!(
                !s.id.is_empty()
                    && !s.id.starts_with('-')
                    && !s.id.ends_with('-')
                    && s.id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "id {:?} is not url-safe",
                s.id
            );
            assert!(
                GALLERY[..i].iter().all(|t| t.id != s.id),
                "id {} twice",
                s.id
            );
            assert!(
                GALLERY[..i].iter().all(|t| t.file != s.file),
                "file {} twice",
                s.file
            );
            assert_eq!(position(s.id).map(|i| GALLERY[i].id), Some(s.id));
        }
        assert_eq!(position("no-such-sample"), None);
    }

    #[test]
    fn every_sample_says_what_it_shows() {
        for s in GALLERY {
            assert!(!s.title.trim().is_empty(), "{}: no title", s.id);
            assert!(!s.title.ends_with('.'), "{}: a title is no sentence", s.id);
            assert!(!s.shows.trim().is_empty(), "{}: shows nothing", s.id);
            assert!(s.shows.ends_with('.'), "{}: {:?}", s.id, s.shows);
            assert!(
                !s.shows.contains("  "),
                "{}: a line continuation left spaces in {:?}",
                s.id,
                s.shows
            );
            assert!(
                s.file.ends_with(".yaml") || s.file.ends_with(".txt"),
                "{}: {}",
                s.id,
                s.file
            );
            assert!(!s.expect.is_empty(), "{}: about no rule", s.id);
        }
    }

    #[test]
    fn samples_are_small() {
        for s in GALLERY {
            let lines = s.text.lines().count();
            assert!((20..=120).contains(&lines), "{}: {lines} lines", s.id);
        }
    }

    #[test]
    fn every_sample_is_understood_and_reports_its_story() {
        for s in GALLERY {
            let d = diagnose(s.text);
            assert!(d.understood, "{}: not understood", s.id);
            // kubectl output is never read as broken YAML.
            assert!(
                d.findings.iter().all(|f| f.rule != "yaml-syntax-error"),
                "{}: {:#?}",
                s.id,
                d.findings
            );
            for rule in s.expect {
                let meta = kubeclinic_engine::rules::find(rule)
                    .unwrap_or_else(|| panic!("{}: no rule {rule}", s.id));
                // An info is enough only for a rule whose findings are infos.
                let enough = |severity: &str| severity != "info" || meta.severity == Severity::Info;
                assert!(
                    d.findings
                        .iter()
                        .any(|f| f.rule == *rule && enough(f.severity)),
                    "{}: {rule} is not reported (at warning or error) in {:#?}",
                    s.id,
                    d.findings
                );
            }
        }
    }
}
