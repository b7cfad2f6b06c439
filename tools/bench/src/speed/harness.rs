//! What the propagation and failover benchmarks share: a cluster in the API server stand-in
//! served on loopback, AWS (the emulator behind the logging [`Proxy`]) brought to the cluster's
//! state beforehand, and release `gantry controller` processes.

use super::proxy::Proxy;
use crate::controller_memory::gantry_binary;
use anyhow::{Context, Result, bail};
use gantry_deploy::client::{ClientSettings, load_config};
use gantry_deploy::{DeploySettings, Deployer, PriorityMode};
use gantry_kube_standin::{FakeApi, Served, kubeconfig, serve_loopback};
use gantry_model::Stack;
use gantry_snapshot::Snapshot;
use gantry_translate::Settings;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Cluster {
    pub api: FakeApi,
    _served: Served,
    /// Runs the stand-in's server (dropped after it).
    _runtime: tokio::runtime::Runtime,
    pub kubeconfig: PathBuf,
    pub proxy: Proxy,
    pub name: String,
    pub vpc: String,
    pub dir: PathBuf,
}

/// The stand-in holding `snapshot`, served on loopback; a VPC in the emulator at `endpoint`;
/// every stack of the snapshot (as the stand-in holds it) applied there directly (no rate limit, several at a time), so
/// that the controllers start from a converged cluster.
pub fn cluster(label: &str, snapshot: &Snapshot, endpoint: &str) -> Result<Cluster> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let api = FakeApi::new();
    crate::stand_in::load(&api, snapshot);
    // What the controllers will see: the stand-in stamps its own creation times.
    let snapshot = &crate::stand_in::stored(&api, snapshot);
    let served = runtime.block_on(serve_loopback(api.clone()))?;
    // Kept after the run (the controllers' logs are there): target/bench/ of the checkout.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/bench")
        .join(format!("{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    eprintln!("{label}: the controllers' logs go to {}", dir.display());
    let kubeconfig_path = dir.join("kubeconfig");
    std::fs::write(&kubeconfig_path, kubeconfig(served.addr))?;
    let name = format!("{label}-{}", std::process::id());
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-west-2".into());
    let client = ClientSettings {
        requests_per_second: 0.0,
        region: Some(region.clone()),
        ..ClientSettings::default()
    };
    let vpc = runtime.block_on(async {
        let config = load_config(&client).await;
        let vpc =
            crate::aws::create_network(&aws_sdk_ec2::Client::new(&config), &name, &region).await?;
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
        api,
        _served: served,
        _runtime: runtime,
        kubeconfig: kubeconfig_path,
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

/// A `gantry controller` process; killed (SIGKILL) when dropped.
pub struct Controller {
    pub child: Child,
    pub admin: SocketAddr,
    pub log: PathBuf,
}

impl Controller {
    pub fn start(cluster: &Cluster, identity: &str, leader_election: bool) -> Result<Controller> {
        let gantry = gantry_binary().context(
            "no `gantry` binary next to gantry-bench (scripts/bench.sh builds both in release)",
        )?;
        let admin = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
        let log = cluster.dir.join(format!("controller-{identity}.log"));
        let log_file = std::fs::File::create(&log)?;
        let child = Command::new(gantry)
            .arg("controller")
            .arg(format!("--cluster-name={}", cluster.name))
            .arg("--aws-region=us-west-2")
            .arg(format!("--aws-vpc-id={}", cluster.vpc))
            .arg(format!("--enable-leader-election={leader_election}"))
            .arg(format!("--identity={identity}"))
            .arg(format!("--metrics-bind-addr={admin}"))
            .env("KUBECONFIG", &cluster.kubeconfig)
            .env("AWS_ENDPOINT_URL", cluster.proxy.endpoint())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .context("starting gantry controller")?;
        Ok(Controller { child, admin, log })
    }

    /// SIGKILL, as a crash or an evicted node: nothing is released.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "the controller exited: {status} (its log: {})",
                self.log.display()
            );
        }
        Ok(())
    }

    pub fn metric(&self, series: &str) -> Option<f64> {
        let (code, body) = get(self.admin, "/metrics")?;
        (code == 200).then(|| metric_in(&body, series))?
    }

    pub fn ready(&self) -> bool {
        get(self.admin, "/readyz").is_some_and(|(c, _)| c == 200)
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The value of the series named exactly `series` (name and labels) in a Prometheus text.
fn metric_in(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
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

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Status code and body of `GET path` (HTTP/1.0); None while nothing answers.
fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_series() {
        let text = "gantry_leader 1\ngantry_reconciles_total{kind=\"Gateway\"} 212\n";
        assert_eq!(metric_in(text, "gantry_leader"), Some(1.0));
        assert_eq!(
            metric_in(text, "gantry_reconciles_total{kind=\"Gateway\"}"),
            Some(212.0)
        );
        assert_eq!(metric_in(text, "gantry_reconciles_total"), None);
    }
}
