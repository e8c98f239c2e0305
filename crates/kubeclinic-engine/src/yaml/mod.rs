//! The only place that reads YAML. Everything above it sees span-keeping [`Node`]s; typed
//! views (k8s-openapi structs) come from [`typed`], so the YAML library can be swapped here
//! alone.

mod parse;
mod scalar;
mod tree;
mod value_de;

pub use parse::{parse_region, parse_stream, split_documents, Document, SyntaxError, MAX_DEPTH};
pub use scalar::{resolve_plain, ScalarValue};
pub use tree::{format_labels, Entry, Node, NodeKind, Scalar, ScalarStyle};

use serde::de::DeserializeOwned;

/// Alias expansion stops past this many nodes: a "billion laughs" paste is refused instead of
/// filling the memory of the page.
pub const MAX_EXPANDED_NODES: usize = 200_000;

#[derive(Debug, PartialEq)]
pub enum TypedError {
    TooLarge,
    /// The node does not have the type's shape.
    Shape,
}

/// Reads a node as a typed Kubernetes struct (through a serde_yaml value, with YAML 1.1
/// scalars already resolved as the API server resolves them). The reading follows
/// `serde_yaml::from_value`; why a read fails is not kept (see [`value_de::Refused`]).
pub fn typed<T: DeserializeOwned>(node: &Node) -> Result<T, TypedError> {
    let mut budget = MAX_EXPANDED_NODES;
    let value = to_value(node, &mut budget).ok_or(TypedError::TooLarge)?;
    value_de::from_value(value).map_err(|_| TypedError::Shape)
}

/// The node as JSON, with YAML 1.1 scalars resolved as the API server resolves them: what a
/// CEL expression sees as `self` or `object`. `None` when it is too large once aliases are
/// expanded, or has a key JSON cannot hold.
pub fn to_json(node: &Node) -> Option<serde_json::Value> {
    let mut budget = MAX_EXPANDED_NODES;
    serde_json::to_value(to_value(node, &mut budget)?).ok()
}

fn to_value(node: &Node, budget: &mut usize) -> Option<serde_yaml::Value> {
    use serde_yaml::Value;
    *budget = budget.checked_sub(1)?;
    let node = node.resolved();
    Some(match &node.kind {
        NodeKind::Scalar(s) => match s.value() {
            ScalarValue::Null => Value::Null,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) => Value::Number(i.into()),
            ScalarValue::Float(f) => Value::Number(f.into()),
            ScalarValue::Str(text) => Value::String(text),
        },
        NodeKind::Sequence(items) => Value::Sequence(
            items
                .iter()
                .map(|n| to_value(n, budget))
                .collect::<Option<_>>()?,
        ),
        NodeKind::Mapping(entries) => {
            let mut map = serde_yaml::Mapping::new();
            for entry in entries {
                if entry.key.as_str() == Some("<<") {
                    continue;
                }
                map.insert(
                    to_value(&entry.key, budget)?,
                    to_value(&entry.value, budget)?,
                );
            }
            // Merge keys fill only what the mapping does not set itself.
            for merge in entries.iter().filter(|e| e.key.as_str() == Some("<<")) {
                let sources: Vec<&Node> = match &merge.value.resolved().kind {
                    NodeKind::Sequence(items) => items.iter().collect(),
                    _ => vec![&merge.value],
                };
                for source in sources {
                    if let Value::Mapping(extra) = to_value(source, budget)? {
                        for (k, v) in extra {
                            if !map.contains_key(&k) {
                                map.insert(k, v);
                            }
                        }
                    }
                }
            }
            Value::Mapping(map)
        }
        NodeKind::Alias(_) => unreachable!("resolved() follows aliases"),
    })
}

/// Writes a value as a YAML document (a configuration file, never a patch: edits keep the
/// person's bytes instead).
pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    serde_yaml::to_string(value).unwrap_or_default()
}

/// Where a scalar's text appears verbatim in the source (plain scalars, and quoted ones
/// without escapes), so an edit can touch part of it. `None` for block and escaped scalars:
/// replace the whole node with [`render_scalar`] instead.
pub fn scalar_content_range(node: &Node, source: &str) -> Option<crate::text::TextRange> {
    let scalar = node.as_scalar()?;
    let inner = match scalar.style {
        ScalarStyle::Plain => node.span,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if node.span.len() >= 2 => {
            crate::text::TextRange::new(node.span.start + 1, node.span.end - 1)
        }
        _ => return None,
    };
    (source.get(inner.start..inner.end)? == scalar.text).then_some(inner)
}

