//! Tiered gateways, the pure part: a Gateway whose GatewayClass has
//! `controllerName: gateway.k8s.aws/tiered` is implemented by an in-cluster gateway (Istio by
//! default) behind a cloud load balancer declared as Crossplane resources (docs/tiered.md).
//!
//! ```text
//!  user Gateway foo-gateway ──copy──► shadow Gateway foo-gateway-istio (class istio)
//!                                          └─ Istio: Deployment + Service foo-gateway-istio
//!  user HTTPRoute foo-site ───copy──► shadow HTTPRoute foo-site-istio ─► parent foo-gateway-istio
//!
//!  Crossplane, Upbound namespaced family (the default; see [`family`] for the others):
//!    SecurityGroup foo-gateway-lb ◄─ securityGroupIdRef ─ SecurityGroupIngressRule foo-gateway-lb-80-tcp-0
//!        ▲ securityGroupRefs
//!    LB foo-gateway ◄─ loadBalancerArnRef ─ LBListener foo-gateway-80
//!    LBTargetGroup foo-gateway-80 ◄─ targetGroupArnRef ─┘
//!                    ▲ targetGroupARN (copied from status by gantry)
//!  TargetGroupBinding foo-gateway-80 (ip targets) ─ serviceRef ─► Service foo-gateway-istio:80
//! ```
//!
//! [`plan`] is a pure function of the cluster state: the [`Snapshot`] (user objects, the class
//! ConfigMap, the shadow objects with the status the in-cluster controller wrote) and the
//! [`Observed`] Crossplane resources with their status. It returns the objects to create or
//! update ([`Planned`], JSON with `apiVersion`/`kind`/`metadata`), the statuses of the user's
//! objects, and problems. Applying the objects, pruning, and watching is the controller's job.
//!
//! * **Class configuration**: see [`config`] for the ConfigMap keys. A missing or invalid
//!   configuration makes the class `Accepted=False` (`InvalidParameters`).
//! * **References** between Crossplane resources: Upbound's `*Ref` fields, which Crossplane
//!   resolves itself; where there is none (the contrib family's `loadBalancerArn` and
//!   `targetGroupArn`, the binding's `targetGroupARN`) the value is filled from the
//!   referenced resource's `status.atProvider` once it reports it; until then the field holds
//!   `<pending: …>` and the object is not creatable ([`Planned::waiting_for`]).
//! * **Ownership**: namespaced objects carry ownerReferences, so deleting the user's Gateway
//!   garbage-collects its shadow Gateway and bindings. A shadow route is owned by the user
//!   Gateways it shadows that live in the route's namespace (owners must share the
//!   dependent's namespace), otherwise by the user route. The namespaced family's managed
//!   resources are owned by the Gateway too. Cluster-scoped ones (contrib, Upbound cluster)
//!   cannot be owned by a namespaced Gateway: they carry labels
//!   ([`names::GATEWAY_NAMESPACE_LABEL`], [`names::GATEWAY_NAME_LABEL`]) and the controller
//!   deletes them under the [`names::FINALIZER`] finalizer ([`TieredPlan::families`]).
//! * **Status**: the user's Gateway is `Accepted` at once and `Programmed` only when its
//!   shadow Gateway is Programmed and every cloud object planned for it is ready (`Ready=True`
//!   and not `Synced=False`); until then its message names what is awaited, with the
//!   provider's own condition and message. Its address is the load balancer's DNS name. A user route's entries (controllerName
//!   `gateway.k8s.aws/tiered`) mirror the conditions the in-cluster controller wrote for the
//!   shadow route's corresponding parentRef, once the shadow describes the route's current
//!   generation.
//! * **Routes naming a shadow Gateway directly** are refused: gantry writes
//!   `Accepted=False` (`NotAllowedByListeners`) for that parentRef and copies nothing. The
//!   in-cluster controller does not know about gantry and may still attach such a route;
//!   clusters that must prevent it can add an admission policy rejecting routes whose
//!   parentRefs name a Gateway labelled `app.kubernetes.io/managed-by: gantry-tiered` unless
//!   the route carries that label too.
//! * **Pruning**: the controller deletes the objects labelled
//!   `app.kubernetes.io/managed-by: gantry-tiered` that are neither in
//!   [`TieredPlan::objects`] nor in [`TieredPlan::kept`].
//! * **A refused Gateway keeps what it has**: when its class configuration is unusable or a
//!   name gantry needs is taken, the Gateway is listed in [`TieredPlan::held`] and its existing
//!   objects in [`TieredPlan::kept`], so that a typo in a ConfigMap never tears down a working
//!   load balancer; only deleting the Gateway (or moving it to another class) removes them.
#![forbid(unsafe_code)]

