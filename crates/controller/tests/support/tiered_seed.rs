//! What the tiered scenarios check of the seed's Gateway `tiered/foo-gateway` in the cluster.

use super::apiserver::FakeApi;

/// Whether the Gateway, its shadow Gateway and route and its TargetGroupBinding are all gone
/// (the cloud objects are the scenario's to check).
pub fn gone_from_the_cluster(api: &FakeApi) -> bool {
    api.get("Gateway", "tiered", "foo-gateway").is_none()
        && api.get("Gateway", "tiered", "foo-gateway-istio").is_none()
        && api.get("HTTPRoute", "tiered", "foo-site-istio").is_none()
        && api
            .get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_none()
}
