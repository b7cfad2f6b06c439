//! The `gantry controller` command (a file of the binary crate), compiled here so that its
//! flag handling is tested with the controller it configures.

#[path = "../../gantry/src/commands/controller.rs"]
#[allow(dead_code)]
mod controller;

use clap::{CommandFactory, Parser};

#[derive(Parser)]
#[command(name = "gantry-controller")]
struct Cli {
    #[command(flatten)]
    args: controller::ControllerArgs,
}

#[test]
fn help_documents_every_flag() {
    let mut cmd = Cli::command();
    let help = cmd.render_long_help().to_string();
    for flag in [
        "--cluster-name",
        "--aws-region",
        "--aws-vpc-id",
        "--watch-namespace",
        "--feature-gates",
        "--sync-period",
        "--max-concurrent-reconciles",
        "--enable-leader-election",
        "--leader-election-namespace",
        "--leader-election-id",
        "--identity",
        "--metrics-bind-addr",
        "--default-target-type",
        "--log-format",
        "--external-managed-tags",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    for arg in cmd.get_arguments() {
        assert!(arg.get_help().is_some(), "{} has no help", arg.get_id());
    }
}
