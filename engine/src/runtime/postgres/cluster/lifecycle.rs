//! The cluster's life: initdb or reuse, start, create the database, stop.

use std::ffi::OsStr;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::error::{ClusterError, Result, io_error};
use super::files::{
    Marker, conf_text, log_tail, major_from_version_output, perms, pick_free_port, read_marker,
    write_marker,
};
use super::runner::{Runner, run, run_status};
use super::{
    AUTO_PORT_ATTEMPTS, CLIENT_ENV_TO_CLEAR, CONF_FILE, CONF_INCLUDE, Cluster,
    MAX_SOCKET_PATH_BYTES, OWNER_FILE, PGDATA_DIR, PREV_LOG_FILE, SOCKET_DIR, STOP_TIMEOUT_SECS,
    ServerState,
};

impl Cluster {
    pub(super) fn pg_ctl(&self, args: &[&OsStr]) -> Command {
        self.runner.command(&self.binaries.pg_ctl, args)
    }

    /// Reuses an initialized data dir (after checking its version and superuser) or runs
    /// `initdb`.
    pub(super) fn init_or_reuse(&mut self) -> Result<()> {
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

    pub(super) fn check_version(&self, pg_version_file: &Path) -> Result<()> {
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
    pub(super) fn take_over_leftover_server(&self) -> Result<()> {
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

    pub(super) fn write_conf(&self, port: u16) -> Result<()> {
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
    pub(super) fn rotate_log(&self) -> Result<()> {
        if self.log_file.exists() {
            let previous = self.data_dir.join(PREV_LOG_FILE);
            fs::rename(&self.log_file, &previous).map_err(io_error(format!(
                "could not rename {}",
                self.log_file.display()
            )))?;
        }
        Ok(())
    }

    pub(super) fn start_server(&mut self, requested_port: u16, timeout: Duration) -> Result<()> {
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

    pub(super) fn start_server_on(&mut self, port: u16, timeout: Duration) -> Result<()> {
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
    pub(super) fn start_failed(&mut self, reason: String) -> ClusterError {
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

    pub(super) fn ensure_database(&self) -> Result<()> {
        if self.database == "postgres" {
            return Ok(());
        }
        if !self.initialized_now
            && let Some(psql) = &self.binaries.psql
        {
            let sql = format!(
                "SELECT 1 FROM pg_database WHERE datname = '{}'",
                self.database
            );
            let output = run(self
                .client(psql)
                .args(["-X", "-q", "-A", "-t", "-d", "postgres", "-c", &sql]))?;
            if String::from_utf8_lossy(&output.stdout).trim() == "1" {
                return Ok(());
            }
        }
        let result = if let Some(createdb) = &self.binaries.createdb {
            run(self.client(createdb).arg(&self.database))
        } else if let Some(psql) = &self.binaries.psql {
            // Names are validated to `[A-Za-z_][A-Za-z0-9_-]*`: quoting is enough.
            let sql = format!("CREATE DATABASE \"{}\"", self.database);
            self.run_sql(psql, "postgres", &sql)
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

    /// A client tool (`psql`, `createdb`) aimed at this server as its superuser, whatever
    /// the caller's `PG*` environment says.
    pub(super) fn client(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for name in CLIENT_ENV_TO_CLEAR {
            command.env_remove(name);
        }
        command.env("PGCONNECT_TIMEOUT", "10").args([
            "-w",
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            &self.user,
        ]);
        command
    }

    /// Runs `sql` in `database` with `psql`, stopping at the first error.
    pub(super) fn run_sql(&self, psql: &Path, database: &str, sql: &str) -> Result<Output> {
        run(self.client(psql).args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database,
            "-c",
            sql,
        ]))
    }

    pub(super) fn server_running(&self) -> bool {
        // pg_ctl status: 0 running, 3 not running, 4 no data dir.
        run_status(&mut self.pg_ctl(&["status".as_ref(), "-D".as_ref(), self.pgdata.as_os_str()]))
            .map_or(true, |output| output.status.success())
    }

    pub(super) fn stop_server_with_mode(&self, mode: &str) -> Result<()> {
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
    pub(super) fn stop_server(&self) -> Result<()> {
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

    pub(super) fn shutdown(&mut self) -> Result<()> {
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

pub(super) fn port_was_taken(log_tail: &str) -> bool {
    [
        "could not bind",
        "Address already in use",
        "could not create any TCP/IP sockets",
    ]
    .iter()
    .any(|needle| log_tail.contains(needle))
}

/// Creates the data dir; returns its absolute, symlink-free path.
pub(super) fn create_data_dir(dir: &Path) -> Result<PathBuf> {
    if dir.as_os_str().is_empty() {
        return Err(ClusterError::InvalidOption(
            "the data dir must not be empty".to_owned(),
        ));
    }
    fs::create_dir_all(dir).map_err(io_error(format!("could not create {}", dir.display())))?;
    fs::canonicalize(dir).map_err(io_error(format!("could not resolve {}", dir.display())))
}

/// As root: lets `uid:gid` (the `postgres` user) reach and own the data dir.
pub(super) fn hand_to_postgres(dir: &Path, uid: u32, gid: u32) -> Result<()> {
    perms::make_ancestors_traversable(dir, uid, gid)?;
    let pgdata = dir.join(PGDATA_DIR);
    let wrong_owner = |path: &Path| perms::owner_uid(path).is_some_and(|owner| owner != uid);
    if wrong_owner(dir) || wrong_owner(&pgdata) {
        perms::chown_tree(dir, uid, gid)?;
    }
    Ok(())
}

pub(super) fn check_socket_path(data_dir: &Path) -> Result<()> {
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

pub(super) fn read_owner_pid(data_dir: &Path) -> Option<u32> {
    fs::read_to_string(data_dir.join(OWNER_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Whether process `pid` exists: `/proc/<pid>` where there is a `/proc`, else `kill -0`.
pub(super) fn process_alive(pid: u32) -> bool {
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

pub(super) fn prepare_socket_dir(data_dir: &Path, runner: &Runner) -> Result<PathBuf> {
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
