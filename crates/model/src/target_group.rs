use crate::{ArnRef, Attribute, Protocol, Tags};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    Instance,
    Ip,
    Alb,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Instance => "instance",
            TargetType::Ip => "ip",
            TargetType::Alb => "alb",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ProtocolVersion {
    Http1,
    Http2,
    Grpc,
}

impl ProtocolVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::Http1 => "HTTP1",
            ProtocolVersion::Http2 => "HTTP2",
            ProtocolVersion::Grpc => "GRPC",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetIpAddressType {
    Ipv4,
    Ipv6,
}

/// A target group, shaped as ELBv2 `CreateTargetGroup` input plus what gantry needs to
/// register its targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    /// Resource id within the stack:
    /// `<gwNs>/<gwName>:<routeNs>-<routeName>:<RouteKind>-<backendNs>-<backendName>:<port>`.
    pub id: String,
    pub name: String,
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<ProtocolVersion>,
    pub port: i32,
    pub target_type: TargetType,
    pub ip_address_type: TargetIpAddressType,
    pub health_check: HealthCheck,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_control_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    pub tags: Tags,
    /// The Kubernetes object whose endpoints become the targets.
    #[serde(rename = "backend")]
    pub backend: Backend,
    /// Instance targets: only nodes matching this selector (TargetGroupConfiguration
    /// `nodeSelector`). Not sent to AWS.
    #[serde(
        rename = "nodeSelector",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub node_selector: Option<NodeSelector>,
}

/// A Kubernetes label selector over nodes, kept as plain data (the model has no Kubernetes
/// types). Empty matches every node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelector {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry: `operator` is `In`, `NotIn`, `Exists` or `DoesNotExist`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// One registered target (`TargetDescription`): an instance id or IP address and the port
/// traffic is sent to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub id: String,
    pub port: i32,
}

/// What the load balancer says of one registered target (`DescribeTargetHealth`): the state
/// (`initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`…) and, unless it
/// is healthy, why (`Target.ResponseCodeMismatch`…) in a code and a sentence.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealth {
    pub target: Target,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl TargetHealth {
    pub fn is_healthy(&self) -> bool {
        self.state == "healthy"
    }
}

/// Health check settings of a target group (`HealthCheck*` fields of the API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheck {
    #[serde(rename = "HealthCheckProtocol")]
    pub protocol: Protocol,
    /// A port number or `traffic-port`.
    #[serde(rename = "HealthCheckPort")]
    pub port: String,
    #[serde(
        rename = "HealthCheckPath",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub path: Option<String>,
    #[serde(rename = "HealthCheckIntervalSeconds")]
    pub interval_seconds: i32,
    #[serde(rename = "HealthCheckTimeoutSeconds")]
    pub timeout_seconds: i32,
    pub healthy_threshold_count: i32,
    pub unhealthy_threshold_count: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Matcher>,
}

impl HealthCheck {
    /// The port value that means "the port traffic is sent to".
    pub const TRAFFIC_PORT: &'static str = "traffic-port";

    /// A health check no configuration changed, as the AWS Load Balancer Controller sets it: on
    /// the traffic port every 15 s, 5 s timeout, 3 results to change state; HTTP(S) checks ask
    /// `/` for 200-399, or for gRPC `/AWS.ALB/healthcheck` for gRPC code 12.
    pub fn defaults(protocol: Protocol, grpc: bool) -> HealthCheck {
        let http = matches!(protocol, Protocol::Http | Protocol::Https);
        let (path, matcher) = match (http, grpc) {
            (false, _) => (None, None),
            (true, false) => (Some("/"), Some(Matcher::http("200-399"))),
            (true, true) => (Some("/AWS.ALB/healthcheck"), Some(Matcher::grpc("12"))),
        };
        HealthCheck {
            protocol,
            port: HealthCheck::TRAFFIC_PORT.to_string(),
            path: path.map(str::to_string),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold_count: 3,
            unhealthy_threshold_count: 3,
            matcher,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Matcher {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc_code: Option<String>,
}

impl Matcher {
    /// HTTP codes only, e.g. `200-399`.
    pub fn http(codes: &str) -> Matcher {
        Matcher {
            http_code: Some(codes.to_string()),
            grpc_code: None,
        }
    }

    /// gRPC codes only, e.g. `12`.
    pub fn grpc(codes: &str) -> Matcher {
        Matcher {
            http_code: None,
            grpc_code: Some(codes.to_string()),
        }
    }
}

/// What a target group's targets come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    /// `Service`, `Gateway` (chaining: the target is that Gateway's ALB) or
    /// [`Backend::NONE`] (never any target: the load balancer answers 503).
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The backendRef's port (the Service port, or the ALB listener port).
    pub port: i32,
    /// Gateway chaining: the ALB to register as the only target. `Existing` once the ALB
    /// Gateway's status reports its ARN, else the ALB stack's planned load balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<ArnRef>,
}

impl Backend {
    /// The kind of a target group's backend that never has targets: it stands for the
    /// backendRefs of a rule that do not resolve, whose share of requests must fail.
    pub const NONE: &'static str = "None";

    /// The backend of a target group that never holds targets.
    pub fn none(port: i32) -> Backend {
        Backend {
            kind: Backend::NONE.to_string(),
            namespace: String::new(),
            name: String::new(),
            port,
            load_balancer: None,
        }
    }

    /// Whether this target group must never hold targets.
    pub fn is_none(&self) -> bool {
        self.kind == Backend::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_health_checks_get_a_path_and_a_matcher() {
        let tcp = HealthCheck::defaults(Protocol::Tcp, false);
        assert_eq!((tcp.path, tcp.matcher), (None, None));
        assert_eq!(tcp.port, HealthCheck::TRAFFIC_PORT);
        let http = HealthCheck::defaults(Protocol::Https, false);
        assert_eq!(http.path.as_deref(), Some("/"));
        assert_eq!(http.matcher, Some(Matcher::http("200-399")));
        let grpc = HealthCheck::defaults(Protocol::Http, true);
        assert_eq!(grpc.path.as_deref(), Some("/AWS.ALB/healthcheck"));
        assert_eq!(grpc.matcher, Some(Matcher::grpc("12")));
    }
}
