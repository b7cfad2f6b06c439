//! The state of one apply or delete, through which every mutating call goes.

use crate::client::Clients;
use crate::diff::rule::PriorityMode;
use crate::error::{Error, Operation, Result};
use crate::ownership::Owner;
use crate::report::{ChangeKind, Report, ResourceKind};
use crate::settings::DeploySettings;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use gantry_model::Tags;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

/// The state of one apply or delete: clients, settings, who owns what, and the report.
pub(crate) struct Run<'a> {
    pub aws: &'a Clients,
    pub settings: &'a DeploySettings,
    pub owner: Owner,
    pub report: Report,
    strict: &'a AtomicBool,
    mutations: u64,
    /// Certificate ARNs on the owner's listeners before the run (imported certificates
    /// that fall out of use are deleted at the end).
    pub previous_certificates: BTreeSet<String>,
}

/// Stands in for the ARN or id of something a dry run would have created.
pub(crate) fn placeholder(what: &str) -> String {
    format!("(new {what})")
}

impl<'a> Run<'a> {
    pub fn new(
        aws: &'a Clients,
        settings: &'a DeploySettings,
        owner: Owner,
        strict: &'a AtomicBool,
    ) -> Self {
        Run {
            aws,
            settings,
            report: Report {
                gateway: owner.gateway.clone(),
                ..Report::default()
            },
            owner,
            strict,
            mutations: 0,
            previous_certificates: BTreeSet::new(),
        }
    }

    pub fn into_report(self) -> Report {
        self.report
    }

    pub fn dry_run(&self) -> bool {
        self.settings.dry_run
    }

    pub fn priority_mode(&self) -> PriorityMode {
        if self.strict.load(Ordering::Relaxed) {
            PriorityMode::Strict
        } else {
            PriorityMode::Atomic
        }
    }

    pub fn use_strict_priorities(&self) {
        self.strict.store(true, Ordering::Relaxed);
    }

    /// [`Run::mutate`] for one AWS SDK call: its error becomes an [`Error::Call`] naming
    /// `op` and `what`. Boxed, as every step's AWS calls are (see [`crate::heap_step`]): the
    /// SDK's futures are large, and this is how each call site keeps only a pointer to one.
    pub fn send<T, E, R>(
        &mut self,
        op: Operation,
        what: &str,
        call: impl Future<Output = std::result::Result<T, SdkError<E, R>>>,
    ) -> Pin<Box<impl Future<Output = Result<Option<T>>>>>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        Box::pin(async move {
            self.mutate(op, what, crate::error::send(op, what, call))
                .await
        })
    }

    /// Every mutating call goes through here: in a dry run it is only reported (None); a call
    /// budget stops the run; the hook runs after the call.
    pub async fn mutate<T>(
        &mut self,
        op: Operation,
        what: &str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<Option<T>> {
        if self.settings.dry_run {
            self.report.planned_calls.push(format!("{op} {what}"));
            return Ok(None);
        }
        if let Some(max) = self.settings.max_mutating_calls
            && self.mutations >= max
        {
            return Err(Error::Interrupted {
                calls: self.mutations,
            });
        }
        tracing::debug!(%op, what, "calling AWS");
        // Forgotten before (a listing read meanwhile is not kept) and after (one kept while
        // the call was in flight may not show it).
        let lists_differently = changes_the_target_group_listing(op);
        if lists_differently {
            self.aws.remembered_target_groups.forget();
        }
        let out = call.await;
        if lists_differently {
            self.aws.remembered_target_groups.forget();
        }
        let out = out?;
        self.mutations += 1;
        if let Some(hook) = &self.settings.after_mutation {
            (hook.0)(op).await;
        }
        Ok(Some(out))
    }

    /// The ARN of what a create call made (`arn`, None in a dry run: then a placeholder naming
    /// `what`). It was created with `tags`: they are remembered, so that the next discovery
    /// needs no DescribeTags for it.
    pub fn arn_of_created(&self, arn: Option<String>, tags: &Tags, what: &str) -> String {
        let Some(arn) = arn else {
            return placeholder(what);
        };
        self.aws.remembered_tags.put([(arn.clone(), tags.clone())]);
        arn
    }

    /// Reports that `resource` (of `kind`) was created; `detail` says what it is.
    pub fn created(&mut self, kind: ResourceKind, resource: &str, detail: &str) {
        self.report
            .push(ChangeKind::Created, kind, resource, detail);
    }

    /// Reports that `resource` was changed in place; `detail` names what changed.
    pub fn modified(&mut self, kind: ResourceKind, resource: &str, detail: &str) {
        self.report
            .push(ChangeKind::Modified, kind, resource, detail);
    }

    /// Reports that `resource` was replaced by a new one; `detail` says why.
    pub fn replaced(&mut self, kind: ResourceKind, resource: &str, detail: &str) {
        self.report
            .push(ChangeKind::Replaced, kind, resource, detail);
    }

    /// Reports that `resource` was deleted; `detail` says why.
    pub fn deleted(&mut self, kind: ResourceKind, resource: &str, detail: &str) {
        self.report
            .push(ChangeKind::Deleted, kind, resource, detail);
    }
}

/// Whether `op` changes what DescribeTargetGroups lists (tags and attributes are read apart).
fn changes_the_target_group_listing(op: Operation) -> bool {
    matches!(
        op,
        Operation::CreateTargetGroup | Operation::ModifyTargetGroup | Operation::DeleteTargetGroup
    )
}
