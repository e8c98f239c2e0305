//! Share links: the text and the settings, compressed into the URL fragment
//! (`#share=<data>`). A fragment never leaves the browser, so the link carries the paste
//! without any server seeing it; the page warns before making a link of text that seems to
//! hold secrets, since anyone who gets the link can read them.

use kubeclinic_engine::Settings;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::bridge::Diagnosis;

/// What a link's fragment starts with.
pub const PREFIX: &str = "#share=";

/// Links longer than this may be cut by chat tools and mail clients.
pub const LONG_LINK: usize = 32 * 1024;

/// The rules whose findings mean the text holds a credential.
const SECRET_RULES: [&str; 3] = [
    "plaintext-secret-env",
    "secret-in-configmap",
    "secret-data-not-base64",
];

/// What a link carries, before compression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// The payload's own version, so later pages can read older links.
    pub v: u32,
    pub text: String,
    /// The cluster-output pane's text (links made before the pane existed have none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(default)]
    pub settings: Settings,
}

impl Payload {
    pub fn new(text: &str, cluster: &str, settings: &Settings) -> Self {
        Self {
            v: 1,
            text: text.to_string(),
            cluster: cluster.to_string(),
            settings: settings.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a link's payload; settings of a shape this page does not know are dropped, the
    /// text is kept.
    pub fn from_json(json: &str) -> Option<Self> {
        if let Ok(payload) = serde_json::from_str::<Payload>(json) {
            return Some(payload);
        }
        let saved = crate::record::Saved::from_json(json)?;
        Some(Self {
            v: 1,
            text: saved.text,
            cluster: saved.cluster,
            settings: saved.settings,
        })
    }
}

/// Why sharing this text may leak a credential, or `None`.
pub fn secrets_warning(text: &str, diagnosis: &Diagnosis) -> Option<String> {
    let mut reasons: Vec<String> = Vec::new();
    let secret_findings = diagnosis
        .findings
        .iter()
        .filter(|f| SECRET_RULES.contains(&f.rule))
        .count();
    if secret_findings > 0 {
        reasons.push(format!(
            "{secret_findings} finding(s) about literal secrets"
        ));
    }
    let secret_object = text.lines().any(|line| {
        let line = line.trim().trim_end_matches(',');
        line == "kind: Secret" || line.replace(' ', "") == "\"kind\":\"Secret\""
    });
    if secret_object {
        reasons.push("a Secret object".to_string());
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        reasons.push("a private key".to_string());
    }
    if reasons.is_empty() {
        return None;
    }
    Some(format!(
        "This text seems to hold secrets ({}). The link carries the whole text: anyone who gets it can read them.",
        reasons.join(", ")
    ))
}

#[wasm_bindgen(module = "/js/share.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn pack(json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn unpack(text: &str) -> Result<JsValue, JsValue>;
}

/// The fragment of a link to `payload`.
pub async fn fragment(payload: &Payload) -> Result<String, String> {
    let packed = pack(&payload.to_json())
        .await
        .map_err(|_| "this browser cannot compress the text".to_string())?;
    Ok(format!(
        "{PREFIX}{}",
        packed.as_string().unwrap_or_default()
    ))
}

/// Reads the payload of a `#share=` fragment.
pub async fn read(fragment: &str) -> Result<Payload, String> {
    let data = fragment
        .strip_prefix(PREFIX)
        .ok_or_else(|| "not a share link".to_string())?;
    let json = unpack(data)
        .await
        .map_err(|_| "the share link is damaged or cut short".to_string())?;
    Payload::from_json(&json.as_string().unwrap_or_default())
        .ok_or_else(|| "the share link holds no text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::diagnose;
    use kubeclinic_engine::Profile;

    #[test]
    fn a_payload_round_trips_and_a_changed_settings_shape_keeps_the_text() {
        let settings = Settings {
            profile: Profile::Minimal,
            ..Settings::default()
        };
        let payload = Payload::new("kind: Pod\n", "", &settings);
        assert!(!payload.to_json().contains("cluster"));
        assert_eq!(Payload::from_json(&payload.to_json()), Some(payload));
        let both = Payload::new("kind: Pod\n", "Events:\n", &settings);
        assert_eq!(Payload::from_json(&both.to_json()), Some(both));
        let newer =
            r#"{"v":3,"text":"a: 1\n","settings":{"profile":["x"],"ignore":["image-tag-latest"]}}"#;
        let read = Payload::from_json(newer).unwrap();
        assert_eq!(read.text, "a: 1\n");
        assert_eq!(read.settings.ignore, vec!["image-tag-latest"]);
        assert_eq!(Payload::from_json("{}"), None);
    }

    #[test]
    fn text_with_secrets_is_warned_about() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n";
        let warning = secrets_warning(secret, &diagnose(secret)).unwrap();
        assert!(warning.contains("a Secret object"), "{warning}");
        let env = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: ghcr.io/acme/api:1.2.3\n      env:\n        - name: DB_PASSWORD\n          value: s3cr3t-Passw0rd\n";
        let warning = secrets_warning(env, &diagnose(env)).unwrap();
        assert!(warning.contains("literal secrets"), "{warning}");
        let clean =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: info\n";
        assert_eq!(secrets_warning(clean, &diagnose(clean)), None);
    }
}
