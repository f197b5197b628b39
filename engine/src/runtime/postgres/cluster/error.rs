//! What can go wrong finding, starting and stopping the cluster.

use std::io;
use std::path::PathBuf;

use super::MARKER_FILE;

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
    /// A [`ClusterOptions`](super::ClusterOptions) value cannot be used.
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

pub(super) fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}
