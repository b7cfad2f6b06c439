//! HTTPRoute → [`Route`]: rules, matches and filters.

use super::convert::{enum_name, filter_type_name, first_of_each, first_of_each_header, meta_of};
use super::*;
use gantry_api::gateway as gw;

pub(super) fn http_route(route: &gw::HttpRoute) -> Route {
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
        backend_refs: filtered_backend_refs!(backend_refs, ns),
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
