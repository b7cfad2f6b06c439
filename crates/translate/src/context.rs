//! What the ALB and NLB builders of one Gateway work with: the [`Inputs`] they read (fixed
//! before building starts), the [`Findings`] they record, and the target groups they build.

use crate::attach::{Attachment, Listener, Outcome};
use crate::certificates::ListenerCertificates;
use crate::findings::Findings;
use crate::frontend::ListenerValidation;
use crate::listener_sets::SetEntry;
use crate::routes::{BackendRef, Route};
use crate::target_groups::error::TargetGroupError;
use crate::{LbKind, Settings};
use gantry_api::crds::{LoadBalancerConfigurationSpec, TargetGroupConfigurationSpec};
use gantry_api::gateway::Gateway;
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// Everything known about one Gateway before its load balancer is built; read-only.
pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub settings: &'a Settings,
    pub key: &'a ObjectKey,
    /// `namespace/name` of the Gateway: the stack id.
    pub stack: String,
    pub gateway: &'a Gateway,
    pub lb: LbKind,
    pub config: LoadBalancerConfigurationSpec,
    pub default_tgc: Option<TargetGroupConfigurationSpec>,
    pub listeners: Vec<Listener>,
    pub attachments: Vec<Attachment<'a>>,
    /// The certificates of each Gateway listener's `tls.certificateRefs`, by listener index.
    pub listener_certificates: Vec<ListenerCertificates>,
    /// The client certificate validation (`spec.tls.frontend`) of each Gateway listener, by
    /// listener index; None where none applies.
    pub frontend: Vec<Option<ListenerValidation>>,
    /// The ListenerSets naming this Gateway (allowed or not), in precedence order; their
    /// listeners follow the Gateway's own in `listeners` (`Listener::origin`).
    pub listener_sets: Vec<SetEntry<'a>>,
    /// The Gateway's `spec.infrastructure.labels` that can be AWS tags: every resource of
    /// the stack carries them, below the configuration's own tags.
    pub infrastructure_tags: BTreeMap<String, String>,
}

/// One Gateway's build: its inputs, read through `Deref` (`ctx.listeners`), which only
/// reads; what building finds (`ctx.found`); the target groups built so far.
pub struct Context<'a> {
    pub input: Inputs<'a>,
    pub found: Findings,
    pub target_groups: TargetGroups<'a>,
}

impl<'a> Deref for Context<'a> {
    type Target = Inputs<'a>;

    fn deref(&self) -> &Inputs<'a> {
        &self.input
    }
}

/// The target groups built for one Gateway, and which backendRef got which.
#[derive(Default)]
pub struct TargetGroups<'a> {
    /// Every rule and match of a route that names the same backend on the same listener
    /// protocol shares one target group. Values index `built`.
    pub cache: BTreeMap<TargetGroupKey<'a>, Result<usize, TargetGroupError>>,
    pub built: Vec<BuiltTargetGroup>,
}

impl TargetGroups<'_> {
    /// Adds a target group; its index in `built`.
    pub fn push(&mut self, tg: gantry_model::TargetGroup) -> usize {
        self.built.push(BuiltTargetGroup::new(tg));
        self.built.len() - 1
    }
}

/// Which target group a backendRef of a route gets on a listener protocol. The route is
/// named by its address, which is cheaper to compare than its kind and key and as unique: the
/// routes outlive the context, and the cache is only looked up, never iterated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TargetGroupKey<'a> {
    pub route: usize,
    pub namespace: &'a str,
    pub group: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub port: Option<i32>,
    pub protocol: gantry_model::Protocol,
}

impl<'a> TargetGroupKey<'a> {
    pub fn new(route: &Route, backend: &'a BackendRef, protocol: gantry_model::Protocol) -> Self {
        TargetGroupKey {
            route: std::ptr::from_ref(route) as usize,
            namespace: backend.namespace.as_str(),
            group: backend.group.as_str(),
            kind: backend.kind.as_str(),
            name: backend.name.as_str(),
            port: backend.port,
            protocol,
        }
    }
}

/// A target group built for this Gateway. It moves into the stack when a rule first uses it;
/// its id stays here for the rules after.
pub struct BuiltTargetGroup {
    pub id: String,
    /// Kept here for the rules after the move: the target groups of one forward action
    /// share them.
    pub protocol_version: Option<gantry_model::ProtocolVersion>,
    pub ip_address_type: gantry_model::TargetIpAddressType,
    pub target_group: Option<gantry_model::TargetGroup>,
}

impl BuiltTargetGroup {
    pub fn new(tg: gantry_model::TargetGroup) -> Self {
        BuiltTargetGroup {
            id: tg.id.clone(),
            protocol_version: tg.protocol_version,
            ip_address_type: tg.ip_address_type,
            target_group: Some(tg),
        }
    }
}

impl<'a> Inputs<'a> {
    pub fn stack_id(&self) -> String {
        self.stack.clone()
    }

    /// Attached (route, listener index, hostnames) triples, in attachment order.
    pub fn attached(&self) -> Vec<(&'a Route, usize, Vec<String>)> {
        let mut out = Vec::new();
        for a in &self.attachments {
            if let Outcome::Attached(ls) = &a.outcome {
                for (i, hosts) in ls {
                    out.push((a.route, *i, hosts.clone()));
                }
            }
        }
        out
    }

    /// The hostnames to discover a secure listener's certificates by in ACM
    /// (docs/certificates.md): those of the Gateway listeners `listeners` and of the routes attached to them,
    /// sorted and de-duplicated. Empty when nothing restricts the hostname.
    pub fn certificate_hostnames(&self, listeners: &[usize]) -> Vec<String> {
        let mut out: BTreeSet<String> = listeners
            .iter()
            .filter_map(|&li| self.listeners[li].hostname.clone())
            .collect();
        for (_, li, hosts) in self.attached() {
            if listeners.contains(&li) {
                out.extend(hosts);
            }
        }
        out.remove("");
        out.into_iter().collect()
    }

    /// Whether Gateway listener `li` can carry traffic: valid, and not refused for want of
    /// any valid certificateRef.
    pub fn serves(&self, li: usize) -> bool {
        self.listeners[li].is_valid() && !self.listener_certificates[li].none_valid()
    }

    /// The Secret certificates of the serving listeners `listeners`, in listener then
    /// reference order, without repeats; and whether any of them has certificateRefs at all.
    pub fn secret_certificates(
        &self,
        listeners: &[usize],
    ) -> (Vec<gantry_model::SecretCertificate>, bool) {
        let mut out = Vec::new();
        let mut any_refs = false;
        for &li in listeners {
            let lc = &self.listener_certificates[li];
            any_refs |= lc.refs > 0;
            for c in &lc.valid {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        (out, any_refs)
    }
}
