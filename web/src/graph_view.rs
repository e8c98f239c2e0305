//! The object graph as something to draw: the engine's [`Graph`] of the person's text laid out
//! in columns (Ingress, Services and policies, workloads, what pods read), each node and link
//! with its place in the text and, for a broken link, the finding about it.
//!
//! Like [`crate::bridge`], a door to the engine and pure: no browser APIs, tested natively.

use kubeclinic_engine::output::locate;
use kubeclinic_engine::{
    Checker, Graph, GraphEdge, LineIndex, NodeRole, PositionEncoding, SourceFile, TextRange,
};

use crate::bridge::{Diagnosis, FindingView, Selection, Utf16Lines, INPUT_NAME};

/// Nodes drawn at most: a paste of thousands of objects stays responsive, and a picture that
/// large says little anyway.
pub const MAX_NODES: usize = 300;

/// The finding id a reveal that selects no finding carries: no finding has it.
pub const NO_FINDING: usize = usize::MAX;

pub const NODE_WIDTH: f64 = 200.0;
pub const NODE_HEIGHT: f64 = 44.0;
/// Room between columns for the links to bend.
const COLUMN_GAP: f64 = 96.0;
const ROW_GAP: f64 = 12.0;
const MARGIN: f64 = 16.0;
/// Room above a column's first node for its heading.
const HEADING: f64 = 28.0;
/// Room between the Services and the policies that share their column.
const SECTION_GAP: f64 = 24.0;
/// Characters of a name drawn in a node before it is shortened (the full name is in the
/// node's title and label).
const NAME_CHARS: usize = 22;

/// What a click (or Enter) on a node or a link selects in the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    /// The finding to select in the list, if the click is about one.
    pub finding: Option<usize>,
    pub selection: Selection,
    /// 1-based.
    pub line: usize,
}

impl Reveal {
    /// The id to put in `Action::Select`: the finding's, else one no finding has.
    pub fn id(&self) -> usize {
        self.finding.unwrap_or(NO_FINDING)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub kind: String,
    pub name: String,
    /// The name as drawn: shortened with an ellipsis when long.
    pub short_name: String,
    pub namespace: Option<String>,
    /// `Deployment web in namespace shop: 2 findings, the worst an error`, for screen readers
    /// and the tooltip.
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Named by the text but not in it.
    pub missing: bool,
    /// Read from `kubectl get -o yaml` output.
    pub live: bool,
    /// The worst severity of the findings about it (`error`, `warning`, `info`).
    pub severity: Option<&'static str>,
    pub findings: usize,
    pub reveal: Reveal,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EdgeView {
    /// Indexes into [`GraphView::nodes`].
    pub from: usize,
    pub to: usize,
    /// `routes`, `reads env`, `mounts, reads env` when one link does both.
    pub relation: String,
    /// The sentence for screen readers and the tooltip: `Deployment web reads env from
    /// ConfigMap web-confg (env LOG_LEVEL of container api): broken, ConfigMap web-confg is
    /// not in the set`.
    pub label: String,
    /// Why a broken link is broken: `ConfigMap web-confg is not in the set; did you mean
    /// web-config?`.
    pub problem: Option<String>,
    /// The tone of a broken link: its finding's severity (a name merely not in the paste is
    /// `info`, a typo an `error`), `info` when no rule judges it.
    pub severity: Option<&'static str>,
    /// SVG path data, from the source's right side to the target.
    pub path: String,
    /// The middle of the path, where a broken link's mark goes.
    pub mid: (f64, f64),
    pub broken: bool,
    pub reveal: Reveal,
}

/// A column's heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    pub text: &'static str,
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphView {
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
    pub headings: Vec<Heading>,
    pub width: f64,
    pub height: f64,
    /// Nodes of the graph not drawn (beyond [`MAX_NODES`]).
    pub hidden: usize,
    /// Links drawn that are broken.
    pub broken: usize,
}

impl GraphView {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// `9 objects, 8 links, 1 broken`.
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut text = format!(
            "{}, {}",
            plural(self.nodes.len(), "object", "objects"),
            plural(self.edges.len(), "link", "links")
        );
        if self.broken > 0 {
            text.push_str(&format!(", {} broken", self.broken));
        }
        text
    }
}

/// The graph of `text` (read with the person's settings), with the findings of `diagnosis`
/// (the findings of the same text) tied to its nodes and broken links.
pub fn graph(checker: &Checker, text: &str, diagnosis: &Diagnosis) -> GraphView {
    let files = [SourceFile::new(INPUT_NAME, text)];
    let graph = checker.graph(&files);
    view(&files[0], &graph, &diagnosis.findings)
}

/// Byte ranges of the one text to what the editor selects.
struct Positions<'a> {
    file: &'a SourceFile,
    index: LineIndex,
    utf16: Utf16Lines,
}

