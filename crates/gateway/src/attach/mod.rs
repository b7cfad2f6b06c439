//! Which routes attach to which listeners of a Gateway (the parentRef ↔ listener handshake).

pub mod hostnames;
pub mod listeners;
pub mod namespaces;

use crate::reasons::Reason;
use crate::routes::Route;
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

/// Attaches every route whose parentRefs name `gateway`, or one of the ListenerSets `sets`
/// naming it: (key, why the Gateway does not allow it).
pub fn attach<'r>(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listeners: &[Listener],
    sets: &[(ObjectKey, Option<String>)],
    routes: &[&'r Route],
) -> Vec<Attachment<'r>> {
    let mut out = Vec::new();
    for &route in routes {
        for (parent, pref) in route.parent_refs.iter().enumerate() {
            let outcome = if pref.targets_gateway(gateway) {
                attach_one(snapshot, gateway, None, listeners, route, parent)
            } else if let Some((set, not_allowed)) = sets.iter().find(|(k, _)| {
                pref.group == gantry_api::gateway::GROUP
                    && pref.kind == "ListenerSet"
                    && pref.namespace == k.namespace
                    && pref.name == k.name
            }) {
                match not_allowed {
                    Some(why) => Outcome::Rejected {
                        reason: Reason::NoMatchingParent,
                        message: format!("ListenerSet {set} is not attached: {why}"),
                    },
                    None => attach_one(snapshot, gateway, Some(set), listeners, route, parent),
                }
            } else {
                continue;
            };
            out.push(Attachment {
                route,
                parent,
                outcome,
            });
        }
    }
    out
}

/// Attaches one parentRef: to the Gateway's own listeners (`set` None) or to those of the
/// ListenerSet `set`.
fn attach_one(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    set: Option<&ObjectKey>,
    listeners: &[Listener],
    route: &Route,
    parent: usize,
) -> Outcome {
    let pref = &route.parent_refs[parent];
    let parent_name = match set {
        Some(s) => format!("ListenerSet {s}"),
        None => format!("Gateway {gateway}"),
    };
    let candidates: Vec<usize> = listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| l.origin.as_ref() == set)
        .filter(|(_, l)| pref.section_name.as_ref().is_none_or(|s| s == &l.name))
        .filter(|(_, l)| pref.port.is_none_or(|p| p == l.port))
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return Outcome::Rejected {
            reason: Reason::NoMatchingParent,
            message: match (&pref.section_name, pref.port) {
                (Some(s), _) => format!(
                    "{parent_name} has no listener named {s}{}",
                    port_suffix(pref.port)
                ),
                (None, Some(p)) => format!("{parent_name} has no listener on port {p}"),
                (None, None) => format!("{parent_name} has no listeners"),
            },
        };
    }
    let mut attached = Vec::new();
    let mut first_failure: Option<(Reason, String)> = None;
    for i in candidates {
        let l = &listeners[i];
        // allowedRoutes `Same` is the namespace of the object the listener is written in.
        let home = l.origin.as_ref().unwrap_or(gateway);
        let failure = if !l
            .from
            .allows(snapshot, &home.namespace, &route.key.namespace)
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
