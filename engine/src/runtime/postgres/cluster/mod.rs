//! A private, throwaway Postgres cluster for the local engine (Hyperdrive origin `auto`).
//!
//! [`Cluster::start`] finds the Postgres server binaries ([`find_binaries`]), runs `initdb`
//! once in a data dir the engine owns, starts the server on `127.0.0.1` (TCP only by default),
//! waits until it accepts connections, creates the database and hands back a
//! [`Cluster::connection_string`] such as `postgres://edgewire@127.0.0.1:54321/edgewire`
//! (trust authentication, no password). [`Cluster::stop`] and `Drop` stop the server with
//! `pg_ctl stop -m fast -w`, which returns only once every server process has exited.
//!
//! Everything here is blocking (`std::process`); from async code call
//! [`Cluster::start_async`] / [`Cluster::stop_async`], which wrap the blocking calls in
//! `tokio::task::spawn_blocking`.
//!
//! # Layout of the data dir
//!
//! | entry | what |
//! | --- | --- |
//! | `edgewire-pgcluster` | marker written after a successful `initdb`: format version and superuser |
//! | `pgdata/` | the Postgres data directory (`PGDATA`) |
//! | `pgdata/edgewire.conf` | settings rewritten on every start (port, listen address, fsync off), included from `postgresql.conf` |
//! | `owner.pid` | pid of the process whose [`Cluster`] runs the server (to tell a live owner from a dead one) |
//! | `postgres.log` | the server log of the current run (`postgres.prev.log`: the run before) |
//! | `s/` | the unix socket folder, only with [`ClusterOptions::unix_socket`] |
//!
//! # Running as root
//!
//! Postgres refuses to run as root. When this process has uid 0, `initdb` and `pg_ctl` run
//! as the `postgres` system user through `runuser -u postgres --` (or `su -s /bin/sh -c ...
//! postgres` where `runuser` is missing); the data dir is chowned to that user and every parent
//! folder that user could not traverse gets `o+x` (logged as a warning).
//!
//! # In tests
//!
//! The `test-support` feature adds `TestCluster` (a throwaway cluster in a temp dir that
//! skips the test when PostgreSQL is missing, or fails it under `EDGEWIRE_REQUIRE_POSTGRES=1`)
//! and `Cluster::create_database` for seeding (`testing.rs`). Crates turn it on in their
//! `[dev-dependencies]`, so it is never part of the shipped app.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Environment variable naming the folder that holds `initdb`, `pg_ctl` and `postgres`.
pub const PG_BIN_ENV: &str = "EDGEWIRE_PG_BIN";
/// Default superuser and database name.
pub const DEFAULT_NAME: &str = "edgewire";
/// Default time allowed for the server to start accepting connections.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_mins(1);

/// Marker file written into the data dir after a successful `initdb`.
const MARKER_FILE: &str = "edgewire-pgcluster";
const MARKER_HEADER: &str = "edgewire-pgcluster 1";
const PGDATA_DIR: &str = "pgdata";
const LOG_FILE: &str = "postgres.log";
/// Pid of the process whose [`Cluster`] runs the server.
const OWNER_FILE: &str = "owner.pid";
const PREV_LOG_FILE: &str = "postgres.prev.log";
const SOCKET_DIR: &str = "s";
const CONF_FILE: &str = "edgewire.conf";
const CONF_INCLUDE: &str = "include_if_exists = 'edgewire.conf'";
/// The system user that runs the server when this process is root.
const POSTGRES_USER: &str = "postgres";
/// Folders searched (after `EDGEWIRE_PG_BIN` and PATH) as `<parent>/<prefix><version>/<sub>`,
/// highest version first.
const VERSIONED_ROOTS: &[(&str, &str, &str)] = &[
    ("/usr/lib/postgresql", "", "bin"),
    ("/usr", "pgsql-", "bin"),
];
/// Longest unix socket path we accept (`sun_path` is 108 bytes on Linux, 104 on macOS,
/// including the trailing NUL).
const MAX_SOCKET_PATH_BYTES: usize = 103;
/// Longest Postgres identifier (`NAMEDATALEN` - 1).
const MAX_NAME_BYTES: usize = 63;
const STOP_TIMEOUT_SECS: u64 = 60;
const LOG_TAIL_LINES: usize = 40;
const LOG_TAIL_BYTES: u64 = 16 * 1024;
const MAX_COMMAND_OUTPUT_BYTES: usize = 4000;
/// Attempts to start on an automatically picked port (another process may take it between
/// our probe and the server's bind).
const AUTO_PORT_ATTEMPTS: usize = 3;
/// Client environment variables that would override the explicit `-h/-p/-U/-d` of our
/// `psql`/`createdb` calls or make them fail against a trust-auth, no-SSL server.
const CLIENT_ENV_TO_CLEAR: &[&str] = &[
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGHOSTADDR",
    "PGOPTIONS",
    "PGSSLMODE",
    "PGREQUIRESSL",
    "PGGSSENCMODE",
    "PGTARGETSESSIONATTRS",
];

