//! backendRefs: what they point at, and whether the route may point there (ReferenceGrant);
//! the ReferenceGrant check and the tally of checked references that certificateRefs and
//! caCertificateRefs share.

use crate::reasons::Reason;
use crate::routes::{BackendRef, Route};
use gantry_api::gateway::{GROUP, Gateway};
use gantry_api::k8s::{Service, ServicePort};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A backendRef that resolved, borrowing from the snapshot.
#[derive(Clone, Debug)]
pub enum Resolved<'s> {
    Service {
        service: &'s Service,
        key: ObjectKey,
        port: &'s ServicePort,
    },
    /// Gateway chaining: the backend is another Gateway's load balancer.
    Gateway {
        gateway: Arc<Gateway>,
        key: ObjectKey,
        port: i32,
    },
    /// A target group managed outside Kubernetes, by name (the AWS Load Balancer Controller's
    /// `TargetGroupName` kind): forwarded to as it is, looked up at deploy time.
    TargetGroupName { name: String },
}

/// The backendRef kind of target groups managed outside Kubernetes. The AWS Load Balancer
/// Controller reads only the kind (its migration tool writes no group); gantry accepts the
/// core group (the default) and `gateway.k8s.aws`.
pub const TARGET_GROUP_NAME_KIND: &str = "TargetGroupName";

/// Why a backendRef did not resolve; becomes the route's `ResolvedRefs=False` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub reason: Reason,
    pub message: String,
}

impl Unresolved {
    fn new(reason: Reason, message: impl Into<String>) -> Self {
        Unresolved {
            reason,
            message: message.into(),
        }
    }
}

/// Resolves one backendRef of `route`. Gateway backends are only meaningful on NLBs
/// (`allow_gateway`); `absent_target_groups`: the `TargetGroupName` backends known not to exist.
pub fn resolve<'s>(
    snapshot: &'s Snapshot,
    absent_target_groups: &BTreeSet<String>,
    route: &Route,
    backend: &BackendRef,
    allow_gateway: bool,
) -> Result<Resolved<'s>, Unresolved> {
    let key = ObjectKey::new(backend.namespace.clone(), backend.name.clone());
    let is_core = backend.group.is_empty() || backend.group == "core";
    match (is_core, backend.kind.as_str()) {
        (_, TARGET_GROUP_NAME_KIND)
            if is_core || backend.group == gantry_api::wire::GATEWAY_AWS_GROUP =>
        {
            if absent_target_groups.contains(&backend.name) {
                return Err(Unresolved::new(
                    Reason::BackendNotFound,
                    format!(
                        "target group {:?} (backendRef kind {TARGET_GROUP_NAME_KIND}) not found",
                        backend.name
                    ),
                ));
            }
            Ok(Resolved::TargetGroupName {
                name: backend.name.clone(),
            })
        }
        (true, "Service") => {
            check_grant(snapshot, route, "", "Service", &key)?;
            let Some(port) = backend.port else {
                return Err(Unresolved::new(
                    Reason::UnsupportedValue,
                    format!("backendRef to Service {key} has no port; a port is required"),
                ));
            };
            let service = snapshot.services.get(&key).ok_or_else(|| {
                Unresolved::new(Reason::BackendNotFound, format!("Service {key} not found"))
            })?;
            let service_port = service
                .spec
                .as_ref()
                .and_then(|s| s.ports.as_ref())
                .and_then(|ports| ports.iter().find(|p| p.port == port))
                .ok_or_else(|| {
                    Unresolved::new(
                        Reason::BackendNotFound,
                        format!("Service {key} has no port {port}"),
                    )
                })?;
            Ok(Resolved::Service {
                service,
                key,
                port: service_port,
            })
        }
        // The chaining examples leave `group` out (the core group by the Gateway API default),
        // and the AWS Load Balancer Controller only looks at the kind; accept both.
        (_, "Gateway") if (backend.group.is_empty() || backend.group == GROUP) && allow_gateway => {
            check_grant(snapshot, route, GROUP, "Gateway", &key)?;
            let Some(port) = backend.port else {
                return Err(Unresolved::new(
                    Reason::UnsupportedValue,
                    format!(
                        "backendRef to Gateway {key} has no port; the port of one of its listeners is required"
                    ),
                ));
            };
            let gateway = snapshot.gateways.get(&key).ok_or_else(|| {
                Unresolved::new(Reason::BackendNotFound, format!("Gateway {key} not found"))
            })?;
            Ok(Resolved::Gateway {
                gateway: gateway.clone(),
                key,
                port,
            })
        }
        _ => Err(Unresolved::new(
            Reason::InvalidKind,
            format!(
                "backendRef kind {} is not supported here",
                group_kind(&backend.group, &backend.kind)
            ),
        )),
    }
}

