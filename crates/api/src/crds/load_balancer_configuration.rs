//! `LoadBalancerConfiguration` (`gateway.k8s.aws/v1`): settings of the ELB provisioned for a
//! Gateway, attached from a GatewayClass or a Gateway.
//!
//! Almost every field is optional, and "unset" differs from "set to empty" when a GatewayClass
//! configuration is merged with a Gateway one, so optional lists and maps stay `Option`.

use super::Attribute;
use super::wire_enum::wire_enum;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Desired settings of a Gateway's load balancer.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "gateway.k8s.aws",
    version = "v1",
    kind = "LoadBalancerConfiguration",
    namespaced,
    status = "LoadBalancerConfigurationStatus",
    derive = "PartialEq",
    doc = "LoadBalancerConfiguration is the Schema for the LoadBalancerConfiguration API",
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerConfigurationSpec {
    /// Which side wins when both the GatewayClass and the Gateway carry a configuration. Only
    /// read on the GatewayClass's configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merging_mode: Option<MergingMode>,
    /// Name of the load balancer; generated when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 32))]
    pub load_balancer_name: Option<String>,
    /// `internal` or `internet-facing`; a change replaces the load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Scheme>,
    /// IP address type of the load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<IpAddressType>,
    /// NLB attribute of the same name (`on`/`off`), sent together with the security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<String>,
    /// Customer-owned IPv4 pool (ALB on Outposts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_owned_ipv4_pool: Option<String>,
    /// IPAM pool for the ALB's IPv4 addresses.
    #[serde(rename = "ipv4IPAMPoolId", skip_serializing_if = "Option::is_none")]
    pub ipv4_ipam_pool_id: Option<String>,
    /// Explicit subnets; wins over `loadBalancerSubnetsSelector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_subnets: Option<Vec<SubnetConfiguration>>,
    /// Subnet discovery by tag: every key must carry one of its listed values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_subnets_selector: Option<BTreeMap<String, Vec<String>>>,
    /// Per-listener settings, matched by `protocolPort`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_configurations: Option<Vec<ListenerConfiguration>>,
    /// Provision an NLB without security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_security_group: Option<bool>,
    /// Security groups (IDs or `Name` tags) used instead of the managed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    /// Managed prefix lists allowed into the managed security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_prefixes: Option<Vec<String>>,
    /// CIDRs allowed into the managed security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ranges: Option<Vec<String>>,
    /// Load balancer attributes, passed through to AWS verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_attributes: Option<Vec<Attribute>>,
    /// AWS tags for the load balancer, its listeners and the managed security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// Allow ICMP for path-MTU discovery in the managed security group.
    #[serde(rename = "enableICMP", skip_serializing_if = "Option::is_none")]
    pub enable_icmp: Option<bool>,
    /// With `securityGroups`: still manage the node/pod rules of the backend security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_backend_security_group_rules: Option<bool>,
    /// Capacity reservation (LCU reservation) of the load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_load_balancer_capacity: Option<MinimumLoadBalancerCapacity>,
    /// WAFv2 web ACL associated with the ALB.
    #[serde(rename = "wafV2", skip_serializing_if = "Option::is_none")]
    pub waf_v2: Option<WafV2Configuration>,
    /// Shield Advanced protection of the ALB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shield_configuration: Option<ShieldConfiguration>,
    /// A TargetGroupConfiguration in this namespace whose props apply to every Service backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_target_group_configuration: Option<DefaultTargetGroupConfiguration>,
}

/// The status of a LoadBalancerConfiguration.
pub type LoadBalancerConfigurationStatus = super::ConfigurationStatus;

wire_enum! {
    /// Conflict resolution between a GatewayClass and a Gateway configuration.
    pub enum MergingMode {
        PreferGateway = "prefer-gateway",
        PreferGatewayClass = "prefer-gateway-class",
    }
}

wire_enum! {
    /// Whether the load balancer gets public addresses.
    pub enum Scheme {
        Internal = "internal",
        InternetFacing = "internet-facing",
    }
}

wire_enum! {
    /// IP address type of a load balancer.
    pub enum IpAddressType {
        Ipv4 = "ipv4",
        Dualstack = "dualstack",
        DualstackWithoutPublicIpv4 = "dualstack-without-public-ipv4",
    }
}

