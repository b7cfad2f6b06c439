//! Listener certificates from Kubernetes Secrets: each Secret's certificate is imported into
//! ACM once per cluster, tagged with the cluster, the Secret (`namespace/name`) and the
//! fingerprint of its leaf certificate, and reused by every listener that names it. A new
//! fingerprint re-imports in place under the same ARN, so listeners see no change. A
//! certificate is deleted once the listeners that used it have stopped (the post pass), and
//! only one gantry imported: both ownership tags present.

use crate::acm::summaries;
use crate::certificate_source::{FINGERPRINT_TAG, ImportMaterial, SECRET_TAG};
use crate::discover::listener;
use crate::error::{Error, Operation, Result, send};
use crate::ownership::CLUSTER;
use crate::report::ResourceKind;
use crate::run::{Run, placeholder};
use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types::{CertificateType, Tag};
use gantry_model::{Certificate, SecretCertificate, Stack};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A certificate gantry imported for this cluster.
#[derive(Clone, Debug)]
struct Imported {
    arn: String,
    secret: String,
    fingerprint: String,
}

fn wanted(stack: &Stack) -> Vec<&SecretCertificate> {
    let mut out: Vec<&SecretCertificate> = Vec::new();
    for c in stack.listeners.iter().flat_map(|l| &l.certificate_secrets) {
        if !out.iter().any(|o| o.secret == c.secret) {
            out.push(c);
        }
    }
    out
}

