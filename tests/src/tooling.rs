//! The pinned Node toolchain (Node 22, wrangler, TypeScript, workers-types, postgres) that
//! the parity suite runs exported projects with, plus Mermaid and jsdom, which check that
//! `edgewire diagram` writes Mermaid that Mermaid parses. `.ci/run` installs it with `npm ci`
//! from `tests/tooling/package-lock.json` into `$HOME/.cache/edgewire/tooling`, outside the
//! clone.

use std::path::{Path, PathBuf};
use std::process::Command;

use edgewire_engine::export::versions;

/// Environment variable that points at the tooling's `node_modules` folder.
pub const TOOLING_ENV: &str = "EDGEWIRE_TOOLING_NODE_MODULES";

/// The tooling's `node_modules` for `check`, or `None` when it is missing, after a line
/// saying that `check` is skipped and why; fails the test when the tooling is required
/// ([`crate::parity_required`]).
pub fn node_modules_for(check: &str) -> Option<PathBuf> {
    match node_modules() {
        Ok(dir) => Some(dir),
        Err(reason) => {
            assert!(
                !crate::parity_required(),
                "{check} is required but: {reason}"
            );
            eprintln!("SKIPPED {check}: {reason}");
            None
        }
    }
}

/// The tooling's `node_modules`, checked: Node 22 binary, wrangler, tsc, and the exact
/// versions an export pins (so a symlink to it is what `npm ci` in the export would give).
pub fn node_modules() -> Result<PathBuf, String> {
    let dir = if let Some(dir) = std::env::var_os(TOOLING_ENV) {
        PathBuf::from(dir)
    } else {
        let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
        PathBuf::from(home).join(".cache/edgewire/tooling/node_modules")
    };
    for tool in ["node", "wrangler", "tsc"] {
        if !dir.join(".bin").join(tool).exists() {
            return Err(format!(
                "{} has no .bin/{tool}; install the tooling: cp tests/tooling/package*.json \
                 $HOME/.cache/edgewire/tooling/ && (cd $HOME/.cache/edgewire/tooling && npm ci)",
                dir.display()
            ));
        }
    }
    for (package, expected) in [
        ("wrangler", versions::WRANGLER),
        ("typescript", versions::TYPESCRIPT),
        ("@cloudflare/workers-types", versions::WORKERS_TYPES),
        ("postgres", versions::POSTGRES),
    ] {
        let found = package_version(&dir, package).unwrap_or_default();
        if found != expected {
            return Err(format!(
                "{}: {package} is {found:?}, exports pin {expected}; reinstall the tooling",
                dir.display()
            ));
        }
    }
    Ok(dir)
}

fn package_version(node_modules: &Path, package: &str) -> Option<String> {
    let text = std::fs::read_to_string(node_modules.join(package).join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_owned)
}

/// A command with the tooling's `.bin` first on PATH and wrangler kept quiet, offline and
/// writing only below `scratch` (logs, registry, config, temp files).
pub fn command(program: &str, node_modules: &Path, scratch: &Path) -> Command {
    let bin = node_modules.join(".bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new(program);
    command
        .env("PATH", std::env::join_paths(paths).unwrap_or(path))
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_SEND_ERROR_REPORTS", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("X_LOCAL_OBSERVABILITY", "false")
        .env("X_LOCAL_EXPLORER", "false")
        .env("CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV", "false")
        .env("WRANGLER_LOG_PATH", scratch.join("wrangler-logs"))
        .env("CLOUDFLARE_DEV_REGISTRY_PATH", scratch.join("dev-registry"))
        .env("XDG_CONFIG_HOME", scratch.join("xdg-config"))
        .env("XDG_CACHE_HOME", scratch.join("xdg-cache"))
        .env("TMPDIR", scratch.join("tmp"))
        .stdin(std::process::Stdio::null());
    command
}

/// Run a Node check script over documents: writes `script` and each `(name, text)` document
/// as `<name>.<extension>` into a scratch folder beside `node_modules` (so the script's
/// imports resolve there), runs `node script files...`, and gives each document's verdict:
/// the script's output line that names its file, without the file name.
pub fn node_verdicts(
    node_modules: &Path,
    script: (&str, &str),
    extension: &str,
    documents: &[(String, String)],
) -> Vec<(String, String)> {
    let tooling_dir = node_modules.parent().expect("tooling folder");
    let scratch = tempfile::tempdir_in(tooling_dir).expect("scratch folder");
    let script_path = scratch.path().join(script.0);
    std::fs::write(&script_path, script.1).expect("script");
    let mut files = Vec::new();
    for (name, text) in documents {
        let file = scratch.path().join(format!("{name}.{extension}"));
        std::fs::write(&file, text).expect("document");
        files.push(file);
    }
    let output = command("node", node_modules, scratch.path())
        .arg(&script_path)
        .args(&files)
        .current_dir(scratch.path())
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    documents
        .iter()
        .map(|(name, _)| {
            let prefix = format!("{name}.{extension}: ");
            let verdict = report
                .lines()
                .find_map(|line| line.split_once(&prefix).map(|(_, v)| v.to_owned()))
                .unwrap_or_else(|| {
                    panic!(
                        "no verdict for {name}:\n{report}\n{}",
                        String::from_utf8_lossy(&output.stderr)
                    )
                });
            (name.clone(), verdict)
        })
        .collect()
}

/// Checks the verdicts of [`node_verdicts`]: `ok` for every document but the control named
/// `broken`, whose verdict `failed` must accept (a check that cannot fail proves nothing).
pub fn assert_verdicts(verdicts: Vec<(String, String)>, ok: &str, failed: impl Fn(&str) -> bool) {
    for (name, verdict) in verdicts {
        if name == "broken" {
            assert!(failed(&verdict), "the control passed: {verdict}");
        } else {
            assert_eq!(verdict, ok, "{name}");
        }
    }
}
