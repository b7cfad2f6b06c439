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
        Format::Mermaid => output::mermaid::render(&output::graph::Graph::build(&translation)),
        Format::Dot => output::dot::render(&output::graph::Graph::build(&translation)),
    };
    print!("{text}");
    // Tiered Gateways become Kubernetes objects rather than AWS stacks: printed as the
    // manifests gantry would apply, with ARNs still pending.
    if !tiered_yaml.is_empty() {
        match args.output {
            // The pictures draw load balancers gantry provisions; a tiered Gateway's is
            // Crossplane's, so it is not drawn.
            Format::Json | Format::Mermaid | Format::Dot => {}
            Format::Yaml => print!("---\n{tiered_yaml}"),
            Format::Table => {
                print!("\nTiered Gateways — objects gantry would create:\n---\n{tiered_yaml}")
            }
        }
    }
    Ok(if loaded.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
