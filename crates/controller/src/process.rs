//! A `gantry controller` process: a multi-threaded runtime, the in-cluster (or kubeconfig)
//! client, the AWS deployer, and a graceful stop on SIGTERM or Ctrl-C.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::referenced::SecretCache;
use gantry_deploy::{DeploySettings, Deployer};
use std::sync::Arc;

/// Runs until SIGTERM or Ctrl-C, then finishes the reconciles in flight and releases the lease.
pub fn run(config: Config, mut deploy: DeploySettings) -> Result<(), Box<Error>> {
    crate::memory::configure();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Box::new(Error::Runtime(e)))?;
    runtime
        .block_on(async move {
            let client = kube::Client::try_default()
                .await
                .map_err(|source| Error::Connect { source })?;
            // Listener certificates from Secrets: the deployer imports them from the cache
            // of referenced Secrets the controller fills.
            let secrets = SecretCache::default();
            deploy.certificates = Some(crate::certificates::from_cache(&secrets));
            let deployer = Arc::new(Deployer::from_env(deploy).await);
            tracing::info!(
                cluster = %config.translate.cluster_name,
                namespace = config.watch_namespace.as_deref().unwrap_or("(all)"),
                identity = %config.lease.identity,
                "gantry controller starting"
            );
            crate::run_with_secrets(client, config, deployer, secrets, stop_signal(), |_| {}).await
        })
        .map_err(Box::new)
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stopping: finishing reconciles in flight");
}
