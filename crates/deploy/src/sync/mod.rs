//! Applying the difference, one resource type per module, in a safe order:
//!
//! ```text
//! security groups ─▶ target groups ─▶ load balancer ─▶ listeners ─▶ rules ─▶ chained targets
//!        post: unwanted listeners ─▶ replaced/unwanted load balancers ─▶ stale target groups
//!              ─▶ unwanted security groups ─▶ unused imported certificates
//!        last: web ACL association, Shield protection ([`addons`])
//! ```
//!
//! Creations and modifications go front to back so that everything a resource refers to
//! exists before it; deletions wait for the post pass, when nothing refers to them any more.

mod actions;
mod addons;
mod attributes;
mod listener;
mod load_balancer;
mod rule;
mod security_group;
mod tags;
mod target_group;

use crate::discover::{self, subnet};
use crate::error::Result;
use crate::heap_step::heap_step;
use crate::report::Address;
use crate::run::Run;
use gantry_model::Stack;

/// Makes AWS match `stack` for `run.owner`; with no stack, removes everything the owner has.
pub(crate) async fn apply(run: &mut Run<'_>, stack: Option<&Stack>) -> Result<()> {
    let aws = run.aws;
    // Target groups made outside gantry, by name: a missing one stops the run before any change.
    let named = match stack {
        Some(s) => Some(heap_step(|| crate::named::resolve(aws, s)).await?),
        None => None,
    };
    let stack = named.as_deref();
    // Certificates discovered in ACM first: a hostname without one stops the apply before
    // anything is half built.
    let discovered = match stack {
        Some(s) => Some(heap_step(|| crate::acm::resolve(aws, s)).await?),
        None => None,
    };
    let imported = match discovered.as_deref() {
        Some(s) => Some(heap_step(|| crate::imported::import(run, s)).await?),
        None => None,
    };
    let stack = imported.as_deref();
    let resolved = match stack {
        Some(s) => {
            let query = subnet::Query {
                gateway: &s.gateway,
                cluster: &run.settings.cluster_name,
                vpc: run.settings.vpc_id.as_deref(),
                scheme: s.load_balancer.scheme,
                kind: s.load_balancer.kind,
            };
            let subnets = &s.load_balancer.subnets;
            Some(heap_step(|| subnet::resolve(aws, subnets, &query)).await?)
        }
        None => None,
    };
    let vpc = resolved
        .as_ref()
        .map(|r| r.vpc_id.clone())
        .or_else(|| run.settings.vpc_id.clone());

    let owner = run.owner.clone();
    let lbs =
        heap_step(|| discover::load_balancer::list(aws, vpc.as_deref(), |t| owner.owns(t))).await?;
    // The load balancer's tags also remember the addons gantry turned on.
    let marked = stack.map(|s| {
        let mut s = s.clone();
        let current: Vec<&gantry_model::Tags> = lbs.iter().map(|l| &l.tags).collect();
        addons::mark(&mut s.load_balancer.tags, &s.load_balancer.addons, &current);
        s
    });
    let stack = marked.as_ref();
    let tgs =
        heap_step(|| discover::target_group::list(aws, vpc.as_deref(), |t| owner.owns(t))).await?;

    let previous_sgs = lbs
        .iter()
        .flat_map(|l| l.security_groups.iter().cloned())
        .collect();
    let sgs = heap_step(|| security_group::apply(run, stack, vpc.as_deref())).await?;
    let tgs = heap_step(|| target_group::apply(run, stack, tgs, vpc.as_deref())).await?;
    let lb =
        heap_step(|| load_balancer::apply(run, stack, lbs, resolved.as_ref(), &sgs.attach)).await?;
    let mut stale_listeners = Vec::new();
    if let (Some(stack), Some(current)) = (stack, &lb.current) {
        stale_listeners = heap_step(|| listener::apply(run, stack, current, &tgs.arns)).await?;
        heap_step(|| target_group::register_chained(run, stack, &tgs.arns)).await?;
        run.report.load_balancer = Some(Address {
            arn: current.arn.clone(),
            dns_name: current.dns_name.clone(),
        });
    }

    // Post pass: deletions, once nothing wanted refers to them.
    for l in stale_listeners {
        heap_step(|| listener::delete(run, &l)).await?;
    }
    for old in &lb.stale {
        let certificates = heap_step(|| crate::imported::on_load_balancer(run, &old.arn)).await?;
        run.previous_certificates.extend(certificates);
        heap_step(|| load_balancer::delete(run, old)).await?;
    }
    for tg in &tgs.stale {
        heap_step(|| target_group::delete(run, tg)).await?;
    }
    heap_step(|| security_group::cleanup(run, sgs, vpc.as_deref(), &previous_sgs)).await?;
    // Last: imported certificates no listener of this stack uses any more.
    let previous = std::mem::take(&mut run.previous_certificates);
    heap_step(|| crate::imported::cleanup(run, stack, &previous)).await?;
    // Last, as the AWS Load Balancer Controller does: a web ACL that does not exist fails the
    // run after everything else is in place.
    if let (Some(stack), Some(current)) = (stack, &lb.current) {
        let desired = &stack.load_balancer;
        heap_step(|| {
            addons::apply(
                run,
                &current.arn,
                &desired.name,
                desired.kind,
                current.existed,
                &desired.addons,
                &desired.tags,
            )
        })
        .await?;
    }
    Ok(())
}
