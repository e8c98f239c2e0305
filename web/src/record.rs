//! The record a reload restores: the person's text, where it came from, the settings and the
//! theme. Versioned and forward-compatible: a record written by a newer or older page is read
//! as far as it can be, and its text is never thrown away because another field changed shape.
//!
//! Pure: `cargo test` checks it natively.

use kubeclinic_engine::Settings;
use serde::{Deserialize, Serialize};

/// Where the record lives in `localStorage`. The key stays the same across record versions:
/// the version is inside.
pub const STORAGE_KEY: &str = "kubeclinic.v1";

/// The version this page writes. Version 1 had only `text`, `source` and `include_unsafe`;
/// version 3 added `cluster` (the cluster-output pane).
pub const VERSION: u32 = 3;

/// Light, dark, or whatever the system prefers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// The value of the page's `data-theme` attribute (none: follow the system).
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    /// The next one, for a toggle button.
    pub fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// What survives a reload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Saved {
    pub version: u32,
    pub text: String,
    /// The cluster-output pane's text.
    pub cluster: String,
    pub source: String,
    pub include_unsafe: bool,
    pub settings: Settings,
    pub theme: Theme,
}

impl Default for Saved {
    fn default() -> Self {
        Self {
            version: VERSION,
            text: String::new(),
            cluster: String::new(),
            source: String::new(),
            include_unsafe: true,
            settings: Settings::default(),
            theme: Theme::System,
        }
    }
}

impl Saved {
    /// Reads a stored record of any version. Unknown fields are ignored and missing ones take
    /// their default; when a field has a shape this page does not know (a newer page changed
    /// it), the fields that still read are kept, the text first. `None` only when the record
    /// holds no text at all.
    pub fn from_json(json: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let object = value.as_object()?;
        let text = object.get("text")?.as_str()?.to_string();
        if let Ok(saved) = serde_json::from_value::<Saved>(value.clone()) {
            return Some(saved);
        }
        let mut saved = Saved {
            text,
            ..Saved::default()
        };
        if let Some(source) = object.get("source").and_then(|s| s.as_str()) {
            saved.source = source.to_string();
        }
        if let Some(cluster) = object.get("cluster").and_then(|s| s.as_str()) {
            saved.cluster = cluster.to_string();
        }
        if let Some(include) = object.get("include_unsafe").and_then(|b| b.as_bool()) {
            saved.include_unsafe = include;
        }
        if let Some(theme) = object
            .get("theme")
            .and_then(|t| serde_json::from_value(t.clone()).ok())
        {
            saved.theme = theme;
        }
        if let Some(settings) = object.get("settings").and_then(settings_field_by_field) {
            saved.settings = settings;
        }
        Some(saved)
    }

    pub fn to_json(&self) -> String {
        let mut saved = self.clone();
        saved.version = VERSION;
        serde_json::to_string(&saved).unwrap_or_default()
    }
}

/// The settings fields that still read, one by one, when the whole object does not.
fn settings_field_by_field(value: &serde_json::Value) -> Option<Settings> {
    let object = value.as_object()?;
    let mut kept = serde_json::Map::new();
    for (key, field) in object {
        let mut one = serde_json::Map::new();
        one.insert(key.clone(), field.clone());
        if serde_json::from_value::<Settings>(serde_json::Value::Object(one)).is_ok() {
            kept.insert(key.clone(), field.clone());
        }
    }
    serde_json::from_value(serde_json::Value::Object(kept)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeclinic_engine::Profile;

    #[test]
    fn a_record_round_trips() {
        let mut saved = Saved {
            text: "kind: Pod\n".into(),
            cluster: "Events:\n".into(),
            source: "pod.yaml".into(),
            include_unsafe: false,
            theme: Theme::Dark,
            ..Saved::default()
        };
        saved.settings.profile = Profile::Strict;
        saved.settings.allowed_registries = vec!["registry.example.com".into()];
        assert_eq!(Saved::from_json(&saved.to_json()), Some(saved));
    }

    #[test]
    fn a_version_1_record_keeps_its_text_and_takes_default_settings() {
        let saved =
            Saved::from_json(r#"{"text":"a: 1\n","source":"edited","include_unsafe":false}"#)
                .unwrap();
        assert_eq!(saved.text, "a: 1\n");
        assert_eq!(saved.source, "edited");
        assert!(!saved.include_unsafe);
        assert_eq!(saved.settings, Settings::default());
        assert_eq!(saved.theme, Theme::System);
    }

    #[test]
    fn a_newer_record_with_changed_fields_keeps_the_text_and_what_still_reads() {
        let json = r#"{
            "version": 7,
            "text": "kind: Service\n",
            "source": "svc.yaml",
            "include_unsafe": "maybe",
            "theme": {"name": "solarized"},
            "panes": [{"id": 1}],
            "settings": {"profile": {"name": "strict"}, "allowedRegistries": ["ghcr.io/acme"], "future": 1}
        }"#;
        let saved = Saved::from_json(json).unwrap();
        assert_eq!(saved.text, "kind: Service\n");
        assert_eq!(saved.source, "svc.yaml");
        assert!(
            saved.include_unsafe,
            "a field of unknown shape takes its default"
        );
        assert_eq!(saved.theme, Theme::System);
        assert_eq!(saved.settings.profile, Profile::Recommended);
        assert_eq!(saved.settings.allowed_registries, vec!["ghcr.io/acme"]);
    }

    #[test]
    fn a_record_without_text_or_not_json_is_none() {
        assert_eq!(Saved::from_json("not json"), None);
        assert_eq!(Saved::from_json(r#"{"text": 3}"#), None);
        assert_eq!(Saved::from_json("[]"), None);
    }

    #[test]
    fn the_theme_cycles_through_three() {
        let order = [Theme::System, Theme::Light, Theme::Dark, Theme::System];
        for pair in order.windows(2) {
            assert_eq!(pair[0].next(), pair[1]);
        }
        assert_eq!(Theme::System.attribute(), None);
        assert_eq!(Theme::Dark.attribute(), Some("dark"));
    }
}
