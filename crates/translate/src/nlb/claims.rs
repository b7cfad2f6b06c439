//! Which route each L4 listener carries.
//!
//! An NLB listener has one default action and no rules, so a Gateway listener carries exactly
//! one route: the oldest attached one (creation time, then namespace/name). Gateway listeners
//! that share a port (TCP + UDP → one `TCP_UDP` listener, or TLS listeners that differ only by
//! hostname) become one NLB listener, so the routes they carry must agree on its one backend.
//!
//! Claims are made oldest route first, and a route gets every listener it attached to or none:
//! a route is never programmed on some of its listeners and refused on others, and a refusal
//! never frees a listener an older route already holds.

use crate::routes::{BackendRef, Route};
use std::collections::BTreeMap;

/// A route attached to valid listeners of the Gateway.
pub struct Candidate<'r> {
    pub route: &'r Route,
    /// Indexes of the Gateway listeners it attached to.
    pub listeners: Vec<usize>,
}

/// Why a candidate carries no listener. Indexes are candidate and listener indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `listener` is already carried by `holder`.
    Taken { listener: usize, holder: usize },
    /// `listener` shares its port with `other`, carried by `holder`, whose backend differs.
    PortShared {
        listener: usize,
        other: usize,
        holder: usize,
    },
}

pub struct Claims {
    /// Listener index → index of the candidate carrying it.
    pub holders: BTreeMap<usize, usize>,
    /// Candidate index → why it carries nothing.
    pub refused: BTreeMap<usize, Refusal>,
}

