//! `gantry controller`: run in a cluster, watch the Gateway API, reconcile AWS continuously.
//!
//! Flags follow the AWS Load Balancer Controller's names where it has one (`--cluster-name`,
//! `--aws-region`, `--aws-vpc-id`, `--watch-namespace`, `--sync-period`,
//! `--feature-gates=ALBGatewayAPI=false`, `--enable-leader-election`, `--metrics-bind-addr`);
//! every flag also reads an environment variable.

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use gantry_controller::Config;
use gantry_deploy::DeploySettings;
use gantry_deploy::client::ClientSettings;
use gantry_gateway::LbKind;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct ControllerArgs {
    /// Cluster name: part of every ownership tag and generated name. Required.
    #[arg(long, env = "GANTRY_CLUSTER_NAME")]
    pub cluster_name: String,
    /// AWS region; falls back to AWS_REGION and the AWS config files.
    #[arg(long, env = "AWS_REGION")]
    pub aws_region: Option<String>,
    /// VPC of the load balancers; discovered from their subnets when not given.
    #[arg(long, env = "AWS_VPC_ID")]
    pub aws_vpc_id: Option<String>,
    /// Watch only this namespace's Gateways, routes, Services and configurations (the
    /// cluster-scoped GatewayClasses and Namespaces are always watched). Default: all.
    #[arg(long, env = "WATCH_NAMESPACE")]
    pub watch_namespace: Option<String>,
    /// Feature gates, as Name=true|false pairs separated by commas: ALBGatewayAPI and
    /// NLBGatewayAPI turn the ALB or NLB part off, TieredGatewayAPI the tiered class (its
    /// watches and writes; the chart's RBAC grants those only with `tiered.enabled`),
    /// GatewayListenerSet (the established controller's name; on by default, as there) the
    /// ListenerSets: off, they are neither watched nor read, and Gateways get no
    /// `attachedListenerSets`.
    #[arg(long, env = "GANTRY_FEATURE_GATES", value_parser = parse_gates, default_value = "")]
    pub feature_gates: Gates,
    /// Every Gateway is reconciled at least this often, which repairs changes made by hand in
    /// AWS (e.g. 10h, 30m, 90s).
    #[arg(long, env = "GANTRY_SYNC_PERIOD", value_parser = parse_duration, default_value = "10h")]
    pub sync_period: Duration,
    /// Gateways reconciled at the same time.
    #[arg(long, env = "GANTRY_MAX_CONCURRENT_RECONCILES", default_value_t = 3)]
    pub max_concurrent_reconciles: u16,
    /// Elect a leader on a coordination.k8s.io Lease, so that several replicas can run and
    /// only one reconciles.
    #[arg(long, env = "GANTRY_ENABLE_LEADER_ELECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub enable_leader_election: bool,
    /// Namespace of the Lease; the pod's own namespace in a cluster.
    #[arg(long, env = "POD_NAMESPACE", default_value = "kube-system")]
    pub leader_election_namespace: String,
    /// Name of the Lease.
    #[arg(
        long,
        env = "GANTRY_LEADER_ELECTION_ID",
        default_value = "gantry-leader"
    )]
    pub leader_election_id: String,
    /// This replica's identity in the Lease; the pod name in a cluster.
    #[arg(long, env = "POD_NAME", default_value = "gantry")]
    pub identity: String,
    /// Address of /metrics (Prometheus), /healthz and /readyz.
    #[arg(long, env = "GANTRY_METRICS_BIND_ADDR", default_value = "0.0.0.0:8080")]
    pub metrics_bind_addr: SocketAddr,
    /// Target type of Service target groups whose TargetGroupConfiguration sets none: `auto`
    /// gives `instance` when the Service port has a nodePort (NodePort, LoadBalancer) and
    /// `ip` otherwise (ClusterIP, headless); `instance` or `ip` force one.
    #[arg(
        long,
        env = "GANTRY_DEFAULT_TARGET_TYPE",
        value_enum,
        default_value = "auto"
    )]
    pub default_target_type: TargetTypeFlag,
    /// Log format.
    #[arg(long, env = "GANTRY_LOG_FORMAT", value_enum, default_value = "json")]
    pub log_format: LogFormat,
    /// Tag keys other tools manage, separated by commas: gantry never sets, overwrites nor
    /// removes them, and a configuration that sets one is reported.
    #[arg(long, env = "GANTRY_EXTERNAL_MANAGED_TAGS", value_parser = parse_tag_keys, default_value = "")]
    pub external_managed_tags: std::collections::BTreeSet<String>,
}

