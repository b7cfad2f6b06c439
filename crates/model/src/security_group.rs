use crate::Tags;
use serde::{Deserialize, Serialize};

/// The security group gantry creates and owns for one load balancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedSecurityGroup {
    /// Resource id within the stack (`ManagedLBSecurityGroup`).
    pub id: String,
    pub group_name: String,
    pub description: String,
    pub ingress: Vec<IngressRule>,
    pub tags: Tags,
}

/// One ingress permission: a protocol and port range from one source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp` or `icmpv6`.
    pub ip_protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub source: IngressSource,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub enum IngressSource {
    CidrIpv4(String),
    CidrIpv6(String),
    PrefixListId(String),
}
