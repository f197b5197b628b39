//! Throwaway clusters for tests: the one PostgreSQL helper of every crate's tests.
//!
//! Only built with the `test-support` feature, which the crates whose tests use it turn on
//! in their `[dev-dependencies]`; the shipped app never has it.

use std::fs;
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::binaries::{PgBinaries, find_binaries};
use super::error::{ClusterError, Result};
use super::{Cluster, ClusterOptions, validate_name};

/// Environment variable that turns "Postgres is missing, test skipped" into a test failure.
pub const REQUIRE_POSTGRES_ENV: &str = "EDGEWIRE_REQUIRE_POSTGRES";

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

impl Cluster {
    /// Creates database `name` and runs `seed` in it with `psql` (stopping at the first
    /// error; nothing to run when `seed` is blank).
    ///
    /// # Errors
    /// [`ClusterError::InvalidOption`] for a name that needs quoting,
    /// [`ClusterError::NoClientTools`] without `psql`, [`ClusterError::CommandFailed`] when a
    /// statement fails.
    pub fn create_database(&self, name: &str, seed: &str) -> Result<()> {
        validate_name("database name", name)?;
        let Some(psql) = &self.binaries.psql else {
            return Err(ClusterError::NoClientTools {
                bin_dir: self.binaries.bin_dir.clone(),
                database: name.to_owned(),
            });
        };
        self.run_sql(psql, "postgres", &format!("CREATE DATABASE \"{name}\""))?;
        if !seed.trim().is_empty() {
            self.run_sql(psql, name, seed)?;
        }
        Ok(())
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
