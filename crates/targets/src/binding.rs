//! The TargetGroupBindings of a stack (reference §c.3) and the backend security group rules
//! they carry (§e.4).
//!
//! One binding per Service-backed target group, named like the target group, in the Service's
//! namespace, labelled with the Gateway so that the Gateway reconcile can list its bindings
//! (§d.3) and delete those no longer planned. A binding is not owned through an
//! ownerReference: the Gateway may live in another namespace, which Kubernetes forbids.
//! Chained `alb` target groups get none: the deployer registers the ALB itself.

use gantry_api::crds::{
    NetworkingIngressRule, NetworkingPeer, NetworkingPort, NetworkingProtocol, SecurityGroup,
    ServiceReference, TargetGroupBinding, TargetGroupBindingNetworking, TargetGroupBindingSpec,
    TargetGroupIpAddressType, TargetGroupProtocol, TargetType as BindingTargetType,
};
use gantry_api::k8s::{IntOrString, LabelSelector, LabelSelectorRequirement, ObjectMeta};
use gantry_model::{
    LoadBalancerType, NodeSelector, Protocol, SecurityGroupRef, Stack, Target, TargetGroup,
    TargetIpAddressType, TargetType,
};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

/// Label key suffixes after `gateway.k8s.aws.alb` / `gateway.k8s.aws.nlb`.
pub const STACK_NAMESPACE_LABEL_SUFFIX: &str = "/stack-namespace";
pub const STACK_NAME_LABEL_SUFFIX: &str = "/stack-name";

/// What only exists once the stack is deployed. Plans pass `Deployed::default()`: bindings
/// then have no `targetGroupARN` and their rules name an empty security group id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployed {
    /// Target group ARNs by resource id.
    pub target_group_arns: BTreeMap<String, String>,
    /// Id of the group named by [`source_security_group`].
    pub source_security_group: Option<String>,
    pub vpc_id: Option<String>,
}

/// The load balancer security group the targets must let in (§e.1): the cluster's shared
/// backend group when attached, else the stack's managed group. None when the load balancer
/// has only user-given groups (their owner manages the node rules) or none at all (an NLB
/// without security groups: CIDR rules, not built yet).
pub fn source_security_group(stack: &Stack) -> Option<&SecurityGroupRef> {
    let groups = &stack.load_balancer.security_groups;
    groups
        .iter()
        .find(|g| matches!(g, SecurityGroupRef::SharedBackend))
        .or_else(|| {
            groups
                .iter()
                .find(|g| matches!(g, SecurityGroupRef::Managed(_)))
        })
}

/// The bindings of every Service-backed target group of `stack`, in the stack's order.
pub fn target_group_bindings(
    stack: &Stack,
    snapshot: &Snapshot,
    deployed: &Deployed,
) -> Vec<TargetGroupBinding> {
    stack
        .target_groups
        .iter()
        .filter_map(|tg| target_group_binding(stack, tg, snapshot, deployed))
        .collect()
}

/// The binding of one target group; None for target groups whose targets are not a Service's.
pub fn target_group_binding(
    stack: &Stack,
    tg: &TargetGroup,
    snapshot: &Snapshot,
    deployed: &Deployed,
) -> Option<TargetGroupBinding> {
    let target_type = match tg.target_type {
        TargetType::Instance => BindingTargetType::Instance,
        TargetType::Ip => BindingTargetType::Ip,
        TargetType::Alb => return None,
    };
    if tg.backend.kind != "Service" {
        return None;
    }
    let (gw_namespace, gw_name) = stack
        .gateway
        .split_once('/')
        .unwrap_or(("", &stack.gateway));
    let infrastructure = snapshot
        .gateways
        .get(&ObjectKey::new(gw_namespace, gw_name))
        .and_then(|g| g.spec.infrastructure.as_ref());
    let prefix = match stack.load_balancer.kind {
        LoadBalancerType::Application => "gateway.k8s.aws.alb",
        LoadBalancerType::Network => "gateway.k8s.aws.nlb",
    };
    // Stack labels are written last so that a Gateway's infrastructure labels can't hide it.
    let mut labels = infrastructure
        .and_then(|i| i.labels.clone())
        .unwrap_or_default();
    labels.insert(
        format!("{prefix}{STACK_NAMESPACE_LABEL_SUFFIX}"),
        gw_namespace.to_string(),
    );
    labels.insert(
        format!("{prefix}{STACK_NAME_LABEL_SUFFIX}"),
        gw_name.to_string(),
    );
    let networking = source_security_group(stack).map(|_| TargetGroupBindingNetworking {
        ingress: Some(vec![NetworkingIngressRule {
            from: vec![NetworkingPeer {
                ip_block: None,
                security_group: Some(SecurityGroup {
                    group_id: deployed.source_security_group.clone().unwrap_or_default(),
                }),
            }],
            ports: ports(tg, &[traffic_port(tg, snapshot)])
                .into_iter()
                .map(|(protocol, port)| NetworkingPort {
                    protocol: Some(match protocol {
                        PortProtocol::Tcp => NetworkingProtocol::Tcp,
                        PortProtocol::Udp => NetworkingProtocol::Udp,
                    }),
                    port: Some(port),
                })
                .collect(),
        }]),
    });
    Some(TargetGroupBinding {
        metadata: ObjectMeta {
            name: Some(tg.name.clone()),
            namespace: Some(tg.backend.namespace.clone()),
            labels: Some(labels),
            annotations: infrastructure.and_then(|i| i.annotations.clone()),
            ..ObjectMeta::default()
        },
        spec: TargetGroupBindingSpec {
            target_group_arn: deployed.target_group_arns.get(&tg.id).cloned(),
            target_group_name: None,
            target_type: Some(target_type),
            service_ref: ServiceReference {
                name: tg.backend.name.clone(),
                port: IntOrString::Int(tg.backend.port),
            },
            networking,
            node_selector: tg.node_selector.as_ref().map(label_selector),
            ip_address_type: Some(match tg.ip_address_type {
                TargetIpAddressType::Ipv4 => TargetGroupIpAddressType::Ipv4,
                TargetIpAddressType::Ipv6 => TargetGroupIpAddressType::Ipv6,
            }),
            vpc_id: deployed.vpc_id.clone(),
            // TargetGroupConfiguration `enableMultiCluster` is not in the model yet.
            multi_cluster_target_group: None,
            target_group_protocol: Some(binding_protocol(tg.protocol)),
            iam_role_arn_to_assume: None,
            assume_role_external_id: None,
        },
        status: None,
    })
}

