//! What the families' builders (`contrib.rs`, `upbound.rs`) share and what the plan reads
//! back: the ports, the planned objects, the builder's context, and the TargetGroupBinding
//! of a port.

use crate::certificates::AwaitedCertificate;
use crate::family::{CloudKind, CloudType, Family};
use crate::meta::{self, UserGateway};
use crate::names;
use crate::observed;
use crate::service::ServiceAwaited;
use crate::{Inputs, Planned};
use gantry_api::crds::{ServiceReference, TargetGroupBindingSpec, TargetType};
use gantry_api::k8s::IntOrString;
use gantry_snapshot::ObjectKey;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use thiserror::Error;

/// One load balancer port: the protocol of its Listener and TargetGroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Port {
    pub port: i32,
    pub protocol: String,
    /// A listener terminating TLS: its certificate ARN, or what is awaited.
    pub certificate: Option<Result<String, AwaitedCertificate>>,
}

/// The planned cloud objects and what their status says.
pub(crate) struct Cloud {
    pub objects: Vec<Planned>,
    /// `<Kind> <key>` of the load balancer object, for messages.
    pub lb: String,
    /// Every planned cloud object that is not ready: `<Kind> <key> to be Ready`, with the
    /// provider's condition when it wrote one.
    pub not_ready: Vec<String>,
    pub dns_name: Option<String>,
    /// Per port: the listener object is ready.
    pub listener_ready: BTreeMap<i32, bool>,
    /// Per port: `<Kind> <key>` of the listener object, for messages.
    pub listener_names: BTreeMap<i32, String>,
}

impl Cloud {
    /// Plans the listener object `key` of `port`, and notes whether it is ready and its name.
    pub fn push_listener(
        &mut self,
        ctx: &Ctx<'_>,
        port: i32,
        key: &ObjectKey,
        for_provider: Value,
        waiting_for: Vec<String>,
    ) {
        self.objects
            .push(ctx.object(CloudKind::Listener, key, for_provider, waiting_for));
        self.listener_ready
            .insert(port, is_ready(ctx, CloudKind::Listener, key));
        self.listener_names
            .insert(port, ctx.describe(CloudKind::Listener, key));
    }
}

/// What a family's builder shares: the Gateway, the inputs, and the AWS names' stable parts.
pub(crate) struct Ctx<'a> {
    pub inputs: &'a Inputs<'a>,
    pub gw: &'a UserGateway<'a>,
    pub cluster: &'a str,
    pub uid: &'a str,
    /// The configured tags plus gantry's tracking tags (which win).
    pub tags: BTreeMap<String, String>,
    /// The shadow Gateway's Service, or what is awaited.
    pub service: Result<ObjectKey, ServiceAwaited>,
}

impl Ctx<'_> {
    pub fn family(&self) -> Family {
        self.gw.config.family
    }

    pub fn ty(&self, kind: CloudKind) -> CloudType {
        CloudType::new(self.family(), kind)
    }

    /// The Kubernetes key of one of this Gateway's cloud objects: `parts` after the
    /// Gateway's name, in its namespace (namespaced family) or prefixed with it.
    pub fn key(&self, parts: &[&str]) -> ObjectKey {
        names::cloud(self.gw.key, self.family().namespaced(), parts)
    }

    /// gantry's observed object of that kind and key.
    pub fn ours(&self, kind: CloudKind, key: &ObjectKey) -> Option<&Value> {
        self.inputs
            .observed
            .ours(self.ty(kind), key, &self.gw.source)
    }

    /// The ARN the object reports, if it does.
    pub fn arn(&self, kind: CloudKind, key: &ObjectKey) -> Option<&str> {
        self.ours(kind, key)
            .and_then(|o| observed::arn(self.ty(kind), o))
    }

    /// A planned managed resource of this family, with gantry's labels and annotations;
    /// namespaced ones are owned by the user's Gateway (garbage-collected with it).
    pub fn object(
        &self,
        kind: CloudKind,
        key: &ObjectKey,
        for_provider: Value,
        mut waiting_for: Vec<String>,
    ) -> Planned {
        let ty = self.ty(kind);
        let namespaced = ty.namespaced();
        let owners = if namespaced {
            vec![self.gw.owner()]
        } else {
            vec![]
        };
        let metadata = meta::metadata(
            &key.name,
            namespaced.then_some(key.namespace.as_str()),
            self.gw.labels(),
            self.gw.annotations(None),
            &owners,
            &mut waiting_for,
        );
        let mut spec = json!({ "forProvider": for_provider });
        if let Some(pc) = &self.gw.config.provider_config {
            spec["providerConfigRef"] = match self.family() {
                // Crossplane v2's namespaced resources name a kind: ProviderConfig (namespaced)
                // or ClusterProviderConfig; the cluster-wide one is the v1 equivalent.
                Family::UpboundNamespaced => json!({ "kind": "ClusterProviderConfig", "name": pc }),
                _ => json!({ "name": pc }),
            };
        }
        Planned {
            waiting_for,
            object: json!({
                "apiVersion": ty.api_version(),
                "kind": ty.kind_name(),
                "metadata": metadata,
                "spec": spec,
            }),
        }
    }

    /// `<Kind> <key>`.
    pub fn describe(&self, kind: CloudKind, key: &ObjectKey) -> String {
        format!("{} {key}", self.ty(kind).kind_name())
    }
}

