//! The configuration of a tiered GatewayClass: a ConfigMap named by the class's
//! `parametersRef` (`group: ""`, `kind: ConfigMap`, namespace required).
//!
//! Every value is a string (ConfigMap `data`). Lists are separated by commas or newlines;
//! maps are `key=value` entries separated the same way. Unknown keys are refused, so that a
//! typo is reported instead of silently falling back to a default.
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `inClusterGatewayClassName` | class of the shadow Gateway | `istio` |
//! | `shadowNameSuffix` | appended to the names of the shadow Gateway and routes | `-istio` |
//! | `shadowGatewayAnnotations` | map; annotations of the shadow Gateway, `{name}` in a value is replaced by the shadow's name | `gateway.istio.io/name-override={name}, networking.istio.io/service-type=ClusterIP` |
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
//!
//! The defaults of `shadowGatewayAnnotations` make Istio name its Service after the shadow
//! Gateway (the TargetGroupBinding's `serviceRef` relies on that) and keep that Service
//! `ClusterIP`, so that no second cloud load balancer is created for it.

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

/// A parsed, valid class configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassConfig {
    /// Where it came from (ConfigMap namespace/name).
    pub source: ObjectKey,
    pub in_cluster_class: String,
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
}

const KEYS: &[&str] = &[
    "inClusterGatewayClassName",
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
];

/// The class's configuration, or a message for its `Accepted=False` (`InvalidParameters`).
pub fn for_class(
    snapshot: &Snapshot,
    class: &GatewayClass,
    default_region: Option<&str>,
) -> Result<ClassConfig, String> {
    let Some(r) = &class.spec.parameters_ref else {
        return Err(
            "parametersRef is required: it names the ConfigMap holding the tiered configuration (subnets, vpcID, region, ...)".to_string(),
        );
    };
    if !r.group.is_empty() || r.kind != "ConfigMap" {
        return Err(format!(
            "parametersRef must name a core ConfigMap (group \"\", kind ConfigMap), not {}/{}",
            r.group, r.kind
        ));
    }
    let Some(namespace) = r.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return Err("parametersRef.namespace is required for a ConfigMap".to_string());
    };
    let key = ObjectKey::new(namespace, r.name.clone());
    let Some(config_map) = snapshot.config_maps.get(&key) else {
        return Err(format!("ConfigMap {key} not found"));
    };
    let data = config_map.data.clone().unwrap_or_default();
    parse(key.clone(), &data, default_region).map_err(|m| format!("ConfigMap {key}: {m}"))
}

