//! A throwaway PostgreSQL cluster on 127.0.0.1 with trust authentication, for tests.
//!
//! The server runs in the foreground as a child in its own process group (so it is reaped
//! and stopped with the test); as root, `initdb` and `postgres` run as the `postgres` user.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::Group;

/// Folder holding `initdb`, `postgres`, `pg_isready` and `psql`: `EDGEWIRE_PG_BIN`, else
/// the newest `/usr/lib/postgresql/<version>/bin`.
pub fn find_bin() -> Option<PathBuf> {
    let has_tools = |dir: &Path| {
        ["initdb", "postgres", "pg_isready", "psql"]
            .iter()
            .all(|tool| dir.join(tool).is_file())
    };
    if let Some(dir) = std::env::var_os("EDGEWIRE_PG_BIN").map(PathBuf::from) {
        return has_tools(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A running cluster; stopped on drop.
#[derive(Debug)]
pub struct Postgres {
    server: Group,
    bin: PathBuf,
    pub port: u16,
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Postgres {
    /// `initdb` in `dir/data`, then start the server and wait until it accepts connections.
    pub fn start(bin: &Path, dir: &Path) -> Result<Self, String> {
        let root = running_as_root();
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let as_server_user = |tool: &str| {
            if root {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(bin.join(tool));
                command
            } else {
                Command::new(bin.join(tool))
            }
        };
        if root {
            // The server user must reach and own its folder.
            let mut ancestor = Some(dir);
            while let Some(path) = ancestor {
                if let Ok(meta) = std::fs::metadata(path) {
                    let mode = meta.permissions().mode();
                    if mode & 0o001 == 0 {
                        let _ = std::fs::set_permissions(
                            path,
                            std::fs::Permissions::from_mode(mode | 0o011),
                        );
                    }
                }
                ancestor = path.parent();
            }
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err(format!("chown postgres {} failed", dir.display()));
            }
        }
        let data = dir.join("data");
        let output = as_server_user("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let port = free_port().map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("postgres.log")).map_err(|e| e.to_string())?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = as_server_user("postgres");
        command
            .arg("-D")
            .arg(&data)
            .args(["-c", "listen_addresses=127.0.0.1", "-p", &port.to_string()])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", dir.display()))
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let mut server = Group::spawn("postgres", command).map_err(|e| format!("postgres: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                break;
            }
            if !server.is_running() || Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
                return Err(format!("PostgreSQL did not start:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            server,
            bin: bin.to_path_buf(),
            port,
        })
    }

    /// A connection string with a password (wrangler's Hyperdrive emulation requires one).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:postgres@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// Runs SQL with psql, stopping at the first error.
    pub fn psql(&self, database: &str, sql: &str) -> Result<(), String> {
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url(database),
                "-c",
                sql,
            ])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "psql failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Creates a database and runs `seed` in it.
    pub fn create_database(&self, name: &str, seed: &str) -> Result<(), String> {
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))?;
        if !seed.trim().is_empty() {
            self.psql(name, seed)?;
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown; the group stop waits for it.
        self.server.signal("INT");
        std::thread::sleep(Duration::from_millis(200));
        self.server.stop();
    }
}