impl<'a> Positions<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let index = LineIndex::new(&file.text);
        let utf16 = Utf16Lines::new(&file.text, &index);
        Self { file, index, utf16 }
    }

    fn at(&self, range: TextRange) -> (Selection, usize) {
        let at = locate(self.file, &self.index, range, PositionEncoding::Utf16);
        (self.utf16.selection(&at), at.line)
    }
}

/// The findings of a text ordered by where they start, to find those inside a range without
/// looking at all of them.
struct ByStart<'f> {
    findings: Vec<&'f FindingView>,
}

impl<'f> ByStart<'f> {
    fn new(findings: &[&'f FindingView]) -> Self {
        let mut findings: Vec<&FindingView> = findings.to_vec();
        findings.sort_by_key(|f| (f.selection.start, f.id));
        Self { findings }
    }

    /// The findings that start inside `within`.
    fn inside(&self, within: Selection) -> &[&'f FindingView] {
        let from = self
            .findings
            .partition_point(|f| f.selection.start < within.start);
        let to = self.findings.partition_point(|f| {
            f.selection.start < within.end.max(within.start.saturating_add(1))
        });
        &self.findings[from..to.max(from)]
    }
}

fn rank(severity: &str) -> u8 {
    match severity {
        "error" => 3,
        "warning" => 2,
        "info" => 1,
        _ => 0,
    }
}

/// The worst of `findings`, the first of equals.
fn worst<'f>(findings: impl IntoIterator<Item = &'f FindingView>) -> Option<&'f FindingView> {
    findings
        .into_iter()
        .fold(None, |best: Option<&FindingView>, f| match best {
            Some(b) if rank(b.severity) >= rank(f.severity) => Some(b),
            _ => Some(f),
        })
}

/// The finding about a reference: among those of its object, one whose range holds the
/// reference, else one that overlaps it; the worst first.
fn finding_at<'f>(candidates: &[&'f FindingView], at: Selection) -> Option<&'f FindingView> {
    let holds = |f: &&FindingView| f.selection.start <= at.start && at.end <= f.selection.end;
    let overlaps = |f: &&FindingView| {
        f.selection.start < at.end.max(at.start.saturating_add(1))
            && at.start < f.selection.end.max(f.selection.start.saturating_add(1))
    };
    worst(candidates.iter().copied().filter(holds))
        .or_else(|| worst(candidates.iter().copied().filter(overlaps)))
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let head: String = name.chars().take(NAME_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// The items, each once, in their first order.
fn distinct<'s>(items: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn titled(kind: &str, name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("{kind} {name} in namespace {ns}"),
        None => format!("{kind} {name}"),
    }
}

/// One drawn link: the engine's links between the same two nodes, together.
struct Bundle<'g> {
    from: usize,
    to: usize,
    edges: Vec<&'g GraphEdge>,
}

