//! One view over every route kind, so that attachment, references and status are written once.
//!
//! Converters destructure the generated Gateway API structs into small domain values. Objects
//! from the API server and from manifests (see `gantry_manifests::apply_defaults`) carry the CRD
//! defaults already; the converters apply them again for objects built any other way.

use gantry_api::gateway::{self as gw, GROUP};
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMatch {
    pub name: String,
    pub value: String,
    pub regex: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryParamMatch {
    pub name: String,
    pub value: String,
    pub regex: bool,
}

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
    out.extend(snapshot.http_routes.values().map(|r| http_route(r)));
    out.extend(snapshot.grpc_routes.values().map(|r| grpc_route(r)));
    out.extend(snapshot.tcp_routes.values().map(|r| tcp_route(r)));
    out.extend(snapshot.udp_routes.values().map(|r| udp_route(r)));
    out.extend(snapshot.tls_routes.values().map(|r| tls_route(r)));
    out
}

fn meta_of(meta: &gantry_api::k8s::ObjectMeta) -> (ObjectKey, i64, i128) {
    (
        ObjectKey::of(meta),
        meta.generation.unwrap_or(0),
        meta.creation_timestamp
            .as_ref()
            .map(|t| t.0.as_nanosecond())
            .unwrap_or(i128::MAX),
    )
}

macro_rules! parent_refs {
    ($refs:expr, $ns:expr) => {
        $refs
            .iter()
            .flatten()
            .map(|p| {
                ParentRef::new(
                    $ns,
                    p.group.clone(),
                    p.kind.clone(),
                    p.namespace.clone(),
                    p.name.clone(),
                    p.section_name.clone(),
                    p.port,
                )
            })
            .collect()
    };
}

macro_rules! backend_ref {
    ($b:expr, $ns:expr, $filters:expr) => {
        BackendRef {
            group: $b.group.clone().unwrap_or_default(),
            kind: $b.kind.clone().unwrap_or_else(|| "Service".to_string()),
            namespace: $b.namespace.clone().unwrap_or_else(|| $ns.to_string()),
            name: $b.name.clone(),
            port: $b.port,
            weight: $b.weight.unwrap_or(1),
            filter_types: $filters,
        }
    };
}

fn http_route(route: &gw::HttpRoute) -> Route {
    let (key, generation, created) = meta_of(&route.metadata);
    let ns = key.namespace.as_str();
    let spec = &route.spec;
    let rules = spec
        .rules
        .iter()
        .flatten()
        .map(|rule| http_rule(rule, ns))
        .collect();
    let parent_refs = parent_refs!(spec.parent_refs, ns);
    Route {
        kind: RouteKind::Http,
        key,
        generation,
        created,
        parent_refs,
        hostnames: spec.hostnames.clone().unwrap_or_default(),
        rules,
    }
}

