//! Listener rule conditions between the model and the ELBv2 SDK.

use aws_sdk_elasticloadbalancingv2::types as sdk;
use gantry_model::{
    ConditionField, HttpHeaderConfig, QueryStringConfig, QueryStringKeyValue, RuleCondition,
    ValuesConfig,
};

fn values_config(v: &ValuesConfig) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let opt = |l: &Vec<String>| (!l.is_empty()).then(|| l.clone());
    (opt(&v.values), opt(&v.regex_values))
}

pub fn to_sdk_condition(c: &RuleCondition) -> sdk::RuleCondition {
    let mut b = sdk::RuleCondition::builder().field(c.field.as_str());
    if let Some(v) = &c.host_header_config {
        let (values, regex) = values_config(v);
        b = b.host_header_config(
            sdk::HostHeaderConditionConfig::builder()
                .set_values(values)
                .set_regex_values(regex)
                .build(),
        );
    }
    if let Some(v) = &c.path_pattern_config {
        let (values, regex) = values_config(v);
        b = b.path_pattern_config(
            sdk::PathPatternConditionConfig::builder()
                .set_values(values)
                .set_regex_values(regex)
                .build(),
        );
    }
    if let Some(h) = &c.http_header_config {
        b = b.http_header_config(
            sdk::HttpHeaderConditionConfig::builder()
                .http_header_name(&h.http_header_name)
                .set_values((!h.values.is_empty()).then(|| h.values.clone()))
                .set_regex_values((!h.regex_values.is_empty()).then(|| h.regex_values.clone()))
                .build(),
        );
    }
    if let Some(q) = &c.query_string_config {
        b = b.query_string_config(
            sdk::QueryStringConditionConfig::builder()
                .set_values(Some(
                    q.values
                        .iter()
                        .map(|kv| {
                            sdk::QueryStringKeyValuePair::builder()
                                .set_key(kv.key.clone())
                                .value(&kv.value)
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        );
    }
    if let Some(v) = &c.http_request_method_config {
        b = b.http_request_method_config(
            sdk::HttpRequestMethodConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build(),
        );
    }
    if let Some(v) = &c.source_ip_config {
        b = b.source_ip_config(
            sdk::SourceIpConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build(),
        );
    }
    b.build()
}

pub fn from_sdk_condition(c: &sdk::RuleCondition) -> Option<RuleCondition> {
    let field = match c.field.as_deref()? {
        "host-header" => ConditionField::HostHeader,
        "path-pattern" => ConditionField::PathPattern,
        "http-header" => ConditionField::HttpHeader,
        "query-string" => ConditionField::QueryString,
        "http-request-method" => ConditionField::HttpRequestMethod,
        "source-ip" => ConditionField::SourceIp,
        _ => return None,
    };
    let vals = |values: &Option<Vec<String>>, regex: &Option<Vec<String>>| ValuesConfig {
        values: values.clone().unwrap_or_default(),
        regex_values: regex.clone().unwrap_or_default(),
    };
    // The legacy top-level `Values` stands in for a missing config.
    let legacy = ValuesConfig {
        values: c.values.clone().unwrap_or_default(),
        regex_values: c.regex_values.clone().unwrap_or_default(),
    };
    let pick = |config: Option<ValuesConfig>, this: ConditionField| {
        if field != this {
            return config;
        }
        config
            .filter(|v| !v.values.is_empty() || !v.regex_values.is_empty())
            .or(Some(legacy.clone()))
    };
    Some(RuleCondition {
        field,
        host_header_config: pick(
            c.host_header_config
                .as_ref()
                .map(|v| vals(&v.values, &v.regex_values)),
            ConditionField::HostHeader,
        ),
        path_pattern_config: pick(
            c.path_pattern_config
                .as_ref()
                .map(|v| vals(&v.values, &v.regex_values)),
            ConditionField::PathPattern,
        ),
        http_header_config: c.http_header_config.as_ref().map(|h| HttpHeaderConfig {
            http_header_name: h.http_header_name.clone().unwrap_or_default(),
            values: h.values.clone().unwrap_or_default(),
            regex_values: h.regex_values.clone().unwrap_or_default(),
        }),
        query_string_config: c.query_string_config.as_ref().map(|q| QueryStringConfig {
            values: q
                .values
                .iter()
                .flatten()
                .map(|kv| QueryStringKeyValue {
                    key: kv.key.clone(),
                    value: kv.value.clone().unwrap_or_default(),
                })
                .collect(),
        }),
        http_request_method_config: pick(
            c.http_request_method_config
                .as_ref()
                .map(|v| vals(&v.values, &None)),
            ConditionField::HttpRequestMethod,
        ),
        source_ip_config: pick(
            c.source_ip_config.as_ref().map(|v| vals(&v.values, &None)),
            ConditionField::SourceIp,
        ),
    })
}