/// Assigns listeners to `candidates`, which must be sorted oldest first.
pub fn claim(candidates: &[Candidate<'_>], port_of: impl Fn(usize) -> i32) -> Claims {
    let mut holders: BTreeMap<usize, usize> = BTreeMap::new();
    let mut refused = BTreeMap::new();
    for (ci, c) in candidates.iter().enumerate() {
        let refusal = c.listeners.iter().find_map(|&listener| {
            if let Some(&holder) = holders.get(&listener) {
                return Some(Refusal::Taken { listener, holder });
            }
            holders
                .iter()
                .find(|&(&other, &holder)| {
                    port_of(other) == port_of(listener)
                        && !same_backend(candidates[holder].route, c.route)
                })
                .map(|(&other, &holder)| Refusal::PortShared {
                    listener,
                    other,
                    holder,
                })
        });
        match refusal {
            Some(r) => {
                refused.insert(ci, r);
            }
            None => {
                for &listener in &c.listeners {
                    holders.insert(listener, ci);
                }
            }
        }
    }
    Claims { holders, refused }
}

/// The route's only backendRef, or how many it has (over all its rules).
pub fn single_backend(route: &Route) -> Result<&BackendRef, usize> {
    let mut all = route.rules.iter().flat_map(|r| r.backend_refs.iter());
    match (all.next(), all.next()) {
        (Some(b), None) => Ok(b),
        _ => Err(route.rules.iter().map(|r| r.backend_refs.len()).sum()),
    }
}

/// Whether two routes forward to the same backend (weights aside): only then can they share
/// one NLB listener.
fn same_backend(a: &Route, b: &Route) -> bool {
    match (single_backend(a), single_backend(b)) {
        (Ok(x), Ok(y)) => {
            (&x.group, &x.kind, &x.namespace, &x.name, x.port)
                == (&y.group, &y.kind, &y.namespace, &y.name, y.port)
        }
        _ => false,
    }
}

/// `Service ns/name:port` or `Gateway ns/name:port`, for messages.
pub fn describe(b: &BackendRef) -> String {
    match b.port {
        Some(p) => format!("{} {}/{}:{p}", b.kind, b.namespace, b.name),
        None => format!("{} {}/{}", b.kind, b.namespace, b.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{RouteKind, RouteRule};
    use gantry_snapshot::ObjectKey;

    fn mk_route(kind: RouteKind, name: &str, backends: &[&str]) -> Route {
        Route {
            kind,
            key: ObjectKey::new("ns", name),
            generation: 1,
            created: 0,
            parent_refs: vec![],
            hostnames: vec![],
            rules: vec![RouteRule {
                backend_refs: backends
                    .iter()
                    .map(|b| BackendRef {
                        group: String::new(),
                        kind: "Service".to_string(),
                        namespace: "ns".to_string(),
                        name: b.to_string(),
                        port: Some(53),
                        weight: 1,
                        filter_types: vec![],
                    })
                    .collect(),
                ..Default::default()
            }],
        }
    }

    fn candidates<'r>(routes: &'r [(Route, Vec<usize>)]) -> Vec<Candidate<'r>> {
        routes
            .iter()
            .map(|(route, listeners)| Candidate {
                route,
                listeners: listeners.clone(),
            })
            .collect()
    }

    /// Refused: `listener` is held by the candidate `holder`.
    fn taken_by(listener: usize, holder: usize) -> Refusal {
        Refusal::Taken { listener, holder }
    }

    #[test]
    fn oldest_route_holds_the_listener_and_younger_ones_are_refused() {
        let routes = [
            (mk_route(RouteKind::Tcp, "old", &["a"]), vec![0]),
            (mk_route(RouteKind::Tcp, "young", &["b"]), vec![0]),
            (mk_route(RouteKind::Tcp, "younger", &["c"]), vec![0]),
        ];
        let claims = claim(&candidates(&routes), |_| 80);
        assert_eq!(claims.holders, BTreeMap::from([(0, 0)]));
        assert_eq!(
            claims.refused,
            BTreeMap::from([(1, taken_by(0, 0)), (2, taken_by(0, 0))])
        );
    }

    #[test]
    fn a_route_refused_on_one_listener_holds_none_of_its_listeners() {
        // "both" attached to listeners 0 and 1; 0 is taken, so 1 stays free for "later".
        let routes = [
            (mk_route(RouteKind::Tcp, "first", &["a"]), vec![0]),
            (mk_route(RouteKind::Tcp, "both", &["b"]), vec![0, 1]),
            (mk_route(RouteKind::Tcp, "later", &["c"]), vec![1]),
        ];
        let claims = claim(&candidates(&routes), |li| 80 + li as i32);
        assert_eq!(claims.holders, BTreeMap::from([(0, 0), (1, 2)]));
        assert_eq!(claims.refused, BTreeMap::from([(1, taken_by(0, 0))]));
    }

    #[test]
    fn tcp_and_udp_routes_share_a_port_only_with_the_same_backend() {
        let same = [
            (mk_route(RouteKind::Tcp, "tcp", &["dns"]), vec![0]),
            (mk_route(RouteKind::Udp, "udp", &["dns"]), vec![1]),
        ];
        let claims = claim(&candidates(&same), |_| 53);
        assert_eq!(claims.holders, BTreeMap::from([(0, 0), (1, 1)]));
        assert!(claims.refused.is_empty());

        let different = [
            (mk_route(RouteKind::Tcp, "tcp", &["dns"]), vec![0]),
            (mk_route(RouteKind::Udp, "udp", &["other"]), vec![1]),
        ];
        let claims = claim(&candidates(&different), |_| 53);
        assert_eq!(claims.holders, BTreeMap::from([(0, 0)]));
        assert_eq!(
            claims.refused,
            BTreeMap::from([(
                1,
                Refusal::PortShared {
                    listener: 1,
                    other: 0,
                    holder: 0
                }
            )])
        );
    }

    #[test]
    fn single_backend_counts_backend_refs_over_all_rules() {
        assert!(single_backend(&mk_route(RouteKind::Tcp, "one", &["a"])).is_ok());
        assert_eq!(
            single_backend(&mk_route(RouteKind::Tcp, "none", &[])).unwrap_err(),
            0
        );
        assert_eq!(
            single_backend(&mk_route(RouteKind::Tcp, "two", &["a", "b"])).unwrap_err(),
            2
        );
        let mut split = mk_route(RouteKind::Tcp, "split", &["a"]);
        split.rules.push(split.rules[0].clone());
        assert_eq!(single_backend(&split).unwrap_err(), 2);
    }
}
