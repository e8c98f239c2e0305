//! Writes the schema table (`schema/kubernetes.json`) in the line form `src/schema.rs` reads.
//!
//! The JSON stays the table's source and documented format (`scripts/schema/README.md`); the
//! line form holds the same facts in less space (the web app ships it: about a quarter less
//! once gzipped) and reads without a JSON parser. `defVersions`, which the engine does not
//! read, is left out.
//!
//! ```text
//! 1.25 1.26 ...                        the versions, oldest first
//! apps/v1/Deployment apps.v1.Deployment  one line per kind: apiVersion/kind, definition
//! (empty line)
//! batch/v1beta1/CronJob 0 0            kindVersions: apiVersion/kind, first and last index
//! (empty line)
//! =apps.v1.DeploymentSpec              a definition, then its fields:
//! replicas integer                     name and type, then any of
//!   v:<from>:<to>                        the versions that have the field (`v`)
//!   k:<key>,<key>                        the list's merge keys (`k`)
//!   e:<value>,<value>                    the allowed values (`e`)
//! !selector template                   the required fields, in the table's order (`r`)
//! ?field <from> <to>                   required only in these versions (`rv`)
//! ```

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value};

const SOURCE: &str = "schema/kubernetes.json";

fn main() {
    println!("cargo:rerun-if-changed={SOURCE}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(SOURCE).expect("schema/kubernetes.json is readable");
    let table: Value = serde_json::from_str(&text).expect("schema/kubernetes.json is JSON");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("schema.txt");
    std::fs::write(out, lines(&table)).expect("OUT_DIR is writable");
}

fn lines(table: &Value) -> String {
    let mut out = String::new();
    let versions: Vec<&str> = strings(&table["versions"]);
    out.push_str(
        &versions
            .iter()
            .map(|v| token(v))
            .collect::<Vec<_>>()
            .join(" "),
    );
    out.push('\n');
    for (kind, def) in object(&table["kinds"]) {
        writeln!(out, "{} {}", token(kind), token(string(def))).unwrap();
    }
    out.push('\n');
    if let Some(kind_versions) = table.get("kindVersions") {
        for (kind, range) in object(kind_versions) {
            let [from, to] = pair(range);
            writeln!(out, "{} {from} {to}", token(kind)).unwrap();
        }
    }
    out.push('\n');
    for (name, def) in object(&table["defs"]) {
        writeln!(out, "={}", token(name)).unwrap();
        let empty = Map::new();
        let part = |key: &str| def.get(key).map_or(&empty, object);
        let (fields, only_in, keys, values) = (part("f"), part("v"), part("k"), part("e"));
        for (key, what) in [("v", &only_in), ("k", &keys), ("e", &values)] {
            if let Some(field) = what.keys().find(|f| !fields.contains_key(f.as_str())) {
                panic!("{name}: `{key}` names {field}, which is not in `f`");
            }
        }
        for (field, ty) in fields {
            write!(out, "{} {}", field_name(field), token(string(ty))).unwrap();
            if let Some(range) = only_in.get(field) {
                let [from, to] = pair(range);
                write!(out, " v:{from}:{to}").unwrap();
            }
            if let Some(list) = keys.get(field) {
                write!(out, " k:{}", list_of(list)).unwrap();
            }
            if let Some(list) = values.get(field) {
                write!(out, " e:{}", list_of(list)).unwrap();
            }
            out.push('\n');
        }
        if let Some(required) = def.get("r") {
            let required = strings(required);
            if !required.is_empty() {
                let names: Vec<&str> = required.iter().map(|f| field_name(f)).collect();
                writeln!(out, "!{}", names.join(" ")).unwrap();
            }
        }
        for (field, range) in part("rv") {
            let [from, to] = pair(range);
            writeln!(out, "?{} {from} {to}", field_name(field)).unwrap();
        }
        for key in def.as_object().expect("a definition is an object").keys() {
            assert!(
                ["f", "r", "rv", "k", "v", "e"].contains(&key.as_str()),
                "{name}: unknown part `{key}`"
            );
        }
    }
    out
}

/// A word of the line form: the lines split on spaces.
fn token(name: &str) -> &str {
    assert!(
        !name.is_empty() && !name.contains(char::is_whitespace),
        "schema name {name:?} cannot be written in the line form"
    );
    name
}

/// A field name, which begins a line: it must not begin like a marker.
fn field_name(name: &str) -> &str {
    assert!(
        !name.starts_with(['=', '!', '?']),
        "field name {name:?} cannot be written in the line form"
    );
    token(name)
}

/// An item of a comma-separated list.
fn item(name: &str) -> &str {
    assert!(
        !name.contains(','),
        "list item {name:?} cannot be written in the line form"
    );
    token(name)
}

fn list_of(list: &Value) -> String {
    strings(list)
        .iter()
        .map(|s| item(s))
        .collect::<Vec<_>>()
        .join(",")
}

fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().expect("an object")
}

fn string(value: &Value) -> &str {
    value.as_str().expect("a string")
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(string)
        .collect()
}

fn pair(value: &Value) -> [u64; 2] {
    let list = value.as_array().expect("a [from, to] pair");
    assert_eq!(list.len(), 2, "a [from, to] pair");
    [0, 1].map(|i| list[i].as_u64().expect("a version index"))
}