mod binaries;
mod error;
mod files;
mod lifecycle;
mod runner;
#[cfg(feature = "test-support")]
mod testing;
#[cfg(test)]
mod tests;

pub use binaries::{PgBinaries, find_binaries};
pub use error::{ClusterError, Result};
#[cfg(feature = "test-support")]
pub use testing::{REQUIRE_POSTGRES_ENV, TestCluster};

use error::io_error;
use files::{ensure_wipeable, remove_contents};
use lifecycle::{check_socket_path, create_data_dir, hand_to_postgres, prepare_socket_dir};
use runner::Runner;

/// How to start a [`Cluster`]. Build with [`ClusterOptions::new`] and change fields.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// A folder the cluster owns (see the module docs for its layout). Created if missing; an
    /// initialized cluster in it is reused, so data persists across restarts.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Database to create if missing (`postgres` always exists).
    pub database: String,
    /// Superuser created by `initdb` and used in the connection string.
    pub user: String,
    /// Wipe the data dir first (only if it is empty or was created by this module).
    pub fresh: bool,
    /// Also listen on a unix socket in `<data_dir>/s` (the path must stay under 103 bytes).
    /// Off by default: TCP on 127.0.0.1 only.
    pub unix_socket: bool,
    /// How long to wait for the server to accept connections.
    pub start_timeout: Duration,
    /// Binaries to use; `None` runs [`find_binaries`].
    pub binaries: Option<PgBinaries>,
    /// Delete the data dir after the server that this start launched has stopped (throwaway
    /// test clusters). A failed start leaves the folder for inspection.
    pub remove_data_dir_on_stop: bool,
}

impl ClusterOptions {
    /// Options for a cluster in `data_dir`: free port, user and database `edgewire`, TCP only,
    /// data kept across restarts.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: 0,
            database: DEFAULT_NAME.to_owned(),
            user: DEFAULT_NAME.to_owned(),
            fresh: false,
            unix_socket: false,
            start_timeout: DEFAULT_START_TIMEOUT,
            binaries: None,
            remove_data_dir_on_stop: false,
        }
    }
}

/// Accepts names that need no quoting in a URL, a shell or SQL: ASCII letters, digits, `_`
/// and `-`, starting with a letter or `_`, at most 63 bytes.
fn validate_name(what: &str, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok && name.len() <= MAX_NAME_BYTES {
        Ok(())
    } else {
        Err(ClusterError::InvalidOption(format!(
            "{what} `{name}` must be 1 to {MAX_NAME_BYTES} ASCII letters, digits, `_` or `-`, \
             starting with a letter or `_`"
        )))
    }
}

/// Whether the server of a [`Cluster`] was launched and is still running. Only a cluster that
/// launched its server may remove the data dir (never one that found it in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerState {
    NotLaunched,
    Running,
    Stopped,
}

/// A running private Postgres server. Stopped by [`Cluster::stop`] or, best effort, on drop.
#[derive(Debug)]
pub struct Cluster {
    binaries: PgBinaries,
    runner: Runner,
    data_dir: PathBuf,
    pgdata: PathBuf,
    log_file: PathBuf,
    socket_dir: Option<PathBuf>,
    port: u16,
    user: String,
    database: String,
    initialized_now: bool,
    server: ServerState,
    remove_data_dir_on_stop: bool,
}

impl Cluster {
    /// Starts the cluster described by `opts` (blocking; see [`Cluster::start_async`]):
    /// finds the binaries, prepares the data dir, runs `initdb` unless the data dir already
    /// holds a cluster, starts the server, waits for it and creates the database.
    ///
    /// # Errors
    /// Any [`ClusterError`]: binaries missing, bad options, a failing `initdb`, a server that
    /// did not start in time (with the tail of its log), a data dir from another version or
    /// superuser, or root without a usable `postgres` user.
    pub fn start(opts: ClusterOptions) -> Result<Self> {
        Self::start_with(opts, Runner::detect)
    }

