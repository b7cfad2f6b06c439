//! Reads of what a test left in moto's ELBv2, so that tests assert on AWS as it is rather than
//! on what gantry reported.

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Listener, LoadBalancer, ProtocolEnum, Tag, TargetHealthDescription, TargetTypeEnum,
};

/// Every load balancer in the account, every page: a moto shared by many tests holds more than
/// one page of them.
pub async fn load_balancers(elbv2: &Client) -> Vec<LoadBalancer> {
    let mut out = Vec::new();
    let mut pages = elbv2.describe_load_balancers().into_paginator().send();
    while let Some(page) = pages.next().await {
        out.extend(
            page.expect("describe load balancers")
                .load_balancers
                .unwrap_or_default(),
        );
    }
    out
}

/// The ARN of the load balancer named `name`; panics when there is none.
pub async fn load_balancer_arn(elbv2: &Client, name: &str) -> String {
    elbv2
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .expect("describe load balancer")
        .load_balancers
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|l| l.load_balancer_arn)
        .unwrap_or_else(|| panic!("no load balancer {name}"))
}

/// The listeners of one load balancer.
pub async fn listeners(elbv2: &Client, lb_arn: &str) -> Vec<Listener> {
    elbv2
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("describe listeners")
        .listeners
        .unwrap_or_default()
}

/// The listener of one load balancer on `port`; panics when there is none.
pub async fn listener_on(elbv2: &Client, lb_arn: &str, port: i32) -> Listener {
    listeners(elbv2, lb_arn)
        .await
        .into_iter()
        .find(|l| l.port == Some(port))
        .unwrap_or_else(|| panic!("no listener on port {port} of {lb_arn}"))
}

/// The tags of one ELB resource.
pub async fn tags(elbv2: &Client, arn: &str) -> Vec<Tag> {
    elbv2
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .expect("describe tags")
        .tag_descriptions
        .unwrap_or_default()
        .into_iter()
        .flat_map(|d| d.tags.unwrap_or_default())
        .collect()
}

/// The certificate ARNs of the listener `listener_arn` (its default one among them), sorted
/// and each once.
pub async fn listener_certificate_arns(elbv2: &Client, listener_arn: &str) -> Vec<String> {
    let mut out: Vec<String> = elbv2
        .describe_listener_certificates()
        .listener_arn(listener_arn)
        .send()
        .await
        .expect("describe listener certificates")
        .certificates
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.certificate_arn)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The targets the target group `arn` holds, with their health.
pub async fn target_health(elbv2: &Client, arn: &str) -> Vec<TargetHealthDescription> {
    elbv2
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .expect("describe target health")
        .target_health_descriptions
        .unwrap_or_default()
}

/// Creates the untagged target group `name` (HTTP on 8080, ip targets) in the VPC `vpc_id`, as
/// someone other than gantry would; its ARN.
pub async fn create_ip_target_group(elbv2: &Client, name: &str, vpc_id: &str) -> String {
    let created = elbv2
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc_id)
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create target group {name}: {e:?}"));
    let group = created.target_groups.into_iter().flatten().next();
    group
        .and_then(|g| g.target_group_arn)
        .unwrap_or_else(|| panic!("no ARN for the target group {name}"))
}
