use super::*;
use crate::route_parents::RouteIndex;
use gantry_api::gateway::HttpRoute;
use gantry_api::k8s::EndpointSlice;
use serde_json::json;

/// A route as the API server sends it: every kind of field the translation reads (matches,
/// filters, weighted backends, timeouts), a status written by two controllers, and the
/// metadata `trim::strip` drops.
fn route(name: &str, gateway: &str) -> HttpRoute {
    serde_json::from_value(json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {
            "name": name, "namespace": "apps", "generation": 3, "resourceVersion": "77",
            "uid": "4c1f", "creationTimestamp": "2026-01-02T03:04:05Z",
            "labels": {"team": "web"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "x"},
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
        },
        "spec": {
            "parentRefs": [{"name": gateway, "sectionName": "https"},
                           {"group": "gateway.networking.k8s.io", "kind": "ListenerSet", "name": "extra"}],
            "hostnames": ["a.example.com"],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/api"},
                             "headers": [{"name": "x-env", "value": "canary"}],
                             "method": "GET"}],
                "filters": [{"type": "RequestHeaderModifier",
                             "requestHeaderModifier": {"set": [{"name": "x-a", "value": "1"}]}}],
                "backendRefs": [{"name": "web", "port": 80, "weight": 90},
                                {"name": "web-next", "port": 80, "weight": 10}],
                "timeouts": {"request": "10s"},
            }],
        },
        "status": {"parents": [
            {"parentRef": {"name": "old"}, "controllerName": "gateway.k8s.aws/alb",
             "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
                             "message": "", "observedGeneration": 2,
                             "lastTransitionTime": "2026-01-02T03:04:05Z"}]},
        ]},
    }))
    .expect("an HTTPRoute")
}

fn routes() -> (
    Compact<HttpRoute, RouteIndex>,
    CompactWriter<HttpRoute, RouteIndex>,
) {
    Compact::new(RouteIndex::of::<HttpRoute>)
}

fn trimmed(mut r: HttpRoute) -> HttpRoute {
    crate::trim::strip(&mut r);
    r
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::new("apps", name)
}

#[test]
fn a_cached_route_decodes_to_the_object_it_was_given() {
    let (cache, mut writer) = routes();
    let web = trimmed(route("web", "gw"));
    writer.apply_watcher_event(&Event::Apply(web.clone()));
    let back = cache.get(&key("web")).expect("cached");
    assert_eq!(
        serde_json::to_value(back.as_ref()).unwrap(),
        serde_json::to_value(&web).unwrap()
    );
    // Field by field, not only as JSON: the typed object is the same.
    assert_eq!(*back, web);
    assert!(back.metadata.managed_fields.is_none());
    assert_eq!(back.metadata.annotations.as_ref().map(|a| a.len()), Some(1));
}

#[test]
fn a_trimmed_endpoint_slice_survives_the_cache() {
    let (cache, mut writer) = Compact::new(|_: &EndpointSlice| ());
    let mut slice: EndpointSlice = serde_json::from_value(json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-x1", "namespace": "apps",
                     "labels": {"kubernetes.io/service-name": "web", "other": "x"}},
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {"addresses": ["10.0.0.1"], "conditions": {"ready": true, "serving": true, "terminating": false},
             "nodeName": "n", "targetRef": {"kind": "Pod", "name": "web-1", "uid": "u"}},
            {"addresses": ["10.0.0.2"]},
        ],
    }))
    .unwrap();
    crate::trim::endpoint_slice(&mut slice);
    writer.apply_watcher_event(&Event::Apply(slice.clone()));
    assert_eq!(*cache.get(&key("web-x1")).unwrap(), slice);
}

#[test]
fn the_index_is_what_readers_select_on() {
    let (cache, mut writer) = routes();
    writer.apply_watcher_event(&Event::Apply(route("a", "gw")));
    writer.apply_watcher_event(&Event::Apply(route("b", "other")));
    let index = |k: &ObjectKey| {
        let found = std::cell::RefCell::new(None);
        cache.any(|key, i| {
            if key == k {
                *found.borrow_mut() = Some(i.clone());
            }
            false
        });
        found.into_inner().expect("cached")
    };
    let a = index(&key("a"));
    // Spec and status parents, Gateways apart from ListenerSets.
    assert_eq!(a.gateways(), [key("gw"), key("old")]);
    assert_eq!(a.listener_sets(), [key("extra")]);
    assert!(!a.tiered);
    let on_gw = cache.select(|_, i| i.gateways().contains(&key("gw")));
    assert_eq!(on_gw.keys().cloned().collect::<Vec<_>>(), [key("a")]);
    assert_eq!(*on_gw[&key("a")], route("a", "gw"));
    assert!(cache.any(|_, i| i.gateways().contains(&key("other"))));
    assert!(!cache.any(|_, i| i.gateways().contains(&key("nobody"))));
}

#[test]
fn an_update_replaces_and_a_delete_removes() {
    let (cache, mut writer) = routes();
    writer.apply_watcher_event(&Event::Apply(route("a", "gw")));
    writer.apply_watcher_event(&Event::Apply(route("a", "moved")));
    assert_eq!(cache.len(), 1);
    assert_eq!(*cache.get(&key("a")).unwrap(), route("a", "moved"));
    assert!(cache.any(|_, i| i.gateways().contains(&key("moved"))));
    assert!(!cache.any(|_, i| i.gateways().contains(&key("gw"))));
    writer.apply_watcher_event(&Event::Delete(route("a", "moved")));
    assert!(cache.is_empty());
    assert!(cache.get(&key("a")).is_none());
}

#[test]
fn a_relist_replaces_the_contents_when_it_ends() {
    let (cache, mut writer) = routes();
    writer.apply_watcher_event(&Event::Apply(route("gone", "gw")));
    writer.apply_watcher_event(&Event::Apply(route("kept", "gw")));
    let before = cache.held();
    writer.apply_watcher_event(&Event::Init);
    writer.apply_watcher_event(&Event::InitApply(route("kept", "other")));
    writer.apply_watcher_event(&Event::InitApply(route("new", "gw")));
    // Until the list ends, readers see the old contents.
    let keys = |c: &Compact<HttpRoute, RouteIndex>| c.all().into_keys().collect::<Vec<_>>();
    assert_eq!(keys(&cache), [key("gone"), key("kept")]);
    writer.apply_watcher_event(&Event::InitDone);
    assert_eq!(keys(&cache), [key("kept"), key("new")]);
    assert_eq!(*cache.get(&key("kept")).unwrap(), route("kept", "other"));
    // What was held before the relist still decodes: a deletion missed while the watch was
    // down is told with the object it deleted.
    let (k, held) = &before[0];
    assert_eq!(k, &key("gone"));
    let gone = Compact::<HttpRoute, RouteIndex>::decode(k, held).unwrap();
    assert_eq!(*gone, route("gone", "gw"));
}

#[test]
fn a_route_made_by_the_tiered_controller_is_marked_in_the_index() {
    let (cache, mut writer) = routes();
    let mut r = route("shadow", "gw");
    r.metadata.labels = Some(
        [(
            gantry_tiered::names::MANAGED_BY.0.to_string(),
            gantry_tiered::names::MANAGED_BY.1.to_string(),
        )]
        .into(),
    );
    writer.apply_watcher_event(&Event::Apply(route("plain", "gw")));
    assert!(!cache.any(|_, i| i.tiered));
    writer.apply_watcher_event(&Event::Apply(r));
    assert!(cache.any(|_, i| i.tiered));
}
