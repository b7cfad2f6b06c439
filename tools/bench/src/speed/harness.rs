//! What the propagation and failover benchmarks share: a cluster in the API server stand-in
//! served on loopback, AWS (the emulator behind the logging [`Proxy`]) brought to the cluster's
//! state beforehand, and release `gantry controller` processes.

use super::proxy::Proxy;
use crate::controller_process::{ControllerProcess, gantry_binary};
use crate::stand_in::ServedStandIn;
use anyhow::{Context, Result, bail};
use gantry_deploy::client::{ClientSettings, load_config};
use gantry_deploy::{DeploySettings, Deployer, PriorityMode};
use gantry_model::Stack;
use gantry_snapshot::Snapshot;
use gantry_translate::Settings;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Cluster {
    pub stand_in: ServedStandIn,
    pub proxy: Proxy,
    pub name: String,
    pub vpc: String,
    pub dir: PathBuf,
}

/// The stand-in holding `snapshot`, served on loopback; a VPC in the emulator at `endpoint`;
/// every stack of the snapshot (as the stand-in holds it) applied there directly (no rate limit, several at a time), so
/// that the controllers start from a converged cluster.
pub fn cluster(label: &str, snapshot: &Snapshot, endpoint: &str) -> Result<Cluster> {
    // Kept after the run (the controllers' logs are there): target/bench/ of the checkout.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/bench")
        .join(format!("{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    eprintln!("{label}: the controllers' logs go to {}", dir.display());
    let stand_in = crate::stand_in::serve(snapshot, &dir)?;
    // What the controllers will see: the stand-in stamps its own creation times.
    let snapshot = &crate::stand_in::stored(&stand_in.api, snapshot);
    let name = format!("{label}-{}", std::process::id());
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-west-2".into());
    let client = ClientSettings {
        requests_per_second: 0.0,
        region: Some(region.clone()),
        ..ClientSettings::default()
    };
    let vpc = stand_in.runtime.block_on(async {
        let config = load_config(&client).await;
        let vpc = gantry_testkit::moto::vpc(&config, &name, &["a", "b"])
            .await
            .id;
        let deployer = Deployer::new(
            &config,
            DeploySettings {
                vpc_id: Some(vpc.clone()),
                client,
                priority_mode: Some(PriorityMode::Strict),
                ..DeploySettings::new(&name)
            },
        );
        let stacks = stacks(snapshot, &name);
        let started = Instant::now();
        converge(&deployer, &stacks).await?;
        eprintln!(
            "{label}: {} stacks applied to the emulator in {:.0} s",
            stacks.len(),
            started.elapsed().as_secs_f64()
        );
        anyhow::Ok(vpc)
    })?;
    let proxy = Proxy::start(endpoint)?;
    Ok(Cluster {
        stand_in,
        proxy,
        name,
        vpc,
        dir,
    })
}

/// The stacks the controller would build: its translation settings (no ListenerSets watched).
fn stacks(snapshot: &Snapshot, cluster: &str) -> Vec<Stack> {
    let settings = Settings {
        listener_sets: false,
        ..Settings::new(cluster)
    };
    gantry_translate::translate(snapshot, &settings).stacks
}

async fn converge(deployer: &Deployer, stacks: &[Stack]) -> Result<()> {
    use futures::StreamExt;
    // The first alone: it creates the cluster's shared backend security group, which
    // concurrent first applies would each try to create.
    let Some((first, rest)) = stacks.split_first() else {
        return Ok(());
    };
    deployer
        .apply(first)
        .await
        .with_context(|| format!("applying {}", first.gateway))?;
    let results: Vec<Result<()>> = futures::stream::iter(rest)
        .map(|s| async move {
            deployer
                .apply(s)
                .await
                .map(|_| ())
                .with_context(|| format!("applying {}", s.gateway))
        })
        .buffer_unordered(4)
        .collect()
        .await;
    results.into_iter().collect()
}

/// A `gantry controller` process of `cluster`, AWS calls through its proxy.
pub fn start_controller(
    cluster: &Cluster,
    identity: &str,
    leader_election: bool,
) -> Result<ControllerProcess> {
    let gantry = gantry_binary().context(
        "no `gantry` binary next to gantry-bench (scripts/bench.sh builds both in release)",
    )?;
    ControllerProcess::start(
        &gantry,
        &cluster.stand_in.kubeconfig,
        &cluster.proxy.endpoint(),
        cluster.dir.join(format!("controller-{identity}.log")),
        |command| {
            command
                .arg(format!("--cluster-name={}", cluster.name))
                .arg(format!("--aws-vpc-id={}", cluster.vpc))
                .arg(format!("--enable-leader-election={leader_election}"))
                .arg(format!("--identity={identity}"))
        },
    )
}

/// Waits until `check` holds, or fails after `limit` saying `what`.
pub fn wait_for(
    what: &str,
    limit: Duration,
    mut check: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let start = Instant::now();
    while !check()? {
        if start.elapsed() > limit {
            bail!("timed out after {limit:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Waits until no AWS call has been made for `quiet` (and none is in flight).
pub fn settle(cluster: &Cluster, quiet: Duration, limit: Duration) -> Result<()> {
    wait_for("AWS calls to stop", limit, || {
        let calls = cluster.proxy.log.calls();
        let last = calls
            .iter()
            .map(|c| c.end.unwrap_or_else(Instant::now))
            .max();
        Ok(last.is_none_or(|t| t.elapsed() >= quiet))
    })
}
