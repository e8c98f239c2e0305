//! Reads a `serde_yaml::Value` into a typed struct exactly as `serde_yaml::from_value` does,
//! but with an error that keeps no message.
//!
//! Nothing ever shows why a typed read failed (callers only ask whether it did), and building
//! those messages is costly in the browser build: each failing field formats its reason, so
//! every dependency's error text (the date-time parser's alone is tens of kilobytes) stays in
//! the wasm. With [`Refused`], `serde::de::Error::custom` drops its message unformatted and
//! the linker can leave that text out.
//!
//! Each method mirrors serde_yaml 0.9's `impl Deserializer for Value`, so the same input reads
//! to the same value or fails in the same places. `Value::Tagged` never reaches this code: the
//! tree the engine builds (`to_value`) has no tags.

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_yaml::{Mapping, Number, Sequence, Value};

/// A typed read failed; why is not kept.
#[derive(Debug, PartialEq)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the value does not have the expected shape")
    }
}

impl std::error::Error for Refused {}

impl serde::de::Error for Refused {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Refused
    }
}

/// Reads `value` as a `T`.
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Refused> {
    T::deserialize(Owned(value))
}

/// A value being read (serde_yaml's `Value` as a `Deserializer`).
struct Owned(Value);

fn number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Refused> {
    // serde_yaml keeps a number as a non-negative integer, a negative one or a float, and
    // visits it as u64, i64 or f64 in that order.
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn sequence<'de, V: Visitor<'de>>(items: Sequence, visitor: V) -> Result<V::Value, Refused> {
    let mut access = Items(items.into_iter());
    let read = visitor.visit_seq(&mut access)?;
    if access.0.len() == 0 {
        Ok(read)
    } else {
        Err(Refused)
    }
}

fn mapping<'de, V: Visitor<'de>>(entries: Mapping, visitor: V) -> Result<V::Value, Refused> {
    let mut access = Entries {
        iter: entries.into_iter(),
        value: None,
    };
    let read = visitor.visit_map(&mut access)?;
    if access.iter.len() == 0 {
        Ok(read)
    } else {
        Err(Refused)
    }
}

impl Owned {
    fn number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match &self.0 {
            Value::Number(n) => number(n, visitor),
            _ => Err(Refused),
        }
    }
}

