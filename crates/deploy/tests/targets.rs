//! Target registration and backend security group rules against the moto emulator: only the
//! difference becomes calls, batched, and rules gantry did not add are never revoked.

mod common;

use aws_sdk_ec2::types::{IpPermission, ResourceType, Tag, TagSpecification, UserIdGroupPair};
use common::*;
use gantry_deploy::targets::{TARGETS_PER_CALL, rule_marker, worker_tag_key};
use gantry_deploy::{BackendRule, DeploySettings, Deployer, RuleSource};
use gantry_model::Target;
use std::collections::BTreeMap;

/// Calls per operation made while `f` ran.
async fn calls_during<T>(
    d: &Deployer,
    f: impl std::future::Future<Output = T>,
) -> (T, BTreeMap<String, u64>) {
    let before = d.call_counts();
    let out = f.await;
    let mut made = BTreeMap::new();
    for ((service, op), n) in d.call_counts() {
        let delta = n - before.get(&(service, op.clone())).copied().unwrap_or(0);
        if delta > 0 {
            made.insert(op, delta);
        }
    }
    (out, made)
}

fn ops(list: &[(&str, u64)]) -> BTreeMap<String, u64> {
    list.iter().map(|(o, n)| (o.to_string(), *n)).collect()
}

/// Syncs the rules `wanted` on the worker group `nodes`: what is missing is added in one read
/// and one authorize call, and syncing again reads once and changes nothing. What was added.
async fn add_rules_in_one_call(
    d: &Deployer,
    nodes: &str,
    wanted: &[BackendRule],
) -> Vec<BackendRule> {
    let (r, made) = calls_during(d, d.sync_backend_rules(nodes, wanted, true)).await;
    let added = r.expect("add").added;
    assert_eq!(
        made,
        ops(&[
            ("DescribeSecurityGroups", 1),
            ("AuthorizeSecurityGroupIngress", 1)
        ])
    );
    let (r, made) = calls_during(d, d.sync_backend_rules(nodes, wanted, true)).await;
    assert_eq!(r.expect("again"), Default::default());
    assert_eq!(made, ops(&[("DescribeSecurityGroups", 1)]));
    added
}

/// The ip target group `<cluster>-tg` of the test's VPC, untagged; its ARN.
async fn ip_target_group(fx: &Fixture) -> String {
    let name = format!("{}-tg", fx.cluster);
    gantry_testkit::elb::create_ip_target_group(&fx.elbv2, &name, &fx.vpc).await
}

