//! One view over every route kind, so that attachment, references and status are written once.
//!
//! Converters destructure the generated Gateway API structs into small domain values. Objects
//! from the API server and from manifests (see `gantry_manifests::apply_defaults`) carry the CRD
//! defaults already; the converters apply them again for objects built any other way.

// The converters share macros: `convert` comes first.
#[macro_use]
mod convert;
mod grpc;
mod http;
mod l4;

use gantry_api::gateway::GROUP;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::Serialize;
use std::fmt;

/// The route kinds gantry serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RouteKind {
    #[serde(rename = "HTTPRoute")]
    Http,
    #[serde(rename = "GRPCRoute")]
    Grpc,
    #[serde(rename = "TCPRoute")]
    Tcp,
    #[serde(rename = "UDPRoute")]
    Udp,
    #[serde(rename = "TLSRoute")]
    Tls,
}

impl RouteKind {
    pub const ALL: [RouteKind; 5] = [
        RouteKind::Http,
        RouteKind::Grpc,
        RouteKind::Tcp,
        RouteKind::Udp,
        RouteKind::Tls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
            RouteKind::Tls => "TLSRoute",
        }
    }

    pub fn parse(kind: &str) -> Option<RouteKind> {
        RouteKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Layer 7 kinds are served by ALBs, layer 4 kinds by NLBs.
    pub fn is_l7(self) -> bool {
        matches!(self, RouteKind::Http | RouteKind::Grpc)
    }

    /// Kinds whose hostnames take part in listener attachment.
    pub fn has_hostnames(self) -> bool {
        matches!(self, RouteKind::Http | RouteKind::Grpc | RouteKind::Tls)
    }
}

impl fmt::Display for RouteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route of any kind.
#[derive(Clone, Debug)]
pub struct Route {
    pub kind: RouteKind,
    pub key: ObjectKey,
    pub generation: i64,
    /// Creation time in nanoseconds since the epoch; `i128::MAX` when unknown (manifests),
    /// so that routes with a known age sort first and the rest by name.
    pub created: i128,
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<RouteRule>,
}

impl Route {
    /// `<Kind> <namespace>/<name>`, as used in messages.
    pub fn display(&self) -> String {
        format!("{} {}", self.kind, self.key)
    }
}

/// A parentRef with its defaults applied; `original` is the spec entry as the API server stores
/// it, echoed back in `status.parents[].parentRef`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParentRef {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub section_name: Option<String>,
    pub port: Option<i32>,
    pub original: OriginalParentRef,
}

/// A parentRef of the route spec as the API server stores it: as written, with the schema's
/// `group` and `kind` defaults filled in (`namespace` has no schema default and stays unset).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginalParentRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

impl ParentRef {
    fn new(
        route_namespace: &str,
        group: Option<String>,
        kind: Option<String>,
        namespace: Option<String>,
        name: String,
        section_name: Option<String>,
        port: Option<i32>,
    ) -> Self {
        let group = group.unwrap_or_else(|| GROUP.to_string());
        let kind = kind.unwrap_or_else(|| "Gateway".to_string());
        ParentRef {
            group: group.clone(),
            kind: kind.clone(),
            namespace: namespace
                .clone()
                .unwrap_or_else(|| route_namespace.to_string()),
            name: name.clone(),
            section_name: section_name.clone(),
            port,
            original: OriginalParentRef {
                group: Some(group),
                kind: Some(kind),
                name,
                namespace,
                port,
                section_name,
            },
        }
    }

    /// Whether this parentRef names the Gateway `gateway`.
    pub fn targets_gateway(&self, gateway: &ObjectKey) -> bool {
        self.group == GROUP
            && self.kind == "Gateway"
            && self.namespace == gateway.namespace
            && self.name == gateway.name
    }
}

/// One rule of a route.
#[derive(Clone, Debug, Default)]
pub struct RouteRule {
    /// Empty for L4 routes and for GRPCRoute rules without matches.
    pub matches: Vec<RouteMatch>,
    pub backend_refs: Vec<BackendRef>,
    pub filters: Vec<Filter>,
    /// Rule fields the ALB/NLB cannot express (timeouts, retry, session persistence, …).
    pub unsupported: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMatch {
    Http(HttpMatch),
    Grpc(GrpcMatch),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
}

/// A header (or query parameter) whose value is `value`, or matches it as a regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMatch {
    pub name: String,
    pub value: String,
    pub regex: bool,
}

/// Query parameters match as headers do: by name, a value exactly or by regex.
pub type QueryParamMatch = HeaderMatch;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpMatch {
    pub path: Option<PathMatch>,
    pub headers: Vec<HeaderMatch>,
    pub query_params: Vec<QueryParamMatch>,
    pub method: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrpcMatch {
    pub service: Option<String>,
    pub method: Option<String>,
    pub regex: bool,
    pub headers: Vec<HeaderMatch>,
}

/// A backendRef with its defaults applied (kind Service, the route's namespace, weight 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendRef {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub port: Option<i32>,
    pub weight: i32,
    /// backendRef-level filters, which neither ALB nor NLB can apply per target group.
    pub filter_types: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    ExtensionRef {
        group: String,
        kind: String,
        name: String,
    },
    RequestRedirect(Redirect),
    UrlRewrite {
        hostname: Option<String>,
        path: Option<PathModifier>,
    },
    /// A filter type gantry cannot express on an ALB, by its Gateway API name.
    Unsupported(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub scheme: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<i32>,
    pub path: Option<PathModifier>,
    pub status_code: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathModifier {
    ReplaceFullPath(String),
    ReplacePrefixMatch(String),
}

/// Every route of every kind in the snapshot, in (kind, namespace, name) order.
pub fn all_routes(snapshot: &Snapshot) -> Vec<Route> {
    let mut out = Vec::new();
    out.extend(snapshot.http_routes.values().map(|r| http::http_route(r)));
    out.extend(snapshot.grpc_routes.values().map(|r| grpc::grpc_route(r)));
    out.extend(snapshot.tcp_routes.values().map(|r| l4::tcp_route(r)));
    out.extend(snapshot.udp_routes.values().map(|r| l4::udp_route(r)));
    out.extend(snapshot.tls_routes.values().map(|r| l4::tls_route(r)));
    out
}
