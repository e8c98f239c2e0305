//! The shape of every built-in kind, for Kubernetes 1.25 and later: fields and their types,
//! required fields, list keys, enums, and the versions that have each. Generated from the
//! official OpenAPI definitions by `scripts/schema/generate.py` (see its README) and read once.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::settings::KubeVersion;

/// `schema/kubernetes.json` in the denser line form `build.rs` writes (and describes).
const TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/schema.txt"));

/// What a field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type<'s> {
    String,
    Integer,
    Number,
    Boolean,
    /// A resource quantity: `128Mi`, `500m`, `2`.
    Quantity,
    IntOrString,
    /// An RFC 3339 date-time string.
    Time,
    /// Free-form: anything goes.
    Any,
    Array(Box<Type<'s>>),
    Map(Box<Type<'s>>),
    Object(&'s str),
}

impl<'s> Type<'s> {
    fn parse(text: &'s str) -> Self {
        if let Some(item) = text.strip_prefix("[]") {
            return Type::Array(Box::new(Type::parse(item)));
        }
        if let Some(value) = text.strip_prefix("map:") {
            return Type::Map(Box::new(Type::parse(value)));
        }
        match text {
            "string" => Type::String,
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            "quantity" => Type::Quantity,
            "int-or-string" => Type::IntOrString,
            "time" => Type::Time,
            "any" => Type::Any,
            def => Type::Object(def),
        }
    }

    /// How a person would say it: `a string`, `a list of Container`.
    pub fn describe(&self) -> String {
        match self {
            Type::String => "a string".into(),
            Type::Integer => "an integer".into(),
            Type::Number => "a number".into(),
            Type::Boolean => "true or false".into(),
            Type::Quantity => "a quantity such as `128Mi` or `500m`".into(),
            Type::IntOrString => "a number or a name".into(),
            Type::Time => "a date-time such as `2024-05-01T10:00:00Z`".into(),
            Type::Any => "anything".into(),
            Type::Array(item) => format!("a list of {}", item.short()),
            Type::Map(value) => format!("a map of {}", value.short()),
            Type::Object(def) => format!("an object ({})", short_def(def)),
        }
    }

    fn short(&self) -> String {
        match self {
            Type::Object(def) => short_def(def).to_string(),
            Type::Array(_) | Type::Map(_) => self.describe(),
            other => other
                .describe()
                .trim_start_matches("a ")
                .trim_start_matches("an ")
                .to_string(),
        }
    }
}

/// `apps.v1.DeploymentSpec` -> `DeploymentSpec`.
pub fn short_def(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

/// One object type of the API.
#[derive(Debug, Default)]
pub struct Def {
    /// Field name -> type, as written in the table.
    f: HashMap<String, String>,
    /// Required in every version that has the field.
    r: Vec<String>,
    /// Required only in these versions (indexes into the version list).
    rv: HashMap<String, [usize; 2]>,
    /// List fields' merge keys.
    k: HashMap<String, Vec<String>>,
    /// Fields that exist only in these versions.
    v: HashMap<String, [usize; 2]>,
    /// Allowed values of string fields (of each item, for lists).
    e: HashMap<String, Vec<String>>,
}

pub struct Schema {
    versions: Vec<KubeVersion>,
    kinds: HashMap<String, String>,
    kind_versions: HashMap<String, [usize; 2]>,
    defs: HashMap<String, Def>,
}

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| read(TABLE));

/// Reads the line form of the table (see `build.rs`, which checked it as it wrote it).
fn read(table: &str) -> Schema {
    const VALID: &str = "the generated schema table is valid";
    let range = |from: &str, to: &str| -> [usize; 2] {
        [from.parse().expect(VALID), to.parse().expect(VALID)]
    };
    let list = |items: &str| -> Vec<String> {
        if items.is_empty() {
            Vec::new()
        } else {
            items.split(',').map(String::from).collect()
        }
    };
    let mut lines = table.lines();
    let versions = lines
        .next()
        .expect(VALID)
        .split(' ')
        .map(|v| KubeVersion::parse(v).expect("versions in the table are versions"))
        .collect();
    let mut kinds = HashMap::new();
    for line in lines.by_ref().take_while(|l| !l.is_empty()) {
        let (kind, def) = line.split_once(' ').expect(VALID);
        kinds.insert(kind.to_string(), def.to_string());
    }
    let mut kind_versions = HashMap::new();
    for line in lines.by_ref().take_while(|l| !l.is_empty()) {
        let mut parts = line.split(' ');
        let (Some(kind), Some(from), Some(to)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("{VALID}");
        };
        kind_versions.insert(kind.to_string(), range(from, to));
    }
    let mut defs = HashMap::new();
    let mut current: Option<(&str, Def)> = None;
    for line in lines {
        if let Some(name) = line.strip_prefix('=') {
            if let Some((done, def)) = current.replace((name, Def::default())) {
                defs.insert(done.to_string(), def);
            }
            continue;
        }
        let def = &mut current.as_mut().expect(VALID).1;
        if let Some(required) = line.strip_prefix('!') {
            def.r = required.split(' ').map(String::from).collect();
        } else if let Some(rest) = line.strip_prefix('?') {
            let mut parts = rest.split(' ');
            let (Some(field), Some(from), Some(to)) = (parts.next(), parts.next(), parts.next())
            else {
                panic!("{VALID}");
            };
            def.rv.insert(field.to_string(), range(from, to));
        } else {
            let mut parts = line.split(' ');
            let (Some(field), Some(ty)) = (parts.next(), parts.next()) else {
                panic!("{VALID}");
            };
            def.f.insert(field.to_string(), ty.to_string());
            for part in parts {
                match part.split_once(':') {
                    Some(("v", versions)) => {
                        let (from, to) = versions.split_once(':').expect(VALID);
                        def.v.insert(field.to_string(), range(from, to));
                    }
                    Some(("k", keys)) => {
                        def.k.insert(field.to_string(), list(keys));
                    }
                    Some(("e", values)) => {
                        def.e.insert(field.to_string(), list(values));
                    }
                    _ => panic!("{VALID}"),
                }
            }
        }
    }
    if let Some((done, def)) = current {
        defs.insert(done.to_string(), def);
    }
    Schema {
        versions,
        kinds,
        kind_versions,
        defs,
    }
}

/// The table, read on first use.
pub fn schema() -> &'static Schema {
    &SCHEMA
}

/// A field as a version of the API has it.
#[derive(Clone, Debug)]
pub struct Field<'s> {
    pub name: &'s str,
    pub ty: Type<'s>,
    /// Versions that have the field, when not all do.
    pub versions: Option<(KubeVersion, KubeVersion)>,
    pub enum_values: Option<&'s [String]>,
}

