//! What Gateway API objects mean, whichever class implements them: the one view over every
//! route kind ([`routes`]), which routes attach to which listeners ([`attach`]), backendRefs
//! and ReferenceGrants ([`refs`]), the Secrets listeners and rule configurations name
//! ([`secrets`]) and the certificates in them ([`certificates`]), ListenerSets
//! ([`listener_sets`]), the features a class supports ([`features`]), and the statuses gantry
//! writes with their rendering ([`status`]).
//!
//! Both the ALB/NLB translation (`gantry-translate`) and the tiered class (`gantry-tiered`)
//! build on this crate; neither reaches into the other. Pure: no I/O, no async, no clock.
#![forbid(unsafe_code)]

pub mod addresses;
pub mod attach;
pub mod certificates;
pub mod features;
pub mod listener_sets;
pub mod reasons;
pub mod refs;
pub mod routes;
pub mod secrets;
pub mod status;

use gantry_api::gateway::Gateway;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::Serialize;

/// Which kind of load balancer a GatewayClass's Gateways become.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LbKind {
    Alb,
    Nlb,
}

impl LbKind {
    pub fn controller_name(self) -> &'static str {
        match self {
            LbKind::Alb => gantry_api::wire::ALB_CONTROLLER_NAME,
            LbKind::Nlb => gantry_api::wire::NLB_CONTROLLER_NAME,
        }
    }

    pub fn from_controller_name(name: &str) -> Option<LbKind> {
        [LbKind::Alb, LbKind::Nlb]
            .into_iter()
            .find(|k| k.controller_name() == name)
    }

    /// The kind of the class of Gateway `gw`, when that class is one of gantry's ALB or NLB
    /// classes in `snapshot`.
    pub fn of_gateway(snapshot: &Snapshot, gw: &Gateway) -> Option<LbKind> {
        let class = ObjectKey::cluster(gw.spec.gateway_class_name.clone());
        let class = snapshot.gateway_classes.get(&class)?;
        LbKind::from_controller_name(&class.spec.controller_name)
    }

    pub(crate) fn display(self) -> &'static str {
        match self {
            LbKind::Alb => "Application",
            LbKind::Nlb => "Network",
        }
    }

    pub(crate) fn protocols(self) -> &'static str {
        match self {
            LbKind::Alb => "HTTP and HTTPS",
            LbKind::Nlb => "TCP, UDP and TLS",
        }
    }
}

/// Something the user should know about, for `gantry plan`'s problem list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// `<Kind> <namespace>/<name>`.
    pub object: String,
    pub message: String,
}
