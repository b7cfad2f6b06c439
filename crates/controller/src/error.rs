//! Errors of the controller, named after the step that failed.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Deploying a Gateway's stack to AWS failed.
    #[error("deploying Gateway {gateway}: {source}")]
    Deploy {
        gateway: String,
        #[source]
        source: gantry_deploy::Error,
    },
    /// Deleting a Gateway's AWS resources failed.
    #[error("deleting the AWS resources of Gateway {gateway}: {source}")]
    DeleteStack {
        gateway: String,
        #[source]
        source: gantry_deploy::Error,
    },
    /// Writing an object's status failed.
    #[error("writing the status of {object}: {source}")]
    UpdateStatus {
        object: String,
        #[source]
        source: kube::Error,
    },
    /// A status write kept conflicting with other writers.
    #[error("writing the status of {object}: still conflicting after {attempts} attempts")]
    StatusConflict { object: String, attempts: u32 },
    /// Adding a finalizer failed.
    #[error("adding finalizer {finalizer} to {object}: {source}")]
    AddFinalizer {
        object: String,
        finalizer: &'static str,
        #[source]
        source: kube::Error,
    },
    /// Removing a finalizer failed.
    #[error("removing finalizer {finalizer} from {object}: {source}")]
    RemoveFinalizer {
        object: String,
        finalizer: &'static str,
        #[source]
        source: kube::Error,
    },
    /// Writing or deleting a TargetGroupBinding failed.
    #[error("writing TargetGroupBinding {binding}: {source}")]
    WriteBinding {
        binding: String,
        #[source]
        source: kube::Error,
    },
    /// Registering or deregistering the targets of a TargetGroupBinding failed.
    #[error("syncing the targets of TargetGroupBinding {binding}: {source}")]
    SyncTargets {
        binding: String,
        #[source]
        source: gantry_deploy::Error,
    },
    /// A TargetGroupBinding names its target group by a name no target group has.
    #[error(
        "TargetGroupBinding {binding}: no target group is named {name:?} (spec.targetGroupName)"
    )]
    TargetGroupNotFound { binding: String, name: String },
    /// Writing a pod's readiness gate condition failed.
    #[error("writing readiness gate {condition} of pod {pod}: {source}")]
    UpdatePodCondition {
        pod: String,
        condition: String,
        #[source]
        source: kube::Error,
    },
    /// Translation panicked or its task was cancelled.
    #[error("translating: {0}")]
    Translate(String),
    /// A GatewayClass is being deleted while Gateways still use it.
    #[error("GatewayClass {class} is still referenced by Gateways")]
    ClassInUse { class: String },
    /// The lease could not be read or written.
    #[error("lease {lease}: {source}")]
    Lease {
        lease: String,
        #[source]
        source: kube::Error,
    },
    /// No Kubernetes client could be made (in-cluster config or kubeconfig).
    #[error("connecting to the Kubernetes API server: {source}")]
    Connect {
        #[source]
        source: kube::Error,
    },
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The admin HTTP server could not start.
    #[error("admin server on {addr}: {source}")]
    Serve {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Label of the errors metric.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Deploy { source, .. }
            | Error::DeleteStack { source, .. }
            | Error::SyncTargets { source, .. } => {
                // AWS failures by class: throttled, transient, conflict, invalid, not_found.
                match source.class() {
                    gantry_deploy::ErrorClass::Throttled => "aws_throttled",
                    gantry_deploy::ErrorClass::Transient => "aws_transient",
                    gantry_deploy::ErrorClass::Conflict => "aws_conflict",
                    gantry_deploy::ErrorClass::Invalid => "aws_invalid",
                    gantry_deploy::ErrorClass::NotFound => "aws_not_found",
                }
            }
            Error::UpdateStatus { .. } => "update_status",
            Error::StatusConflict { .. } => "status_conflict",
            Error::AddFinalizer { .. } => "add_finalizer",
            Error::RemoveFinalizer { .. } => "remove_finalizer",
            Error::WriteBinding { .. } => "write_binding",
            Error::TargetGroupNotFound { .. } => "target_group_not_found",
            Error::UpdatePodCondition { .. } => "update_pod_condition",
            Error::Translate(_) => "translate",
            Error::ClassInUse { .. } => "class_in_use",
            Error::Lease { .. } => "lease",
            Error::Serve { .. } => "serve",
            Error::Connect { .. } => "connect",
            Error::Runtime(_) => "runtime",
        }
    }

    /// The Kubernetes Event reason for this error on a Gateway (docs/status-conditions.md).
    pub fn event_reason(&self) -> &'static str {
        match self {
            Error::Deploy { .. } | Error::DeleteStack { .. } | Error::WriteBinding { .. } => {
                "FailedDeployModel"
            }
            Error::SyncTargets { .. } | Error::TargetGroupNotFound { .. } => {
                "FailedRegisterTargets"
            }
            Error::UpdatePodCondition { .. } => "FailedUpdatePodCondition",
            Error::UpdateStatus { .. } | Error::StatusConflict { .. } => "FailedUpdateStatus",
            Error::AddFinalizer { .. } => "FailedAddFinalizer",
            Error::RemoveFinalizer { .. } => "FailedRemoveFinalizer",
            _ => "FailedBuildModel",
        }
    }
}
