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

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Environment variable naming the folder that holds `initdb`, `pg_ctl` and `postgres`.
pub const PG_BIN_ENV: &str = "EDGEWIRE_PG_BIN";
/// Environment variable that turns "Postgres is missing, test skipped" into a test failure.
pub const REQUIRE_POSTGRES_ENV: &str = "EDGEWIRE_REQUIRE_POSTGRES";
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

/// Errors from finding, starting and stopping the private Postgres cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No folder with `initdb`, `pg_ctl` and `postgres` was found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in \
         /usr/lib/postgresql/*/bin. Install PostgreSQL (Debian/Ubuntu: `apt-get install \
         postgresql`; Fedora: `dnf install postgresql-server`; macOS: `brew install \
         postgresql`) or set EDGEWIRE_PG_BIN to the folder that holds initdb, or give the \
         Hyperdrive origin a connection string instead of `auto`."
    )]
    BinariesNotFound,
    /// `EDGEWIRE_PG_BIN` is set but does not point at the server binaries.
    #[error(
        "EDGEWIRE_PG_BIN is set to `{}`, but {problem}. Set EDGEWIRE_PG_BIN to the folder that \
         holds initdb, pg_ctl and postgres (for example /usr/lib/postgresql/15/bin), unset it \
         to search PATH and /usr/lib/postgresql/*/bin, or give the Hyperdrive origin a \
         connection string instead of `auto`.",
        .dir.display()
    )]
    PgBinEnvInvalid {
        /// The folder `EDGEWIRE_PG_BIN` names.
        dir: PathBuf,
        /// What is wrong with it, e.g. "that folder has no executable `pg_ctl`".
        problem: String,
    },
    /// A [`ClusterOptions`] value cannot be used.
    #[error("invalid PostgreSQL cluster option: {0}")]
    InvalidOption(String),
    /// A file system or process-spawning operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A Postgres tool exited unsuccessfully.
    #[error("`{command}` failed ({status}): {output}")]
    CommandFailed {
        /// The command line, for the reader.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its stderr and stdout.
        output: String,
    },
    /// The server did not come up; carries the tail of the server log.
    #[error(
        "PostgreSQL did not start in {}: {reason}. Last lines of {}:\n{log_tail}",
        .pgdata.display(),
        .log_file.display()
    )]
    StartFailed {
        /// The data directory.
        pgdata: PathBuf,
        /// Why we gave up.
        reason: String,
        /// The server log file.
        log_file: PathBuf,
        /// Its last lines.
        log_tail: String,
    },
    /// The data dir was initialized by another Postgres major version.
    #[error(
        "the cluster in {} was initialized by PostgreSQL {data_version}, but the binaries in {} \
         are PostgreSQL {bin_version}. Start it with `fresh` to wipe it, or set EDGEWIRE_PG_BIN \
         to PostgreSQL {data_version} binaries.",
        .data_dir.display(),
        .bin_dir.display()
    )]
    VersionMismatch {
        /// The data dir.
        data_dir: PathBuf,
        /// Major version in `PG_VERSION`.
        data_version: String,
        /// The binaries' folder.
        bin_dir: PathBuf,
        /// Major version of the binaries.
        bin_version: String,
    },
    /// The data dir was initialized with another superuser name.
    #[error(
        "the cluster in {} was initialized with superuser `{existing}`, not `{requested}`; use \
         user `{existing}` or start it with `fresh` to wipe it",
        .data_dir.display()
    )]
    UserMismatch {
        /// The data dir.
        data_dir: PathBuf,
        /// The superuser it was created with.
        existing: String,
        /// The superuser asked for.
        requested: String,
    },
    /// `fresh` was asked for a folder that Edgewire did not create.
    #[error(
        "refusing to wipe {}: it holds files that Edgewire did not create (no `{MARKER_FILE}` \
         marker). Point the data dir at a folder that only Edgewire uses.",
        .dir.display()
    )]
    RefuseToWipe {
        /// The folder.
        dir: PathBuf,
    },
    /// This process is root and the server cannot be run as the `postgres` user.
    #[error(
        "Edgewire runs as root and PostgreSQL refuses to run as root, so the server must run \
         as the `postgres` system user, but {0}. Create that user (`apt-get install \
         postgresql` does, or `useradd --system postgres`), run Edgewire as a non-root user, \
         or give the Hyperdrive origin a connection string instead of `auto`."
    )]
    CannotDropRoot(String),
    /// Neither `createdb` nor `psql` is available to create the database.
    #[error(
        "neither createdb nor psql was found in {} or on PATH, so database `{database}` cannot \
         be created. Install the PostgreSQL client (Debian/Ubuntu: `apt-get install \
         postgresql-client`) or use database `postgres`.",
        .bin_dir.display()
    )]
    NoClientTools {
        /// The binaries' folder.
        bin_dir: PathBuf,
        /// The database that was asked for.
        database: String,
    },
    /// A live process (maybe this one) runs a server on the data dir.
    #[error(
        "the private PostgreSQL cluster in {} is in use by process {pid} (another Edgewire, or \
         a Cluster not yet stopped in this process). Stop it first, or use another data dir.",
        .data_dir.display()
    )]
    InUse {
        /// The data dir.
        data_dir: PathBuf,
        /// The process that started its server.
        pid: u32,
    },
    /// A `spawn_blocking` task panicked or was cancelled.
    #[error("PostgreSQL cluster task failed: {0}")]
    Task(String),
}

/// Result alias for this module.
pub type Result<T, E = ClusterError> = std::result::Result<T, E>;

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

// ---------------------------------------------------------------------------------------------
// Finding the binaries
// ---------------------------------------------------------------------------------------------

/// The Postgres programs the cluster uses. `initdb`, `pg_ctl` and `postgres` come from one
/// folder; `psql` and `createdb` from that folder or else from PATH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    /// The folder that holds `initdb`, `pg_ctl` and `postgres`.
    pub bin_dir: PathBuf,
    /// `initdb`.
    pub initdb: PathBuf,
    /// `pg_ctl`.
    pub pg_ctl: PathBuf,
    /// `postgres`.
    pub postgres: PathBuf,
    /// `psql`, if found.
    pub psql: Option<PathBuf>,
    /// `createdb`, if found.
    pub createdb: Option<PathBuf>,
}

