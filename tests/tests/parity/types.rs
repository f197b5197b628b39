//! The hand-written `Env` interface of every exported Worker against `wrangler types`: the
//! same bindings with the same types, so what the code expects is what wrangler provides.

use std::collections::BTreeMap;
use std::path::Path;

use edgewire_engine::export::ExportTree;
use edgewire_tests::tooling;

/// `name -> type` of the members of the interface `name` opens in `text`, without comments.
fn members(text: &str, opening: &str) -> Option<BTreeMap<String, String>> {
    let body = text.split(opening).nth(1)?.split("\n}").next()?;
    let mut out = BTreeMap::new();
    for line in body.lines() {
        let line = match line.find("/*") {
            Some(cut) => &line[..cut],
            None => line,
        };
        let line = line.trim().trim_end_matches(';');
        if line.starts_with("/**") || line.starts_with('*') || line.is_empty() {
            continue;
        }
        if let Some((name, ty)) = line.split_once(':') {
            out.insert(name.trim().to_owned(), ty.trim().to_owned());
        }
    }
    Some(out)
}

/// Runs `wrangler types` for each Worker of the written project and compares; the problems
/// found, one line each.
pub(crate) fn env_type_problems(
    tree: &ExportTree,
    project: &Path,
    node_modules: &Path,
    scratch: &Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    for file in tree.files.keys() {
        let Some(folder) = file.strip_suffix("/wrangler.jsonc") else {
            continue;
        };
        let out = scratch.join(format!("types-{folder}.d.ts"));
        let output = tooling::command("wrangler", node_modules, scratch)
            .arg("types")
            .arg(&out)
            .args(["--include-runtime=false", "-c", file])
            .current_dir(project)
            .output();
        let generated = match output {
            Ok(o) if o.status.success() => std::fs::read_to_string(&out).unwrap_or_default(),
            Ok(o) => {
                problems.push(format!(
                    "{folder}: wrangler types failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                ));
                continue;
            }
            Err(e) => {
                problems.push(format!("{folder}: wrangler types cannot start: {e}"));
                continue;
            }
        };
        let wrangler = members(&generated, "interface __BaseEnv_Env {")
            .or_else(|| members(&generated, "interface Env {"));
        let ours = tree
            .get(&format!("{folder}/src/index.ts"))
            .and_then(|index| members(index, "export interface Env {"));
        match (wrangler, ours) {
            (Some(wrangler), Some(ours)) if wrangler == ours => {}
            (Some(wrangler), Some(ours)) => problems.push(format!(
                "{folder}: Env is {ours:?}, wrangler types says {wrangler:?}"
            )),
            (None, _) => problems.push(format!("{folder}: no Env in wrangler types' output")),
            (_, None) => problems.push(format!("{folder}: no Env in src/index.ts")),
        }
    }
    problems
}

#[test]
fn members_reads_both_interfaces() {
    let generated = "interface __BaseEnv_Env {\n\tDB: D1Database;\n\tUSERS: Fetcher /* users */;\n\tAPI_KEY: string;\n}\n";
    let ours = "export interface Env {\n  /** The D1 database. */\n  DB: D1Database;\n  /** Service binding. */\n  USERS: Fetcher;\n  /** Secret: the key. */\n  API_KEY: string;\n}\n";
    let wrangler = members(generated, "interface __BaseEnv_Env {").expect("generated");
    assert_eq!(wrangler.len(), 3);
    assert_eq!(wrangler["USERS"], "Fetcher");
    assert_eq!(members(ours, "export interface Env {"), Some(wrangler));
}
