//! The controller loop with the real deployer against the moto emulator (AWS_ENDPOINT_URL;
//! failing when unset — scripts/test.sh always sets it): a Gateway goes from
//! empty to Programmed with the load balancer's real ARN and DNS name, and its deletion
//! removes the load balancer before the finalizer; a TargetGroupBinding keeps a real target
//! group holding its endpoints and empties it when deleted.

mod support;

use gantry_api::wire::ALB_GATEWAY_FINALIZER;
use gantry_deploy::{DeploySettings, Deployer};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

/// The Gateway `apps/web` (listener `http` on 80) and the route `apps/shop` to `apps/echo`.
fn manifests() -> String {
    objects::web_shop(&[("http", 80, "HTTP")])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_is_programmed_in_aws_and_deleted_from_it() {
    let moto = aws::moto("the controller moto scenario", "controller").await;
    let (sdk, cluster, deployer) = (&moto.sdk, &moto.cluster, moto.deployer());
    let api = FakeApi::new();
    let running = start(&api, deployer.clone(), moto_config(cluster)).await;
    api.apply_yaml(&manifests());
    eventually("programmed in AWS", LIMIT, || web_programmed(&api)).await;
    let gw = api.get("Gateway", "apps", "web").unwrap();
    let arn = condition(&gw["status"], "Programmed").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(arn.starts_with("arn:aws:elasticloadbalancing:"), "{arn}");
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(sdk);
    let lb = load_balancer(&elbv2, &arn)
        .await
        .expect("the ARN in the status exists");
    assert_eq!(
        gw["status"]["addresses"][0]["value"],
        lb.dns_name.unwrap_or_default().to_ascii_lowercase()
    );
    assert!(has_finalizer(&gw, ALB_GATEWAY_FINALIZER));
    // Its target group's binding names the real target group.
    eventually("binding with the target group's ARN", LIMIT, || {
        api.list("TargetGroupBinding").iter().any(|b| {
            b["spec"]["targetGroupARN"]
                .as_str()
                .is_some_and(|a| a.contains(":targetgroup/"))
        })
    })
    .await;
    // The AWS calls are counted in the metrics.
    let metrics = running.handle.metrics.render();
    assert!(
        metrics.contains("operation=\"CreateLoadBalancer\"} 1"),
        "{metrics}"
    );

    delete_until_gone(&api, "Gateway", "apps", "web", LIMIT).await;
    assert!(
        load_balancer(&elbv2, &arn).await.is_none(),
        "the load balancer was deleted"
    );
    running.stop().await;
}

/// The load balancer `arn`; None once it is deleted.
async fn load_balancer(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Option<aws_sdk_elasticloadbalancingv2::types::LoadBalancer> {
    let described = elbv2
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
        .ok()?;
    described.load_balancers?.into_iter().next()
}

/// Targets of an ip target group (made directly in the emulator), as the binding controller
/// registers them from an EndpointSlice.
async fn registered(elbv2: &aws_sdk_elasticloadbalancingv2::Client, arn: &str) -> Vec<String> {
    let mut ids: Vec<String> = gantry_testkit::elb::target_health(elbv2, arn)
        .await
        .into_iter()
        .filter(|d| {
            // Deregistered targets drain for a while; they are leaving.
            d.target_health
                .as_ref()
                .and_then(|h| h.state.as_ref())
                .is_none_or(|s| s.as_str() != "draining")
        })
        .filter_map(|d| d.target.and_then(|t| t.id))
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binding_keeps_a_real_target_group_in_step_with_its_endpoints() {
    let endpoint = aws::endpoint("the controller moto scenario");
    let sdk = aws::sdk(&endpoint).await;
    let vpc = aws::vpc(&sdk).await;
    let vpc_id = vpc.id.clone();
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let name = format!("tgb-{}", std::process::id());
    let tg_arn = gantry_testkit::elb::create_ip_target_group(&elbv2, &name, &vpc_id).await;
    let cluster = format!("controller-tgb-{}", std::process::id());
    let deployer = Arc::new(Deployer::new(
        &sdk,
        DeploySettings {
            vpc_id: Some(vpc_id),
            ..DeploySettings::new(&cluster)
        },
    ));
    let api = FakeApi::new();
    let running = start(&api, deployer, config()).await;
    let slice = |ips: &[&str]| {
        endpoints::echo_slice(
            ips.iter()
                .map(|ip| serde_json::json!({"addresses": [ip], "conditions": {"ready": true}}))
                .collect(),
        )
    };
    api.apply_yaml(
        r#"
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: apps}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
"#,
    );
    let (a, b) = (vpc.address(0, 10), vpc.address(1, 10));
    api.apply(slice(&[&a, &b]));
    api.apply(serde_json::json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
        "metadata": {"name": "echo", "namespace": "apps"},
        "spec": {"targetGroupARN": tg_arn, "targetType": "ip",
                 "serviceRef": {"name": "echo", "port": 80}},
    }));
    let want = |ips: &[&String]| ips.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for expected in [want(&[&a, &b]), want(&[&a])] {
        if expected.len() == 1 {
            api.apply(slice(&[&a]));
        }
        let start = tokio::time::Instant::now();
        while registered(&elbv2, &tg_arn).await != expected {
            assert!(start.elapsed() < LIMIT, "target group holds {expected:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    delete_until_gone(&api, "TargetGroupBinding", "apps", "echo", LIMIT).await;
    assert!(registered(&elbv2, &tg_arn).await.is_empty(), "deregistered");
    running.stop().await;
}
