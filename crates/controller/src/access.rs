//! Every API access the controller makes — the list the Helm chart's RBAC is checked against
//! (crates/controller/tests/packaging.rs), in two parts: what ALB and NLB Gateways need, and
//! what the tiered class adds when it is enabled (`Config::tiered`, the chart's
//! `tiered.enabled`), so a cluster without tiered Gateways grants no write on Gateways, routes
//! or Crossplane objects; and what ListenerSets need, only with the `GatewayListenerSet` gate
//! (on by default).

/// One API access: verbs on a resource (`plural` or `plural/subresource`) of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub group: &'static str,
    pub resource: &'static str,
    pub verbs: &'static [&'static str],
}

const GW: &str = "gateway.networking.k8s.io";
const WATCH: &[&str] = &["list", "watch"];
const READ_PATCH: &[&str] = &["get", "list", "watch", "patch"];
const READ: &[&str] = &["get", "list", "watch"];
const PATCH: &[&str] = &["patch"];

/// Every access the controller makes for ALB and NLB Gateways. Watches list and watch; status
/// and finalizer writes are merge patches, re-read with get after a conflict; events are
/// created and patched (series); the lease is read, created and updated.
pub const ACCESS: &[Access] = &[
    Access {
        group: GW,
        resource: "gatewayclasses",
        verbs: READ_PATCH,
    },
    Access {
        group: GW,
        resource: "gatewayclasses/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "gateways",
        verbs: READ_PATCH,
    },
    Access {
        group: GW,
        resource: "gateways/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "httproutes",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "httproutes/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "grpcroutes",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "grpcroutes/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "tcproutes",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "tcproutes/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "udproutes",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "udproutes/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "tlsroutes",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "tlsroutes/status",
        verbs: PATCH,
    },
    Access {
        group: GW,
        resource: "referencegrants",
        verbs: WATCH,
    },
    Access {
        group: "",
        resource: "namespaces",
        verbs: WATCH,
    },
    Access {
        group: "",
        resource: "services",
        verbs: WATCH,
    },
    Access {
        group: "gateway.k8s.aws",
        resource: "loadbalancerconfigurations",
        verbs: WATCH,
    },
    Access {
        group: "gateway.k8s.aws",
        resource: "targetgroupconfigurations",
        verbs: WATCH,
    },
    Access {
        group: "gateway.k8s.aws",
        resource: "listenerruleconfigurations",
        verbs: WATCH,
    },
    // Only referenced Secrets (OIDC clients, listener certificateRefs), one list + watch each
    // with a metadata.name field selector (crate::referenced).
    Access {
        group: "",
        resource: "secrets",
        verbs: WATCH,
    },
    // Only the ConfigMaps Gateways name as client-certificate CAs, one list + watch each with
    // a metadata.name field selector (crate::referenced::config_maps).
    Access {
        group: "",
        resource: "configmaps",
        verbs: WATCH,
    },
    Access {
        group: "discovery.k8s.io",
        resource: "endpointslices",
        verbs: WATCH,
    },
    Access {
        group: "",
        resource: "nodes",
        verbs: WATCH,
    },
    // Pods with a target-health readiness gate: their gate condition is patched.
    Access {
        group: "",
        resource: "pods",
        verbs: WATCH,
    },
    Access {
        group: "",
        resource: "pods/status",
        verbs: PATCH,
    },
    // Bindings are written by server-side apply (patch), their finalizer by merge patch, and
    // those a Gateway no longer plans are deleted.
    Access {
        group: "elbv2.k8s.aws",
        resource: "targetgroupbindings",
        verbs: &["get", "list", "watch", "patch", "delete"],
    },
    Access {
        group: "elbv2.k8s.aws",
        resource: "targetgroupbindings/status",
        verbs: PATCH,
    },
    Access {
        group: "events.k8s.io",
        resource: "events",
        verbs: &["create", "patch"],
    },
    Access {
        group: "coordination.k8s.io",
        resource: "leases",
        verbs: &["get", "create", "update"],
    },
];

