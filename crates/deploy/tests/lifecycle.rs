//! Apply, re-apply, modify and delete against the moto emulator.

mod common;

use common::*;
use gantry_deploy::ErrorClass;
use gantry_model::*;
use gantry_testkit::{calls, elb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_from_empty_then_reapply_makes_no_mutating_call_and_delete_leaves_nothing() {
    let fx = Fixture::start("apply_from_empty", "life").await;
    let stack = fx.web_stack("demo/web");
    let d = fx.deployer();

    let first = d.apply(&stack).await.expect("first apply");
    println!("{first}");
    let address = first.load_balancer.clone().expect("address");
    assert!(!address.dns_name.is_empty());
    // SG + 2 ingress… no: SG create, ingress, backend-less: 2 TGs, LB, listener, 3 rules.
    assert!(first.mutating_calls >= 8, "{first:?}");
    let listener = fx.listener_arn(&address.arn, 80).await;
    assert_eq!(fx.rules(&listener).await.len(), 3);

    // What the first apply created it remembers with its tags and listener attributes: the
    // next reconcile reads neither.
    let remembered_reads = |d: &gantry_deploy::Deployer| {
        calls::count(
            &d.call_counts(),
            &["DescribeTags", "DescribeListenerAttributes"],
        )
    };
    let before = remembered_reads(&d);
    let second = d.apply(&stack).await.expect("second apply");
    assert!(second.is_unchanged(), "{second}");
    assert_eq!(second.mutating_calls, 0);
    assert_eq!(
        remembered_reads(&d),
        before,
        "known: no DescribeTags nor attributes"
    );
    // A new deployer (a restarted controller) reads them once, then knows them too.
    let fresh = fx.deployer();
    assert!(
        fresh
            .apply(&stack)
            .await
            .expect("fresh apply")
            .is_unchanged()
    );
    let read = remembered_reads(&fresh);
    assert!(read > 0);
    assert!(fresh.apply(&stack).await.expect("again").is_unchanged());
    assert_eq!(remembered_reads(&fresh), read);
    println!("calls so far: {:?}", d.call_counts());

    let gone = d
        .delete("demo/web", LoadBalancerType::Application)
        .await
        .expect("delete");
    println!("{gone}");
    let left = fx.tagged().await;
    assert!(left.is_empty(), "still tagged for the cluster: {left:?}");
    let again = d
        .delete("demo/web", LoadBalancerType::Application)
        .await
        .expect("delete again");
    assert_eq!(again.mutating_calls, 0);
}

/// DescribeTargetGroups pages through every target group of the account, so the listing is
/// kept while gantry changes no target group; a creation or deletion makes the next run list
/// again, and that run sees what was made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_groups_are_listed_again_only_after_gantry_changed_one() {
    let fx = Fixture::start("target group listing", "listing").await;
    let mut stack = fx.web_stack("demo/listing");
    let d = fx.deployer();
    let listings =
        |d: &gantry_deploy::Deployer| calls::count(&d.call_counts(), &["DescribeTargetGroups"]);
    d.apply(&stack).await.expect("first apply");
    let after_creation = listings(&d);
    assert!(d.apply(&stack).await.expect("second").is_unchanged());
    let listed = listings(&d);
    assert!(
        listed > after_creation,
        "the creations forgot the listing: the next run lists"
    );
    assert!(d.apply(&stack).await.expect("third").is_unchanged());
    assert_eq!(listings(&d), listed, "nothing changed: the listing is kept");

    let extra = target_group(&fx.cluster, &stack, "extra", 8090);
    stack.target_groups.push(extra.clone());
    let created = d.apply(&stack).await.expect("a target group more");
    assert!(created.mutating_calls > 0, "{created}");
    let again = d.apply(&stack).await.expect("after the creation");
    assert_eq!(
        again.mutating_calls, 0,
        "the new target group is seen: {again}"
    );
    assert!(listings(&d) > listed);

    stack.target_groups.retain(|t| t.id != extra.id);
    let removed = d.apply(&stack).await.expect("one target group less");
    assert!(removed.mutating_calls > 0, "{removed}");
    let again = d.apply(&stack).await.expect("after the deletion");
    assert_eq!(again.mutating_calls, 0, "{again}");
    delete_stacks(&d, &[stack]).await;
}

