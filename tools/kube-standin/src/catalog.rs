//! The kinds the stand-in API server serves.

/// One served resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    /// Writes to the main resource leave `.status` alone, and the other way round.
    pub status: bool,
}

const fn k(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    status: bool,
) -> Kind {
    Kind {
        group,
        version,
        plural,
        kind,
        namespaced,
        status,
    }
}

const GW: &str = "gateway.networking.k8s.io";
const AWS: &str = "gateway.k8s.aws";
const XP: &str = "elbv2.aws.crossplane.io";
const UP_ELB: &str = "elbv2.aws.upbound.io";
const UP_EC2: &str = "ec2.aws.upbound.io";
const UP_ELB_NS: &str = "elbv2.aws.m.upbound.io";
const UP_EC2_NS: &str = "ec2.aws.m.upbound.io";

pub const KINDS: &[Kind] = &[
    k("", "v1", "namespaces", "Namespace", false, false),
    k("", "v1", "services", "Service", true, false),
    // Secrets ListenerRuleConfigurations name (tests/secrets.rs).
    k("", "v1", "secrets", "Secret", true, false),
    k(GW, "v1", "gatewayclasses", "GatewayClass", false, true),
    k(GW, "v1", "gateways", "Gateway", true, true),
    k(GW, "v1", "httproutes", "HTTPRoute", true, true),
    k(GW, "v1", "grpcroutes", "GRPCRoute", true, true),
    k(GW, "v1", "tlsroutes", "TLSRoute", true, true),
    k(GW, "v1", "referencegrants", "ReferenceGrant", true, false),
    // ListenerSets (tests/listener_sets.rs): the controller writes their status.
    k(GW, "v1", "listenersets", "ListenerSet", true, true),
    k(GW, "v1alpha2", "tcproutes", "TCPRoute", true, true),
    k(GW, "v1alpha2", "udproutes", "UDPRoute", true, true),
    k(
        AWS,
        "v1",
        "loadbalancerconfigurations",
        "LoadBalancerConfiguration",
        true,
        true,
    ),
    k(
        AWS,
        "v1",
        "targetgroupconfigurations",
        "TargetGroupConfiguration",
        true,
        true,
    ),
    k(
        AWS,
        "v1",
        "listenerruleconfigurations",
        "ListenerRuleConfiguration",
        true,
        true,
    ),
    // Tiered gateways (tests/tiered.rs).
    k("", "v1", "configmaps", "ConfigMap", true, false),
    k("", "v1", "nodes", "Node", false, false),
    // Pods with readiness gates (tests/readiness.rs): the controller patches their status.
    k("", "v1", "pods", "Pod", true, true),
    k(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "EndpointSlice",
        true,
        false,
    ),
    k(
        "elbv2.k8s.aws",
        "v1beta1",
        "targetgroupbindings",
        "TargetGroupBinding",
        true,
        true,
    ),
    k(XP, "v1alpha1", "loadbalancers", "LoadBalancer", false, true),
    k(XP, "v1alpha1", "targetgroups", "TargetGroup", false, true),
    k(XP, "v1alpha1", "listeners", "Listener", false, true),
    // The Upbound provider families, cluster-scoped (Crossplane v1) and namespaced (v2).
    k(UP_ELB, "v1beta1", "lbs", "LB", false, true),
    k(
        UP_ELB,
        "v1beta1",
        "lbtargetgroups",
        "LBTargetGroup",
        false,
        true,
    ),
    k(UP_ELB, "v1beta1", "lblisteners", "LBListener", false, true),
    k(
        UP_EC2,
        "v1beta1",
        "securitygroups",
        "SecurityGroup",
        false,
        true,
    ),
    k(
        UP_EC2,
        "v1beta1",
        "securitygroupingressrules",
        "SecurityGroupIngressRule",
        false,
        true,
    ),
    k(
        UP_EC2,
        "v1beta1",
        "securitygroupegressrules",
        "SecurityGroupEgressRule",
        false,
        true,
    ),
    k(UP_ELB_NS, "v1beta1", "lbs", "LB", true, true),
    k(
        UP_ELB_NS,
        "v1beta1",
        "lbtargetgroups",
        "LBTargetGroup",
        true,
        true,
    ),
    k(
        UP_ELB_NS,
        "v1beta1",
        "lblisteners",
        "LBListener",
        true,
        true,
    ),
    k(
        UP_EC2_NS,
        "v1beta1",
        "securitygroups",
        "SecurityGroup",
        true,
        true,
    ),
    k(
        UP_EC2_NS,
        "v1beta1",
        "securitygroupingressrules",
        "SecurityGroupIngressRule",
        true,
        true,
    ),
    k(
        UP_EC2_NS,
        "v1beta1",
        "securitygroupegressrules",
        "SecurityGroupEgressRule",
        true,
        true,
    ),
    k("events.k8s.io", "v1", "events", "Event", true, false),
    k("coordination.k8s.io", "v1", "leases", "Lease", true, false),
];

pub fn by_plural(group: &str, plural: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.group == group && k.plural == plural)
}

pub fn by_kind(group: &str, kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.group == group && k.kind == kind)
}