/// Protocol of a security group rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PortProtocol {
    Tcp,
    Udp,
}

impl PortProtocol {
    /// As EC2 spells it in `IpProtocol`.
    pub fn as_str(self) -> &'static str {
        match self {
            PortProtocol::Tcp => "tcp",
            PortProtocol::Udp => "udp",
        }
    }
}

/// One port the targets must accept from the load balancer's security group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRule {
    pub protocol: PortProtocol,
    pub port: i32,
}

/// The numeric rules of a target group given its targets: the binding's ports with a named
/// ip `targetPort` resolved to the ports the endpoints actually use. Sorted, no duplicates.
pub fn backend_rules(tg: &TargetGroup, targets: &[Target]) -> Vec<PortRule> {
    let traffic: Vec<IntOrString> = match tg.target_type {
        TargetType::Alb => return Vec::new(),
        TargetType::Instance => vec![IntOrString::Int(tg.port)],
        TargetType::Ip => targets
            .iter()
            .map(|t| t.port)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(IntOrString::Int)
            .collect(),
    };
    let mut rules: Vec<PortRule> = ports(tg, &traffic)
        .into_iter()
        .filter_map(|(protocol, port)| match port {
            IntOrString::Int(port) => Some(PortRule { protocol, port }),
            IntOrString::String(_) => None,
        })
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// §e.4: the traffic port(s) (UDP for UDP-ish target groups), the health check port over TCP
/// when it differs from the traffic port or the traffic is UDP, and the target control port.
fn ports(tg: &TargetGroup, traffic: &[IntOrString]) -> Vec<(PortProtocol, IntOrString)> {
    let udp = matches!(
        tg.protocol,
        Protocol::Udp | Protocol::TcpUdp | Protocol::Quic | Protocol::TcpQuic
    );
    let mut out: Vec<(PortProtocol, IntOrString)> = Vec::new();
    let mut add = |rule: (PortProtocol, IntOrString)| {
        if !out.contains(&rule) {
            out.push(rule);
        }
    };
    let traffic_protocol = if udp {
        PortProtocol::Udp
    } else {
        PortProtocol::Tcp
    };
    for p in traffic {
        add((traffic_protocol, p.clone()));
    }
    let health: Vec<IntOrString> = match tg.health_check.port.parse::<i32>() {
        Ok(p) => vec![IntOrString::Int(p)],
        // `traffic-port`; translation resolves named health check ports to numbers.
        Err(_) => traffic.to_vec(),
    };
    for h in health {
        if udp || !traffic.contains(&h) {
            add((PortProtocol::Tcp, h));
        }
    }
    if let Some(c) = tg.target_control_port {
        add((PortProtocol::Tcp, IntOrString::Int(c)));
    }
    out
}

/// The port the load balancer sends traffic to, as the binding names it: the NodePort for
/// instance targets, the Service's `targetPort` (a name stays a name) for ip targets.
fn traffic_port(tg: &TargetGroup, snapshot: &Snapshot) -> IntOrString {
    if tg.target_type == TargetType::Instance {
        return IntOrString::Int(tg.port);
    }
    snapshot
        .services
        .get(&ObjectKey::new(&tg.backend.namespace, &tg.backend.name))
        .and_then(|s| s.spec.as_ref()?.ports.as_ref())
        .and_then(|ports| ports.iter().find(|p| p.port == tg.backend.port))
        .map_or(IntOrString::Int(tg.port), |p| match &p.target_port {
            Some(t) => t.clone(),
            None => IntOrString::Int(p.port),
        })
}

fn label_selector(s: &NodeSelector) -> LabelSelector {
    LabelSelector {
        match_labels: (!s.match_labels.is_empty()).then(|| s.match_labels.clone()),
        match_expressions: (!s.match_expressions.is_empty()).then(|| {
            s.match_expressions
                .iter()
                .map(|e| LabelSelectorRequirement {
                    key: e.key.clone(),
                    operator: e.operator.clone(),
                    values: (!e.values.is_empty()).then(|| e.values.clone()),
                })
                .collect()
        }),
    }
}

fn binding_protocol(p: Protocol) -> TargetGroupProtocol {
    match p {
        Protocol::Http => TargetGroupProtocol::Http,
        Protocol::Https => TargetGroupProtocol::Https,
        Protocol::Tcp => TargetGroupProtocol::Tcp,
        Protocol::Udp => TargetGroupProtocol::Udp,
        Protocol::Tls => TargetGroupProtocol::Tls,
        Protocol::TcpUdp => TargetGroupProtocol::TcpUdp,
        Protocol::Quic => TargetGroupProtocol::Quic,
        Protocol::TcpQuic => TargetGroupProtocol::TcpQuic,
    }
}
