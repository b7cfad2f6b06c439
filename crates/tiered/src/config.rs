//! The configuration of a tiered GatewayClass: a ConfigMap named by the class's
//! `parametersRef` (`group: ""`, `kind: ConfigMap`, namespace required).
//!
//! Every value is a string (ConfigMap `data`). Lists are separated by commas or newlines;
//! maps are `key=value` entries separated the same way. Unknown keys are refused, so that a
//! typo is reported instead of silently falling back to a default.
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `inClusterImplementation` | `istio`, `envoy-gateway` or `other`: whose conventions find the shadow Gateway's Service | `istio` |
//! | `inClusterGatewayClassName` | class of the shadow Gateway | `istio` |
//! | `shadowNameSuffix` | appended to the names of the shadow Gateway and routes | `-istio` (`-envoy` for envoy-gateway, `-inner` for other) |
//! | `shadowGatewayAnnotations` | map; annotations of the shadow Gateway, `{name}` in a value is replaced by the shadow's name | istio: `gateway.istio.io/name-override={name}, networking.istio.io/service-type=ClusterIP`; others: none |
//! | `shadowServiceSelector` | map; labels of the shadow Gateway's Service (`{name}`: the shadow's name, `{namespace}`: its namespace) | istio: `gateway.networking.k8s.io/gateway-name={name}`; envoy-gateway: `gateway.envoyproxy.io/owning-gateway-name={name}, gateway.envoyproxy.io/owning-gateway-namespace={namespace}`; other: required |
//! | `shadowServiceNamespace` | namespace of that Service (`{namespace}` as above) | envoy-gateway: `envoy-gateway-system`; others: `{namespace}` |
//! | `region` | AWS region of the Crossplane resources | `TieredSettings::region` |
//! | `vpcID` | VPC of the target groups | required |
//! | `subnets` | list of subnet IDs | one of `subnets` / `subnetMappings` is required |
//! | `subnetMappings` | JSON list of `{"subnetID", "allocationID", "privateIPv4Address", "iPv6Address"}` | |
//! | `securityGroups` | list; security groups of an ALB | none (the VPC default) |
//! | `scheme` | `internet-facing` or `internal` | `internal` |
//! | `loadBalancerType` | `ALB` or `NLB` | `ALB` |
//! | `listenerProtocols` | map; Gateway listener protocol → load balancer listener and target group protocol | ALB: `HTTP=HTTP, HTTPS=HTTPS`; NLB: `TCP=TCP, TLS=TLS, HTTP=TCP, HTTPS=TCP` |
//! | `certificateARN` | ACM certificate of HTTPS / TLS load balancer listeners | none |
//! | `healthCheckPort` | target group health check port | `15021` (Istio's status port) |
//! | `healthCheckPath` | target group health check path (HTTP) | `/healthz/ready` |
//! | `tags` | map; extra AWS tags of the load balancer and target groups | none |
//! | `providerConfigName` | Crossplane `providerConfigRef.name` | Crossplane's default |
//! | `providerFamily` | which Crossplane provider's kinds to write: `upbound-namespaced`, `upbound-cluster` or `crossplane-contrib` (see [`crate::family`]) | `upbound-namespaced` |
//! | `clientCIDRs` | list; Upbound families: the CIDRs allowed to reach the load balancer's listener ports (rules on the security group gantry creates for it) | `0.0.0.0/0` when `internet-facing`, the RFC 1918 ranges when `internal` |
//! | `targetSecurityGroups` | list; Upbound families: security groups of the nodes/pods running the in-cluster gateway; gantry adds rules admitting the load balancer's security group on the target and health-check ports, and egress rules from it to them | none: the TargetGroupBinding's `networking` admits it instead |
//! | `targetCIDRs` | list; Upbound families without `targetSecurityGroups`: where the load balancer's security group may send (egress rules; the pods' addresses) | `0.0.0.0/0` (AWS's own default egress) |
//!
//! The defaults of `shadowGatewayAnnotations` make Istio name its Service after the shadow
//! Gateway (the TargetGroupBinding's `serviceRef` relies on that) and keep that Service
//! `ClusterIP`, so that no second cloud load balancer is created for it.

