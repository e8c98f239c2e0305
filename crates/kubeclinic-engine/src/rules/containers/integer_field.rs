//! Setting integer fields (`timeoutSeconds`, `runAsUser`) through [`set_path`], which writes
//! strings: a number handed to it as a string would come out quoted (`"5"`), and the API server
//! rejects a string where it wants an integer.

use crate::diagnostic::{Edit, FileId};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::yaml::Node;

/// A plain word `set_path` writes unquoted, swapped for the number afterwards.
const STAND_IN: &str = "kubeclinic-integer-stand-in";

/// Sets `path` under `base` to the integer `value`, written unquoted.
pub fn set_integer(
    ws: &Workspace,
    file: FileId,
    base: &Node,
    path: &[&str],
    value: impl Into<i64>,
) -> Option<Edit> {
    let mut edit = set_path(ws, file, base, path, &Value::Scalar(STAND_IN.into()))?;
    let number = value.into().to_string();
    // An existing quoted value keeps its quotes in set_path; drop them with the stand-in.
    for quoted in [format!("\"{STAND_IN}\""), format!("'{STAND_IN}'")] {
        edit.content = edit.content.replace(&quoted, &number);
    }
    edit.content = edit.content.replace(STAND_IN, &number);
    Some(edit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::model::{Parsed, SourceFile};

    fn patched(text: &str, path: &[&str], value: i64) -> String {
        let files = [SourceFile::new("t.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let edit = set_integer(&ws, 0, ws.containers[0].node, path, value).unwrap();
        apply_edits(text, std::iter::once(&edit))
    }

    #[test]
    fn integers_are_written_unquoted() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      livenessProbe:\n        timeoutSeconds: \"1\"\n";
        assert!(patched(pod, &["livenessProbe", "timeoutSeconds"], 5)
            .ends_with("        timeoutSeconds: 5\n"));
        assert!(patched(pod, &["securityContext", "runAsUser"], 10001)
            .ends_with("      securityContext:\n        runAsUser: 10001\n"));
    }
}