fn http_rule(rule: &gw::HttpRouteRules, ns: &str) -> RouteRule {
    let gw::HttpRouteRules {
        backend_refs,
        filters,
        matches,
        name: _,
        retry,
        session_persistence,
        timeouts,
    } = rule;
    let mut unsupported = Vec::new();
    if retry.is_some() {
        unsupported.push("retry".to_string());
    }
    if session_persistence.is_some() {
        unsupported.push("sessionPersistence".to_string());
    }
    if timeouts.is_some() {
        unsupported.push("timeouts".to_string());
    }
    // The CRD defaults an absent match list to one PathPrefix "/" match.
    let matches: Vec<RouteMatch> = match matches {
        Some(m) if !m.is_empty() => m.iter().map(http_match).collect(),
        _ => vec![RouteMatch::Http(HttpMatch {
            path: Some(PathMatch::Prefix("/".to_string())),
            headers: vec![],
            query_params: vec![],
            method: None,
        })],
    };
    RouteRule {
        matches,
        backend_refs: backend_refs
            .iter()
            .flatten()
            .map(|b| {
                let filters = b
                    .filters
                    .iter()
                    .flatten()
                    .map(|f| enum_name(&f.r#type))
                    .collect();
                backend_ref!(b, ns, filters)
            })
            .collect(),
        filters: filters.iter().flatten().map(http_filter).collect(),
        unsupported,
    }
}

fn http_match(m: &gw::HttpRouteRulesMatches) -> RouteMatch {
    let gw::HttpRouteRulesMatches {
        headers,
        method,
        path,
        query_params,
    } = m;
    let path = match path {
        None => Some(PathMatch::Prefix("/".to_string())),
        Some(p) => {
            let value = p.value.clone().unwrap_or_else(|| "/".to_string());
            Some(match p.r#type {
                Some(gw::HttpRouteRulesMatchesPathType::Exact) => PathMatch::Exact(value),
                Some(gw::HttpRouteRulesMatchesPathType::RegularExpression) => {
                    PathMatch::Regex(value)
                }
                Some(gw::HttpRouteRulesMatchesPathType::PathPrefix) | None => {
                    PathMatch::Prefix(value)
                }
            })
        }
    };
    RouteMatch::Http(HttpMatch {
        path,
        headers: first_of_each_header(headers.iter().flatten().map(|h| HeaderMatch {
            name: h.name.clone(),
            value: h.value.clone(),
            regex: matches!(
                h.r#type,
                Some(gw::HttpRouteRulesMatchesHeadersType::RegularExpression)
            ),
        })),
        // Query param names are exact strings (HTTPQueryParamMatch.name): only the first of
        // equal names counts.
        query_params: first_of_each(
            query_params.iter().flatten().map(|q| QueryParamMatch {
                name: q.name.clone(),
                value: q.value.clone(),
                regex: matches!(
                    q.r#type,
                    Some(gw::HttpRouteRulesMatchesQueryParamsType::RegularExpression)
                ),
            }),
            |a, b| a.name == b.name,
        ),
        method: method.as_ref().map(enum_name),
    })
}

/// HTTPHeaderMatch.name: "If multiple entries specify equivalent header names, only the first
/// entry with an equivalent name MUST be considered for a match. Subsequent entries with an
/// equivalent header name MUST be ignored." Header names are case-insensitive.
fn first_of_each_header(list: impl Iterator<Item = HeaderMatch>) -> Vec<HeaderMatch> {
    first_of_each(list, |a, b| a.name.eq_ignore_ascii_case(&b.name))
}

fn first_of_each<T>(list: impl Iterator<Item = T>, same: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in list {
        if !out.iter().any(|kept| same(kept, &item)) {
            out.push(item);
        }
    }
    out
}

fn http_filter(f: &gw::HttpRouteRulesFilters) -> Filter {
    use gw::HttpRouteRulesFiltersType as T;
    match f.r#type {
        T::ExtensionRef => match &f.extension_ref {
            Some(e) => Filter::ExtensionRef {
                group: e.group.clone(),
                kind: e.kind.clone(),
                name: e.name.clone(),
            },
            None => Filter::Unsupported("ExtensionRef without extensionRef".to_string()),
        },
        T::RequestRedirect => match &f.request_redirect {
            Some(r) => Filter::RequestRedirect(Redirect {
                scheme: r.scheme.as_ref().map(|s| enum_name(s).to_ascii_lowercase()),
                hostname: r.hostname.clone(),
                port: r.port,
                path: r.path.as_ref().and_then(|p| {
                    path_modifier(
                        matches!(
                            p.r#type,
                            gw::HttpRouteRulesFiltersRequestRedirectPathType::ReplaceFullPath
                        ),
                        &p.replace_full_path,
                        &p.replace_prefix_match,
                    )
                }),
                status_code: r.status_code,
            }),
            None => Filter::Unsupported("RequestRedirect without requestRedirect".to_string()),
        },
        T::UrlRewrite => match &f.url_rewrite {
            Some(r) => Filter::UrlRewrite {
                hostname: r.hostname.clone(),
                path: r.path.as_ref().and_then(|p| {
                    path_modifier(
                        matches!(
                            p.r#type,
                            gw::HttpRouteRulesFiltersUrlRewritePathType::ReplaceFullPath
                        ),
                        &p.replace_full_path,
                        &p.replace_prefix_match,
                    )
                }),
            },
            None => Filter::Unsupported("URLRewrite without urlRewrite".to_string()),
        },
        ref other => Filter::Unsupported(filter_type_name(&enum_name(other))),
    }
}

fn path_modifier(
    full: bool,
    replace_full_path: &Option<String>,
    replace_prefix_match: &Option<String>,
) -> Option<PathModifier> {
    if full {
        replace_full_path.clone().map(PathModifier::ReplaceFullPath)
    } else {
        replace_prefix_match
            .clone()
            .map(PathModifier::ReplacePrefixMatch)
    }
}

