use serde::{Deserialize, Serialize};

/// One condition of an ALB listener rule, shaped as the ELBv2 `RuleCondition`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleCondition {
    pub field: ConditionField,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_header_config: Option<ValuesConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_pattern_config: Option<ValuesConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_header_config: Option<HttpHeaderConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_string_config: Option<QueryStringConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request_method_config: Option<ValuesConfig>,
    #[serde(
        rename = "SourceIpConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_ip_config: Option<ValuesConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConditionField {
    HostHeader,
    PathPattern,
    HttpHeader,
    QueryString,
    HttpRequestMethod,
    SourceIp,
}

impl ConditionField {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionField::HostHeader => "host-header",
            ConditionField::PathPattern => "path-pattern",
            ConditionField::HttpHeader => "http-header",
            ConditionField::QueryString => "query-string",
            ConditionField::HttpRequestMethod => "http-request-method",
            ConditionField::SourceIp => "source-ip",
        }
    }
}

/// `Values` (wildcard patterns) or `RegexValues` of a condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValuesConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regex_values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HttpHeaderConfig {
    pub http_header_name: String,
    /// `Values` and `RegexValues`, beside the name as in the API.
    #[serde(flatten)]
    pub header_values: ValuesConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryStringConfig {
    pub values: Vec<QueryStringKeyValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryStringKeyValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub value: String,
}

impl ValuesConfig {
    /// Wildcard patterns only.
    pub fn patterns(values: Vec<String>) -> Self {
        ValuesConfig {
            values,
            regex_values: vec![],
        }
    }

    /// Regular expressions only.
    pub fn regexes(regex_values: Vec<String>) -> Self {
        ValuesConfig {
            values: vec![],
            regex_values,
        }
    }
}

impl RuleCondition {
    fn empty(field: ConditionField) -> Self {
        RuleCondition {
            field,
            host_header_config: None,
            path_pattern_config: None,
            http_header_config: None,
            query_string_config: None,
            http_request_method_config: None,
            source_ip_config: None,
        }
    }

    pub fn host_header(values: Vec<String>) -> Self {
        RuleCondition {
            host_header_config: Some(ValuesConfig::patterns(values)),
            ..Self::empty(ConditionField::HostHeader)
        }
    }

    pub fn path_pattern(values: Vec<String>) -> Self {
        RuleCondition {
            path_pattern_config: Some(ValuesConfig::patterns(values)),
            ..Self::empty(ConditionField::PathPattern)
        }
    }

    pub fn path_regex(regex: String) -> Self {
        RuleCondition {
            path_pattern_config: Some(ValuesConfig::regexes(vec![regex])),
            ..Self::empty(ConditionField::PathPattern)
        }
    }

    pub fn http_header(name: String, values: Vec<String>, regex_values: Vec<String>) -> Self {
        RuleCondition {
            http_header_config: Some(HttpHeaderConfig {
                http_header_name: name,
                header_values: ValuesConfig {
                    values,
                    regex_values,
                },
            }),
            ..Self::empty(ConditionField::HttpHeader)
        }
    }

    pub fn query_string(key: String, value: String) -> Self {
        RuleCondition {
            query_string_config: Some(QueryStringConfig {
                values: vec![QueryStringKeyValue {
                    key: Some(key),
                    value,
                }],
            }),
            ..Self::empty(ConditionField::QueryString)
        }
    }

    pub fn http_request_method(method: String) -> Self {
        RuleCondition {
            http_request_method_config: Some(ValuesConfig::patterns(vec![method])),
            ..Self::empty(ConditionField::HttpRequestMethod)
        }
    }

    pub fn source_ip(cidrs: Vec<String>) -> Self {
        RuleCondition {
            source_ip_config: Some(ValuesConfig::patterns(cidrs)),
            ..Self::empty(ConditionField::SourceIp)
        }
    }

    /// The values this condition matches against: each one is a "match evaluation" in the
    /// ALB quota sense. Not collected: quota checks run this for every candidate rule.
    pub fn evaluations(&self) -> impl Iterator<Item = &str> {
        let listed = self
            .value_lists()
            .flat_map(|v| v.values.iter().chain(&v.regex_values));
        let queried = self
            .query_string_config
            .iter()
            .flat_map(|q| q.values.iter().map(|kv| &kv.value));
        listed.chain(queried).map(String::as_str)
    }

    /// Every `Values`/`RegexValues` pair of the condition: host, path, method, source IP,
    /// then header (the query string's key/value pairs are not such a pair).
    pub fn value_lists(&self) -> impl Iterator<Item = &ValuesConfig> {
        [
            &self.host_header_config,
            &self.path_pattern_config,
            &self.http_request_method_config,
            &self.source_ip_config,
        ]
        .into_iter()
        .flatten()
        .chain(self.http_header_config.iter().map(|h| &h.header_values))
    }

    /// [`RuleCondition::value_lists`], to change in place.
    pub fn value_lists_mut(&mut self) -> impl Iterator<Item = &mut ValuesConfig> {
        [
            &mut self.host_header_config,
            &mut self.path_pattern_config,
            &mut self.http_request_method_config,
            &mut self.source_ip_config,
        ]
        .into_iter()
        .flatten()
        .chain(
            self.http_header_config
                .iter_mut()
                .map(|h| &mut h.header_values),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_value_and_regex_is_an_evaluation_but_header_names_and_query_keys_are_not() {
        let header =
            RuleCondition::http_header("x-a".into(), strings(&["1", "2"]), strings(&["^3$"]));
        assert_eq!(header.evaluations().collect::<Vec<_>>(), ["1", "2", "^3$"]);
        let query = RuleCondition::query_string("q".into(), "v".into());
        assert_eq!(query.evaluations().collect::<Vec<_>>(), ["v"]);
        let hosts = RuleCondition::host_header(strings(&["a.example.com", "*.example.com"]));
        assert_eq!(hosts.evaluations().count(), 2);
        assert_eq!(
            RuleCondition::path_regex("^/p$".into())
                .evaluations()
                .collect::<Vec<_>>(),
            ["^/p$"]
        );
    }

    #[test]
    fn a_header_condition_keeps_the_api_shape() {
        let header = RuleCondition::http_header("x-a".into(), strings(&["1"]), vec![]);
        assert_eq!(
            serde_json::to_value(&header).unwrap(),
            serde_json::json!({"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "x-a", "Values": ["1"]}})
        );
        let back: RuleCondition =
            serde_json::from_value(serde_json::to_value(&header).unwrap()).unwrap();
        assert_eq!(back, header);
    }
}
