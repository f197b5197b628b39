//! Running the rules: which rules there are (the generic ones here, each kind's from the
//! registry through [`super::KindRules`]) and how a run shares them among threads as jobs.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use crate::kinds::{NodeKindDef, REGISTRY};
use crate::model::Design;

use super::{
    Diagnostic, Diagnostics, context, contracts, exposure, handlers, names, secrets, topology,
    wires,
};

/// A rule over the whole design.
pub(crate) type Rule = fn(&context::Ctx<'_>, &mut Vec<Diagnostic>);

/// A rule over one Worker (its routes and handlers).
pub(crate) type WorkerRule =
    fn(&context::Ctx<'_>, &context::WorkerAt<'_, '_>, &mut Vec<Diagnostic>);

/// A rule over one handler step.
pub(crate) type StepRule =
    for<'a, 'p> fn(&context::Ctx<'a>, &context::StepAt<'a, 'p>, &mut Vec<Diagnostic>);

/// A rule over one handler step, with the thread's memo.
pub(crate) type MemoStepRule = for<'a, 'p> fn(
    &context::Ctx<'a>,
    &context::StepAt<'a, 'p>,
    &mut context::Memo<'a>,
    &mut Vec<Diagnostic>,
);

/// Rules over the whole design that no kind owns, by theme, in groups that run as one job
/// each (beside the Worker pass on large designs). The topology group shares the petgraph
/// view, built by its first rule. Each kind's design rules are a group of their own.
const RULE_GROUPS: &[&[Rule]] = &[
    &[
        topology::service_cycles,
        topology::unreachable_nodes,
        topology::public_entry,
        topology::call_chain_length,
        exposure::internal_with_domain,
        exposure::gateway_bypass,
    ],
    &[
        wires::wire_kinds,
        wires::binding_presence,
        names::binding_identifiers,
        names::unique_bindings,
    ],
    &[names::script_names, names::unique_ids, names::empty_ids],
    &[exposure::custom_domains, secrets::declared, secrets::names],
    &[
        contracts::schemas,
        contracts::undeclared_reads,
        contracts::scenario_requests,
        contracts::response_examples,
    ],
];

/// Rules over each Worker that no kind owns. They run one Worker at a time, so its data
/// stays in cache.
const WORKER_RULES: &[WorkerRule] = &[
    handlers::values_before_set,
    handlers::always_responds,
    handlers::route_paths,
    handlers::route_overlaps,
    handlers::unreachable_steps,
];

/// Rules over each handler step that no kind owns, applied during one walk of the steps.
const STEP_RULES: &[StepRule] = &[
    handlers::step_bindings,
    handlers::templates,
    handlers::respond_status,
    handlers::output_names,
];

/// Every rule of a run: the generic ones, then each kind's, in registry order.
struct Plan {
    groups: Vec<&'static [Rule]>,
    worker_rules: Vec<WorkerRule>,
    step_rules: Vec<StepRule>,
    memo_step_rules: Vec<MemoStepRule>,
    after_worker_rules: Vec<Rule>,
    /// The kinds that prepare something before the rules (D1 rebuilds its databases).
    preparers: Vec<&'static dyn NodeKindDef>,
}

/// The plan, gathered from the registry once per process.
static PLAN: LazyLock<Plan> = LazyLock::new(|| {
    let kinds = || REGISTRY.iter().map(|(_, def)| *def);
    let mut groups: Vec<&'static [Rule]> = RULE_GROUPS.to_vec();
    groups.extend(
        kinds()
            .map(|def| def.design_rules())
            .filter(|rules| !rules.is_empty()),
    );
    Plan {
        groups,
        worker_rules: WORKER_RULES
            .iter()
            .copied()
            .chain(kinds().flat_map(|def| def.worker_rules().iter().copied()))
            .collect(),
        step_rules: STEP_RULES
            .iter()
            .copied()
            .chain(kinds().flat_map(|def| def.step_rules().iter().copied()))
            .collect(),
        memo_step_rules: kinds()
            .flat_map(|def| def.memo_step_rules().iter().copied())
            .collect(),
        after_worker_rules: kinds()
            .flat_map(|def| def.after_worker_rules().iter().copied())
            .collect(),
        preparers: kinds().filter(|def| def.prepares()).collect(),
    }
});

/// Designs with at least this many Workers validate on several threads.
pub(super) const PARALLEL_MIN_WORKERS: usize = 512;

/// The most threads a run uses.
const MAX_THREADS: usize = 4;

/// Workers per job: small enough that threads finish together, large enough that taking a
/// job costs nothing next to it.
const WORKERS_PER_JOB: usize = 64;

/// Worker and step rules over some Workers (positions in `design.nodes`), Worker by Worker,
/// so that each one's data is read from memory once for all its rules, with the thread's
/// `memo` of SQL texts.
fn worker_pass<'a>(
    ctx: &context::Ctx<'a>,
    workers: &[usize],
    memo: &mut context::Memo<'a>,
    out: &mut Vec<Diagnostic>,
) {
    for worker in workers.iter().filter_map(|&index| ctx.worker_at(index)) {
        for rule in &PLAN.worker_rules {
            rule(ctx, &worker, out);
        }
        worker.for_each_step(&mut |at| {
            for rule in &PLAN.step_rules {
                rule(ctx, at, out);
            }
            for rule in &PLAN.memo_step_rules {
                rule(ctx, at, memo, out);
            }
        });
    }
}

/// The work of one run, cut into jobs: first what kinds prepare (rebuilding each D1
/// database), then the design-wide rule groups, then the Workers in blocks. Threads take the
/// next job until none is left, so a busy thread takes fewer.
struct Jobs<'w> {
    workers: &'w [usize],
    /// Each preparing kind with its number of jobs, in registry order.
    prepared: Vec<(&'static dyn NodeKindDef, usize)>,
    next: std::sync::atomic::AtomicUsize,
}

impl Jobs<'_> {
    fn prepare_count(&self) -> usize {
        self.prepared.iter().map(|(_, n)| n).sum()
    }

    fn count(&self) -> usize {
        self.prepare_count() + PLAN.groups.len() + self.workers.len().div_ceil(WORKERS_PER_JOB)
    }

    /// Take jobs until none is left; the diagnostics of each job taken, by job number.
    fn run(&self, ctx: &context::Ctx<'_>) -> Vec<(usize, Vec<Diagnostic>)> {
        let mut done = Vec::new();
        let mut memo = context::Memo::default();
        let prepare = self.prepare_count();
        loop {
            let job = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if job >= self.count() {
                return done;
            }
            let mut out = Vec::new();
            if job < prepare {
                let mut index = job;
                for (def, jobs) in &self.prepared {
                    if index < *jobs {
                        def.prepare(ctx, index, &mut out);
                        break;
                    }
                    index -= jobs;
                }
            } else if let Some(group) = PLAN.groups.get(job - prepare) {
                for rule in *group {
                    rule(ctx, &mut out);
                }
            } else {
                let start = (job - prepare - PLAN.groups.len()) * WORKERS_PER_JOB;
                let end = (start + WORKERS_PER_JOB).min(self.workers.len());
                worker_pass(ctx, &self.workers[start..end], &mut memo, &mut out);
            }
            done.push((job, out));
        }
    }
}

/// Run every rule over the design. Secrets are not checked against a `.dev.vars` file; use
/// [`validate_with_secrets`] for that.
pub fn validate(design: &Design) -> Diagnostics {
    validate_with_secrets(design, None)
}

/// Run every rule over the design; with `declared` (the names in the design's `.dev.vars`),
/// also report secrets used but not declared and declared but never used.
pub fn validate_with_secrets(design: &Design, declared: Option<&BTreeSet<String>>) -> Diagnostics {
    let threads = if design.nodes.len() < PARALLEL_MIN_WORKERS {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
    };
    validate_on(design, declared, threads)
}

/// [`validate_with_secrets`] with the jobs shared among `threads` threads (when the design
/// has at least [`PARALLEL_MIN_WORKERS`] Workers).
pub(super) fn validate_on(
    design: &Design,
    declared: Option<&BTreeSet<String>>,
    threads: usize,
) -> Diagnostics {
    let ctx = context::Ctx::new(design, declared);
    let workers = ctx.worker_positions();
    let threads = if workers.len() < PARALLEL_MIN_WORKERS {
        1
    } else {
        threads.max(1)
    };
    let jobs = Jobs {
        workers: &workers,
        prepared: PLAN
            .preparers
            .iter()
            .map(|def| (*def, def.prepare_jobs(&ctx)))
            .collect(),
        next: std::sync::atomic::AtomicUsize::new(0),
    };
    let mut done = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|_| scope.spawn(|| jobs.run(&ctx)))
            .collect();
        let mut done = jobs.run(&ctx);
        for handle in others {
            match handle.join() {
                Ok(mut found) => done.append(&mut found),
                // A rule panicked on that thread: let the caller see it as on one thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    // In job order, Workers' findings come in design order, which is mostly sorted already
    // (saved designs list their nodes by id): the stable sort below then merges long runs.
    done.sort_unstable_by_key(|(job, _)| *job);
    let mut out = Vec::with_capacity(done.iter().map(|(_, found)| found.len()).sum());
    for (_, mut found) in done {
        out.append(&mut found);
    }
    for rule in &PLAN.after_worker_rules {
        rule(&ctx, &mut out);
    }
    out.sort();
    out.dedup();
    Diagnostics(out)
}
