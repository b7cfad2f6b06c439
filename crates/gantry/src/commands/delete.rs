//! `gantry delete`: remove what gantry owns in AWS for the Gateways in the manifests.

use crate::cli::DeleteArgs;
use anyhow::{Context, Result};
use gantry_deploy::Deployer;
use gantry_deploy::client::block_on;
use gantry_model::{LoadBalancerType, SecurityGroupRef};
use std::process::ExitCode;

/// Runs `gantry delete`; `verbose` > 0 also prints the AWS calls made, by operation.
pub fn run(args: DeleteArgs, verbose: u8) -> Result<ExitCode> {
    for g in &args.gateways {
        if g.split('/').filter(|p| !p.is_empty()).count() != 2 {
            eprintln!("error: --gateway {g}: expected namespace/name");
            return Ok(ExitCode::FAILURE);
        }
    }
    let stacks = if args.manifests.paths.is_empty() && !args.gateways.is_empty() {
        Vec::new()
    } else {
        let loaded = super::load(&args.manifests);
        if loaded.has_errors() {
            eprintln!("error: the manifests have errors; nothing was deleted");
            return Ok(ExitCode::FAILURE);
        }
        gantry_translate::translate(&loaded.snapshot, &super::settings(&args.manifests)).stacks
    };
    if stacks.is_empty() && args.gateways.is_empty() {
        crate::outln!("no Gateway in the manifests is handled by gantry; nothing to delete");
        return Ok(ExitCode::SUCCESS);
    }
    let settings = super::apply::deploy_settings(&args.manifests, &args.aws);
    let ok = block_on(async {
        let deployer = Deployer::from_env(settings).await;
        // Worker rules whose source is a stack's own security group would keep that group
        // from being deleted (DependencyViolation): revoke them first. Rules from the shared
        // backend group stay, other Gateways may use them.
        for stack in &stacks {
            if let Some(source @ SecurityGroupRef::Managed(_)) =
                gantry_targets::source_security_group(stack)
                && let Ok(Some(id)) = deployer.security_group_id(stack, source).await
                && let Err(e) = deployer.close_backend_ports(&id).await
            {
                eprintln!(
                    "error: {}: revoking worker rules from {id}: {e}",
                    stack.gateway
                );
            }
        }
        let mut results = deployer.delete_all(&stacks).await;
        // Named Gateways: their ALB and NLB stacks, whichever exists.
        for g in &args.gateways {
            for kind in [LoadBalancerType::Application, LoadBalancerType::Network] {
                results.push((g.clone(), deployer.delete(g, kind).await));
            }
        }
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