impl PgBinaries {
    /// Uses the server binaries in `dir`.
    ///
    /// # Errors
    /// [`ClusterError::InvalidOption`] naming what is missing when `dir` lacks an executable
    /// `initdb`, `pg_ctl` or `postgres`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        probe_dir(dir, std::env::var_os("PATH").as_deref()).map_err(|missing| {
            ClusterError::InvalidOption(format!("{} has no {}", dir.display(), missing.join(", ")))
        })
    }
}

/// Finds the Postgres binaries: the folder in `EDGEWIRE_PG_BIN` if set (and only there),
/// else the first PATH entry holding `initdb`, `pg_ctl` and `postgres`, else
/// `/usr/lib/postgresql/<version>/bin` and `/usr/pgsql-<version>/bin`, highest version first.
///
/// # Errors
/// [`ClusterError::PgBinEnvInvalid`] when `EDGEWIRE_PG_BIN` is set but wrong,
/// [`ClusterError::BinariesNotFound`] (saying what to install or set) when nothing is found.
pub fn find_binaries() -> Result<PgBinaries> {
    let roots: Vec<(PathBuf, &str, &str)> = VERSIONED_ROOTS
        .iter()
        .map(|&(parent, prefix, sub)| (PathBuf::from(parent), prefix, sub))
        .collect();
    find_binaries_in(
        std::env::var_os(PG_BIN_ENV).as_deref(),
        std::env::var_os("PATH").as_deref(),
        &roots,
    )
}

/// [`find_binaries`] with its inputs explicit: the value of `EDGEWIRE_PG_BIN`, the value of
/// PATH, and the versioned roots as `(parent, name_prefix, sub)`.
fn find_binaries_in(
    pg_bin_env: Option<&OsStr>,
    path_env: Option<&OsStr>,
    versioned_roots: &[(PathBuf, &str, &str)],
) -> Result<PgBinaries> {
    if let Some(dir) = pg_bin_env.filter(|dir| !dir.is_empty()) {
        let dir = PathBuf::from(dir);
        return probe_dir(&dir, path_env).map_err(|missing| {
            let problem = if dir.is_dir() {
                format!("that folder has no executable {}", missing.join(", "))
            } else {
                "that folder does not exist".to_owned()
            };
            ClusterError::PgBinEnvInvalid { dir, problem }
        });
    }
    let on_path = path_env
        .map(|path| std::env::split_paths(path).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .filter(|dir| !dir.as_os_str().is_empty())
        .chain(versioned_candidates(versioned_roots))
        .find_map(|dir| probe_dir(&dir, path_env).ok())
        .ok_or(ClusterError::BinariesNotFound)
}

/// `<parent>/<prefix><version>/<sub>` for every version found, highest version first.
fn versioned_candidates(roots: &[(PathBuf, &str, &str)]) -> Vec<PathBuf> {
    let mut found: Vec<(Option<Vec<u64>>, PathBuf)> = Vec::new();
    for (parent, prefix, sub) in roots {
        let Ok(entries) = fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else {
                continue;
            };
            if version.is_empty() {
                continue;
            }
            found.push((parse_version(version), entry.path().join(sub)));
        }
    }
    // Highest version first; unparsable versions last; ties in path order for determinism.
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, path)| path).collect()
}

fn parse_version(version: &str) -> Option<Vec<u64>> {
    version.split('.').map(|part| part.parse().ok()).collect()
}

fn exe_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The binaries in `dir`, or the names of the server binaries it lacks.
fn probe_dir(dir: &Path, path_env: Option<&OsStr>) -> Result<PgBinaries, Vec<&'static str>> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let find = |name: &str| {
        let path = dir.join(exe_name(name));
        is_executable(&path).then_some(path)
    };
    let (initdb, pg_ctl, postgres) = (find("initdb"), find("pg_ctl"), find("postgres"));
    let (Some(initdb), Some(pg_ctl), Some(postgres)) =
        (initdb.clone(), pg_ctl.clone(), postgres.clone())
    else {
        let missing = [
            ("initdb", initdb),
            ("pg_ctl", pg_ctl),
            ("postgres", postgres),
        ]
        .into_iter()
        .filter(|(_, found)| found.is_none())
        .map(|(name, _)| name)
        .collect();
        return Err(missing);
    };
    let psql = find("psql").or_else(|| find_on_path("psql", path_env));
    let createdb = find("createdb").or_else(|| find_on_path("createdb", path_env));
    Ok(PgBinaries {
        bin_dir: dir.clone(),
        initdb,
        pg_ctl,
        postgres,
        psql,
        createdb,
    })
}

fn find_on_path(name: &str, path_env: Option<&OsStr>) -> Option<PathBuf> {
    let path_env = path_env?;
    std::env::split_paths(path_env)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(exe_name(name)))
        .find(|path| is_executable(path))
        .map(|path| std::path::absolute(&path).unwrap_or(path))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && has_exec_bit(&meta))
}

