//! Statuses translation computes for GatewayClasses, Gateways (and their listeners) and
//! routes. Conditions carry no timestamp: the writer stamps `lastTransitionTime`, keeping the
//! old one when nothing changed, so translation stays free of the clock.

mod gateway;
mod listener;
// The vocabulary of every status; its own module, as attachment and references use it too.
pub use crate::reasons;
mod render;

pub use gateway::{address_not_usable, gateway_accepted, gateway_refused};
pub use listener::listener_conditions;

pub use render::{
    merge_route_parents, merge_route_parents_for_gateway, merge_route_parents_for_parents,
    render_condition, render_gateway, render_gateway_class, render_listener_set,
    render_route_parents,
};

use crate::routes::{OriginalParentRef, RouteKind};
use gantry_snapshot::ObjectKey;
use reasons::Reason;
use serde::Serialize;
use std::collections::BTreeMap;

/// A status condition without its transition time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: &'static str,
    pub reason: &'static str,
    pub message: String,
    pub observed_generation: i64,
}

impl Condition {
    pub fn new(
        kind: &'static str,
        status: bool,
        reason: Reason,
        message: impl Into<String>,
    ) -> Self {
        Condition {
            kind,
            status: if status { "True" } else { "False" },
            reason: reason.as_str(),
            message: message.into(),
            observed_generation: 0,
        }
    }

    pub fn unknown(kind: &'static str, reason: Reason, message: impl Into<String>) -> Self {
        Condition {
            status: "Unknown",
            ..Condition::new(kind, false, reason, message)
        }
    }

    pub fn at(mut self, generation: i64) -> Self {
        self.observed_generation = generation;
        self
    }

    pub fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// Status of a GatewayClass this controller owns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GatewayClassStatus {
    pub conditions: Vec<Condition>,
    /// Gateway API feature names this class implements, ascending (`crate::features`). Empty
    /// for classes that do not report them.
    #[serde(rename = "supportedFeatures", skip_serializing_if = "Vec::is_empty")]
    pub supported_features: Vec<&'static str>,
}

/// Status of a Gateway this controller owns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GatewayStatus {
    pub conditions: Vec<Condition>,
    pub listeners: Vec<ListenerStatus>,
    /// The load balancer's DNS name, once known (filled after deploy).
    pub addresses: Vec<String>,
    /// How many ListenerSets are attached (accepted); None when the Gateway neither allows
    /// ListenerSets nor is named by one, or ListenerSets are not read.
    #[serde(
        rename = "attachedListenerSets",
        skip_serializing_if = "Option::is_none"
    )]
    pub attached_listener_sets: Option<i32>,
}

/// Status of a ListenerSet naming a Gateway this controller owns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListenerSetStatus {
    pub conditions: Vec<Condition>,
    pub listeners: Vec<ListenerStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerStatus {
    pub name: String,
    pub supported_kinds: Vec<RouteKind>,
    pub attached_routes: i32,
    pub conditions: Vec<Condition>,
}

/// This controller's entries of one route's `status.parents`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteStatus {
    pub parents: Vec<RouteParentStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteParentStatus {
    pub parent_ref: OriginalParentRef,
    pub controller_name: &'static str,
    pub conditions: Vec<Condition>,
}

/// Every status translation computed, keyed for lookup by the writers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statuses {
    pub gateway_classes: BTreeMap<String, GatewayClassStatus>,
    pub gateways: BTreeMap<ObjectKey, GatewayStatus>,
    pub routes: BTreeMap<(RouteKind, ObjectKey), RouteStatus>,
    pub listener_sets: BTreeMap<ObjectKey, ListenerSetStatus>,
}

/// Serialized with string keys (`ns/name`, `<Kind> ns/name`), as JSON maps need.
impl Serialize for Statuses {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Keyed<'a, K, V>(&'a BTreeMap<K, V>, fn(&K) -> String);
        impl<K, V: Serialize> Serialize for Keyed<'_, K, V> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(&(self.1)(k), v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("gatewayClasses", &self.gateway_classes)?;
        m.serialize_entry("gateways", &Keyed(&self.gateways, |k| k.to_string()))?;
        m.serialize_entry(
            "routes",
            &Keyed(&self.routes, |(kind, key)| format!("{kind} {key}")),
        )?;
        // Only when there are any, so that plans without ListenerSets read as before.
        if !self.listener_sets.is_empty() {
            m.serialize_entry(
                "listenerSets",
                &Keyed(&self.listener_sets, |k| k.to_string()),
            )?;
        }
        m.end()
    }
}
