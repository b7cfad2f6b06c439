use anyhow::Result;
use std::process::ExitCode;

pub fn run() -> Result<ExitCode> {
    crate::out!("{}", gantry_api::crds::crd_yaml());
    Ok(ExitCode::SUCCESS)
}
