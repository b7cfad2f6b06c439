//! What the cluster reports back: the Crossplane managed resources with their status, and the
//! status the in-cluster controller wrote on the shadow Gateway and routes.
//!
//! Only objects carrying gantry's source annotation for the expected user object are read:
//! an object of the same name made by someone else is never mistaken for gantry's.

use crate::family::{CloudKind, CloudType, Family};
use crate::names;
use gantry_api::k8s::ObjectMeta;
use gantry_gateway::routes::RouteKind;
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use thiserror::Error;

/// `apiVersion` of the contrib Crossplane AWS provider's ELBv2 resources (the proof of concept docs/tiered.md starts from).
pub const CROSSPLANE_API_VERSION: &str = "elbv2.aws.crossplane.io/v1alpha1";

/// Crossplane managed resources as observed in the cluster (or given as manifests), keyed by
/// type and namespace/name (namespace empty for cluster-scoped families).
#[derive(Clone, Debug, Default)]
pub struct Observed {
    objects: BTreeMap<(CloudType, ObjectKey), Arc<Value>>,
    /// ACM's ISSUED certificates, once read (only when a plan needs them).
    acm: Option<Vec<crate::AcmCertificate>>,
    /// The certificates imported into ACM from listener Secrets, once the controller has
    /// imported (or found) them.
    imported: Option<Vec<crate::ImportedCertificate>>,
}

impl Observed {
    /// Adds an object. Returns `false`, ignoring it, unless it is of a kind gantry writes
    /// (see [`CloudType`]) and has a name.
    pub fn insert(&mut self, object: Value) -> bool {
        let kind = object.get("kind").and_then(Value::as_str);
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        let name = object.pointer("/metadata/name").and_then(Value::as_str);
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let ty = api_version
            .zip(kind)
            .and_then(|(a, k)| CloudType::from_wire(a, k));
        match (ty, name) {
            (Some(ty), Some(name)) => {
                let namespace = if ty.namespaced() { namespace } else { "" };
                self.objects
                    .insert((ty, ObjectKey::new(namespace, name)), Arc::new(object));
                true
            }
            _ => false,
        }
    }

    /// ACM's ISSUED certificates: the load balancer certificates of listeners found by
    /// hostname ([`crate::TieredPlan::needs_acm`]).
    pub fn set_acm_certificates(&mut self, certificates: Vec<crate::AcmCertificate>) {
        self.acm = Some(certificates);
    }

    pub fn acm_certificates(&self) -> Option<&[crate::AcmCertificate]> {
        self.acm.as_deref()
    }

    /// The ACM certificates imported from the Secrets of [`crate::TieredPlan::secret_certificates`].
    pub fn set_imported_certificates(&mut self, certificates: Vec<crate::ImportedCertificate>) {
        self.imported = Some(certificates);
    }

    pub fn imported_certificates(&self) -> Option<&[crate::ImportedCertificate]> {
        self.imported.as_deref()
    }

    pub fn get(&self, ty: CloudType, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(&(ty, key.clone())).map(Arc::as_ref)
    }

    /// gantry's object of that type and key, made for `source`.
    pub(crate) fn ours(&self, ty: CloudType, key: &ObjectKey, source: &str) -> Option<&Value> {
        self.get(ty, key).filter(|o| {
            o.pointer(&format!(
                "/metadata/annotations/{}",
                escape(names::SOURCE_ANNOTATION)
            ))
            .and_then(Value::as_str)
                == Some(source)
        })
    }

    /// Every object with its type, in type and key order.
    pub fn iter(&self) -> impl Iterator<Item = (CloudType, &Value)> {
        self.objects.iter().map(|((t, _), o)| (*t, o.as_ref()))
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
pub(crate) fn arn(ty: CloudType, object: &Value) -> Option<&str> {
    match (ty.family, ty.kind) {
        (Family::Contrib, CloudKind::LoadBalancer) => {
            text(object, "/status/atProvider/loadBalancerARN")
        }
        // provider-aws reports the described target group as `targetGroups[0]`; accept the
        // flat field too, as other provider versions write it.
        (Family::Contrib, CloudKind::TargetGroup) => {
            text(object, "/status/atProvider/targetGroupARN")
                .or_else(|| text(object, "/status/atProvider/targetGroups/0/targetGroupARN"))
        }
        (Family::Contrib, _) => text(object, "/status/atProvider/listenerARN"),
        (_, _) => text(object, "/status/atProvider/arn"),
    }
}

/// The security group ID an Upbound SecurityGroup reports.
pub(crate) fn id(object: &Value) -> Option<&str> {
    text(object, "/status/atProvider/id")
}

/// The load balancer's DNS name from `status.atProvider.dnsName` (both families).
pub(crate) fn dns_name(object: &Value) -> Option<&str> {
    text(object, "/status/atProvider/dnsName")
}

/// Why a Crossplane resource is not ready.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub(crate) enum NotReady {
    /// What its provider says: the failing condition with its reason and message.
    #[error("{0}")]
    Condition(String),
    /// The provider has not written `Ready` yet.
    #[error("no Ready condition yet")]
    NoReadyCondition,
}

/// Whether a Crossplane resource is `Ready=True` and not `Synced=False`; otherwise what its
/// provider says.
pub(crate) fn readiness(object: &Value) -> Result<(), NotReady> {
    let conditions: &[Value] = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let find = |t: &str| {
        conditions
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(t))
    };
    let describe = |c: &Value| {
        let field = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut s = format!("{}={}", field("type"), field("status"));
        if !field("reason").is_empty() {
            s.push_str(&format!(" ({})", field("reason")));
        }
        if !field("message").is_empty() {
            s.push_str(&format!(": {}", field("message")));
        }
        s
    };
    fn status(c: &Value) -> &str {
        c.get("status").and_then(Value::as_str).unwrap_or_default()
    }
    if let Some(synced) = find("Synced").filter(|c| status(c) == "False") {
        return Err(NotReady::Condition(describe(synced)));
    }
    match find("Ready") {
        Some(c) if status(c) == "True" => Ok(()),
        Some(c) => Err(NotReady::Condition(describe(c))),
        None => Err(NotReady::NoReadyCondition),
    }
}

