//! The shape of every built-in kind, for Kubernetes 1.25 and later: fields and their types,
//! required fields, list keys, enums, and the versions that have each. Generated from the
//! official OpenAPI definitions by `scripts/schema/generate.py` (see its README) and read once.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::settings::KubeVersion;

const TABLE: &str = include_str!("../schema/kubernetes.json");

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

#[derive(Deserialize)]
struct Raw {
    versions: Vec<String>,
    kinds: HashMap<String, String>,
    #[serde(default, rename = "kindVersions")]
    kind_versions: HashMap<String, [usize; 2]>,
    defs: HashMap<String, Def>,
}

/// One object type of the API.
#[derive(Debug, Deserialize)]
pub struct Def {
    /// Field name -> type, as written in the table.
    #[serde(default)]
    f: HashMap<String, String>,
    /// Required in every version that has the field.
    #[serde(default)]
    r: Vec<String>,
    /// Required only in these versions (indexes into the version list).
    #[serde(default)]
    rv: HashMap<String, [usize; 2]>,
    /// List fields' merge keys.
    #[serde(default)]
    k: HashMap<String, Vec<String>>,
    /// Fields that exist only in these versions.
    #[serde(default)]
    v: HashMap<String, [usize; 2]>,
    /// Allowed values of string fields (of each item, for lists).
    #[serde(default)]
    e: HashMap<String, Vec<String>>,
}

pub struct Schema {
    versions: Vec<KubeVersion>,
    kinds: HashMap<String, String>,
    kind_versions: HashMap<String, [usize; 2]>,
    defs: HashMap<String, Def>,
}

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    let raw: Raw = serde_json::from_str(TABLE).expect("the generated schema table is valid");
    Schema {
        versions: raw
            .versions
            .iter()
            .map(|v| KubeVersion::parse(v).expect("versions in the table are versions"))
            .collect(),
        kinds: raw.kinds,
        kind_versions: raw.kind_versions,
        defs: raw.defs,
    }
});

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
