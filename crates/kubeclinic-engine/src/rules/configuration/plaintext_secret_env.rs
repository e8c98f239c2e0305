use super::sensitive::{says_secret, url_password};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::patch::column_of;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Entry, Node, ScalarStyle, ScalarValue};

declare_rule! {
    /// ## What it does
    /// Finds container env variables whose name says they hold a secret (`DB_PASSWORD`,
    /// `API_TOKEN`, `CLIENT_SECRET`, `STRIPE_API_KEY`, `*_CREDENTIALS`) and whose `value` is
    /// written in the manifest, and URLs with a literal password (`postgres://app:s3cret@db`).
    /// Left alone: names about a secret rather than holding one (`*_FILE`, `*_PATH`, `*_NAME`,
    /// `*_URL`, `*_ENABLED`), empty values, booleans and numbers, paths, `$(VAR)` references
    /// and placeholders (`<token>`, `${TOKEN}`, `REPLACE_ME`, the variable's own name).
    ///
    /// ## Why is this bad?
    /// Anyone who can read the manifest, its repository or the workload (`kubectl get
    /// deployment -o yaml`, most namespace roles) reads the secret, and rotating it means
    /// editing and redeploying the workload. A Secret can be kept out of the repository,
    /// encrypted at rest and readable only by whom needs it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels: {app: billing}
    ///   template:
    ///     metadata:
    ///       labels: {app: billing}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:2.1.0
    ///           env:
    ///             - name: DB_USER
    ///               value: billing
    ///             - name: DB_PASSWORD
    ///               value: Tr0ub4dor-and-3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels: {app: billing}
    ///   template:
    ///     metadata:
    ///       labels: {app: billing}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:2.1.0
    ///           env:
    ///             - name: DB_USER
    ///               value: billing
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: billing-db
    ///                   key: DB_PASSWORD
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the fix reads the variable from a Secret (`valueFrom.secretKeyRef`, key
    /// named as the variable) whose name, `<secret-name>`, is yours to choose; create that
    /// Secret with the value first (`kubectl create secret generic <secret-name>
    /// --from-literal=DB_PASSWORD=...`), then rotate the value: it has been in the manifest.
    pub struct PlaintextSecretEnv {
        id: "plaintext-secret-env",
        category: Configuration,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Plaintext<'a> {
    container: usize,
    var: &'a str,
    /// The env entry's `value`.
    entry: &'a Entry,
    /// The whole env item, for its style.
    item: &'a Node,
    /// A URL with a password in it, rather than a secret by its name.
    url: bool,
}

/// A literal value worth keeping secret ([`super::sensitive::literal`]), and no file a secret
/// is read from (`./key.pem`, `~/.aws`, `file:...`).
fn literal_secret(text: &str) -> bool {
    let t = text.trim();
    super::sensitive::literal(t)
        && !t.starts_with("./")
        && !t.starts_with("~/")
        && !t.starts_with("file:")
}

impl Rule for PlaintextSecretEnv {
    type State<'a> = Plaintext<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Plaintext<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            for item in c.node.get("env").map(Node::items).unwrap_or_default() {
                let (Some(var), Some(entry)) =
                    (item.get("name").and_then(Node::as_str), item.entry("value"))
                else {
                    continue;
                };
                let Some(ScalarValue::Str(text)) = entry.value.as_scalar().map(|s| s.value())
                else {
                    continue;
                };
                // `HF_TOKEN: HF_TOKEN` is a placeholder too.
                let by_name = says_secret(var)
                    && literal_secret(&text)
                    && !text.trim().eq_ignore_ascii_case(var);
                let url = !by_name && url_password(&text).is_some();
                if by_name || url {
                    out.push(Plaintext {
                        container: index,
                        var,
                        entry,
                        item,
                        url,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Plaintext<'a>) -> Diagnostic {
        let c = &ws.containers[p.container];
        let object = &ws.objects[c.object];
        let container = c.name.unwrap_or("(no name)");
        let var = p.var;
        let (message, help) = if p.url {
            let stem = ["_URL", "_URI", "_DSN", "_ADDRESS"]
                .iter()
                .find_map(|s| var.strip_suffix(s))
                .unwrap_or(var);
            let password = format!("{stem}_PASSWORD");
            (
                format!(
                    "Container {container} of {} has a password written in the URL of {var}",
                    object.display()
                ),
                format!("Keep the password in a Secret and read it into its own variable with `valueFrom.secretKeyRef`, then write `$({password})` in the URL (a variable defined above {var}); or keep the whole URL in a Secret."),
            )
        } else {
            (
                format!(
                    "Container {container} of {} has {var} written in the manifest",
                    object.display()
                ),
                format!("Keep it in a Secret (`kubectl create secret generic <secret-name> --from-literal={var}=...`) and read it with `valueFrom.secretKeyRef`; then rotate it, since it has been in the manifest."),
            )
        };
        Diagnostic {
            file: object.file,
            range: super::content_range(ws, object.file, &p.entry.value),
            message,
            why: "Anyone who can read the manifest, its repository or the workload (`kubectl get -o yaml`, most namespace roles) reads the secret, and rotating it means editing and redeploying the workload.".into(),
            help: Some(help),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, p: &Plaintext<'a>) -> Option<Fix> {
        let object = &ws.objects[ws.containers[p.container].object];
        let file = object.file;
        let start = p.entry.key.span.start;
        let end = super::content_range(ws, file, &p.entry.value).end;
        let key = render_scalar(p.var, ScalarStyle::Plain);
        let content = if p.item.flow {
            format!("valueFrom: {{secretKeyRef: {{name: <secret-name>, key: {key}}}}}")
        } else {
            let pad = " ".repeat(column_of(ws, file, start));
            format!("valueFrom:\n{pad}  secretKeyRef:\n{pad}    name: <secret-name>\n{pad}    key: {key}")
        };
        Some(Fix::new(
            format!("Read {} from a Secret (`valueFrom.secretKeyRef`)", p.var),
            Applicability::DisplayOnly,
            vec![Edit::replace(file, TextRange::new(start, end), content)],
        ))
    }
}
