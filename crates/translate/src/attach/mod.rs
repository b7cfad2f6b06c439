//! Which routes attach to which listeners of a Gateway (the parentRef ↔ listener handshake).

pub mod hostnames;
pub mod listeners;
pub mod namespaces;

use crate::routes::Route;
use crate::status::reasons::Reason;
use gantry_snapshot::{ObjectKey, Snapshot};
pub use listeners::Listener;

/// The outcome of one parentRef of one route that names this Gateway.
#[derive(Clone, Debug)]
pub struct Attachment<'r> {
    pub route: &'r Route,
    /// Index into `route.parent_refs`.
    pub parent: usize,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Attached to these listeners (indexes into the Gateway's listeners), each with the
    /// hostnames the route gets there (empty: no host restriction).
    Attached(Vec<(usize, Vec<String>)>),
    Rejected {
        reason: Reason,
        message: String,
    },
}

/// Attaches every route whose parentRefs name `gateway`.
pub fn attach<'r>(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listeners: &[Listener],
    routes: &[&'r Route],
) -> Vec<Attachment<'r>> {
    let mut out = Vec::new();
    for &route in routes {
        for (parent, pref) in route.parent_refs.iter().enumerate() {
            if !pref.targets_gateway(gateway) {
                continue;
            }
            out.push(Attachment {
                route,
                parent,
                outcome: attach_one(snapshot, gateway, listeners, route, parent),
            });
        }
    }
    out
}

fn attach_one(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listeners: &[Listener],
    route: &Route,
    parent: usize,
) -> Outcome {
    let pref = &route.parent_refs[parent];
    let candidates: Vec<usize> = listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| pref.section_name.as_ref().is_none_or(|s| s == &l.name))
        .filter(|(_, l)| pref.port.is_none_or(|p| p == l.port))
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return Outcome::Rejected {
            reason: Reason::NoMatchingParent,
            message: match (&pref.section_name, pref.port) {
                (Some(s), _) => format!(
                    "Gateway {gateway} has no listener named {s}{}",
                    port_suffix(pref.port)
                ),
                (None, Some(p)) => format!("Gateway {gateway} has no listener on port {p}"),
                (None, None) => format!("Gateway {gateway} has no listeners"),
            },
        };
    }
    let mut attached = Vec::new();
    let mut first_failure: Option<(Reason, String)> = None;
    for i in candidates {
        let l = &listeners[i];
        let failure = if !l
            .from
            .allows(snapshot, &gateway.namespace, &route.key.namespace)
        {
            Some((
                Reason::NotAllowedByListeners,
                format!(
                    "Listener {} does not allow routes from namespace {}",
                    l.name, route.key.namespace
                ),
            ))
        } else if !l.kinds.contains(&route.kind) {
            Some((
                Reason::NotAllowedByListeners,
                format!(
                    "Listener {} does not allow route kind {}",
                    l.name, route.kind
                ),
            ))
        } else if route.kind.has_hostnames() {
            match hostnames::intersect(l.hostname.as_deref(), &route.hostnames) {
                Some(hosts) => {
                    attached.push((i, hosts));
                    None
                }
                None => Some((
                    Reason::NoMatchingListenerHostname,
                    format!(
                        "Listener {} hostname {} matches none of the route's hostnames",
                        l.name,
                        l.hostname.as_deref().unwrap_or("")
                    ),
                )),
            }
        } else {
            attached.push((i, vec![]));
            None
        };
        // A listener whose allowedRoutes admit the route but whose hostname does not match
        // says more than one that does not admit it: the spec's NotAllowedByListeners means
        // no listener's allowedRoutes permit the route.
        let hostname_failure = |f: &Option<(Reason, String)>| {
            matches!(f, Some((Reason::NoMatchingListenerHostname, _)))
        };
        if first_failure.is_none()
            || (hostname_failure(&failure) && !hostname_failure(&first_failure))
        {
            first_failure = failure;
        }
    }
    if attached.is_empty() {
        let (reason, message) = first_failure.expect("a rejected candidate recorded why");
        Outcome::Rejected { reason, message }
    } else {
        Outcome::Attached(attached)
    }
}

fn port_suffix(port: Option<i32>) -> String {
    port.map(|p| format!(" on port {p}")).unwrap_or_default()
}
