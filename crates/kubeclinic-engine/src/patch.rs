//! Building edits on the person's YAML: set a value or add missing keys, indented like their
//! siblings, touching only the bytes that must change.

use crate::diagnostic::{Edit, FileId};
use crate::model::Workspace;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Node, NodeKind, ScalarStyle};

/// What to put at the end of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar, quoted only when needed.
    Scalar(String),
    /// YAML lines (without indentation) nested under the key, such as `- name: regcred`.
    Block(Vec<String>),
}

/// Sets `path` under the mapping `base` to `value`: replaces an existing scalar, or inserts the
/// missing keys after the last entry of the deepest mapping that exists.
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
                node = next;
                depth += 1;
                return Some(fill_empty(
                    ws,
                    file,
                    node,
                    &path[depth..],
                    value,
                    path[depth - 1],
                    base,
                ));
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
        let Value::Scalar(text) = value else {
            return None;
        };
        if is_empty(node) && node.as_scalar().is_some() {
            let key = find_entry(base, path[depth - 1], node)?;
            let at = line_end(ws, file, key.span.end);
            return Some(Edit::insert(
                file,
                at,
                format!(" {}", render_scalar(text, ScalarStyle::Plain)),
            ));
        }
        let style = node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
        return Some(Edit::replace(file, node.span, render_scalar(text, style)));
    }
    insert_into(ws, file, node, &path[depth..], value)
}

fn is_empty(node: &Node) -> bool {
    match &node.resolved().kind {
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(s) => s.is_null() && s.text.is_empty(),
        _ => false,
    }
}

/// Column of the byte `at` in its line.
fn column(ws: &Workspace, file: FileId, at: usize) -> usize {
    let lines = ws.lines(file);
    at - lines.line_start(lines.line_of(at))
}

fn line_end(ws: &Workspace, file: FileId, at: usize) -> usize {
    let lines = ws.lines(file);
    lines.line_range(lines.line_of(at), ws.text(file)).end
}

/// The indentation step the file uses: how far a mapping's keys sit right of its parent key.
fn step(ws: &Workspace, file: FileId, base: &Node) -> usize {
    base.entries()
        .iter()
        .find_map(|e| {
            let inner = e.value.entries().first()?;
            let delta = column(ws, file, inner.key.span.start).checked_sub(column(
                ws,
                file,
                e.key.span.start,
            ))?;
            (delta > 0 && !e.value.flow).then_some(delta)
        })
        .unwrap_or(2)
}

fn render_nested(keys: &[&str], value: &Value, indent: usize, step: usize) -> String {
    let mut out = String::new();
    for (i, key) in keys.iter().enumerate() {
        let pad = " ".repeat(indent + i * step);
        let last = i + 1 == keys.len();
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&render_scalar(key, ScalarStyle::Plain));
        out.push(':');
        if last {
            match value {
                Value::Scalar(text) => {
                    out.push(' ');
                    out.push_str(&render_scalar(text, ScalarStyle::Plain));
                }
                Value::Block(lines) => {
                    for line in lines {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent + (i + 1) * step));
                        out.push_str(line);
                    }
                }
            }
        }
    }
    out
}

fn render_flow(keys: &[&str], value: &Value) -> Option<String> {
    let Value::Scalar(text) = value else {
        return None;
    };
    let mut out = render_scalar(text, ScalarStyle::Plain);
    for key in keys.iter().skip(1).rev() {
        out = format!("{{{}: {out}}}", render_scalar(key, ScalarStyle::Plain));
    }
    Some(format!(
        "{}: {out}",
        render_scalar(keys[0], ScalarStyle::Plain)
    ))
}

/// Adds `keys` (nested) at the end of the mapping `node`.
fn insert_into(
    ws: &Workspace,
    file: FileId,
    node: &Node,
    keys: &[&str],
    value: &Value,
) -> Option<Edit> {
    let last = node.entries().last()?;
    if node.flow {
        let close = node.span.end.checked_sub(1)?;
        return Some(Edit::insert(
            file,
            close,
            format!(", {}", render_flow(keys, value)?),
        ));
    }
    let indent = column(ws, file, node.entries()[0].key.span.start);
    let at = line_end(ws, file, last.value.span.end.max(last.key.span.end));
    Some(Edit::insert(
        file,
        at,
        render_nested(keys, value, indent, step(ws, file, node)),
    ))
}

/// Replaces an empty value (`resources: {}` or `resources:`) with the nested keys.
fn fill_empty(
    ws: &Workspace,
    file: FileId,
    node: &Node,
    keys: &[&str],
    value: &Value,
    parent_key: &str,
    base: &Node,
) -> Edit {
    let parent = find_entry(base, parent_key, node);
    let key_column = parent.map_or(column(ws, file, node.span.start), |k| {
        column(ws, file, k.span.start)
    });
    let step = step(ws, file, base);
    if keys.is_empty() {
        let content = match value {
            Value::Scalar(text) => render_scalar(text, ScalarStyle::Plain),
            Value::Block(_) => render_nested(&[], value, key_column + step, step),
        };
        return Edit::replace(file, node.span, content);
    }
    let content = render_nested(keys, value, key_column + step, step);
    match &node.resolved().kind {
        // `resources: {}` -> `resources:` + block.
        NodeKind::Mapping(_) => {
            let start = ws.text(file)[..node.span.start].trim_end_matches(' ').len();
            Edit::replace(file, TextRange::new(start, node.span.end), content)
        }
        // `resources:` with nothing after it.
        _ => {
            let at = parent.map_or(node.span.start, |k| line_end(ws, file, k.span.end));
            Edit::insert(file, at, content)
        }
    }
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
}
