use crate::cli::{Format, PlanArgs};
use crate::output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(args: PlanArgs) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    let mut settings = super::settings(&args.manifests);
    // plan calls no AWS API: the names of TargetGroupName backendRefs are not looked up.
    settings.target_group_names_checked = false;
    let tiered_settings = gantry_tiered::TieredSettings::new(args.manifests.cluster_name.clone());
    let plan = gantry_plan::Plan::new(&loaded.snapshot, &settings, &tiered_settings);
    let translation = &plan.translation;
    let tiered_yaml = output::tiered::render(&loaded.snapshot, &plan.tiered, &args.transition_time);
    // Through a `Value`, as every structured format always was: its map orders the members.
    let document = || -> Result<serde_json::Value> {
        Ok(serde_json::to_value(
            plan.document(&loaded.snapshot, &args.transition_time),
        )?)
    };
    let text = match args.output {
        Format::Json => serde_json::to_string_pretty(&document()?)? + "\n",
        Format::Yaml => serde_norway::to_string(&document()?)?,
        Format::Table => output::table::render(translation, !tiered_yaml.is_empty()),
        Format::Mermaid => output::mermaid::render(&output::graph::Graph::build(translation)),
        Format::Dot => output::dot::render(&output::graph::Graph::build(translation)),
    };
    crate::out!("{text}");
    // The table is followed by the manifests gantry would apply, with ARNs still pending.
    if !tiered_yaml.is_empty() && matches!(args.output, Format::Table) {
        crate::out!("\nTiered Gateways — objects gantry would create:\n---\n{tiered_yaml}")
    }
    Ok(if loaded.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
