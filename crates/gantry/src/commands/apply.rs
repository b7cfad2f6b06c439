//! `gantry apply`: plan every Gateway in the manifests, then make AWS match (gantry-deploy).

use crate::cli::ApplyArgs;
use anyhow::{Context, Result};
use gantry_api::k8s::Secret;
use gantry_deploy::client::{ClientSettings, block_on};
use gantry_deploy::{CertificateSource, Certificates, DeploySettings, Deployer, ImportMaterial};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

/// Runs `gantry apply`; `verbose` > 0 also prints the AWS calls made, by operation.
pub fn run(args: ApplyArgs, verbose: u8) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    if loaded.has_errors() {
        eprintln!("error: the manifests have errors; nothing was applied");
        return Ok(ExitCode::FAILURE);
    }
    let mut translate_settings = super::settings(&args.manifests);
    let mut translation = gantry_translate::translate(&loaded.snapshot, &translate_settings);
    for p in &translation.problems {
        eprintln!("warning: {}: {}", p.object, p.message);
    }
    if translation.stacks.is_empty() {
        crate::outln!("no Gateway in the manifests is handled by gantry; nothing to apply");
        return Ok(ExitCode::SUCCESS);
    }
    let mut settings = deploy_settings(&args.manifests, &args.aws);
    settings.certificates = Some(manifest_certificates(&loaded.snapshot, &translation.stacks));
    let ok = block_on(async {
        let deployer = Deployer::from_env(settings).await;
        let mut results = deployer.apply_all(&translation.stacks).await;
        // Target groups named by TargetGroupName backendRefs that do not exist: those Gateways
        // are planned again with these backendRefs unresolved (as a missing Service is) and
        // applied without them, as the controller does.
        let absent: std::collections::BTreeSet<String> = results
            .iter()
            .filter_map(|(_, r)| match r {
                Err(gantry_deploy::Error::TargetGroupNameNotFound { names, .. }) => Some(names),
                _ => None,
            })
            .flatten()
            .cloned()
            .collect();
        if !absent.is_empty() {
            eprintln!(
                "warning: no target group is named {}: backendRefs to it are unresolved (ResolvedRefs=False, BackendNotFound); applying those Gateways without them",
                absent.iter().cloned().collect::<Vec<_>>().join(", ")
            );
            translate_settings.absent_target_groups = absent;
            translation = gantry_translate::translate(&loaded.snapshot, &translate_settings);
            let failed: Vec<String> = results
                .iter()
                .filter(|(_, r)| {
                    matches!(r, Err(gantry_deploy::Error::TargetGroupNameNotFound { .. }))
                })
                .map(|(g, _)| g.clone())
                .collect();
            let again: Vec<gantry_model::Stack> = translation
                .stacks
                .iter()
                .filter(|s| failed.contains(&s.gateway))
                .cloned()
                .collect();
            for (gateway, result) in deployer.apply_all(&again).await {
                if let Some(slot) = results.iter_mut().find(|(g, _)| *g == gateway) {
                    slot.1 = result;
                }
            }
        }
        let ok = super::apply::print_results(&results, args.aws.dry_run);
        let ok = register_targets(&deployer, &translation.stacks, &results, &loaded.snapshot).await
            && ok;
        if verbose > 0 {
            print_calls(&deployer);
        }
        ok
    })
    .context("starting the async runtime")?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Standalone registration, what the TargetGroupBinding controller does in a cluster: each
