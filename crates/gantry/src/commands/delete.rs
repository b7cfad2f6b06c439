//! `gantry delete`: remove what gantry owns in AWS for the Gateways in the manifests.

use crate::cli::DeleteArgs;
use anyhow::{Context, Result};
use gantry_deploy::Deployer;
use gantry_deploy::client::block_on;
use std::process::ExitCode;

/// Runs `gantry delete`; `verbose` > 0 also prints the AWS calls made, by operation.
pub fn run(args: DeleteArgs, verbose: u8) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    if loaded.has_errors() {
        eprintln!("error: the manifests have errors; nothing was deleted");
        return Ok(ExitCode::FAILURE);
    }
    let translation =
        gantry_translate::translate(&loaded.snapshot, &super::settings(&args.manifests));
    if translation.stacks.is_empty() {
        println!("no Gateway in the manifests is handled by gantry; nothing to delete");
        return Ok(ExitCode::SUCCESS);
    }
    let settings = super::apply::deploy_settings(&args.manifests.cluster_name, &args.aws);
    let ok = block_on(async {
        let deployer = Deployer::from_env(settings).await;
        let results = deployer.delete_all(&translation.stacks).await;
        let ok = super::apply::print_results(&results, args.aws.dry_run);
        if verbose > 0 {
            super::apply::print_calls(&deployer);
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
