//! What validation needs from each node kind ([`crate::kinds`] implements it per kind): its
//! rules, by what they look at. Every method has a default with no rules, so a kind lists
//! only what it checks.

use super::Diagnostic;
use super::context::Ctx;
use super::run::{MemoStepRule, Rule, StepRule, WorkerRule};

/// A node kind's rules.
pub(crate) trait KindRules {
    /// Rules over the whole design about this kind, run together as one job.
    fn design_rules(&self) -> &'static [Rule] {
        &[]
    }

    /// Rules over each Worker (its routes and handlers).
    fn worker_rules(&self) -> &'static [WorkerRule] {
        &[]
    }

    /// Rules over each handler step.
    fn step_rules(&self) -> &'static [StepRule] {
        &[]
    }

    /// Rules over each handler step that remember what they worked out per SQL text.
    fn memo_step_rules(&self) -> &'static [MemoStepRule] {
        &[]
    }

    /// Rules over the whole design that rely on the Worker pass, run after it.
    fn after_worker_rules(&self) -> &'static [Rule] {
        &[]
    }

    /// Whether the kind prepares something before the rules run (see [`Self::prepare`]).
    fn prepares(&self) -> bool {
        false
    }

    /// How many preparation jobs a run of `ctx` needs from this kind.
    fn prepare_jobs(&self, _ctx: &Ctx<'_>) -> usize {
        0
    }

    /// Preparation job `index` (D1: rebuild database `index` in SQLite for the step rules).
    fn prepare(&self, _ctx: &Ctx<'_>, _index: usize, _out: &mut Vec<Diagnostic>) {}
}
