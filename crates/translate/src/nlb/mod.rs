//! Network Load Balancer (filled in by the NLB translation work).

use crate::gateway::Context;
use gantry_model::Stack;

pub fn build(ctx: &mut Context<'_>) -> Option<Stack> {
    let _ = ctx;
    None
}