/// `--default-target-type`. Its own type, not the CLI's: this file is also compiled into the
/// controller's CLI test, without the rest of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetTypeFlag {
    Auto,
    Instance,
    Ip,
}

impl From<TargetTypeFlag> for gantry_translate::DefaultTargetType {
    fn from(t: TargetTypeFlag) -> Self {
        match t {
            TargetTypeFlag::Auto => Self::Auto,
            TargetTypeFlag::Instance => Self::Instance,
            TargetTypeFlag::Ip => Self::Ip,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Text,
}

/// Feature gates gantry knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gates {
    pub alb: bool,
    pub nlb: bool,
    pub tiered: bool,
    /// `GatewayListenerSet`: ListenerSets watched, merged and given statuses.
    pub listener_sets: bool,
}

fn parse_gates(s: &str) -> Result<Gates, String> {
    let mut gates = Gates {
        alb: true,
        nlb: true,
        tiered: true,
        listener_sets: true,
    };
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("feature gate {pair:?} is not Name=true|false"))?;
        let on = match value.trim() {
            "true" => true,
            "false" => false,
            v => return Err(format!("feature gate {name}: {v:?} is not true or false")),
        };
        match name.trim() {
            "ALBGatewayAPI" => gates.alb = on,
            "NLBGatewayAPI" => gates.nlb = on,
            "TieredGatewayAPI" => gates.tiered = on,
            "GatewayListenerSet" => gates.listener_sets = on,
            other => {
                return Err(format!(
                    "unknown feature gate {other:?} (known: ALBGatewayAPI, NLBGatewayAPI, TieredGatewayAPI, GatewayListenerSet)"
                ));
            }
        }
    }
    Ok(gates)
}

/// `key1,key2`: tag keys, blanks ignored.
pub fn parse_tag_keys(s: &str) -> Result<std::collections::BTreeSet<String>, String> {
    Ok(s.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect())
}

/// `90s`, `30m`, `10h`, or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 90s, 30m or 10h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("{s:?}: unit must be s, m or h")),
    };
    if secs == 0 {
        return Err("a duration must be positive".to_string());
    }
    Ok(Duration::from_secs(secs))
}

impl ControllerArgs {
    /// The controller's settings.
    pub fn config(&self) -> Result<Config> {
        let mut c = Config::new(self.cluster_name.clone());
        c.translate.enabled.clear();
        if self.feature_gates.alb {
            c.translate.enabled.insert(LbKind::Alb);
        }
        if self.feature_gates.nlb {
            c.translate.enabled.insert(LbKind::Nlb);
        }
        if c.translate.enabled.is_empty() {
            bail!("both ALBGatewayAPI and NLBGatewayAPI are off: there is nothing to do");
        }
        c.tiered = self.feature_gates.tiered;
        // Off: no ListenerSet is watched, so translation must not report on them either
        // (an attachedListenerSets of 0 would be a guess).
        c.translate.listener_sets = self.feature_gates.listener_sets;
        c.translate.default_target_type = self.default_target_type.into();
        c.watch_namespace = self.watch_namespace.clone().filter(|n| !n.is_empty());
        c.sync_period = self.sync_period;
        c.concurrency = self.max_concurrent_reconciles.max(1);
        c.lease.enabled = self.enable_leader_election;
        c.lease.namespace = self.leader_election_namespace.clone();
        c.lease.name = self.leader_election_id.clone();
        c.lease.identity = self.identity.clone();
        c.admin_addr = Some(self.metrics_bind_addr);
        c.translate.external_managed_tags = self.external_managed_tags.clone();
        Ok(c)
    }

    pub fn deploy_settings(&self) -> DeploySettings {
        DeploySettings {
            external_managed_tags: self.external_managed_tags.clone(),
            vpc_id: self.aws_vpc_id.clone(),
            client: ClientSettings {
                region: self.aws_region.clone(),
                ..ClientSettings::default()
            },
            ..DeploySettings::new(self.cluster_name.clone())
        }
    }
}

