//! What a rule reports: findings as byte ranges, fixes as text edits with a safety level.

use serde::{Deserialize, Serialize};

use crate::text::TextRange;

/// Index of an input in the set being checked.
pub type FileId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// How far a fix can be trusted, ordered from least to most trustworthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Holds a placeholder only the person can fill in (`repo:<pin-a-version>`): shown, never
    /// applied.
    DisplayOnly,
    /// Changes what runs: limits, probes, selectors, addresses. Applied only when asked.
    Unsafe,
    /// Keeps the meaning: applied by default.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace `range` of input `file` with `content` (empty range: insert; empty content: delete).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub file: FileId,
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(file: FileId, range: TextRange, content: impl Into<String>) -> Self {
        Self {
            file,
            range,
            content: content.into(),
        }
    }

    pub fn insert(file: FileId, at: usize, content: impl Into<String>) -> Self {
        Self::replace(file, TextRange::empty(at), content)
    }

    pub fn delete(file: FileId, range: TextRange) -> Self {
        Self::replace(file, range, "")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Self {
        Self {
            title: title.into(),
            applicability,
            edits,
        }
    }
}

/// The Kubernetes object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// The Helm template the object was rendered from (`# Source:` comment), if any.
    pub source: Option<String>,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} {name}", self.kind),
            None => write!(f, "{} (no name given)", self.kind),
        }
    }
}

/// What a rule says about one problem; the engine adds the rule id, severity and fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub file: FileId,
    pub range: TextRange,
    /// What is wrong, with the names from the input.
    pub message: String,
    /// Why it matters: the consequence in the cluster.
    pub why: String,
    /// What to do when no automatic fix is right, or more than the fix title says.
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    pub container: Option<String>,
    /// Overrides the rule's default severity for this finding.
    pub severity: Option<Severity>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
    pub why: String,
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    pub container: Option<String>,
    /// The Helm template the finding's document was rendered from (its `# Source:`
    /// comment), so a finding in `helm template` output names the file to change.
    pub source: Option<String>,
    pub fix: Option<Fix>,
    /// The places the rule read to reach this finding (a crash's log lines): a finding of a
    /// rule that explains this one, found at one of them, replaces it.
    #[serde(skip)]
    pub evidence: Vec<(FileId, TextRange)>,
    /// Other places that belong to the finding, possibly in other inputs: the manifest's
    /// container whose image failed, the closest pod template.
    pub related: Vec<Related>,
}

/// A secondary label: another place, with a short message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: FileId,
    pub range: TextRange,
    /// What this place is to the finding (`the manifest's image of container api`).
    pub message: String,
}
