//! `gantry apply`: plan every Gateway in the manifests, then make AWS match (gantry-deploy).

use crate::cli::ApplyArgs;
use anyhow::{Context, Result};
use gantry_deploy::client::{ClientSettings, block_on};
use gantry_deploy::{DeploySettings, Deployer};
use std::process::ExitCode;

/// Runs `gantry apply`; `verbose` > 0 also prints the AWS calls made, by operation.
pub fn run(args: ApplyArgs, verbose: u8) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    if loaded.has_errors() {
        eprintln!("error: the manifests have errors; nothing was applied");
        return Ok(ExitCode::FAILURE);
    }
    let translation =
        gantry_translate::translate(&loaded.snapshot, &super::settings(&args.manifests));
    for p in &translation.problems {
        eprintln!("warning: {}: {}", p.object, p.message);
    }
    if translation.stacks.is_empty() {
        println!("no Gateway in the manifests is handled by gantry; nothing to apply");
        return Ok(ExitCode::SUCCESS);
    }
    let settings = deploy_settings(&args.manifests.cluster_name, &args.aws);
    let ok = block_on(async {
        let deployer = Deployer::from_env(settings).await;
        let results = deployer.apply_all(&translation.stacks).await;
        let ok = super::apply::print_results(&results, args.aws.dry_run);
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

pub(super) fn deploy_settings(cluster: &str, aws: &crate::cli::AwsArgs) -> DeploySettings {
    DeploySettings {
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
            Ok(report) => print!("{report}"),
            Err(e) => {
                ok = false;
                eprintln!("error: {gateway}: {e} ({})", e.metric_label());
            }
        }
    }
    if dry_run {
        println!("dry run: no change was made");
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