/// `n` pod IPs from `base` on, on port 8080.
fn pods(base: u32, n: u32) -> Vec<Target> {
    let mut out: Vec<Target> = (base..base + n)
        .map(|i| Target {
            id: format!("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256),
            port: 8080,
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_scale_up_and_down_with_only_the_difference_as_calls() {
    let fx = Fixture::start("targets_scale", "tscale").await;
    let d = fx.deployer();
    let arn = ip_target_group(&fx).await;

    // Each step: the pods wanted and those it registers (as `pods` arguments), how many it
    // deregisters, and its RegisterTargets and DeregisterTargets calls besides the one
    // DescribeTargetHealth; after it, the group holds what was wanted.
    let steps = [
        ("scale 0 → 3", (0, 3), (0, 3), 0, (1, 0)),
        ("scale 3 → 5", (0, 5), (3, 2), 0, (1, 0)),
        ("scale 5 → 2", (3, 2), (0, 0), 3, (0, 1)),
        // Nothing changed: the describe and no other call.
        ("no-op", (3, 2), (0, 0), 0, (0, 0)),
        // A rolling replacement: new pods are registered before the old ones go.
        ("replace", (10, 2), (10, 2), 2, (1, 1)),
    ];
    for (step, (from, n), registered, deregistered, (registers, deregisters)) in steps {
        let wanted = pods(from, n);
        let (r, made) = calls_during(&d, d.sync_targets(&arn, &wanted)).await;
        let changes = r.expect(step);
        assert_eq!(
            changes.registered,
            pods(registered.0, registered.1),
            "{step}"
        );
        assert_eq!(changes.deregistered.len(), deregistered, "{step}");
        let calls = [
            ("DescribeTargetHealth", 1),
            ("RegisterTargets", registers),
            ("DeregisterTargets", deregisters),
        ];
        let made_calls: Vec<_> = calls.into_iter().filter(|(_, count)| *count > 0).collect();
        assert_eq!(made, ops(&made_calls), "{step}");
        assert_eq!(fx.held_targets(&arn).await, wanted, "{step}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_1000_endpoint_changes_is_coalesced_into_batched_calls() {
    let fx = Fixture::start("targets_burst", "tburst").await;
    let d = fx.deployer();
    let arn = ip_target_group(&fx).await;
    let batches = 1000_u64.div_ceil(TARGETS_PER_CALL as u64);

    // 1,000 endpoints appear at once (one sync of the final state, however many events).
    let (r, made) = calls_during(&d, d.sync_targets(&arn, &pods(0, 1000))).await;
    assert_eq!(r.expect("burst up").registered.len(), 1000);
    assert_eq!(
        made,
        ops(&[("DescribeTargetHealth", 1), ("RegisterTargets", batches)])
    );
    assert_eq!(fx.held_targets(&arn).await.len(), 1000);

    // All 1,000 replaced: 1,000 registrations and 1,000 deregistrations.
    let (r, made) = calls_during(&d, d.sync_targets(&arn, &pods(5000, 1000))).await;
    let changes = r.expect("burst replace");
    assert_eq!(
        (changes.registered.len(), changes.deregistered.len()),
        (1000, 1000)
    );
    assert_eq!(
        made,
        ops(&[
            ("DescribeTargetHealth", 1),
            ("RegisterTargets", batches),
            ("DeregisterTargets", batches)
        ])
    );
    assert_eq!(fx.held_targets(&arn).await, pods(5000, 1000));
    println!(
        "1,000 endpoints: {batches} RegisterTargets calls; 2,000 changes: {} calls",
        2 * batches
    );

    let (r, made) = calls_during(&d, d.sync_targets(&arn, &[])).await;
    assert_eq!(r.expect("burst down").deregistered.len(), 1000);
    assert_eq!(
        made,
        ops(&[("DescribeTargetHealth", 1), ("DeregisterTargets", batches)])
    );
    assert!(fx.held_targets(&arn).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_the_calls_and_makes_none() {
    let fx = Fixture::start("targets_dry_run", "tdry").await;
    let arn = ip_target_group(&fx).await;
    let d = Deployer::new(
        &fx.config,
        DeploySettings {
            dry_run: true,
            ..fx.settings()
        },
    );
    let (r, made) = calls_during(&d, d.sync_targets(&arn, &pods(0, 450))).await;
    let changes = r.expect("dry run");
    assert!(changes.dry_run);
    assert_eq!((changes.registered.len(), changes.calls), (450, 3));
    assert_eq!(made, ops(&[("DescribeTargetHealth", 1)]));
    assert!(fx.held_targets(&arn).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_rules_are_added_and_removed_and_foreign_rules_are_left_alone() {
    let fx = Fixture::start("backend_rules", "trules").await;
    let d = fx.deployer();
    let group = |name: String, tags: Vec<Tag>| {
        let ec2 = fx.ec2.clone();
        let vpc = fx.vpc.clone();
        async move {
            ec2.create_security_group()
                .group_name(&name)
                .description(&name)
                .vpc_id(vpc)
                .tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::SecurityGroup)
                        .set_tags(Some(tags))
                        .build(),
                )
                .send()
                .await
                .expect("create security group")
                .group_id
                .expect("group id")
        }
    };
    let cluster_tag = Tag::builder()
        .key(worker_tag_key(&fx.cluster))
        .value("owned")
        .build();
    let nodes = group(format!("{}-nodes", fx.cluster), vec![cluster_tag]).await;
    let name = |n: &str| vec![Tag::builder().key("Name").value(n).build()];
    let other = group(format!("{}-other", fx.cluster), name("other")).await;
    let lb = group(format!("{}-lb", fx.cluster), name("lb")).await;
    assert_eq!(
        d.worker_security_groups().await.expect("workers"),
        std::slice::from_ref(&nodes)
    );

    // Someone else already opened 30080 from the load balancer group, without the marker.
    fx.ec2
        .authorize_security_group_ingress()
        .group_id(&nodes)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(30080)
                .to_port(30080)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&lb).build())
                .build(),
        )
        .send()
        .await
        .expect("foreign rule");
    let rule = |port: i32| BackendRule {
        ip_protocol: "tcp".into(),
        port: Some(port),
        source: RuleSource::Group(lb.clone()),
    };
    let wanted = [rule(30080), rule(30081), rule(8443)];
    assert_eq!(
        add_rules_in_one_call(&d, &nodes, &wanted).await,
        [rule(30081), rule(8443)]
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );

    // A second load balancer group; closing its ports leaves the first one's rules.
    let lb2 = group(format!("{}-lb2", fx.cluster), name("lb2")).await;
    let from_lb2 = BackendRule {
        ip_protocol: "udp".into(),
        port: Some(9000),
        source: RuleSource::Group(lb2.clone()),
    };
    let mut both = wanted.to_vec();
    both.push(from_lb2.clone());
    let (r, _) = calls_during(&d, d.sync_backend_rules(&nodes, &both, true)).await;
    assert_eq!(
        r.expect("second source").added,
        std::slice::from_ref(&from_lb2)
    );
    let (r, made) = calls_during(&d, d.close_backend_ports(&lb2)).await;
    let closed = r.expect("close");
    assert_eq!(closed.len(), 1, "one worker group");
    assert_eq!(closed[0].1.removed, [from_lb2]);
    assert_eq!(
        made,
        ops(&[
            ("DescribeSecurityGroups", 2),
            ("RevokeSecurityGroupIngress", 1)
        ])
    );

    // Address blocks and all-port rules (a binding's `networking` may name them) are added
    // in the same one call, and found again as present.
    let cidr_rules = [
        BackendRule {
            ip_protocol: "tcp".into(),
            port: None,
            source: RuleSource::Ipv4("10.1.0.0/16".into()),
        },
        BackendRule {
            ip_protocol: "udp".into(),
            port: Some(53),
            source: RuleSource::Ipv6("2001:db8::/32".into()),
        },
    ];
    let mut with_cidrs = wanted.to_vec();
    with_cidrs.extend(cidr_rules.iter().cloned());
    assert_eq!(
        add_rules_in_one_call(&d, &nodes, &with_cidrs).await,
        cidr_rules
    );

    // Without pruning nothing goes; with it, only gantry's own rules go.
    let (r, _) = calls_during(&d, d.sync_backend_rules(&nodes, &[], false)).await;
    assert!(r.expect("add only").removed.is_empty());
    let (r, made) = calls_during(&d, d.sync_backend_rules(&nodes, &[], true)).await;
    assert_eq!(r.expect("remove").removed.len(), 4);
    assert_eq!(
        made,
        ops(&[
            ("DescribeSecurityGroups", 1),
            ("RevokeSecurityGroupIngress", 1)
        ])
    );
    let left = rules_on(&fx, &nodes).await;
    assert_eq!(left, [(30080, None)], "the foreign rule stays");
    assert!(
        !left
            .iter()
            .any(|(_, d)| d.as_deref() == Some(rule_marker(&fx.cluster).as_str()))
    );
    // A group without the cluster tag is never a worker group.
    assert!(!d.worker_security_groups().await.unwrap().contains(&other));
}

/// `(port, description)` of the group-sourced rules on `group`.
async fn rules_on(fx: &Fixture, group: &str) -> Vec<(i32, Option<String>)> {
    let groups = fx.security_groups("group-id", group).await;
    let mut out = Vec::new();
    for p in groups
        .into_iter()
        .flat_map(|g| g.ip_permissions.unwrap_or_default())
    {
        for pair in p.user_id_group_pairs.unwrap_or_default() {
            out.push((p.from_port.unwrap_or(-1), pair.description));
        }
    }
    out.sort();
    out
}
