//! Running `initdb` and `pg_ctl`, as the `postgres` user when this process is root.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::binaries::{find_on_path, is_executable};
use super::error::{ClusterError, Result, io_error};
use super::{MAX_COMMAND_OUTPUT_BYTES, POSTGRES_USER};

/// How the server-side tools (`initdb`, `pg_ctl`) are run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Runner {
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
pub(super) enum SwitchUser {
    /// `runuser -u postgres -- program args...`
    Runuser(PathBuf),
    /// `su -s /bin/sh -c 'exec program args...' postgres`
    Su(PathBuf),
}

impl Runner {
    pub(super) fn detect() -> Result<Self> {
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

    pub(super) fn command(&self, program: &Path, args: &[&OsStr]) -> Command {
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

    pub(super) fn owner(&self) -> Option<(u32, u32)> {
        match self {
            Self::Direct => None,
            Self::AsPostgres { uid, gid, .. } => Some((*uid, *gid)),
        }
    }
}

/// Quotes `word` for `/bin/sh` with single quotes.
#[cfg(unix)]
pub(super) fn shell_quote(word: &OsStr) -> OsString {
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
pub(super) fn shell_quote(word: &OsStr) -> OsString {
    OsString::from(format!(
        "'{}'",
        word.to_string_lossy().replace('\'', "'\\''")
    ))
}

/// `runuser`/`su`: PATH first, then the usual system folders (a CI PATH may lack `/usr/sbin`).
pub(super) fn find_system_tool(name: &str) -> Option<PathBuf> {
    find_on_path(name, std::env::var_os("PATH").as_deref()).or_else(|| {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
            .iter()
            .map(|dir| Path::new(dir).join(name))
            .find(|path| is_executable(path))
    })
}

/// Whether the effective uid is 0, from `/proc/self/status` (Linux) or `id -u`.
#[cfg(unix)]
pub(super) fn running_as_root() -> bool {
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
pub(super) fn running_as_root() -> bool {
    false
}

/// The effective uid from the `Uid:` line (real, effective, saved, fs) of `/proc/<pid>/status`.
pub(super) fn effective_uid_from_status(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
}

/// `(uid, gid)` of a system user, from `getent passwd` or `/etc/passwd`.
pub(super) fn lookup_user(name: &str) -> Option<(u32, u32)> {
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

pub(super) fn parse_passwd_line(line: &str, name: &str) -> Option<(u32, u32)> {
    let mut fields = line.split(':');
    if fields.next()? != name {
        return None;
    }
    let _password = fields.next()?;
    let uid = fields.next()?.parse().ok()?;
    let gid = fields.next()?.parse().ok()?;
    Some((uid, gid))
}

pub(super) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` to completion with stdin closed and the cwd at `/` (the `postgres` user may
/// not be able to enter ours); fails unless it exits with 0.
pub(super) fn run(command: &mut Command) -> Result<Output> {
    let output = run_status(command)?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(command_failed(command, &output))
    }
}

/// Like [`run`] but returns the output whatever the exit status.
pub(super) fn run_status(command: &mut Command) -> Result<Output> {
    command.stdin(Stdio::null()).current_dir("/");
    let description = describe(command);
    tracing::debug!(command = %description, "running");
    command
        .output()
        .map_err(io_error(format!("could not run `{description}`")))
}

pub(super) fn command_failed(command: &Command, output: &Output) -> ClusterError {
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
pub(super) fn tail_chars(text: &str, max_bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(max_bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
