use crate::{Action, LoadBalancer, ManagedSecurityGroup, RuleCondition, TargetGroup, Transform};
use crate::{ArnRef, Attribute, Tags};
use serde::{Deserialize, Serialize};

/// Everything gantry wants to exist in AWS for one Gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    /// `<namespace>/<name>` of the Gateway; the value of the stack ownership tag.
    pub gateway: String,
    pub load_balancer: LoadBalancer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<ManagedSecurityGroup>,
    pub listeners: Vec<Listener>,
    pub target_groups: Vec<TargetGroup>,
    /// Other stacks (Gateways, `ns/name`) that must exist before this one can be deployed:
    /// an NLB chained to an ALB registers the ALB's ARN as a target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl Stack {
    pub fn listener(&self, port: i32) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.port == port)
    }
    pub fn target_group(&self, id: &str) -> Option<&TargetGroup> {
        self.target_groups.iter().find(|t| t.id == id)
    }
    /// Every target group a listener's default actions or rules forward to.
    pub fn forwarded_target_groups(&self) -> impl Iterator<Item = &ArnRef> {
        self.listeners.iter().flat_map(|l| {
            l.default_actions
                .iter()
                .chain(l.rules.iter().flat_map(|r| r.actions.iter()))
                .flat_map(|a| a.target_groups())
        })
    }
    /// Whether some listener forwards to a target group by its name (a `TargetGroupName`
    /// backendRef), which only the deployer can look up.
    pub fn forwards_by_name(&self) -> bool {
        self.forwarded_target_groups()
            .any(|t| matches!(t, ArnRef::TargetGroupName(_)))
    }
}

/// Listener protocols of ALBs and NLBs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Protocol {
    Http,
    Https,
    Tcp,
    Udp,
    Tls,
    TcpUdp,
    Quic,
    TcpQuic,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Tls => "TLS",
            Protocol::TcpUdp => "TCP_UDP",
            Protocol::Quic => "QUIC",
            Protocol::TcpQuic => "TCP_QUIC",
        }
    }
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s.to_ascii_uppercase().as_str() {
            "HTTP" => Protocol::Http,
            "HTTPS" => Protocol::Https,
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "TLS" => Protocol::Tls,
            "TCP_UDP" => Protocol::TcpUdp,
            "QUIC" => Protocol::Quic,
            "TCP_QUIC" => Protocol::TcpQuic,
            _ => return None,
        })
    }
    /// Protocols whose listeners need certificates.
    pub fn is_secure(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }
}

/// An ELBv2 listener and (ALB only) its rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    /// Resource id within the stack: the port number.
    pub id: String,
    pub port: i32,
    pub protocol: Protocol,
    pub default_actions: Vec<Action>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
    /// With no configured certificate: the hostnames (listener and route hostnames on the
    /// port) whose certificates the deployer looks up in ACM. Not an ELBv2 field.
    #[serde(
        rename = "CertificateDiscovery",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub certificate_hostnames: Vec<String>,
    /// Certificates from the Gateway listeners' `tls.certificateRefs` (Kubernetes Secrets),
    /// in order; the deployer imports each into ACM once and adds its ARN after
    /// `certificates`. Not an ELBv2 field.
    #[serde(
        rename = "CertificateSecrets",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub certificate_secrets: Vec<SecretCertificate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpn_policy: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutual_authentication: Option<MutualAuthentication>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Rules in priority order (ALB only).
    #[serde(rename = "rules", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

/// A listener certificate. The first one of a listener is its default certificate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Certificate {
    pub certificate_arn: String,
}

/// A certificate held in a Kubernetes Secret (`kubernetes.io/tls`), named by the Secret and
/// the SHA-256 fingerprint of its leaf certificate: a new fingerprint is a rotation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecretCertificate {
    /// `<namespace>/<name>` of the Secret.
    pub secret: String,
    /// Lower-case hex SHA-256 of the leaf certificate's DER.
    pub fingerprint: String,
}

/// Mutual TLS settings of an HTTPS listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MutualAuthentication {
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_store_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_client_certificate_expiry: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertise_trust_store_ca_names: Option<String>,
}

/// An ALB listener rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// 1…N within the listener, dense, in Gateway API precedence order.
    pub priority: u32,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transforms: Vec<Transform>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Where the rule comes from, for people reading the plan; not sent to AWS.
    #[serde(rename = "source")]
    pub source: RuleSource,
}

/// The route rule and match a listener rule was generated from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSource {
    /// `<Kind> <namespace>/<name>`; for the 404 rule that keeps a hostname listener's
    /// requests from less specific listeners on the same port (listener isolation),
    /// `Gateway <namespace>/<name> listener <listener name>`.
    pub route: String,
    pub rule: usize,
    /// None for a rule without matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<usize>,
}

/// `<route> rule <n>[ match <m>]`, as the plan's readers see it.
impl std::fmt::Display for RuleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} rule {}", self.route, self.rule)?;
        match self.r#match {
            Some(m) => write!(f, " match {m}"),
            None => Ok(()),
        }
    }
}
