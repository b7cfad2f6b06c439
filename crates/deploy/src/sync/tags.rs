//! Tag updates, batched: resources needing the same change share one call (ELBv2 takes up to
//! 20 ARNs per AddTags/RemoveTags, EC2 up to 1000 ids per CreateTags/DeleteTags).

use crate::convert::{tags_to_ec2, tags_to_elb};
use crate::diff::tags::{TagChanges, tag_changes};
use crate::error::{Operation, Result};
use crate::report::ResourceKind;
use crate::run::Run;
use aws_sdk_ec2::types::Tag as Ec2Tag;
use gantry_model::Tags;
use std::collections::BTreeMap;

/// What turns the tags `actual` of `kind` `name` into `desired` (leaving alone the keys other
/// tools manage), reported as a modification of its tags; None when nothing changes.
pub fn changes(
    run: &mut Run<'_>,
    kind: ResourceKind,
    name: &str,
    actual: &Tags,
    desired: &Tags,
) -> Option<TagChanges> {
    let external = &run.settings.external_managed_tags;
    let changes = tag_changes(actual, desired, &[], external);
    if changes.is_empty() {
        return None;
    }
    run.modified(kind, name, "tags");
    Some(changes)
}

pub async fn apply_elb(run: &mut Run<'_>, changes: Vec<(String, TagChanges)>) -> Result<()> {
    let aws = run.aws;
    let mut adds: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
    let mut removes: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (arn, c) in changes {
        if !c.set.is_empty() {
            let key = c
                .set
                .0
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            adds.entry(key).or_default().push(arn.clone());
        }
        if !c.remove.is_empty() {
            removes.entry(c.remove.clone()).or_default().push(arn);
        }
    }
    let calls = adds
        .into_iter()
        .map(|(tags, arns)| (ElbTagCall::Add(tags.into_iter().collect()), arns))
        .chain(
            removes
                .into_iter()
                .map(|(keys, arns)| (ElbTagCall::Remove(keys), arns)),
        );
    for (call, arns) in calls {
        for chunk in arns.chunks(20) {
            let what = chunk.join(",");
            aws.remembered_tags.forget(chunk.iter().map(String::as_str));
            let arns = Some(chunk.to_vec());
            match &call {
                ElbTagCall::Add(tags) => {
                    let request = aws.elbv2.add_tags().set_resource_arns(arns);
                    let request = request.set_tags(Some(tags_to_elb(tags)));
                    run.send(Operation::AddTags, &what, request.send()).await?;
                }
                ElbTagCall::Remove(keys) => {
                    let request = aws.elbv2.remove_tags().set_resource_arns(arns);
                    let request = request.set_tag_keys(Some(keys.clone()));
                    run.send(Operation::RemoveTags, &what, request.send())
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// One ELB tag change shared by several resources: tags to set, or keys to remove.
enum ElbTagCall {
    Add(Tags),
    Remove(Vec<String>),
}

pub async fn apply_ec2(run: &mut Run<'_>, id: &str, c: &TagChanges) -> Result<()> {
    let aws = run.aws;
    if !c.set.is_empty() {
        let call = aws
            .ec2
            .create_tags()
            .resources(id)
            .set_tags(Some(tags_to_ec2(&c.set)))
            .send();
        run.send(Operation::CreateTags, id, call).await?;
    }
    if !c.remove.is_empty() {
        let tags: Vec<Ec2Tag> = c
            .remove
            .iter()
            .map(|k| Ec2Tag::builder().key(k).build())
            .collect();
        let call = aws
            .ec2
            .delete_tags()
            .resources(id)
            .set_tags(Some(tags))
            .send();
        run.send(Operation::DeleteTags, id, call).await?;
    }
    Ok(())
}