/// `stack` with the ARNs of its Secrets' certificates added after each listener's configured
/// ones, importing or re-importing what ACM lacks. No call when no listener names a Secret.
pub(crate) async fn import<'s>(run: &mut Run<'_>, stack: &'s Stack) -> Result<Cow<'s, Stack>> {
    let wanted = wanted(stack);
    if wanted.is_empty() {
        return Ok(Cow::Borrowed(stack));
    }
    let arns = ensure(run, &stack.gateway, &wanted).await?;
    let mut out = stack.clone();
    for l in &mut out.listeners {
        for c in &l.certificate_secrets {
            let cert = Certificate {
                certificate_arn: arns[&c.secret].clone(),
            };
            if !l.certificates.contains(&cert) {
                l.certificates.push(cert);
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// The ARN of each wanted Secret's certificate (by Secret), importing what ACM lacks and
/// re-importing in place what has another fingerprint. `gateway` names the user in errors.
async fn ensure(
    run: &mut Run<'_>,
    gateway: &str,
    wanted: &[&SecretCertificate],
) -> Result<BTreeMap<String, String>> {
    let owned = list(run).await?;
    let mut arns: BTreeMap<String, String> = BTreeMap::new();
    for w in wanted {
        let existing = owned
            .iter()
            .filter(|o| o.secret == w.secret)
            .min_by(|a, b| a.arn.cmp(&b.arn));
        let arn = match existing {
            Some(o) if o.fingerprint == w.fingerprint => o.arn.clone(),
            Some(o) => {
                reimport(run, gateway, &o.arn, w).await?;
                o.arn.clone()
            }
            None => create(run, gateway, w).await?,
        };
        arns.insert(w.secret.clone(), arn);
    }
    Ok(arns)
}

impl crate::Deployer {
    /// The ARNs (by Secret `namespace/name`) of the ACM certificates imported from `wanted`,
    /// for load balancer listeners gantry does not create itself (the tiered class's
    /// Crossplane listeners): the same import, ownership tags and in-place re-import on a new
    /// fingerprint as a stack's listeners get. `user` names who wants them, in errors.
    pub async fn ensure_secret_certificates(
        &self,
        user: &str,
        wanted: &[SecretCertificate],
    ) -> Result<BTreeMap<String, String>> {
        let mut run = self.bare_run(user);
        let wanted: Vec<&SecretCertificate> = wanted.iter().collect();
        ensure(&mut run, user, &wanted).await
    }

    /// Deletes the certificates gantry imported (both ownership tags) from the Secrets
    /// `secrets` (`namespace/name`), unless a load balancer still uses one (ACM's InUseBy).
    pub async fn delete_certificates_of_secrets(
        &self,
        user: &str,
        secrets: &[String],
    ) -> Result<()> {
        let mut run = self.bare_run(user);
        let owned = list(&run).await?;
        for cert in owned.iter().filter(|o| secrets.contains(&o.secret)) {
            delete_unused(&mut run, cert).await?;
        }
        Ok(())
    }
}

fn material(run: &Run<'_>, gateway: &str, w: &SecretCertificate) -> Result<ImportMaterial> {
    run.settings
        .certificates
        .as_ref()
        .and_then(|c| c.0.material(&w.secret, &w.fingerprint))
        .ok_or_else(|| Error::SecretCertificate {
            gateway: gateway.to_string(),
            secret: w.secret.clone(),
            message: format!(
                "the certificate with fingerprint {} is not available to import (the Secret changed or is gone since the plan)",
                w.fingerprint
            ),
        })
}

fn tag(key: &str, value: &str) -> Result<Tag> {
    Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|e| Error::SecretCertificate {
            gateway: String::new(),
            secret: value.to_string(),
            message: e.to_string(),
        })
}

/// The ownership tags of an imported certificate: cluster, Secret, fingerprint.
fn tags(run: &Run<'_>, w: &SecretCertificate) -> Result<Vec<Tag>> {
    Ok(vec![
        tag(CLUSTER, &run.settings.cluster_name)?,
        tag(SECRET_TAG, &w.secret)?,
        tag(FINGERPRINT_TAG, &w.fingerprint)?,
    ])
}

async fn create(run: &mut Run<'_>, gateway: &str, w: &SecretCertificate) -> Result<String> {
    let m = material(run, gateway, w)?;
    let tags = tags(run, w)?;
    let acm = run.aws.acm.clone();
    let call = acm
        .import_certificate()
        .certificate(Blob::new(m.certificate))
        .private_key(Blob::new(m.private_key))
        .set_certificate_chain(m.chain.map(Blob::new))
        .set_tags(Some(tags))
        .send();
    let out = run
        .send(Operation::ImportCertificate, &w.secret, call)
        .await?;
    run.created(
        ResourceKind::Certificate,
        &w.secret,
        &format!("imported into ACM, sha256 {}", w.fingerprint),
    );
    Ok(match out {
        Some(o) => o.certificate_arn.unwrap_or_default(),
        None => placeholder(&format!("certificate of {}", w.secret)),
    })
}

/// Rotation: the same ARN gets the Secret's new certificate, then the new fingerprint tag.
async fn reimport(
    run: &mut Run<'_>,
    gateway: &str,
    arn: &str,
    w: &SecretCertificate,
) -> Result<()> {
    let m = material(run, gateway, w)?;
    let acm = run.aws.acm.clone();
    let call = acm
        .import_certificate()
        .certificate_arn(arn)
        .certificate(Blob::new(m.certificate))
        .private_key(Blob::new(m.private_key))
        .set_certificate_chain(m.chain.map(Blob::new))
        .send();
    run.send(Operation::ImportCertificate, arn, call).await?;
    // All three tags again, not only the fingerprint: a re-import must leave the certificate
    // recognisably gantry's even where the emulator drops tags on re-import (moto does).
    let call = acm
        .add_tags_to_certificate()
        .certificate_arn(arn)
        .set_tags(Some(tags(run, w)?))
        .send();
    run.send(Operation::AddTagsToCertificate, arn, call).await?;
    run.modified(
        ResourceKind::Certificate,
        &w.secret,
        &format!("re-imported in place, sha256 {}", w.fingerprint),
    );
    Ok(())
}

/// Deletes the gantry-imported certificates among `previous` (the certificates this stack's
/// listeners carried before the run) that `stack` no longer uses and no other load balancer
/// uses (ACM's InUseBy, and DeleteCertificate refuses one in use).
pub(crate) async fn cleanup(
    run: &mut Run<'_>,
    stack: Option<&Stack>,
    previous: &BTreeSet<String>,
) -> Result<()> {
    let kept: BTreeSet<&str> = stack
        .into_iter()
        .flat_map(|s| &s.listeners)
        .flat_map(|l| &l.certificates)
        .map(|c| c.certificate_arn.as_str())
        .collect();
    let candidates: Vec<&String> = previous
        .iter()
        .filter(|a| a.contains(":acm:") && !kept.contains(a.as_str()))
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let owned = list(run).await?;
    for arn in candidates {
        if let Some(cert) = owned.iter().find(|o| &o.arn == arn) {
            delete_unused(run, cert).await?;
        }
    }
    Ok(())
}

/// Deletes one imported certificate unless a load balancer uses it (ACM's InUseBy, and
/// DeleteCertificate refuses one in use).
async fn delete_unused(run: &mut Run<'_>, cert: &Imported) -> Result<()> {
    let arn = cert.arn.as_str();
    let acm = run.aws.acm.clone();
    let request = acm.describe_certificate().certificate_arn(arn);
    let detail = send(Operation::DescribeCertificate, arn, request.send()).await?;
    let in_use = detail
        .certificate
        .and_then(|c| c.in_use_by)
        .unwrap_or_default();
    if !in_use.is_empty() {
        tracing::debug!(arn, ?in_use, "imported certificate still in use; kept");
        return Ok(());
    }
    let call = acm.delete_certificate().certificate_arn(arn).send();
    let result = run.send(Operation::DeleteCertificate, arn, call).await;
    match result {
        Ok(_) => run.deleted(
            ResourceKind::Certificate,
            &cert.secret,
            "no listener uses it",
        ),
        Err(e) if e.code() == Some("ResourceInUseException") => {
            tracing::info!(arn, "imported certificate still in use; kept");
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Every certificate in ACM carrying this cluster's tag and a Secret tag.
async fn list(run: &Run<'_>) -> Result<Vec<Imported>> {
    let aws = run.aws;
    let arns = summaries(aws, None, "certificates")
        .await?
        .into_iter()
        // Only imported certificates can be gantry's; summaries that do not say are read.
        .filter(|s| {
            s.r#type
                .as_ref()
                .is_none_or(|t| *t == CertificateType::Imported)
        })
        .filter_map(|s| s.certificate_arn);
    let mut out = Vec::new();
    for arn in arns {
        let request = aws.acm.list_tags_for_certificate().certificate_arn(&arn);
        let listed = send(Operation::ListTagsForCertificate, &arn, request.send()).await?;
        let tags = listed.tags.unwrap_or_default();
        let get = |k: &str| {
            tags.iter()
                .find(|t| t.key == k)
                .and_then(|t| t.value.clone())
        };
        if get(CLUSTER).as_deref() != Some(run.settings.cluster_name.as_str()) {
            continue;
        }
        if let Some(secret) = get(SECRET_TAG) {
            out.push(Imported {
                arn,
                secret,
                fingerprint: get(FINGERPRINT_TAG).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// ARNs of the certificates on the listeners of load balancer `lb_arn`.
pub(crate) async fn on_load_balancer(run: &Run<'_>, lb_arn: &str) -> Result<BTreeSet<String>> {
    let aws = run.aws;
    let mut out = BTreeSet::new();
    let request = aws.elbv2.describe_listeners().load_balancer_arn(lb_arn);
    let listed = send(Operation::DescribeListeners, lb_arn, request.send()).await?;
    for l in listed.listeners.unwrap_or_default() {
        let Some(arn) = l.listener_arn else { continue };
        if l.certificates.as_ref().is_none_or(|c| c.is_empty()) {
            continue;
        }
        out.extend(listener::certificates(aws, &arn).await?);
    }
    Ok(out)
}
