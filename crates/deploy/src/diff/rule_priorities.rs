//! The priorities of a rule plan: which priority a rule moves to, batched into
//! `SetRulePriorities` calls; in [`PriorityMode::Strict`] only to priorities free before the
//! call, parking rules above the used range and moving them back at the end.

use super::{Batch, Planner, PriorityMode, RuleCall, RuleRef, Slot};
use std::collections::BTreeSet;

impl Planner<'_> {
    pub(super) fn open_batch(&mut self) {
        if self.batch.is_none() {
            self.batch = Some(Batch {
                start: self
                    .state
                    .iter()
                    .map(|s| (s.rule.clone(), s.priority))
                    .collect(),
                occupied: self.state.iter().map(|s| s.priority).collect(),
            });
        }
    }

    pub(super) fn flush(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let changes: Vec<(RuleRef, u32)> = self
            .state
            .iter()
            .filter(|s| batch.start.get(&s.rule) != Some(&s.priority))
            .map(|s| (s.rule.clone(), s.priority))
            .collect();
        if !changes.is_empty() {
            self.calls.push(RuleCall::SetPriorities(changes));
        }
    }

    /// Whether `rule` may be moved to `priority` within the open batch.
    pub(super) fn allowed(&self, rule: &RuleRef, priority: u32) -> bool {
        match (&self.batch, self.mode) {
            (Some(b), PriorityMode::Strict) => {
                !b.occupied.contains(&priority) || b.start.get(rule) == Some(&priority)
            }
            _ => true,
        }
    }

    /// A priority for the rule going to position `k` (already there, unless `inserting`),
    /// between its predecessor and successor, shifting the rules after it up when there is no
    /// room. Shifts go into the open batch (opened here when needed).
    pub(super) fn target(&mut self, k: usize, wanted: u32, inserting: bool) -> u32 {
        let prev = if k == 0 {
            0
        } else {
            self.state[k - 1].priority
        };
        let next_index = if inserting { k } else { k + 1 };
        let rule = if inserting {
            RuleRef::Created(usize::MAX)
        } else {
            self.state[k].rule.clone()
        };
        let preferred = wanted.max(prev + 1);
        for _ in 0..2 {
            let next = self.state.get(next_index).map_or(u32::MAX, |s| s.priority);
            let candidates = [preferred, prev + 1, next.saturating_sub(1)]
                .into_iter()
                .chain(prev + 1..next.min(prev + 1 + 64));
            if let Some(p) = candidates
                .filter(|&p| p > prev && p < next)
                .find(|&p| inserting || self.allowed(&rule, p))
            {
                return p;
            }
            self.open_batch();
            self.shift_tail(next_index, preferred + 1);
        }
        unreachable!("a shifted tail leaves room")
    }

    /// Moves the rules from `from` on up, keeping their order, so that the first one is at
    /// `min` or above.
    pub(super) fn shift_tail(&mut self, from: usize, min: u32) {
        match self.mode {
            PriorityMode::Atomic => {
                let mut last = min - 1;
                for s in &mut self.state[from..] {
                    s.priority = s.priority.max(last + 1);
                    last = s.priority;
                }
            }
            PriorityMode::Strict => {
                // Park above everything in use, so that the targets are free before the call
                // and the final renumbering (≤ the highest wanted priority) won't collide.
                let batch = self.batch.as_ref().expect("shift within a batch");
                let top = [
                    batch.occupied.last().copied().unwrap_or(0),
                    self.state.iter().map(|s| s.priority).max().unwrap_or(0),
                    self.wanted.iter().map(|w| w.priority).max().unwrap_or(0),
                    min,
                ]
                .into_iter()
                .max()
                .unwrap_or(0);
                for (i, s) in self.state[from..].iter_mut().enumerate() {
                    s.priority = top + 2 + i as u32;
                }
            }
        }
    }

    /// Final renumbering to the wanted priorities; order-preserving, so it can't misroute.
    pub(super) fn normalize(&mut self) {
        let wanted_priority =
            |s: &Slot| self.wanted[s.wanted.expect("only wanted rules remain")].priority;
        let targets: Vec<u32> = self.state.iter().map(wanted_priority).collect();
        match self.mode {
            PriorityMode::Atomic => {
                self.open_batch();
                for (s, t) in self.state.iter_mut().zip(&targets) {
                    s.priority = *t;
                }
                self.flush();
            }
            PriorityMode::Strict => {
                for _ in 0..=self.state.len() {
                    self.open_batch();
                    let occupied: BTreeSet<u32> = self.state.iter().map(|s| s.priority).collect();
                    let mut moved = false;
                    let n = self.state.len();
                    for i in (0..n).chain((0..n).rev()) {
                        let t = targets[i];
                        if self.state[i].priority == t || occupied.contains(&t) {
                            continue;
                        }
                        let lower = i.checked_sub(1).map_or(0, |p| self.state[p].priority);
                        let upper = self.state.get(i + 1).map_or(u32::MAX, |s| s.priority);
                        if lower < t && t < upper {
                            self.state[i].priority = t;
                            moved = true;
                        }
                    }
                    self.flush();
                    if !moved {
                        break;
                    }
                }
            }
        }
    }
}