/// Whether a Crossplane resource is ready (see [`readiness`]).
pub(crate) fn ready(object: &Value) -> bool {
    readiness(object).is_ok()
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
    match kind {
        RouteKind::Http => object_json(&snapshot.http_routes, key),
        RouteKind::Grpc => object_json(&snapshot.grpc_routes, key),
        RouteKind::Tcp => object_json(&snapshot.tcp_routes, key),
        RouteKind::Udp => object_json(&snapshot.udp_routes, key),
        RouteKind::Tls => object_json(&snapshot.tls_routes, key),
    }
}

fn object_json<T: serde::Serialize>(objects: &Objects<T>, key: &ObjectKey) -> Option<Value> {
    serde_json::to_value(objects.get(key)?.as_ref()).ok()
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
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(ty) = CloudType::from_wire(api_version, kind) {
        return observed.get(ty, &key).map(|o| {
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

    const CONTRIB_LB: CloudType = CloudType {
        family: Family::Contrib,
        kind: CloudKind::LoadBalancer,
    };

    #[test]
    fn contrib_status_fields_are_read_where_provider_aws_writes_them() {
        let lb = json!({"status": {
            "atProvider": {"loadBalancerARN": "arn:lb", "dnsName": "lb.example"},
            "conditions": [{"type": "Synced", "status": "True"}, {"type": "Ready", "status": "True"}],
        }});
        assert_eq!(arn(CONTRIB_LB, &lb), Some("arn:lb"));
        assert_eq!(dns_name(&lb), Some("lb.example"));
        assert!(ready(&lb));
        let tg = json!({"status": {"atProvider": {"targetGroups": [{"targetGroupARN": "arn:tg"}]},
            "conditions": [{"type": "Ready", "status": "False"}]}});
        let contrib_tg = CloudType::new(Family::Contrib, CloudKind::TargetGroup);
        assert_eq!(arn(contrib_tg, &tg), Some("arn:tg"));
        assert!(!ready(&tg));
        assert_eq!(arn(CONTRIB_LB, &json!({})), None);
    }

    #[test]
    fn upbound_status_fields_and_the_providers_message() {
        let tg = CloudType::new(Family::UpboundNamespaced, CloudKind::TargetGroup);
        let sg = json!({"status": {"atProvider": {"arn": "arn:sg", "id": "sg-1"}}});
        assert_eq!(arn(tg, &sg), Some("arn:sg"));
        assert_eq!(id(&sg), Some("sg-1"));
        let message = |object: &Value| readiness(object).map_err(|e| e.to_string());
        assert_eq!(message(&sg), Err("no Ready condition yet".to_string()));
        let failing = json!({"status": {"conditions": [
            {"type": "Ready", "status": "True", "reason": "Available"},
            {"type": "Synced", "status": "False", "reason": "ReconcileError", "message": "AccessDenied"}]}});
        assert_eq!(
            message(&failing),
            Err("Synced=False (ReconcileError): AccessDenied".to_string())
        );
        let creating = json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "reason": "Creating"},
            {"type": "Synced", "status": "True"}]}});
        assert_eq!(
            message(&creating),
            Err("Ready=False (Creating)".to_string())
        );
    }

    #[test]
    fn only_known_kinds_are_observed_and_only_ours_are_read() {
        let mut observed = Observed::default();
        assert!(
            !observed
                .insert(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}))
        );
        let lb = |source: &str| {
            json!({"apiVersion": CROSSPLANE_API_VERSION, "kind": "LoadBalancer",
                "metadata": {"name": "ns.gw", "annotations": {names::SOURCE_ANNOTATION: source}}})
        };
        let key = ObjectKey::cluster("ns.gw");
        assert!(observed.insert(lb("Gateway ns/gw")));
        assert!(observed.ours(CONTRIB_LB, &key, "Gateway ns/gw").is_some());
        assert!(
            observed
                .ours(CONTRIB_LB, &key, "Gateway ns/other")
                .is_none()
        );
        observed.insert(lb("something else"));
        assert_eq!(observed.len(), 1, "same kind and name replace");
        assert!(observed.ours(CONTRIB_LB, &key, "Gateway ns/gw").is_none());
        // Upbound's namespaced and cluster-scoped LBs share a kind name, not a type.
        assert!(
            observed.insert(json!({"apiVersion": "elbv2.aws.m.upbound.io/v1beta1",
            "kind": "LB", "metadata": {"name": "gw", "namespace": "ns"}}))
        );
        let namespaced = CloudType::new(Family::UpboundNamespaced, CloudKind::LoadBalancer);
        assert!(
            observed
                .get(namespaced, &ObjectKey::new("ns", "gw"))
                .is_some()
        );
        let cluster = CloudType::new(Family::UpboundCluster, CloudKind::LoadBalancer);
        assert!(observed.get(cluster, &ObjectKey::cluster("gw")).is_none());
    }
}
