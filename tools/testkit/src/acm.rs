//! Reads of what a test left in moto's ACM: the certificates gantry imported.

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
