//! Planning with ACM's certificates: a load balancer listener of a tiered Gateway whose class
//! names no `certificateARN` gets the ACM certificate covering its hostnames. Crossplane
//! cannot find one (the providers' listener kinds take an ARN and have no reference for it),
//! so the controller reads ACM's ISSUED certificates — only when a plan asks for them
//! (`needs_acm`), through the deployer's cache (listed about once a minute) — and plans
//! again with them.

use crate::deploy::Deploy;
use gantry_snapshot::Snapshot;
use gantry_tiered::{AcmCertificate, Observed, TieredPlan, TieredSettings};

/// The inputs, the plan, and the failures to report.
pub(super) type Planned = (Snapshot, Observed, TieredPlan, Vec<String>);

/// The plan, with the failures to report (ACM unreadable: its listeners stay pending and the
/// pass is retried with backoff); `Err` when planning panicked.
pub(super) async fn plan(
    deploy: &dyn Deploy,
    snapshot: Snapshot,
    observed: Observed,
    settings: &TieredSettings,
) -> Result<Planned, String> {
    let (snapshot, mut observed, plan) = blocking(snapshot, observed, settings).await?;
    if !plan.needs_acm {
        return Ok((snapshot, observed, plan, vec![]));
    }
    match deploy.issued_certificates().await {
        Ok(list) => {
            let list = list
                .into_iter()
                .map(|(arn, names)| AcmCertificate { arn, names });
            observed.set_acm_certificates(list.collect());
            let (snapshot, observed, plan) = blocking(snapshot, observed, settings).await?;
            Ok((snapshot, observed, plan, vec![]))
        }
        Err(e) => {
            let failure = format!("reading ACM certificates for tiered listeners: {e}");
            Ok((snapshot, observed, plan, vec![failure]))
        }
    }
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
