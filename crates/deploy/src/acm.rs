//! ACM certificate discovery (docs/certificates.md): a secure listener planned without a
//! certificate, but with hostnames (`Listener::certificate_hostnames`), gets every ISSUED ACM
//! certificate whose names cover one of them, sorted by ARN, the first as its default.
//!
//! The certificate list is cached for a minute and each certificate's names for as long as the
//! AWS Load Balancer Controller keeps them (5 minutes imported, 10 hours issued by AWS), so
//! that a controller reconciling many Gateways lists ACM about once a minute, not per Gateway.

use crate::client::Clients;
use crate::error::{Error, Operation, Result, send};
use aws_sdk_acm::types::KeyAlgorithm;
use aws_sdk_acm::types::{CertificateStatus, CertificateSummary, CertificateType, Filters};
use gantry_model::certificate_names::covers;
use gantry_model::{Certificate, Listener, Stack};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const LIST_TTL: Duration = Duration::from_secs(60);
const IMPORTED_TTL: Duration = Duration::from_secs(5 * 60);
const ISSUED_TTL: Duration = Duration::from_secs(10 * 60 * 60);

/// The ARNs, sorted, of the certificates (`(arn, names)`) covering at least one of `hosts`;
/// or the hosts no certificate covers.
pub fn select(
    certificates: &[(String, Vec<String>)],
    hosts: &[String],
) -> Result<Vec<String>, Vec<String>> {
    let mut arns = BTreeSet::new();
    let mut uncovered = Vec::new();
    for host in hosts {
        let mut found = false;
        for (arn, names) in certificates {
            if names.iter().any(|n| covers(n, host)) {
                found = true;
                arns.insert(arn.clone());
            }
        }
        if !found {
            uncovered.push(host.clone());
        }
    }
    if uncovered.is_empty() {
        Ok(arns.into_iter().collect())
    } else {
        Err(uncovered)
    }
}

fn needs_discovery(l: &Listener) -> bool {
    l.protocol.is_secure() && l.certificates.is_empty() && !l.certificate_hostnames.is_empty()
}

/// `stack` with the certificates of its listeners planned for discovery filled in. Makes no
/// call when no listener needs it.
pub(crate) async fn resolve<'s>(aws: &Clients, stack: &'s Stack) -> Result<Cow<'s, Stack>> {
    if !stack.listeners.iter().any(needs_discovery) {
        return Ok(Cow::Borrowed(stack));
    }
    let certificates = certificates(aws).await?;
    let mut out = stack.clone();
    for l in out.listeners.iter_mut().filter(|l| needs_discovery(l)) {
        let arns = select(&certificates, &l.certificate_hostnames).map_err(|hosts| {
            Error::CertificateNotFound {
                gateway: stack.gateway.clone(),
                listener: format!("{}:{}", l.protocol.as_str(), l.port),
                hosts,
            }
        })?;
        tracing::debug!(listener = l.port, ?arns, "certificates discovered in ACM");
        l.certificates = arns
            .into_iter()
            .map(|certificate_arn| Certificate { certificate_arn })
            .collect();
    }
    Ok(Cow::Owned(out))
}

impl crate::Deployer {
    /// Every ISSUED ACM certificate of the deployer's region with the names it covers
    /// (domain name and SANs), through the same cache as discovery: for callers that choose
    /// a certificate themselves (the tiered class's load balancer listeners).
    pub async fn issued_certificates(&self) -> Result<Vec<(String, Vec<String>)>> {
        certificates(self.clients()).await
    }
}

/// Every ISSUED certificate with its names, from the cache where it is fresh.
async fn certificates(aws: &Clients) -> Result<Vec<(String, Vec<String>)>> {
    let summaries = list(aws).await?;
    let mut out = Vec::with_capacity(summaries.len());
    for s in summaries {
        let Some(arn) = s.certificate_arn.clone() else {
            continue;
        };
        let cached = {
            let state = aws.acm_cache.lock();
            state
                .names
                .get(&arn)
                .filter(|(until, _)| *until > Instant::now())
                .map(|(_, names)| names.clone())
        };
        let names = match cached.or_else(|| names_of_summary(&s)) {
            Some(names) => names,
            None => {
                let (names, kind) = describe(aws, &arn).await?;
                let ttl = if kind == Some(CertificateType::Imported) {
                    IMPORTED_TTL
                } else {
                    ISSUED_TTL
                };
                aws.acm_cache
                    .lock()
                    .names
                    .insert(arn.clone(), (Instant::now() + ttl, names.clone()));
                names
            }
        };
        out.push((arn, names));
    }
    Ok(out)
}

