//! Moto's ACM in tests: the test certificates, importing one as someone else would, and reads
//! of what a test left there.

use std::collections::BTreeMap;

/// The tags of the ACM certificate `arn`, by key.
pub async fn certificate_tags(acm: &aws_sdk_acm::Client, arn: &str) -> BTreeMap<String, String> {
    acm.list_tags_for_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .expect("list tags")
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value.unwrap_or_default()))
        .collect()
}

/// The ARNs of every certificate in the account, every page and every key type: ACM lists
/// only RSA ones unless asked for the others, and a moto shared by many tests holds more than
/// one page of them.
pub async fn certificate_arns(acm: &aws_sdk_acm::Client) -> Vec<String> {
    use aws_sdk_acm::types::{Filters, KeyAlgorithm};
    let key_types = KeyAlgorithm::values()
        .iter()
        .map(|v| KeyAlgorithm::from(*v))
        .collect();
    let every_key_type = Filters::builder().set_key_types(Some(key_types)).build();
    let mut pages = acm
        .list_certificates()
        .includes(every_key_type)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let summaries = page.expect("list certificates").certificate_summary_list;
        out.extend(
            summaries
                .into_iter()
                .flatten()
                .filter_map(|s| s.certificate_arn),
        );
    }
    out
}

/// The ARNs of the certificates whose tags (by key) `keep` accepts.
pub async fn certificates_tagged(
    acm: &aws_sdk_acm::Client,
    keep: impl Fn(&BTreeMap<String, String>) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for arn in certificate_arns(acm).await {
        if keep(&certificate_tags(acm, &arn).await) {
            out.push(arn);
        }
    }
    out
}

/// The domain name of the certificate `arn`; None once it is deleted.
pub async fn domain_name(acm: &aws_sdk_acm::Client, arn: &str) -> Option<String> {
    acm.describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .ok()?
        .certificate?
        .domain_name
}

/// The PEM text of a test certificate or key from translate's fixtures
/// (`crates/translate/tests/fixtures/certificates/<name>`).
pub fn certificate_fixture(name: &str) -> String {
    let path = format!(
        "{}/../../crates/translate/tests/fixtures/certificates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Imports the fixture certificate `certificate` with its key `key`, tagged `tag` (key, value),
/// as a certificate gantry did not import; returns its ARN.
pub async fn import_tagged(
    acm: &aws_sdk_acm::Client,
    certificate: &str,
    key: &str,
    tag: (&str, &str),
) -> String {
    acm.import_certificate()
        .certificate(aws_sdk_acm::primitives::Blob::new(certificate_fixture(
            certificate,
        )))
        .private_key(aws_sdk_acm::primitives::Blob::new(certificate_fixture(key)))
        .tags(
            aws_sdk_acm::types::Tag::builder()
                .key(tag.0)
                .value(tag.1)
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("import a certificate")
        .certificate_arn
        .expect("ARN")
}
