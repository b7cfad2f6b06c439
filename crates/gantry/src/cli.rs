//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The line every `--help` ends with: where the matching documentation is, relative to the
/// repository root. `crates/gantry/tests/help.rs` checks that each named file and heading exists.
macro_rules! help_link {
    ($doc:literal) => {
        concat!("Documentation: ", $doc)
    };
}

/// gantry provisions AWS load balancers for Kubernetes Gateway API resources: Gateways of a
/// GatewayClass with controllerName `gateway.k8s.aws/alb` become Application Load Balancers
/// (HTTPRoute, GRPCRoute), those of `gateway.k8s.aws/nlb` Network Load Balancers (TCPRoute,
/// UDPRoute, TLSRoute).
#[derive(Debug, Parser)]
#[command(
    name = "gantry",
    version,
    propagate_version = true,
    after_help = help_link!("README.md#documentation")
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the AWS resources and Gateway API statuses gantry would produce for manifests,
    /// without calling AWS or Kubernetes.
    #[command(after_help = help_link!("docs/configuration.md#gantry-plan"))]
    Plan(PlanArgs),
    /// Make AWS match the plan for every Gateway in the manifests.
    #[command(after_help = help_link!("docs/configuration.md#gantry-apply"))]
    Apply(ApplyArgs),
    /// Remove the AWS resources gantry owns for the Gateways in the manifests.
    #[command(after_help = help_link!("docs/configuration.md#gantry-delete"))]
    Delete(DeleteArgs),
    /// Run in a cluster: watch the Gateway API and reconcile AWS continuously.
    #[command(after_help = help_link!("docs/configuration.md#gantry-controller"))]
    Controller(crate::commands::controller::ControllerArgs),
    /// Print the CustomResourceDefinitions gantry owns, as installable YAML.
    #[command(after_help = help_link!("docs/configuration.md#gantrys-crds"))]
    Crds,
    /// Print gantry's version.
    #[command(after_help = help_link!("docs/install-eks.md"))]
    Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Yaml,
    Json,
    /// The traffic path of each Gateway as a Mermaid flowchart.
    Mermaid,
    /// The traffic path of each Gateway in Graphviz DOT (`| dot -Tsvg`).
    Dot,
}

/// Where manifests come from and how the plan is built.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Manifest file or directory (recursive; .yaml, .yml, .json); `-` reads standard input.
    /// Repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Cluster name: part of every ownership tag and generated name.
    #[arg(long, env = "GANTRY_CLUSTER_NAME", default_value = "default")]
    pub cluster_name: String,
    /// Scheme of load balancers whose LoadBalancerConfiguration sets none.
    #[arg(long, value_enum, default_value = "internal")]
    pub default_load_balancer_scheme: SchemeArg,
    /// Target type of Service target groups whose TargetGroupConfiguration sets none: `auto`
    /// gives `instance` when the Service port has a nodePort (NodePort, LoadBalancer) and
    /// `ip` otherwise (ClusterIP, headless); `instance` or `ip` force one.
    #[arg(long, value_enum, default_value = "auto")]
    pub default_target_type: TargetTypeArg,
    /// SSL policy of HTTPS and TLS listeners that configure none.
    #[arg(long, default_value = "ELBSecurityPolicy-2016-08")]
    pub default_ssl_policy: String,
    /// Tags for every AWS resource, as key=value pairs separated by commas.
    #[arg(long, value_parser = parse_tags, default_value = "")]
    pub default_tags: std::collections::BTreeMap<String, String>,
    /// Tag keys other tools manage, separated by commas: gantry never sets, overwrites nor
    /// removes them, and a configuration that sets one is reported.
    #[arg(long, value_parser = crate::commands::controller::parse_tag_keys, default_value = "")]
    pub external_managed_tags: std::collections::BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    Internal,
    InternetFacing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetTypeArg {
    Auto,
    Instance,
    Ip,
}

impl From<TargetTypeArg> for gantry_translate::DefaultTargetType {
    fn from(t: TargetTypeArg) -> Self {
        match t {
            TargetTypeArg::Auto => Self::Auto,
            TargetTypeArg::Instance => Self::Instance,
            TargetTypeArg::Ip => Self::Ip,
        }
    }
}

fn parse_tags(s: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(format!("tag {pair:?} is not key=value")),
        })
        .collect()
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    pub output: Format,
    /// lastTransitionTime written into conditions; fixed by default so that plans of the same
    /// manifests are byte-identical.
    #[arg(long, default_value = "1970-01-01T00:00:00Z")]
    pub transition_time: String,
}

#[derive(Debug, Args)]
pub struct AwsArgs {
    /// AWS region; falls back to AWS_REGION / AWS_DEFAULT_REGION and the AWS config files.
    #[arg(long, env = "AWS_REGION")]
    pub aws_region: Option<String>,
    /// VPC of the load balancers; discovered from the cluster's subnets when not given.
    #[arg(long)]
    pub vpc_id: Option<String>,
    /// Print the AWS calls that would be made, and make none.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,
    /// A Gateway (`namespace/name`) whose AWS resources to delete, whether or not it is in
    /// the manifests. Repeatable; instead of or in addition to `-f`.
    #[arg(long = "gateway", value_name = "NS/NAME")]
    pub gateways: Vec<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn init_logging(verbose: u8) {
    use crate::commands::controller::log_filter;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter(verbose, &["warn", "info", "debug", "trace"]))
        .with_writer(std::io::stderr)
        .try_init();
}
