use crate::cli::{Format, PlanArgs};
use crate::output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(args: PlanArgs) -> Result<ExitCode> {
    let loaded = super::load(&args.manifests);
    let settings = super::settings(&args.manifests);
    let translation = gantry_translate::translate(&loaded.snapshot, &settings);
    let plan = output::plan::Plan::build(&loaded.snapshot, &translation, &args.transition_time);
    let text = match args.output {
        Format::Json => serde_json::to_string_pretty(&plan)? + "\n",
        Format::Yaml => serde_norway::to_string(&plan)?,
        Format::Table => output::table::render(&translation),
    };
    print!("{text}");
    Ok(if loaded.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
