//! Reading what exists in AWS. Load balancers and target groups are listed (filtered to the
//! VPC when it is known) and kept only when their tags claim them for the owner; security
//! groups are found with EC2 tag filters. Nothing here changes anything.

pub mod listener;
pub mod load_balancer;
pub mod security_group;
pub mod subnet;
pub mod target_group;

use crate::client::Clients;
use crate::convert::tags_from_elb;
use crate::error::{Error, Operation, Result};
use gantry_model::Tags;
use std::collections::BTreeMap;

/// DescribeTags accepts at most this many ARNs per call.
const TAGS_BATCH: usize = 20;

/// Tags of ELBv2 resources (load balancers, target groups, listeners, rules): those read
/// recently from the cache ([`crate::client::remembered`]), the others with DescribeTags, 20 per call.
pub async fn elb_tags(aws: &Clients, arns: &[String]) -> Result<BTreeMap<String, Tags>> {
    let mut out = BTreeMap::new();
    let mut unknown = Vec::new();
    for arn in arns {
        match aws.remembered_tags.get(arn) {
            Some(tags) => {
                out.insert(arn.clone(), tags);
            }
            None => unknown.push(arn.clone()),
        }
    }
    for chunk in unknown.chunks(TAGS_BATCH) {
        let resp = aws
            .elbv2
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| Error::call(Operation::DescribeTags, chunk.join(","), e))?;
        let read: Vec<(String, Tags)> = resp
            .tag_descriptions
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| {
                let tags = tags_from_elb(d.tags.as_deref().unwrap_or_default());
                Some((d.resource_arn?, tags))
            })
            .collect();
        aws.remembered_tags.put(read.iter().cloned());
        out.extend(read);
    }
    Ok(out)
}

/// Key/value attributes as a map.
pub fn attribute_map<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
        .collect()
}
