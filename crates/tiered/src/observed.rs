//! What the cluster reports back: the Crossplane managed resources with their status, and the
//! status the in-cluster controller wrote on the shadow Gateway and routes.
//!
//! Only objects carrying gantry's source annotation for the expected user object are read:
//! an object of the same name made by someone else is never mistaken for gantry's.

use crate::names;
use gantry_api::k8s::ObjectMeta;
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_translate::routes::RouteKind;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `apiVersion` of the Crossplane AWS provider's ELBv2 resources.
pub const CROSSPLANE_API_VERSION: &str = "elbv2.aws.crossplane.io/v1alpha1";

/// The Crossplane kinds gantry creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CloudKind {
    LoadBalancer,
    TargetGroup,
    Listener,
}

impl CloudKind {
    pub const ALL: [CloudKind; 3] = [
        CloudKind::LoadBalancer,
        CloudKind::TargetGroup,
        CloudKind::Listener,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CloudKind::LoadBalancer => "LoadBalancer",
            CloudKind::TargetGroup => "TargetGroup",
            CloudKind::Listener => "Listener",
        }
    }

    pub fn parse(kind: &str) -> Option<CloudKind> {
        CloudKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// Crossplane managed resources as observed in the cluster (or given as manifests), keyed by
/// kind and name: they are cluster-scoped.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    objects: BTreeMap<(CloudKind, String), Arc<Value>>,
}

impl Observed {
    /// Adds an object. Returns `false`, ignoring it, unless it is a Crossplane ELBv2
    /// LoadBalancer, TargetGroup or Listener with a name.
    pub fn insert(&mut self, object: Value) -> bool {
        let kind = object.get("kind").and_then(Value::as_str);
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        let name = object.pointer("/metadata/name").and_then(Value::as_str);
        match (api_version, kind.and_then(CloudKind::parse), name) {
            (Some(CROSSPLANE_API_VERSION), Some(kind), Some(name)) => {
                self.objects
                    .insert((kind, name.to_string()), Arc::new(object));
                true
            }
            _ => false,
        }
    }

    pub fn get(&self, kind: CloudKind, name: &str) -> Option<&Value> {
        self.objects.get(&(kind, name.to_string())).map(Arc::as_ref)
    }

    /// gantry's object of that kind and name, made for `source`.
    pub(crate) fn ours(&self, kind: CloudKind, name: &str, source: &str) -> Option<&Value> {
        self.get(kind, name).filter(|o| {
            o.pointer(&format!(
                "/metadata/annotations/{}",
                escape(names::SOURCE_ANNOTATION)
            ))
            .and_then(Value::as_str)
                == Some(source)
        })
    }

