//! Gateway API precedence of ALB rules across all routes of a listener.
//!
//! Keys, most significant first: hostname specificity (exact before wildcard, more labels,
//! longer; catch-all last), match type (Exact > PathPrefix > RegularExpression > none),
//! path / gRPC service length, gRPC method length, method match, header count, query count,
//! route age, route namespace/name, rule index, match index, hostname.

use crate::routes::{PathMatch, Route, RouteMatch};
use std::cmp::Reverse;

/// Ordered field by field, in declaration order. Borrows the route's `namespace/name` and the
/// hostname: a key is built per candidate rule, and owning them cost an allocation each.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key<'a> {
    host_rank: (u8, Reverse<usize>, Reverse<usize>),
    match_score: Reverse<u8>,
    primary_len: Reverse<usize>,
    secondary_len: Reverse<usize>,
    has_method: Reverse<bool>,
    headers: Reverse<usize>,
    query_params: Reverse<usize>,
    created: i128,
    /// `namespace/name`.
    route: &'a str,
    rule: usize,
    /// `usize::MAX` for a rule without matches.
    match_index: usize,
    host: &'a str,
}

impl<'a> Key<'a> {
    /// `route_name` is the route's `namespace/name`.
    pub fn new(
        route: &Route,
        route_name: &'a str,
        rule: usize,
        match_index: Option<usize>,
        m: Option<&RouteMatch>,
        host: &'a str,
    ) -> Key<'a> {
        let host_rank = if host.is_empty() {
            (2, Reverse(0), Reverse(0))
        } else {
            let wildcard = host.starts_with('*');
            (
                u8::from(wildcard),
                Reverse(host.matches('.').count()),
                Reverse(host.len()),
            )
        };
        let (score, primary, secondary, method, headers, query) = match m {
            Some(RouteMatch::Http(h)) => {
                let (score, len) = match &h.path {
                    Some(PathMatch::Exact(p)) => (3, p.len()),
                    Some(PathMatch::Prefix(p)) => (2, p.len()),
                    Some(PathMatch::Regex(p)) => (1, p.len()),
                    None => (0, 0),
                };
                (
                    score,
                    len,
                    0,
                    h.method.is_some(),
                    h.headers.len(),
                    h.query_params.len(),
                )
            }
            Some(RouteMatch::Grpc(g)) => {
                let score = match (&g.service, &g.method) {
                    (None, None) => 0,
                    _ if g.regex => 1,
                    _ => 3,
                };
                let s = g.service.as_deref().map_or(0, str::len);
                let me = g.method.as_deref().map_or(0, str::len);
                (score, s, me, false, g.headers.len(), 0)
            }
            None => (0, 0, 0, false, 0, 0),
        };
        Key {
            host_rank,
            match_score: Reverse(score),
            primary_len: Reverse(primary),
            secondary_len: Reverse(secondary),
            has_method: Reverse(method),
            headers: Reverse(headers),
            query_params: Reverse(query),
            created: route.created,
            route: route_name,
            rule,
            match_index: match_index.unwrap_or(usize::MAX),
            host,
        }
    }
}
