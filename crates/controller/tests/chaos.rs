//! Chaos (issue #19): a burst of HTTPRoute changes (created, edited, moved between backends,
//! deleted) while the controller is killed (a crash: AWS calls cut off mid-way, the lease left
//! to expire) or stopped (SIGTERM) and restarted at random points, against moto with the real
//! deployer. Afterwards AWS must hold exactly what a fresh `apply` of the final objects makes
//! (that apply changes nothing), and nothing more tagged for the cluster.
//!
//! Seeded: the seed is printed; `GANTRY_CHAOS_SEED=<n>` replays the same choices (the
//! interleaving with the controller's own timing still varies).

mod support;

use gantry_controller::Config;
use gantry_deploy::Deployer;
use serde_json::{Value, json};
use std::time::Duration;
use support::apiserver::FakeApi;
use support::*;

const LIMIT: Duration = Duration::from_secs(40);
const ROUTES: usize = 5;
const STEPS: usize = 30;

/// The Gateway `apps/web` (listener `http` on 80) and two NodePort Services, `echo` and
/// `other`, for the routes the steps write.
fn manifests() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("http", 80, "HTTP")]),
        objects::node_port_service("apps/echo", 80, 30080),
        objects::node_port_service("apps/other", 80, 30081),
    ])
}

/// splitmix64: small, seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn route(name: &str, path: &str, backend: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": "apps"},
        "spec": {"parentRefs": [{"name": "web"}],
                 "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": path}}],
                            "backendRefs": [{"name": backend, "port": 80}]}]},
    })
}

fn controller_config(cluster: &str, incarnation: usize) -> Config {
    let mut c = moto_config(cluster);
    c.backoff_max = Duration::from_secs(2);
    // A crashed holder's lease runs out in a second.
    c.lease.enabled = true;
    c.lease.identity = format!("chaos-{incarnation}");
    c.lease.duration = Duration::from_secs(1);
    c.lease.renew_every = Duration::from_millis(250);
    c
}

/// Every stored route is accepted for its current generation, and the Gateway is programmed
/// for its own and counts them.
fn settled(api: &FakeApi) -> bool {
    let routes = api.list("HTTPRoute");
    let Some(gw) = api.get("Gateway", "apps", "web") else {
        return false;
    };
    routes.iter().all(|r| {
        r["status"]["parents"].as_array().is_some_and(|p| {
            p.iter().any(|p| {
                condition(p, "Accepted").is_some_and(|c| {
                    c["status"] == "True" && c["observedGeneration"] == r["metadata"]["generation"]
                })
            })
        })
    }) && gw["status"]["listeners"][0]["attachedRoutes"] == routes.len()
        && condition(&gw["status"], "Programmed").is_some_and(|c| {
            c["status"] == "True" && c["observedGeneration"] == gw["metadata"]["generation"]
        })
}

/// The objects as a manifest, as `kubectl get -o yaml` would print them (no status).
fn manifest(api: &FakeApi) -> String {
    let mut docs = Vec::new();
    for kind in ["GatewayClass", "Gateway", "Service", "HTTPRoute"] {
        for mut o in api.list(kind) {
            o.as_object_mut().map(|o| o.remove("status"));
            docs.push(serde_json::to_string(&o).unwrap());
        }
    }
    docs.join("\n---\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_changes_while_the_controller_is_killed_and_restarted() {
    let moto = aws::moto("the chaos scenario", "chaos").await;
    let seed = std::env::var("GANTRY_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("chaos seed: {seed} (GANTRY_CHAOS_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let (cluster, deployer) = (&moto.cluster, moto.deployer());

    let api = FakeApi::new();
    api.apply_yaml(&manifests());
    let mut incarnation = 0;
    let mut running = Some(start(&api, deployer.clone(), controller_config(cluster, 0)).await);
    let (mut kills, mut stops) = (0, 0);
    for step in 0..STEPS {
        let name = format!("r{}", rng.below(ROUTES as u64));
        let exists = api.get("HTTPRoute", "apps", &name).is_some();
        match rng.below(4) {
            0 if exists => api.delete("HTTPRoute", "apps", &name),
            1 if exists => {
                let backend = ["echo", "other"][rng.below(2) as usize];
                api.modify("HTTPRoute", "apps", &name, |r| {
                    r["spec"]["rules"][0]["backendRefs"][0]["name"] = backend.into();
                });
            }
            _ => {
                let path = format!("/{name}/v{step}");
                let backend = ["echo", "other"][rng.below(2) as usize];
                api.apply(route(&name, &path, backend));
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.below(400))).await;
        // About one step in four: the controller goes down, crashing or stopping, and comes
        // back now or after a while.
        if rng.below(4) == 0 {
            let r = running.take().expect("a controller runs");
            if rng.below(2) == 0 {
                r.kill();
                kills += 1;
            } else {
                r.stop().await;
                stops += 1;
            }
            if rng.below(2) == 0 {
                tokio::time::sleep(Duration::from_millis(rng.below(1000))).await;
            }
            incarnation += 1;
            running = Some(
                start(
                    &api,
                    deployer.clone(),
                    controller_config(cluster, incarnation),
                )
                .await,
            );
        }
    }
    eprintln!("chaos: {STEPS} changes, {kills} kills, {stops} stops");
    let running = running.expect("a controller runs");
    let start = tokio::time::Instant::now();
    while !settled(&api) {
        assert!(
            start.elapsed() < LIMIT,
            "not settled (seed {seed}): gateway {}\nroutes {}",
            api.get("Gateway", "apps", "web").unwrap()["status"],
            json!(api.list("HTTPRoute"))
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    running.stop().await;

    // A fresh apply of the final objects, by a deployer that never saw the controller's.
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("final objects", &manifest(&api));
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let settings = controller_config(cluster, 0).translate;
    let translation = gantry_translate::translate(&loaded.snapshot, &settings);
    assert_eq!(translation.stacks.len(), 1);
    let stack = &translation.stacks[0];
    let fresh: Deployer = aws::deployer(&moto.sdk, &moto.vpc_id, cluster);
    let report = fresh.apply(stack).await.expect("fresh apply");
    assert!(
        report.changes.is_empty() && report.mutating_calls == 0,
        "AWS differs from a fresh apply of the final objects (seed {seed}): {:?}",
        report.changes
    );
    // Nothing leaked: what is tagged for the cluster is the stack's, and only that.
    let inventory = fresh.inventory().await.expect("inventory");
    assert_eq!(
        inventory.load_balancers.len(),
        1,
        "seed {seed}: {inventory:?}"
    );
    assert_eq!(
        inventory.target_groups.len(),
        stack.target_groups.len(),
        "seed {seed}: target groups {inventory:?}"
    );
    // The stack's managed group, and the cluster's shared backend group when it uses it.
    let shared = stack
        .load_balancer
        .security_groups
        .iter()
        .any(|r| matches!(r, gantry_model::SecurityGroupRef::SharedBackend));
    assert_eq!(
        inventory.security_groups.len(),
        usize::from(stack.security_group.is_some()) + usize::from(shared),
        "seed {seed}: security groups {inventory:?}"
    );
}