    /// Every object with its kind, in kind and name order.
    pub fn iter(&self) -> impl Iterator<Item = (CloudKind, &Value)> {
        self.objects.iter().map(|((k, _), o)| (*k, o.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// JSON pointer escaping of one path segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn text<'v>(object: &'v Value, pointer: &str) -> Option<&'v str> {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The ARN a Crossplane resource reports in `status.atProvider`.
pub(crate) fn arn(kind: CloudKind, object: &Value) -> Option<&str> {
    match kind {
        CloudKind::LoadBalancer => text(object, "/status/atProvider/loadBalancerARN"),
        // provider-aws reports the described target group as `targetGroups[0]`; accept the
        // flat field too, as other provider versions write it.
        CloudKind::TargetGroup => text(object, "/status/atProvider/targetGroupARN")
            .or_else(|| text(object, "/status/atProvider/targetGroups/0/targetGroupARN")),
        CloudKind::Listener => text(object, "/status/atProvider/listenerARN"),
    }
}

/// The load balancer's DNS name from `status.atProvider.dnsName`.
pub(crate) fn dns_name(object: &Value) -> Option<&str> {
    text(object, "/status/atProvider/dnsName")
}

/// Whether a Crossplane resource is `Ready=True`.
pub(crate) fn ready(object: &Value) -> bool {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Ready")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

/// Metadata of a route of any kind.
pub(crate) fn route_meta<'s>(
    snapshot: &'s Snapshot,
    kind: RouteKind,
    key: &ObjectKey,
) -> Option<&'s ObjectMeta> {
    match kind {
        RouteKind::Http => snapshot.http_routes.get(key).map(|r| &r.metadata),
        RouteKind::Grpc => snapshot.grpc_routes.get(key).map(|r| &r.metadata),
        RouteKind::Tcp => snapshot.tcp_routes.get(key).map(|r| &r.metadata),
        RouteKind::Udp => snapshot.udp_routes.get(key).map(|r| &r.metadata),
        RouteKind::Tls => snapshot.tls_routes.get(key).map(|r| &r.metadata),
    }
}

/// A route of any kind as JSON (with `apiVersion` and `kind`).
pub(crate) fn route_json(snapshot: &Snapshot, kind: RouteKind, key: &ObjectKey) -> Option<Value> {
    let value = match kind {
        RouteKind::Http => snapshot
            .http_routes
            .get(key)
            .map(|r| serde_json::to_value(r.as_ref())),
        RouteKind::Grpc => snapshot
            .grpc_routes
            .get(key)
            .map(|r| serde_json::to_value(r.as_ref())),
        RouteKind::Tcp => snapshot
            .tcp_routes
            .get(key)
            .map(|r| serde_json::to_value(r.as_ref())),
        RouteKind::Udp => snapshot
            .udp_routes
            .get(key)
            .map(|r| serde_json::to_value(r.as_ref())),
        RouteKind::Tls => snapshot
            .tls_routes
            .get(key)
            .map(|r| serde_json::to_value(r.as_ref())),
    };
    value.and_then(Result::ok)
}

pub(crate) fn annotation<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// Whether `meta` is gantry's shadow of `source`, made from its generation `generation`.
pub(crate) fn is_current_shadow(meta: &ObjectMeta, source: &str, generation: i64) -> bool {
    annotation(meta, names::SOURCE_ANNOTATION) == Some(source)
        && annotation(meta, names::SOURCE_GENERATION_ANNOTATION)
            == Some(generation.to_string().as_str())
}

/// Who holds a name gantry wants: `None` when nobody does, `Some(source annotation)` (empty
/// when there is none) when an object exists.
pub(crate) fn holder(snapshot: &Snapshot, observed: &Observed, object: &Value) -> Option<String> {
    let kind = object.get("kind").and_then(Value::as_str)?;
    let name = object.pointer("/metadata/name").and_then(Value::as_str)?;
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = ObjectKey::new(namespace, name);
    let from_meta = |m: &ObjectMeta| {
        annotation(m, names::SOURCE_ANNOTATION)
            .unwrap_or_default()
            .to_string()
    };
    if let Some(cloud) = CloudKind::parse(kind) {
        return observed.get(cloud, name).map(|o| {
            text(
                o,
                &format!("/metadata/annotations/{}", escape(names::SOURCE_ANNOTATION)),
            )
            .unwrap_or_default()
            .to_string()
        });
    }
    match kind {
        "Gateway" => snapshot.gateways.get(&key).map(|g| from_meta(&g.metadata)),
        "TargetGroupBinding" => snapshot
            .target_group_bindings
            .get(&key)
            .map(|b| from_meta(&b.metadata)),
        _ => RouteKind::parse(kind)
            .and_then(|k| route_meta(snapshot, k, &key))
            .map(from_meta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crossplane_status_fields_are_read_where_provider_aws_writes_them() {
        let lb = json!({"status": {
            "atProvider": {"loadBalancerARN": "arn:lb", "dnsName": "lb.example"},
            "conditions": [{"type": "Synced", "status": "True"}, {"type": "Ready", "status": "True"}],
        }});
        assert_eq!(arn(CloudKind::LoadBalancer, &lb), Some("arn:lb"));
        assert_eq!(dns_name(&lb), Some("lb.example"));
        assert!(ready(&lb));
        let tg = json!({"status": {"atProvider": {"targetGroups": [{"targetGroupARN": "arn:tg"}]},
            "conditions": [{"type": "Ready", "status": "False"}]}});
        assert_eq!(arn(CloudKind::TargetGroup, &tg), Some("arn:tg"));
        assert!(!ready(&tg));
        assert_eq!(arn(CloudKind::LoadBalancer, &json!({})), None);
    }

    #[test]
    fn only_crossplane_elbv2_objects_are_observed_and_only_ours_are_read() {
        let mut observed = Observed::default();
        assert!(
            !observed
                .insert(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}))
        );
        let lb = |source: &str| {
            json!({"apiVersion": CROSSPLANE_API_VERSION, "kind": "LoadBalancer",
                "metadata": {"name": "ns.gw", "annotations": {names::SOURCE_ANNOTATION: source}}})
        };
        assert!(observed.insert(lb("Gateway ns/gw")));
        assert!(
            observed
                .ours(CloudKind::LoadBalancer, "ns.gw", "Gateway ns/gw")
                .is_some()
        );
        assert!(
            observed
                .ours(CloudKind::LoadBalancer, "ns.gw", "Gateway ns/other")
                .is_none()
        );
        observed.insert(lb("something else"));
        assert_eq!(observed.len(), 1, "same kind and name replace");
        assert!(
            observed
                .ours(CloudKind::LoadBalancer, "ns.gw", "Gateway ns/gw")
                .is_none()
        );
    }
}
