//! Scenario and load runs: every Client's scenario requests sent once and checked, or many
//! of them mixed by weight, a few at a time, for latencies and throughput.

use std::sync::Arc;

use edgewire_engine::Design;
use eframe::egui;

use super::{ConsoleRequest, ConsoleResponse, Message, RunState, Task, client};

/// A load run: N scenario requests mixed by weight, a few at a time.
#[derive(Clone, Debug, Default)]
pub struct LoadRun {
    pub total: usize,
    /// Latencies of the finished requests, ms.
    pub latencies: Vec<f64>,
    /// Requests whose status was not the expected one.
    pub failures: usize,
    pub started: f64,
    /// Seconds from start to the last answer.
    pub elapsed: f64,
}

impl LoadRun {
    pub fn done(&self) -> usize {
        self.latencies.len()
    }

    /// Requests per second so far.
    pub fn throughput(&self) -> f64 {
        if self.elapsed > 0.0 {
            self.done() as f64 / self.elapsed
        } else {
            0.0
        }
    }

    /// The `q` quantile of the latencies (0..=1), ms.
    pub fn percentile(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return 0.0;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // an index in range
        let index = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    }
}

/// How many load requests are in flight at once.
pub const LOAD_CONCURRENCY: usize = 8;

/// The most requests one load run sends.
pub const MAX_LOAD: usize = 10_000;

/// The requests of a load run: `count` scenario requests mixed by weight (deterministic:
/// each request gets its share, rounded, in scenario order, interleaved).
pub fn load_plan(design: &Design, count: usize) -> Vec<(ConsoleRequest, u16)> {
    let mut weighted = Vec::new();
    for node in &design.nodes {
        if let edgewire_engine::NodeKind::Client(client) = &node.kind {
            for sample in &client.scenario {
                weighted.push((
                    ConsoleRequest::from_sample(sample),
                    sample.expect_status,
                    sample.weight.max(0.0),
                ));
            }
        }
    }
    let total: f64 = weighted.iter().map(|w| w.2).sum();
    if weighted.is_empty() || total <= 0.0 {
        return Vec::new();
    }
    // Smooth weighted round-robin: deterministic and evenly interleaved.
    let mut credit = vec![0.0_f64; weighted.len()];
    let mut plan = Vec::with_capacity(count);
    for _ in 0..count {
        for (c, w) in credit.iter_mut().zip(&weighted) {
            *c += w.2;
        }
        let Some((best, _)) = credit
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        credit[best] -= total;
        plan.push((weighted[best].0.clone(), weighted[best].1));
    }
    plan
}

/// One scenario request's outcome.
#[derive(Clone, Debug)]
pub struct ScenarioOutcome {
    pub name: String,
    pub expected: u16,
    pub result: Result<ConsoleResponse, String>,
}

impl ScenarioOutcome {
    pub fn passed(&self) -> bool {
        matches!(&self.result, Ok(r) if r.status == self.expected)
    }
}

/// The scenario requests of every Client, as console requests with expected statuses.
pub fn scenario_requests(design: &Design) -> Vec<(String, ConsoleRequest, u16)> {
    let mut out = Vec::new();
    for node in &design.nodes {
        if let edgewire_engine::NodeKind::Client(client) = &node.kind {
            for sample in &client.scenario {
                out.push((
                    sample.name.clone(),
                    ConsoleRequest::from_sample(sample),
                    sample.expect_status,
                ));
            }
        }
    }
    out
}

impl RunState {
    /// Send every scenario request of a design's Clients, one after another.
    pub fn run_scenario(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        design: &Design,
    ) {
        let Some(task) = self.task(runtime, ctx) else {
            return;
        };
        let samples = scenario_requests(design);
        self.scenario_ticket += 1;
        let ticket = self.scenario_ticket;
        self.scenario = samples
            .iter()
            .map(|(name, request, expected)| ScenarioOutcome {
                name: name.clone(),
                expected: *expected,
                result: Err(format!("waiting ({} {})", request.method, request.path)),
            })
            .collect();
        self.scenario_pending = samples.len();
        let Task {
            url,
            client,
            sender,
            ctx,
        } = task;
        runtime.spawn(async move {
            for (index, (_, request, _)) in samples.iter().enumerate() {
                let result = client::send(&client, &url, request).await;
                if sender
                    .send(Message::Scenario(ticket, index, result))
                    .is_err()
                {
                    break;
                }
                ctx.request_repaint();
            }
        });
    }

    /// Whether a load run is under way.
    pub fn is_loading(&self) -> bool {
        self.load.as_ref().is_some_and(|l| l.done() < l.total)
    }

    /// Send `load_count` scenario requests mixed by weight, [`LOAD_CONCURRENCY`] at a time.
    pub fn run_load(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        design: &Design,
    ) {
        let Some(task) = self.task(runtime, ctx) else {
            return;
        };
        let plan = load_plan(design, self.load_count.clamp(1, MAX_LOAD));
        if plan.is_empty() {
            return;
        }
        self.load_ticket += 1;
        let ticket = self.load_ticket;
        self.load = Some(LoadRun {
            total: plan.len(),
            started: ctx.input(|i| i.time),
            ..LoadRun::default()
        });
        let Task {
            url,
            client,
            sender,
            ctx,
        } = task;
        runtime.spawn(async move {
            let plan = Arc::new(plan);
            let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut workers = tokio::task::JoinSet::new();
            for _ in 0..LOAD_CONCURRENCY {
                let (plan, next, client, url, sender, ctx) = (
                    plan.clone(),
                    next.clone(),
                    client.clone(),
                    url.clone(),
                    sender.clone(),
                    ctx.clone(),
                );
                workers.spawn(async move {
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((request, expected)) = plan.get(index) else {
                            break;
                        };
                        let started = std::time::Instant::now();
                        let result = client::send(&client, &url, request).await;
                        let millis = started.elapsed().as_secs_f64() * 1000.0;
                        let ok = matches!(&result, Ok(r) if r.status == *expected);
                        if sender.send(Message::Load(ticket, millis, ok)).is_err() {
                            break;
                        }
                        ctx.request_repaint();
                    }
                });
            }
            while workers.join_next().await.is_some() {}
        });
    }
}
