use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::{ContainerKind, Workspace};
use crate::rule::Rule;
use crate::rules::images::reference::{is_placeholder, repository_placeholder, ImageReference};
use crate::yaml::{render_scalar, Node};

use super::container_title;

declare_rule! {
    /// ## What it does
    /// Finds an image repository that differs slightly from another one the set uses in
    /// the same namespace, under the same registry and owner: a word inserted or dropped in
    /// the middle or at the front (`petrosa-binance-extractor` beside
    /// `petrosa-binance-data-extractor`, `dashboard` beside `deploy-dashboard`), or a typo
    /// of at most two characters (`ledger-sevice` beside `ledger-service`). The name used
    /// fewer times is reported, with the other beside it. Names that differ by a trailing
    /// word or a role (`-exporter`, `-init`, `-operator`, `-webhook`, `-ui`, `proxy-`, an
    /// architecture or a digit) are different images and are left alone.
    ///
    /// ## Why is this bad?
    /// Most often only one of the two names is ever pushed: the pods with the other one
    /// fail with `ImagePullBackOff` (`not found`), or worse, run an old image still left
    /// under the old name while the rest of the application moves on.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: extractor
    /// spec:
    ///   replicas: 1
    ///   selector:
    ///     matchLabels: {app: extractor}
    ///   template:
    ///     metadata:
    ///       labels: {app: extractor}
    ///     spec:
    ///       containers:
    ///         - name: extractor
    ///           image: ghcr.io/example/binance-extractor:1.4.2
    ///           args: ["serve"]
    ///           livenessProbe:
    ///             exec: {command: ["/bin/alive"]}
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       backoffLimit: 1
    ///       template:
    ///         spec:
    ///           restartPolicy: Never
    ///           containers:
    ///             - name: klines
    ///               image: ghcr.io/example/binance-data-extractor:1.4.2
    ///               args: ["klines", "--period=5m"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-h1
    /// spec:
    ///   schedule: "0 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       backoffLimit: 1
    ///       template:
    ///         spec:
    ///           restartPolicy: Never
    ///           containers:
    ///             - name: klines
    ///               image: ghcr.io/example/binance-data-extractor:1.4.2
    ///               args: ["klines", "--period=1h"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: extractor
    /// spec:
    ///   replicas: 1
    ///   selector:
    ///     matchLabels: {app: extractor}
    ///   template:
    ///     metadata:
    ///       labels: {app: extractor}
    ///     spec:
    ///       containers:
    ///         - name: extractor
    ///           image: ghcr.io/example/binance-data-extractor:1.4.2
    ///           args: ["serve"]
    ///           livenessProbe:
    ///             exec: {command: ["/bin/alive"]}
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       backoffLimit: 1
    ///       template:
    ///         spec:
    ///           restartPolicy: Never
    ///           containers:
    ///             - name: klines
    ///               image: ghcr.io/example/binance-data-extractor:1.4.2
    ///               args: ["klines", "--period=5m"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-h1
    /// spec:
    ///   schedule: "0 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       backoffLimit: 1
    ///       template:
    ///         spec:
    ///           restartPolicy: Never
    ///           containers:
    ///             - name: klines
    ///               image: ghcr.io/example/binance-data-extractor:1.4.2
    ///               args: ["klines", "--period=1h"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes the name the set uses more often, keeping the tag; check that
    /// it is the one your build pushes.
    pub struct ImageNameInconsistent {
        id: "image-name-inconsistent",
        category: Workloads,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

/// Words that make another image of the same application, not a misspelling of it:
/// roles, variants, architectures.
const DISTINCT: &[&str] = &[
    "admin",
    "agent",
    "alpine",
    "amd64",
    "api",
    "app",
    "arm",
    "arm64",
    "backend",
    "base",
    "bootstrap",
    "builder",
    "cache",
    "cli",
    "client",
    "collector",
    "config",
    "controller",
    "core",
    "cpu",
    "cron",
    "cuda",
    "daemon",
    "db",
    "debug",
    "dev",
    "e2e",
    "exporter",
    "frontend",
    "gateway",
    "gpu",
    "init",
    "injector",
    "job",
    "jobs",
    "manager",
    "metrics",
    "migrate",
    "migration",
    "migrations",
    "ml",
    "operator",
    "prod",
    "proxy",
    "relay",
    "reloader",
    "rocm",
    "router",
    "runner",
    "runtime",
    "scheduler",
    "server",
    "service",
    "setup",
    "sidecar",
    "slim",
    "test",
    "tests",
    "tools",
    "ui",
    "watcher",
    "web",
    "webhook",
    "worker",
];

/// True when two last path segments look like one name written two ways.
pub fn confusable(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let words = |s: &str| -> Vec<String> {
        s.split(['-', '_', '.'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    let (long, short) = if wa.len() > wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if long.len() == short.len() + 1 {
        let inserted = (0..long.len()).find(|&k| {
            let mut rest = long.clone();
            rest.remove(k);
            rest == *short
        });
        if let Some(k) = inserted {
            let word = &long[k];
            // A trailing word names a variant (`ray-ml`, `hubble-ui-backend`).
            return !short.is_empty()
                && k + 1 != long.len()
                && !DISTINCT.contains(&word.as_str())
                && !word.chars().all(|c| c.is_ascii_digit());
        }
    }
    let digits_only = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    if a.len().min(b.len()) < 6 || digits_only(a) == digits_only(b) {
        return false;
    }
    if wa.len() == wb.len() {
        let differ: Vec<(&String, &String)> = wa.iter().zip(&wb).filter(|(x, y)| x != y).collect();
        // Two roles (`operator`, `webhook`) or two architectures name two images; a role
        // beside its misspelling (`sevice`) does not.
        if differ
            .iter()
            .any(|(x, y)| DISTINCT.contains(&x.as_str()) && DISTINCT.contains(&y.as_str()))
        {
            return false;
        }
    }
    crate::similarity::distance_within(a, b, 2).is_some()
}

/// A container's image, split into the repository's owner and last segment.
struct Use<'a> {
    container: usize,
    node: &'a Node,
    repository: &'a str,
}

impl Use<'_> {
    fn split(&self) -> (&str, &str) {
        self.repository
            .rsplit_once('/')
            .unwrap_or(("", self.repository))
    }
}

pub struct Odd<'a> {
    container: usize,
    node: &'a Node,
    repository: &'a str,
    /// The other name, and the containers that use it.
    common: &'a str,
    others: Vec<(usize, &'a Node)>,
}

impl Rule for ImageNameInconsistent {
    type State<'a> = Odd<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Odd<'a>> {
        let uses: Vec<Use<'a>> = ws
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind != ContainerKind::Ephemeral && !ws.objects[c.object].is_live())
            .filter_map(|(index, c)| {
                let node = c.node.get("image")?;
                let image = node.as_str()?;
                let repository = ImageReference::parse(image).repository;
                if is_placeholder(repository) || repository_placeholder(repository).is_some() {
                    return None;
                }
                Some(Use {
                    container: index,
                    node,
                    repository,
                })
            })
            .collect();
        let near = |a: &Use, b: &Use| {
            ws.objects[ws.containers[a.container].object]
                .may_share_namespace(&ws.objects[ws.containers[b.container].object])
        };
        // Uses by repository (in input order), and each owner's repositories.
        let mut by_repository: HashMap<&str, Vec<&Use>> = HashMap::new();
        let mut by_owner: HashMap<&str, Vec<&str>> = HashMap::new();
        for u in &uses {
            let same = by_repository.entry(u.repository).or_default();
            if same.is_empty() {
                by_owner.entry(u.split().0).or_default().push(u.repository);
            }
            same.push(u);
        }
        let mut confusables: HashMap<(&str, &str), bool> = HashMap::new();
        let mut out = Vec::new();
        for u in &uses {
            let (owner, name) = u.split();
            // A library image (`nginx`, `redis`) has no owner to tie the two to one project.
            if owner.is_empty() {
                continue;
            }
            let near_uses = |repository: &str| {
                by_repository[repository]
                    .iter()
                    .copied()
                    .filter(|v| near(u, v))
            };
            let mine = near_uses(u.repository).count();
            let mut rival = None;
            for &repository in &by_owner[owner] {
                let other = repository.rsplit_once('/').map_or(repository, |(_, n)| n);
                let confused = *confusables
                    .entry((name, other))
                    .or_insert_with(|| confusable(name, other));
                let count = near_uses(repository).count();
                if confused && count > mine {
                    rival = rival.max(Some((count, repository)));
                }
            }
            let Some((_, common)) = rival else { continue };
            out.push(Odd {
                container: u.container,
                node: u.node,
                repository: u.repository,
                common,
                others: near_uses(common).map(|v| (v.container, v.node)).collect(),
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, o: &Odd<'a>) -> Diagnostic {
        let c = &ws.containers[o.container];
        let object = &ws.objects[c.object];
        let mut users: Vec<String> = o
            .others
            .iter()
            .map(|(i, _)| ws.objects[ws.containers[*i].object].display())
            .collect();
        users.dedup();
        let users = match users.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        Diagnostic {
            file: object.file,
            range: o.node.span,
            message: format!(
                "{} runs {}, while {} {} {}: one of the two names is most likely wrong",
                container_title(ws, c),
                o.repository,
                users,
                if o.others.len() == 1 { "runs" } else { "run" },
                o.common
            ),
            why: "Usually only one of the names is pushed: pods with the other fail with `ImagePullBackOff` (`not found`), or run an old image left under that name while the rest of the application moves on.".into(),
            help: Some(format!("Use the repository your build pushes in every workload of the application (most of them say {}).", o.common)),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, o: &Odd<'a>) -> Vec<Related> {
        o.others
            .iter()
            .take(1)
            .map(|(i, node)| {
                let c = &ws.containers[*i];
                Related {
                    file: ws.objects[c.object].file,
                    range: node.span,
                    message: format!("{} runs {}", container_title(ws, c), o.common),
                }
            })
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, o: &Odd<'a>) -> Option<Fix> {
        let scalar = o.node.as_scalar()?;
        let rest = scalar.text.strip_prefix(o.repository)?;
        let image = format!("{}{rest}", o.common);
        let file = ws.objects[ws.containers[o.container].object].file;
        Some(Fix::new(
            format!("Run {image}"),
            Applicability::Unsafe,
            vec![Edit::replace(
                file,
                o.node.span,
                render_scalar(&image, scalar.style),
            )],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::confusable;

    #[test]
    fn one_name_written_two_ways_is_confusable_and_variants_are_not() {
        assert!(confusable(
            "petrosa-binance-extractor",
            "petrosa-binance-data-extractor"
        ));
        assert!(confusable("dashboard", "deploy-dashboard"));
        assert!(confusable("ledger-sevice", "ledger-service"));
        assert!(!confusable("ray", "ray-ml"));
        assert!(!confusable("hubble-ui", "hubble-ui-backend"));
        assert!(!confusable("server", "proxy_server"));
        assert!(!confusable("nginx", "nginx-exporter"));
        assert!(!confusable("shop-operator", "shop-webhook"));
        assert!(!confusable("worker-v1", "worker-v2"));
        assert!(!confusable("app-amd64", "app-arm64"));
        assert!(!confusable("api", "app"));
        assert!(!confusable("shop-api", "shop-app"));
    }
}
