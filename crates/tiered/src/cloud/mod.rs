//! The cloud tier of one Gateway, in the class's provider family: a load balancer, a target
//! group and a listener per listener port (and, for Upbound, a security group with its
//! rules), plus a TargetGroupBinding per port that registers the shadow gateway's pods (ip
//! targets) in the target group. `contrib.rs` and `upbound.rs` write the family's objects
//! from what `parts.rs` holds; this module picks the family and says what is not ready.

mod contrib;
pub(crate) mod parts;
mod upbound;

use crate::cloud::parts::{Cloud, Ctx, Port};
use crate::family::{CloudType, Family};
use crate::meta::UserGateway;
use crate::names;
use crate::observed;
use crate::{Inputs, Planned};
use gantry_api::wire::tags::CLUSTER;

pub(crate) fn build(inputs: &Inputs<'_>, gw: &UserGateway<'_>, ports: &[Port]) -> Cloud {
    let config = gw.config;
    // Manifests have no uid; the namespace/name keeps the AWS names deterministic then.
    let fallback_uid = gw.key.to_string();
    let mut tags = config.tags.clone();
    // Tracking tags win over the configured ones: they are how the resources are found.
    tags.insert(CLUSTER.to_string(), inputs.settings.cluster_name.clone());
    tags.insert(names::STACK_TAG.to_string(), gw.key.to_string());
    let ctx = Ctx {
        inputs,
        gw,
        cluster: inputs.settings.cluster_name.as_str(),
        uid: gw.gateway.metadata.uid.as_deref().unwrap_or(&fallback_uid),
        tags,
        service: crate::service::find(inputs.snapshot, gw),
    };
    let mut cloud = match config.family {
        Family::Contrib => contrib::build(&ctx, ports),
        Family::UpboundCluster | Family::UpboundNamespaced => upbound::build(&ctx, ports),
    };
    cloud.not_ready = not_ready(&ctx, &cloud.objects);
    if let Err(service) = &ctx.service {
        cloud.not_ready.push(format!("{service} to exist"));
    }
    cloud
}

/// The planned cloud objects that are not ready, in plan order.
fn not_ready(ctx: &Ctx<'_>, objects: &[Planned]) -> Vec<String> {
    objects
        .iter()
        .filter_map(|p| {
            let ty = CloudType::from_wire(p.api_version(), p.kind())?;
            let key = p.key();
            let observed = ctx.inputs.observed.ours(ty, &key, &ctx.gw.source);
            let what = format!("{} {key} to be Ready", ty.kind_name());
            match observed.map(observed::readiness) {
                Some(Ok(())) => None,
                // The provider's own words, once it has written a condition.
                Some(Err(observed::NotReady::Condition(detail))) => {
                    Some(format!("{what} ({detail})"))
                }
                _ => Some(what),
            }
        })
        .collect()
}
