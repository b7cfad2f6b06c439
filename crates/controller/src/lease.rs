//! Leader election on a coordination.k8s.io Lease.
//!
//! The holder renews the lease every `renew_every`. Others remember when they last saw the
//! lease record change, by their own monotonic clock (so clock skew between nodes does not
//! matter, as in client-go), and take it over once it has not changed for `duration`. Every
//! write carries the resourceVersion read, so two candidates cannot both win. The holder steps
//! down as soon as a renewal is refused, or when it could not renew for two thirds of
//! `duration` — before anyone else may take over.

use crate::config::LeaseConfig;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{Api, ObjectMeta, PostParams};
use tokio::sync::watch;
use tokio::time::Instant;

/// What a candidate remembers of the lease.
struct Observed {
    record: (Option<String>, Option<String>, Option<i32>),
    at: Instant,
}

/// Runs the election until `shutdown` resolves, publishing whether this replica leads on
/// `leader_tx`. On shutdown a holder releases the lease so that another takes over at once.
pub async fn run(
    api: Api<Lease>,
    config: LeaseConfig,
    leader_tx: watch::Sender<bool>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut observed: Option<Observed> = None;
    let mut last_renewal: Option<Instant> = None;
    let deadline = config.duration * 2 / 3;
    loop {
        let leading = try_lead(&api, &config, &mut observed).await;
        let now = Instant::now();
        // A standby that read the lease looks again sooner than the holder renews, so that it
        // notices an expired lease soon after it expires; on errors it keeps the slower pace.
        let wait = match leading {
            Ok(false) => config.renew_every.min(config.retry_every),
            _ => config.renew_every,
        };
        let is_leader = match leading {
            Ok(true) => {
                last_renewal = Some(now);
                true
            }
            Ok(false) => {
                last_renewal = None;
                false
            }
            // Unknown (API unreachable): keep leading only within the renewal deadline.
            Err(e) => {
                tracing::warn!(error = %e, "lease: renewal failed");
                last_renewal.is_some_and(|t| now.duration_since(t) < deadline)
            }
        };
        leader_tx.send_if_modified(|l| {
            if *l != is_leader {
                tracing::info!(identity = %config.identity, leader = is_leader, "lease: leadership changed");
                *l = is_leader;
                true
            } else {
                false
            }
        });
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    if *leader_tx.borrow() {
        leader_tx.send_replace(false);
        release(&api, &config).await;
    }
}

/// One round: Ok(true) if this replica holds the lease afterwards.
async fn try_lead(
    api: &Api<Lease>,
    config: &LeaseConfig,
    observed: &mut Option<Observed>,
) -> kube::Result<bool> {
    let now = Instant::now();
    let Some(lease) = api.get_opt(&config.name).await? else {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(config.name.clone()),
                namespace: Some(config.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(spec_for(config, 0, None)),
        };
        return match api.create(&PostParams::default(), &lease).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(e)) if e.code == 409 => Ok(false),
            Err(e) => Err(e),
        };
    };
    let spec = lease.spec.clone().unwrap_or_default();
    let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
    let transitions = spec.lease_transitions.unwrap_or(0);
    let mine = holder.as_deref() == Some(config.identity.as_str());
    if !mine && holder.is_some() {
        let record = (
            holder.clone(),
            spec.renew_time.as_ref().map(|t| t.0.to_string()),
            spec.lease_transitions,
        );
        let expired = match observed {
            Some(o) if o.record == record => now.duration_since(o.at) >= config.duration,
            _ => {
                *observed = Some(Observed { record, at: now });
                false
            }
        };
        if !expired {
            return Ok(false);
        }
    }
    let acquire = if mine {
        spec.acquire_time.clone()
    } else {
        None
    };
    let new = Lease {
        metadata: lease.metadata.clone(),
        spec: Some(spec_for(
            config,
            if mine { transitions } else { transitions + 1 },
            acquire,
        )),
    };
    match api
        .replace(&config.name, &PostParams::default(), &new)
        .await
    {
        Ok(_) => {
            *observed = None;
            Ok(true)
        }
        // Someone else wrote the lease first: they hold it.
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

fn spec_for(config: &LeaseConfig, transitions: i32, acquired: Option<MicroTime>) -> LeaseSpec {
    let now = MicroTime(k8s_openapi::jiff::Timestamp::now());
    LeaseSpec {
        holder_identity: Some(config.identity.clone()),
        lease_duration_seconds: Some(config.duration.as_secs().max(1) as i32),
        acquire_time: Some(acquired.unwrap_or_else(|| now.clone())),
        renew_time: Some(now),
        lease_transitions: Some(transitions),
        ..LeaseSpec::default()
    }
}

async fn release(api: &Api<Lease>, config: &LeaseConfig) {
    let Ok(Some(mut lease)) = api.get_opt(&config.name).await else {
        return;
    };
    let Some(spec) = lease.spec.as_mut() else {
        return;
    };
    if spec.holder_identity.as_deref() != Some(config.identity.as_str()) {
        return;
    }
    spec.holder_identity = None;
    if let Err(e) = api
        .replace(&config.name, &PostParams::default(), &lease)
        .await
    {
        tracing::warn!(error = %e, "lease: release failed; it expires instead");
    }
}
