//! GatewayClass `status.supportedFeatures` reaches the API server: the ALB and NLB classes list
//! their features (crates/gateway/src/features.rs), and a class whose parameters become
//! unusable drops the list.

mod support;

use gantry_gateway::LbKind;
use gantry_gateway::features::supported;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

fn features(api: &FakeApi, class: &str) -> Option<Vec<String>> {
    let c = api.get("GatewayClass", "", class)?;
    let list = c["status"]["supportedFeatures"].as_array()?.clone();
    Some(
        list.iter()
            .map(|f| f["name"].as_str().unwrap_or_default().to_string())
            .collect(),
    )
}

fn expected(lb: LbKind) -> Vec<String> {
    supported(lb).into_iter().map(String::from).collect()
}

#[tokio::test(start_paused = true)]
async fn accepted_classes_publish_their_supported_features() {
    let api = FakeApi::new();
    let running = start(&api, Arc::new(FakeDeploy::default()), config()).await;
    api.apply_yaml(&objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway_class("nlb", "nlb"),
    ]));
    eventually("both classes list their features", LIMIT, || {
        features(&api, "alb") == Some(expected(LbKind::Alb))
            && features(&api, "nlb") == Some(expected(LbKind::Nlb))
    })
    .await;

    // Parameters that do not exist: not accepted, so no features promised.
    api.modify("GatewayClass", "", "alb", |c| {
        c["spec"]["parametersRef"] = serde_json::json!({
            "group": "gateway.k8s.aws", "kind": "LoadBalancerConfiguration",
            "name": "missing", "namespace": "default"});
    });
    eventually("the unaccepted class lists none", LIMIT, || {
        let c = api.get("GatewayClass", "", "alb").unwrap();
        condition(&c["status"], "Accepted").is_some_and(|a| a["status"] == "False")
            && features(&api, "alb").is_none()
    })
    .await;
    running.stop().await;
}
