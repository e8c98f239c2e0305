//! What JavaScript sends: the inputs, the settings and the fix options, read with the path of
//! anything wrong (`settings.ignore[0]: ...`), so an error names its place.

use std::collections::BTreeMap;
use std::fmt;

use kubeclinic_engine as engine;
use kubeclinic_engine::settings::Checker;
use kubeclinic_engine::SourceFile;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

use crate::report::Severity;

/// The name a single text is checked under.
pub const TEXT_NAME: &str = "input";

/// One text (manifests, kubectl output or both), or several files checked as one set: a
/// NetworkPolicy in one file is checked against the pod templates in the others.
#[derive(Clone, Debug, PartialEq, Tsify)]
#[serde(untagged)]
pub enum Input {
    Text(String),
    Files(Vec<InputFile>),
}

/// One input file; `name` is how findings and edits refer to it.
#[derive(Clone, Debug, PartialEq, Deserialize, Tsify)]
pub struct InputFile {
    pub name: String,
    pub text: String,
}

impl Input {
    /// The inputs as the engine reads them; an input larger than the engine reads at once is
    /// an error naming it.
    pub fn into_files(self) -> Result<Vec<SourceFile>, String> {
        let files = match self {
            Input::Text(text) => vec![SourceFile::new(TEXT_NAME, text)],
            Input::Files(files) => files
                .into_iter()
                .map(|f| SourceFile::new(f.name, f.text))
                .collect(),
        };
        for (at, file) in files.iter().enumerate() {
            if file.text.len() > engine::MAX_INPUT_BYTES {
                let place = match files.len() {
                    1 => "input".to_string(),
                    _ => format!("input[{at}] ({})", file.path),
                };
                return Err(format!(
                    "{place}: the text is {} MiB; Kubeclinic reads at most {} MiB at once: split it into several inputs",
                    file.text.len() / (1024 * 1024),
                    engine::MAX_INPUT_BYTES / (1024 * 1024)
                ));
            }
        }
        Ok(files)
    }

    /// True when the input was one text, whose patched text `fix` then also gives as `text`.
    pub fn is_text(&self) -> bool {
        matches!(self, Input::Text(_))
    }
}

// By hand rather than `untagged`, whose error ("data did not match any variant") says
// neither what was expected nor where.
impl<'de> Deserialize<'de> for Input {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InputVisitor;