/// Writes `value` as a YAML scalar for an edit, keeping the original quoting when it still
/// reads back as the same string.
pub fn render_scalar(value: &str, like: ScalarStyle) -> String {
    match like {
        ScalarStyle::SingleQuoted if !value.contains('\n') => {
            format!("'{}'", value.replace('\'', "''"))
        }
        ScalarStyle::DoubleQuoted => serde_json::to_string(value).unwrap_or_default(),
        _ if plain_is_safe(value) => value.to_string(),
        _ => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// True when `value` written plain reads back as the same string.
pub fn plain_is_safe(value: &str) -> bool {
    if value.is_empty() || value.trim() != value {
        return false;
    }
    if !matches!(resolve_plain(value), ScalarValue::Str(_)) {
        return false;
    }
    let first = value.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    !(value.contains(": ") || value.contains(" #") || value.contains('\n') || value.ends_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextRange;

    fn root(text: &str) -> Node {
        let docs = parse_stream(text);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].error, None);
        docs[0].root.clone().unwrap()
    }

    fn slice(text: &str, r: TextRange) -> &str {
        &text[r.start..r.end]
    }

    #[test]
    fn keys_and_values_keep_their_bytes() {
        let text = "# lead\nkind: Pod # trailing\nquoted: \"a\\\"b\" # note\nsingle: 'it''s' # note\nmetadata:\n  name: 'wé b'\n  labels: {app: x, tier: \"db\"}\nlist:\n- a\n- b\n";
        let root = root(text);
        assert_eq!(slice(text, root.get("kind").unwrap().span), "Pod");
        assert_eq!(slice(text, root.get("quoted").unwrap().span), "\"a\\\"b\"");
        assert_eq!(slice(text, root.get("single").unwrap().span), "'it''s'");
        let name = root.path(&["metadata", "name"]).unwrap();
        assert_eq!(slice(text, name.span), "'wé b'");
        assert_eq!(name.as_str(), Some("wé b"));
        let labels = root.path(&["metadata", "labels"]).unwrap();
        assert!(labels.flow);
        assert_eq!(slice(text, labels.span), "{app: x, tier: \"db\"}");
        let tier = labels.get("tier").unwrap();
        assert_eq!(slice(text, tier.span), "\"db\"");
        let list = root.get("list").unwrap();
        assert_eq!(slice(text, list.span), "- a\n- b");
        let metadata = root.get("metadata").unwrap();
        assert_eq!(
            slice(text, metadata.span),
            "name: 'wé b'\n  labels: {app: x, tier: \"db\"}"
        );
    }

    #[test]
    fn a_broken_document_leaves_the_others_readable() {
        let text = "kind: A\n---\nkind: [B\n---\n# Source: chart/templates/c.yaml\nkind: C\n";
        let docs = parse_stream(text);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].error.is_none());
        assert!(docs[1].error.is_some());
        assert_eq!(
            docs[2].root.as_ref().unwrap().get("kind").unwrap().as_str(),
            Some("C")
        );
    }

    #[test]
    fn comment_only_chunks_join_the_next_document() {
        let text = "---\n# Source: x.yaml\n---\nkind: A\n";
        let docs = parse_stream(text);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].range, TextRange::new(0, text.len()));
    }

    #[test]
    fn bom_crlf_and_json_are_read() {
        let text = "\u{feff}kind: Pod\r\nmetadata:\r\n  name: a\r\n";
        let node = root(text);
        assert_eq!(
            slice(text, node.path(&["metadata", "name"]).unwrap().span),
            "a"
        );
        let json =
            "{\n    \"kind\": \"Pod\",\n    \"spec\": {\"containers\": [{\"name\": \"c\"}]}\n}\n";
        let node = root(json);
        let c = &node.path(&["spec", "containers"]).unwrap().items()[0];
        assert_eq!(c.get("name").unwrap().as_str(), Some("c"));
    }

    #[test]
    fn aliases_and_merge_keys_resolve() {
        let text = "base: &b\n  app: web\nlabels:\n  <<: *b\n  tier: x\n";
        let node = root(text);
        let labels = node.get("labels").unwrap();
        assert_eq!(labels.get("app").unwrap().as_str(), Some("web"));
        let value: serde_yaml::Value = typed(labels).unwrap();
        assert_eq!(value["app"], serde_yaml::Value::String("web".into()));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused_not_crashed() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let node = root(&bomb);
        assert_eq!(typed::<serde_yaml::Value>(&node), Err(TypedError::TooLarge));

        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let docs = parse_stream(&deep);
        let message = &docs[0].error.as_ref().unwrap().message;
        assert!(message.contains("nested"), "{message}");
    }

    #[test]
    fn rendered_scalars_read_back_the_same() {
        assert_eq!(render_scalar("db:5432", ScalarStyle::Plain), "db:5432");
        assert_eq!(render_scalar("yes", ScalarStyle::Plain), "\"yes\"");
        assert_eq!(render_scalar("a: b", ScalarStyle::Plain), "\"a: b\"");
        assert_eq!(render_scalar("it's", ScalarStyle::SingleQuoted), "'it''s'");
    }
}