    fn start_with(opts: ClusterOptions, runner: impl FnOnce() -> Result<Runner>) -> Result<Self> {
        let started = Instant::now();
        validate_name("database name", &opts.database)?;
        validate_name("user name", &opts.user)?;
        let binaries = match opts.binaries {
            Some(binaries) => binaries,
            None => find_binaries()?,
        };
        if opts.unix_socket {
            let absolute = std::path::absolute(&opts.data_dir).map_err(io_error(format!(
                "could not resolve {}",
                opts.data_dir.display()
            )))?;
            check_socket_path(&absolute)?;
        }
        let runner = runner()?;
        let data_dir = create_data_dir(&opts.data_dir)?;
        if opts.fresh {
            ensure_wipeable(&data_dir)?;
        }
        let pgdata = data_dir.join(PGDATA_DIR);
        let log_file = data_dir.join(LOG_FILE);

        let (fresh, unix_socket) = (opts.fresh, opts.unix_socket);
        let mut cluster = Self {
            binaries,
            runner,
            data_dir,
            pgdata,
            log_file,
            socket_dir: None,
            port: opts.port,
            user: opts.user,
            database: opts.database,
            initialized_now: false,
            server: ServerState::NotLaunched,
            remove_data_dir_on_stop: opts.remove_data_dir_on_stop,
        };
        // On error, dropping `cluster` stops a server that did start.
        cluster.bring_up(fresh, unix_socket, opts.port, opts.start_timeout)?;
        tracing::info!(
            connection = %cluster.connection_string(),
            initialized = cluster.initialized_now,
            elapsed_ms = started.elapsed().as_millis(),
            "private PostgreSQL cluster started"
        );
        Ok(cluster)
    }

    /// [`Cluster::start`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Cluster::start`], or [`ClusterError::Task`] if the blocking task failed.
    pub async fn start_async(opts: ClusterOptions) -> Result<Self> {
        tokio::task::spawn_blocking(move || Self::start(opts))
            .await
            .map_err(|err| ClusterError::Task(err.to_string()))?
    }

    /// Stops the server (`pg_ctl stop -m fast -w`, then `-m immediate` if that fails); returns
    /// once all server processes have exited.
    ///
    /// # Errors
    /// [`ClusterError::CommandFailed`] if the server could not be stopped.
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    /// [`Cluster::stop`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Cluster::stop`], or [`ClusterError::Task`] if the blocking task failed.
    pub async fn stop_async(self) -> Result<()> {
        tokio::task::spawn_blocking(move || self.stop())
            .await
            .map_err(|err| ClusterError::Task(err.to_string()))?
    }

    /// `postgres://<user>@127.0.0.1:<port>/<database>` (trust authentication, no password).
    #[must_use]
    pub fn connection_string(&self) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{}",
            self.user, self.port, self.database
        )
    }

    /// The TCP port on 127.0.0.1.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser name.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The database name.
    #[must_use]
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The folder the cluster owns (absolute, symlinks resolved).
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The Postgres data directory inside [`Cluster::data_dir`].
    #[must_use]
    pub fn pgdata(&self) -> &Path {
        &self.pgdata
    }

    /// The server log of the current run.
    #[must_use]
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// The unix socket folder, when [`ClusterOptions::unix_socket`] was set.
    #[must_use]
    pub fn socket_dir(&self) -> Option<&Path> {
        self.socket_dir.as_deref()
    }

    /// The binaries in use.
    #[must_use]
    pub fn binaries(&self) -> &PgBinaries {
        &self.binaries
    }

    /// Whether this start ran `initdb` (a new, empty cluster) rather than reusing one.
    #[must_use]
    pub fn initialized_now(&self) -> bool {
        self.initialized_now
    }

    fn bring_up(
        &mut self,
        fresh: bool,
        unix_socket: bool,
        port: u16,
        timeout: Duration,
    ) -> Result<()> {
        self.take_over_leftover_server()?;
        if fresh {
            remove_contents(&self.data_dir)?;
        }
        if let Some((uid, gid)) = self.runner.owner() {
            hand_to_postgres(&self.data_dir, uid, gid)?;
        }
        if unix_socket {
            self.socket_dir = Some(prepare_socket_dir(&self.data_dir, &self.runner)?);
        }
        self.init_or_reuse()?;
        self.start_server(port, timeout)?;
        let owner_file = self.data_dir.join(OWNER_FILE);
        fs::write(&owner_file, format!("{}\n", std::process::id())).map_err(io_error(format!(
            "could not write {}",
            owner_file.display()
        )))?;
        self.ensure_database()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::warn!(pgdata = %self.pgdata.display(), error = %err, "could not stop the private PostgreSQL server");
        }
    }
}
