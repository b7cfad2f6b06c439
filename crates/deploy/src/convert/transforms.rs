//! Listener rule transforms (host header and URL rewrites) between the model and the ELBv2 SDK.

use aws_sdk_elasticloadbalancingv2::types as sdk;
use gantry_model::{Rewrite, RewriteConfig, Transform};

pub fn to_sdk_transform(t: &Transform) -> sdk::RuleTransform {
    let rewrites = |r: &RewriteConfig| -> Vec<sdk::RewriteConfig> {
        r.rewrites
            .iter()
            .map(|x| {
                sdk::RewriteConfig::builder()
                    .regex(&x.regex)
                    .replace(&x.replace)
                    .build()
            })
            .collect()
    };
    sdk::RuleTransform::builder()
        .r#type(sdk::TransformTypeEnum::from(t.kind.as_str()))
        .set_host_header_rewrite_config(t.host_header_rewrite_config.as_ref().map(|r| {
            sdk::HostHeaderRewriteConfig::builder()
                .set_rewrites(Some(rewrites(r)))
                .build()
        }))
        .set_url_rewrite_config(t.url_rewrite_config.as_ref().map(|r| {
            sdk::UrlRewriteConfig::builder()
                .set_rewrites(Some(rewrites(r)))
                .build()
        }))
        .build()
}

pub fn from_sdk_transform(t: &sdk::RuleTransform) -> Transform {
    let rewrites = |r: &Option<Vec<sdk::RewriteConfig>>| RewriteConfig {
        rewrites: r
            .iter()
            .flatten()
            .map(|x| Rewrite {
                regex: x.regex.clone().unwrap_or_default(),
                replace: x.replace.clone().unwrap_or_default(),
            })
            .collect(),
    };
    Transform {
        kind: t
            .r#type
            .as_ref()
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        host_header_rewrite_config: t
            .host_header_rewrite_config
            .as_ref()
            .map(|r| rewrites(&r.rewrites)),
        url_rewrite_config: t.url_rewrite_config.as_ref().map(|r| rewrites(&r.rewrites)),
    }
}
