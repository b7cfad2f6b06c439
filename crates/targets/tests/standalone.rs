//! `gantry apply`'s standalone registration against the moto emulator: manifests with a
//! Service, an EndpointSlice and Nodes → translate → deploy → targets and backend rules, then
//! a re-apply that changes nothing and an endpoint change that changes only the difference.
//! The glue is `gantry apply`'s (crates/gantry/src/commands/apply.rs), step for step.

#[path = "../../deploy/tests/common/mod.rs"]
mod common;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use common::{Fixture, delete_stacks, endpoint};
use gantry_api::k8s::EndpointSlice;
use gantry_deploy::targets::{rule_marker, worker_tag_key};
use gantry_deploy::{Deployer, GroupTargets, RuleChanges};
use gantry_model::{Stack, Target};
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_testkit::calls;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What `gantry apply` does after `apply_all` for the stacks that applied.
async fn register(
    d: &Deployer,
    stacks: &[Stack],
    snapshot: &Snapshot,
) -> (Vec<GroupTargets>, Vec<RuleChanges>) {
    let (mut groups, mut rules) = (Vec::new(), Vec::new());
    for stack in stacks {
        let wanted = gantry_targets::stack_targets(stack, snapshot);
        assert!(wanted.problems.is_empty(), "{:?}", wanted.problems);
        groups.extend(
            d.sync_stack_targets(stack, &wanted.targets)
                .await
                .expect("sync targets"),
        );
        let ports: Vec<(String, i32)> = wanted
            .rules
            .iter()
            .map(|r| (r.protocol.as_str().to_string(), r.port))
            .collect();
        let source = gantry_targets::source_security_group(stack).expect("a backend group");
        let opened = d
            .open_backend_ports(stack, source, &ports)
            .await
            .expect("backend rules");
        rules.extend(opened.into_iter().map(|(_, c)| c));
    }
    (groups, rules)
}

async fn apply(d: &Deployer, stacks: &[Stack]) {
    for (gateway, r) in d.apply_all(stacks).await {
        r.unwrap_or_else(|e| panic!("{gateway}: {e}"));
    }
}

/// `(target group backend name, targets)` as AWS holds them.
async fn held(fx: &Fixture, stack: &Stack, d: &Deployer) -> BTreeMap<String, Vec<Target>> {
    let arns = d.target_group_arns(stack).await.expect("arns");
    let mut out = BTreeMap::new();
    for tg in &stack.target_groups {
        let targets = fx.held_targets(&arns[&tg.id]).await;
        out.insert(tg.backend.name.clone(), targets);
    }
    out
}

fn targets(list: &[(&str, i32)]) -> Vec<Target> {
    list.iter()
        .map(|(id, port)| Target {
            id: id.to_string(),
            port: *port,
        })
        .collect()
}

