//! Settings of one controller process, filled from flags by the binary.

use gantry_gateway::LbKind;
use gantry_translate::Settings;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// Translation settings (cluster name, defaults, enabled load balancer kinds).
    pub translate: Settings,
    /// Watch only this namespace's namespaced objects; None: all namespaces.
    pub watch_namespace: Option<String>,
    /// Every Gateway is reconciled at least this often, which repairs drift made in AWS.
    pub sync_period: Duration,
    /// Gateways reconciled at once.
    pub concurrency: u16,
    /// Changes closer together than this are reconciled once (GatewayClasses and
    /// TargetGroupBindings: after the last of them). A Gateway is reconciled at most once per
    /// this window, the first change at once (crate::throttle): a burst costs two reconciles.
    pub debounce: Duration,
    /// First and largest delay before a failed reconcile is retried.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// How often a CRD that was not installed is looked for again.
    pub crd_recheck: Duration,
    /// How often a binding with pods waiting on their readiness gate asks AWS for target
    /// health again (health changes come with no event).
    pub target_health_poll: Duration,
    pub lease: LeaseConfig,
    /// The tiered class (`gateway.k8s.aws/tiered`): its watches and writes run only when on;
    /// off, the controller needs none of crate::access::TIERED_ACCESS.
    pub tiered: bool,
    /// Address of /metrics, /healthz and /readyz; None: no server.
    pub admin_addr: Option<SocketAddr>,
}

#[derive(Clone, Debug)]
pub struct LeaseConfig {
    /// Off: this replica reconciles without a lease (a single replica, or tests).
    pub enabled: bool,
    pub namespace: String,
    pub name: String,
    /// This replica's identity (the pod name).
    pub identity: String,
    /// A lease not renewed for this long may be taken over.
    pub duration: Duration,
    /// How often the holder renews; well under `duration`.
    pub renew_every: Duration,
    /// How often a standby looks at a lease another replica holds (when shorter than
    /// `renew_every`): it takes the lease over within `duration` + this of the holder's last
    /// renewal, so a failover takes at most about 17 s with the defaults (client-go's retry
    /// period is 2 s too).
    pub retry_every: Duration,
}

impl Config {
    pub fn new(cluster_name: impl Into<String>) -> Self {
        Config {
            // ListenerSets on (`translate.listener_sets`, the `GatewayListenerSet` gate): watched,
            // merged and given statuses; off, neither watched nor read.
            translate: Settings::new(cluster_name),
            watch_namespace: None,
            sync_period: Duration::from_secs(10 * 60 * 60),
            concurrency: 3,
            debounce: Duration::from_secs(1),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(5 * 60),
            crd_recheck: Duration::from_secs(60),
            target_health_poll: Duration::from_secs(10),
            lease: LeaseConfig {
                enabled: true,
                namespace: "kube-system".to_string(),
                name: "gantry-leader".to_string(),
                identity: "gantry".to_string(),
                duration: Duration::from_secs(15),
                renew_every: Duration::from_secs(5),
                retry_every: Duration::from_secs(2),
            },
            tiered: true,
            admin_addr: None,
        }
    }

    /// Controller names whose status entries this process owns.
    pub fn controller_names(&self) -> Vec<&'static str> {
        self.enabled().iter().map(|k| k.controller_name()).collect()
    }

    pub fn enabled(&self) -> &BTreeSet<LbKind> {
        &self.translate.enabled
    }
}