impl<'de> Deserializer<'de> for Owned {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => number(&n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Sequence(items) => sequence(items, visitor),
            Value::Mapping(entries) => mapping(entries, visitor),
            Value::Tagged(_) => Err(Refused),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(b),
            _ => Err(Refused),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.number(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            _ => Err(Refused),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            Value::Sequence(items) => sequence(items, visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            _ => Err(Refused),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Sequence(items) => sequence(items, visitor),
            Value::Null => sequence(Sequence::new(), visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.0 {
            Value::Mapping(entries) => mapping(entries, visitor),
            Value::Null => mapping(Mapping::new(), visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        // Untagged, only a string names a variant, and then a unit one.
        match self.0 {
            Value::String(variant) => visitor.visit_enum(UnitVariant(variant)),
            _ => Err(Refused),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_unit()
    }
}

/// The items of a sequence, one by one.
struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Refused> {
        match self.0.next() {
            Some(value) => seed.deserialize(Owned(value)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.0.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

/// The entries of a mapping, in their order.
struct Entries {
    iter: <Mapping as IntoIterator>::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Refused;

    fn next_key_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Refused> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Owned(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Refused> {
        match self.value.take() {
            Some(value) => seed.deserialize(Owned(value)),
            None => Err(Refused),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.iter.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

/// An enum variant named by a plain string.
struct UnitVariant(String);

impl<'de> EnumAccess<'de> for UnitVariant {
    type Error = Refused;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Refused> {
        let name = StrDeserializer::<Refused>::new(&self.0);
        let variant = seed.deserialize(name)?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant {
    type Error = Refused;

    fn unit_variant(self) -> Result<(), Refused> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Refused> {
        Err(Refused)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Refused> {
        Err(Refused)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Refused> {
        Err(Refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Event as CoreEvent;
    use k8s_openapi::api::events::v1::Event as EventsEvent;
    use k8s_openapi::api::networking::v1::NetworkPolicy;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
    use serde::de::DeserializeOwned;

    /// The same outcome as `serde_yaml::from_value`: the same value, or a failure.
    fn same_as_serde_yaml<T: DeserializeOwned + PartialEq + fmt::Debug>(value: &Value) -> bool {
        let ours = from_value::<T>(value.clone()).ok();
        let theirs = serde_yaml::from_value::<T>(value.clone()).ok();
        assert_eq!(ours, theirs, "{value:?}");
        ours.is_some()
    }

    /// Checks every type the engine reads; counts the reads that succeeded.
    fn check(value: &Value) -> usize {
        [
            same_as_serde_yaml::<LabelSelector>(value),
            same_as_serde_yaml::<LabelSelectorRequirement>(value),
            same_as_serde_yaml::<NetworkPolicy>(value),
            same_as_serde_yaml::<CoreEvent>(value),
            same_as_serde_yaml::<EventsEvent>(value),
            same_as_serde_yaml::<serde_json::Value>(value),
            same_as_serde_yaml::<Value>(value),
            same_as_serde_yaml::<std::collections::BTreeMap<String, String>>(value),
            same_as_serde_yaml::<Vec<Option<i32>>>(value),
        ]
        .into_iter()
        .filter(|&ok| ok)
        .count()
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json" | "txt")
            ) {
                out.push(path);
            }
        }
    }

    fn subtrees<'n>(node: &'n crate::yaml::Node, out: &mut Vec<&'n crate::yaml::Node>) {
        out.push(node);
        for item in node.items() {
            subtrees(item, out);
        }
        for entry in node.entries() {
            subtrees(&entry.value, out);
        }
    }

    #[test]
    fn every_fixture_object_and_subtree_reads_as_serde_yaml_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut paths = Vec::new();
        files(&root, &mut paths);
        let (mut checked, mut read) = (0, 0);
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            for document in crate::yaml::parse_stream(&text) {
                let Some(node) = document.root else { continue };
                let mut nodes = Vec::new();
                subtrees(&node, &mut nodes);
                for node in nodes {
                    let mut budget = crate::yaml::MAX_EXPANDED_NODES;
                    if let Some(value) = super::super::to_value(node, &mut budget) {
                        read += check(&value);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000 && read > 10_000, "{checked} {read}");
    }

    /// A small deterministic generator of values shaped like the objects read, with wrong
    /// types, nulls, odd numbers and non-string keys mixed in.
    struct Gen(u64);

    const KEYS: &[&str] = &[
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "namespace",
        "labels",
        "annotations",
        "creationTimestamp",
        "deletionTimestamp",
        "managedFields",
        "fieldsV1",
        "time",
        "ownerReferences",
        "uid",
        "controller",
        "spec",
        "podSelector",
        "policyTypes",
        "ingress",
        "egress",
        "from",
        "to",
        "ports",
        "port",
        "endPort",
        "protocol",
        "ipBlock",
        "cidr",
        "except",
        "namespaceSelector",
        "matchLabels",
        "matchExpressions",
        "key",
        "operator",
        "values",
        "involvedObject",
        "reason",
        "message",
        "count",
        "source",
        "component",
        "host",
        "firstTimestamp",
        "lastTimestamp",
        "eventTime",
        "series",
        "lastObservedTime",
        "regarding",
        "note",
        "type",
        "reportingController",
        "reportingComponent",
        "deprecatedCount",
        "action",
        "related",
        "<<",
        "unknownField",
    ];

    const STRINGS: &[&str] = &[
        "",
        "web",
        "In",
        "NotIn",
        "Exists",
        "UDP",
        "TCP",
        "53",
        "dns",
        "Warning",
        "Normal",
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.123456Z",
        "2024-05-01T10:00:00+02:00",
        "2024-13-01T10:00:00Z",
        "yesterday",
        "10.0.0.0/8",
        "Ingress",
        "Egress",
        "v1",
        "Pod",
    ];

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
            &from[self.next() as usize % from.len()]
        }

        fn scalar(&mut self) -> Value {
            match self.next() % 9 {
                0 => Value::Null,
                1 => Value::Bool(self.next().is_multiple_of(2)),
                2 => Value::Number((self.next() as i64 - (1 << 30)).into()),
                3 => Value::Number(
                    (*self.pick(&[0u64, 53, 65535, 65536, u32::MAX as u64 + 1, u64::MAX])).into(),
                ),
                4 => Value::Number((*self.pick(&[0.5f64, -1.0, 53.0, f64::NAN, 1e300])).into()),
                _ => Value::String(self.pick(STRINGS).to_string()),
            }
        }

        fn value(&mut self, depth: u32) -> Value {
            if depth == 0 {
                return self.scalar();
            }
            match self.next() % 10 {
                0..=1 => self.scalar(),
                2..=3 => Value::Sequence(
                    (0..self.next() % 4)
                        .map(|_| self.value(depth - 1))
                        .collect(),
                ),
                _ => {
                    let mut map = Mapping::new();
                    for _ in 0..self.next() % 6 {
                        let key = if self.next().is_multiple_of(12) {
                            self.scalar()
                        } else {
                            Value::String(self.pick(KEYS).to_string())
                        };
                        map.insert(key, self.value(depth - 1));
                    }
                    Value::Mapping(map)
                }
            }
        }
    }

    #[test]
    fn generated_values_read_as_serde_yaml_reads_them() {
        let mut gen = Gen(7);
        let mut read = 0;
        for _ in 0..20_000 {
            read += check(&gen.value(5));
        }
        assert!(read > 20_000, "{read}");
    }
}
