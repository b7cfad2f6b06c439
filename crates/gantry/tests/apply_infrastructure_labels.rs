//! `gantry apply -f` of a Gateway with `spec.infrastructure.labels`, against the moto emulator:
//! every ELB resource of its stack (load balancer, listener, rule, target group) carries the
//! labels as tags, a changed label is retagged in place, and gantry's ownership tags stay.
//! Needs AWS_ENDPOINT_URL (scripts/moto.sh); fails without it.

mod common;

use common::{Aws, aws, gantry};
use gantry_deploy::client::block_on;
use gantry_testkit::elb;
use gantry_testkit::objects::{docs, gateway_class, http_route, node_port_service};
use gantry_testkit::route_builders::{gateway_of, plain};
use std::collections::BTreeMap;

fn manifests(team: &str) -> String {
    let labels = format!(
        "  infrastructure:\n    labels: {{team: {team}, app.kubernetes.io/part-of: shop}}\n"
    );
    docs([
        gateway_class("gantry-alb", "alb"),
        gateway_of(
            "shop/web",
            "gantry-alb",
            &[plain(("http", 80, "HTTP"))],
            &labels,
        ),
        http_route("shop/app", &["web"], Some("/app"), &[("app", 80)]),
        node_port_service("shop/app", 80, 30982),
    ])
}

/// The tags of the load balancer named `name`, of its listener on 80, of that listener's
/// first non-default rule and of the rule's target group, in that order.
async fn stack_tags(aws: &Aws, name: &str) -> Vec<BTreeMap<String, String>> {
    let lb = elb::load_balancer_arn(&aws.elbv2, name).await;
    let listener = elb::listener_on(&aws.elbv2, &lb, 80)
        .await
        .listener_arn
        .expect("listener ARN");
    let rules = aws
        .elbv2
        .describe_rules()
        .listener_arn(&listener)
        .send()
        .await
        .expect("DescribeRules");
    let rule = rules
        .rules()
        .iter()
        .find(|r| r.is_default() != Some(true))
        .expect("a rule");
    let target_group = rule.actions()[0]
        .forward_config()
        .and_then(|f| f.target_groups().first())
        .and_then(|t| t.target_group_arn())
        .expect("a forwarded target group")
        .to_string();
    let mut out = Vec::new();
    for arn in [
        &lb,
        &listener,
        rule.rule_arn().expect("rule ARN"),
        &target_group,
    ] {
        let tags = elb::tags(&aws.elbv2, arn).await;
        out.push(
            tags.iter()
                .map(|t| {
                    let key = t.key().unwrap_or_default().to_string();
                    (key, t.value().unwrap_or_default().to_string())
                })
                .collect(),
        );
    }
    out
}

#[test]
fn infrastructure_labels_tag_every_resource_and_follow_changes() {
    let endpoint = gantry_testkit::moto::endpoint("apply with infrastructure labels");
    let aws = block_on(aws(&endpoint)).expect("runtime");
    let vpc = block_on(gantry_testkit::moto::vpc(
        &aws.config,
        "infrastructure-labels",
        &["a", "b"],
    ))
    .expect("runtime")
    .id;
    let cluster = format!("labels-{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("gantry-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("gateway.yaml");
    let path = file.to_str().expect("UTF-8 path").to_string();
    std::fs::write(&file, manifests("web")).expect("write");

    let (_, stacks) = common::planned(&endpoint, &path, &cluster);
    let name = stacks[0].load_balancer.name.clone();

    let common = ["--cluster-name", cluster.as_str(), "--vpc-id", vpc.as_str()];
    let apply: Vec<&str> = ["apply", "-f", &path].into_iter().chain(common).collect();
    gantry(&endpoint, &apply);
    let tagged = block_on(stack_tags(&aws, &name)).expect("runtime");
    for tags in &tagged {
        assert_eq!(
            tags.get("team").map(String::as_str),
            Some("web"),
            "{tags:?}"
        );
        assert_eq!(
            tags.get("app.kubernetes.io/part-of").map(String::as_str),
            Some("shop")
        );
        assert_eq!(
            tags.get("elbv2.k8s.aws/cluster").map(String::as_str),
            Some(cluster.as_str()),
            "ownership tags stay"
        );
    }

    // A changed label: the same resources, retagged.
    std::fs::write(&file, manifests("platform")).expect("write");
    let second = gantry(&endpoint, &apply);
    assert!(String::from_utf8_lossy(&second.stdout).contains("tags"));
    let retagged = block_on(stack_tags(&aws, &name)).expect("runtime");
    for tags in &retagged {
        assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
    }

    let delete: Vec<&str> = ["delete", "-f", &path].into_iter().chain(common).collect();
    gantry(&endpoint, &delete);
    let _ = std::fs::remove_dir_all(&dir);
}
