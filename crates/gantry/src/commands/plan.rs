use crate::cli::{Format, PlanArgs};
use crate::output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(args: PlanArgs) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    let settings = super::settings(&args.manifests);
    let translation = gantry_translate::translate(&loaded.snapshot, &settings);
    let plan = output::plan::Plan::build(&loaded.snapshot, &translation, &args.transition_time);
    let tiered = gantry_tiered::plan(
        &loaded.snapshot,
        &gantry_tiered::Observed::default(),
        &gantry_tiered::TieredSettings::new(args.manifests.cluster_name.clone()),
    );
    let tiered_yaml = output::tiered::render(&loaded.snapshot, &tiered, &args.transition_time);
    let text = match args.output {
        Format::Json => serde_json::to_string_pretty(&plan)? + "\n",
        Format::Yaml => serde_norway::to_string(&plan)?,
        Format::Table => output::table::render(&translation, !tiered_yaml.is_empty()),
    };
    crate::out!("{text}");
    // Tiered Gateways become Kubernetes objects rather than AWS stacks: printed as the
    // manifests gantry would apply, with ARNs still pending.
    if !tiered_yaml.is_empty() {
        match args.output {
            Format::Json => {}
            Format::Yaml => crate::out!("---\n{tiered_yaml}"),
            Format::Table => {
                crate::out!("\nTiered Gateways — objects gantry would create:\n---\n{tiered_yaml}")
            }
        }
    }
    Ok(if loaded.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
