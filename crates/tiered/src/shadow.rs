//! The in-cluster tier: the shadow Gateway (the user's listeners under the in-cluster class)
//! and the shadow copies of the routes attached to the user's Gateway.

use crate::Planned;
use crate::meta::{self, Owner, UserGateway};
use crate::names;
use crate::observed::{self, route_json};
use gantry_api::gateway::{GROUP, Gateway};
use gantry_gateway::routes::{OriginalParentRef, RouteKind};
use gantry_snapshot::{ObjectKey, Snapshot};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use thiserror::Error;

/// The shadow Gateway: the user's valid listeners (port, protocol, hostname, TLS,
/// allowedRoutes) copied unchanged under the in-cluster class. `spec.infrastructure` is not
/// copied: its parametersRef names gantry's configuration, which the in-cluster controller
/// would misread; the class's `shadowGatewayAnnotations` configure that controller instead.
pub(crate) fn gateway(gw: &UserGateway<'_>, listeners: Vec<Value>) -> Planned {
    let name = gw.shadow_name();
    // The Gateway's infrastructure annotations, then the class's for the in-cluster
    // controller, then gantry's own: each later one wins.
    let mut annotations = gw.annotations(None);
    annotations.extend(
        gw.config
            .shadow_annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.replace("{name}", &name)))),
    );
    annotations.extend(meta::source_annotations(&gw.source, Some(gw.generation)));
    let mut waiting_for = Vec::new();
    let metadata = meta::metadata(
        &name,
        Some(&gw.key.namespace),
        gw.labels(),
        annotations,
        &[gw.owner()],
        &mut waiting_for,
    );
    Planned {
        waiting_for,
        object: json!({
            "apiVersion": format!("{GROUP}/v1"),
            "kind": "Gateway",
            "metadata": metadata,
            "spec": {
                "gatewayClassName": gw.config.in_cluster_class,
                "listeners": listeners,
            },
        }),
    }
}

/// What the in-cluster controller reports on a shadow Gateway.
pub(crate) struct GatewayState {
    /// `Ok` when Programmed for the user Gateway's current generation; otherwise what is
    /// awaited.
    pub programmed: Result<(), ShadowAwaited>,
    /// Listener name → Programmed.
    pub listeners: BTreeMap<String, bool>,
}

/// What the shadow Gateway is awaited to be.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub(crate) enum ShadowAwaited {
    #[error("shadow Gateway {0} to be created")]
    Created(ObjectKey),
    #[error("shadow Gateway {0} to be updated")]
    Updated(ObjectKey),
    #[error("shadow Gateway {0} to be Programmed")]
    Programmed(ObjectKey),
}

pub(crate) fn gateway_state(snapshot: &Snapshot, gw: &UserGateway<'_>) -> GatewayState {
    let key = ObjectKey::new(gw.key.namespace.clone(), gw.shadow_name());
    let waiting = |awaited: fn(ObjectKey) -> ShadowAwaited| GatewayState {
        programmed: Err(awaited(key.clone())),
        listeners: BTreeMap::new(),
    };
    let Some(shadow) = snapshot.gateways.get(&key) else {
        return waiting(ShadowAwaited::Created);
    };
    if !observed::is_current_shadow(&shadow.metadata, &gw.source, gw.generation) {
        return waiting(ShadowAwaited::Updated);
    }
    let Some(status) = &shadow.status else {
        return waiting(ShadowAwaited::Programmed);
    };
    // A condition only counts for the generation it was observed at.
    let generation = shadow.metadata.generation;
    let current = |g: Option<i64>| generation.is_none_or(|now| g.is_none_or(|o| o == now));
    let programmed =
        status.conditions.iter().flatten().any(|c| {
            c.type_ == "Programmed" && c.status == "True" && current(c.observed_generation)
        });
    let listeners = status
        .listeners
        .iter()
        .flatten()
        .map(|l| {
            let ok = l.conditions.iter().any(|c| {
                c.type_ == "Programmed" && c.status == "True" && current(c.observed_generation)
            });
            (l.name.clone(), ok)
        })
        .collect();
    GatewayState {
        programmed: if programmed {
            Ok(())
        } else {
            Err(ShadowAwaited::Programmed(key))
        },
        listeners,
    }
}

/// One shadow route being assembled: the parentRefs of one user route to the shadow
/// Gateways sharing one name suffix.
pub(crate) struct ShadowRoute {
    pub parent_refs: Vec<Value>,
    /// The user Gateways in the route's namespace (owners must share it).
    pub owners: Vec<Owner>,
}

/// The user's parentRef as written, pointing at the shadow Gateway instead.
pub(crate) fn shadow_parent_ref(original: &OriginalParentRef, shadow_gateway: &str) -> Value {
    let mut r = serde_json::to_value(original).unwrap_or_else(|_| json!({}));
    r["name"] = shadow_gateway.into();
    r
}

/// The shadow copy of a user route: the same spec (rules, backends, hostnames) with the
/// parentRefs replaced. `None` when the route is not in the snapshot.
pub(crate) fn route(
    snapshot: &Snapshot,
    kind: RouteKind,
    key: &ObjectKey,
    suffix: &str,
    shadow: ShadowRoute,
) -> Option<Planned> {
    let user = route_json(snapshot, kind, key)?;
    let source = names::source(kind.as_str(), key);
    let generation = user
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut owners = shadow.owners;
    if owners.is_empty() {
        owners.push(Owner {
            api_version: text(&user, "/apiVersion"),
            kind: kind.as_str().to_string(),
            key: key.clone(),
            uid: user
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    let mut labels = meta::managed_labels();
    labels.insert(
        names::ROUTE_NAME_LABEL.into(),
        names::label_value(&key.name).into(),
    );
    let mut waiting_for = Vec::new();
    let metadata = meta::metadata(
        &names::shadow(&key.name, suffix),
        Some(&key.namespace),
        labels,
        meta::source_annotations(&source, Some(generation)),
        &owners,
        &mut waiting_for,
    );
    let mut spec = user.get("spec").cloned().unwrap_or_else(|| json!({}));
    spec["parentRefs"] = Value::Array(shadow.parent_refs);
    Some(Planned {
        waiting_for,
        object: json!({
            "apiVersion": text(&user, "/apiVersion"),
            "kind": kind.as_str(),
            "metadata": metadata,
            "spec": spec,
        }),
    })
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Whether a Gateway in the snapshot is one of gantry's shadows; its source for messages.
pub(crate) fn shadow_source(gateway: &Gateway) -> Option<&str> {
    let labels = gateway.metadata.labels.as_ref()?;
    if labels.get(names::MANAGED_BY.0).map(String::as_str) != Some(names::MANAGED_BY.1) {
        return None;
    }
    observed::annotation(&gateway.metadata, names::SOURCE_ANNOTATION)
}
