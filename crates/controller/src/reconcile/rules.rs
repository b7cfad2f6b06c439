//! Worker security group rules (reference §e.4): the ingress rules the TargetGroupBindings
//! ask for in `spec.networking`, from the load balancer's security group to the targets'
//! ports, kept on every worker group of the cluster.
//!
//! Rules are shared: two bindings on one port need one rule, so the rules are computed for
//! all bindings together and synced as a whole; a rule goes only when no binding asks for it.
//! Only rules gantry added (described with its marker) are ever revoked, which is the
//! deployer's rule (`Deployer::sync_backend_rules`).

use super::Context;
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use gantry_api::crds::{NetworkingProtocol, TargetGroupBinding};
use gantry_api::k8s::IntOrString;
use gantry_deploy::BackendRule;
use gantry_snapshot::Snapshot;
use std::collections::BTreeSet;

/// The rules of one binding. A named port (an ip binding whose Service `targetPort` is a
/// name) becomes the ports its targets use; a rule without a port (all ports) or from a CIDR
/// is not built, nor one naming no security group yet (a stack whose group is not found).
pub fn binding_rules(binding: &TargetGroupBinding, snapshot: &Snapshot) -> Vec<BackendRule> {
    let Some(ingress) = binding
        .spec
        .networking
        .as_ref()
        .and_then(|n| n.ingress.as_ref())
    else {
        return Vec::new();
    };
    let mut target_ports: Option<BTreeSet<i32>> = None;
    let mut out = BTreeSet::new();
    for rule in ingress {
        let groups = rule
            .from
            .iter()
            .filter_map(|p| p.security_group.as_ref())
            .map(|g| g.group_id.as_str())
            .filter(|g| !g.is_empty());
        for group in groups {
            for port in &rule.ports {
                let protocol = match port.protocol {
                    Some(NetworkingProtocol::Udp) => "udp",
                    _ => "tcp",
                };
                let numbers: Vec<i32> = match &port.port {
                    Some(IntOrString::Int(n)) => vec![*n],
                    Some(IntOrString::String(_)) => target_ports
                        .get_or_insert_with(|| {
                            gantry_targets::binding_targets(binding, snapshot)
                                .targets
                                .iter()
                                .map(|t| t.port)
                                .collect()
                        })
                        .iter()
                        .copied()
                        .collect(),
                    None => Vec::new(),
                };
                out.extend(numbers.into_iter().map(|port| BackendRule {
                    ip_protocol: protocol.to_string(),
                    port,
                    source_group: group.to_string(),
                }));
            }
        }
    }
    out.into_iter().collect()
}

/// Syncs the rules of every binding not being deleted onto the worker groups, unless they
/// are what this process synced last (the describe calls would find nothing to do).
pub(super) async fn sync<D: Deploy>(ctx: &Context<D>) -> Result<()> {
    let snapshot = ctx.stores.targets_snapshot();
    let mut wanted = BTreeSet::new();
    for b in ctx.stores.target_group_bindings.state() {
        if b.metadata.deletion_timestamp.is_none() {
            wanted.extend(binding_rules(&b, &snapshot));
        }
    }
    let wanted: Vec<BackendRule> = wanted.into_iter().collect();
    if ctx.last_worker_rules().as_ref() == Some(&wanted) {
        return Ok(());
    }
    ctx.deploy
        .sync_worker_rules(&wanted)
        .await
        .map_err(|source| Error::SyncTargets {
            binding: "(worker security group rules)".to_string(),
            source,
        })?;
    ctx.set_last_worker_rules(wanted);
    Ok(())
}