impl Schema {
    pub fn versions(&self) -> &[KubeVersion] {
        &self.versions
    }

    pub fn oldest(&self) -> KubeVersion {
        self.versions[0]
    }

    pub fn newest(&self) -> KubeVersion {
        *self.versions.last().expect("the table has versions")
    }

    /// The definition of `apiVersion` + `kind` (`apps/v1`, `Deployment`), when the API has it.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&str> {
        self.kinds
            .get(&format!("{api_version}/{kind}"))
            .map(String::as_str)
    }

    /// The versions that serve a kind, when not all of the table's do.
    pub fn kind_versions(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<(KubeVersion, KubeVersion)> {
        self.kind_versions
            .get(&format!("{api_version}/{kind}"))
            .map(|r| self.range(*r))
    }

    /// Every apiVersion that serves `kind`, for suggestions.
    pub fn api_versions_of<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.kinds.keys().filter_map(move |k| {
            let (api, name) = k.rsplit_once('/')?;
            (name == kind).then_some(api)
        })
    }

    /// True when some apiVersion of `group` (`apps`, `""` for the core group) is in the table.
    pub fn serves_group(&self, group: &str) -> bool {
        self.kinds.keys().any(|k| {
            let api = k.rsplit_once('/').map_or("", |(api, _)| api);
            let g = api.split_once('/').map_or("", |(g, _)| g);
            g == group
        })
    }

    /// Every kind `api_version` serves, for suggestions.
    pub fn kinds_of<'s>(&'s self, api_version: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.kinds.keys().filter_map(move |k| {
            let (api, name) = k.rsplit_once('/')?;
            (api == api_version).then_some(name)
        })
    }

    pub fn def(&self, id: &str) -> Option<&Def> {
        self.defs.get(id)
    }

    fn range(&self, [from, to]: [usize; 2]) -> (KubeVersion, KubeVersion) {
        let at = |i: usize| self.versions[i.min(self.versions.len() - 1)];
        (at(from), at(to))
    }

    /// A field of a definition, in any version.
    pub fn field<'s>(&'s self, def: &str, name: &str) -> Option<Field<'s>> {
        let d = self.defs.get(def)?;
        let (key, ty) = d.f.get_key_value(name)?;
        Some(Field {
            name: key,
            ty: Type::parse(ty),
            versions: d.v.get(name).map(|r| self.range(*r)),
            enum_values: d.e.get(name).map(Vec::as_slice),
        })
    }

    /// The names of a definition's fields.
    pub fn field_names<'s>(&'s self, def: &str) -> impl Iterator<Item = &'s str> + 's {
        self.defs
            .get(def)
            .into_iter()
            .flat_map(|d| d.f.keys().map(String::as_str))
    }

    /// The fields `def` requires in `version`.
    pub fn required<'s>(
        &'s self,
        def: &str,
        version: KubeVersion,
    ) -> impl Iterator<Item = &'s str> + 's {
        let d = self.defs.get(def);
        let within = move |r: &[usize; 2]| {
            let (from, to) = self.range(*r);
            from <= version && version <= to
        };
        let always = d.into_iter().flat_map(move |d| {
            d.r.iter()
                .filter(move |f| d.v.get(f.as_str()).is_none_or(within))
                .map(String::as_str)
        });
        let sometimes = d.into_iter().flat_map(move |d| {
            d.rv.iter()
                .filter(move |(_, r)| within(r))
                .map(|(f, _)| f.as_str())
        });
        always.chain(sometimes)
    }

    /// The merge keys of a list field (`containers` -> `name`).
    pub fn list_keys<'s>(&'s self, def: &str, field: &str) -> &'s [String] {
        self.defs
            .get(def)
            .and_then(|d| d.k.get(field))
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_form_holds_everything_the_engine_reads_from_the_json_table() {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../schema/kubernetes.json")).unwrap();
        let s = schema();
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        let pair = |v: &serde_json::Value| -> [usize; 2] {
            [0, 1].map(|i| v[i].as_u64().unwrap() as usize)
        };
        let versions: Vec<KubeVersion> = strings(&json["versions"])
            .iter()
            .map(|v| KubeVersion::parse(v).unwrap())
            .collect();
        assert_eq!(s.versions, versions);
        let kinds = json["kinds"].as_object().unwrap();
        assert_eq!(s.kinds.len(), kinds.len());
        for (kind, def) in kinds {
            assert_eq!(s.kinds[kind], def.as_str().unwrap());
        }
        let kind_versions = json["kindVersions"].as_object().unwrap();
        assert_eq!(s.kind_versions.len(), kind_versions.len());
        for (kind, range) in kind_versions {
            assert_eq!(s.kind_versions[kind], pair(range));
        }
        let defs = json["defs"].as_object().unwrap();
        assert_eq!(s.defs.len(), defs.len());
        let empty = serde_json::Value::Object(Default::default());
        for (name, def) in defs {
            let ours = &s.defs[name];
            let part = |key: &str| def.get(key).unwrap_or(&empty).as_object().unwrap();
            let same_map = |key: &str, ours_len: usize| assert_eq!(ours_len, part(key).len());
            same_map("f", ours.f.len());
            same_map("rv", ours.rv.len());
            same_map("k", ours.k.len());
            same_map("v", ours.v.len());
            same_map("e", ours.e.len());
            for (field, ty) in part("f") {
                assert_eq!(ours.f[field], ty.as_str().unwrap(), "{name}.{field}");
            }
            for (field, range) in part("rv") {
                assert_eq!(ours.rv[field], pair(range), "{name}.{field}");
            }
            for (field, range) in part("v") {
                assert_eq!(ours.v[field], pair(range), "{name}.{field}");
            }
            for (field, keys) in part("k") {
                assert_eq!(ours.k[field], strings(keys), "{name}.{field}");
            }
            for (field, values) in part("e") {
                assert_eq!(ours.e[field], strings(values), "{name}.{field}");
            }
            let required = def.get("r").map(strings).unwrap_or_default();
            assert_eq!(ours.r, required, "{name}");
        }
    }

    #[test]
    fn the_table_reads_and_knows_the_common_kinds() {
        let s = schema();
        assert!(s.versions().len() >= 10);
        let deployment = s.kind("apps/v1", "Deployment").unwrap();
        let spec = s.field(deployment, "spec").unwrap();
        let Type::Object(spec_def) = spec.ty else {
            panic!("spec is an object")
        };
        assert_eq!(s.field(spec_def, "replicas").unwrap().ty, Type::Integer);
        assert!(s.required(spec_def, s.newest()).any(|f| f == "selector"));
        let container = s
            .kind("v1", "Pod")
            .and_then(|p| s.field(p, "spec"))
            .unwrap();
        let Type::Object(pod_spec) = container.ty else {
            panic!()
        };
        let Type::Array(item) = s.field(pod_spec, "containers").unwrap().ty else {
            panic!()
        };
        let Type::Object(container) = *item else {
            panic!()
        };
        assert_eq!(
            s.field(container, "imagePullPolicy")
                .unwrap()
                .enum_values
                .unwrap(),
            ["Always", "IfNotPresent", "Never"]
        );
        assert_eq!(s.list_keys(pod_spec, "containers"), ["name"]);
        assert!(s.kind("extensions/v1beta1", "Ingress").is_none());
        assert!(s
            .api_versions_of("Ingress")
            .any(|a| a == "networking.k8s.io/v1"));
    }

    #[test]
    fn types_read_from_their_names() {
        assert_eq!(
            Type::parse("[]v1.Container"),
            Type::Array(Box::new(Type::Object("v1.Container")))
        );
        assert_eq!(
            Type::parse("map:quantity"),
            Type::Map(Box::new(Type::Quantity))
        );
        assert_eq!(
            Type::parse("[]v1.Container").describe(),
            "a list of Container"
        );
    }
}
