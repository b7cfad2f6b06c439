//! Planning with the load balancer listeners' certificates that Crossplane cannot find or
//! make (the providers' listener kinds take an ARN and have no reference for it):
//!
//! * **ACM by hostname**: a tiered Gateway whose class names no `certificateARN` gets the
//!   ACM certificate covering its listeners' hostnames. The controller reads ACM's ISSUED
//!   certificates — only when a plan asks for them (`needs_acm`), through the deployer's
//!   cache (listed about once a minute).
//! * **A listener's Secret**: the Secrets' certificates a plan lists
//!   (`secret_certificates`) are imported into ACM by the deployer — the same import,
//!   ownership tags and in-place re-import on a new fingerprint as for ALB listeners — and
//!   their ARNs passed back.
//!
//! Then the plan is made again with them. When a Gateway is deleted, [`delete_imported`]
//! deletes what was imported from its listeners' Secrets (`pass.rs` calls it under the
//! finalizer, once the listener objects are gone).

use crate::deploy::Deploy;
use gantry_api::gateway::Gateway;
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_tiered::{AcmCertificate, ImportedCertificate, Observed, TieredPlan, TieredSettings};

/// The inputs, the plan, and the failures to report.
pub(super) type Planned = (Snapshot, Observed, TieredPlan, Vec<String>);

/// The plan, with the failures to report (ACM unreadable or an import failed: those
/// listeners stay pending and the pass is retried with backoff); `Err` when planning
/// panicked.
pub(super) async fn plan(
    deploy: &dyn Deploy,
    snapshot: Snapshot,
    observed: Observed,
    settings: &TieredSettings,
) -> Result<Planned, String> {
    let (snapshot, mut observed, plan) = blocking(snapshot, observed, settings).await?;
    let mut failures = Vec::new();
    let mut again = false;
    if plan.needs_acm {
        match deploy.issued_certificates().await {
            Ok(list) => {
                let list = list
                    .into_iter()
                    .map(|(arn, names)| AcmCertificate { arn, names });
                observed.set_acm_certificates(list.collect());
                again = true;
            }
            Err(e) => failures.push(format!(
                "reading ACM certificates for tiered listeners: {e}"
            )),
        }
    }
    let mut wanted: Vec<gantry_model::SecretCertificate> = Vec::new();
    for c in plan.secret_certificates.values().flatten() {
        let c = gantry_model::SecretCertificate {
            secret: c.secret.clone(),
            fingerprint: c.fingerprint.clone(),
        };
        if !wanted.contains(&c) {
            wanted.push(c);
        }
    }
    if !wanted.is_empty() {
        let users: Vec<String> = plan
            .secret_certificates
            .keys()
            .map(|k| format!("Gateway {k}"))
            .collect();
        match deploy
            .import_secret_certificates(&users.join(", "), &wanted)
            .await
        {
            Ok(arns) => {
                let imported = wanted.into_iter().filter_map(|w| {
                    let arn = arns.get(&w.secret)?.clone();
                    Some(ImportedCertificate {
                        secret: w.secret,
                        fingerprint: w.fingerprint,
                        arn,
                    })
                });
                observed.set_imported_certificates(imported.collect());
                again = true;
            }
            Err(e) => failures.push(format!(
                "importing listener Secrets' certificates into ACM for tiered listeners: {e}"
            )),
        }
    }
    if !again {
        return Ok((snapshot, observed, plan, failures));
    }
    let (snapshot, observed, plan) = blocking(snapshot, observed, settings).await?;
    Ok((snapshot, observed, plan, failures))
}

/// Deletes from ACM the certificates imported from the Secrets Gateway `key`'s listeners
/// name, once its listener objects are gone — unless a planned tiered Gateway or a
/// Gateway of the ALB/NLB classes still names that Secret (the import is shared per
/// Secret). The deployer deletes only what carries gantry's ownership tags and no load
/// balancer uses.
pub(super) async fn delete_imported(
    deploy: &dyn Deploy,
    snapshot: &Snapshot,
    plan: &TieredPlan,
    key: &ObjectKey,
    gw: &Gateway,
) -> Result<(), String> {
    let still_wanted: Vec<&str> = plan
        .secret_certificates
        .values()
        .flatten()
        .map(|c| c.secret.as_str())
        .collect();
    let by_others = gantry_translate::secrets::listener_certificate_secrets(snapshot);
    let secrets: Vec<String> = gantry_translate::secrets::gateway_certificate_secrets(key, gw)
        .filter(|s| !by_others.contains_key(s))
        .map(|s| s.to_string())
        .filter(|s| !still_wanted.contains(&s.as_str()))
        .collect();
    if secrets.is_empty() {
        return Ok(());
    }
    let user = format!("Gateway {key}");
    deploy
        .delete_secret_certificates(&user, &secrets)
        .await
        .map_err(|e| format!("deleting the certificates imported for {user}: {e}"))
}

/// The pure plan, off the async threads (it walks the whole cluster).
async fn blocking(
    snapshot: Snapshot,
    observed: Observed,
    settings: &TieredSettings,
) -> Result<(Snapshot, Observed, TieredPlan), String> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let plan = gantry_tiered::plan(&snapshot, &observed, &settings);
        (snapshot, observed, plan)
    })
    .await
    .map_err(|e| format!("planning panicked: {e}"))
}
