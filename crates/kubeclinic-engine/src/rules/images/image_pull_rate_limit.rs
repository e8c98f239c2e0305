use super::pull_failure::{failures_where, is_docker_hub, pull_why, Cause, PullFailure};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds images that kubelet could not pull because the registry limits how often it may
    /// pull: `429 Too Many Requests`, `toomanyrequests: You have reached your pull rate limit`.
    ///
    /// ## Why is this bad?
    /// Pods that need the image stay in `ErrImagePull` / `ImagePullBackOff` until the limit
    /// resets. Docker Hub counts anonymous pulls per IP address, so every node behind one NAT
    /// shares one small quota: a rollout or a node replacement can exhaust it for the whole
    /// cluster.
    ///
    /// ## Example
    /// ```text
    /// Name:         cache-0
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Controlled By:  StatefulSet/cache
    /// Containers:
    ///   redis:
    ///     Image:          redis:7.2.4
    ///     State:          Waiting
    ///       Reason:       ImagePullBackOff
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From               Message
    ///   ----     ------     ----               ----               -------
    ///   Normal   Scheduled  4m                 default-scheduler  Successfully assigned shop/cache-0 to node-1
    ///   Warning  Failed     2m (x4 over 4m)    kubelet            Failed to pull image "redis:7.2.4": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/redis:7.2.4": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:3134997edb04277814aa51a4175a588d45eb4299272f8eff2307bbf8b39e4d43: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         cache-0
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Controlled By:  StatefulSet/cache
    /// Containers:
    ///   redis:
    ///     Image:          registry.example.com/mirror/redis:7.2.4
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type    Reason     Age   From               Message
    ///   ----    ------     ----  ----               -------
    ///   Normal  Scheduled  4m    default-scheduler  Successfully assigned shop/cache-0 to node-1
    ///   Normal  Pulled     4m    kubelet            Successfully pulled image "registry.example.com/mirror/redis:7.2.4" in 3.2s (3.2s including waiting)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: pulling with an account, through a mirror or less often are choices about your
    /// registries, not an edit of one manifest.
    pub struct ImagePullRateLimit {
        id: "image-pull-rate-limit",
        category: Images,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

impl Rule for ImagePullRateLimit {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| c == Cause::RateLimit)
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<crate::diagnostic::Related> {
        f.related(ws)
    }

    fn finding<'a>(_ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let hub = f.image.as_deref().is_some_and(is_docker_hub);
        let registry = if hub {
            "Docker Hub".to_string()
        } else {
            f.registry()
        };
        let node = f
            .node
            .as_ref()
            .map_or_else(String::new, |n| format!(" to node {n}"));
        let help = if hub {
            "Pull with a Docker Hub account (a docker-registry Secret in imagePullSecrets, or on the ServiceAccount) for a higher limit; better, mirror the image into a registry you control (a pull-through cache such as ECR, Artifact Registry or Harbor) and use that name; and pin tags with `imagePullPolicy: IfNotPresent` so nodes do not pull again on every start.".to_string()
        } else {
            format!("{registry} limits pulls: authenticate the pulls (imagePullSecrets), spread them out, or mirror the image into a registry you control; pin tags with `imagePullPolicy: IfNotPresent` so nodes do not pull again on every start.")
        };
        f.diagnostic(
            format!(
                "{registry} refused to serve {}{node} for {}: the pull rate limit is reached ({})",
                f.image_label(),
                f.subject(),
                f.evidence
            ),
            if f.recovered {
                pull_why(f)
            } else {
                "The pod stays in ImagePullBackOff until the limit resets; every node behind the same address shares that quota, so other rollouts fail too.".into()
            },
            help,
        )
    }
}
