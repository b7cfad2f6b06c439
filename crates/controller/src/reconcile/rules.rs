//! Worker security group rules (reference §e.4): the ingress rules the TargetGroupBindings
//! ask for in `spec.networking`, from the load balancer's security group (or any group or
//! address block a binding names) to the targets' ports, kept on every worker group of the
//! cluster.
//!
//! Rules are shared: two bindings on one port need one rule, so the rules are computed for
//! all bindings together and synced as a whole; a rule goes only when no binding asks for it.
//! Only rules gantry added (described with its marker) are ever revoked, which is the
//! deployer's rule (`Deployer::sync_backend_rules`).

use super::Context;
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use gantry_api::crds::{NetworkingPort, NetworkingProtocol, TargetGroupBinding};
use gantry_api::k8s::IntOrString;
use gantry_deploy::{BackendRule, RuleSource};
use gantry_snapshot::Snapshot;
use std::collections::BTreeSet;

/// The rules of one binding: each peer (a security group, or an address block) to each port.
/// A named port (an ip binding whose Service `targetPort` is a name) becomes the ports its
/// targets use; a port left unset is every port of its protocol, and no ports at all is every
/// TCP port. A peer naming no security group yet (a stack whose group is not found) is left
/// out.
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
    let every_tcp_port = [NetworkingPort {
        protocol: Some(NetworkingProtocol::Tcp),
        port: None,
    }];
    for rule in ingress {
        let sources: Vec<RuleSource> = rule
            .from
            .iter()
            .filter_map(|peer| match (&peer.security_group, &peer.ip_block) {
                (Some(g), _) => Some(RuleSource::Group(g.group_id.clone())),
                (None, Some(b)) => Some(RuleSource::parse(&b.cidr)),
                (None, None) => None,
            })
            .filter(|s| !matches!(s, RuleSource::Group(g) if g.is_empty()))
            .collect();
        let ports = if rule.ports.is_empty() {
            &every_tcp_port[..]
        } else {
            &rule.ports[..]
        };
        for port in ports {
            let protocol = match port.protocol {
                Some(NetworkingProtocol::Udp) => "udp",
                _ => "tcp",
            };
            let numbers: Vec<Option<i32>> = match &port.port {
                Some(IntOrString::Int(n)) => vec![Some(*n)],
                Some(IntOrString::String(_)) => target_ports
                    .get_or_insert_with(|| {
                        gantry_targets::binding_targets(binding, snapshot)
                            .targets
                            .iter()
                            .map(|t| t.port)
                            .collect()
                    })
                    .iter()
                    .map(|p| Some(*p))
                    .collect(),
                None => vec![None],
            };
            for source in &sources {
                out.extend(numbers.iter().map(|port| BackendRule {
                    ip_protocol: protocol.to_string(),
                    port: *port,
                    source: source.clone(),
                }));
            }
        }
    }
    out.into_iter().collect()
}

/// Syncs the rules of every binding not being deleted onto the worker groups, unless they
/// are what this process synced last (the describe calls would find nothing to do).
pub(super) async fn sync<D: Deploy>(ctx: &Context<D>) -> Result<()> {
    let bindings = ctx.stores.target_group_bindings.state();
    let services = bindings
        .iter()
        .map(|b| crate::stores::bound_service(b))
        .collect();
    let snapshot = ctx.stores.targets_snapshot(&services);
    let mut wanted = BTreeSet::new();
    for b in bindings {
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
