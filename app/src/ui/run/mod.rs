//! Run: the embedded local engine on the open design, a request console and live traces.
//!
//! Everything slow happens on the app's tokio runtime; results come back through a channel
//! that [`RunState::poll`] drains once per frame (the tasks ask for a repaint when they send).
//!
//! - `mod.rs`: [`RunState`] (start, stop, events, traces, metrics).
//! - `client.rs`: the HTTP client behind the console and the scenario runner.
//! - `panel.rs`: the Run tab.

mod client;
mod panel;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use edgewire_engine::runtime::{
    Engine, EngineEvent, EngineOptions, MetricsSnapshot, RunningEngine, Trace,
};
use edgewire_engine::{Design, Kind};
use eframe::egui;

pub use client::{ConsoleRequest, ConsoleResponse};
pub use panel::{RunAction, ui};

/// The embedded reference example's secrets (its `.dev.vars`).
const REFERENCE_DEV_VARS: &str = include_str!("../../../../examples/global-api.dev.vars");

/// How many finished traces the Run tab keeps.
pub const TRACE_CAPACITY: usize = 200;

/// How many log lines the Run tab keeps.
pub const LOG_CAPACITY: usize = 1000;

/// One line of the engine's log.
#[derive(Clone, Debug)]
pub struct LogLine {
    pub warning: bool,
    pub text: String,
}

/// How long a request dot takes to travel along one wire, in seconds.
pub const DOT_SECS: f64 = 0.6;

/// Where the engine is in its life.
#[derive(Debug, Default)]
pub enum RunStatus {
    #[default]
    Stopped,
    Starting,
    Running,
    Stopping,
    /// The last start failed (why).
    Failed(String),
}

/// Messages from runtime tasks to the UI thread.
enum Message {
    Started(Result<RunningEngine, String>),
    Stopped(Result<(), String>),
    Event(EngineEvent),
    Console(u64, Result<ConsoleResponse, String>),
    Scenario(u64, usize, Result<ConsoleResponse, String>),
    /// One load request finished: `(ticket, milliseconds, status as expected)`.
    Load(u64, f64, bool),
}

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

/// A request animated on the canvas: dots along the wires it took.
#[derive(Clone, Debug)]
pub struct Flight {
    /// When it arrived (egui time, seconds).
    pub started: f64,
    /// `(from node, to node)` in the order the request took them.
    pub wires: Vec<(String, String)>,
    /// Nodes whose hop failed (they flash).
    pub failed: Vec<String>,
}

/// The state of the Run tab and the engine it controls.
// Independent view flags (sending, pending start, refused, log shown), not one state machine.
#[allow(clippy::struct_excessive_bools)]
pub struct RunState {
    pub status: RunStatus,
    engine: Option<RunningEngine>,
    /// The document revision the engine runs.
    pub running_revision: Option<u64>,
    /// Overrides the state folder root (tests use a temporary folder).
    pub state_root: Option<PathBuf>,
    pub url: Option<String>,
    pub entry_urls: Vec<(String, String)>,
    sender: Sender<Message>,
    receiver: Receiver<Message>,
    /// Finished traces, newest last.
    pub traces: Vec<Arc<Trace>>,
    pub selected_trace: Option<String>,
    pub notices: Vec<(String, String)>,
    /// The engine's log: notices and finished requests, oldest first.
    pub log: Vec<LogLine>,
    /// Show the log instead of the trace list.
    pub show_log: bool,
    pub log_filter: String,
    pub metrics: MetricsSnapshot,
    pub flights: Vec<Flight>,
    pub console: ConsoleRequest,
    pub response: Option<Result<ConsoleResponse, String>>,
    pub sending: bool,
    console_ticket: u64,
    pub scenario: Vec<ScenarioOutcome>,
    pub scenario_pending: usize,
    scenario_ticket: u64,
    pub load: Option<LoadRun>,
    /// How many requests the next load run sends.
    pub load_count: usize,
    load_ticket: u64,
    /// Start again once the engine has stopped (Restart).
    pub pending_start: bool,
    /// Set when a start was refused because the design has errors (the app shows Problems).
    pub refused: bool,
    client: Option<client::Client>,
}

