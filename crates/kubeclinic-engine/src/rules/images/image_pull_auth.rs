use super::pull_failure::{
    failures_where, manifest_container, pull_why, registry_of, registry_secrets, Cause, PullFailure,
};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds images that kubelet could not pull because the registry refused it: `401
    /// Unauthorized`, `403 Forbidden`, `no basic auth credentials`, `authorization failed`,
    /// `denied: requested access to the resource is denied`, read from the `Failed to pull
    /// image` events, the container's waiting state or a `kubectl get events` table. When the
    /// workload's manifest is in the set and its pod template has no `imagePullSecrets`, it adds
    /// one.
    ///
    /// ## Why is this bad?
    /// Without credentials the registry will not serve a private image: the container never
    /// starts and the pod sits in `ErrImagePull` / `ImagePullBackOff`, retried with growing
    /// back-off, until someone gives the pod a pull secret that works for that registry.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-6c9f8d7b5-q4w2e
    /// Namespace:    shop
    /// Node:         worker-2/10.0.1.12
    /// Controlled By:  ReplicaSet/api-6c9f8d7b5
    /// Containers:
    ///   api:
    ///     Image:          ghcr.io/acme/api:1.4.0
    ///     State:          Waiting
    ///       Reason:       ImagePullBackOff
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From               Message
    ///   ----     ------     ----               ----               -------
    ///   Normal   Scheduled  2m                 default-scheduler  Successfully assigned shop/api-6c9f8d7b5-q4w2e to worker-2
    ///   Normal   Pulling    45s (x4 over 2m)   kubelet            Pulling image "ghcr.io/acme/api:1.4.0"
    ///   Warning  Failed     45s (x4 over 2m)   kubelet            Failed to pull image "ghcr.io/acme/api:1.4.0": failed to pull and unpack image "ghcr.io/acme/api:1.4.0": failed to resolve reference "ghcr.io/acme/api:1.4.0": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fapi%3Apull&service=ghcr.io: 403 Forbidden
    ///   Warning  Failed     45s (x4 over 2m)   kubelet            Error: ErrImagePull
    ///   Normal   BackOff    8s (x7 over 2m)    kubelet            Back-off pulling image "ghcr.io/acme/api:1.4.0"
    ///   Warning  Failed     8s (x7 over 2m)    kubelet            Error: ImagePullBackOff
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         api-6c9f8d7b5-q4w2e
    /// Namespace:    shop
    /// Node:         worker-2/10.0.1.12
    /// Controlled By:  ReplicaSet/api-6c9f8d7b5
    /// Containers:
    ///   api:
    ///     Image:          ghcr.io/acme/api:1.4.0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type    Reason     Age   From               Message
    ///   ----    ------     ----  ----               -------
    ///   Normal  Scheduled  2m    default-scheduler  Successfully assigned shop/api-6c9f8d7b5-q4w2e to worker-2
    ///   Normal  Pulled     110s  kubelet            Successfully pulled image "ghcr.io/acme/api:1.4.0" in 2.1s (2.1s including waiting)
    ///   Normal  Started    110s  kubelet            Started container api
    /// ```
    ///
    /// ## Fix safety
    /// When the set holds exactly one Secret of type `kubernetes.io/dockerconfigjson` that the
    /// pod can use, the fix adds it to the pod template's `imagePullSecrets`: Unsafe, since it
    /// changes which credentials the pods send. Otherwise the fix is display-only, with a
    /// `<registry-secret>` placeholder for the Secret you create
    /// (`kubectl create secret docker-registry`).
    pub struct ImagePullAuth {
        id: "image-pull-auth",
        category: Images,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// The placeholder for a pull secret only the person can name.
const SECRET_PLACEHOLDER: &str = "<registry-secret>";

impl Rule for ImagePullAuth {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| c == Cause::Auth)
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<crate::diagnostic::Related> {
        f.related(ws)
    }

    fn finding<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let registry = f.image.as_deref().map_or("the registry", registry_of);
        let answer = if f.ambiguous {
            format!(
                "Docker Hub answered \"{}\", and the pod's pull secret is missing or unused",
                f.evidence
            )
        } else {
            format!("{registry} refused the credentials ({})", f.evidence)
        };
        let message = format!(
            "Kubelet could not pull {} for {}: {answer}",
            f.image_label(),
            f.subject()
        );
        f.diagnostic(message, pull_why(f), help(ws, f, registry))
    }

    fn fix<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Option<Fix> {
        if f.recovered {
            return None;
        }
        let container = manifest_container(ws, f)?;
        let template = &ws.templates[ws.containers[container].template];
        // A template that already names pull secrets needs those fixed, not another one.
        if template.spec.get("imagePullSecrets").is_some() {
            return None;
        }
        let object = ws.object_of(template);
        let secrets = registry_secrets(ws, object);
        let (name, applicability) = match secrets.as_slice() {
            [only] => (only.to_string(), Applicability::Unsafe),
            _ => (SECRET_PLACEHOLDER.to_string(), Applicability::DisplayOnly),
        };
        let edit = set_path(
            ws,
            object.file,
            template.spec,
            &["imagePullSecrets"],
            &Value::Block(vec![format!("- name: {name}")]),
        )?;
        let title = if applicability == Applicability::Unsafe {
            format!(
                "Pull with the credentials of Secret {name}: add it to imagePullSecrets of {}",
                object.display()
            )
        } else {
            format!(
                "Add imagePullSecrets to {} with the docker-registry Secret you create for {}",
                object.display(),
                f.image.as_deref().map_or("the registry", registry_of)
            )
        };
        Some(Fix::new(title, applicability, vec![edit]))
    }
}

