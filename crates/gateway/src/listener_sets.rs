//! ListenerSets (`gateway.networking.k8s.io/v1`, Gateway API v1.6): more listeners for a
//! Gateway that allows them (`spec.allowedListeners.namespaces.from`: None by default, Same,
//! All or Selector). Their listeners are merged into the parent Gateway's load balancer after
//! the Gateway's own, in the spec's precedence: "1. parent Gateway 2. ListenerSet ordered by
//! creation time (oldest first) 3. ListenerSet ordered alphabetically by {namespace}/{name}".
//! Gated by `Settings::listener_sets` (the established controller's `GatewayListenerSet`).

use crate::attach::namespaces::{From, Selector};
use crate::reasons::{ACCEPTED, PROGRAMMED, Reason};
use crate::status::{Condition, ListenerSetStatus};
use gantry_api::gateway::{
    GROUP, Gateway, GatewayAllowedListenersNamespacesFrom as AllowedFrom, GatewayListeners,
    ListenerSet,
};
use gantry_snapshot::{ObjectKey, Snapshot};

/// One ListenerSet whose parentRef names a Gateway.
#[derive(Clone, Debug)]
pub struct SetEntry<'a> {
    pub key: ObjectKey,
    pub set: &'a ListenerSet,
    /// Why the Gateway does not allow it (`NotAllowed`); None when it does.
    pub not_allowed: Option<String>,
}

/// The Gateway a ListenerSet's parentRef names (group and kind default to the Gateway API's
/// Gateway, namespace to the ListenerSet's); None when it names another kind.
pub fn parent_of(key: &ObjectKey, set: &ListenerSet) -> Option<ObjectKey> {
    let p = &set.spec.parent_ref;
    let group_ok = p.group.as_deref().is_none_or(|g| g == GROUP);
    let kind_ok = p.kind.as_deref().is_none_or(|k| k == "Gateway");
    (group_ok && kind_ok).then(|| {
        ObjectKey::new(
            p.namespace.clone().unwrap_or_else(|| key.namespace.clone()),
            p.name.clone(),
        )
    })
}

/// The ListenerSets naming `gateway`, allowed or not, in precedence order.
pub fn for_gateway<'a>(
    snapshot: &'a Snapshot,
    gateway_key: &ObjectKey,
    gateway: &Gateway,
) -> Vec<SetEntry<'a>> {
    let mut out: Vec<SetEntry<'a>> = snapshot
        .listener_sets
        .iter()
        .filter(|(k, s)| parent_of(k, s).as_ref() == Some(gateway_key))
        .map(|(k, s)| SetEntry {
            key: k.clone(),
            set: s.as_ref(),
            not_allowed: not_allowed(snapshot, gateway_key, gateway, &k.namespace),
        })
        .collect();
    // Oldest first; a ListenerSet without a creation time (manifests) after those with one;
    // then by namespace/name.
    out.sort_by(|a, b| {
        let t = |e: &SetEntry<'_>| e.set.metadata.creation_timestamp.as_ref().map(|t| t.0);
        (t(a).is_none(), t(a), &a.key).cmp(&(t(b).is_none(), t(b), &b.key))
    });
    out
}

/// Whether the Gateway's `allowedListeners` admit a ListenerSet of `namespace`.
fn not_allowed(
    snapshot: &Snapshot,
    gateway_key: &ObjectKey,
    gateway: &Gateway,
    namespace: &str,
) -> Option<String> {
    let ns = gateway
        .spec
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref());
    let from = match ns.and_then(|n| n.from.as_ref()) {
        None | Some(AllowedFrom::None) => From::None,
        Some(AllowedFrom::Same) => From::Same,
        Some(AllowedFrom::All) => From::All,
        Some(AllowedFrom::Selector) => match ns.and_then(|n| n.selector.as_ref()) {
            Some(s) => From::Selector(Selector::from(s)),
            None => From::None,
        },
    };
    if from.allows(snapshot, &gateway_key.namespace, namespace) {
        return None;
    }
    Some(match from {
        From::None => format!(
            "Gateway {gateway_key} does not allow ListenerSets (spec.allowedListeners.namespaces.from is None, the default)"
        ),
        From::Same => format!(
            "Gateway {gateway_key} allows ListenerSets of its own namespace only, not of namespace {namespace}"
        ),
        _ => format!(
            "Gateway {gateway_key} does not allow ListenerSets of namespace {namespace} (spec.allowedListeners.namespaces selector)"
        ),
    })
}

/// A ListenerSet listener in the Gateway listener's shape: the two share every field.
pub fn as_gateway_listener(l: &gantry_api::gateway::ListenerSetListeners) -> GatewayListeners {
    serde_json::to_value(l)
        .and_then(serde_json::from_value)
        .unwrap_or_else(|_| GatewayListeners {
            name: l.name.clone(),
            protocol: l.protocol.clone(),
            port: 0,
            ..GatewayListeners::default()
        })
}

/// The `Accepted` and `Programmed` conditions of an allowed ListenerSet, from the validity of
/// its listeners (`valid`, `invalid`: their names).
pub fn conditions(valid: &[&str], invalid: &[&str]) -> Vec<Condition> {
    if valid.is_empty() {
        let message = format!("No listener is valid: {}", invalid.join(", "));
        return vec![
            Condition::new(ACCEPTED, false, Reason::ListenersNotValid, message.clone()),
            Condition::new(PROGRAMMED, false, Reason::ListenersNotValid, message),
        ];
    }
    let accepted = if invalid.is_empty() {
        Condition::new(ACCEPTED, true, Reason::Accepted, "ListenerSet is accepted")
    } else {
        Condition::new(
            ACCEPTED,
            true,
            Reason::ListenersNotValid,
            format!(
                "Listeners not valid: {}; accepted: {}",
                invalid.join(", "),
                valid.join(", ")
            ),
        )
    };
    vec![
        accepted,
        Condition::unknown(
            PROGRAMMED,
            Reason::Pending,
            "Waiting for the parent Gateway's load balancer to be active.",
        ),
    ]
}

/// The status of a ListenerSet whose parent Gateway is deleted: not accepted, no listener
/// served, instead of the last status of listeners that no longer exist.
pub fn orphaned(gateway: &ObjectKey) -> ListenerSetStatus {
    ListenerSetStatus {
        conditions: refused(
            Reason::ParentNotAccepted,
            &format!("Gateway {gateway} is deleted"),
        ),
        listeners: Vec::new(),
    }
}

/// The conditions of a ListenerSet the Gateway refuses (`NotAllowed`) or whose Gateway is not
/// accepted (`ParentNotAccepted`).
pub fn refused(reason: Reason, message: &str) -> Vec<Condition> {
    vec![
        Condition::new(ACCEPTED, false, reason, message),
        Condition::new(PROGRAMMED, false, reason, message),
    ]
}