/// applied stack's target groups get the targets of the manifests' EndpointSlices and Nodes,
/// and the cluster's worker security groups the rules letting the load balancer reach them.
async fn register_targets(
    deployer: &Deployer,
    stacks: &[gantry_model::Stack],
    results: &[(String, gantry_deploy::Result<gantry_deploy::Report>)],
    snapshot: &gantry_snapshot::Snapshot,
) -> bool {
    let mut ok = true;
    let applied = |g: &str| results.iter().any(|(r, res)| r == g && res.is_ok());
    for stack in stacks.iter().filter(|s| applied(&s.gateway)) {
        let wanted = gantry_targets::stack_targets(stack, snapshot);
        for p in &wanted.problems {
            eprintln!("warning: {}: {p}", stack.gateway);
        }
        let ports: Vec<(String, i32)> = wanted
            .rules
            .iter()
            .map(|r| (r.protocol.as_str().to_string(), r.port))
            .collect();
        let synced = match deployer.sync_stack_targets(stack, &wanted.targets).await {
            Ok(groups) => groups,
            Err(e) => {
                ok = false;
                eprintln!(
                    "error: {}: targets: {e} ({})",
                    stack.gateway,
                    e.metric_label()
                );
                continue;
            }
        };
        for g in &synced {
            let c = &g.changes;
            if c.is_empty() {
                crate::outln!("  targets of {}: no change", g.name);
                continue;
            }
            let (reg, dereg) = match c.dry_run {
                true => ("would register", "would deregister"),
                false => ("registered", "deregistered"),
            };
            let registered = c.registered.iter().map(|t| format!("{}:{}", t.id, t.port));
            let deregistered = c.deregistered.iter().map(|(id, p)| match p {
                Some(p) => format!("{id}:{p}"),
                None => id.clone(),
            });
            crate::outln!(
                "  targets of {}: {reg} {}, {dereg} {}",
                g.name,
                listing(registered),
                listing(deregistered)
            );
        }
        let Some(source) = gantry_targets::source_security_group(stack) else {
            continue;
        };
        match deployer.open_backend_ports(stack, source, &ports).await {
            Ok(groups) if groups.is_empty() && !ports.is_empty() => crate::outln!(
                "  backend rules: no security group tagged {} in the VPC; none added",
                gantry_deploy::targets::worker_tag_key(&deployer.settings().cluster_name)
            ),
            Ok(groups) => {
                for (group, c) in groups.iter().filter(|(_, c)| !c.added.is_empty()) {
                    let added: Vec<String> = c.added.iter().map(ToString::to_string).collect();
                    crate::outln!("  security group {group}: allowed {}", added.join(", "));
                }
            }
            Err(e) => {
                ok = false;
                eprintln!(
                    "error: {}: backend rules: {e} ({})",
                    stack.gateway,
                    e.metric_label()
                );
            }
        }
    }
    ok
}

/// `N [a b c d e …]`: a count and the first few.
fn listing(items: impl ExactSizeIterator<Item = String>) -> String {
    let n = items.len();
    let mut shown: Vec<String> = items.take(5).collect();
    if n > shown.len() {
        shown.push("…".to_string());
    }
    format!("{n} [{}]", shown.join(" "))
}

/// The Secrets the stacks' listeners name, for the deployer to import into ACM.
struct ManifestCertificates(BTreeMap<String, Arc<Secret>>);

impl CertificateSource for ManifestCertificates {
    fn material(&self, secret: &str, fingerprint: &str) -> Option<ImportMaterial> {
        let m = gantry_translate::certificates::import_material(self.0.get(secret)?, fingerprint)?;
        Some(ImportMaterial {
            certificate: m.certificate,
            chain: m.chain,
            private_key: m.private_key,
        })
    }
}

fn manifest_certificates(
    snapshot: &gantry_snapshot::Snapshot,
    stacks: &[gantry_model::Stack],
) -> Certificates {
    let mut secrets = BTreeMap::new();
    for c in stacks
        .iter()
        .flat_map(|s| &s.listeners)
        .flat_map(|l| &l.certificate_secrets)
    {
        if let Some((namespace, name)) = c.secret.split_once('/') {
            let key = gantry_snapshot::ObjectKey::new(namespace.to_string(), name.to_string());
            if let Some(s) = snapshot.secrets.get(&key) {
                secrets.insert(c.secret.clone(), s.clone());
            }
        }
    }
    Certificates(Arc::new(ManifestCertificates(secrets)))
}

pub(super) fn deploy_settings(
    manifests: &crate::cli::ManifestArgs,
    aws: &crate::cli::AwsArgs,
) -> DeploySettings {
    let cluster = manifests.cluster_name.as_str();
    DeploySettings {
        external_managed_tags: manifests.external_managed_tags.clone(),
        vpc_id: aws.vpc_id.clone(),
        dry_run: aws.dry_run,
        client: ClientSettings {
            region: aws.aws_region.clone(),
            ..ClientSettings::default()
        },
        ..DeploySettings::new(cluster)
    }
}

/// Prints each Gateway's report (or error); true when all succeeded.
pub(super) fn print_results(
    results: &[(String, gantry_deploy::Result<gantry_deploy::Report>)],
    dry_run: bool,
) -> bool {
    let mut ok = true;
    for (gateway, result) in results {
        match result {
            Ok(report) => crate::out!("{report}"),
            Err(e) => {
                ok = false;
                eprintln!("error: {gateway}: {e} ({})", e.metric_label());
            }
        }
    }
    if dry_run {
        crate::outln!("dry run: no change was made");
    }
    ok
}

pub(super) fn print_calls(deployer: &Deployer) {
    let counts = deployer.call_counts();
    let calls = deployer.calls();
    eprintln!(
        "AWS calls: {} ({} mutating, {} HTTP attempts)",
        calls.total(),
        calls.mutating(),
        calls.attempts()
    );
    for ((service, op), n) in counts {
        eprintln!("  {service:<28} {op:<36} {n}");
    }
}
