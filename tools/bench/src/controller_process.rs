//! A release `gantry controller` process that a benchmark starts, and its admin endpoints
//! (`/readyz`, `/metrics`), asked with a plain HTTP/1.0 GET: one request at a time needs no
//! HTTP client.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The `gantry` binary built next to this executable (`cargo build --release -p gantry`).
pub fn gantry_binary() -> Option<PathBuf> {
    let own = std::env::current_exe().ok()?;
    let gantry = own.parent()?.join("gantry");
    gantry.is_file().then_some(gantry)
}

/// A `gantry controller` process; killed (SIGKILL) when dropped, so an error on the way leaves
/// none behind.
pub struct ControllerProcess {
    pub child: Child,
    /// Where its admin endpoints listen.
    pub admin: SocketAddr,
    pub log: PathBuf,
}

impl ControllerProcess {
    /// Starts `gantry controller` against the API server of `kubeconfig` and the AWS endpoint
    /// `aws`, its admin endpoints on a free loopback port and its output into `log`;
    /// `configure` adds the benchmark's own flags and environment.
    pub fn start(
        gantry: &Path,
        kubeconfig: &Path,
        aws: &str,
        log: PathBuf,
        configure: impl FnOnce(&mut Command) -> &mut Command,
    ) -> Result<ControllerProcess> {
        let admin = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
        let log_file = std::fs::File::create(&log)?;
        let mut command = Command::new(gantry);
        command
            .arg("controller")
            .arg("--aws-region=us-west-2")
            .arg(format!("--metrics-bind-addr={admin}"))
            .env("KUBECONFIG", kubeconfig)
            .env("AWS_ENDPOINT_URL", aws)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        let child = configure(&mut command)
            .spawn()
            .with_context(|| format!("starting {} controller", gantry.display()))?;
        Ok(ControllerProcess { child, admin, log })
    }

    /// SIGKILL, as a crash or an evicted node: nothing is released.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// An error once the process has exited.
    pub fn alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "the controller exited: {status} (its log: {})",
                self.log.display()
            );
        }
        Ok(())
    }

    /// Whether every watch has listed its kind once.
    pub fn ready(&self) -> bool {
        get(self.admin, "/readyz").is_some_and(|(code, _)| code == 200)
    }

    /// The value of the series named exactly `series` (name and labels) in `/metrics`.
    pub fn metric(&self, series: &str) -> Option<f64> {
        let (code, body) = get(self.admin, "/metrics")?;
        (code == 200).then(|| metric_in(&body, series))?
    }

    /// Reconciles of `kind` so far (failed ones included), from `/metrics`.
    pub fn reconciles(&self, kind: &str) -> Option<u64> {
        Some(self.metric(&reconciles_series(kind))? as u64)
    }

    /// Whether it has made as many Gateway reconciles as `gateways` (its first round, failed
    /// reconciles included); an error once it has exited.
    pub fn reconciled(&mut self, gateways: usize) -> Result<bool> {
        self.alive()?;
        Ok(self.reconciles("Gateway").unwrap_or(0) >= gateways as u64)
    }
}

impl Drop for ControllerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback port nothing listens on (taken from the OS, then released).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Status code and body of `GET path`; `None` while nothing answers.
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

fn reconciles_series(kind: &str) -> String {
    format!("gantry_reconciles_total{{kind=\"{kind}\"}}")
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

    #[test]
    fn counts_the_reconciles_of_one_kind() {
        let metrics = "# TYPE gantry_reconciles_total counter\ngantry_reconciles_total{kind=\"Gateway\"} 212\ngantry_reconciles_total{kind=\"GatewayClass\"} 2\n";
        let reconciles_in = |kind| metric_in(metrics, &reconciles_series(kind));
        assert_eq!(reconciles_in("Gateway"), Some(212.0));
        assert_eq!(reconciles_in("GatewayClass"), Some(2.0));
        assert_eq!(reconciles_in("TargetGroupBinding"), None);
    }
}
