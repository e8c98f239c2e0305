//! Building edits on the person's YAML: set a value or add missing keys, indented like their
//! siblings, touching only the bytes that must change.
//!
//! [`set_path`] sets one path, keeping the quoting of a value it replaces and the file's
//! indentation step; [`set_paths`] sets several at once, writing shared missing parents once.
//! Both render values the same way ([`Value`]) and insert lines with [`insert_lines`].

use crate::diagnostic::{Edit, FileId};
use crate::model::Workspace;
use crate::text::TextRange;
use crate::yaml::{render_scalar, resolve_plain, Node, NodeKind, ScalarStyle, ScalarValue};

/// What to put at the end of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string, written plain when it reads back as that string and quoted otherwise (`"1"`,
    /// `"true"`).
    Scalar(String),
    /// Written as-is, for numbers and booleans (`5`, `false`) that must not become strings.
    Literal(String),
    /// YAML lines (without indentation) nested under the key, such as `- name: regcred`.
    Block(Vec<String>),
}

impl Value {
    /// `text` as YAML reads it: a [`Value::Literal`] when it spells a number or boolean (a
    /// quantity such as `2`), a [`Value::Scalar`] otherwise (`500m`).
    pub fn typed(text: impl Into<String>) -> Self {
        let text = text.into();
        let typed = !matches!(resolve_plain(&text), ScalarValue::Str(_));
        if typed && !text.is_empty() && text.trim() == text {
            Self::Literal(text)
        } else {
            Self::Scalar(text)
        }
    }

    /// The scalar as written in the file, quoted like `like` when it is a string; `None` for a
    /// block.
    fn render(&self, like: ScalarStyle) -> Option<String> {
        match self {
            Self::Scalar(text) => Some(render_scalar(text, like)),
            Self::Literal(text) => Some(text.clone()),
            Self::Block(_) => None,
        }
    }

    /// The scalar's text, to tell whether a value is already there.
    fn text(&self) -> Option<&str> {
        match self {
            Self::Scalar(text) | Self::Literal(text) => Some(text),
            Self::Block(_) => None,
        }
    }
}

/// Sets `path` under the mapping `base` to `value`: replaces an existing scalar (keeping its
/// quotes), or inserts the missing keys after the last entry of the deepest mapping that exists,
/// nested by the file's own indentation step.
pub fn set_path(
    ws: &Workspace,
    file: FileId,
    base: &Node,
    path: &[&str],
    value: &Value,
) -> Option<Edit> {
    let mut node = base;
    let mut depth = 0;
    while depth < path.len() {
        match node.get(path[depth]) {
            // A key with an empty value (`resources:`) or `{}`.
            Some(next) if is_empty(next) && depth + 1 < path.len() => {
                let key = find_entry(base, path[depth], next);
                let key_column = column_of(ws, file, key.map_or(next.span.start, |k| k.span.start));
                let step = step(ws, file, base);
                let lines = render_tree(&[(&path[depth + 1..], value)], 0, step);
                return Some(fill_empty(ws, file, key, next, key_column + step, &lines));
            }
            Some(next) if next.is_mapping() || depth + 1 == path.len() => {
                node = next;
                depth += 1;
            }
            _ => break,
        }
    }
    if depth == path.len() {
        // Everything exists: replace the leaf.
        if matches!(value, Value::Block(_)) {
            return None;
        }
        if is_empty(node) && node.as_scalar().is_some() {
            let key = find_entry(base, path[depth - 1], node)?;
            let at = line_end(ws, file, key.span.end);
            return Some(Edit::insert(
                file,
                at,
                format!(" {}", value.render(ScalarStyle::Plain)?),
            ));
        }
        let style = node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
        return Some(Edit::replace(file, node.span, value.render(style)?));
    }
    let keys = &path[depth..];
    if node.flow {
        node.entries().last()?;
        let close = node.span.end.checked_sub(1)?;
        return Some(Edit::insert(
            file,
            close,
            format!(", {}", render_flow(keys, value)?),
        ));
    }
    let lines = render_tree(&[(keys, value)], 0, step(ws, file, node));
    insert_entries(ws, file, node, &lines)
}

/// Sets several paths under the mapping `base` in one go. Keys that share a missing parent are
/// written as one block, so two settings never both add `securityContext:`; an empty parent
/// (`resources: {}`) is filled in place; settings whose value is already there are skipped.
/// New levels are indented two spaces.
pub fn set_paths(
    ws: &Workspace,
    file: FileId,
    base: &Node,
    settings: &[(Vec<&str>, Value)],
) -> Vec<Edit> {
    let refs: Vec<(&[&str], &Value)> = settings.iter().map(|(p, v)| (p.as_slice(), v)).collect();
    let mut out = Vec::new();
    set_under(ws, file, base, &refs, &mut out);
    out
}