/// A target group deleted by someone else while the listing is kept: registering its targets
/// fails, and the next apply lists afresh and makes it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_group_deleted_by_someone_else_is_made_again_after_its_targets_fail() {
    let fx = Fixture::start("target group deleted outside", "tgdeleted").await;
    let mut stack = fx.web_stack("demo/tgdeleted");
    // Not forwarded to by any rule, so AWS lets it be deleted.
    let spare = target_group(&fx.cluster, &stack, "spare", 8091);
    stack.target_groups.push(spare.clone());
    let d = fx.deployer();
    d.apply(&stack).await.expect("first apply");
    assert!(
        d.apply(&stack)
            .await
            .expect("listed and kept")
            .is_unchanged()
    );
    let arns = d.target_group_arns(&stack).await.expect("arns");
    fx.elbv2
        .delete_target_group()
        .target_group_arn(&arns[&spare.id])
        .send()
        .await
        .expect("deleted outside gantry");

    let target = Target {
        id: "10.0.1.10".into(),
        port: 8091,
    };
    let wanted = std::collections::BTreeMap::from([(spare.id.clone(), vec![target.clone()])]);
    d.sync_stack_targets(&stack, &wanted)
        .await
        .expect_err("its target group is gone");
    let again = d.apply(&stack).await.expect("apply after the failure");
    assert!(again.mutating_calls > 0, "made again: {again}");
    d.sync_stack_targets(&stack, &wanted)
        .await
        .expect("targets of the new target group");
    let arns = d.target_group_arns(&stack).await.expect("arns");
    assert_eq!(fx.held_targets(&arns[&spare.id]).await, vec![target]);
    delete_stacks(&d, &[stack]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_modification_makes_only_its_own_calls() {
    let fx = Fixture::start("modifications", "mods").await;
    let mut stack = fx.web_stack("demo/mods");
    let d = fx.deployer();
    d.apply(&stack).await.expect("first apply");

    // Each change, the calls it must make, nothing else; then a re-apply is a no-op.
    type Edit = Box<dyn Fn(&mut Stack)>;
    let web = stack.target_groups[0].id.clone();
    let api = stack.target_groups[1].id.clone();
    let cases: Vec<(&str, Edit, &[&str])> = vec![
        (
            "one rule's target",
            {
                let a = api.clone();
                Box::new(move |s: &mut Stack| {
                    s.listeners[0].rules[1].actions = vec![forward(&[(&a, 1)])]
                })
            },
            &["ModifyRule"],
        ),
        (
            "weights",
            {
                let (w, a) = (web.clone(), api.clone());
                Box::new(move |s: &mut Stack| {
                    s.listeners[0].rules[2].actions = vec![forward(&[(&w, 50), (&a, 50)])]
                })
            },
            &["ModifyRule"],
        ),
        (
            "health check",
            Box::new(|s: &mut Stack| {
                s.target_groups[0].health_check.path = Some("/healthz".into())
            }),
            &["ModifyTargetGroup"],
        ),
        (
            "target group attribute",
            Box::new(|s: &mut Stack| {
                s.target_groups[1].attributes = vec![Attribute {
                    key: "deregistration_delay.timeout_seconds".into(),
                    value: "30".into(),
                }]
            }),
            &["ModifyTargetGroupAttributes"],
        ),
        (
            "load balancer attribute",
            Box::new(|s: &mut Stack| {
                s.load_balancer.attributes = vec![Attribute {
                    key: "idle_timeout.timeout_seconds".into(),
                    value: "120".into(),
                }]
            }),
            &["ModifyLoadBalancerAttributes"],
        ),
        (
            "load balancer tag",
            Box::new(|s: &mut Stack| s.load_balancer.tags.insert("team", "web")),
            &["AddTags"],
        ),
        (
            "security group ingress",
            Box::new(|s: &mut Stack| {
                let sg = s.security_group.as_mut().unwrap();
                sg.ingress.push(IngressRule {
                    ip_protocol: "tcp".into(),
                    from_port: 443,
                    to_port: 443,
                    source: IngressSource::CidrIpv4("0.0.0.0/0".into()),
                });
            }),
            &["AuthorizeSecurityGroupIngress"],
        ),
        (
            "listener default action",
            Box::new(|s: &mut Stack| {
                s.listeners[0].default_actions = vec![Action::fixed_response(
                    503,
                    "text/plain",
                    Some("down".into()),
                )];
            }),
            &["ModifyListener"],
        ),
        (
            "rule removed",
            Box::new(|s: &mut Stack| {
                let rules = &mut s.listeners[0].rules;
                rules.remove(0);
                for (i, r) in rules.iter_mut().enumerate() {
                    r.priority = i as u32 + 1;
                }
            }),
            // Moto checks each target priority against the rules before the call, so moving
            // 2→1 and 3→2 takes two calls (one under AWS's final-state check).
            &["DeleteRule", "SetRulePriorities", "SetRulePriorities"],
        ),
    ];
    for (what, edit, expected) in cases {
        edit(&mut stack);
        let before = d.call_counts();
        let report = d
            .apply(&stack)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let after = d.call_counts();
        let mut made: Vec<String> = Vec::new();
        for ((service, op), n) in &after {
            let b = before
                .get(&(service.clone(), op.clone()))
                .copied()
                .unwrap_or(0);
            if gantry_deploy::client::is_mutating(op) {
                made.extend(std::iter::repeat_n(op.clone(), (n - b) as usize));
            }
        }
        made.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(made, expected, "{what}: {report}");
        assert_eq!(
            report.mutating_calls as usize,
            expected.len(),
            "{what}: {report}"
        );
        let again = d
            .apply(&stack)
            .await
            .unwrap_or_else(|e| panic!("{what} again: {e}"));
        assert_eq!(again.mutating_calls, 0, "{what}: re-apply {again}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untagged_look_alike_is_never_touched() {
    let fx = Fixture::start("look_alike", "alike").await;
    let mut stack = fx.web_stack("demo/alike");
    // Same name as our first target group, same VPC, no tags.
    let alike = elb::create_ip_target_group(&fx.elbv2, &stack.target_groups[0].name, &fx.vpc).await;
    let d = fx.deployer();
    let err = d
        .apply(&stack)
        .await
        .expect_err("the name is taken by a group gantry does not own");
    assert_eq!(err.class(), ErrorClass::Conflict, "{err}");

    stack.target_groups[0].name.push_str("-2");
    d.apply(&stack).await.expect("apply with a free name");
    d.delete("demo/alike", LoadBalancerType::Application)
        .await
        .expect("delete");
    assert!(fx.tagged().await.is_empty());
    assert!(
        fx.target_group_exists(&alike).await,
        "the look-alike survives"
    );
    assert!(fx.tags_of(&alike).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn externally_managed_tags_survive_reconciles() {
    let fx = Fixture::start("external_tags", "exttags").await;
    let stack = web_stack(&fx.cluster, "demo/ext", &format!("k8s-{}-x", fx.cluster));
    let first = fx.deployer().apply(&stack).await.expect("first apply");
    let lb = first.load_balancer.expect("address").arn;
    // Another tool (a cost allocator) tags the load balancer.
    fx.elbv2
        .add_tags()
        .resource_arns(&lb)
        .tags(
            aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                .key("cost-center")
                .value("finance")
                .build(),
        )
        .send()
        .await
        .expect("tag by another tool");
    let cost_center = || async {
        let tags = fx.tags_of(&lb).await.into_iter();
        tags.filter(|(k, _)| k == "cost-center")
            .map(|(_, v)| v)
            .next()
    };

    let settings = gantry_deploy::DeploySettings {
        external_managed_tags: ["cost-center".to_string()].into(),
        ..fx.settings()
    };
    let keeping = gantry_deploy::Deployer::new(&fx.config, settings);
    let report = keeping.apply(&stack).await.expect("apply keeping the tag");
    assert_eq!(report.mutating_calls, 0, "{report}");
    assert_eq!(cost_center().await.as_deref(), Some("finance"));

    // Without the flag the same tag is gantry's to remove: proves the flag is what kept it.
    let report = fx
        .deployer()
        .apply(&stack)
        .await
        .expect("apply owning every tag");
    assert!(report.mutating_calls > 0, "{report}");
    assert_eq!(cost_center().await, None);
    fx.deployer()
        .delete("demo/ext", LoadBalancerType::Application)
        .await
        .expect("delete");
}
