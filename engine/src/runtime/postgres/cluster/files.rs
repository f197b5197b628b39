//! The data dir's own files (marker, conf, logs), wiping it, permissions and free ports.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

use super::error::{ClusterError, Result, io_error};
use super::{
    LOG_FILE, LOG_TAIL_BYTES, LOG_TAIL_LINES, MARKER_FILE, MARKER_HEADER, OWNER_FILE, PGDATA_DIR,
    PREV_LOG_FILE, SOCKET_DIR,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Marker {
    pub(super) user: String,
}

pub(super) fn read_marker(data_dir: &Path) -> Result<Option<Marker>> {
    let path = data_dir.join(MARKER_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(parse_marker(&text)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(io_error(format!("could not read {}", path.display()))(err)),
    }
}

pub(super) fn parse_marker(text: &str) -> Option<Marker> {
    let mut lines = text.lines();
    if lines.next()? != MARKER_HEADER {
        return None;
    }
    let user = lines.find_map(|line| line.strip_prefix("user="))?;
    Some(Marker {
        user: user.to_owned(),
    })
}

pub(super) fn write_marker(data_dir: &Path, marker: &Marker) -> Result<()> {
    let path = data_dir.join(MARKER_FILE);
    let text = format!("{MARKER_HEADER}\nuser={}\n", marker.user);
    fs::write(&path, text).map_err(io_error(format!("could not write {}", path.display())))
}

/// Fails unless `dir` is safe to wipe: empty, marked as ours, or holding only our entries.
pub(super) fn ensure_wipeable(dir: &Path) -> Result<()> {
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
pub(super) fn remove_contents(dir: &Path) -> Result<()> {
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
pub(super) fn log_tail(path: &Path) -> String {
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
pub(super) fn conf_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

pub(super) fn conf_text(port: u16, socket_dir: Option<&Path>) -> String {
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
pub(super) fn major_from_version_output(output: &str) -> Option<String> {
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
pub(super) mod perms {
    use super::{Result, io_error};
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

    /// Chowns `path` and everything under it to `uid:gid` (symlinks themselves, not targets).
    pub(crate) fn chown_tree(path: &Path, uid: u32, gid: u32) -> Result<()> {
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

    pub(crate) fn owner_uid(path: &Path) -> Option<u32> {
        fs::symlink_metadata(path).ok().map(|meta| meta.uid())
    }

    /// Gives every ancestor of `dir` that `uid:gid` cannot traverse the `o+x` bit.
    pub(crate) fn make_ancestors_traversable(dir: &Path, uid: u32, gid: u32) -> Result<()> {
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
    pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<()> {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(io_error(format!("could not chmod {}", path.display())))
    }
}

#[cfg(not(unix))]
pub(super) mod perms {
    use super::Result;
    use std::path::Path;

    pub(crate) fn chown_tree(_path: &Path, _uid: u32, _gid: u32) -> Result<()> {
        Ok(())
    }
    pub(crate) fn owner_uid(_path: &Path) -> Option<u32> {
        None
    }
    pub(crate) fn make_ancestors_traversable(_dir: &Path, _uid: u32, _gid: u32) -> Result<()> {
        Ok(())
    }
    pub(crate) fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
        Ok(())
    }
}

/// Picks a free TCP port on 127.0.0.1 by binding port 0 and releasing it.
pub(super) fn pick_free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_error("could not bind 127.0.0.1:0 to pick a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io_error("could not read the picked port"))?
        .port();
    Ok(port)
}