pub use crate::config_error::{ClassConfigError, ConfigError};
pub use crate::config_text::MapError;
use crate::config_text::{is_cidr, parse_map, split_list};
use crate::family::Family;
use gantry_api::gateway::GatewayClass;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Load balancer type of a tiered class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum LbType {
    Alb,
    Nlb,
}

impl LbType {
    /// The value of Crossplane's `forProvider.loadBalancerType`.
    pub fn crossplane_value(self) -> &'static str {
        match self {
            LbType::Alb => "application",
            LbType::Nlb => "network",
        }
    }

    fn lb_protocols(self) -> &'static [&'static str] {
        match self {
            LbType::Alb => &["HTTP", "HTTPS"],
            LbType::Nlb => &["TCP", "TLS", "UDP", "TCP_UDP"],
        }
    }
}

/// One subnet of the load balancer (Crossplane's `SubnetMapping`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetMapping {
    #[serde(rename = "subnetID")]
    pub subnet_id: String,
    #[serde(
        rename = "allocationID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allocation_id: Option<String>,
    #[serde(
        rename = "privateIPv4Address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ipv4_address: Option<String>,
    #[serde(
        rename = "iPv6Address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ipv6_address: Option<String>,
}

/// Where the in-cluster implementation puts the shadow Gateway's Service: `{name}` and
/// `{namespace}` in the values stand for the shadow Gateway's name and namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShadowService {
    pub selector: BTreeMap<String, String>,
    pub namespace: String,
    /// Istio names the Service after the shadow (the `name-override` annotation): that name
    /// is used until a Service with the labels is seen.
    pub by_name: bool,
}

/// A parsed, valid class configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassConfig {
    /// Where it came from (ConfigMap namespace/name).
    pub source: ObjectKey,
    pub in_cluster_class: String,
    /// How to find the shadow Gateway's Service.
    pub shadow_service: ShadowService,
    pub suffix: String,
    pub shadow_annotations: BTreeMap<String, String>,
    pub region: String,
    pub vpc_id: String,
    pub subnet_mappings: Vec<SubnetMapping>,
    pub security_groups: Vec<String>,
    pub scheme: String,
    pub lb_type: LbType,
    /// Gateway listener protocol → load balancer protocol.
    pub protocols: BTreeMap<String, String>,
    pub certificate_arn: Option<String>,
    pub health_check_port: String,
    pub health_check_path: String,
    pub tags: BTreeMap<String, String>,
    pub provider_config: Option<String>,
    pub family: Family,
    /// Upbound families: who may reach the load balancer.
    pub client_cidrs: Vec<String>,
    /// Upbound families: security groups to open to the load balancer's.
    pub target_security_groups: Vec<String>,
    /// Upbound families without target security groups: egress destinations.
    pub target_cidrs: Vec<String>,
}

const KEYS: &[&str] = &[
    "inClusterImplementation",
    "inClusterGatewayClassName",
    "shadowServiceSelector",
    "shadowServiceNamespace",
    "shadowNameSuffix",
    "shadowGatewayAnnotations",
    "region",
    "vpcID",
    "subnets",
    "subnetMappings",
    "securityGroups",
    "scheme",
    "loadBalancerType",
    "listenerProtocols",
    "certificateARN",
    "healthCheckPort",
    "healthCheckPath",
    "tags",
    "providerConfigName",
    "providerFamily",
    "clientCIDRs",
    "targetSecurityGroups",
    "targetCIDRs",
];

/// The class's configuration, or a message for its `Accepted=False` (`InvalidParameters`).
pub fn for_class(
    snapshot: &Snapshot,
    class: &GatewayClass,
    default_region: Option<&str>,
) -> Result<ClassConfig, ClassConfigError> {
    let Some(r) = &class.spec.parameters_ref else {
        return Err(ClassConfigError::NoParametersRef);
    };
    if !r.group.is_empty() || r.kind != "ConfigMap" {
        return Err(ClassConfigError::NotConfigMap {
            group: r.group.clone(),
            kind: r.kind.clone(),
        });
    }
    let Some(namespace) = r.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return Err(ClassConfigError::NoNamespace);
    };
    let key = ObjectKey::new(namespace, r.name.clone());
    let Some(config_map) = snapshot.config_maps.get(&key) else {
        return Err(ClassConfigError::NotFound(key));
    };
    let data = config_map.data.clone().unwrap_or_default();
    parse(key.clone(), &data, default_region).map_err(|error| ClassConfigError::Invalid {
        key,
        error: Box::new(error),
    })
}