/// One subnet of the load balancer, with NLB per-subnet address settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubnetConfiguration {
    /// Subnet ID or the value of the subnet's `Name` tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// NLB: EIP allocation ID for this subnet (internet-facing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eip_allocation: Option<String>,
    /// NLB: private IPv4 address in this subnet (internal only).
    #[serde(
        rename = "privateIPv4Allocation",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ipv4_allocation: Option<String>,
    /// NLB: IPv6 address in this subnet (dual-stack only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_allocation: Option<String>,
    /// NLB: `/80` IPv6 prefix for source NAT, or `auto_assigned`.
    #[serde(
        rename = "sourceNatIPv6Prefix",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_nat_ipv6_prefix: Option<String>,
}

/// Settings of the ELB listener whose `PROTOCOL:PORT` equals `protocolPort`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListenerConfiguration {
    /// `PROTOCOL:PORT` of the listener, e.g. `HTTPS:443`.
    #[schemars(regex(pattern = PROTOCOL_PORT_PATTERN))]
    pub protocol_port: String,
    /// ACM certificate ARN used as the listener's default certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_certificate: Option<String>,
    /// Further ACM certificate ARNs (SNI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<String>>,
    /// TLS security policy of HTTPS/TLS listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// ALPN policy of NLB TLS listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "None"))]
    pub alpn_policy: Option<AlpnPolicy>,
    /// NLB: stickiness across the weighted target groups of the default action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_stickiness: Option<bool>,
    /// mTLS of ALB HTTPS listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutual_authentication: Option<MutualAuthenticationAttributes>,
    /// Listener attributes, passed through to AWS verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_attributes: Option<Vec<Attribute>>,
    /// NLB: upgrade `UDP` to `QUIC` and `TCP_UDP` to `TCP_QUIC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quic_enabled: Option<bool>,
}

/// `PROTOCOL:PORT` with each half optional and the port in 1..=65535, as the reference CRD has it.
pub const PROTOCOL_PORT_PATTERN: &str = r"^(HTTP|HTTPS|TLS|TCP|UDP|TCP_UDP)?:(6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})?$";

wire_enum! {
    /// ALPN policy of a TLS listener.
    pub enum AlpnPolicy {
        Http1Only = "HTTP1Only",
        Http2Only = "HTTP2Only",
        Http2Optional = "HTTP2Optional",
        Http2Preferred = "HTTP2Preferred",
        None = "None",
    }
}

/// Mutual TLS settings of a listener. The rules keep the verify-only fields away from the other
/// modes, so a manifest cannot carry settings AWS would silently drop.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "trustStore is required when mutualAuthentication mode is 'verify'",
        "rule": "!(self.mode == 'verify' && !has(self.trustStore))",
    },
    {
        "message": "Mutual Authentication mode 'off' or 'passthrough' does not support 'trustStore'",
        "rule": "!(self.mode != 'verify' && has(self.trustStore))",
    },
    {
        "message": "Mutual Authentication mode 'off' or 'passthrough' does not support 'ignoreClientCertificateExpiry'",
        "rule": "!(self.mode != 'verify' && has(self.ignoreClientCertificateExpiry))",
    },
    {
        "message": "Mutual Authentication mode 'off' or 'passthrough' does not support 'advertiseTrustStoreCaNames'",
        "rule": "!(self.mode != 'verify' && has(self.advertiseTrustStoreCaNames))",
    },
]))]
pub struct MutualAuthenticationAttributes {
    /// How client certificates are handled.
    pub mode: MutualAuthenticationMode,
    /// Trust store name or ARN; required with `verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_store: Option<String>,
    /// Accept expired client certificates (`verify` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_client_certificate_expiry: Option<bool>,
    /// Advertise the trust store's CA names (`verify` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertise_trust_store_ca_names: Option<AdvertiseTrustStoreCaNames>,
}

wire_enum! {
    /// mTLS mode of a listener.
    pub enum MutualAuthenticationMode {
        Off = "off",
        Passthrough = "passthrough",
        Verify = "verify",
    }
}

wire_enum! {
    /// Whether a listener advertises its trust store's CA names.
    pub enum AdvertiseTrustStoreCaNames {
        On = "on",
        Off = "off",
    }
}

/// Capacity reservation of a load balancer.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MinimumLoadBalancerCapacity {
    /// Reserved capacity units.
    pub capacity_units: i32,
}

/// WAFv2 association of an ALB.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct WafV2Configuration {
    /// ARN of the web ACL.
    #[serde(rename = "webACL")]
    pub web_acl: String,
}

/// Shield Advanced settings of an ALB.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ShieldConfiguration {
    /// Whether Shield Advanced protects the load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Reference, by name, to a TargetGroupConfiguration in the configuration's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct DefaultTargetGroupConfiguration {
    /// Name of a TargetGroupConfiguration without `targetReference`.
    pub name: String,
}