/// Lays out `graph` (of `file`) and ties `findings` to it.
pub fn view(file: &SourceFile, graph: &Graph, findings: &[FindingView]) -> GraphView {
    let kept = graph.nodes.len().min(MAX_NODES);
    let hidden = graph.nodes.len() - kept;
    let positions = Positions::new(file);
    // The graph is of the manifests: findings in the cluster-output pane have no place in it.
    let findings: Vec<&FindingView> = findings
        .iter()
        .filter(|f| f.pane == crate::bridge::Pane::Manifests)
        .collect();
    let by_start = ByStart::new(&findings);

    // Findings about each drawn node's object.
    let extents: Vec<Selection> = graph.nodes[..kept]
        .iter()
        .map(|n| positions.at(n.extent).0)
        .collect();
    let own: Vec<&[&FindingView]> = extents
        .iter()
        .zip(&graph.nodes[..kept])
        .map(|(extent, n)| {
            if n.missing {
                &[][..]
            } else {
                by_start.inside(*extent)
            }
        })
        .collect();

    // Links between the same two nodes are drawn as one.
    let mut bundles: Vec<Bundle> = Vec::new();
    let mut bundle_of: std::collections::HashMap<(usize, usize), usize> =
        std::collections::HashMap::new();
    for edge in &graph.edges {
        if edge.from >= kept || edge.to >= kept {
            continue;
        }
        let key = (edge.from, edge.to);
        match bundle_of.get(&key) {
            Some(&b) => bundles[b].edges.push(edge),
            None => {
                bundle_of.insert(key, bundles.len());
                bundles.push(Bundle {
                    from: edge.from,
                    to: edge.to,
                    edges: vec![edge],
                });
            }
        }
    }

    // A broken link's finding: the one at its reference (or at another of the bundle's), else
    // one that names the reference's line as a secondary place (a finding that lists every
    // place naming the same missing object points at the first and labels the others).
    let mut by_related_line: std::collections::HashMap<usize, Vec<&FindingView>> =
        std::collections::HashMap::new();
    for &f in &findings {
        for r in &f.related {
            by_related_line.entry(r.line).or_default().push(f);
        }
    }
    let edge_findings: Vec<Option<&FindingView>> = bundles
        .iter()
        .map(|b| {
            let broken = || {
                b.edges
                    .iter()
                    .filter(|e| e.broken)
                    .map(|e| positions.at(e.range))
            };
            broken()
                .find_map(|(at, _)| finding_at(own[b.from], at))
                .or_else(|| {
                    broken().find_map(|(_, line)| {
                        worst(by_related_line.get(&line).into_iter().flatten().copied())
                    })
                })
        })
        .collect();

    // What a placeholder shows: the findings of the broken links to it.
    let mut incoming: Vec<Vec<&FindingView>> = vec![Vec::new(); kept];
    for (b, f) in bundles.iter().zip(&edge_findings) {
        if let Some(f) = f {
            incoming[b.to].push(f);
        }
    }

    let layout = Layout::new(graph, kept, &bundles);

    let nodes: Vec<NodeView> = graph.nodes[..kept]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (selection, line) = positions.at(n.range);
            let (severity, findings, finding) = if n.missing {
                let w = worst(incoming[i].iter().copied());
                (w.map(|f| f.severity), incoming[i].len(), w)
            } else {
                let w = worst(own[i].iter().copied());
                (w.map(|f| f.severity), own[i].len(), None)
            };
            let reveal = match finding {
                Some(f) => Reveal {
                    finding: Some(f.id),
                    selection: f.selection,
                    line: f.line,
                },
                None => Reveal {
                    finding: None,
                    selection,
                    line,
                },
            };
            let mut label = titled(&n.kind, &n.name, n.namespace.as_deref());
            if n.missing {
                label.push_str(", not in the paste");
            } else if n.live {
                label.push_str(", as the cluster showed it");
            }
            if findings > 0 {
                let worst = severity.unwrap_or("info");
                label.push_str(&match findings {
                    1 => format!(": 1 finding, {worst}"),
                    n => format!(": {n} findings, the worst {worst}"),
                });
            }
            let (x, y) = layout.at[i];
            NodeView {
                kind: n.kind.clone(),
                short_name: shorten(&n.name),
                name: n.name.clone(),
                namespace: n.namespace.clone(),
                label,
                x,
                y,
                width: NODE_WIDTH,
                height: NODE_HEIGHT,
                missing: n.missing,
                live: n.live,
                severity,
                findings,
                reveal,
            }
        })
        .collect();

    let edges: Vec<EdgeView> = bundles
        .iter()
        .zip(&edge_findings)
        .map(|(b, finding)| {
            let broken = b.edges.iter().any(|e| e.broken);
            let first = b
                .edges
                .iter()
                .find(|e| e.broken)
                .copied()
                .unwrap_or(b.edges[0]);
            let relation = distinct(b.edges.iter().map(|e| e.relation.as_str())).join(", ");
            let labels = distinct(b.edges.iter().map(|e| e.label.as_str()));
            let details = match labels.len() {
                0 => String::new(),
                1..=3 => labels.join("; "),
                n => format!("{} and {} more", labels[..3].join("; "), n - 3),
            };
            let (source, target) = (&graph.nodes[b.from], &graph.nodes[b.to]);
            let mut label = format!(
                "{} {} {} {} {}",
                source.kind, source.name, relation, target.kind, target.name
            );
            if !details.is_empty() && details != target.name {
                label.push_str(&format!(" ({details})"));
            }
            if let Some(problem) = &first.problem {
                label.push_str(&format!(": broken, {problem}"));
            }
            let reveal = match finding {
                Some(f) => Reveal {
                    finding: Some(f.id),
                    selection: f.selection,
                    line: f.line,
                },
                None => {
                    let (selection, line) = positions.at(first.range);
                    Reveal {
                        finding: None,
                        selection,
                        line,
                    }
                }
            };
            let (path, mid) = route(layout.at[b.from], layout.at[b.to]);
            EdgeView {
                from: b.from,
                to: b.to,
                relation,
                label,
                problem: first.problem.clone(),
                severity: broken.then(|| finding.map_or("info", |f| f.severity)),
                path,
                mid,
                broken,
                reveal,
            }
        })
        .collect();

    GraphView {
        broken: edges.iter().filter(|e| e.broken).count(),
        nodes,
        edges,
        headings: layout.headings,
        width: layout.width,
        height: layout.height,
        hidden,
    }
}