impl Default for RunState {
    fn default() -> Self {
        let (sender, receiver) = channel();
        Self {
            status: RunStatus::Stopped,
            engine: None,
            running_revision: None,
            state_root: None,
            url: None,
            entry_urls: Vec::new(),
            sender,
            receiver,
            traces: Vec::new(),
            selected_trace: None,
            notices: Vec::new(),
            log: Vec::new(),
            show_log: false,
            log_filter: String::new(),
            metrics: MetricsSnapshot::new(),
            flights: Vec::new(),
            console: ConsoleRequest::default(),
            response: None,
            sending: false,
            console_ticket: 0,
            scenario: Vec::new(),
            scenario_pending: 0,
            scenario_ticket: 0,
            load: None,
            load_count: 200,
            load_ticket: 0,
            pending_start: false,
            refused: false,
            client: None,
        }
    }
}

/// The state folder of a design: `<cache dir>/edgewire/run/<design name>`.
pub fn state_dir(root: Option<&Path>, design_name: &str) -> PathBuf {
    let root = root.map_or_else(
        || {
            directories::ProjectDirs::from("dev", "edgewire", "edgewire").map_or_else(
                || std::env::temp_dir().join("edgewire"),
                |dirs| dirs.cache_dir().to_path_buf(),
            )
        },
        Path::to_path_buf,
    );
    let safe: String = design_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let safe = if safe.trim_matches('-').is_empty() {
        "design".to_owned()
    } else {
        safe
    };
    root.join("run").join(safe)
}

/// Secrets for a run: the `.dev.vars` beside the design file, else (an unsaved design) the
/// reference example's.
pub fn secrets_for(path: Option<&Path>) -> Result<BTreeMap<String, String>, String> {
    match path {
        Some(path) => edgewire_engine::secrets::load_beside(path)
            .map(edgewire_engine::secrets::Secrets::into_map)
            .map_err(|err| err.to_string()),
        None => edgewire_engine::secrets::parse(REFERENCE_DEV_VARS)
            .map(edgewire_engine::secrets::Secrets::into_map)
            .map_err(|err| err.to_string()),
    }
}