/// Whether the observed object is ready.
pub(crate) fn is_ready(ctx: &Ctx<'_>, kind: CloudKind, key: &ObjectKey) -> bool {
    ctx.ours(kind, key).is_some_and(observed::ready)
}

/// The value, or a pending placeholder recorded in `waiting`.
pub(crate) fn reference(value: Option<&str>, what: &str, waiting: &mut Vec<String>) -> String {
    match value {
        Some(v) => v.to_string(),
        None => {
            waiting.push(what.to_string());
            names::pending(what)
        }
    }
}

/// The ID of the load balancer's security group, awaited.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("ID of {0}")]
pub(crate) struct SecurityGroupAwaited(pub String);

/// The TargetGroupBinding of one port. `admit_from`: the load balancer's security group
/// (its ID, or `Err(what is awaited)`) when the binding's `networking` must open the targets
/// to it; `None` when nothing (contrib) or gantry's own rules (`targetSecurityGroups`) do.
pub(crate) fn binding(
    ctx: &Ctx<'_>,
    port: &Port,
    tg_arn: Option<&str>,
    tg: &str,
    admit_from: Option<Result<&str, SecurityGroupAwaited>>,
) -> Planned {
    let gw = ctx.gw;
    let mut waiting_for = Vec::new();
    let arn = reference(tg_arn, &format!("ARN of {tg}"), &mut waiting_for);
    // The binding lives with the Service it names (serviceRef is namespace-local).
    let (service_namespace, service_name) = match &ctx.service {
        Ok(key) => (key.namespace.clone(), key.name.clone()),
        Err(what) => (
            gw.key.namespace.clone(),
            reference(None, &what.to_string(), &mut waiting_for),
        ),
    };
    let spec = TargetGroupBindingSpec {
        target_group_arn: Some(arn),
        target_group_name: None,
        target_type: Some(TargetType::Ip),
        service_ref: ServiceReference {
            // The in-cluster implementations give the Service the listener's port.
            name: service_name,
            port: IntOrString::Int(port.port),
        },
        networking: None,
        node_selector: None,
        ip_address_type: None,
        vpc_id: None,
        multi_cluster_target_group: None,
        target_group_protocol: None,
        iam_role_arn_to_assume: None,
        assume_role_external_id: None,
    };
    let mut spec = serde_json::to_value(&spec).unwrap_or_else(|_| json!({}));
    if let Some(from) = admit_from {
        let group = match from {
            Ok(id) => id.to_string(),
            Err(what) => reference(None, &what.to_string(), &mut waiting_for),
        };
        // Every port of the pods from the load balancer's own group: the pods' port is the
        // Service's targetPort, which the in-cluster controller chooses.
        spec["networking"] = json!({"ingress": [{
            "from": [{"securityGroup": {"groupID": group}}],
            "ports": [{"protocol": if port.protocol == "UDP" { "UDP" } else { "TCP" }}],
        }]});
    }
    // An owner must share its dependent's namespace: a binding elsewhere (Envoy Gateway's
    // namespace) is removed by pruning only.
    let owners = if service_namespace == gw.key.namespace {
        vec![gw.owner()]
    } else {
        vec![]
    };
    let metadata = meta::metadata(
        &names::binding(gw.key, port.port),
        Some(&service_namespace),
        gw.labels(),
        gw.annotations(None),
        &owners,
        &mut waiting_for,
    );
    Planned {
        waiting_for,
        object: json!({
            "apiVersion": format!("{}/v1beta1", gantry_api::wire::ELBV2_GROUP),
            "kind": "TargetGroupBinding",
            "metadata": metadata,
            "spec": spec,
        }),
    }
}
