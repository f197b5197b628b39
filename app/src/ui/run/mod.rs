//! Run: the embedded local engine on the open design, a request console and live traces.
//!
//! Everything slow happens on the app's tokio runtime; results come back through a channel
//! that [`RunState::poll`] drains once per frame (the tasks ask for a repaint when they send).
//!
//! - `mod.rs`: [`RunState`] (start, stop, events, traces, metrics).
//! - `client.rs`: the HTTP client behind the console and the scenario runner.
//! - `faults.rs`: faults on demand (a store slow, failing or down; a Worker that throws).
//! - `load.rs`: scenario runs and load runs.
//! - `overlay.rs`: what the canvas shows of a run (trace wires, dots, metrics).
//! - `panel.rs`: the Run tab.
//! - `traces.rs`: its traces, the waterfall of the selected one, and the log.

mod client;
pub mod faults;
mod load;
mod overlay;
mod panel;
mod traces;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use edgewire_engine::Design;
use edgewire_engine::runtime::{
    Engine, EngineEvent, EngineOptions, MetricsSnapshot, RunningEngine, Trace,
};
use eframe::egui;
use overlay::flight;

pub use client::{ConsoleRequest, ConsoleResponse};
pub use load::{
    LOAD_CONCURRENCY, LoadRun, MAX_LOAD, ScenarioOutcome, load_plan, scenario_requests,
};
pub use overlay::{CanvasOverlay, DOT_SECS, Flight, Replay, hop_wires, trace_wires};
pub use panel::{RunAction, ui};
pub use traces::hop_facts;

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

/// A request-sending task's share of the Run tab: the engine's URL, the HTTP client, the way
/// back to the UI thread and the context to repaint.
struct Task {
    url: String,
    client: client::Client,
    sender: Sender<Message>,
    ctx: egui::Context,
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
    /// Emulated geography for the next start: clients in this region (none: no delays) and
    /// where the design runs (the same latency model as the simulator).
    pub clients_in: Option<String>,
    pub layout: edgewire_engine::simulate::Layout,
    /// What the running engine emulates, to offer a restart when the choice changes.
    running_geography: (Option<String>, edgewire_engine::simulate::Layout),
    /// Faults by node: those in force while the engine runs, else those the next start
    /// applies (see `faults.rs`).
    faults: BTreeMap<String, edgewire_engine::runtime::Fault>,
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
            clients_in: None,
            layout: edgewire_engine::simulate::Layout::Global,
            running_geography: (None, edgewire_engine::simulate::Layout::Global),
            faults: BTreeMap::new(),
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
    /// Whether the running engine emulates another geography than the one now chosen.
    pub fn geography_changed(&self) -> bool {
        self.is_running()
            && self.running_geography != (self.clients_in.clone(), self.layout.clone())
    }

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
        options.faults = self
            .faults
            .iter()
            .map(|(node, fault)| (node.clone(), *fault))
            .collect();
        if let Some(from) = &self.clients_in {
            match edgewire_engine::simulate::Geography::new(&design, from, &self.layout, 1) {
                Ok(geography) => options.geography = Some(Arc::new(geography)),
                Err(err) => {
                    self.status = RunStatus::Failed(format!("the emulated geography: {err}"));
                    return;
                }
            }
        }
        self.running_geography = (self.clients_in.clone(), self.layout.clone());
        if let Some(notice) = edgewire_engine::runtime::code_worker_notice(&design) {
            self.push_log(LogLine {
                warning: true,
                text: notice,
            });
        }
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
        let Some(task) = self.task(runtime, ctx) else {
            return;
        };
        self.console_ticket += 1;
        let ticket = self.console_ticket;
        self.sending = true;
        let request = self.console.clone();
        runtime.spawn(async move {
            let result = client::send(&task.client, &task.url, &request).await;
            let _ = task.sender.send(Message::Console(ticket, result));
            task.ctx.request_repaint();
        });
    }

    /// What a task that sends requests to the running engine needs; none when it is not
    /// running.
    fn task(&mut self, runtime: &tokio::runtime::Handle, ctx: &egui::Context) -> Option<Task> {
        let url = self.url.clone()?;
        let _guard = runtime.enter();
        let client = self.client.get_or_insert_with(client::new_client).clone();
        Some(Task {
            url,
            client,
            sender: self.sender.clone(),
            ctx: ctx.clone(),
        })
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
        self.sync_faults(design);
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

    /// Stop a running engine when the app closes (blocks until it has stopped).
    pub fn shutdown(&mut self, runtime: &tokio::runtime::Handle) {
        if let Some(engine) = self.engine.take() {
            let _ = runtime.block_on(engine.stop());
        }
    }
}
