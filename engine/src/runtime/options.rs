//! What the engine is given and what it says back: [`EngineOptions`], [`EngineError`],
//! [`EngineEvent`], and where state lives by default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bindings::Binding;
use super::clock::{Clock, SystemClock};
use super::trace::Trace;

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "missing secrets: {}. Put them in the `.dev.vars` file beside the design (one \
         `NAME=value` per line), pass `--vars FILE`, or set them as environment variables",
        .0.join(", ")
    )]
    MissingSecrets(Vec<String>),
    #[error("state folder {path}: {source}")]
    State {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("node `{node}`: {message}")]
    Store { node: String, message: String },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Server(#[source] std::io::Error),
}

/// How to run a design.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Where KV, D1 and the auto PostgreSQL keep their files.
    pub state_dir: PathBuf,
    /// Delete the state first.
    pub fresh: bool,
    /// Port on 127.0.0.1 for [`super::Engine::start`]; 0 picks a free one.
    pub port: u16,
    /// Secret values by name (from `.dev.vars` or `--vars`).
    pub secrets: BTreeMap<String, String>,
    /// Also read missing secrets from the environment.
    pub read_environment: bool,
    /// The clock for TTLs, cache ages, rate-limit windows and token expiry.
    pub clock: Arc<dyn Clock>,
    /// Bindings added to (or replacing) the design's: `(worker id, binding name, binding)`.
    /// For embedding the engine with other stores, and for tests.
    pub extra_bindings: Vec<(String, String, Binding)>,
    /// What the HTTP server allows a connection.
    pub connections: ConnectionLimits,
    /// Emulated geography (`serve --from`): every hop waits the network time the simulator
    /// gives it. `None`: no waits.
    pub geography: Option<Arc<crate::simulate::Geography>>,
    /// Faults in force from the start (`serve --fault`); more come and go through
    /// `POST /__edgewire/faults` and [`super::Engine::faults`].
    pub faults: Vec<(String, super::Fault)>,
}

/// What the HTTP server allows its connections (see [`crate::semantics`] for the defaults
/// and why).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, or the next request on a keep-alive connection.
    pub header_read_timeout: std::time::Duration,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: std::time::Duration::from_secs(
                crate::semantics::HEADER_READ_TIMEOUT_SECS,
            ),
            max_connections: crate::semantics::MAX_CONNECTIONS,
        }
    }
}

impl EngineOptions {
    /// Defaults: port 8787, secrets from the environment, the system clock.
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: state_dir.into(),
            fresh: false,
            port: 8787,
            secrets: BTreeMap::new(),
            read_environment: true,
            clock: Arc::new(SystemClock),
            extra_bindings: Vec::new(),
            connections: ConnectionLimits::default(),
            geography: None,
            faults: Vec::new(),
        }
    }
}

/// The default state folder: `.edgewire/<design file stem>/` beside the design.
pub fn default_state_dir(design_path: &Path) -> PathBuf {
    let stem = design_path
        .file_stem()
        .map_or_else(|| "design".into(), |s| s.to_string_lossy().into_owned());
    design_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(".edgewire")
        .join(stem)
}

/// Something the engine tells its watchers.
#[derive(Clone, Debug)]
pub enum EngineEvent {
    /// A request finished.
    Request(Arc<Trace>),
    /// A node changed state or has a problem (Hyperdrive starting, ready, unavailable).
    Notice { node: String, message: String },
}

/// The [`EngineError::State`] for an I/O error on `path`.
pub(crate) fn state_error(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::State {
        path: path.to_owned(),
        source,
    }
}

/// The [`EngineError::Store`] for the store of `node` that did not open.
pub(crate) fn store_error(node: &str) -> impl FnOnce(String) -> EngineError + '_ {
    move |message| EngineError::Store {
        node: node.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_lives_beside_the_design() {
        assert_eq!(
            default_state_dir(Path::new("examples/global-api.ron")),
            PathBuf::from("examples/.edgewire/global-api")
        );
    }
}
