//! Listener rule conditions between the model and the ELBv2 SDK.

use aws_sdk_elasticloadbalancingv2::types as sdk;
use gantry_model::{
    ConditionField, HttpHeaderConfig, QueryStringConfig, QueryStringKeyValue, RuleCondition,
    ValuesConfig,
};

/// A list AWS takes as absent when empty.
fn non_empty(list: &[String]) -> Option<Vec<String>> {
    (!list.is_empty()).then(|| list.to_vec())
}

pub fn to_sdk_condition(c: &RuleCondition) -> sdk::RuleCondition {
    sdk::RuleCondition::builder()
        .field(c.field.as_str())
        .set_host_header_config(c.host_header_config.as_ref().map(|v| {
            sdk::HostHeaderConditionConfig::builder()
                .set_values(non_empty(&v.values))
                .set_regex_values(non_empty(&v.regex_values))
                .build()
        }))
        .set_path_pattern_config(c.path_pattern_config.as_ref().map(|v| {
            sdk::PathPatternConditionConfig::builder()
                .set_values(non_empty(&v.values))
                .set_regex_values(non_empty(&v.regex_values))
                .build()
        }))
        .set_http_header_config(c.http_header_config.as_ref().map(|h| {
            sdk::HttpHeaderConditionConfig::builder()
                .http_header_name(&h.http_header_name)
                .set_values(non_empty(&h.header_values.values))
                .set_regex_values(non_empty(&h.header_values.regex_values))
                .build()
        }))
        .set_query_string_config(c.query_string_config.as_ref().map(|q| {
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
                .build()
        }))
        .set_http_request_method_config(c.http_request_method_config.as_ref().map(|v| {
            sdk::HttpRequestMethodConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build()
        }))
        .set_source_ip_config(c.source_ip_config.as_ref().map(|v| {
            sdk::SourceIpConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build()
        }))
        .build()
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
            header_values: vals(&h.values, &h.regex_values),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of condition reaches AWS and reads back as it was written.
    #[test]
    fn conditions_read_back_as_written() {
        let written = [
            RuleCondition::host_header(vec!["a.example.com".into(), "*.b.example.com".into()]),
            RuleCondition::path_pattern(vec!["/api/*".into()]),
            RuleCondition::path_regex("^/v[0-9]+/".into()),
            RuleCondition::http_header("x-env".into(), vec!["canary".into()], vec![]),
            RuleCondition::http_header("x-id".into(), vec![], vec!["^[a-f0-9]+$".into()]),
            RuleCondition::query_string("tier".into(), "gold".into()),
            RuleCondition::http_request_method("POST".into()),
            RuleCondition::source_ip(vec!["10.0.0.0/8".into()]),
        ];
        for condition in written {
            let sent = to_sdk_condition(&condition);
            assert_eq!(from_sdk_condition(&sent), Some(condition));
        }
    }

    /// The header name and its values travel together in one `HttpHeaderConfig`.
    #[test]
    fn a_header_condition_sends_its_name_beside_its_values() {
        let sent = to_sdk_condition(&RuleCondition::http_header(
            "x-env".into(),
            vec!["canary".into(), "beta".into()],
            vec![],
        ));
        let config = sent.http_header_config.expect("header config");
        assert_eq!(config.http_header_name(), Some("x-env"));
        assert_eq!(config.values(), ["canary", "beta"]);
        assert!(config.regex_values.is_none(), "an empty list is not sent");
    }
}