impl RunState {
    pub fn is_running(&self) -> bool {
        matches!(self.status, RunStatus::Running)
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.status, RunStatus::Starting | RunStatus::Stopping)
    }

    /// Start the engine on a design (already validated by the caller).
    pub fn start(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        design: Design,
        path: Option<&Path>,
        revision: u64,
    ) {
        if self.is_busy() || self.is_running() {
            return;
        }
        let secrets = match secrets_for(path) {
            Ok(secrets) => secrets,
            Err(err) => {
                self.status =
                    RunStatus::Failed(format!("the secrets file could not be read: {err}"));
                return;
            }
        };
        let mut options = EngineOptions::new(state_dir(self.state_root.as_deref(), &design.name));
        options.port = 0;
        options.secrets = secrets;
        self.status = RunStatus::Starting;
        self.running_revision = Some(revision);
        self.refused = false;
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        runtime.spawn(async move {
            let result = Engine::start(design, options)
                .await
                .map_err(|err| err.to_string());
            if let Ok(engine) = &result {
                let mut events = engine.subscribe();
                let forward = sender.clone();
                let repaint = ctx.clone();
                tokio::spawn(async move {
                    loop {
                        match events.recv().await {
                            Ok(event) => {
                                if forward.send(Message::Event(event)).is_err() {
                                    break;
                                }
                                repaint.request_repaint();
                            }
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                        }
                    }
                });
            }
            let _ = sender.send(Message::Started(result));
            ctx.request_repaint();
        });
    }

    /// Stop the engine (in the background).
    pub fn stop(&mut self, runtime: &tokio::runtime::Handle, ctx: &egui::Context) {
        let Some(engine) = self.engine.take() else {
            return;
        };
        self.status = RunStatus::Stopping;
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        runtime.spawn(async move {
            let result = engine.stop().await.map_err(|err| err.to_string());
            let _ = sender.send(Message::Stopped(result));
            ctx.request_repaint();
        });
    }

    /// Send the console's request.
    pub fn send_console(&mut self, runtime: &tokio::runtime::Handle, ctx: &egui::Context) {
        let Some(url) = self.url.clone() else {
            return;
        };
        self.console_ticket += 1;
        let ticket = self.console_ticket;
        self.sending = true;
        let client = self.client(runtime);
        let request = self.console.clone();
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        runtime.spawn(async move {
            let result = client::send(&client, &url, &request).await;
            let _ = sender.send(Message::Console(ticket, result));
            ctx.request_repaint();
        });
    }

    /// Send every scenario request of a design's Clients, one after another.
    pub fn run_scenario(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        design: &Design,
    ) {
        let Some(url) = self.url.clone() else {
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
        let client = self.client(runtime);
        let sender = self.sender.clone();
        let ctx = ctx.clone();
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
        let Some(url) = self.url.clone() else {
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
        let client = self.client(runtime);
        let sender = self.sender.clone();
        let ctx = ctx.clone();
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

    fn client(&mut self, runtime: &tokio::runtime::Handle) -> client::Client {
        let _guard = runtime.enter();
        self.client.get_or_insert_with(client::new_client).clone()
    }

    /// Apply what the runtime tasks sent since the last frame.
    pub fn poll(&mut self, now: f64, design: &Design) {
        while let Ok(message) = self.receiver.try_recv() {
            match message {
                Message::Started(Ok(engine)) => {
                    self.url = Some(engine.url());
                    self.entry_urls = engine.entry_urls();
                    self.engine = Some(engine);
                    self.status = RunStatus::Running;
                    self.traces.clear();
                    self.flights.clear();
                    self.selected_trace = None;
                    self.metrics.clear();
                }
                Message::Started(Err(err)) => {
                    self.status = RunStatus::Failed(err);
                    self.running_revision = None;
                }
                Message::Stopped(result) => {
                    self.status = match result {
                        Ok(()) => RunStatus::Stopped,
                        Err(err) => RunStatus::Failed(format!("stopping failed: {err}")),
                    };
                    self.url = None;
                    self.entry_urls.clear();
                    self.running_revision = None;
                    self.flights.clear();
                }
                Message::Event(EngineEvent::Request(trace)) => {
                    let mut text = format!(
                        "{} {} {} {:.1}ms {} hops",
                        trace.method,
                        trace.path,
                        trace.status,
                        trace.duration_ms,
                        trace.hops.len()
                    );
                    for hop in trace.hops.iter().filter(|h| h.error.is_some()) {
                        let _ = write!(
                            text,
                            "; {} failed: {}",
                            hop.node,
                            hop.error.as_deref().unwrap_or_default()
                        );
                    }
                    self.push_log(LogLine {
                        warning: trace.status >= 500,
                        text,
                    });
                    self.flights.push(flight(&trace, design, now));
                    self.traces.push(trace);
                    if self.traces.len() > TRACE_CAPACITY {
                        let extra = self.traces.len() - TRACE_CAPACITY;
                        self.traces.drain(..extra);
                    }
                }
                Message::Event(EngineEvent::Notice { node, message }) => {
                    self.push_log(LogLine {
                        warning: message.contains("unavailable") || message.contains("fail"),
                        text: format!("{node}: {message}"),
                    });
                    self.notices.push((node, message));
                }
                Message::Console(ticket, result) => {
                    if ticket == self.console_ticket {
                        self.sending = false;
                        self.response = Some(result);
                    }
                }
                Message::Load(ticket, millis, ok) => {
                    if ticket == self.load_ticket
                        && let Some(load) = &mut self.load
                    {
                        load.latencies.push(millis);
                        if !ok {
                            load.failures += 1;
                        }
                        load.elapsed = now - load.started;
                    }
                }
                Message::Scenario(ticket, index, result) => {
                    if ticket == self.scenario_ticket
                        && let Some(outcome) = self.scenario.get_mut(index)
                    {
                        outcome.result = result;
                        self.scenario_pending = self.scenario_pending.saturating_sub(1);
                    }
                }
            }
        }
        if let Some(engine) = &self.engine {
            self.metrics = engine.metrics();
        }
        self.flights
            .retain(|f| now - f.started < DOT_SECS * (f.wires.len().max(1) as f64) + 0.4);
    }

    fn push_log(&mut self, line: LogLine) {
        self.log.push(line);
        if self.log.len() > LOG_CAPACITY {
            let extra = self.log.len() - LOG_CAPACITY;
            self.log.drain(..extra);
        }
    }

    /// The selected trace.
    pub fn selected(&self) -> Option<&Arc<Trace>> {
        let id = self.selected_trace.as_ref()?;
        self.traces.iter().find(|t| &t.id == id)
    }

    /// The wires of the selected trace (highlighted on the canvas).
    pub fn highlighted_wires(&self, design: &Design) -> Vec<(String, String)> {
        self.selected()
            .map(|trace| trace_wires(trace, design))
            .unwrap_or_default()
    }

    /// Stop a running engine when the app closes (blocks until it has stopped).
    pub fn shutdown(&mut self, runtime: &tokio::runtime::Handle) {
        if let Some(engine) = self.engine.take() {
            let _ = runtime.block_on(engine.stop());
        }
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

/// The wires a trace took: from a Client to its entry, then between consecutive hops whose
/// nodes are wired.
pub fn trace_wires(trace: &Trace, design: &Design) -> Vec<(String, String)> {
    let mut wires = Vec::new();
    if let Some(client) = design.wires_to(&trace.entry).find(|w| {
        design
            .node(&w.from)
            .is_some_and(|n| n.kind.kind() == Kind::Client)
    }) {
        wires.push((client.from.clone(), trace.entry.clone()));
    }
    let mut stack: Vec<&str> = vec![trace.entry.as_str()];
    for hop in &trace.hops {
        if hop.node == trace.entry && wires.is_empty() {
            continue;
        }
        // The hop's caller: the nearest earlier node wired to it.
        let caller = stack
            .iter()
            .rev()
            .find(|from| design.wires_from(from).any(|w| w.to.as_str() == hop.node));
        if let Some(from) = caller {
            let pair = ((*from).to_owned(), hop.node.clone());
            if !wires.contains(&pair) {
                wires.push(pair);
            }
        }
        if design
            .node(&hop.node)
            .is_some_and(|n| n.kind.kind().is_worker())
        {
            stack.push(hop.node.as_str());
        }
    }
    wires
}

fn flight(trace: &Trace, design: &Design, now: f64) -> Flight {
    Flight {
        started: now,
        wires: trace_wires(trace, design),
        failed: trace
            .hops
            .iter()
            .filter(|h| h.error.is_some() || h.status.is_some_and(|s| s >= 500))
            .map(|h| h.node.clone())
            .collect(),
    }
}

/// What the canvas draws over the design while the engine runs.
#[derive(Clone, Debug, Default)]
pub struct CanvasOverlay {
    /// Wires of the selected trace.
    pub highlighted: Vec<(String, String)>,
    /// Dots travelling along wires: `(from, to, 0..=1 along the wire)`.
    pub dots: Vec<(String, String, f32)>,
    /// Nodes flashing because a request failed there (`0..=1` strength).
    pub flashing: Vec<(String, f32)>,
    /// A metrics line under a node's card.
    pub metrics: Vec<(String, String)>,
}

impl CanvasOverlay {
    pub fn is_empty(&self) -> bool {
        self.highlighted.is_empty()
            && self.dots.is_empty()
            && self.flashing.is_empty()
            && self.metrics.is_empty()
    }
}

impl RunState {
    /// The canvas overlay for this frame.
    pub fn overlay(&self, design: &Design, now: f64) -> CanvasOverlay {
        let mut overlay = CanvasOverlay {
            highlighted: self.highlighted_wires(design),
            ..CanvasOverlay::default()
        };
        for flight in &self.flights {
            let elapsed = now - flight.started;
            #[allow(clippy::cast_possible_truncation)] // animation progress, 0..=1
            for (index, (from, to)) in flight.wires.iter().enumerate() {
                let t = (elapsed - DOT_SECS * index as f64) / DOT_SECS;
                if (0.0..=1.0).contains(&t) {
                    overlay.dots.push((from.clone(), to.clone(), t as f32));
                }
            }
            let total = DOT_SECS * flight.wires.len().max(1) as f64 + 0.4;
            #[allow(clippy::cast_possible_truncation)] // animation strength, 0..=1
            let strength = (1.0 - elapsed / total).clamp(0.0, 1.0) as f32;
            for node in &flight.failed {
                overlay.flashing.push((node.clone(), strength));
            }
        }
        if self.is_running() {
            for (node, m) in &self.metrics {
                if m.requests == 0 {
                    continue;
                }
                let mut line = format!(
                    "{} req · {} err · p50 {:.1} · p95 {:.1} ms",
                    m.requests, m.errors, m.p50_ms, m.p95_ms
                );
                if let Some(rate) = m.cache_hit_rate {
                    let _ = write!(line, " · hit {:.0}%", rate * 100.0);
                }
                overlay.metrics.push((node.clone(), line));
            }
        }
        overlay
    }
}
