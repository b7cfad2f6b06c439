//! Why no target group is built for a backend.

use crate::status::reasons::Reason;
use gantry_snapshot::ObjectKey;
use thiserror::Error;

/// Why no target group is built for a resolved backend: the message of the route's
/// ResolvedRefs condition.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TargetGroupError {
    #[error(
        "Service {service} port {port} has no nodePort: instance targets need a Service of type NodePort or LoadBalancer (or set targetType: ip in a TargetGroupConfiguration)"
    )]
    NoNodePort { service: ObjectKey, port: i32 },
    #[error("targetControlPort needs target type ip and protocol HTTP or HTTPS")]
    TargetControlPort,
    #[error("target group {0:?} is managed outside gantry; no target group is built for it")]
    ManagedOutside(String),
    #[error("backend protocol must be HTTP or HTTPS behind an ALB, not {0}")]
    AlbProtocol(&'static str),
    #[error("backend protocol must be TCP, TLS, UDP or TCP_UDP behind an NLB, not {0}")]
    NlbProtocol(&'static str),
    #[error(
        "Service {service} port {port} has appProtocol kubernetes.io/h2c (HTTP/2 with prior knowledge): an ALB sends HTTP/2 to targets only for requests from HTTPS listeners, and this listener is {listener}"
    )]
    H2cBehindPlainListener {
        service: ObjectKey,
        port: i32,
        listener: &'static str,
    },
}

impl TargetGroupError {
    /// The reason of the route's `ResolvedRefs=False` condition.
    pub fn reason(&self) -> Reason {
        match self {
            // Gateway API (backend protocol selection): a backend the route cannot reach with
            // the protocol its Service port declares is invalid, reason UnsupportedProtocol.
            TargetGroupError::H2cBehindPlainListener { .. } => Reason::UnsupportedProtocol,
            _ => Reason::BackendNotFound,
        }
    }
}