/// Logs for a controller: JSON lines by default (one object per event, for log pipelines).
/// Call instead of the CLI's default logging; `verbose` as for the other commands.
pub fn init_logging(args: &ControllerArgs, verbose: u8) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(log_filter(verbose, &["info", "debug", "trace"]))
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The log filter of every command (here, as this file is compiled into the controller's tests
/// too): `RUST_LOG` when set; else the level of `levels` that `verbose` (`-v` repeated) picks,
/// the last for any more.
pub fn log_filter(verbose: u8, levels: &[&str]) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    let default = levels[usize::from(verbose).min(levels.len() - 1)];
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

pub fn run(args: ControllerArgs) -> Result<ExitCode> {
    let config = args.config()?;
    gantry_controller::process::run(config, args.deploy_settings()).context("gantry controller")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ControllerArgs,
    }

    fn parse(args: &[&str]) -> Result<ControllerArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("gantry").chain(args.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn flags_become_the_controller_config() {
        let a = parse(&[
            "--cluster-name=prod",
            "--feature-gates=NLBGatewayAPI=false",
            "--sync-period=30m",
            "--watch-namespace=apps",
            "--enable-leader-election=false",
            "--max-concurrent-reconciles=5",
        ])
        .unwrap();
        let c = a.config().unwrap();
        assert_eq!(c.translate.cluster_name, "prod");
        assert_eq!(
            c.enabled().iter().copied().collect::<Vec<_>>(),
            vec![LbKind::Alb]
        );
        assert_eq!(c.sync_period, Duration::from_secs(1800));
        assert_eq!(c.watch_namespace.as_deref(), Some("apps"));
        assert!(!c.lease.enabled);
        assert_eq!(c.concurrency, 5);
    }

    #[test]
    fn default_target_type_is_auto_unless_forced() {
        use gantry_translate::DefaultTargetType;
        let auto = parse(&["--cluster-name=x"]).unwrap().config().unwrap();
        assert_eq!(auto.translate.default_target_type, DefaultTargetType::Auto);
        let forced = parse(&["--cluster-name=x", "--default-target-type=instance"])
            .unwrap()
            .config()
            .unwrap();
        assert_eq!(
            forced.translate.default_target_type,
            DefaultTargetType::Instance
        );
        let ip = parse(&["--cluster-name=x", "--default-target-type=ip"]).unwrap();
        assert_eq!(
            ip.config().unwrap().translate.default_target_type,
            DefaultTargetType::Ip
        );
        assert!(parse(&["--cluster-name=x", "--default-target-type=lambda"]).is_err());
    }

    #[test]
    fn external_managed_tags_reach_translation_and_the_deployer() {
        let a = parse(&[
            "--cluster-name=x",
            "--external-managed-tags=owner, cost-center,",
        ])
        .unwrap();
        let keys: std::collections::BTreeSet<String> =
            ["cost-center".to_string(), "owner".to_string()].into();
        assert_eq!(a.config().unwrap().translate.external_managed_tags, keys);
        assert_eq!(a.deploy_settings().external_managed_tags, keys);
    }

    #[test]
    fn tiered_gate_turns_the_tiered_class_off() {
        let default = parse(&["--cluster-name=x"]).unwrap();
        assert!(default.config().unwrap().tiered);
        let off = parse(&["--cluster-name=x", "--feature-gates=TieredGatewayAPI=false"]).unwrap();
        let config = off.config().unwrap();
        assert!(!config.tiered);
        assert_eq!(config.translate.enabled.len(), 2, "ALB and NLB stay on");
    }

    #[test]
    fn the_listener_set_gate_is_on_by_default_and_can_be_turned_off() {
        let c = parse(&["--cluster-name=x"]).unwrap().config().unwrap();
        assert!(c.translate.listener_sets, "on by default, as in the LBC");
        let off = parse(&[
            "--cluster-name=x",
            "--feature-gates=GatewayListenerSet=false",
        ])
        .unwrap();
        assert!(!off.config().unwrap().translate.listener_sets);
        let on = parse(&[
            "--cluster-name=x",
            "--feature-gates=GatewayListenerSet=true",
        ])
        .unwrap();
        assert!(on.config().unwrap().translate.listener_sets);
    }

    #[test]
    fn bad_feature_gates_and_durations_are_refused() {
        assert!(parse(&["--cluster-name=x", "--feature-gates=Foo=true"]).is_err());
        assert!(parse(&["--cluster-name=x", "--sync-period=10d"]).is_err());
        assert!(parse(&[]).is_err(), "cluster name is required");
        let off = parse(&[
            "--cluster-name=x",
            "--feature-gates=ALBGatewayAPI=false,NLBGatewayAPI=false",
        ])
        .unwrap();
        assert!(off.config().is_err());
    }
}
