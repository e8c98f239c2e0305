use super::{bindings, unrendered, Binding};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::{K8sObject, Workspace};
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::yaml::{render_scalar, Node};

declare_rule! {
    /// ## What it does
    /// Finds binding subjects of `kind: ServiceAccount` that name no account of the set while
    /// the set shows which one was meant: an account of that namespace with a near name (a
    /// typo: `ledger-syncer` for `ledger-sync`), or that very account in another namespace (a
    /// subject without `namespace` in a RoleBinding means the binding's own namespace), found
    /// as a ServiceAccount of the set or, when the set has none of that name, as the namespace
    /// its workloads run in. It also finds ServiceAccount subjects of a ClusterRoleBinding
    /// without `namespace`, which the API server refuses. `default` exists in every
    /// namespace; a name the set has nothing close to is taken to be made elsewhere.
    ///
    /// ## Why is this bad?
    /// The binding grants its role to an account nothing runs as, so the workload it was
    /// written for gets none of it: its API calls are refused (`forbidden: User
    /// "system:serviceaccount:ledger:ledger-sync" cannot list resource "configmaps"`). An
    /// account of that name created later inherits the grant unnoticed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: ledger-sync
    ///   namespace: ledger
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ledger-sync-config
    ///   namespace: ledger
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ledger-syncer
    ///     namespace: ledger
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: ledger-sync
    ///   namespace: ledger
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ledger-sync-config
    ///   namespace: ledger
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ledger-sync
    ///     namespace: ledger
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the near account, or the namespace the account is in; that
    /// account then holds the role, so check it is the one meant. A ClusterRoleBinding subject
    /// without namespace is fixed only when the set has that account in one namespace.
    pub struct RbacSubjectMissing {
        id: "rbac-subject-missing",
        category: Rbac,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

/// Where the set shows the account meant.
pub enum Meant {
    /// A ServiceAccount of the namespace with a near name.
    Typo { name: String, account: usize },
    /// The account is in another namespace: a ServiceAccount of the set, or the namespace of
    /// the workloads that run as it.
    OtherNamespace { namespace: String, by: usize },
    /// A ClusterRoleBinding subject without namespace; the one namespace the set has the
    /// account in, if any.
    NoNamespace(Option<(String, usize)>),
}

pub struct Unbound<'a> {
    binding: Binding<'a>,
    subject: &'a Node,
    name: &'a Node,
    /// The namespace the subject names or implies.
    namespace: Option<String>,
    meant: Meant,
}

/// `namespace`'s side of two namespaces, either maybe unknown: they can be the same.
fn may_be(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The one namespace all of `places` name, with the first object there.
fn one_namespace<'a>(
    places: impl IntoIterator<Item = (&'a str, usize)>,
) -> Option<(String, usize)> {
    let mut places = places.into_iter();
    let (first, by) = places.next()?;
    places
        .all(|(ns, _)| ns == first)
        .then(|| (first.to_string(), by))
}

/// The workloads of the set (not live objects) that run as the ServiceAccount `name`, with
/// their namespaces.
fn runners<'w>(ws: &'w Workspace, name: &str) -> Vec<(Option<&'w str>, usize)> {
    ws.references()
        .iter()
        .filter(|r| r.kind == "ServiceAccount" && r.name.as_str() == Some(name))
        .map(|r| ws.templates[r.template].object)
        .filter(|&o| !ws.objects[o].is_live())
        .map(|o| (ws.objects[o].effective_namespace(), o))
        .collect()
}

impl Rule for RbacSubjectMissing {
    type State<'a> = Unbound<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unbound<'a>> {
        let accounts: Vec<usize> = ws
            .indexes_of_kind("ServiceAccount")
            .iter()
            .copied()
            .filter(|&i| ws.objects[i].api_version == "v1" && ws.objects[i].name.is_some())
            .collect();
        let account = |i: usize| -> &K8sObject<'a> { &ws.objects[i] };
        let mut out = Vec::new();
        for binding in bindings(ws) {
            let object = &ws.objects[binding.object];
            for subject in binding.subjects {
                if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
                    continue;
                }
                let Some(name) = subject.get("name").filter(|n| n.as_str().is_some()) else {
                    continue;
                };
                let wanted = name.as_str().unwrap_or_default();
                if unrendered(wanted) {
                    continue;
                }
                // An empty namespace is no namespace, to the API server as to the authorizer.
                let own = subject
                    .get("namespace")
                    .and_then(Node::as_str)
                    .filter(|ns| !ns.is_empty());
                if own.is_some_and(unrendered) {
                    continue;
                }
                let named_so = || {
                    accounts
                        .iter()
                        .copied()
                        .filter(|&i| account(i).name.as_deref() == Some(wanted))
                };
                let push = |meant, namespace: Option<&str>| Unbound {
                    binding: binding.clone(),
                    subject,
                    name,
                    namespace: namespace.map(String::from),
                    meant,
                };
                if binding.cluster_wide && own.is_none() {
                    let at = one_namespace(
                        named_so().filter_map(|i| Some((account(i).effective_namespace()?, i))),
                    );
                    out.push(push(Meant::NoNamespace(at), None));
                    continue;
                }
                let namespace = own.or_else(|| object.effective_namespace());
                // Runs as the account where the subject says: the account of the set or a
                // workload of the set there agrees with the binding.
                let runs_here = || {
                    runners(ws, wanted)
                        .into_iter()
                        .any(|(ns, _)| may_be(ns, namespace))
                };
                if wanted == "default"
                    || named_so().any(|i| may_be(account(i).effective_namespace(), namespace))
                    || runs_here()
                {
                    continue;
                }
                let here: Vec<usize> = accounts
                    .iter()
                    .copied()
                    .filter(|&i| may_be(account(i).effective_namespace(), namespace))
                    .collect();
                let near = nearest(
                    wanted,
                    here.iter().filter_map(|&i| account(i).name.as_deref()),
                );
                if let Some(near) = near {
                    let account = here
                        .iter()
                        .copied()
                        .find(|&i| ws.objects[i].name.as_deref() == Some(near))
                        .unwrap_or_default();
                    out.push(push(
                        Meant::Typo {
                            name: near.to_string(),
                            account,
                        },
                        namespace,
                    ));
                    continue;
                }
                let Some(namespace) = namespace else { continue };
                // Where the account is: its ServiceAccount in the set, else where the
                // workloads that run as it are.
                let elsewhere = if named_so().next().is_some() {
                    one_namespace(
                        named_so().filter_map(|i| Some((account(i).effective_namespace()?, i))),
                    )
                } else {
                    let users = runners(ws, wanted);
                    if users.iter().any(|(ns, _)| ns.is_none()) {
                        None
                    } else {
                        one_namespace(users.into_iter().filter_map(|(ns, o)| Some((ns?, o))))
                    }
                };
                if let Some((other, by)) = elsewhere.filter(|(other, _)| other != namespace) {
                    out.push(push(
                        Meant::OtherNamespace {
                            namespace: other,
                            by,
                        },
                        Some(namespace),
                    ));
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unbound<'a>) -> Diagnostic {
        let object = &ws.objects[u.binding.object];
        let wanted = u.name.as_str().unwrap_or_default();
        let account = match &u.namespace {
            Some(ns) => format!("ServiceAccount {ns}/{wanted}"),
            None => format!("ServiceAccount {wanted}"),
        };
        let grants = format!(
            "{} grants {} {} to {account}",
            object.display(),
            u.binding.kind(),
            u.binding.role_name()
        );
        let nothing = "The role goes to an account nothing runs as: the workload it was written for gets none of it and its API calls are refused (`forbidden`); an account of that name made later inherits it unnoticed.".to_string();
        let (range, message, why, help) = match &u.meant {
            Meant::Typo { name, .. } => (
                u.name.span,
                format!("{grants}, which the set does not have: did you mean {name}?"),
                nothing,
                "Name the ServiceAccount exactly as its `metadata.name`.".to_string(),
            ),
            Meant::OtherNamespace { namespace, by } => {
                let by = &ws.objects[*by];
                let what = if by.kind == "ServiceAccount" {
                    format!("the set has {wanted} in namespace {namespace}")
                } else {
                    format!("{} runs as {wanted} in namespace {namespace}", by.display())
                };
                let implied = if u.subject.get("namespace").is_none() {
                    " (a subject without namespace is in the binding's)"
                } else {
                    ""
                };
                (
                    u.subject.get("namespace").map_or(u.name.span, |n| n.span),
                    format!("{grants}{implied}, but {what}"),
                    nothing,
                    format!("Set the subject's `namespace` to {namespace}."),
                )
            }
            Meant::NoNamespace(_) => (
                u.name.span,
                format!("{grants}, with no namespace: a ClusterRoleBinding's ServiceAccount subject must name its namespace"),
                "The API server refuses the binding (`subjects[].namespace: Required value`): none of its subjects get the role.".to_string(),
                "Add the account's `namespace` to the subject.".to_string(),
            ),
        };
        Diagnostic {
            file: object.file,
            range,
            message,
            why,
            help: Some(help),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unbound<'a>) -> Vec<Related> {
        let by = match &u.meant {
            Meant::Typo { account, .. } => *account,
            Meant::OtherNamespace { by, .. } => *by,
            Meant::NoNamespace(Some((_, by))) => *by,
            Meant::NoNamespace(None) => return Vec::new(),
        };
        let o = &ws.objects[by];
        let range = if o.kind == "ServiceAccount" {
            o.anchor_range()
        } else {
            ws.references()
                .iter()
                .find(|r| {
                    r.kind == "ServiceAccount"
                        && ws.templates[r.template].object == by
                        && r.name.as_str() == u.name.as_str()
                })
                .map_or(o.anchor_range(), |r| r.name.span)
        };
        let message = match o.effective_namespace() {
            Some(ns) if o.kind == "ServiceAccount" => {
                format!("the {} of namespace {ns}", o.display())
            }
            Some(ns) => format!("{} runs as it in namespace {ns}", o.display()),
            None => format!("the {}", o.display()),
        };
        vec![Related {
            file: o.file,
            range,
            message,
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unbound<'a>) -> Option<Fix> {
        let file = ws.objects[u.binding.object].file;
        let (title, edit) = match &u.meant {
            Meant::Typo { name, .. } => {
                let style = u.name.as_scalar()?.style;
                (
                    format!("Grant it to ServiceAccount {name}"),
                    Edit::replace(file, u.name.span, render_scalar(name, style)),
                )
            }
            Meant::OtherNamespace { namespace, .. } | Meant::NoNamespace(Some((namespace, _))) => (
                format!(
                    "Grant it to ServiceAccount {namespace}/{}",
                    u.name.as_str()?
                ),
                set_path(
                    ws,
                    file,
                    u.subject,
                    &["namespace"],
                    &Value::Scalar(namespace.clone()),
                )?,
            ),
            Meant::NoNamespace(None) => return None,
        };
        Some(Fix::new(title, Applicability::Unsafe, vec![edit]))
    }
}
