//! Listener rule planning: the calls that turn a listener's rules into the wanted ones without
//! ever sending a request to the wrong place.
//!
//! Safety contract: after every single call, each request is routed the way the old rule set
//! routes it or the way the new one does, never elsewhere (in particular never to the default
//! action, when old and new both have a rule for it). Contents are compared, not ARNs: a rule
//! whose conditions and actions are wanted stays and is at most reprioritised; it is never
//! deleted and created again.
//!
//! The plan walks the wanted list front to back. After step k the listener holds the first k
//! wanted rules in order, followed by the remaining old rules in their old order. Every such
//! state is safe: a request matching one of the first k wanted rules goes where the new set
//! sends it, and any other request goes where the old set sends it. A wanted rule is brought
//! into place by moving its identical old rule (`SetRulePriorities`, batched), by rewriting an
//! old rule that is going away in place (`ModifyRule`, only when [`Planner::safe`] proves the
//! result safe), or by creating it. Old rules nobody wants are deleted at the end, back to
//! front, which only ever sends their requests to the default action the new set uses too.
//! Rules that are proven not to overlap ([`super::overlap`]) don't constrain each other, which
//! is what lets a content change or a weight change be a single `ModifyRule`.
//!
//! Priorities: [`PriorityMode::Atomic`] relies on AWS checking `SetRulePriorities` against the
//! final state (so a reorder is one call); [`PriorityMode::Strict`] only moves rules to
//! priorities that are free before the call (what the moto emulator accepts), at the price of
//! parking rules above the used range and a final call that moves them back.

use super::content::RuleContent;
use super::overlap::may_overlap;
use std::collections::{BTreeMap, BTreeSet};

/// How `SetRulePriorities` treats priorities that are in use when the call starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriorityMode {
    /// Only the final state must be free of conflicts (AWS's documented behaviour).
    Atomic,
    /// Every target priority must be free before the call.
    Strict,
}

/// A rule that exists on the listener.
#[derive(Clone, Debug)]
pub struct ExistingRule {
    pub arn: String,
    pub priority: u32,
    pub content: RuleContent,
}

/// A rule the plan wants, at its wanted priority.
#[derive(Clone, Debug)]
pub struct WantedRule {
    pub priority: u32,
    pub content: RuleContent,
}

/// A rule named in a call: one that exists, or the one created for `wanted[i]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleRef {
    Existing(String),
    Created(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleCall {
    /// One `SetRulePriorities` call.
    SetPriorities(Vec<(RuleRef, u32)>),
    /// `ModifyRule`: give the existing rule the conditions, actions and transforms of `wanted`.
    Modify {
        arn: String,
        wanted: usize,
    },
    Create {
        wanted: usize,
        priority: u32,
    },
    Delete {
        arn: String,
    },
}

/// The calls, and which existing rules end up as which wanted rule (for their tags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePlan {
    pub calls: Vec<RuleCall>,
    /// `(arn, wanted index)` of every existing rule that stays.
    pub kept: Vec<(String, usize)>,
}

/// The calls that turn `existing` into `wanted`, in order. `existing` may be in any order.
pub fn plan(existing: &[ExistingRule], wanted: &[WantedRule], mode: PriorityMode) -> RulePlan {
    let mut existing: Vec<&ExistingRule> = existing.iter().collect();
    existing.sort_by_key(|r| r.priority);
    let mut wanted_sorted: Vec<usize> = (0..wanted.len()).collect();
    wanted_sorted.sort_by_key(|&j| wanted[j].priority);
    Planner::new(&existing, wanted, &wanted_sorted, mode).run()
}

#[derive(Clone, Debug)]
struct Slot {
    rule: RuleRef,
    content: usize,
    priority: u32,
    /// The wanted rule this slot is (or will be once in place); None for rules going away.
    wanted: Option<usize>,
}

struct Batch {
    start: BTreeMap<RuleRef, u32>,
    occupied: BTreeSet<u32>,
}

struct Planner<'a> {
    mode: PriorityMode,
    wanted: &'a [WantedRule],
    /// Wanted indexes in list (priority) order.
    order: &'a [usize],
    overlap: Vec<Vec<bool>>,
    /// First position of each content id in the old / new list.
    pos_old: BTreeMap<usize, usize>,
    pos_new: BTreeMap<usize, usize>,
    old: Vec<usize>,
    new: Vec<usize>,
    state: Vec<Slot>,
    calls: Vec<RuleCall>,
    batch: Option<Batch>,
}