fn set_under(
    ws: &Workspace,
    file: FileId,
    node: &Node,
    settings: &[(&[&str], &Value)],
    out: &mut Vec<Edit>,
) {
    let mut missing: Vec<(&[&str], &Value)> = Vec::new();
    for (key, group) in group_by_first(settings) {
        let leaf = group.iter().find(|(p, _)| p.is_empty()).map(|(_, v)| *v);
        match (node.get(key), leaf) {
            (Some(_), Some(Value::Block(_))) => {}
            (Some(child), Some(value)) if is_empty(child) => {
                out.extend(node.entry(key).and_then(|e| {
                    let at = line_end(ws, file, e.key.span.end);
                    Some(Edit::insert(
                        file,
                        at,
                        format!(" {}", value.render(ScalarStyle::Plain)?),
                    ))
                }));
            }
            (Some(child), Some(value)) => {
                if child.as_str() != value.text() && child.as_scalar().is_some() {
                    out.extend(
                        value
                            .render(ScalarStyle::Plain)
                            .map(|text| Edit::replace(file, child.span, text)),
                    );
                }
            }
            (Some(child), None) if child.is_mapping() && !child.entries().is_empty() => {
                set_under(ws, file, child, &group, out);
            }
            (Some(child), None) if is_empty(child) => {
                out.extend(node.entry(key).map(|entry| {
                    let column = column_of(ws, file, entry.key.span.start) + 2;
                    let lines = render_tree(&group, 0, 2);
                    fill_empty(ws, file, Some(&entry.key), child, column, &lines)
                }));
            }
            (Some(_), None) => {}
            (None, _) => {
                let at = settings
                    .iter()
                    .filter(|(p, _)| p.first() == Some(&key))
                    .map(|(p, v)| (*p, *v));
                missing.extend(at);
            }
        }
    }
    if !missing.is_empty() {
        out.extend(insert_entries(ws, file, node, &render_tree(&missing, 0, 2)));
    }
}

type Group<'s> = Vec<(&'s [&'s str], &'s Value)>;

fn group_by_first<'s>(settings: &[(&'s [&'s str], &'s Value)]) -> Vec<(&'s str, Group<'s>)> {
    let mut groups: Vec<(&str, Group)> = Vec::new();
    for (path, value) in settings {
        let Some((first, rest)) = path.split_first() else {
            continue;
        };
        match groups.iter_mut().find(|(k, _)| k == first) {
            Some((_, members)) => members.push((rest, value)),
            None => groups.push((first, vec![(rest, value)])),
        }
    }
    groups
}

/// YAML lines for nested settings, `step` spaces a level.
fn render_tree(settings: &[(&[&str], &Value)], depth: usize, step: usize) -> Vec<String> {
    let pad = " ".repeat(depth * step);
    let mut lines = Vec::new();
    for (key, group) in group_by_first(settings) {
        let key_text = render_scalar(key, ScalarStyle::Plain);
        match group.iter().find(|(p, _)| p.is_empty()).map(|(_, v)| *v) {
            Some(Value::Block(block)) => {
                lines.push(format!("{pad}{key_text}:"));
                let inner = " ".repeat(step);
                lines.extend(block.iter().map(|l| format!("{pad}{inner}{l}")));
            }
            Some(value) => {
                let text = value.render(ScalarStyle::Plain).unwrap_or_default();
                lines.push(format!("{pad}{key_text}: {text}"));
            }
            None => {
                lines.push(format!("{pad}{key_text}:"));
                lines.extend(render_tree(&group, depth + 1, step));
            }
        }
    }
    lines
}

/// `{a: {b: value}}` entries for a flow mapping.
fn render_flow(keys: &[&str], value: &Value) -> Option<String> {
    if matches!(value, Value::Block(_)) {
        return None;
    }
    let mut out = value.render(ScalarStyle::Plain)?;
    for key in keys.iter().skip(1).rev() {
        out = format!("{{{}: {out}}}", render_scalar(key, ScalarStyle::Plain));
    }
    Some(format!(
        "{}: {out}",
        render_scalar(keys[0], ScalarStyle::Plain)
    ))
}

fn is_empty(node: &Node) -> bool {
    match &node.resolved().kind {
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(s) => s.is_null() && s.text.is_empty(),
        _ => false,
    }
}

