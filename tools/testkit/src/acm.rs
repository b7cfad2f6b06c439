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
