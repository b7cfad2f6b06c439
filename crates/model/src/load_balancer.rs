use crate::{ArnRef, Attribute, Tags};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerType {
    Application,
    Network,
}

impl LoadBalancerType {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadBalancerType::Application => "application",
            LoadBalancerType::Network => "network",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    Internal,
    InternetFacing,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Internal => "internal",
            Scheme::InternetFacing => "internet-facing",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IpAddressType {
    Ipv4,
    Dualstack,
    DualstackWithoutPublicIpv4,
}

impl IpAddressType {
    pub fn as_str(self) -> &'static str {
        match self {
            IpAddressType::Ipv4 => "ipv4",
            IpAddressType::Dualstack => "dualstack",
            IpAddressType::DualstackWithoutPublicIpv4 => "dualstack-without-public-ipv4",
        }
    }
}

/// The load balancer of a stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    /// Resource id within the stack (`LoadBalancer`).
    pub id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: LoadBalancerType,
    pub scheme: Scheme,
    pub ip_address_type: IpAddressType,
    /// How the deployer finds the subnets.
    pub subnets: SubnetSelection,
    /// Security groups to attach; empty for an NLB without security groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<SecurityGroupRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_owned_ipv4_pool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_ipam_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_capacity_units: Option<i32>,
    /// WAFv2 and Shield Advanced (ALB only). Not ELBv2 fields: separate services' calls.
    #[serde(default, skip_serializing_if = "Addons::is_empty")]
    pub addons: Addons,
    pub tags: Tags,
}

/// The load balancer's protections from other services, as the LoadBalancerConfiguration asks.
///
/// Unset means "gantry does not want one", which removes only what gantry itself added (the
/// deployer remembers that in a tag on the load balancer); anything else is left alone, as
/// the AWS Load Balancer Controller does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Addons {
    /// ARN of the WAFv2 web ACL to associate (`wafV2.webACL`).
    #[serde(rename = "WebACLArn", default, skip_serializing_if = "Option::is_none")]
    pub web_acl_arn: Option<String>,
    /// A Shield Advanced protection wanted (`shieldConfiguration.enabled: true`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub shield_advanced: bool,
}

impl Addons {
    pub fn is_empty(&self) -> bool {
        self.web_acl_arn.is_none() && !self.shield_advanced
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Subnets of a load balancer, as configured; resolved to subnet ids by the deployer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub enum SubnetSelection {
    /// Subnet ids or `Name` tag values, in order, with per-subnet NLB addresses.
    Explicit(Vec<SubnetMapping>),
    /// Subnets whose tags match (`tag:<key>` in values), one per availability zone.
    Selector(BTreeMap<String, Vec<String>>),
    /// Subnets tagged with the scheme's role tag (`kubernetes.io/role/elb` or
    /// `kubernetes.io/role/internal-elb`), one per availability zone.
    Discover,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetMapping {
    /// A subnet id (`subnet-…`) or the value of a subnet's `Name` tag.
    pub subnet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_id: Option<String>,
    #[serde(
        rename = "PrivateIPv4Address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ipv4_address: Option<String>,
    #[serde(
        rename = "IPv6Address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ipv6_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_nat_ipv6_prefix: Option<String>,
}

/// A security group attached to a load balancer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub enum SecurityGroupRef {
    /// The stack's managed security group.
    Managed(ArnRef),
    /// A user-given security group id (`sg-…`) or `Name` tag value.
    Given(String),
    /// The cluster's shared backend security group, created on demand.
    SharedBackend,
}
