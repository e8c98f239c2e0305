use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::{Container, ContainerKind, Workspace};
use crate::rule::Rule;
use crate::rules::images::reference::{is_placeholder, ImageReference};
use crate::yaml::Node;

use super::container_title;

declare_rule! {
    /// ## What it does
    /// Finds a Deployment that runs the same image (the same repository, whatever the tag)
    /// with the same `command` and `args` as a CronJob of its namespace: one piece of work
    /// deployed twice, once always on and once on a schedule. Containers that give neither
    /// a command nor args (the image's default, which the environment may steer), suspended
    /// CronJobs and Deployments scaled to 0 are left alone.
    ///
    /// ## Why is this bad?
    /// The work runs twice: the always-on copy loops while the scheduled one starts on top
    /// of it, so records are imported twice, messages sent twice, rate limits hit twice as
    /// fast, and the two copies race on the same data.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: klines-extractor
    /// spec:
    ///   replicas: 1
    ///   selector:
    ///     matchLabels: {app: klines-extractor}
    ///   template:
    ///     metadata:
    ///       labels: {app: klines-extractor}
    ///     spec:
    ///       containers:
    ///         - name: extractor
    ///           image: ghcr.io/example/market-extractor:2.0.0
    ///           args: ["-m", "jobs.extract_klines"]
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
    ///             - name: extractor
    ///               image: ghcr.io/example/market-extractor:2.0.1
    ///               args: ["-m", "jobs.extract_klines"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
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
    ///             - name: extractor
    ///               image: ghcr.io/example/market-extractor:2.0.1
    ///               args: ["-m", "jobs.extract_klines"]
    ///               resources:
    ///                 requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of the two should run (a loop or a schedule) is yours to decide; delete
    /// the other, or give them different work.
    pub struct DuplicateWorkload {
        id: "duplicate-workload",
        category: Workloads,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Twice<'a> {
    container: usize,
    image: &'a Node,
    /// The CronJobs' containers that do the same.
    scheduled: Vec<usize>,
}

/// What a container runs: its image repository, command and args.
fn work<'a>(c: &Container<'a>) -> Option<(&'a str, Vec<&'a str>, Vec<&'a str>)> {
    let image = c.node.get("image")?.as_str()?;
    let repository = ImageReference::parse(image).repository;
    if is_placeholder(repository) {
        return None;
    }
    let list = |key: &str| -> Option<Vec<&'a str>> {
        match c.node.get(key) {
            None => Some(Vec::new()),
            Some(n) if n.as_scalar().is_some_and(|s| s.is_null()) => Some(Vec::new()),
            Some(n) => n.items().iter().map(Node::as_str).collect(),
        }
    };
    let (command, args) = (list("command")?, list("args")?);
    // Without a command or args the work is the image's default, which env may steer:
    // not enough to call two workloads the same.
    if command.is_empty() && args.is_empty() {
        return None;
    }
    Some((repository, command, args))
}

impl Rule for DuplicateWorkload {
    type State<'a> = Twice<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Twice<'a>> {
        let regular = |kind: &str| {
            ws.containers
                .iter()
                .enumerate()
                .filter(move |(_, c)| {
                    let o = &ws.objects[c.object];
                    c.kind == ContainerKind::Regular && o.kind == kind && !o.is_live()
                })
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let cron: Vec<usize> = regular("CronJob")
            .into_iter()
            .filter(|&i| {
                let o = &ws.objects[ws.containers[i].object];
                o.node.path(&["spec", "suspend"]).and_then(Node::as_str) != Some("true")
            })
            .collect();
        if cron.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for i in regular("Deployment") {
            let c = &ws.containers[i];
            let deployment = &ws.objects[c.object];
            let stopped = deployment
                .node
                .path(&["spec", "replicas"])
                .and_then(Node::as_i64)
                == Some(0);
            let (Some(done), Some(image)) = (work(c), c.node.get("image")) else {
                continue;
            };
            if stopped {
                continue;
            }
            let scheduled: Vec<usize> = cron
                .iter()
                .copied()
                .filter(|&j| {
                    let other = &ws.containers[j];
                    ws.objects[other.object].may_share_namespace(deployment)
                        && work(other).as_ref() == Some(&done)
                })
                .collect();
            if !scheduled.is_empty() {
                out.push(Twice {
                    container: i,
                    image,
                    scheduled,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Diagnostic {
        let c = &ws.containers[t.container];
        let object = &ws.objects[c.object];
        let (repository, command, args) = work(c).unwrap_or_default();
        let mut crons: Vec<String> = t
            .scheduled
            .iter()
            .map(|&j| ws.objects[ws.containers[j].object].display())
            .collect();
        crons.dedup();
        let run: Vec<&str> = command.iter().chain(&args).copied().collect();
        let what = format!("{repository} `{}`", run.join(" "));
        Diagnostic {
            file: object.file,
            range: t.image.span,
            message: format!(
                "{} runs {what} always, and {} runs the same on a schedule",
                container_title(ws, c),
                crons.join(", ")
            ),
            why: "The work runs twice: the always-on copy and the scheduled one overlap, importing or sending the same data twice and racing on it.".into(),
            help: Some("Keep one of the two: the Deployment if the work must loop, the CronJob if it runs on a schedule; or give them different work.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Vec<Related> {
        t.scheduled
            .iter()
            .filter_map(|&j| {
                let c = &ws.containers[j];
                Some(Related {
                    file: ws.objects[c.object].file,
                    range: c.node.get("image")?.span,
                    message: format!("{} runs the same", container_title(ws, c)),
                })
            })
            .collect()
    }
}
