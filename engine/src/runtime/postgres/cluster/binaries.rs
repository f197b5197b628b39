//! Finding the PostgreSQL server binaries (`EDGEWIRE_PG_BIN`, PATH, versioned folders).

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::{ClusterError, Result};
use super::{PG_BIN_ENV, VERSIONED_ROOTS};

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
pub(super) fn find_binaries_in(
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
pub(super) fn versioned_candidates(roots: &[(PathBuf, &str, &str)]) -> Vec<PathBuf> {
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

pub(super) fn parse_version(version: &str) -> Option<Vec<u64>> {
    version.split('.').map(|part| part.parse().ok()).collect()
}

pub(super) fn exe_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The binaries in `dir`, or the names of the server binaries it lacks.
pub(super) fn probe_dir(
    dir: &Path,
    path_env: Option<&OsStr>,
) -> Result<PgBinaries, Vec<&'static str>> {
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

pub(super) fn find_on_path(name: &str, path_env: Option<&OsStr>) -> Option<PathBuf> {
    let path_env = path_env?;
    std::env::split_paths(path_env)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(exe_name(name)))
        .find(|path| is_executable(path))
        .map(|path| std::path::absolute(&path).unwrap_or(path))
}

pub(super) fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && has_exec_bit(&meta))
}

#[cfg(unix)]
pub(super) fn has_exec_bit(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub(super) fn has_exec_bit(_meta: &fs::Metadata) -> bool {
    true
}
