//! Counts every AWS call by service and operation, with an SDK interceptor.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Calls per `(service, operation)`; a call retried by the SDK counts once, its attempts are
/// counted separately.
#[derive(Clone, Debug, Default)]
pub struct CallCounter {
    inner: Arc<Mutex<Counts>>,
}

#[derive(Debug, Default)]
struct Counts {
    calls: BTreeMap<(String, String), u64>,
    attempts: u64,
}

impl CallCounter {
    pub fn counts(&self) -> BTreeMap<(String, String), u64> {
        self.lock().calls.clone()
    }

    /// Calls that change something in AWS.
    pub fn mutating(&self) -> u64 {
        self.lock()
            .calls
            .iter()
            .filter(|((_, op), _)| is_mutating(op))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn total(&self) -> u64 {
        self.lock().calls.values().sum()
    }

    /// HTTP attempts, retries included.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A poisoned lock only means another thread panicked while counting; the counts are
        // still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether an ELBv2 or EC2 operation changes anything.
pub fn is_mutating(operation: &str) -> bool {
    !["Describe", "Get", "List"]
        .iter()
        .any(|p| operation.starts_with(p))
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "gantry::CallCounter"
    }

    // Once per call, after the operation's configuration (which holds its name) is loaded.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            *self
                .lock()
                .calls
                .entry((m.service().to_string(), m.name().to_string()))
                .or_default() += 1;
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.lock().attempts += 1;
        Ok(())
    }
}