/// The names of a listed certificate when the summary holds all of them (ListCertificates
/// returns up to 100 and says whether there are more), saving a DescribeCertificate.
fn names_of_summary(s: &CertificateSummary) -> Option<Vec<String>> {
    if s.has_additional_subject_alternative_names != Some(false) {
        return None;
    }
    let mut names = s.subject_alternative_name_summaries.clone()?;
    names.extend(s.domain_name.clone());
    Some(names)
}

/// ISSUED certificates, all pages, from the cache while it is fresh.
async fn list(aws: &Clients) -> Result<Vec<CertificateSummary>> {
    if let Some((at, list)) = &aws.acm_cache.lock().list
        && at.elapsed() < LIST_TTL
    {
        return Ok(list.clone());
    }
    let issued = Some(vec![CertificateStatus::Issued]);
    let out = summaries(aws, issued, "ISSUED certificates").await?;
    aws.acm_cache.lock().list = Some((Instant::now(), out.clone()));
    Ok(out)
}

/// Certificates of every key algorithm (ListCertificates returns only RSA_2048 ones unless
/// asked) in one of `statuses` (any, when None), all pages. `what` names them in errors.
pub(crate) async fn summaries(
    aws: &Clients,
    statuses: Option<Vec<CertificateStatus>>,
    what: &str,
) -> Result<Vec<CertificateSummary>> {
    let key_types = KeyAlgorithm::values()
        .iter()
        .map(|v| KeyAlgorithm::from(*v));
    let includes = Filters::builder()
        .set_key_types(Some(key_types.collect()))
        .build();
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let request = aws
            .acm
            .list_certificates()
            .set_certificate_statuses(statuses.clone())
            .includes(includes.clone())
            .set_next_token(token)
            .max_items(1000);
        let page = send(Operation::ListCertificates, what, request.send()).await?;
        out.extend(page.certificate_summary_list.unwrap_or_default());
        token = page.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// A certificate's names (SANs and domain name) and type.
async fn describe(aws: &Clients, arn: &str) -> Result<(Vec<String>, Option<CertificateType>)> {
    let request = aws.acm.describe_certificate().certificate_arn(arn);
    let detail = send(Operation::DescribeCertificate, arn, request.send()).await?;
    let detail = detail.certificate;
    let Some(d) = detail else {
        return Ok((Vec::new(), None));
    };
    let mut names = d.subject_alternative_names.unwrap_or_default();
    names.extend(d.domain_name);
    Ok((names, d.r#type))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(arn: &str, names: &[&str]) -> (String, Vec<String>) {
        (
            arn.to_string(),
            names.iter().map(|n| n.to_string()).collect(),
        )
    }

    fn hosts(h: &[&str]) -> Vec<String> {
        h.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn selection_is_the_sorted_union_over_hosts() {
        let certs = [
            cert("arn:c", &["*.example.com"]),
            cert("arn:a", &["a.example.com", "www.a.example.com"]),
            cert("arn:b", &["b.example.org"]),
            cert("arn:d", &["unrelated.net"]),
        ];
        // a.example.com is covered twice (arn:a and the wildcard arn:c); both count.
        assert_eq!(
            select(&certs, &hosts(&["b.example.org", "a.example.com"])),
            Ok(vec!["arn:a".into(), "arn:b".into(), "arn:c".into()])
        );
        assert_eq!(
            select(&certs, &hosts(&["x.example.com"])),
            Ok(vec!["arn:c".into()])
        );
        assert_eq!(
            select(
                &certs,
                &hosts(&["a.b.example.com", "b.example.org", "none.io"])
            ),
            Err(hosts(&["a.b.example.com", "none.io"]))
        );
    }

    #[test]
    fn summary_names_count_only_when_complete() {
        let summary = |more| {
            CertificateSummary::builder()
                .certificate_arn("arn:a")
                .domain_name("a.example.com")
                .subject_alternative_name_summaries("a.example.com")
                .subject_alternative_name_summaries("*.a.example.com")
                .has_additional_subject_alternative_names(more)
                .build()
        };
        assert_eq!(
            names_of_summary(&summary(false)),
            Some(hosts(&[
                "a.example.com",
                "*.a.example.com",
                "a.example.com"
            ]))
        );
        assert_eq!(names_of_summary(&summary(true)), None);
        // An emulator or older API that says nothing about the SANs: ask DescribeCertificate.
        let bare = CertificateSummary::builder()
            .certificate_arn("arn:a")
            .build();
        assert_eq!(names_of_summary(&bare), None);
    }
}
