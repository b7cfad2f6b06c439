//! One module per subcommand.

mod apply;
pub mod controller;
mod crds;
mod delete;
mod plan;

use crate::cli::{Cli, Command, ManifestArgs, SchemeArg};
use anyhow::Result;
use gantry_manifests::Loaded;
use gantry_translate::Settings;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan::run(args),
        Command::Crds => crds::run(),
        Command::Version => {
            crate::outln!("gantry {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply(args) => apply::run(args, cli.global.verbose),
        Command::Delete(args) => delete::run(args, cli.global.verbose),
        Command::Controller(args) => controller::run(args),
    }
}

/// Loads manifests and prints every diagnostic to stderr.
pub fn load(args: &ManifestArgs) -> Loaded {
    if args.paths.is_empty() {
        eprintln!("error: no manifests given: use -f PATH (a file, a directory or - for stdin)");
        let mut loaded = Loaded::default();
        loaded.diagnostics.push(gantry_manifests::Diagnostic {
            severity: gantry_manifests::Severity::Error,
            file: String::new(),
            document: None,
            line: None,
            object: None,
            message: "no manifests given".to_string(),
        });
        return loaded;
    }
    let loaded = gantry_manifests::load_paths(&args.paths);
    for d in &loaded.diagnostics {
        eprintln!("{}: {d}", d.severity.as_str());
    }
    loaded
}

pub fn settings(args: &ManifestArgs) -> Settings {
    let mut s = Settings::new(args.cluster_name.clone());
    s.default_scheme = match args.default_load_balancer_scheme {
        SchemeArg::Internal => gantry_model::Scheme::Internal,
        SchemeArg::InternetFacing => gantry_model::Scheme::InternetFacing,
    };
    s.default_target_type = args.default_target_type.into();
    s.default_ssl_policy = args.default_ssl_policy.clone();
    s.default_tags = args.default_tags.clone();
    s.external_managed_tags = args.external_managed_tags.clone();
    // Listener certificates from Secrets are refused outside their validity period.
    s.now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64);
    s
}
