//! How the deployer works: the cluster it serves, dry runs, call budgets, hooks.

use crate::client::ClientSettings;
use crate::diff::rule::PriorityMode;
use crate::error::Operation;
use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future the deployer awaits.
pub type HookFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Called after every mutating call with its operation; the deployer waits for it. Tests use
/// it to look at AWS between two calls.
#[derive(Clone)]
pub struct MutationHook(pub Arc<dyn Fn(Operation) -> HookFuture + Send + Sync>);

impl fmt::Debug for MutationHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MutationHook")
    }
}

#[derive(Clone, Debug)]
pub struct DeploySettings {
    /// Value of the `elbv2.k8s.aws/cluster` tag: only resources carrying it are touched.
    pub cluster_name: String,
    /// The VPC; when None, the VPC of the load balancer's subnets.
    pub vpc_id: Option<String>,
    /// Discover and diff, but only report the mutating calls.
    pub dry_run: bool,
    pub client: ClientSettings,
    /// How `SetRulePriorities` treats priorities in use. None: assume AWS's documented
    /// behaviour and fall back to [`PriorityMode::Strict`] the first time a call is refused.
    pub priority_mode: Option<PriorityMode>,
    /// Stop with [`crate::Error::Interrupted`] before the mutating call after this many (tests
    /// of interrupted runs).
    pub max_mutating_calls: Option<u64>,
    pub after_mutation: Option<MutationHook>,
    /// Tag keys other tools own (`--external-managed-tags`): never removed nor overwritten.
    pub external_managed_tags: BTreeSet<String>,
    /// Where the certificates of listeners' Secrets are read for import into ACM; None
    /// refuses stacks whose listeners need one imported.
    pub certificates: Option<crate::certificate_source::Certificates>,
}

impl DeploySettings {
    pub fn new(cluster_name: impl Into<String>) -> Self {
        DeploySettings {
            cluster_name: cluster_name.into(),
            vpc_id: None,
            dry_run: false,
            client: ClientSettings::default(),
            priority_mode: None,
            max_mutating_calls: None,
            after_mutation: None,
            external_managed_tags: BTreeSet::new(),
            certificates: None,
        }
    }
}
