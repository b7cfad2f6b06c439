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
    // Tiered Gateways become Kubernetes objects rather than AWS stacks: the structured
    // formats carry them as the document's `tiered` member, so that scripts and diffs see them.
    let document = || -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(&plan)?;
        if let Some(t) = output::tiered::document(&loaded.snapshot, &tiered, &args.transition_time)
        {
            v["tiered"] = t;
        }
        Ok(v)
    };
    let text = match args.output {
        Format::Json => serde_json::to_string_pretty(&document()?)? + "\n",
        Format::Yaml => serde_norway::to_string(&document()?)?,
        Format::Table => output::table::render(&translation, !tiered_yaml.is_empty()),
        Format::Mermaid => output::mermaid::render(&output::graph::Graph::build(&translation)),
        Format::Dot => output::dot::render(&output::graph::Graph::build(&translation)),
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