        impl<'de> Visitor<'de> for InputVisitor {
            type Value = Input;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of {name, text} files")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Input, E> {
                Ok(Input::Text(text.to_string()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Input, E> {
                Ok(Input::Text(text))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Input, A::Error> {
                let mut files = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(file) = seq.next_element()? {
                    files.push(file);
                }
                Ok(Input::Files(files))
            }
        }

        deserializer.deserialize_any(InputVisitor)
    }
}

/// How much to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Only what breaks a deployment: it will not apply, start, pull, schedule or stay up.
    Minimal,
    /// What breaks, and what is a real risk in production (the default).
    #[default]
    Recommended,
    /// Adds Pod Security `restricted` and best practices.
    Strict,
}

impl From<Profile> for engine::Profile {
    fn from(profile: Profile) -> Self {
        match profile {
            Profile::Minimal => engine::Profile::Minimal,
            Profile::Recommended => engine::Profile::Recommended,
            Profile::Strict => engine::Profile::Strict,
        }
    }
}

impl From<engine::Profile> for Profile {
    fn from(profile: engine::Profile) -> Self {
        match profile {
            engine::Profile::Minimal => Profile::Minimal,
            engine::Profile::Recommended => Profile::Recommended,
            engine::Profile::Strict => Profile::Strict,
        }
    }
}

/// The engine's settings, as the CLI's flags and the web app's Settings tab set them. Every
/// field may be left out; unknown fields are ignored, as in a saved settings record.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Tsify)]
#[serde(default, rename_all = "camelCase")]
#[tsify(hashmap_as_object)]
pub struct Settings {
    /// `minimal`, `recommended` (the default) or `strict`.
    #[tsify(optional)]
    pub profile: Profile,
    /// Rule ids or categories to run instead of the profile's rules.
    #[tsify(optional)]
    pub select: Vec<String>,
    /// Rule ids or categories to run besides the profile's (or `select`'s) rules.
    #[tsify(optional)]
    pub extend_select: Vec<String>,
    /// Rule ids or categories never to run.
    #[tsify(optional)]
    pub ignore: Vec<String>,
    /// The severity of a rule's findings, by rule id.
    #[tsify(optional)]
    pub severity: BTreeMap<String, Severity>,
    /// The cluster's version (`1.30`); the newest known when not set.
    #[tsify(optional)]
    pub kubernetes_version: Option<String>,
    /// Registries images may come from (`registry.example.com`, `ghcr.io/acme`).
    #[tsify(optional)]
    pub allowed_registries: Vec<String>,
    /// Options of single rules, by rule id then option name (`rules()` lists each rule's).
    #[tsify(optional)]
    pub options: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Settings {
    /// Resolves the settings once, as the CLI and the web app do; a rule, category or
    /// version that does not exist is an error naming the setting.
    pub fn checker(self) -> Result<Checker, String> {
        let Settings {
            profile,
            select,
            extend_select,
            ignore,
            severity,
            kubernetes_version,
            allowed_registries,
            options,
        } = self;
        Checker::new(engine::Settings {
            profile: profile.into(),
            select,
            extend_select,
            ignore,
            severity: severity.into_iter().map(|(k, v)| (k, v.into())).collect(),
            kubernetes_version,
            allowed_registries,
            options,
        })
        .map_err(|e| format!("settings.{e}").replace("`kubeclinic rules`", "`rules()`"))
    }
}

/// What `fix` applies besides the safe fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
#[serde(default)]
pub struct FixOptions {
    /// Also apply fixes that change runtime behaviour (selectors, addresses, limits).
    #[serde(rename = "unsafe")]
    #[tsify(optional)]
    pub allow_unsafe: bool,
}

impl FixOptions {
    pub fn threshold(self) -> engine::Applicability {
        if self.allow_unsafe {
            engine::Applicability::Unsafe
        } else {
            engine::Applicability::Safe
        }
    }
}

/// Reads an argument, naming where it is wrong: `settings.profile: unknown variant ...`.
pub fn read<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    argument: &str,
    deserializer: D,
) -> Result<T, String> {
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let place = match path.as_str() {
            "." => argument.to_string(),
            _ if path.starts_with('[') => format!("{argument}{path}"),
            _ => format!("{argument}.{path}"),
        };
        // serde-wasm-bindgen's errors are JS errors, whose text starts with `Error: `.
        let message = e.into_inner().to_string();
        let message = message.strip_prefix("Error: ").unwrap_or(&message);
        format!("{place}: {message}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json<T: for<'de> Deserialize<'de>>(argument: &str, json: &str) -> Result<T, String> {
        read(argument, &mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn input_is_one_text_or_named_files() {
        assert_eq!(
            read_json::<Input>("input", r#""kind: Pod""#).unwrap(),
            Input::Text("kind: Pod".into())
        );
        let files: Input =
            read_json("input", r#"[{"name": "a.yaml", "text": "kind: Pod"}]"#).unwrap();
        let files = files.into_files().unwrap();
        assert_eq!(
            (files[0].path.as_str(), files[0].text.as_str()),
            ("a.yaml", "kind: Pod")
        );
        let err = read_json::<Input>("input", "3").unwrap_err();
        assert!(
            err.starts_with("input: invalid type") && err.contains("a string or an array"),
            "{err}"
        );
        let err = read_json::<Input>("input", r#"[{"name": "a"}, {"name": "b"}]"#).unwrap_err();
        assert!(err.starts_with("input[0]: missing field `text`"), "{err}");
    }

    #[test]
    fn too_large_an_input_is_an_error_naming_it() {
        let big = "#".repeat(engine::MAX_INPUT_BYTES + 1);
        let err = Input::Text(big.clone()).into_files().unwrap_err();
        assert!(err.starts_with("input: the text is 64 MiB"), "{err}");
        let files = vec![
            InputFile {
                name: "a.yaml".into(),
                text: String::new(),
            },
            InputFile {
                name: "huge.log".into(),
                text: big,
            },
        ];
        let err = Input::Files(files).into_files().unwrap_err();
        assert!(err.starts_with("input[1] (huge.log): "), "{err}");
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let err = read_json::<Settings>("settings", r#"{"profile": "strictest"}"#).unwrap_err();
        assert!(
            err.starts_with("settings.profile: unknown variant `strictest`"),
            "{err}"
        );
        let err = read_json::<Settings>("settings", r#"{"ignore": [1]}"#).unwrap_err();
        assert!(err.starts_with("settings.ignore[0]: invalid type"), "{err}");
        let err = read_json::<Settings>("settings", r#""strict""#).unwrap_err();
        assert!(err.starts_with("settings: invalid type"), "{err}");

        let unknown: Settings =
            read_json("settings", r#"{"ignore": ["image-tag-lates"]}"#).unwrap();
        let err = unknown.checker().err().unwrap();
        assert!(
            err.starts_with("settings.ignore: `image-tag-lates`")
                && err.contains("did you mean `image-tag-latest`")
                && err.ends_with("(`rules()` lists them)"),
            "{err}"
        );
        let version: Settings =
            read_json("settings", r#"{"kubernetesVersion": "latest"}"#).unwrap();
        assert!(version
            .checker()
            .err()
            .unwrap()
            .starts_with("settings.kubernetesVersion"));
    }

    #[test]
    fn settings_reach_the_checker_and_unknown_fields_are_ignored() {
        let settings: Settings = read_json(
            "settings",
            r#"{"profile": "minimal", "severity": {"image-tag-latest": "error"}, "someday": 1}"#,
        )
        .unwrap();
        let checker = settings.checker().unwrap();
        assert_eq!(checker.settings().profile, engine::Profile::Minimal);
        assert_eq!(
            checker.severity_of("image-tag-latest", engine::Severity::Warning),
            engine::Severity::Error
        );
        let options: FixOptions = read_json("options", r#"{"unsafe": true}"#).unwrap();
        assert_eq!(options.threshold(), engine::Applicability::Unsafe);
        assert_eq!(
            FixOptions::default().threshold(),
            engine::Applicability::Safe
        );
    }
}