fn help(ws: &Workspace, f: &PullFailure, registry: &str) -> String {
    let server = if registry == "docker.io" {
        "https://index.docker.io/v1/"
    } else {
        registry
    };
    let namespace = f.namespace.as_deref().unwrap_or("<namespace>");
    if let Some(first) = f.missing_secrets.first() {
        return format!(
            "The pod names pull secret(s) {} that kubelet could not find in namespace {namespace}: create it there (`kubectl create secret docker-registry {first} -n {namespace} --docker-server={server} --docker-username=<user> --docker-password=<token>`) or correct the name in imagePullSecrets.",
            f.missing_secrets.join(", ")
        );
    }
    let used: Vec<&str> = manifest_container(ws, f)
        .map(|c| {
            let template = ws.containers[c].template;
            ws.references()
                .iter()
                .filter(|r| r.template == template && r.via == "imagePullSecrets")
                .filter_map(|r| r.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let unused = manifest_container(ws, f)
        .map(|c| {
            let template = &ws.templates[ws.containers[c].template];
            registry_secrets(ws, ws.object_of(template))
        })
        .unwrap_or_default();
    if used.is_empty() && !unused.is_empty() {
        return format!(
            "The set holds registry Secret(s) {} (type kubernetes.io/dockerconfigjson), but the pod template does not list any under imagePullSecrets, so kubelet pulled without credentials. Reference the one for {registry}, and check it really holds credentials for {registry}.",
            unused.join(", ")
        );
    }
    if let Some(first) = used.first() {
        return format!(
            "The pod template already uses pull secret(s) {}: check that they hold credentials for {registry} (`kubectl get secret {first} -n {namespace} -o jsonpath='{{.data.\\.dockerconfigjson}}' | base64 -d`), that the token has not expired and that the account may read this repository. Some registries answer 401/403 for a repository that does not exist, so check the image name too.",
            used.join(", ")
        );
    }
    format!(
        "Create a pull secret for {registry} (`kubectl create secret docker-registry regcred -n {namespace} --docker-server={server} --docker-username=<user> --docker-password=<token>`) and list it under imagePullSecrets of the pod template (or of its ServiceAccount). If credentials are already set on the ServiceAccount or the nodes, check they are for {registry} and not expired. Some registries answer 401/403 for a repository that does not exist, so check the image name too."
    )
}