#[cfg(unix)]
fn has_exec_bit(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn has_exec_bit(_meta: &fs::Metadata) -> bool {
    true
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Running commands, possibly as the postgres user
// ---------------------------------------------------------------------------------------------

/// How the server-side tools (`initdb`, `pg_ctl`) are run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Runner {
    /// As this process's user.
    Direct,
    /// As the `postgres` system user (this process is root).
    AsPostgres {
        tool: SwitchUser,
        uid: u32,
        gid: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SwitchUser {
    /// `runuser -u postgres -- program args...`
    Runuser(PathBuf),
    /// `su -s /bin/sh -c 'exec program args...' postgres`
    Su(PathBuf),
}

impl Runner {
    fn detect() -> Result<Self> {
        if !running_as_root() {
            return Ok(Self::Direct);
        }
        let (uid, gid) = lookup_user(POSTGRES_USER).ok_or_else(|| {
            ClusterError::CannotDropRoot(format!("there is no `{POSTGRES_USER}` user"))
        })?;
        if uid == 0 {
            return Err(ClusterError::CannotDropRoot(format!(
                "the `{POSTGRES_USER}` user has uid 0"
            )));
        }
        let tool = find_system_tool("runuser")
            .map(SwitchUser::Runuser)
            .or_else(|| find_system_tool("su").map(SwitchUser::Su))
            .ok_or_else(|| {
                ClusterError::CannotDropRoot(
                    "neither `runuser` nor `su` was found (install util-linux)".to_owned(),
                )
            })?;
        tracing::debug!(
            ?tool,
            uid,
            gid,
            "running as root: PostgreSQL will run as `postgres`"
        );
        Ok(Self::AsPostgres { tool, uid, gid })
    }

    fn command(&self, program: &Path, args: &[&OsStr]) -> Command {
        match self {
            Self::Direct => {
                let mut command = Command::new(program);
                command.args(args);
                command
            }
            Self::AsPostgres {
                tool: SwitchUser::Runuser(runuser),
                ..
            } => {
                let mut command = Command::new(runuser);
                command
                    .args(["-u", POSTGRES_USER, "--"])
                    .arg(program)
                    .args(args);
                command
            }
            Self::AsPostgres {
                tool: SwitchUser::Su(su),
                ..
            } => {
                let mut script = OsString::from("exec");
                for word in std::iter::once(program.as_os_str()).chain(args.iter().copied()) {
                    script.push(" ");
                    script.push(shell_quote(word));
                }
                let mut command = Command::new(su);
                command
                    .args(["-s", "/bin/sh", "-c"])
                    .arg(script)
                    .arg(POSTGRES_USER);
                command
            }
        }
    }

    fn owner(&self) -> Option<(u32, u32)> {
        match self {
            Self::Direct => None,
            Self::AsPostgres { uid, gid, .. } => Some((*uid, *gid)),
        }
    }
}

/// Quotes `word` for `/bin/sh` with single quotes.
#[cfg(unix)]
fn shell_quote(word: &OsStr) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut quoted = Vec::with_capacity(word.len() + 2);
    quoted.push(b'\'');
    for &byte in word.as_bytes() {
        if byte == b'\'' {
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(byte);
        }
    }
    quoted.push(b'\'');
    OsString::from_vec(quoted)
}

#[cfg(not(unix))]
fn shell_quote(word: &OsStr) -> OsString {
    OsString::from(format!(
        "'{}'",
        word.to_string_lossy().replace('\'', "'\\''")
    ))
}

/// `runuser`/`su`: PATH first, then the usual system folders (a CI PATH may lack `/usr/sbin`).
fn find_system_tool(name: &str) -> Option<PathBuf> {
    find_on_path(name, std::env::var_os("PATH").as_deref()).or_else(|| {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
            .iter()
            .map(|dir| Path::new(dir).join(name))
            .find(|path| is_executable(path))
    })
}

/// Whether the effective uid is 0, from `/proc/self/status` (Linux) or `id -u`.
#[cfg(unix)]
fn running_as_root() -> bool {
    if let Some(euid) = fs::read_to_string("/proc/self/status")
        .ok()
        .as_deref()
        .and_then(effective_uid_from_status)
    {
        return euid == 0;
    }
    Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

/// The effective uid from the `Uid:` line (real, effective, saved, fs) of `/proc/<pid>/status`.
fn effective_uid_from_status(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
}

/// `(uid, gid)` of a system user, from `getent passwd` or `/etc/passwd`.
fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let from_getent = Command::new("getent")
        .args(["passwd", name])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
    let passwd = from_getent.or_else(|| fs::read_to_string("/etc/passwd").ok())?;
    passwd
        .lines()
        .find_map(|line| parse_passwd_line(line, name))
}

fn parse_passwd_line(line: &str, name: &str) -> Option<(u32, u32)> {
    let mut fields = line.split(':');
    if fields.next()? != name {
        return None;
    }
    let _password = fields.next()?;
    let uid = fields.next()?.parse().ok()?;
    let gid = fields.next()?.parse().ok()?;
    Some((uid, gid))
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` to completion with stdin closed and the cwd at `/` (the `postgres` user may
/// not be able to enter ours); fails unless it exits with 0.
fn run(command: &mut Command) -> Result<Output> {
    let output = run_status(command)?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(command_failed(command, &output))
    }
}

/// Like [`run`] but returns the output whatever the exit status.
fn run_status(command: &mut Command) -> Result<Output> {
    command.stdin(Stdio::null()).current_dir("/");
    let description = describe(command);
    tracing::debug!(command = %description, "running");
    command
        .output()
        .map_err(io_error(format!("could not run `{description}`")))
}

fn command_failed(command: &Command, output: &Output) -> ClusterError {
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stdout.trim());
    }
    ClusterError::CommandFailed {
        command: describe(command),
        status: output.status.to_string(),
        output: tail_chars(&text, MAX_COMMAND_OUTPUT_BYTES).to_owned(),
    }
}

/// The last at most `max_bytes` bytes of `text`, cut at a char boundary.
fn tail_chars(text: &str, max_bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(max_bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

// ---------------------------------------------------------------------------------------------
// Files and permissions
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    user: String,
}

fn read_marker(data_dir: &Path) -> Result<Option<Marker>> {
    let path = data_dir.join(MARKER_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(parse_marker(&text)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(io_error(format!("could not read {}", path.display()))(err)),
    }
}

fn parse_marker(text: &str) -> Option<Marker> {
    let mut lines = text.lines();
    if lines.next()? != MARKER_HEADER {
        return None;
    }
    let user = lines.find_map(|line| line.strip_prefix("user="))?;
    Some(Marker {
        user: user.to_owned(),
    })
}

fn write_marker(data_dir: &Path, marker: &Marker) -> Result<()> {
    let path = data_dir.join(MARKER_FILE);
    let text = format!("{MARKER_HEADER}\nuser={}\n", marker.user);
    fs::write(&path, text).map_err(io_error(format!("could not write {}", path.display())))
}

/// Fails unless `dir` is safe to wipe: empty, marked as ours, or holding only our entries.
fn ensure_wipeable(dir: &Path) -> Result<()> {
    let entries =
        fs::read_dir(dir).map_err(io_error(format!("could not list {}", dir.display())))?;
    let mut ours = true;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("could not list {}", dir.display())))?;
        let name = entry.file_name();
        if name == MARKER_FILE {
            return Ok(());
        }
        ours &= [PGDATA_DIR, LOG_FILE, PREV_LOG_FILE, SOCKET_DIR, OWNER_FILE]
            .iter()
            .any(|ours| name == *ours);
    }
    if ours {
        Ok(())
    } else {
        Err(ClusterError::RefuseToWipe {
            dir: dir.to_path_buf(),
        })
    }
}

/// Removes everything inside `dir` (the folder itself stays: it may be a mount point).
fn remove_contents(dir: &Path) -> Result<()> {
    let entries =
        fs::read_dir(dir).map_err(io_error(format!("could not list {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("could not list {}", dir.display())))?;
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        let removed = if is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(io_error(format!("could not remove {}", path.display())))?;
    }
    Ok(())
}

/// The last lines of the server log, or a note saying why it could not be read.
fn log_tail(path: &Path) -> String {
    let read = || -> io::Result<String> {
        let mut file = fs::File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
            if tail.trim().is_empty() {
                "(the log is empty)".to_owned()
            } else {
                tail
            }
        }
        Err(err) => format!("(could not read the log: {err})"),
    }
}

/// A string literal for `postgresql.conf`.
fn conf_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

fn conf_text(port: u16, socket_dir: Option<&Path>) -> String {
    let sockets = socket_dir
        .map(|dir| dir.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "# Written by Edgewire on every start of its private cluster; edits are overwritten.\n\
         listen_addresses = '127.0.0.1'\n\
         port = {port}\n\
         unix_socket_directories = {}\n\
         # A throwaway development cluster: durability is not needed.\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n",
        conf_quote(&sockets)
    )
}

/// Major version in `pg_ctl --version` output (`pg_ctl (PostgreSQL) 15.13 (Debian ...)`):
/// "15", or "9.6" before version 10.
fn major_from_version_output(output: &str) -> Option<String> {
    let version = output
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let first: u64 = parts.next()?.parse().ok()?;
    if first >= 10 {
        Some(first.to_string())
    } else {
        let second: u64 = parts.next()?.parse().ok()?;
        Some(format!("{first}.{second}"))
    }
}

#[cfg(unix)]
mod perms {
    use super::{Result, io_error};
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

    /// Chowns `path` and everything under it to `uid:gid` (symlinks themselves, not targets).
    pub(super) fn chown_tree(path: &Path, uid: u32, gid: u32) -> Result<()> {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))
            .map_err(io_error(format!("could not chown {}", path.display())))?;
        let meta = fs::symlink_metadata(path)
            .map_err(io_error(format!("could not stat {}", path.display())))?;
        if meta.is_dir() {
            let entries = fs::read_dir(path)
                .map_err(io_error(format!("could not list {}", path.display())))?;
            for entry in entries {
                let entry =
                    entry.map_err(io_error(format!("could not list {}", path.display())))?;
                chown_tree(&entry.path(), uid, gid)?;
            }
        }
        Ok(())
    }

    pub(super) fn owner_uid(path: &Path) -> Option<u32> {
        fs::symlink_metadata(path).ok().map(|meta| meta.uid())
    }

    /// Gives every ancestor of `dir` that `uid:gid` cannot traverse the `o+x` bit.
    pub(super) fn make_ancestors_traversable(dir: &Path, uid: u32, gid: u32) -> Result<()> {
        for ancestor in dir.ancestors().skip(1) {
            let meta = fs::metadata(ancestor)
                .map_err(io_error(format!("could not stat {}", ancestor.display())))?;
            let mode = meta.permissions().mode();
            let traversable = (meta.uid() == uid && mode & 0o100 != 0)
                || (meta.gid() == gid && mode & 0o010 != 0)
                || mode & 0o001 != 0;
            if !traversable {
                tracing::warn!(
                    folder = %ancestor.display(),
                    "adding o+x so that the `postgres` user can reach the PostgreSQL data dir"
                );
                fs::set_permissions(ancestor, fs::Permissions::from_mode(mode | 0o001)).map_err(
                    io_error(format!(
                        "could not make {} traversable for the `postgres` user",
                        ancestor.display()
                    )),
                )?;
            }
        }
        Ok(())
    }

    /// Sets `path`'s mode (used for the socket folder).
    pub(super) fn set_mode(path: &Path, mode: u32) -> Result<()> {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(io_error(format!("could not chmod {}", path.display())))
    }
}

#[cfg(not(unix))]
mod perms {
    use super::Result;
    use std::path::Path;

    pub(super) fn chown_tree(_path: &Path, _uid: u32, _gid: u32) -> Result<()> {
        Ok(())
    }
    pub(super) fn owner_uid(_path: &Path) -> Option<u32> {
        None
    }
    pub(super) fn make_ancestors_traversable(_dir: &Path, _uid: u32, _gid: u32) -> Result<()> {
        Ok(())
    }
    pub(super) fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
        Ok(())
    }
}

/// Picks a free TCP port on 127.0.0.1 by binding port 0 and releasing it.
fn pick_free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_error("could not bind 127.0.0.1:0 to pick a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io_error("could not read the picked port"))?
        .port();
    Ok(port)
}

// ---------------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------------

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

    fn pg_ctl(&self, args: &[&OsStr]) -> Command {
        self.runner.command(&self.binaries.pg_ctl, args)
    }

    /// Reuses an initialized data dir (after checking its version and superuser) or runs
    /// `initdb`.
    fn init_or_reuse(&mut self) -> Result<()> {
        let marker = read_marker(&self.data_dir)?;
        let pg_version_file = self.pgdata.join("PG_VERSION");
        if let Some(marker) = marker.filter(|_| pg_version_file.is_file()) {
            if marker.user != self.user {
                return Err(ClusterError::UserMismatch {
                    data_dir: self.data_dir.clone(),
                    existing: marker.user,
                    requested: self.user.clone(),
                });
            }
            return self.check_version(&pg_version_file);
        }
        if self.pgdata.exists() {
            tracing::warn!(
                pgdata = %self.pgdata.display(),
                "removing an incomplete PostgreSQL data dir (initdb did not finish)"
            );
            fs::remove_dir_all(&self.pgdata).map_err(io_error(format!(
                "could not remove {}",
                self.pgdata.display()
            )))?;
        }
        let started = Instant::now();
        let user_arg = format!("--username={}", self.user);
        let args: [&OsStr; 8] = [
            "-D".as_ref(),
            self.pgdata.as_os_str(),
            "--auth=trust".as_ref(),
            user_arg.as_ref(),
            "-E".as_ref(),
            "UTF8".as_ref(),
            "--locale=C".as_ref(),
            // A throwaway cluster: skip initdb's fsync of every file.
            "--no-sync".as_ref(),
        ];
        let mut initdb = self.runner.command(&self.binaries.initdb, &args);
        run(&mut initdb)?;
        let conf = self.pgdata.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)
            .map_err(io_error(format!("could not read {}", conf.display())))?;
        text.push_str("\n# Edgewire's settings, rewritten on every start.\n");
        text.push_str(CONF_INCLUDE);
        text.push('\n');
        fs::write(&conf, text).map_err(io_error(format!("could not write {}", conf.display())))?;
        write_marker(
            &self.data_dir,
            &Marker {
                user: self.user.clone(),
            },
        )?;
        self.initialized_now = true;
        tracing::info!(
            pgdata = %self.pgdata.display(),
            elapsed_ms = started.elapsed().as_millis(),
            "initdb finished"
        );
        Ok(())
    }

    fn check_version(&self, pg_version_file: &Path) -> Result<()> {
        let data_version = fs::read_to_string(pg_version_file)
            .map_err(io_error(format!(
                "could not read {}",
                pg_version_file.display()
            )))?
            .trim()
            .to_owned();
        // `--version` is answered before pg_ctl's root check, so no runner is needed.
        let output = run(Command::new(&self.binaries.pg_ctl).arg("--version"))?;
        let Some(bin_version) = major_from_version_output(&String::from_utf8_lossy(&output.stdout))
        else {
            return Ok(());
        };
        if bin_version == data_version {
            Ok(())
        } else {
            Err(ClusterError::VersionMismatch {
                data_dir: self.data_dir.clone(),
                data_version,
                bin_dir: self.binaries.bin_dir.clone(),
                bin_version,
            })
        }
    }

    /// A server still running on our data dir whose owner process is gone was left by a
    /// process that could not stop it (killed, crashed): stop it so that we can start with our
    /// settings. One whose owner is alive is in use.
    fn take_over_leftover_server(&self) -> Result<()> {
        if !self.pgdata.join("postmaster.pid").exists() || !self.server_running() {
            // No server, or a stale pid file from a crash, which the server itself handles.
            return Ok(());
        }
        if let Some(pid) = read_owner_pid(&self.data_dir)
            && process_alive(pid)
        {
            return Err(ClusterError::InUse {
                data_dir: self.data_dir.clone(),
                pid,
            });
        }
        tracing::warn!(
            pgdata = %self.pgdata.display(),
            "stopping a PostgreSQL server left running on this data dir by an earlier run"
        );
        self.stop_server()
    }

    fn write_conf(&self, port: u16) -> Result<()> {
        let path = self.pgdata.join(CONF_FILE);
        fs::write(&path, conf_text(port, self.socket_dir.as_deref()))
            .map_err(io_error(format!("could not write {}", path.display())))?;
        if let Some((uid, gid)) = self.runner.owner() {
            perms::chown_tree(&path, uid, gid)?;
        }
        Ok(())
    }

    /// Keeps the previous run's log as `postgres.prev.log` so that the log tail in errors
    /// shows this run only.
    fn rotate_log(&self) -> Result<()> {
        if self.log_file.exists() {
            let previous = self.data_dir.join(PREV_LOG_FILE);
            fs::rename(&self.log_file, &previous).map_err(io_error(format!(
                "could not rename {}",
                self.log_file.display()
            )))?;
        }
        Ok(())
    }

    fn start_server(&mut self, requested_port: u16, timeout: Duration) -> Result<()> {
        let attempts = if requested_port == 0 {
            AUTO_PORT_ATTEMPTS
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let port = if requested_port == 0 {
                pick_free_port()?
            } else {
                requested_port
            };
            match self.start_server_on(port, timeout) {
                Ok(()) => return Ok(()),
                Err(ClusterError::StartFailed { log_tail, .. })
                    if attempt < attempts && port_was_taken(&log_tail) =>
                {
                    tracing::debug!(port, "picked port was taken meanwhile; trying another");
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    fn start_server_on(&mut self, port: u16, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        self.port = port;
        self.write_conf(port)?;
        self.rotate_log()?;
        let timeout_secs = timeout.as_secs().max(1).to_string();
        let result = run(&mut self.pg_ctl(&[
            "start".as_ref(),
            "-D".as_ref(),
            self.pgdata.as_os_str(),
            "-l".as_ref(),
            self.log_file.as_os_str(),
            "-w".as_ref(),
            "-t".as_ref(),
            timeout_secs.as_ref(),
            "-s".as_ref(),
        ]));
        // From here on a server may be running: make stop/drop take care of it.
        self.server = ServerState::Running;
        if let Err(err) = result {
            return Err(self.start_failed(format!("pg_ctl start failed: {err}")));
        }
        let deadline = started + timeout;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok() {
                break;
            }
            if Instant::now() >= deadline {
                return Err(self.start_failed(format!(
                    "the server did not accept TCP connections on {address} within {timeout:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        tracing::debug!(
            port,
            elapsed_ms = started.elapsed().as_millis(),
            "server accepts connections"
        );
        Ok(())
    }

    /// Stops whatever started (best effort) and builds the error with the log tail.
    fn start_failed(&mut self, reason: String) -> ClusterError {
        let log_tail = log_tail(&self.log_file);
        if let Err(err) = self.stop_server_with_mode("immediate") {
            tracing::debug!(error = %err, "stopping after a failed start");
        }
        if !self.server_running() {
            self.server = ServerState::Stopped;
        }
        ClusterError::StartFailed {
            pgdata: self.pgdata.clone(),
            reason,
            log_file: self.log_file.clone(),
            log_tail,
        }
    }

    fn ensure_database(&self) -> Result<()> {
        if self.database == "postgres" {
            return Ok(());
        }
        let port = self.port.to_string();
        let client = |program: &Path| {
            let mut command = Command::new(program);
            for name in CLIENT_ENV_TO_CLEAR {
                command.env_remove(name);
            }
            command.env("PGCONNECT_TIMEOUT", "10").args([
                "-w",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                &self.user,
            ]);
            command
        };
        if !self.initialized_now
            && let Some(psql) = &self.binaries.psql
        {
            let sql = format!(
                "SELECT 1 FROM pg_database WHERE datname = '{}'",
                self.database
            );
            let output =
                run(client(psql).args(["-X", "-q", "-A", "-t", "-d", "postgres", "-c", &sql]))?;
            if String::from_utf8_lossy(&output.stdout).trim() == "1" {
                return Ok(());
            }
        }
        let result = if let Some(createdb) = &self.binaries.createdb {
            run(client(createdb).arg(&self.database))
        } else if let Some(psql) = &self.binaries.psql {
            // Names are validated to `[A-Za-z_][A-Za-z0-9_-]*`: quoting is enough.
            let sql = format!("CREATE DATABASE \"{}\"", self.database);
            run(client(psql).args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                "postgres",
                "-c",
                &sql,
            ]))
        } else {
            return Err(ClusterError::NoClientTools {
                bin_dir: self.binaries.bin_dir.clone(),
                database: self.database.clone(),
            });
        };
        match result {
            Ok(_) => Ok(()),
            Err(ClusterError::CommandFailed { output, .. })
                if output.contains("already exists") =>
            {
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    fn server_running(&self) -> bool {
        // pg_ctl status: 0 running, 3 not running, 4 no data dir.
        run_status(&mut self.pg_ctl(&["status".as_ref(), "-D".as_ref(), self.pgdata.as_os_str()]))
            .map_or(true, |output| output.status.success())
    }

    fn stop_server_with_mode(&self, mode: &str) -> Result<()> {
        let timeout_secs = STOP_TIMEOUT_SECS.to_string();
        run(&mut self.pg_ctl(&[
            "stop".as_ref(),
            "-D".as_ref(),
            self.pgdata.as_os_str(),
            "-m".as_ref(),
            mode.as_ref(),
            "-w".as_ref(),
            "-t".as_ref(),
            timeout_secs.as_ref(),
            "-s".as_ref(),
        ]))
        .map(|_| ())
    }

    /// `-m fast`, then `-m immediate`; succeeds when no server runs on the data dir anymore.
    fn stop_server(&self) -> Result<()> {
        let started = Instant::now();
        let fast = self.stop_server_with_mode("fast");
        let result = match fast {
            Ok(()) => Ok(()),
            Err(_) if !self.server_running() => Ok(()),
            Err(fast_err) => {
                tracing::warn!(error = %fast_err, "fast shutdown failed; trying immediate");
                self.stop_server_with_mode("immediate")
            }
        };
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis(),
            ok = result.is_ok(),
            "server stopped"
        );
        result
    }

    fn shutdown(&mut self) -> Result<()> {
        let result = if self.server == ServerState::Running {
            let result = self.stop_server();
            if result.is_ok() || !self.server_running() {
                self.server = ServerState::Stopped;
                // Best effort: a stale owner file only names a dead (or reused) pid.
                let _ = fs::remove_file(self.data_dir.join(OWNER_FILE));
            }
            result
        } else {
            Ok(())
        };
        if self.remove_data_dir_on_stop
            && self.server == ServerState::Stopped
            && self.data_dir.exists()
            && let Err(err) = fs::remove_dir_all(&self.data_dir)
        {
            tracing::warn!(data_dir = %self.data_dir.display(), error = %err, "could not remove the data dir");
        }
        result
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::warn!(pgdata = %self.pgdata.display(), error = %err, "could not stop the private PostgreSQL server");
        }
    }
}

fn port_was_taken(log_tail: &str) -> bool {
    [
        "could not bind",
        "Address already in use",
        "could not create any TCP/IP sockets",
    ]
    .iter()
    .any(|needle| log_tail.contains(needle))
}

/// Creates the data dir; returns its absolute, symlink-free path.
fn create_data_dir(dir: &Path) -> Result<PathBuf> {
    if dir.as_os_str().is_empty() {
        return Err(ClusterError::InvalidOption(
            "the data dir must not be empty".to_owned(),
        ));
    }
    fs::create_dir_all(dir).map_err(io_error(format!("could not create {}", dir.display())))?;
    fs::canonicalize(dir).map_err(io_error(format!("could not resolve {}", dir.display())))
}

/// As root: lets `uid:gid` (the `postgres` user) reach and own the data dir.
fn hand_to_postgres(dir: &Path, uid: u32, gid: u32) -> Result<()> {
    perms::make_ancestors_traversable(dir, uid, gid)?;
    let pgdata = dir.join(PGDATA_DIR);
    let wrong_owner = |path: &Path| perms::owner_uid(path).is_some_and(|owner| owner != uid);
    if wrong_owner(dir) || wrong_owner(&pgdata) {
        perms::chown_tree(dir, uid, gid)?;
    }
    Ok(())
}

fn check_socket_path(data_dir: &Path) -> Result<()> {
    let longest = data_dir.join(SOCKET_DIR).join(".s.PGSQL.65535");
    let len = longest.as_os_str().len();
    if len > MAX_SOCKET_PATH_BYTES {
        return Err(ClusterError::InvalidOption(format!(
            "the unix socket path {} would be {len} bytes, over the {MAX_SOCKET_PATH_BYTES}-byte \
             limit; use a shorter data dir or turn `unix_socket` off (TCP is always on)",
            longest.display()
        )));
    }
    Ok(())
}

fn read_owner_pid(data_dir: &Path) -> Option<u32> {
    fs::read_to_string(data_dir.join(OWNER_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Whether process `pid` exists: `/proc/<pid>` where there is a `/proc`, else `kill -0`.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn prepare_socket_dir(data_dir: &Path, runner: &Runner) -> Result<PathBuf> {
    check_socket_path(data_dir)?;
    let socket_dir = data_dir.join(SOCKET_DIR);
    fs::create_dir_all(&socket_dir).map_err(io_error(format!(
        "could not create {}",
        socket_dir.display()
    )))?;
    perms::set_mode(&socket_dir, 0o700)?;
    if let Some((uid, gid)) = runner.owner() {
        perms::chown_tree(&socket_dir, uid, gid)?;
    }
    Ok(socket_dir)
}

// ---------------------------------------------------------------------------------------------
// For tests in other crates
// ---------------------------------------------------------------------------------------------

/// Starts throwaway clusters for tests: skips (printing why) when Postgres is missing, and
/// fails instead when `EDGEWIRE_REQUIRE_POSTGRES=1`.
#[derive(Debug)]
pub struct TestCluster;

impl TestCluster {
    /// A fresh cluster in a new folder under the system temp dir, removed when the cluster is
    /// stopped or dropped; `None` (after printing why) when Postgres is not installed.
    ///
    /// # Panics
    /// When Postgres is missing and `EDGEWIRE_REQUIRE_POSTGRES=1`, or when it is installed
    /// but the cluster does not start.
    #[must_use]
    pub fn start_for_tests() -> Option<Cluster> {
        Self::start_for_tests_with(|_| {})
    }

    /// [`TestCluster::start_for_tests`] with a chance to change the options (database name,
    /// unix socket, ...) before the start.
    ///
    /// # Panics
    /// As [`TestCluster::start_for_tests`].
    #[must_use]
    pub fn start_for_tests_with(configure: impl FnOnce(&mut ClusterOptions)) -> Option<Cluster> {
        let binaries = Self::binaries_for_tests()?;
        let dir = match unique_temp_dir() {
            Ok(dir) => dir,
            Err(err) => panic!("could not create a folder for a test PostgreSQL cluster: {err}"),
        };
        let mut opts = ClusterOptions::new(&dir);
        opts.binaries = Some(binaries);
        opts.remove_data_dir_on_stop = true;
        configure(&mut opts);
        match Cluster::start(opts) {
            Ok(cluster) => Some(cluster),
            Err(err) => {
                // Best effort; the cluster was never handed out, so nothing else removes it.
                let _ = fs::remove_dir_all(&dir);
                if matches!(err, ClusterError::CannotDropRoot(_)) {
                    Self::skip_or_fail(&err)
                } else {
                    panic!("the test PostgreSQL cluster did not start: {err}")
                }
            }
        }
    }

    /// The binaries, or `None` after printing why the test is skipped.
    ///
    /// # Panics
    /// When they are missing and `EDGEWIRE_REQUIRE_POSTGRES=1`.
    #[must_use]
    pub fn binaries_for_tests() -> Option<PgBinaries> {
        match find_binaries() {
            Ok(binaries) => Some(binaries),
            Err(err) => Self::skip_or_fail(&err),
        }
    }

    /// Whether `EDGEWIRE_REQUIRE_POSTGRES` asks for Postgres tests to fail, not skip.
    #[must_use]
    pub fn postgres_required() -> bool {
        std::env::var(REQUIRE_POSTGRES_ENV).is_ok_and(|value| {
            let value = value.trim();
            !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
        })
    }

    fn skip_or_fail<T>(err: &ClusterError) -> Option<T> {
        assert!(
            !Self::postgres_required(),
            "{REQUIRE_POSTGRES_ENV} is set and PostgreSQL is not usable: {err}"
        );
        // Straight to stderr, not `eprintln!`: the test harness captures the macro's output
        // of passing tests, and the reason for a skip must be seen.
        let _ = writeln!(
            io::stderr(),
            "skipping: this test needs PostgreSQL: {err} ({REQUIRE_POSTGRES_ENV}=1 makes this a failure)"
        );
        None
    }
}

/// `<temp>/edgewire-pg-<pid>-<n>`, created new (short, so unix socket paths stay short).
fn unique_temp_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("edgewire-pg-{}-{n}-{nanos:x}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn fake_bin_dir(root: &Path, name: &str, programs: &[&str]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = root.join(name);
        fs::create_dir_all(&dir).expect("mkdir");
        for program in programs {
            let path = dir.join(program);
            fs::write(&path, "#!/bin/sh\n").expect("write");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        dir
    }

    const SERVER: &[&str] = &["initdb", "pg_ctl", "postgres"];

    #[cfg(unix)]
    #[test]
    fn env_dir_wins_over_path() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let env_dir = fake_bin_dir(tmp.path(), "env", SERVER);
        let path_dir = fake_bin_dir(
            tmp.path(),
            "path",
            &["initdb", "pg_ctl", "postgres", "psql"],
        );
        let found = find_binaries_in(Some(env_dir.as_os_str()), Some(path_dir.as_os_str()), &[])
            .expect("found");
        assert_eq!(found.bin_dir, env_dir);
        assert_eq!(found.initdb, env_dir.join("initdb"));
        // psql is not in the env dir: taken from PATH.
        assert_eq!(found.psql, Some(path_dir.join("psql")));
        assert_eq!(found.createdb, None);
    }

    #[cfg(unix)]
    #[test]
    fn bogus_env_dir_is_an_error_even_when_path_has_postgres() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path_dir = fake_bin_dir(tmp.path(), "path", SERVER);
        let missing = tmp.path().join("nope");
        let err = find_binaries_in(Some(missing.as_os_str()), Some(path_dir.as_os_str()), &[])
            .expect_err("bogus env");
        let text = err.to_string();
        assert!(text.contains("EDGEWIRE_PG_BIN is set to"), "{text}");
        assert!(text.contains("does not exist"), "{text}");

        let partial = fake_bin_dir(tmp.path(), "partial", &["initdb"]);
        let err = find_binaries_in(Some(partial.as_os_str()), None, &[]).expect_err("partial");
        assert!(
            err.to_string()
                .contains("has no executable pg_ctl, postgres"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn empty_env_is_ignored_and_path_needs_all_three() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let client_only = fake_bin_dir(tmp.path(), "client", &["psql"]);
        let server = fake_bin_dir(tmp.path(), "server", SERVER);
        let path = std::env::join_paths([&client_only, &server]).expect("join");
        let found = find_binaries_in(Some(OsStr::new("")), Some(&path), &[]).expect("found");
        assert_eq!(found.bin_dir, server);
        assert_eq!(found.psql, Some(client_only.join("psql")));
    }

    #[cfg(unix)]
    #[test]
    fn not_executable_does_not_count() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = fake_bin_dir(tmp.path(), "bin", SERVER);
        fs::set_permissions(dir.join("postgres"), fs::Permissions::from_mode(0o644))
            .expect("chmod");
        let err = find_binaries_in(None, Some(dir.as_os_str()), &[]).expect_err("not executable");
        assert!(matches!(err, ClusterError::BinariesNotFound));
    }

    #[cfg(unix)]
    #[test]
    fn versioned_roots_highest_version_first() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let lib = tmp.path().join("lib");
        for version in ["9.6", "10", "15", "16"] {
            fake_bin_dir(&lib, &format!("{version}/bin"), SERVER);
        }
        fake_bin_dir(&lib, "17/bin", &["psql"]); // client only: skipped
        fs::create_dir_all(lib.join("common")).expect("mkdir");
        let roots = [(lib.clone(), "", "bin")];
        let candidates = versioned_candidates(&roots);
        let names: Vec<_> = candidates
            .iter()
            .map(|p| {
                p.parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .collect();
        let expected: Vec<Option<String>> = ["17", "16", "15", "10", "9.6", "common"]
            .iter()
            .map(|s| Some((*s).to_owned()))
            .collect();
        assert_eq!(names, expected);
        let found = find_binaries_in(None, None, &roots).expect("found");
        assert_eq!(found.bin_dir, lib.join("16/bin"));
    }

    #[test]
    fn nothing_found_says_what_to_install() {
        let err = find_binaries_in(None, None, &[]).expect_err("nothing");
        let text = err.to_string();
        assert!(text.contains("apt-get install postgresql"), "{text}");
        assert!(text.contains("EDGEWIRE_PG_BIN"), "{text}");
        assert!(
            text.contains("connection string instead of `auto`"),
            "{text}"
        );
    }

    #[test]
    fn names_are_validated() {
        for good in ["edgewire", "_x", "App-DB_2", &"a".repeat(63)] {
            assert!(validate_name("n", good).is_ok(), "{good}");
        }
        for bad in ["", "1db", "a b", "a'b", "a\"b", "ä", "a/b", &"a".repeat(64)] {
            assert!(validate_name("n", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_status_passwd_version_marker() {
        let status = "Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
        assert_eq!(effective_uid_from_status(status), Some(0));
        assert_eq!(
            effective_uid_from_status("Uid:\t0\t1000\t0\t0\n"),
            Some(1000)
        );
        assert_eq!(effective_uid_from_status("Name: x\n"), None);

        let passwd = "root:x:0:0:root:/root:/bin/bash";
        assert_eq!(parse_passwd_line(passwd, "root"), Some((0, 0)));
        assert_eq!(
            parse_passwd_line(
                "postgres:x:101:104:PG,,,:/var/lib/postgresql:/bin/bash",
                "postgres"
            ),
            Some((101, 104))
        );
        assert_eq!(
            parse_passwd_line("postgresx:x:1:1::/:/bin/sh", "postgres"),
            None
        );

        assert_eq!(
            major_from_version_output("pg_ctl (PostgreSQL) 15.13 (Debian 15.13-0+deb12u1)\n"),
            Some("15".to_owned())
        );
        assert_eq!(
            major_from_version_output("pg_ctl (PostgreSQL) 9.6.24\n"),
            Some("9.6".to_owned())
        );
        assert_eq!(
            major_from_version_output("pg_ctl (PostgreSQL) 17beta1\n"),
            Some("17".to_owned())
        );
        assert_eq!(major_from_version_output("garbage"), None);

        assert_eq!(
            parse_marker("edgewire-pgcluster 1\nuser=edgewire\n"),
            Some(Marker {
                user: "edgewire".to_owned()
            })
        );
        assert_eq!(parse_marker("something else\nuser=x\n"), None);
    }

    #[test]
    fn conf_quotes_paths() {
        assert_eq!(conf_quote(r"/tmp/it's\here"), r"'/tmp/it''s\\here'");
        let text = conf_text(5433, None);
        assert!(text.contains("port = 5433\n"));
        assert!(text.contains("unix_socket_directories = ''\n"));
        assert!(text.contains("listen_addresses = '127.0.0.1'\n"));
        assert!(
            conf_text(1, Some(Path::new("/d/s"))).contains("unix_socket_directories = '/d/s'\n")
        );
    }

    #[test]
    fn log_tail_keeps_last_lines() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let log = tmp.path().join("log");
        let text = (0..100)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        fs::write(&log, text).expect("write");
        let tail = log_tail(&log);
        assert!(tail.starts_with("line 60\n"), "{tail}");
        assert!(tail.ends_with("line 99"), "{tail}");
        assert!(log_tail(&tmp.path().join("missing")).starts_with("(could not read the log"));
        assert_eq!(tail_chars("héllo", 4), "llo");
    }

    #[test]
    fn wipe_only_our_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        assert!(ensure_wipeable(dir).is_ok(), "empty");
        fs::create_dir(dir.join(PGDATA_DIR)).expect("mkdir");
        fs::write(dir.join(LOG_FILE), "x").expect("write");
        assert!(ensure_wipeable(dir).is_ok(), "only our entries");
        fs::write(dir.join("thesis.tex"), "x").expect("write");
        assert!(matches!(
            ensure_wipeable(dir),
            Err(ClusterError::RefuseToWipe { .. })
        ));
        fs::write(dir.join(MARKER_FILE), "x").expect("write");
        assert!(ensure_wipeable(dir).is_ok(), "marked");
        remove_contents(dir).expect("remove");
        assert_eq!(fs::read_dir(dir).expect("list").count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn shell_quote_survives_quotes_and_spaces() {
        let word = OsStr::new("it's a $HOME `x`");
        let quoted = shell_quote(word);
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg({
                let mut script = OsString::from("printf %s ");
                script.push(&quoted);
                script
            })
            .output()
            .expect("sh");
        assert_eq!(output.stdout, word.to_string_lossy().as_bytes());
    }

    /// Runs a command as `postgres` through both `runuser` and `su` (only as root with a
    /// `postgres` user).
    #[cfg(unix)]
    #[test]
    fn switch_user_runs_as_postgres() {
        let Ok(Runner::AsPostgres { uid, gid, .. }) = Runner::detect() else {
            eprintln!("skipping: not root or no postgres user");
            return;
        };
        let tools = [
            find_system_tool("runuser").map(SwitchUser::Runuser),
            find_system_tool("su").map(SwitchUser::Su),
        ];
        for tool in tools.into_iter().flatten() {
            let runner = Runner::AsPostgres {
                tool: tool.clone(),
                uid,
                gid,
            };
            let output = run(&mut runner.command(
                Path::new("/bin/sh"),
                &[
                    "-c".as_ref(),
                    "id -un; printf %s \"$1\"".as_ref(),
                    "sh".as_ref(),
                    "a'b c".as_ref(),
                ],
            ))
            .expect("run as postgres");
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "postgres\na'b c",
                "{tool:?}"
            );
        }
    }

    /// The whole start/stop cycle through `su` instead of `runuser` (only as root).
    #[cfg(unix)]
    #[test]
    fn cluster_runs_through_su() {
        let Ok(Runner::AsPostgres { uid, gid, .. }) = Runner::detect() else {
            eprintln!("skipping: not root or no postgres user");
            return;
        };
        let (Ok(binaries), Some(su)) = (find_binaries(), find_system_tool("su")) else {
            eprintln!("skipping: no PostgreSQL or no su");
            return;
        };
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut opts = ClusterOptions::new(tmp.path().join("it's here"));
        opts.binaries = Some(binaries);
        let runner = Runner::AsPostgres {
            tool: SwitchUser::Su(su),
            uid,
            gid,
        };
        let cluster =
            Cluster::start_with(opts.clone(), || Ok(runner.clone())).expect("start via su");
        assert!(TcpStream::connect(("127.0.0.1", cluster.port())).is_ok());
        let pgdata = cluster.pgdata().to_path_buf();
        cluster.stop().expect("stop via su");
        assert!(!pgdata.join("postmaster.pid").exists());
        let cluster = Cluster::start_with(opts, || Ok(runner.clone())).expect("restart via su");
        assert!(!cluster.initialized_now());
        drop(cluster);
        assert!(!pgdata.join("postmaster.pid").exists());
    }
}
