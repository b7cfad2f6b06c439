//! A status write compares against the watch cache only where that cache has seen the server's
//! latest status: a cache lagging more than one write behind once made gantry skip a write and
//! leave a Gateway's attachedRoutes stale.

mod support;

use gantry_api::gateway::Gateway;
use gantry_controller::status::{self, Written};
use kube::Api;
use serde_json::{Value, json};
use std::sync::Arc;
use support::apiserver::FakeApi;
use support::objects;

fn accepted(message: &str) -> Value {
    json!({"conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
        "message": message, "observedGeneration": 1,
        "lastTransitionTime": "2026-01-01T00:00:00Z"}]})
}

#[tokio::test]
async fn a_cache_two_writes_behind_is_not_trusted() {
    let api = FakeApi::new();
    api.apply_yaml(&objects::gateway("apps/web", "alb", &[("a", 80, "HTTP")]));
    let gateways: Api<Gateway> = Api::namespaced(api.client(), "apps");
    let read = || async { Arc::new(gateways.get("web").await.expect("get the Gateway")) };
    let write = |cached: Arc<Gateway>, message: &'static str| {
        let gateways = gateways.clone();
        async move {
            status::write(&gateways, Some(cached), "web", |_| accepted(message))
                .await
                .expect("status written")
        }
    };

    assert_eq!(write(read().await, "A").await, Written::Patched);
    let cached_at_a = read().await;
    assert_eq!(write(cached_at_a.clone(), "B").await, Written::Patched);
    assert_eq!(write(read().await, "C").await, Written::Patched);

    // The watch still shows status A, two writes ago; the server holds C. A is wanted again:
    // it must be written, not judged unchanged against the stale copy.
    assert_eq!(write(cached_at_a, "A").await, Written::Patched);
    let stored = api.get("Gateway", "apps", "web").expect("stored");
    assert_eq!(stored["status"]["conditions"][0]["message"], "A");
}