/// Column of byte `at` in its line.
pub fn column_of(ws: &Workspace, file: FileId, at: usize) -> usize {
    let index = ws.lines(file);
    at - index.line_start(index.line_of(at))
}

/// End of the line holding byte `at`.
fn line_end(ws: &Workspace, file: FileId, at: usize) -> usize {
    let index = ws.lines(file);
    index.line_range(index.line_of(at), ws.text(file)).end
}

/// The indentation step the file uses: how far a mapping's keys sit right of its parent key.
fn step(ws: &Workspace, file: FileId, base: &Node) -> usize {
    base.entries()
        .iter()
        .find_map(|e| {
            let inner = e.value.entries().first()?;
            let delta = column_of(ws, file, inner.key.span.start).checked_sub(column_of(
                ws,
                file,
                e.key.span.start,
            ))?;
            (delta > 0 && !e.value.flow).then_some(delta)
        })
        .unwrap_or(2)
}

/// `lines`, each on a new line indented to `column`.
fn indented(lines: &[String], column: usize) -> String {
    let pad = " ".repeat(column);
    lines.iter().map(|l| format!("\n{pad}{l}")).collect()
}

/// Adds YAML lines after the line holding byte `after`, each indented to `column`.
pub fn insert_lines(
    ws: &Workspace,
    file: FileId,
    after: usize,
    column: usize,
    lines: &[String],
) -> Edit {
    Edit::insert(file, line_end(ws, file, after), indented(lines, column))
}

/// Adds YAML lines after the last entry of the block mapping `node`, at its keys' column.
fn insert_entries(ws: &Workspace, file: FileId, node: &Node, lines: &[String]) -> Option<Edit> {
    if node.flow || lines.is_empty() {
        return None;
    }
    let first = node.entries().first()?;
    let last = node.entries().last()?;
    let column = column_of(ws, file, first.key.span.start);
    let end = last.value.span.end.max(last.key.span.end);
    Some(insert_lines(ws, file, end, column, lines))
}

/// The empty value of `key` (`key: {}` or `key:` with nothing) becomes `key:` with `lines` below
/// it at `column`.
fn fill_empty(
    ws: &Workspace,
    file: FileId,
    key: Option<&Node>,
    empty: &Node,
    column: usize,
    lines: &[String],
) -> Edit {
    if empty.is_mapping() {
        return replace_with_block(ws, file, empty, column, lines);
    }
    match key {
        Some(key) => insert_lines(ws, file, key.span.end, column, lines),
        None => Edit::insert(file, empty.span.start, indented(lines, column)),
    }
}

/// `key: {}` or `key: []` becomes `key:` with `lines` below it at `column`.
pub fn replace_with_block(
    ws: &Workspace,
    file: FileId,
    empty: &Node,
    column: usize,
    lines: &[String],
) -> Edit {
    let start = ws.text(file)[..empty.span.start]
        .trim_end_matches(' ')
        .len();
    Edit::replace(
        file,
        TextRange::new(start, empty.span.end),
        indented(lines, column),
    )
}

fn find_entry<'n>(base: &'n Node, key: &str, value: &Node) -> Option<&'n Node> {
    let mut stack = vec![base];
    while let Some(node) = stack.pop() {
        for entry in node.entries() {
            if entry.key.as_str() == Some(key) && std::ptr::eq(&entry.value, value) {
                return Some(&entry.key);
            }
            stack.push(&entry.value);
        }
        stack.extend(node.items());
    }
    None
}

/// The whole lines of a mapping entry, its line break included: what deleting the entry
/// removes without leaving a blank line.
pub fn entry_lines(ws: &Workspace, file: FileId, entry: &crate::yaml::Entry) -> TextRange {
    let index = ws.lines(file);
    let text = ws.text(file);
    let start = index.line_start(index.line_of(entry.key.span.start));
    let end_line = index.line_of(entry.value.span.end.max(entry.key.span.end));
    let mut end = index.line_range(end_line, text).end;
    if text[end..].starts_with("\r\n") {
        end += 2;
    } else if text[end..].starts_with('\n') {
        end += 1;
    }
    TextRange::new(start, end)
}