mod certificates;
mod cloud;
pub mod config;
mod config_error;
mod config_text;
pub mod family;
mod listeners;
mod meta;
pub mod names;
mod observed;
mod plan;
mod plan_keep;
mod secret_certificates;
mod service;
mod shadow;
pub mod status;

pub use certificates::AcmCertificate;
pub use family::{CloudKind, CloudType, Family};
pub use observed::{CROSSPLANE_API_VERSION, Observed};
pub use plan::plan;
pub use secret_certificates::{
    ImportedCertificate, SecretCertificate, listener_certificate_secrets,
};
pub use status::TieredStatuses;

use gantry_gateway::Problem;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::Serialize;
use serde_json::Value;

/// Controller-wide settings of the tiered implementation.
#[derive(Clone, Debug)]
pub struct TieredSettings {
    /// Value of the `elbv2.k8s.aws/cluster` tag on AWS resources; part of their AWS names.
    pub cluster_name: String,
    /// AWS region when the class configuration names none.
    pub region: Option<String>,
    /// Seconds since the Unix epoch, to check listener Secrets' certificates are valid now
    /// (the plan reads no clock); None leaves validity unchecked.
    pub now: Option<i64>,
}

impl TieredSettings {
    pub fn new(cluster_name: impl Into<String>) -> Self {
        TieredSettings {
            cluster_name: cluster_name.into(),
            region: None,
            now: None,
        }
    }
}

/// One Kubernetes object to create or update.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    /// What must be known before the object can be applied (an ARN, an owner's uid); the
    /// object shows each as `<pending: …>`. Empty: apply it now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_for: Vec<String>,
    pub object: Value,
}

impl Planned {
    /// Whether the object can be applied now.
    pub fn creatable(&self) -> bool {
        self.waiting_for.is_empty()
    }

    pub fn api_version(&self) -> &str {
        self.field("/apiVersion")
    }

    pub fn kind(&self) -> &str {
        self.field("/kind")
    }

    /// Namespace and name (namespace empty for the cluster-scoped Crossplane resources).
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(
            self.field("/metadata/namespace"),
            self.field("/metadata/name"),
        )
    }

    fn field(&self, pointer: &str) -> &str {
        self.object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// An existing object, by kind and namespace/name (namespace empty when cluster-scoped).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    #[serde(flatten)]
    pub key: ObjectKey,
}

/// Everything [`plan`] computed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TieredPlan {
    /// In apply order: shadow Gateways, shadow routes, security groups and their rules, load
    /// balancers, target groups, listeners, TargetGroupBindings; by namespace/name within a
    /// kind.
    pub objects: Vec<Planned>,
    pub statuses: TieredStatuses,
    /// Gateways gantry refuses for now.
    pub held: Vec<ObjectKey>,
    /// Existing objects of held Gateways: not planned, but not to be pruned either.
    pub kept: Vec<ObjectRef>,
    pub problems: Vec<Problem>,
    /// The provider family of each planned Gateway. Those of a cluster-scoped family are
    /// held by the controller with [`names::FINALIZER`] until their cloud objects are gone:
    /// nothing garbage-collects those.
    #[serde(serialize_with = "keyed_by_string")]
    pub families: std::collections::BTreeMap<ObjectKey, Family>,
    /// A load balancer listener waits for a certificate found in ACM by hostname and the
    /// [`Observed`] input holds no ACM certificates: read them and plan again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_acm: bool,
    /// Per Gateway, the listener Secrets' certificates its load balancer listeners take: the
    /// controller imports them into ACM and passes their ARNs back in [`Observed`]
    /// ([`Observed::set_imported_certificates`]); until then those listeners wait.
    #[serde(
        serialize_with = "keyed_by_string",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub secret_certificates: std::collections::BTreeMap<ObjectKey, Vec<SecretCertificate>>,
}

/// A map keyed by [`ObjectKey`] as JSON and YAML need it: string keys (`ns/name`).
fn keyed_by_string<S: serde::Serializer, V: Serialize>(
    map: &std::collections::BTreeMap<ObjectKey, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter().map(|(k, v)| (k.to_string(), v)))
}

impl TieredPlan {
    /// The planned object of that kind and namespace/name.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<&Planned> {
        self.objects
            .iter()
            .find(|p| p.kind() == kind && p.key() == ObjectKey::new(namespace, name))
    }
}

/// Shorthand used by the plan: the snapshot and the observed Crossplane resources.
pub(crate) struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub observed: &'a Observed,
    pub settings: &'a TieredSettings,
}
