//! Each seed example, from an empty cluster to Programmed, through the real controller loop
//! (watches, triggers, reconcile, status writes, finalizers) against the API server stand-in
//! and a fake AWS.

mod support;

use gantry_api::wire::{
    ALB_CONTROLLER_NAME, ALB_GATEWAY_FINALIZER, GATEWAY_CLASS_FINALIZER, NLB_CONTROLLER_NAME,
};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

/// Applies an example and waits until `gateway` is programmed; returns the Gateway.
async fn programmed(
    example_dir: &str,
    gateway: (&str, &str),
) -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&example("gatewayclasses.yaml"));
    api.apply_yaml(&example(example_dir));
    let (ns, name) = gateway;
    eventually(&format!("{ns}/{name} programmed"), LIMIT, || {
        api.get("Gateway", ns, name)
            .is_some_and(|g| is_true(&g["status"], "Programmed"))
    })
    .await;
    (api, deploy, running)
}

#[tokio::test(start_paused = true)]
async fn alb_basic_becomes_programmed_with_its_address_and_route_conditions() {
    let (api, deploy, running) = programmed("alb-basic", ("alb-basic", "my-alb-gateway")).await;
    let gw = api.get("Gateway", "alb-basic", "my-alb-gateway").unwrap();
    let key = "alb-basic/my-alb-gateway";
    let arn = FakeDeploy::arn(key, gantry_model::LoadBalancerType::Application);
    assert_eq!(
        condition(&gw["status"], "Programmed").unwrap()["message"],
        arn.as_str()
    );
    assert_eq!(gw["status"]["addresses"][0]["value"], FakeDeploy::dns(key));
    assert_eq!(gw["status"]["addresses"][0]["type"], "Hostname");
    assert!(has_finalizer(&gw, ALB_GATEWAY_FINALIZER));
    assert!(deploy.stack(key).is_some());
    eventually("route accepted on both listeners", LIMIT, || {
        api.get("HTTPRoute", "alb-basic", "my-http-app-route")
            .is_some_and(|r| {
                ["http", "https"].iter().all(|s| {
                    parent_entry(&r, ALB_CONTROLLER_NAME, "my-alb-gateway", Some(s))
                        .is_some_and(|p| is_true(p, "Accepted") && is_true(p, "ResolvedRefs"))
                })
            })
    })
    .await;
    eventually("class accepted and finalized", LIMIT, || {
        api.get("GatewayClass", "", "aws-alb-gateway-class")
            .is_some_and(|c| {
                is_true(&c["status"], "Accepted") && has_finalizer(&c, GATEWAY_CLASS_FINALIZER)
            })
    })
    .await;
    // The binding controller takes the Gateway's bindings over (its finalizer) once.
    eventually("bindings finalized", LIMIT, || {
        api.list("TargetGroupBinding")
            .iter()
            .all(|b| has_finalizer(b, "elbv2.k8s.aws/resources"))
    })
    .await;
    // Steady state: nothing more is written once everything is programmed.
    let writes = patches(&api, "");
    tokio::time::sleep(Duration::from_secs(30)).await;
    let later = patches(&api, "");
    assert_eq!(
        writes,
        later,
        "no status churn: {:?}",
        &api.requests()[writes..]
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn other_alb_seeds_become_programmed() {
    for (dir, ns, name) in [
        (
            "alb-request-header-attributes",
            "alb-request-header-attributes",
            "my-alb-gateway",
        ),
        ("alb-source-ip-rule", "alb-source-ip-rule", "my-alb-gateway"),
    ] {
        let (api, _deploy, running) = programmed(dir, (ns, name)).await;
        let routes = api.list("HTTPRoute");
        assert!(!routes.is_empty(), "{dir} has routes");
        eventually(
            &format!("{dir}: routes have our parent entries"),
            LIMIT,
            || {
                api.list("HTTPRoute").iter().all(|r| {
                    r["status"]["parents"].as_array().is_some_and(|p| {
                        p.iter().any(|e| e["controllerName"] == ALB_CONTROLLER_NAME)
                    })
                })
            },
        )
        .await;
        running.stop().await;
    }
}

#[tokio::test(start_paused = true)]
async fn nlb_and_chaining_seeds_become_programmed() {
    for (dir, gateways) in [
        ("nlb-tcp", vec![("nlb-tcp", "my-tcp-gateway")]),
        (
            "chaining",
            vec![
                ("chaining", "my-alb-gateway"),
                ("chaining", "my-tcp-gateway"),
            ],
        ),
        (
            "chaining-cross-namespace",
            vec![
                ("alb-gw-ns", "my-alb-gateway"),
                ("nlb-gw-ns", "my-tcp-gateway"),
            ],
        ),
    ] {
        let (api, deploy, running) = programmed(dir, gateways[0]).await;
        for (ns, name) in &gateways {
            eventually(&format!("{ns}/{name} programmed"), LIMIT, || {
                api.get("Gateway", ns, name)
                    .is_some_and(|g| is_true(&g["status"], "Programmed"))
            })
            .await;
        }
        eventually(&format!("{dir}: TCP routes accepted"), LIMIT, || {
            api.list("TCPRoute").iter().all(|r| {
                r["status"]["parents"].as_array().is_some_and(|p| {
                    p.iter().any(|e| {
                        e["controllerName"] == NLB_CONTROLLER_NAME && is_true(e, "Accepted")
                    })
                })
            })
        })
        .await;
        if dir == "chaining" {
            // The NLB forwards to the ALB whose ARN the ALB Gateway's Programmed message carries.
            let alb = FakeDeploy::arn(
                "chaining/my-alb-gateway",
                gantry_model::LoadBalancerType::Application,
            );
            eventually("the NLB forwards to the ALB's ARN", LIMIT, || {
                deploy
                    .stack("chaining/my-tcp-gateway")
                    .is_some_and(|s| serde_json::to_string(&s).unwrap().contains(&alb))
            })
            .await;
        }
        running.stop().await;
    }
}

#[tokio::test(start_paused = true)]
async fn deleting_a_chained_alb_moves_its_nlbs_off_it_first() {
    let (api, deploy, running) = programmed("chaining", ("chaining", "my-alb-gateway")).await;
    eventually("NLB programmed", LIMIT, || {
        api.get("Gateway", "chaining", "my-tcp-gateway")
            .is_some_and(|g| is_true(&g["status"], "Programmed"))
    })
    .await;
    delete_until_gone(&api, "Gateway", "chaining", "my-alb-gateway", LIMIT).await;
    let ops = deploy.ops();
    let deleted = ops
        .iter()
        .position(|o| o == "delete chaining/my-alb-gateway")
        .expect("ALB deleted");
    assert_eq!(
        ops[deleted - 1],
        "apply chaining/my-tcp-gateway",
        "the NLB is re-applied right before the ALB goes: {ops:?}"
    );
    let no_alb_targets = || {
        let nlb = deploy.stack("chaining/my-tcp-gateway").unwrap();
        nlb.target_groups
            .iter()
            .all(|t| t.target_type != gantry_model::TargetType::Alb)
    };
    assert!(
        no_alb_targets(),
        "{:?}",
        deploy.stack("chaining/my-tcp-gateway")
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(no_alb_targets());
    running.stop().await;
}
