//! The measured deployer and the emulator's network.

use super::{GATEWAY, Sample, timer::HttpTimer};
use anyhow::{Context, Result, bail};
use gantry_deploy::Deployer;
use gantry_model::{LoadBalancerType, Stack};
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, translate};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub(super) struct Bench {
    pub(super) deployer: Deployer,
    pub(super) timer: HttpTimer,
    pub(super) settings: Settings,
}

impl Bench {
    /// Translates `snapshot` and returns `gateway`'s stack and the time it took.
    pub(super) fn stack(&self, snapshot: &Snapshot, gateway: &str) -> Result<(Stack, Duration)> {
        let start = Instant::now();
        let t = translate(snapshot, &self.settings);
        let took = start.elapsed();
        if !t.problems.is_empty() {
            bail!("the workload translates with problems: {:?}", t.problems);
        }
        let stack = t
            .stacks
            .into_iter()
            .find(|s| s.gateway == gateway)
            .with_context(|| format!("no stack for {gateway}"))?;
        Ok((stack, took))
    }

    /// Applies `snapshot`'s stack (or deletes the Gateway for None) and measures it.
    pub(super) async fn measure(&self, snapshot: Option<&Snapshot>) -> Result<Sample> {
        let planned = snapshot.map(|s| self.stack(s, GATEWAY)).transpose()?;
        let calls_before = self.deployer.call_counts();
        let attempts_before = self.deployer.calls().attempts();
        let (http_before, requests_before) = self.timer.read();
        let start = Instant::now();
        let result = match &planned {
            Some((stack, _)) => self.deployer.apply(stack).await,
            None => {
                self.deployer
                    .delete(GATEWAY, LoadBalancerType::Application)
                    .await
            }
        };
        let apply = start.elapsed();
        result.context("the deployer failed")?;
        let (http_after, requests_after) = self.timer.read();
        let mut calls = BTreeMap::new();
        for ((_, op), n) in self.deployer.call_counts() {
            let before = calls_before
                .iter()
                .find(|((_, o), _)| *o == op)
                .map_or(0, |(_, b)| *b);
            if n > before {
                *calls.entry(op).or_default() += n - before;
            }
        }
        Ok(Sample {
            calls,
            attempts: self.deployer.calls().attempts() - attempts_before,
            translate: planned.map(|(_, t)| t).unwrap_or_default(),
            apply,
            http: http_after - http_before,
            requests: requests_after - requests_before,
        })
    }
}