/// The whole lines holding `start..end`, so deleting them leaves no blank line behind.
pub fn whole_lines(ws: &Workspace, file: FileId, start: usize, end: usize) -> TextRange {
    let lines = ws.lines(file);
    let text = ws.text(file);
    let first = lines.line_of(start);
    let last = lines.line_of(end);
    let end = if last + 1 < lines.line_count() {
        lines.line_start(last + 1)
    } else {
        text.len()
    };
    TextRange::new(lines.line_start(first), end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::model::{Parsed, SourceFile};

    fn patched(text: &str, path: &[&str], value: Value) -> String {
        let files = [SourceFile::new("t.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let container = ws.containers[0].node;
        let edit = set_path(&ws, 0, container, path, &value).unwrap();
        apply_edits(text, std::iter::once(&edit))
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app # main\n      image: app:1\n      resources:\n        limits:\n          memory: 128Mi # tight\n";

    #[test]
    fn an_existing_scalar_is_replaced_in_place() {
        let out = patched(
            POD,
            &["resources", "limits", "memory"],
            Value::Scalar("256Mi".into()),
        );
        assert_eq!(
            out,
            POD.replace("memory: 128Mi # tight", "memory: 256Mi # tight")
        );
    }

    #[test]
    fn missing_keys_follow_their_siblings_indentation() {
        let out = patched(
            POD,
            &["resources", "requests", "cpu"],
            Value::Scalar("100m".into()),
        );
        assert!(
            out.ends_with(
                "          memory: 128Mi # tight\n        requests:\n          cpu: 100m\n"
            ),
            "{out}"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: app:1\n";
        let out = patched(
            text,
            &["resources", "limits", "memory"],
            Value::Scalar("1Gi".into()),
        );
        assert!(
            out.ends_with("    image: app:1\n    resources:\n      limits:\n        memory: 1Gi\n"),
            "{out}"
        );
    }

    #[test]
    fn empty_flow_mappings_become_blocks() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      resources: {}\n      image: app:1\n";
        let out = patched(
            text,
            &["resources", "limits", "memory"],
            Value::Scalar("1Gi".into()),
        );
        assert!(
            out.contains(
                "      resources:\n        limits:\n          memory: 1Gi\n      image: app:1\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn literals_are_written_unquoted() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      livenessProbe:\n        timeoutSeconds: \"1\"\n";
        let five = Value::Literal("5".into());
        assert!(patched(pod, &["livenessProbe", "timeoutSeconds"], five)
            .ends_with("        timeoutSeconds: 5\n"));
        let uid = Value::Literal("10001".into());
        assert!(patched(pod, &["securityContext", "runAsUser"], uid)
            .ends_with("      securityContext:\n        runAsUser: 10001\n"));
    }

    #[test]
    fn typed_values_are_literals_only_when_yaml_reads_them_typed() {
        assert_eq!(Value::typed("2"), Value::Literal("2".into()));
        assert_eq!(Value::typed("false"), Value::Literal("false".into()));
        assert_eq!(Value::typed("500m"), Value::Scalar("500m".into()));
        assert_eq!(Value::typed(""), Value::Scalar(String::new()));
    }

    fn patched_all(text: &str, settings: &[(Vec<&str>, Value)]) -> String {
        let files = [SourceFile::new("t.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let edits = set_paths(&ws, 0, ws.containers[0].node, settings);
        apply_edits(text, edits.iter())
    }

    #[test]
    fn settings_that_share_a_missing_parent_become_one_block() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n";
        let out = patched_all(
            text,
            &[
                (
                    vec!["securityContext", "allowPrivilegeEscalation"],
                    Value::Literal("false".into()),
                ),
                (
                    vec!["securityContext", "capabilities", "drop"],
                    Value::Block(vec!["- ALL".into()]),
                ),
            ],
        );
        assert!(
            out.ends_with("      image: app:1\n      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop:\n            - ALL\n"),
            "{out}"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext: {}\n    image: app:1\n";
        let out = patched_all(
            text,
            &[
                (
                    vec!["securityContext", "runAsNonRoot"],
                    Value::Literal("true".into()),
                ),
                (
                    vec!["securityContext", "seccompProfile", "type"],
                    Value::Scalar("RuntimeDefault".into()),
                ),
            ],
        );
        assert!(
            out.contains("    securityContext:\n      runAsNonRoot: true\n      seccompProfile:\n        type: RuntimeDefault\n    image: app:1\n"),
            "{out}"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits:\n        cpu: 1\n";
        let out = patched_all(
            text,
            &[
                (vec!["resources", "limits", "cpu"], Value::typed("1")),
                (
                    vec!["resources", "requests", "cpu"],
                    Value::Scalar("<cpu>".into()),
                ),
                (
                    vec!["resources", "requests", "memory"],
                    Value::Scalar("<memory>".into()),
                ),
            ],
        );
        assert!(
            out.ends_with(
                "        cpu: 1\n      requests:\n        cpu: <cpu>\n        memory: <memory>\n"
            ),
            "{out}"
        );
    }
}
