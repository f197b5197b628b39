use std::ffi::{OsStr, OsString};
use std::net::TcpStream;
use std::process::Command;

use super::binaries::{find_binaries, find_binaries_in, versioned_candidates};
use super::error::ClusterError;
use super::files::{
    Marker, conf_quote, conf_text, ensure_wipeable, log_tail, major_from_version_output,
    parse_marker, remove_contents,
};
use super::runner::{
    Runner, SwitchUser, effective_uid_from_status, find_system_tool, parse_passwd_line, run,
    shell_quote, tail_chars,
};
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
    fs::set_permissions(dir.join("postgres"), fs::Permissions::from_mode(0o644)).expect("chmod");
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
    assert!(conf_text(1, Some(Path::new("/d/s"))).contains("unix_socket_directories = '/d/s'\n"));
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

/// The `postgres` user's uid and gid when the tests run as root and it exists; `None`, after
/// saying the test is skipped, otherwise.
#[cfg(unix)]
fn postgres_ids() -> Option<(u32, u32)> {
    if let Ok(Runner::AsPostgres { uid, gid, .. }) = Runner::detect() {
        Some((uid, gid))
    } else {
        eprintln!("skipping: not root or no postgres user");
        None
    }
}

/// Runs a command as `postgres` through both `runuser` and `su` (only as root with a
/// `postgres` user).
#[cfg(unix)]
#[test]
fn switch_user_runs_as_postgres() {
    let Some((uid, gid)) = postgres_ids() else {
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
    let Some((uid, gid)) = postgres_ids() else {
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
    let cluster = Cluster::start_with(opts.clone(), || Ok(runner.clone())).expect("start via su");
    assert!(TcpStream::connect(("127.0.0.1", cluster.port())).is_ok());
    let pgdata = cluster.pgdata().to_path_buf();
    cluster.stop().expect("stop via su");
    assert!(!pgdata.join("postmaster.pid").exists());
    let cluster = Cluster::start_with(opts, || Ok(runner.clone())).expect("restart via su");
    assert!(!cluster.initialized_now());
    drop(cluster);
    assert!(!pgdata.join("postmaster.pid").exists());
}