/// Parses ConfigMap data; the message names the offending key.
pub fn parse(
    source: ObjectKey,
    data: &BTreeMap<String, String>,
    default_region: Option<&str>,
) -> Result<ClassConfig, String> {
    if let Some(unknown) = data.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {unknown}; known keys are {}",
            KEYS.join(", ")
        ));
    }
    let get = |k: &str| data.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let lb_type = match get("loadBalancerType") {
        None => LbType::Alb,
        Some(v) if v.eq_ignore_ascii_case("alb") => LbType::Alb,
        Some(v) if v.eq_ignore_ascii_case("nlb") => LbType::Nlb,
        Some(v) => return Err(format!("loadBalancerType must be ALB or NLB, not {v}")),
    };
    let scheme = match get("scheme").unwrap_or("internal") {
        s @ ("internal" | "internet-facing") => s.to_string(),
        s => {
            return Err(format!(
                "scheme must be internal or internet-facing, not {s}"
            ));
        }
    };
    let subnet_mappings = match (get("subnets"), get("subnetMappings")) {
        (Some(_), Some(_)) => return Err("set either subnets or subnetMappings, not both".into()),
        (None, None) => return Err("subnets (or subnetMappings) is required".into()),
        (Some(list), None) => split_list(list)
            .map(|id| SubnetMapping {
                subnet_id: id.to_string(),
                allocation_id: None,
                private_ipv4_address: None,
                ipv6_address: None,
            })
            .collect(),
        (None, Some(json)) => serde_json::from_str::<Vec<SubnetMapping>>(json)
            .map_err(|e| format!("subnetMappings is not a JSON list of subnet mappings: {e}"))?,
    };
    if subnet_mappings.is_empty() {
        return Err("subnets lists no subnet".into());
    }
    let region = get("region")
        .or(default_region)
        .ok_or("region is required (or set the controller's AWS region)")?
        .to_string();
    let vpc_id = get("vpcID")
        .ok_or("vpcID is required: target groups are created in that VPC")?
        .to_string();
    let protocols = match get("listenerProtocols") {
        Some(text) => parse_map("listenerProtocols", text)?,
        None => default_protocols(lb_type),
    };
    for (from, to) in &protocols {
        if !["HTTP", "HTTPS", "TLS", "TCP", "UDP"].contains(&from.as_str()) {
            return Err(format!(
                "listenerProtocols: {from} is not a Gateway listener protocol (HTTP, HTTPS, TLS, TCP, UDP)"
            ));
        }
        if !lb_type.lb_protocols().contains(&to.as_str()) {
            return Err(format!(
                "listenerProtocols: {from}={to}, but {} load balancers serve {}",
                lb_type.crossplane_value(),
                lb_type.lb_protocols().join(", ")
            ));
        }
    }
    let health_check_port = get("healthCheckPort").unwrap_or("15021");
    if health_check_port != "traffic-port" && !health_check_port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err(format!(
            "healthCheckPort must be a port number or traffic-port, not {health_check_port}"
        ));
    }
    let shadow_annotations = match data.get("shadowGatewayAnnotations") {
        // Present but empty: the user wants no annotation at all.
        Some(text) => parse_map("shadowGatewayAnnotations", text)?,
        None => [
            ("gateway.istio.io/name-override", "{name}"),
            ("networking.istio.io/service-type", "ClusterIP"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    let suffix = get("shadowNameSuffix").unwrap_or("-istio");
    if !suffix
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Err(format!(
            "shadowNameSuffix must be lowercase letters, digits, '-' or '.', not {suffix}"
        ));
    }
    Ok(ClassConfig {
        source,
        in_cluster_class: get("inClusterGatewayClassName")
            .unwrap_or("istio")
            .to_string(),
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

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn parse_map(key: &str, text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for entry in split_list(text) {
        let Some((k, v)) = entry.split_once('=') else {
            return Err(format!("{key}: entry {entry:?} is not key=value"));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(format!("{key}: entry {entry:?} has an empty key"));
        }
        if out.insert(k.to_string(), v.trim().to_string()).is_some() {
            return Err(format!("{key}: {k} is given twice"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn minimal() -> Vec<(&'static str, &'static str)> {
        vec![("subnets", "subnet-1, subnet-2"), ("vpcID", "vpc-1")]
    }

    fn parse_pairs(pairs: &[(&str, &str)]) -> Result<ClassConfig, String> {
        parse(ObjectKey::new("ns", "cfg"), &data(pairs), Some("eu-west-1"))
    }

    #[test]
    fn minimal_configuration_gets_the_documented_defaults() {
        let c = parse_pairs(&minimal()).expect("valid");
        assert_eq!(c.in_cluster_class, "istio");
        assert_eq!(c.suffix, "-istio");
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.scheme, "internal");
        assert_eq!(c.lb_type, LbType::Alb);
        assert_eq!(c.protocols, data(&[("HTTP", "HTTP"), ("HTTPS", "HTTPS")]));
        assert_eq!(c.health_check_port, "15021");
        assert_eq!(c.health_check_path, "/healthz/ready");
        assert_eq!(
            c.subnet_mappings
                .iter()
                .map(|m| m.subnet_id.as_str())
                .collect::<Vec<_>>(),
            ["subnet-1", "subnet-2"]
        );
        assert_eq!(
            c.shadow_annotations.get("gateway.istio.io/name-override"),
            Some(&"{name}".to_string())
        );
    }

    #[test]
    fn every_key_is_read() {
        let mut pairs = vec![
            ("inClusterGatewayClassName", "envoy"),
            ("shadowNameSuffix", "-inner"),
            ("shadowGatewayAnnotations", "a=1\nb = 2"),
            ("region", "us-east-1"),
            ("vpcID", "vpc-9"),
            (
                "subnetMappings",
                r#"[{"subnetID": "s-1", "allocationID": "eip-1"}]"#,
            ),
            ("securityGroups", "sg-1,sg-2"),
            ("scheme", "internet-facing"),
            ("loadBalancerType", "nlb"),
            ("listenerProtocols", "TCP=TCP_UDP, HTTP=TCP"),
            ("certificateARN", "arn:aws:acm:cert"),
            ("healthCheckPort", "traffic-port"),
            ("healthCheckPath", "/ready"),
            ("tags", "team=foo,env=prod"),
            ("providerConfigName", "aws"),
        ];
        // subnets excludes subnetMappings; the other tests cover it.
        assert_eq!(pairs.len() + 1, KEYS.len(), "a test row per documented key");
        let c = parse_pairs(&pairs).expect("valid");
        assert_eq!(c.in_cluster_class, "envoy");
        assert_eq!(c.suffix, "-inner");
        assert_eq!(c.shadow_annotations, data(&[("a", "1"), ("b", "2")]));
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.subnet_mappings[0].allocation_id.as_deref(), Some("eip-1"));
        assert_eq!(c.security_groups, ["sg-1", "sg-2"]);
        assert_eq!(c.lb_type, LbType::Nlb);
        assert_eq!(c.protocols, data(&[("TCP", "TCP_UDP"), ("HTTP", "TCP")]));
        assert_eq!(c.tags, data(&[("team", "foo"), ("env", "prod")]));
        assert_eq!(c.provider_config.as_deref(), Some("aws"));
        // An empty annotation map turns the defaults off.
        pairs[2] = ("shadowGatewayAnnotations", "");
        assert!(
            parse_pairs(&pairs)
                .expect("valid")
                .shadow_annotations
                .is_empty()
        );
    }

    #[test]
    fn invalid_values_name_the_key() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("vpcID", "vpc-1")],
                "subnets (or subnetMappings) is required",
            ),
            (&[("subnets", "s-1")], "vpcID is required"),
            (
                &[("subnets", " , "), ("vpcID", "v")],
                "subnets lists no subnet",
            ),
            (
                &[("subnets", "s"), ("subnetMappings", "[]"), ("vpcID", "v")],
                "either subnets or subnetMappings",
            ),
            (
                &[("subnetMappings", r#"[{"subnet": "s"}]"#), ("vpcID", "v")],
                "subnetMappings is not a JSON list",
            ),
            (&[("subnet", "s-1")], "unknown key subnet"),
        ];
        for (pairs, want) in cases {
            let err = parse_pairs(pairs).expect_err("invalid");
            assert!(err.contains(want), "{pairs:?}: {err}");
        }
        let with = |k: &'static str, v: &'static str| {
            let mut p = minimal();
            p.push((k, v));
            parse_pairs(&p).expect_err("invalid")
        };
        assert!(with("scheme", "public").contains("scheme must be"));
        assert!(with("loadBalancerType", "GLB").contains("ALB or NLB"));
        assert!(with("listenerProtocols", "HTTP=TCP").contains("application load balancers serve"));
        assert!(with("listenerProtocols", "GRPC=HTTP").contains("not a Gateway listener protocol"));
        assert!(with("listenerProtocols", "HTTP").contains("not key=value"));
        assert!(with("tags", "a=1,a=2").contains("a is given twice"));
        assert!(with("healthCheckPort", "0").contains("healthCheckPort"));
        assert!(with("shadowNameSuffix", "_X").contains("shadowNameSuffix"));
    }

    #[test]
    fn region_comes_from_the_settings_when_the_config_has_none() {
        let err =
            parse(ObjectKey::new("ns", "cfg"), &data(&minimal()), None).expect_err("no region");
        assert!(err.contains("region is required"), "{err}");
    }
}
