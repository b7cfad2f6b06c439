//! Istio as the tiered class sees it: the in-cluster controller of the shadow objects, whose
//! statuses the tests write as Istio would.

use super::apiserver::FakeApi;
use serde_json::{Value, json};

/// Programs the shadow Gateway `tiered/foo-gateway-istio` (each of its listeners) and
/// accepts the shadow route `tiered/foo-site-istio` (for each of its parents), at their
/// generations.
pub fn reports(api: &FakeApi) {
    let cond = |t: &str, generation: &Value| {
        json!({"type": t, "status": "True", "reason": t, "message": "istio",
            "observedGeneration": generation, "lastTransitionTime": "2024-01-01T00:00:00Z"})
    };
    api.modify("Gateway", "tiered", "foo-gateway-istio", |g| {
        let generation = g["metadata"]["generation"].clone();
        let listeners = each(&g["spec"]["listeners"], |l| {
            json!({"name": l["name"], "attachedRoutes": 1, "supportedKinds": [],
                "conditions": [cond("Accepted", &generation), cond("Programmed", &generation)]})
        });
        g["status"] = json!({"conditions": [cond("Accepted", &generation), cond("Programmed", &generation)],
            "listeners": listeners});
    });
    api.modify("HTTPRoute", "tiered", "foo-site-istio", |r| {
        let generation = r["metadata"]["generation"].clone();
        let parents = each(&r["spec"]["parentRefs"], |p| {
            json!({"parentRef": p, "controllerName": "istio.io/gateway-controller",
                "conditions": [cond("Accepted", &generation), cond("ResolvedRefs", &generation)]})
        });
        r["status"] = json!({"parents": parents});
    });
}

/// `status` of each entry of the list `list` (none when it is not a list).
fn each(list: &Value, status: impl Fn(&Value) -> Value) -> Vec<Value> {
    list.as_array().into_iter().flatten().map(status).collect()
}