/// Gateway API spells some filter types differently from the generated enum variants.
fn filter_type_name(variant: &str) -> String {
    match variant {
        "UrlRewrite" => "URLRewrite".to_string(),
        "Cors" => "CORS".to_string(),
        other => other.to_string(),
    }
}

/// The wire name of a generated enum value.
fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn grpc_route(route: &gw::GrpcRoute) -> Route {
    let (key, generation, created) = meta_of(&route.metadata);
    let ns = key.namespace.clone();
    let spec = &route.spec;
    let rules = spec
        .rules
        .iter()
        .flatten()
        .map(|rule| {
            let gw::GrpcRouteRules {
                backend_refs,
                filters,
                matches,
                name: _,
                session_persistence,
            } = rule;
            let mut unsupported = Vec::new();
            if session_persistence.is_some() {
                unsupported.push("sessionPersistence".to_string());
            }
            RouteRule {
                matches: matches
                    .iter()
                    .flatten()
                    .map(|m| {
                        let method = m.method.as_ref();
                        RouteMatch::Grpc(GrpcMatch {
                            service: method.and_then(|x| x.service.clone()),
                            method: method.and_then(|x| x.method.clone()),
                            regex: matches!(
                                method.and_then(|x| x.r#type.as_ref()),
                                Some(gw::GrpcRouteRulesMatchesMethodType::RegularExpression)
                            ),
                            headers: first_of_each_header(m.headers.iter().flatten().map(|h| {
                                HeaderMatch {
                                    name: h.name.clone(),
                                    value: h.value.clone(),
                                    regex: matches!(
                                        h.r#type,
                                        Some(
                                            gw::GrpcRouteRulesMatchesHeadersType::RegularExpression
                                        )
                                    ),
                                }
                            })),
                        })
                    })
                    .collect(),
                backend_refs: backend_refs
                    .iter()
                    .flatten()
                    .map(|b| {
                        let filters = b
                            .filters
                            .iter()
                            .flatten()
                            .map(|f| enum_name(&f.r#type))
                            .collect();
                        backend_ref!(b, &ns, filters)
                    })
                    .collect(),
                filters: filters
                    .iter()
                    .flatten()
                    .map(|f| match (&f.r#type, &f.extension_ref) {
                        (gw::GrpcRouteRulesFiltersType::ExtensionRef, Some(e)) => {
                            Filter::ExtensionRef {
                                group: e.group.clone(),
                                kind: e.kind.clone(),
                                name: e.name.clone(),
                            }
                        }
                        (t, _) => Filter::Unsupported(enum_name(t)),
                    })
                    .collect(),
                unsupported,
            }
        })
        .collect();
    Route {
        kind: RouteKind::Grpc,
        key,
        generation,
        created,
        parent_refs: parent_refs!(spec.parent_refs, &ns),
        hostnames: spec.hostnames.clone().unwrap_or_default(),
        rules,
    }
}

macro_rules! l4_route {
    ($fn_name:ident, $ty:ty, $kind:expr, $hostnames:expr) => {
        fn $fn_name(route: &$ty) -> Route {
            let (key, generation, created) = meta_of(&route.metadata);
            let ns = key.namespace.clone();
            let spec = &route.spec;
            Route {
                kind: $kind,
                key,
                generation,
                created,
                parent_refs: parent_refs!(spec.parent_refs, &ns),
                hostnames: $hostnames(spec),
                rules: spec
                    .rules
                    .iter()
                    .map(|rule| RouteRule {
                        matches: vec![],
                        backend_refs: rule
                            .backend_refs
                            .iter()
                            .map(|b| backend_ref!(b, &ns, vec![]))
                            .collect(),
                        filters: vec![],
                        unsupported: vec![],
                    })
                    .collect(),
            }
        }
    };
}

l4_route!(tcp_route, gw::TcpRoute, RouteKind::Tcp, |_| Vec::new());
l4_route!(udp_route, gw::UdpRoute, RouteKind::Udp, |_| Vec::new());
l4_route!(
    tls_route,
    gw::TlsRoute,
    RouteKind::Tls,
    |s: &gw::TlsRouteSpec| s.hostnames.clone()
);
