//! A new leader's first round at scale (issue #18's failover): with many Gateways whose
//! applies are slow (as behind the client-side AWS rate limit), the Gateway changed while the
//! old leader was gone is applied first, and a change made during the round goes ahead of the
//! round's remaining Gateways instead of waiting behind a random share of them.

mod support;

use futures::future::BoxFuture;
use gantry_controller::{Deploy, IssuedCertificates};
use gantry_deploy::{BackendRule, Report, TargetChanges};
use gantry_model::{LoadBalancerType, SecretCertificate, Stack, Target};
use gantry_targets::Deployed;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;
use tokio::time::Instant;

const LIMIT: Duration = Duration::from_secs(600);
const GATEWAYS: usize = 40;
/// What one apply takes: a fresh leader's full reconcile of a Gateway behind the rate limit.
const APPLY: Duration = Duration::from_secs(3);

/// [`FakeDeploy`] whose applies take [`APPLY`] (recorded there when they start), and when
/// each ran.
struct Slow(FakeDeploy, Mutex<Vec<(String, Instant, Instant)>>);

impl Deploy for Slow {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(async move {
            let start = Instant::now();
            let report = self.0.apply(stack).await;
            tokio::time::sleep(APPLY).await;
            let span = (stack.gateway.clone(), start, Instant::now());
            self.1.lock().unwrap().push(span);
            report
        })
    }

    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        self.0.delete(gateway, kind)
    }

    fn deployed<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Deployed>> {
        self.0.deployed(stack)
    }

    fn sync_targets<'a>(
        &'a self,
        arn: &'a str,
        targets: &'a [Target],
    ) -> BoxFuture<'a, gantry_deploy::Result<TargetChanges>> {
        self.0.sync_targets(arn, targets)
    }

    fn target_group_arn_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, gantry_deploy::Result<Option<String>>> {
        self.0.target_group_arn_by_name(name)
    }

    fn sync_worker_rules<'a>(
        &'a self,
        rules: &'a [BackendRule],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        self.0.sync_worker_rules(rules)
    }

    fn issued_certificates(&self) -> BoxFuture<'_, gantry_deploy::Result<IssuedCertificates>> {
        self.0.issued_certificates()
    }

    fn import_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        wanted: &'a [SecretCertificate],
    ) -> BoxFuture<'a, gantry_deploy::Result<BTreeMap<String, String>>> {
        self.0.import_secret_certificates(user, wanted)
    }

    fn delete_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        secrets: &'a [String],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        self.0.delete_secret_certificates(user, secrets)
    }
}

/// Gateways `apps/g00`… each with the route `apps/rNN` to the Service `apps/echo`.
fn cluster() -> String {
    let mut docs = vec![
        objects::gateway_class("alb", "alb"),
        objects::node_port_service("apps/echo", 80, 30080),
    ];
    for i in 0..GATEWAYS {
        docs.push(objects::gateway(
            &format!("apps/g{i:02}"),
            "alb",
            &[("a", 80, "HTTP")],
        ));
        docs.push(objects::http_route(
            &format!("apps/r{i:02}"),
            &[&format!("g{i:02}")],
            Some(&format!("/r{i:02}")),
            &[("echo", 80)],
        ));
    }
    objects::docs(docs)
}

fn set_path(api: &FakeApi, route: &str, path: &str) {
    api.modify("HTTPRoute", "apps", route, |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = json!(path);
    });
}

/// The Gateways `deploy` applied, in order.
fn applied(deploy: &FakeDeploy) -> Vec<String> {
    deploy
        .ops()
        .into_iter()
        .filter_map(|op| op.strip_prefix("apply apps/").map(str::to_string))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_new_leader_applies_the_changed_gateways_before_the_rest_of_its_round() {
    let api = FakeApi::new();
    let window = usize::from(leased_in_gantry("x").concurrency);
    let a = start(&api, Arc::new(FakeDeploy::default()), leased_in_gantry("a")).await;
    eventually("a leads", LIMIT, || *a.handle.leader.borrow()).await;
    let b_deploy = Arc::new(Slow(FakeDeploy::default(), Mutex::default()));
    let b = start(&api, b_deploy.clone(), leased_in_gantry("b")).await;
    api.apply_yaml(&cluster());
    eventually("every Gateway programmed by a", LIMIT, || {
        api.list("Gateway")
            .iter()
            .filter(|g| is_true(&g["status"], "Programmed"))
            .count()
            == GATEWAYS
    })
    .await;
    eventually("b's caches filled", LIMIT, || b.handle.ready.is_ready()).await;
    // Long enough that what b saw a handle is older than a failover's horizon: b saw every
    // Gateway change (a wrote their statuses), and only recent changes go first.
    tokio::time::sleep(Duration::from_secs(60)).await;

    a.kill();
    set_path(&api, "r20", "/after-failover");
    eventually("b leads", LIMIT, || *b.handle.leader.borrow()).await;
    eventually("b's round under way", LIMIT, || {
        applied(&b_deploy.0).len() >= 2 * window
    })
    .await;
    let first = applied(&b_deploy.0);
    assert_eq!(
        first[0], "g20",
        "the Gateway changed during the failover is applied first: {first:?}"
    );
    let spans = b_deploy.1.lock().unwrap().clone();
    let (_, _, g20_done) = spans
        .iter()
        .find(|(g, _, _)| g == "apps/g20")
        .expect("g20's apply finished");
    assert!(
        spans
            .iter()
            .all(|(g, start, _)| g == "apps/g20" || start >= g20_done),
        "and alone, the round's others after it: {spans:?}"
    );
    assert!(
        b_deploy
            .0
            .stack("apps/g20")
            .is_some_and(|s| serde_json::to_string(&s)
                .unwrap()
                .contains("/after-failover")),
        "with the change"
    );

    // A change during the round: among the next few applies, not behind the round's rest.
    let pending: Vec<usize> = (0..GATEWAYS)
        .filter(|i| !first.contains(&format!("g{i:02}")))
        .collect();
    let late = pending[pending.len() / 2];
    let before = applied(&b_deploy.0).len();
    set_path(&api, &format!("r{late:02}"), "/during-round");
    eventually("the change during the round applied", LIMIT, || {
        b_deploy
            .0
            .stack(&format!("apps/g{late:02}"))
            .is_some_and(|s| serde_json::to_string(&s).unwrap().contains("/during-round"))
    })
    .await;
    let after = applied(&b_deploy.0);
    let position = after[before..]
        .iter()
        .position(|g| *g == format!("g{late:02}"))
        .expect("applied");
    assert!(
        position <= 2 * window,
        "g{late:02} waited behind {position} of the round's Gateways (of {} left): {after:?}",
        pending.len()
    );
    b.stop().await;
}
