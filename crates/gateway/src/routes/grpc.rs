//! GRPCRoute → [`Route`].

use super::convert::{enum_name, first_of_each_header, meta_of};
use super::*;
use gantry_api::gateway as gw;

pub(super) fn grpc_route(route: &gw::GrpcRoute) -> Route {
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
                backend_refs: filtered_backend_refs!(backend_refs, &ns),
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