const TARGET_CALLS: &[&str] = &[
    "RegisterTargets",
    "DeregisterTargets",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_registers_exactly_the_manifests_targets_and_a_reapply_changes_nothing() {
    let endpoint = endpoint("standalone");
    let fx = Fixture::new(&endpoint, "standalone").await;
    let nodes_sg = fx
        .ec2
        .create_security_group()
        .group_name(format!("{}-nodes", fx.cluster))
        .description("worker nodes")
        .vpc_id(&fx.vpc)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::SecurityGroup)
                .tags(
                    Tag::builder()
                        .key(worker_tag_key(&fx.cluster))
                        .value("owned")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("worker group")
        .group_id
        .expect("id");

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/manifests/shop.yaml");
    let loaded = gantry_manifests::load_paths(&[path]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let mut snapshot = loaded.snapshot;
    let settings = gantry_translate::Settings::new(fx.cluster.clone());
    let stacks = gantry_translate::translate(&snapshot, &settings).stacks;
    assert_eq!(stacks.len(), 1);
    let d = fx.deployer();

    apply(&d, &stacks).await;
    let (groups, rules) = register(&d, &stacks, &snapshot).await;
    let registered: usize = groups.iter().map(|g| g.changes.registered.len()).sum();
    assert_eq!(registered, 4);
    assert_eq!(
        held(&fx, &stacks[0], &d).await,
        BTreeMap::from([
            (
                "api".to_string(),
                targets(&[("10.0.1.10", 8443), ("10.0.2.11", 8443)])
            ),
            (
                "web".to_string(),
                targets(&[
                    ("i-0a0000000000000a1", 30080),
                    ("i-0b0000000000000b2", 30080)
                ])
            ),
        ])
    );
    let added: Vec<(String, Option<i32>)> = rules
        .iter()
        .flat_map(|c| c.added.iter().map(|r| (r.ip_protocol.clone(), r.port)))
        .collect();
    assert_eq!(
        added,
        [
            ("tcp".to_string(), Some(8443)),
            ("tcp".to_string(), Some(30080))
        ]
    );
    let on_nodes = marked_ports(&fx, &nodes_sg).await;
    assert_eq!(on_nodes, [8443, 30080]);

    // Re-apply with the same manifests: not one register, deregister or rule call.
    let before = calls::count(&d.call_counts(), TARGET_CALLS);
    let mutating = d.calls().mutating();
    apply(&d, &stacks).await;
    let (groups, rules) = register(&d, &stacks, &snapshot).await;
    assert!(groups.iter().all(|g| g.changes.is_empty()), "{groups:?}");
    assert!(rules.iter().all(|c| c.added.is_empty()));
    assert_eq!(calls::count(&d.call_counts(), TARGET_CALLS), before);
    assert_eq!(d.calls().mutating(), mutating, "no mutating call at all");

    // An endpoint goes away and a new one becomes ready: one register, one deregister.
    let key = ObjectKey::new("shop", "api-7d9f");
    let mut slice: EndpointSlice = (*snapshot.endpoint_slices[&key]).clone();
    slice.endpoints.remove(1);
    slice.endpoints.push(slice.endpoints[0].clone());
    slice.endpoints.last_mut().unwrap().addresses = vec!["10.0.4.14".into()];
    snapshot.endpoint_slices.insert(key, Arc::new(slice));
    let before_register = calls::count(&d.call_counts(), &["RegisterTargets"]);
    let before_deregister = calls::count(&d.call_counts(), &["DeregisterTargets"]);
    let (groups, _) = register(&d, &stacks, &snapshot).await;
    let api = groups
        .iter()
        .find(|g| !g.changes.is_empty())
        .expect("api changed");
    assert_eq!(api.changes.registered, targets(&[("10.0.4.14", 8443)]));
    assert_eq!(
        api.changes.deregistered,
        [("10.0.2.11".to_string(), Some(8443))]
    );
    assert_eq!(
        calls::count(&d.call_counts(), &["RegisterTargets"]) - before_register,
        1
    );
    assert_eq!(
        calls::count(&d.call_counts(), &["DeregisterTargets"]) - before_deregister,
        1
    );
    assert_eq!(
        held(&fx, &stacks[0], &d).await["api"],
        targets(&[("10.0.1.10", 8443), ("10.0.4.14", 8443)])
    );

    // Deleting: gantry's rules from the load balancer's group go first (EC2 won't delete a
    // group other groups' rules refer to), then the stack.
    let source = gantry_targets::source_security_group(&stacks[0]).unwrap();
    let source_id = d
        .security_group_id(&stacks[0], source)
        .await
        .expect("lookup")
        .expect("the shared backend group exists");
    let closed = d.close_backend_ports(&source_id).await.expect("close");
    assert_eq!(closed[0].1.removed.len(), 2);
    delete_stacks(&d, &stacks).await;
    assert!(
        marked_ports(&fx, &nodes_sg).await.is_empty(),
        "no rule leaks"
    );
}

/// Ports of the rules on `group` that carry gantry's marker.
async fn marked_ports(fx: &Fixture, group: &str) -> Vec<i32> {
    let marker = rule_marker(&fx.cluster);
    let mut ports: Vec<i32> = fx
        .security_groups("group-id", group)
        .await
        .into_iter()
        .flat_map(|g| g.ip_permissions.unwrap_or_default())
        .filter(|p| {
            p.user_id_group_pairs
                .iter()
                .flatten()
                .any(|u| u.description.as_deref() == Some(marker.as_str()))
        })
        .filter_map(|p| p.from_port)
        .collect();
    ports.sort();
    ports
}
