//! Built-in API versions Kubernetes deprecated and removed, with what replaces them (the
//! built-in kinds of the Kubernetes deprecation guide and of FairwindsOps/pluto's table).

use crate::settings::KubeVersion;

/// One apiVersion of one kind that Kubernetes stopped serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retired {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub deprecated_in: KubeVersion,
    pub removed_in: KubeVersion,
    /// The apiVersion to use instead, `None` when the kind has no successor.
    pub replacement: Option<&'static str>,
    /// The replacement is served since this version (so a target cluster older than it has
    /// nothing to move to yet).
    pub replacement_since: KubeVersion,
}

const fn v(minor: u32) -> KubeVersion {
    KubeVersion::new(1, minor)
}

const fn r(
    api_version: &'static str,
    kind: &'static str,
    deprecated: u32,
    removed: u32,
    replacement: Option<&'static str>,
    since: u32,
) -> Retired {
    Retired {
        api_version,
        kind,
        deprecated_in: v(deprecated),
        removed_in: v(removed),
        replacement,
        replacement_since: v(since),
    }
}

const APPS: Option<&str> = Some("apps/v1");
const NETWORKING: Option<&str> = Some("networking.k8s.io/v1");
const RBAC: Option<&str> = Some("rbac.authorization.k8s.io/v1");

pub const RETIRED: &[Retired] = &[
    r("extensions/v1beta1", "Deployment", 9, 16, APPS, 9),
    r("extensions/v1beta1", "DaemonSet", 9, 16, APPS, 9),
    r("extensions/v1beta1", "ReplicaSet", 9, 16, APPS, 9),
    r("extensions/v1beta1", "NetworkPolicy", 9, 16, NETWORKING, 8),
    r(
        "extensions/v1beta1",
        "PodSecurityPolicy",
        10,
        16,
        Some("policy/v1beta1"),
        10,
    ),
    r("extensions/v1beta1", "Ingress", 14, 22, NETWORKING, 19),
    r("apps/v1beta1", "Deployment", 9, 16, APPS, 9),
    r("apps/v1beta1", "StatefulSet", 9, 16, APPS, 9),
    r("apps/v1beta1", "ReplicaSet", 9, 16, APPS, 9),
    r("apps/v1beta2", "Deployment", 9, 16, APPS, 9),
    r("apps/v1beta2", "StatefulSet", 9, 16, APPS, 9),
    r("apps/v1beta2", "DaemonSet", 9, 16, APPS, 9),
    r("apps/v1beta2", "ReplicaSet", 9, 16, APPS, 9),
    r(
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        22,
        NETWORKING,
        19,
    ),
    r(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        NETWORKING,
        19,
    ),
    r(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        RBAC,
        8,
    ),
    r("rbac.authorization.k8s.io/v1beta1", "Role", 17, 22, RBAC, 8),
    r(
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "rbac.authorization.k8s.io/v1alpha1",
        "ClusterRole",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "rbac.authorization.k8s.io/v1alpha1",
        "ClusterRoleBinding",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "rbac.authorization.k8s.io/v1alpha1",
        "Role",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "rbac.authorization.k8s.io/v1alpha1",
        "RoleBinding",
        17,
        22,
        RBAC,
        8,
    ),
    r(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        22,
        Some("apiextensions.k8s.io/v1"),
        16,
    ),
    r(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        Some("admissionregistration.k8s.io/v1"),
        16,
    ),
    r(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        Some("admissionregistration.k8s.io/v1"),
        16,
    ),
    r(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        10,
        22,
        Some("apiregistration.k8s.io/v1"),
        10,
    ),
    r(
        "scheduling.k8s.io/v1alpha1",
        "PriorityClass",
        14,
        17,
        Some("scheduling.k8s.io/v1"),
        14,
    ),
    r(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        Some("scheduling.k8s.io/v1"),
        14,
    ),
    r(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        22,
        Some("storage.k8s.io/v1"),
        18,
    ),
    r(
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        22,
        Some("storage.k8s.io/v1"),
        17,
    ),
    r(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        6,
        22,
        Some("storage.k8s.io/v1"),
        6,
    ),
    r(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        13,
        22,
        Some("storage.k8s.io/v1"),
        13,
    ),
    r(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        27,
        Some("storage.k8s.io/v1"),
        24,
    ),
    r(
        "coordination.k8s.io/v1beta1",
        "Lease",
        14,
        22,
        Some("coordination.k8s.io/v1"),
        14,
    ),
    r(
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        6,
        22,
        Some("authentication.k8s.io/v1"),
        6,
    ),
    r(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        22,
        Some("certificates.k8s.io/v1"),
        19,
    ),
    r("batch/v2alpha1", "CronJob", 8, 21, Some("batch/v1"), 21),
    r("batch/v1beta1", "CronJob", 21, 25, Some("batch/v1"), 21),
    r(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        Some("discovery.k8s.io/v1"),
        21,
    ),
    r(
        "events.k8s.io/v1beta1",
        "Event",
        19,
        25,
        Some("events.k8s.io/v1"),
        19,
    ),
    r(
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        25,
        Some("policy/v1"),
        21,
    ),
    r("policy/v1beta1", "PodSecurityPolicy", 21, 25, None, 25),
    r(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        25,
        Some("node.k8s.io/v1"),
        20,
    ),
    r(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        25,
        Some("autoscaling/v2"),
        23,
    ),
    r(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        26,
        Some("autoscaling/v2"),
        23,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        23,
        26,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        23,
        26,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        26,
        29,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        26,
        29,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        29,
        32,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
    r(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        29,
        32,
        Some("flowcontrol.apiserver.k8s.io/v1"),
        29,
    ),
];

/// The retirement of `api_version` for `kind`, if Kubernetes retired it.
pub fn retired(api_version: &str, kind: &str) -> Option<&'static Retired> {
    RETIRED
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for r in RETIRED {
            assert!(r.deprecated_in < r.removed_in, "{r:?}");
            assert_ne!(r.replacement, Some(r.api_version), "{r:?}");
            assert_eq!(
                RETIRED
                    .iter()
                    .filter(|o| o.api_version == r.api_version && o.kind == r.kind)
                    .count(),
                1,
                "{r:?} twice"
            );
        }
        assert!(retired("batch/v1beta1", "CronJob").is_some());
        assert!(retired("batch/v1", "CronJob").is_none());
    }
}
