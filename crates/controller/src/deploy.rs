//! The AWS side, behind a trait so that the controller loop can be tested without AWS.

use futures::future::BoxFuture;
use gantry_deploy::{BackendRule, Deployer, Report, TargetChanges};
use gantry_model::{LoadBalancerType, SecretCertificate, Stack, Target};
use gantry_targets::{Deployed, source_security_group};
use std::collections::BTreeMap;

/// ACM certificates by ARN with the names each covers (domain name and SANs).
pub type IssuedCertificates = Vec<(String, Vec<String>)>;

/// Makes AWS match one Gateway's stack, or removes it.
pub trait Deploy: Send + Sync + 'static {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>>;

    /// Removes everything owned for the Gateway `gateway` (`namespace/name`).
    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>>;

    /// What the TargetGroupBindings of a deployed stack name: its target group ARNs (by
    /// resource id), its load balancer security group, its VPC.
    fn deployed<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Deployed>>;

    /// Registers and deregisters so that the target group `arn` holds exactly `targets`.
    fn sync_targets<'a>(
        &'a self,
        arn: &'a str,
        targets: &'a [Target],
    ) -> BoxFuture<'a, gantry_deploy::Result<TargetChanges>>;

    /// The ARN of the target group named `name`; None when there is none.
    fn target_group_arn_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, gantry_deploy::Result<Option<String>>>;

    /// Makes gantry's ingress rules on every worker security group of the cluster equal
    /// `rules` (all bindings' together); rules gantry did not add are never revoked.
    fn sync_worker_rules<'a>(
        &'a self,
        rules: &'a [BackendRule],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>>;

    /// ACM's ISSUED certificates with the names each covers: the tiered class finds its load
    /// balancer listeners' certificates among them by hostname.
    fn issued_certificates(&self) -> BoxFuture<'_, gantry_deploy::Result<IssuedCertificates>>;

    /// The ARNs (by Secret `namespace/name`) of the ACM certificates imported from listener
    /// Secrets `wanted`, importing or re-importing (new fingerprint) as for a stack's
    /// listeners: the tiered class's load balancer listeners take them. `user` names who
    /// wants them, in errors.
    fn import_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        wanted: &'a [SecretCertificate],
    ) -> BoxFuture<'a, gantry_deploy::Result<BTreeMap<String, String>>>;

    /// Deletes the certificates gantry imported from the Secrets `secrets` that no load
    /// balancer uses.
    fn delete_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        secrets: &'a [String],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>>;

    /// AWS calls so far by (service, operation), for the metrics.
    fn call_counts(&self) -> BTreeMap<(String, String), u64> {
        BTreeMap::new()
    }

    /// The time AWS calls have waited for the client-side rate limit so far, for the metrics.
    fn rate_limit_waited(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl Deploy for Deployer {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(Deployer::apply(self, stack))
    }

    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(Deployer::delete(self, gateway, kind))
    }

    fn deployed<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Deployed>> {
        Box::pin(async move {
            let source_security_group = match source_security_group(stack) {
                Some(g) => self.security_group_id(stack, g).await?,
                None => None,
            };
            Ok(Deployed {
                target_group_arns: self.target_group_arns(stack).await?,
                source_security_group,
                vpc_id: self.settings().vpc_id.clone(),
            })
        })
    }

    fn sync_targets<'a>(
        &'a self,
        arn: &'a str,
        targets: &'a [Target],
    ) -> BoxFuture<'a, gantry_deploy::Result<TargetChanges>> {
        Box::pin(Deployer::sync_targets(self, arn, targets))
    }

    fn target_group_arn_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, gantry_deploy::Result<Option<String>>> {
        Box::pin(Deployer::target_group_arn_by_name(self, name))
    }

    fn sync_worker_rules<'a>(
        &'a self,
        rules: &'a [BackendRule],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        Box::pin(async move {
            for group in self.worker_security_groups().await? {
                self.sync_backend_rules(&group, rules, true).await?;
            }
            Ok(())
        })
    }

    fn issued_certificates(&self) -> BoxFuture<'_, gantry_deploy::Result<IssuedCertificates>> {
        Box::pin(Deployer::issued_certificates(self))
    }

    fn import_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        wanted: &'a [SecretCertificate],
    ) -> BoxFuture<'a, gantry_deploy::Result<BTreeMap<String, String>>> {
        Box::pin(Deployer::ensure_secret_certificates(self, user, wanted))
    }

    fn delete_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        secrets: &'a [String],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        Box::pin(Deployer::delete_certificates_of_secrets(
            self, user, secrets,
        ))
    }

    fn call_counts(&self) -> BTreeMap<(String, String), u64> {
        Deployer::call_counts(self)
    }

    fn rate_limit_waited(&self) -> std::time::Duration {
        Deployer::rate_limit_waited(self)
    }
}
