//! Reading what exists in AWS. Load balancers and target groups are listed (filtered to the
//! VPC when it is known) and kept only when their tags claim them for the owner; security
//! groups are found with EC2 tag filters. The target group listing is shared by the runs of
//! every Gateway until gantry changes a target group ([`crate::client::remembered_listing`]).
//! Nothing here changes anything.

pub mod listener;
pub mod load_balancer;
pub mod security_group;
pub mod subnet;
pub mod target_group;

use crate::client::Clients;
use crate::convert::tags_from_elb;
use crate::error::{Operation, Result, send};
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
        let request = aws
            .elbv2
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()));
        let resp = send(Operation::DescribeTags, &chunk.join(","), request.send()).await?;
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

/// `found` with each one's tags (by ARN, read with [`elb_tags`]): those whose tags pass `keep`.
/// `arn_and_tags` points at the ARN and the tags field of one.
async fn tagged<T>(
    aws: &Clients,
    mut found: Vec<T>,
    arn_and_tags: impl Fn(&mut T) -> (&str, &mut Tags),
    keep: impl Fn(&Tags) -> bool,
) -> Result<Vec<T>> {
    let arns: Vec<String> = found
        .iter_mut()
        .map(|one| arn_and_tags(one).0.to_string())
        .collect();
    let mut tags = elb_tags(aws, &arns).await?;
    found.retain_mut(|one| {
        let (arn, own) = arn_and_tags(one);
        *own = tags.remove(arn).unwrap_or_default();
        keep(own)
    });
    Ok(found)
}

/// The key/value attributes of an ELB API answer as a map (load balancer, listener and target
/// group attributes are three types of the same shape).
macro_rules! attribute_map {
    ($attributes:expr) => {
        $attributes
            .iter()
            .flatten()
            .filter_map(|a| Some((a.key.clone()?, a.value.clone().unwrap_or_default())))
            .collect::<std::collections::BTreeMap<String, String>>()
    };
}
use attribute_map;
