//! Conversions between the model's plain data and the SDK's types.

pub mod actions;
pub mod conditions;
pub mod transforms;

use aws_sdk_ec2::types as ec2;
use aws_sdk_elasticloadbalancingv2::types as elb;
use gantry_model::{Protocol, Tags};

/// The model's attributes as a list of one of the ELB API's attribute types (load balancer,
/// listener, target group: three types of the same key/value shape).
macro_rules! elb_attributes {
    ($ty:ty, $attributes:expr) => {
        $attributes
            .iter()
            .map(|a| <$ty>::builder().key(&a.key).value(&a.value).build())
            .collect::<Vec<_>>()
    };
}
pub(crate) use elb_attributes;

pub fn tags_from_elb(list: &[elb::Tag]) -> Tags {
    list.iter().map(|t| tag_pair(&t.key, &t.value)).collect()
}

pub fn tags_to_elb(tags: &Tags) -> Vec<elb::Tag> {
    tags.0
        .iter()
        .map(|(k, v)| elb::Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn tags_from_ec2(list: &[ec2::Tag]) -> Tags {
    list.iter().map(|t| tag_pair(&t.key, &t.value)).collect()
}

/// One tag of the ELB or EC2 API as a pair; a missing key or value reads as empty.
fn tag_pair(key: &Option<String>, value: &Option<String>) -> (String, String) {
    let read = |s: &Option<String>| s.clone().unwrap_or_default();
    (read(key), read(value))
}

pub fn tags_to_ec2(tags: &Tags) -> Vec<ec2::Tag> {
    tags.0
        .iter()
        .map(|(k, v)| ec2::Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn protocol(p: Option<&elb::ProtocolEnum>) -> Option<Protocol> {
    p.and_then(|p| Protocol::parse(p.as_str()))
}

pub fn to_sdk_protocol(p: Protocol) -> elb::ProtocolEnum {
    elb::ProtocolEnum::from(p.as_str())
}