impl<'a> Planner<'a> {
    fn new(
        existing: &[&'a ExistingRule],
        wanted: &'a [WantedRule],
        order: &'a [usize],
        mode: PriorityMode,
    ) -> Self {
        let mut contents: Vec<&'a RuleContent> = Vec::new();
        let mut intern = |c: &'a RuleContent| match contents.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                contents.push(c);
                contents.len() - 1
            }
        };
        let old: Vec<usize> = existing.iter().map(|r| intern(&r.content)).collect();
        let new: Vec<usize> = order.iter().map(|&j| intern(&wanted[j].content)).collect();
        let overlap = (0..contents.len())
            .map(|a| {
                (0..contents.len())
                    .map(|b| {
                        a == b || may_overlap(&contents[a].conditions, &contents[b].conditions)
                    })
                    .collect()
            })
            .collect();
        let first_positions = |list: &[usize]| {
            let mut m = BTreeMap::new();
            for (i, c) in list.iter().enumerate() {
                m.entry(*c).or_insert(i);
            }
            m
        };
        // Match wanted rules to identical existing ones, preferring the same priority.
        let mut taken = vec![false; existing.len()];
        let mut owner: Vec<Option<usize>> = vec![None; existing.len()];
        for same_priority in [true, false] {
            for (n, &j) in order.iter().enumerate() {
                if owner.contains(&Some(j)) {
                    continue;
                }
                let hit = (0..existing.len()).find(|&i| {
                    !taken[i]
                        && old[i] == new[n]
                        && (!same_priority || existing[i].priority == wanted[j].priority)
                });
                if let Some(i) = hit {
                    taken[i] = true;
                    owner[i] = Some(j);
                }
            }
        }
        let state = existing
            .iter()
            .enumerate()
            .map(|(i, r)| Slot {
                rule: RuleRef::Existing(r.arn.clone()),
                content: old[i],
                priority: r.priority,
                wanted: owner[i],
            })
            .collect();
        Planner {
            mode,
            wanted,
            order,
            pos_old: first_positions(&old),
            pos_new: first_positions(&new),
            overlap,
            old,
            new,
            state,
            calls: Vec::new(),
            batch: None,
        }
    }

    fn run(mut self) -> RulePlan {
        self.delete_early();
        let mut k = 0;
        for n in 0..self.order.len() {
            let j = self.order[n];
            if let Some(pos) = self.state.iter().position(|s| s.wanted == Some(j)) {
                if pos != k {
                    let slot = self.state.remove(pos);
                    self.state.insert(k, slot);
                    self.open_batch();
                    let target = self.target(k, self.wanted[j].priority, false);
                    self.state[k].priority = target;
                }
            } else if self.can_modify_head(k, n) {
                self.flush();
                let Slot { rule, .. } = &self.state[k];
                let RuleRef::Existing(arn) = rule else {
                    unreachable!("only existing rules go away")
                };
                self.calls.push(RuleCall::Modify {
                    arn: arn.clone(),
                    wanted: j,
                });
                self.state[k].content = self.new[n];
                self.state[k].wanted = Some(j);
            } else {
                let target = self.target(k, self.wanted[j].priority, true);
                self.flush();
                self.calls.push(RuleCall::Create {
                    wanted: j,
                    priority: target,
                });
                self.state.insert(
                    k,
                    Slot {
                        rule: RuleRef::Created(j),
                        content: self.new[n],
                        priority: target,
                        wanted: Some(j),
                    },
                );
            }
            k += 1;
        }
        self.flush();
        while self.state.len() > k {
            let slot = self.state.pop().expect("len > k");
            if let RuleRef::Existing(arn) = slot.rule {
                self.calls.push(RuleCall::Delete { arn });
            }
        }
        self.normalize();
        let kept = self
            .state
            .iter()
            .filter_map(|s| match (&s.rule, s.wanted) {
                (RuleRef::Existing(arn), Some(j)) => Some((arn.clone(), j)),
                _ => None,
            })
            .collect();
        RulePlan {
            calls: self.calls,
            kept,
        }
    }

    /// Deletes rules nobody wants before the walk when that alone is safe (typically: a rule
    /// removed from the middle, with nothing new to create).
    fn delete_early(&mut self) {
        for i in (0..self.state.len()).rev() {
            if self.state[i].wanted.is_some() {
                continue;
            }
            let mut candidate: Vec<usize> = self.state.iter().map(|s| s.content).collect();
            candidate.remove(i);
            if self.safe(&candidate) {
                let slot = self.state.remove(i);
                if let RuleRef::Existing(arn) = slot.rule {
                    self.calls.push(RuleCall::Delete { arn });
                }
            }
        }
    }

    fn can_modify_head(&self, k: usize, n: usize) -> bool {
        let Some(head) = self.state.get(k) else {
            return false;
        };
        if head.wanted.is_some() {
            return false;
        }
        let mut candidate: Vec<usize> = self.state.iter().map(|s| s.content).collect();
        candidate[k] = self.new[n];
        self.safe(&candidate)
    }

    /// Whether a listener holding `list` (content ids, in priority order) routes every request
    /// like the old or the new rule set, assuming any rules may overlap unless proven disjoint.
    fn safe(&self, list: &[usize]) -> bool {
        let ov = |a: usize, b: usize| self.overlap[a][b];
        for (i, &x) in list.iter().enumerate() {
            let before = &list[..i];
            // Rules that outrank x in a set but not on the listener, and can match with it.
            let witnesses = |set: &[usize], pos: &BTreeMap<usize, usize>| -> Option<Vec<usize>> {
                match pos.get(&x) {
                    None => Some(Vec::new()),
                    Some(&px) => {
                        let w: Vec<usize> = set[..px]
                            .iter()
                            .copied()
                            .filter(|y| !before.contains(y) && ov(x, *y))
                            .collect();
                        (!w.is_empty()).then_some(w)
                    }
                }
            };
            let (Some(ys), Some(zs)) = (
                witnesses(&self.old, &self.pos_old),
                witnesses(&self.new, &self.pos_new),
            ) else {
                continue;
            };
            // x wins although neither set lets it: needs one request matching x, y and z.
            let bad = match (ys.is_empty(), zs.is_empty()) {
                (true, _) | (_, true) => true,
                _ => ys.iter().any(|&y| zs.iter().any(|&z| y == z || ov(y, z))),
            };
            if bad {
                return false;
            }
        }
        // A request that matches no rule on the listener but an old one and a new one.
        let missing = |set: &[usize]| -> Vec<usize> {
            set.iter().copied().filter(|c| !list.contains(c)).collect()
        };
        let (gone, absent) = (missing(&self.old), missing(&self.new));
        !gone
            .iter()
            .any(|&y| absent.iter().any(|&z| y == z || ov(y, z)))
    }
}

// Priority moves: batches of `SetRulePriorities`, parking and normalizing.
#[path = "rule_priorities.rs"]
mod priorities;

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
