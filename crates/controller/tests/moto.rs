//! The controller loop with the real deployer against the moto emulator (AWS_ENDPOINT_URL;
//! skipped with a notice when unset — scripts/test.sh always sets it): a Gateway goes from
//! empty to Programmed with the load balancer's real ARN and DNS name, and its deletion
//! removes the load balancer before the finalizer.

mod support;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use gantry_api::wire::ALB_GATEWAY_FINALIZER;
use gantry_deploy::client::{ClientSettings, https_client};
use gantry_deploy::{DeploySettings, Deployer};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

const CLUSTER: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: gateway.k8s.aws/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: apps}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080, protocol: TCP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: apps}
spec:
  parentRefs: [{name: web}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /shop}}]
    backendRefs: [{name: echo, port: 80}]
"#;

fn endpoint() -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(e) if !e.is_empty() => Some(e),
        _ => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED controller moto scenario: AWS_ENDPOINT_URL is not set (scripts/test.sh sets it)"
            );
            None
        }
    }
}

/// A VPC with two subnets tagged for internal load balancers; returns the VPC id.
async fn vpc(config: &aws_config::SdkConfig, n: u32) -> String {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{n}.0.0/16"))
        .send()
        .await
        .expect("create VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("VPC id");
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Subnet)
            .tags(
                Tag::builder()
                    .key("kubernetes.io/role/internal-elb")
                    .value("1")
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key("kubernetes.io/role/elb")
                    .value("1")
                    .build(),
            )
            .build();
        ec2.create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{n}.{i}.0/24"))
            .availability_zone(format!("us-east-1{zone}"))
            .tag_specifications(tags)
            .send()
            .await
            .expect("create subnet");
    }
    vpc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_is_programmed_in_aws_and_deleted_from_it() {
    let Some(endpoint) = endpoint() else { return };
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .http_client(https_client())
        .load()
        .await;
    let n = std::process::id() % 200 + 20;
    let vpc_id = vpc(&sdk, n).await;
    let cluster = format!("controller-{}", std::process::id());
    let deployer = Arc::new(Deployer::new(
        &sdk,
        DeploySettings {
            vpc_id: Some(vpc_id),
            client: ClientSettings {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(100),
                requests_per_second: 0.0,
                burst: 1,
                region: None,
            },
            ..DeploySettings::new(&cluster)
        },
    ));
    let api = FakeApi::new();
    let mut c = config();
    c.translate.cluster_name = cluster.clone();
    c.backoff_min = Duration::from_millis(200);
    let running = start(&api, deployer.clone(), c).await;
    api.apply_yaml(CLUSTER);
    eventually("programmed in AWS", LIMIT, || {
        api.get("Gateway", "apps", "web")
            .is_some_and(|g| is_true(&g["status"], "Programmed"))
    })
    .await;
    let gw = api.get("Gateway", "apps", "web").unwrap();
    let arn = condition(&gw["status"], "Programmed").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(arn.starts_with("arn:aws:elasticloadbalancing:"), "{arn}");
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let lb = elbv2
        .describe_load_balancers()
        .load_balancer_arns(&arn)
        .send()
        .await
        .expect("the ARN in the status exists")
        .load_balancers
        .unwrap_or_default()
        .remove(0);
    assert_eq!(
        gw["status"]["addresses"][0]["value"],
        lb.dns_name.unwrap_or_default().to_ascii_lowercase()
    );
    assert!(has_finalizer(&gw, ALB_GATEWAY_FINALIZER));
    // The AWS calls are counted in the metrics.
    let metrics = running.handle.metrics.render();
    assert!(
        metrics.contains("operation=\"CreateLoadBalancer\"} 1"),
        "{metrics}"
    );

    api.delete("Gateway", "apps", "web");
    eventually("gateway gone", LIMIT, || {
        api.get("Gateway", "apps", "web").is_none()
    })
    .await;
    let gone = elbv2
        .describe_load_balancers()
        .load_balancer_arns(&arn)
        .send()
        .await;
    assert!(
        gone.map(|o| o.load_balancers.unwrap_or_default().is_empty())
            .unwrap_or(true),
        "the load balancer was deleted"
    );
    running.stop().await;
}
