//! Faults and interruptions: apply converges to the same state, with no duplicate and no
//! leaked resource.

mod common;

use common::fault::Faults;
use common::*;
use gantry_deploy::client::https_client;
use gantry_deploy::{DeploySettings, Deployer, Error};
use gantry_model::*;

/// What a converged web stack looks like: one LB, two TGs, one managed SG, three rules.
async fn assert_converged(fx: &Fixture, stack: &Stack) {
    let inv = fx.tagged().await;
    assert_eq!(inv.load_balancers.len(), 1, "{inv:?}");
    assert_eq!(
        inv.target_groups.len(),
        stack.target_groups.len(),
        "{inv:?}"
    );
    assert_eq!(inv.security_groups.len(), 1, "{inv:?}");
    let name = &stack.security_group.as_ref().unwrap().group_name;
    assert_eq!(
        fx.security_groups_named(name).await,
        1,
        "duplicate security group"
    );
    let clean = fx.deployer();
    let report = clean.apply(stack).await.expect("clean apply");
    assert_eq!(report.mutating_calls, 0, "not converged: {report}");
    let listener = fx
        .listener_arn(&report.load_balancer.unwrap().arn, 80)
        .await;
    let rules = fx.rules(&listener).await;
    let priorities: Vec<String> = rules.iter().filter_map(|r| r.priority.clone()).collect();
    let expected: Vec<String> = (1..=stack.listeners[0].rules.len())
        .map(|p| p.to_string())
        .collect();
    assert_eq!(priorities, expected, "duplicate or missing rules");
}

/// Applies until a run succeeds, like a controller's requeue; returns the number of runs.
async fn until_ok(d: &Deployer, stack: Option<&Stack>, max: usize) -> usize {
    for run in 1..=max {
        let result = match stack {
            Some(s) => d.apply(s).await,
            None => d.delete("demo/faults", LoadBalancerType::Application).await,
        };
        match result {
            Ok(_) => return run,
            Err(e) => {
                assert!(e.class().is_retryable(), "run {run}: {e}");
                eprintln!("run {run} failed ({}): {e}", e.metric_label());
            }
        }
    }
    panic!("no successful run in {max}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_5xx_and_dropped_connections_still_converge_without_duplicates() {
    let endpoint = endpoint("faults");
    let mut injected = std::collections::BTreeMap::new();
    for seed in [0x5eed, 0xbeef, 0xf00d] {
        for (fault, n) in converge_under_faults(&endpoint, seed).await {
            *injected.entry(fault).or_insert(0) += n;
        }
    }
    eprintln!("injected over all seeds: {injected:?}");
    assert_eq!(
        injected.len(),
        4,
        "every kind of fault must have been hit: {injected:?}"
    );
}

async fn converge_under_faults(
    endpoint: &str,
    seed: u64,
) -> std::collections::BTreeMap<common::fault::Fault, u64> {
    let fx = Fixture::new(endpoint, "faults").await;
    let mut stack = fx.web_stack("demo/faults");
    let faults = Faults::new(30, seed);
    let config = sdk_config(endpoint, faults.wrap(https_client())).await;
    let d = Deployer::new(&config, fx.settings());

    let runs = until_ok(&d, Some(&stack), 10).await;
    eprintln!("created in {runs} runs; injected {:?}", faults.injected());
    assert_converged(&fx, &stack).await;

    // A change under faults too.
    stack.listeners[0].rules.swap(0, 1);
    for (i, r) in stack.listeners[0].rules.iter_mut().enumerate() {
        r.priority = i as u32 + 1;
    }
    stack.target_groups[0].health_check.interval_seconds = 30;
    until_ok(&d, Some(&stack), 10).await;
    assert_converged(&fx, &stack).await;

    until_ok(&d, None, 10).await;
    eprintln!(
        "injected in total {:?}; attempts {}",
        faults.injected(),
        d.calls().attempts()
    );
    assert!(
        fx.tagged().await.is_empty(),
        "leaked: {:?}",
        fx.tagged().await
    );
    faults.injected()
}

/// Each run is cut off after one mutating call and the next starts from what it left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_interrupted_after_every_call_converge() {
    let fx = Fixture::start("interrupted", "interrupt").await;
    let stack = fx.web_stack("demo/faults");
    let mut changed = stack.clone();
    changed.listeners[0].rules.reverse();
    for (i, r) in changed.listeners[0].rules.iter_mut().enumerate() {
        r.priority = i as u32 + 1;
    }
    changed.listeners[0].rules[0].actions = vec![forward(&[(&stack.target_groups[1].id, 1)])];
    changed.load_balancer.attributes = vec![Attribute {
        key: "idle_timeout.timeout_seconds".into(),
        value: "90".into(),
    }];

    for target in [&stack, &changed] {
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs < 40, "no convergence");
            let d = Deployer::new(
                &fx.config,
                DeploySettings {
                    max_mutating_calls: Some(1),
                    ..fx.settings()
                },
            );
            match d.apply(target).await {
                Ok(report) if report.mutating_calls == 0 => break,
                Ok(_) | Err(Error::Interrupted { .. }) => {}
                Err(e) => panic!("run {runs}: {e}"),
            }
        }
        eprintln!("converged after {runs} one-call runs");
        assert_converged(&fx, target).await;
    }
    fx.deployer()
        .delete("demo/faults", LoadBalancerType::Application)
        .await
        .expect("delete");
    assert!(fx.tagged().await.is_empty());
}