/// Where each node goes.
struct Layout {
    at: Vec<(f64, f64)>,
    headings: Vec<Heading>,
    width: f64,
    height: f64,
}

impl Layout {
    /// Columns by role, empty ones left out. Workloads keep the order of the text; the
    /// other columns are ordered by the mean row of the nodes they link to (their
    /// barycentre), which keeps most links from crossing. Nodes without links go last.
    fn new(graph: &Graph, kept: usize, bundles: &[Bundle]) -> Self {
        let nodes = &graph.nodes[..kept];
        let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); kept];
        for b in bundles {
            neighbours[b.from].push(b.to);
            neighbours[b.to].push(b.from);
        }
        // The row of each node once its column is ordered: workloads first, then each other
        // column by the rows of the nodes it links to that already have one.
        let mut row: Vec<Option<f64>> = vec![None; kept];
        let in_role = |role: NodeRole| -> Vec<usize> {
            (0..kept).filter(|&i| nodes[i].role == role).collect()
        };
        let order = |members: Vec<usize>, row: &mut Vec<Option<f64>>, anchored: bool| {
            let mut keyed: Vec<(f64, usize)> = members
                .into_iter()
                .map(|i| {
                    let linked: Vec<f64> = neighbours[i].iter().filter_map(|&n| row[n]).collect();
                    let key = if anchored {
                        // Placeholders of pods go below the workloads of the text.
                        if nodes[i].missing {
                            f64::MAX / 2.0
                        } else {
                            0.0
                        }
                    } else if linked.is_empty() {
                        f64::MAX
                    } else {
                        linked.iter().sum::<f64>() / linked.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let ordered: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
            for (r, &i) in ordered.iter().enumerate() {
                row[i] = Some(r as f64);
            }
            ordered
        };
        let workloads = order(in_role(NodeRole::Workload), &mut row, true);
        let config = order(in_role(NodeRole::Config), &mut row, false);
        let services = order(in_role(NodeRole::Service), &mut row, false);
        let policies = order(in_role(NodeRole::Policy), &mut row, false);
        let ingresses = order(in_role(NodeRole::Ingress), &mut row, false);

        // Columns in order, each a list of (heading, members) sections.
        let columns: [Vec<(&'static str, Vec<usize>)>; 4] = [
            vec![("Ingresses", ingresses)],
            vec![("Services", services), ("Policies", policies)],
            vec![("Workloads", workloads)],
            vec![("Configuration", config)],
        ];
        let mut at = vec![(0.0, 0.0); kept];
        let mut headings = Vec::new();
        let mut x = MARGIN;
        let mut height: f64 = 0.0;
        for column in columns {
            if column.iter().all(|(_, members)| members.is_empty()) {
                continue;
            }
            let mut y = MARGIN;
            for (text, members) in column {
                if members.is_empty() {
                    continue;
                }
                if y > MARGIN {
                    y += SECTION_GAP - ROW_GAP;
                }
                headings.push(Heading {
                    text,
                    x,
                    y: y + HEADING - 12.0,
                });
                y += HEADING;
                for i in members {
                    at[i] = (x, y);
                    y += NODE_HEIGHT + ROW_GAP;
                }
            }
            height = height.max(y - ROW_GAP + MARGIN);
            x += NODE_WIDTH + COLUMN_GAP;
        }
        Self {
            at,
            headings,
            width: if kept == 0 {
                0.0
            } else {
                x - COLUMN_GAP + MARGIN
            },
            height,
        }
    }
}

/// The path of a link from the node at `from` to the node at `to` (their top-left corners),
/// and its middle. Links go from the source's right side to the target's left side; a target
/// in the same column or to the left is reached on its right side by a loop.
fn route(from: (f64, f64), to: (f64, f64)) -> (String, (f64, f64)) {
    let (x1, y1) = (from.0 + NODE_WIDTH, from.1 + NODE_HEIGHT / 2.0);
    let y2 = to.1 + NODE_HEIGHT / 2.0;
    let (x2, c1, c2) = if to.0 > x1 {
        let x2 = to.0;
        let bend = (x2 - x1) / 2.0;
        (x2, (x1 + bend, y1), (x2 - bend, y2))
    } else {
        let x2 = to.0 + NODE_WIDTH;
        let out = x1.max(x2) + COLUMN_GAP / 2.0;
        (x2, (out, y1), (out, y2))
    };
    let path = format!(
        "M{:.1} {:.1} C{:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
        x1, y1, c1.0, c1.1, c2.0, c2.1, x2, y2
    );
    // The point of a cubic Bézier curve at t = 1/2.
    let mid = (
        (x1 + 3.0 * c1.0 + 3.0 * c2.0 + x2) / 8.0,
        (y1 + 3.0 * c1.1 + 3.0 * c2.1 + y2) / 8.0,
    );
    (path, mid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(text: &str) -> (GraphView, Diagnosis) {
        let checker = kubeclinic_engine::settings::default_checker();
        let diagnosis = crate::bridge::diagnose_with(checker, text, "");
        (graph(checker, text, &diagnosis), diagnosis)
    }

    fn node<'g>(g: &'g GraphView, kind: &str, name: &str) -> (usize, &'g NodeView) {
        g.nodes
            .iter()
            .enumerate()
            .find(|(_, n)| n.kind == kind && n.name == name)
            .unwrap_or_else(|| panic!("no {kind} {name} in {:#?}", g.nodes))
    }

    const SHOP: &str = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.org
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
          - path: /api
            pathType: Prefix
            backend:
              service: {name: web-api, port: {number: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: api
          image: ghcr.io/example/web:1.2.3
          ports: [{containerPort: 8080}]
          env:
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef: {name: web-confg, key: level}
            - name: LOG_FORMAT
              valueFrom:
                configMapKeyRef: {name: web-confg, key: format}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {level: info, format: json}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
"#;

    #[test]
    fn nodes_go_in_columns_by_role() {
        let (g, _) = graph_of(SHOP);
        let (_, ingress) = node(&g, "Ingress", "shop");
        let (_, service) = node(&g, "Service", "web");
        let (_, pdb) = node(&g, "PodDisruptionBudget", "web");
        let (_, deployment) = node(&g, "Deployment", "web");
        let (_, config) = node(&g, "ConfigMap", "web-config");
        assert!(ingress.x < service.x && service.x < deployment.x && deployment.x < config.x);
        assert_eq!(pdb.x, service.x, "policies share the Services' column");
        assert!(pdb.y > service.y, "below the Services");
        let texts: Vec<&str> = g.headings.iter().map(|h| h.text).collect();
        assert_eq!(
            texts,
            [
                "Ingresses",
                "Services",
                "Policies",
                "Workloads",
                "Configuration"
            ]
        );
        // Nothing overlaps.
        for (i, a) in g.nodes.iter().enumerate() {
            for b in &g.nodes[i + 1..] {
                let apart = a.x + a.width <= b.x
                    || b.x + b.width <= a.x
                    || a.y + a.height <= b.y
                    || b.y + b.height <= a.y;
                assert!(apart, "{} overlaps {}", a.label, b.label);
            }
            assert!(a.x + a.width <= g.width && a.y + a.height <= g.height);
        }
        assert_eq!(g.hidden, 0);
        assert_eq!(graph_of(SHOP).0, g, "deterministic");
    }

    #[test]
    fn a_broken_link_selects_its_finding() {
        let (g, d) = graph_of(SHOP);
        let (missing_config, placeholder) = node(&g, "ConfigMap", "web-confg");
        assert!(placeholder.missing);
        // Two env vars read the same missing ConfigMap: one link, one finding.
        let to_config: Vec<&EdgeView> = g.edges.iter().filter(|e| e.to == missing_config).collect();
        assert_eq!(to_config.len(), 1);
        let edge = to_config[0];
        assert!(edge.broken);
        assert_eq!(edge.relation, "reads env");
        let finding = d
            .findings
            .iter()
            .find(|f| Some(f.id) == edge.reveal.finding)
            .expect("the broken link carries a finding");
        assert_eq!(finding.rule, "ref-missing-configmap");
        assert_eq!(edge.reveal.selection, finding.selection);
        assert_eq!(edge.reveal.line, finding.line);
        assert_eq!(edge.reveal.id(), finding.id);
        assert!(edge.label.starts_with(
            "Deployment web reads env ConfigMap web-confg (env LOG_LEVEL of container api; env LOG_FORMAT of container api): broken, ConfigMap web-confg is not in the set; did you mean web-config?"
        ), "{}", edge.label);
        assert_eq!(
            edge.problem.as_deref(),
            Some("ConfigMap web-confg is not in the set; did you mean web-config?")
        );
        assert_eq!(edge.severity, Some(finding.severity));
        // The placeholder selects the same finding, and is coloured by it.
        assert_eq!(placeholder.reveal.finding, Some(finding.id));
        assert_eq!(placeholder.severity, Some(finding.severity));

        // The Ingress's second backend names a Service the text lacks.
        let (missing_service, _) = node(&g, "Service", "web-api");
        let route = g.edges.iter().find(|e| e.to == missing_service).unwrap();
        assert!(route.broken);
        let f = d
            .findings
            .iter()
            .find(|f| Some(f.id) == route.reveal.finding)
            .expect("finding of the missing backend");
        assert_eq!(f.rule, "ingress-backend-missing");
        assert_eq!(g.broken, 2);
        assert_eq!(g.summary(), "7 objects, 5 links, 2 broken");
    }

    #[test]
    fn names_only_missing_from_the_paste_are_quiet_and_share_their_finding() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n        - name: api\n          image: api:1.0.0\n          envFrom:\n            - secretRef: {name: vault-a}\n            - secretRef: {name: vault-b}\n";
        let (g, d) = graph_of(text);
        let notice = d
            .findings
            .iter()
            .find(|f| f.rule == "referenced-objects-not-in-set")
            .expect("one finding lists both");
        assert_eq!(g.broken, 2);
        for name in ["vault-a", "vault-b"] {
            let (secret, _) = node(&g, "Secret", name);
            let edge = g.edges.iter().find(|e| e.to == secret).unwrap();
            assert_eq!(edge.reveal.finding, Some(notice.id), "{name}");
            assert_eq!(edge.severity, Some("info"));
        }
    }

    #[test]
    fn whole_links_reveal_their_reference_and_nodes_their_name() {
        let (g, _) = graph_of(SHOP);
        let (service, _) = node(&g, "Service", "web");
        let (deployment, d) = node(&g, "Deployment", "web");
        let selects = g
            .edges
            .iter()
            .find(|e| e.from == service && e.to == deployment)
            .unwrap();
        assert!(!selects.broken && selects.problem.is_none() && selects.severity.is_none());
        assert_eq!(selects.reveal.finding, None);
        assert_eq!(selects.reveal.id(), NO_FINDING);
        let start = SHOP.find("{app: web}\n  ports").unwrap() as u32;
        assert_eq!(selects.reveal.selection.start, start);
        assert_eq!(selects.reveal.line, 23);
        assert_eq!(d.reveal.finding, None);
        let name = SHOP
            .find("{name: web, namespace: shop}\nspec:\n  replicas")
            .unwrap()
            + 7;
        assert_eq!(d.reveal.selection.start as usize, name);
        assert!(selects.path.starts_with('M') && selects.path.contains(" C"));
        let (_, service_node) = node(&g, "Service", "web");
        assert!(selects.path.starts_with(&format!(
            "M{:.1} {:.1}",
            service_node.x + NODE_WIDTH,
            service_node.y + NODE_HEIGHT / 2.0
        )));
    }

    #[test]
    fn nodes_take_the_worst_severity_of_their_findings() {
        let text = SHOP.replace("image: ghcr.io/example/web:1.2.3", "image: nginx:latest");
        let (g, d) = graph_of(&text);
        let (_, deployment) = node(&g, "Deployment", "web");
        assert!(deployment.findings > 0);
        let worst = d
            .findings
            .iter()
            .filter(|f| f.object.as_deref() == Some("Deployment web (namespace shop)"))
            .map(|f| rank(f.severity))
            .max();
        assert_eq!(deployment.severity.map(rank), worst);
        assert!(
            deployment.label.contains("findings, the worst"),
            "{}",
            deployment.label
        );
        let (_, config) = node(&g, "ConfigMap", "web-config");
        assert_eq!((config.severity, config.findings), (None, 0));
    }

    #[test]
    fn names_are_shortened_and_counted_in_utf16() {
        let text = "# é 😀\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a-configuration-with-a-very-long-name}\ndata: {a: b}\n";
        let (g, _) = graph_of(text);
        let n = &g.nodes[0];
        assert_eq!(n.short_name, "a-configuration-with-…");
        assert_eq!(n.name, "a-configuration-with-a-very-long-name");
        let bytes = text.find("a-configuration").unwrap();
        assert_eq!(
            n.reveal.selection.start as usize,
            bytes - 3,
            "é is one unit, 😀 two"
        );
        assert_eq!(n.reveal.line, 4);
    }

    #[test]
    fn an_empty_or_runtime_only_text_draws_nothing() {
        for text in [
            "",
            "Events:\n  Warning  BackOff  5s  kubelet  Back-off restarting failed container\n",
            "a: [1, 2\n",
        ] {
            let (g, _) = graph_of(text);
            assert!(g.is_empty() && g.edges.is_empty() && g.headings.is_empty());
            assert_eq!((g.width, g.height, g.hidden), (0.0, 0.0, 0));
        }
    }

    #[test]
    fn large_sets_are_cut_at_the_cap() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}}}\nspec:\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec: {{containers: [{{name: app, image: 'app:{i}'}}]}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}}}\nspec: {{selector: {{app: app-{i}}}, ports: [{{port: 80}}]}}\n"
            ));
        }
        let (g, _) = graph_of(&text);
        assert_eq!(g.nodes.len(), MAX_NODES);
        assert_eq!(g.hidden, 100);
        assert!(g
            .edges
            .iter()
            .all(|e| e.from < g.nodes.len() && e.to < g.nodes.len()));
        assert_eq!(g.edges.len(), 150, "links to nodes left out are left out");
        // Services line up with their workloads.
        let (s, service) = node(&g, "Service", "app-7");
        let (w, workload) = node(&g, "Deployment", "app-7");
        assert!(g.edges.iter().any(|e| e.from == s && e.to == w));
        assert_eq!(service.y, workload.y);
    }

    #[test]
    fn links_back_into_a_column_loop_around_its_right_side() {
        let (path, mid) = route((0.0, 0.0), (0.0, 100.0));
        assert_eq!(path, "M200.0 22.0 C248.0 22.0, 248.0 122.0, 200.0 122.0");
        assert_eq!(mid, (236.0, 72.0));
    }
}