/// Parses ConfigMap data; the message names the offending key.
pub fn parse(
    source: ObjectKey,
    data: &BTreeMap<String, String>,
    default_region: Option<&str>,
) -> Result<ClassConfig, ConfigError> {
    if let Some(unknown) = data.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ConfigError::UnknownKey {
            key: unknown.clone(),
            known: KEYS.join(", "),
        });
    }
    let get = |k: &str| data.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let lb_type = match get("loadBalancerType") {
        None => LbType::Alb,
        Some(v) if v.eq_ignore_ascii_case("alb") => LbType::Alb,
        Some(v) if v.eq_ignore_ascii_case("nlb") => LbType::Nlb,
        Some(v) => return Err(ConfigError::LoadBalancerType(v.to_string())),
    };
    let scheme = match get("scheme").unwrap_or("internal") {
        s @ ("internal" | "internet-facing") => s.to_string(),
        s => return Err(ConfigError::Scheme(s.to_string())),
    };
    let subnet_mappings = match (get("subnets"), get("subnetMappings")) {
        (Some(_), Some(_)) => return Err(ConfigError::SubnetsAndMappings),
        (None, None) => return Err(ConfigError::NoSubnets),
        (Some(list), None) => split_list(list)
            .map(|id| SubnetMapping {
                subnet_id: id.to_string(),
                allocation_id: None,
                private_ipv4_address: None,
                ipv6_address: None,
            })
            .collect(),
        (None, Some(json)) => serde_json::from_str::<Vec<SubnetMapping>>(json)
            .map_err(|e| ConfigError::SubnetMappings(e.to_string()))?,
    };
    if subnet_mappings.is_empty() {
        return Err(ConfigError::EmptySubnets);
    }
    let region = get("region")
        .or(default_region)
        .ok_or(ConfigError::NoRegion)?
        .to_string();
    let vpc_id = get("vpcID").ok_or(ConfigError::NoVpc)?.to_string();
    let protocols = match get("listenerProtocols") {
        Some(text) => parse_map("listenerProtocols", text)?,
        None => default_protocols(lb_type),
    };
    for (from, to) in &protocols {
        if !["HTTP", "HTTPS", "TLS", "TCP", "UDP"].contains(&from.as_str()) {
            return Err(ConfigError::ListenerProtocol(from.clone()));
        }
        if !lb_type.lb_protocols().contains(&to.as_str()) {
            return Err(ConfigError::LoadBalancerProtocol {
                from: from.clone(),
                to: to.clone(),
                lb_type: lb_type.crossplane_value(),
                served: lb_type.lb_protocols().join(", "),
            });
        }
    }
    let health_check_port = get("healthCheckPort").unwrap_or("15021");
    if health_check_port != "traffic-port" && !health_check_port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err(ConfigError::HealthCheckPort(health_check_port.to_string()));
    }
    let implementation = get("inClusterImplementation").unwrap_or("istio");
    let pairs = |p: &[(&str, &str)]| -> BTreeMap<String, String> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (default_annotations, default_selector, default_namespace, default_suffix) =
        match implementation {
            "istio" => (
                pairs(&[
                    ("gateway.istio.io/name-override", "{name}"),
                    ("networking.istio.io/service-type", "ClusterIP"),
                ]),
                Some(pairs(&[(
                    "gateway.networking.k8s.io/gateway-name",
                    "{name}",
                )])),
                "{namespace}",
                "-istio",
            ),
            "envoy-gateway" => (
                BTreeMap::new(),
                Some(pairs(&[
                    ("gateway.envoyproxy.io/owning-gateway-name", "{name}"),
                    (
                        "gateway.envoyproxy.io/owning-gateway-namespace",
                        "{namespace}",
                    ),
                ])),
                "envoy-gateway-system",
                "-envoy",
            ),
            "other" => (BTreeMap::new(), None, "{namespace}", "-inner"),
            other => {
                return Err(ConfigError::Implementation(other.to_string()));
            }
        };
    let shadow_annotations = match data.get("shadowGatewayAnnotations") {
        // Present but empty: the user wants no annotation at all.
        Some(text) => parse_map("shadowGatewayAnnotations", text)?,
        None => default_annotations,
    };
    let selector = match get("shadowServiceSelector") {
        Some(text) => parse_map("shadowServiceSelector", text)?,
        None => default_selector.ok_or(ConfigError::NoShadowServiceSelector)?,
    };
    let shadow_service = ShadowService {
        selector,
        namespace: get("shadowServiceNamespace")
            .unwrap_or(default_namespace)
            .to_string(),
        by_name: implementation == "istio",
    };
    let suffix = get("shadowNameSuffix").unwrap_or(default_suffix);
    if !suffix
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Err(ConfigError::ShadowNameSuffix(suffix.to_string()));
    }
    let family = match get("providerFamily") {
        None => Family::UpboundNamespaced,
        Some(v) => Family::parse(v).ok_or_else(|| {
            let known: Vec<&str> = Family::ALL.iter().map(|f| f.config_value()).collect();
            ConfigError::ProviderFamily {
                known: known.join(", "),
                value: v.to_string(),
            }
        })?,
    };
    let client_cidrs: Vec<String> = match get("clientCIDRs") {
        Some(list) => split_list(list).map(str::to_string).collect(),
        None if scheme == "internet-facing" => vec!["0.0.0.0/0".to_string()],
        None => ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
            .map(str::to_string)
            .to_vec(),
    };
    if let Some(bad) = client_cidrs.iter().find(|c| !is_cidr(c)) {
        return Err(ConfigError::NotCidr {
            key: "clientCIDRs",
            cidr: bad.clone(),
        });
    }
    let target_security_groups: Vec<String> = get("targetSecurityGroups")
        .map(|l| split_list(l).map(str::to_string).collect())
        .unwrap_or_default();
    let target_cidrs: Vec<String> = match get("targetCIDRs") {
        Some(list) => split_list(list).map(str::to_string).collect(),
        None => vec!["0.0.0.0/0".to_string()],
    };
    if let Some(bad) = target_cidrs.iter().find(|c| !is_cidr(c)) {
        return Err(ConfigError::NotCidr {
            key: "targetCIDRs",
            cidr: bad.clone(),
        });
    }
    if family == Family::Contrib
        && let Some(key) = ["clientCIDRs", "targetSecurityGroups", "targetCIDRs"]
            .into_iter()
            .find(|k| get(k).is_some())
    {
        return Err(ConfigError::NeedsUpbound(key));
    }
    Ok(ClassConfig {
        family,
        client_cidrs,
        target_security_groups,
        target_cidrs,
        source,
        in_cluster_class: get("inClusterGatewayClassName")
            .unwrap_or("istio")
            .to_string(),
        shadow_service,
        suffix: suffix.to_string(),
        shadow_annotations,
        region,
        vpc_id,
        subnet_mappings,
        security_groups: get("securityGroups")
            .map(|l| split_list(l).map(str::to_string).collect())
            .unwrap_or_default(),
        scheme,
        lb_type,
        protocols,
        certificate_arn: get("certificateARN").map(str::to_string),
        health_check_port: health_check_port.to_string(),
        health_check_path: get("healthCheckPath")
            .unwrap_or("/healthz/ready")
            .to_string(),
        tags: get("tags")
            .map(|t| parse_map("tags", t))
            .transpose()?
            .unwrap_or_default(),
        provider_config: get("providerConfigName").map(str::to_string),
    })
}

fn default_protocols(lb_type: LbType) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match lb_type {
        LbType::Alb => &[("HTTP", "HTTP"), ("HTTPS", "HTTPS")],
        // An NLB passes HTTP(S) through: the in-cluster gateway terminates it.
        LbType::Nlb => &[
            ("TCP", "TCP"),
            ("TLS", "TLS"),
            ("HTTP", "TCP"),
            ("HTTPS", "TCP"),
        ],
    };
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