/// A reference across namespaces needs a ReferenceGrant in the target's namespace.
fn check_grant(
    snapshot: &Snapshot,
    route: &Route,
    to_group: &str,
    to_kind: &str,
    to: &ObjectKey,
) -> Result<(), Unresolved> {
    let from_kind = route.kind.as_str();
    check_reference(
        snapshot,
        from_kind,
        &route.key.namespace,
        to_group,
        to_kind,
        to,
    )
    .map_err(|why| Unresolved::new(Reason::RefNotPermitted, why))
}

/// Whether an object of the Gateway API kind `from_kind` in `from_namespace` may refer to `to`
/// (of `to_group`/`to_kind`): in its own namespace always, elsewhere only when a
/// ReferenceGrant allows it; `Err` says why not.
pub fn check_reference(
    snapshot: &Snapshot,
    from_kind: &str,
    from_namespace: &str,
    to_group: &str,
    to_kind: &str,
    to: &ObjectKey,
) -> Result<(), String> {
    if to.namespace == from_namespace
        || is_granted_from(
            snapshot,
            GROUP,
            from_kind,
            from_namespace,
            to_group,
            to_kind,
            to,
        )
    {
        return Ok(());
    }
    Err(format!(
        "{to_kind} {to} in another namespace is not allowed: no ReferenceGrant in namespace {} allows {from_kind} from namespace {from_namespace}",
        to.namespace
    ))
}

/// What a listener's list of references (certificateRefs, caCertificateRefs) comes to once
/// each one is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedRefs<T> {
    /// How many references there are.
    pub refs: usize,
    /// What the valid ones point at, in reference order, without repeats.
    pub valid: Vec<T>,
    /// The invalid ones: (reason, message naming the reference and the problem).
    pub problems: Vec<(Reason, String)>,
}

impl<T> Default for CheckedRefs<T> {
    fn default() -> Self {
        CheckedRefs::new(0)
    }
}

impl<T> CheckedRefs<T> {
    /// Nothing checked yet of `refs` references.
    pub fn new(refs: usize) -> Self {
        CheckedRefs {
            refs,
            valid: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Every reference is invalid: nothing to use.
    pub fn none_valid(&self) -> bool {
        self.refs > 0 && self.valid.is_empty()
    }

    /// Records an invalid reference.
    pub fn refuse(&mut self, reason: Reason, message: String) {
        self.problems.push((reason, message));
    }

    /// The problems' messages, joined.
    pub fn joined_problems(&self) -> String {
        joined(&self.problems)
    }
}

impl<T: PartialEq> CheckedRefs<T> {
    /// Records what a valid reference points at, unless an earlier one did.
    pub fn accept(&mut self, target: T) {
        if !self.valid.contains(&target) {
            self.valid.push(target);
        }
    }
}

/// The messages of `problems`, joined.
pub fn joined(problems: &[(Reason, String)]) -> String {
    problems
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a reference's `group` and `kind` name the core kind `core_kind`.
pub fn is_core(group: &str, kind: &str, core_kind: &str) -> bool {
    (group.is_empty() || group == "core") && kind == core_kind
}

/// `group/kind`, or the kind alone for the core group, as messages name a reference's kind.
pub fn group_kind(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{group}/{kind}")
    }
}

/// Whether a ReferenceGrant in `to`'s namespace lets objects of `from_group`/`from_kind` in
/// `from_namespace` refer to `to`.
pub fn is_granted_from(
    snapshot: &Snapshot,
    from_group: &str,
    from_kind: &str,
    from_namespace: &str,
    to_group: &str,
    to_kind: &str,
    to: &ObjectKey,
) -> bool {
    snapshot
        .reference_grants
        .iter()
        .filter(|(k, _)| k.namespace == to.namespace)
        .any(|(_, grant)| {
            grant.spec.from.iter().any(|f| {
                f.group == from_group && f.kind == from_kind && f.namespace == from_namespace
            }) && grant.spec.to.iter().any(|t| {
                t.group == to_group
                    && t.kind == to_kind
                    && t.name
                        .as_deref()
                        .is_none_or(|n| n.is_empty() || n == to.name)
            })
        })
}