// The Crossplane provider families' groups (gantry_tiered::CloudType).
const CROSSPLANE: &str = "elbv2.aws.crossplane.io";
const UPBOUND_ELBV2: &str = "elbv2.aws.upbound.io";
const UPBOUND_EC2: &str = "ec2.aws.upbound.io";
const UPBOUND_ELBV2_NAMESPACED: &str = "elbv2.aws.m.upbound.io";
const UPBOUND_EC2_NAMESPACED: &str = "ec2.aws.m.upbound.io";
/// Server-side apply that may create, and pruning.
const TIERED_WRITE: &[&str] = &["create", "patch", "delete"];
/// Watched, applied and pruned.
const TIERED_OWN: &[&str] = &["list", "watch", "create", "patch", "delete"];

/// What the tiered class adds (crate::tiered): class ConfigMaps watched (the list and watch of
/// ConfigMaps is in [`ACCESS`] already); shadow Gateways and routes, TargetGroupBindings and
/// Crossplane resources (every provider family) server-side applied (create + patch) and
/// pruned (delete).
pub const TIERED_ACCESS: &[Access] = &[
    Access {
        group: GW,
        resource: "gateways",
        verbs: TIERED_WRITE,
    },
    Access {
        group: GW,
        resource: "httproutes",
        verbs: TIERED_WRITE,
    },
    Access {
        group: GW,
        resource: "grpcroutes",
        verbs: TIERED_WRITE,
    },
    Access {
        group: GW,
        resource: "tcproutes",
        verbs: TIERED_WRITE,
    },
    Access {
        group: GW,
        resource: "udproutes",
        verbs: TIERED_WRITE,
    },
    Access {
        group: GW,
        resource: "tlsroutes",
        verbs: TIERED_WRITE,
    },
    Access {
        group: "elbv2.k8s.aws",
        resource: "targetgroupbindings",
        verbs: TIERED_OWN,
    },
    Access {
        group: CROSSPLANE,
        resource: "loadbalancers",
        verbs: TIERED_OWN,
    },
    Access {
        group: CROSSPLANE,
        resource: "targetgroups",
        verbs: TIERED_OWN,
    },
    Access {
        group: CROSSPLANE,
        resource: "listeners",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2,
        resource: "lbs",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2,
        resource: "lbtargetgroups",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2,
        resource: "lblisteners",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2,
        resource: "securitygroups",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2,
        resource: "securitygroupingressrules",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2,
        resource: "securitygroupegressrules",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2_NAMESPACED,
        resource: "lbs",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2_NAMESPACED,
        resource: "lbtargetgroups",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_ELBV2_NAMESPACED,
        resource: "lblisteners",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2_NAMESPACED,
        resource: "securitygroups",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2_NAMESPACED,
        resource: "securitygroupingressrules",
        verbs: TIERED_OWN,
    },
    Access {
        group: UPBOUND_EC2_NAMESPACED,
        resource: "securitygroupegressrules",
        verbs: TIERED_OWN,
    },
];

/// What ListenerSets add (the `GatewayListenerSet` gate, `Config::translate.listener_sets`):
/// they are watched, and their status is written by merge patch, re-read with get after a
/// conflict, as the Gateways' is.
pub const LISTENER_SET_ACCESS: &[Access] = &[
    Access {
        group: GW,
        resource: "listenersets",
        verbs: READ,
    },
    Access {
        group: GW,
        resource: "listenersets/status",
        verbs: PATCH,
    },
];

/// The accesses of a controller with the tiered class and the ListenerSet gate on or off.
pub fn access(tiered: bool, listener_sets: bool) -> impl Iterator<Item = &'static Access> {
    let extra: &[Access] = if tiered { TIERED_ACCESS } else { &[] };
    let sets: &[Access] = if listener_sets {
        LISTENER_SET_ACCESS
    } else {
        &[]
    };
    ACCESS.iter().chain(extra).chain(sets)
}
