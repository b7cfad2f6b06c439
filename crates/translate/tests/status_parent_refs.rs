//! A route's `status.parents[].parentRef` reads as the API server stores the spec's parentRef:
//! with `group` and `kind` filled in, also for objects that never went through defaulting.

mod support;

use gantry_gateway::routes::RouteKind;
use gantry_snapshot::ObjectKey;
use gantry_testkit::objects;
use gantry_translate::{Settings, translate};
use serde_json::json;
use std::sync::Arc;

/// A route to a Service through the Gateway `apps/gw` of class `alb` (added before them).
const MANIFESTS: &str = "
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: apps}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
";

#[test]
fn status_parent_refs_carry_the_defaulted_group_and_kind() {
    let manifests = objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/gw", "alb", &[("http", 80, "HTTP")]),
        MANIFESTS.to_string(),
    ]);
    let mut snapshot = support::load("input.yaml", &manifests);
    let key = ObjectKey::new("apps", "web");

    // As loaded: the spec's parentRef already has its defaults.
    // As built without defaulting (group and kind absent): the status must read the same.
    let mut undefaulted = (*snapshot.http_routes[&key]).clone();
    for parent in undefaulted.spec.parent_refs.iter_mut().flatten() {
        parent.group = None;
        parent.kind = None;
    }
    let expected = json!({
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "gw",
        "sectionName": "http",
    });
    for stage in ["loaded", "without defaults"] {
        if stage == "without defaults" {
            snapshot
                .http_routes
                .insert(key.clone(), Arc::new(undefaulted.clone()));
        }
        let translation = translate(&snapshot, &Settings::new("test"));
        let status = &translation.statuses.routes[&(RouteKind::Http, key.clone())];
        let parent_refs: Vec<_> = status
            .parents
            .iter()
            .map(|p| serde_json::to_value(&p.parent_ref).expect("serializes"))
            .collect();
        assert_eq!(parent_refs, std::slice::from_ref(&expected), "{stage}");
    }
}
