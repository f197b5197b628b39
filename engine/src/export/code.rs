//! Code Workers in the exported project: each one's folder (the folder of its wrangler
//! configuration) is copied unchanged instead of generated, and the design written beside
//! the project (`edgewire.ron`) points at the copies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ExportError;
use super::kind::Script;
use crate::model::{Code, Design, NodeKind};

/// Folders never copied: installed packages, wrangler's state, build output.
const NOT_COPIED: [&str; 4] = ["node_modules", ".wrangler", "dist", ".git"];

/// Whether a file holds local secrets' values (`.dev.vars`, `.dev.vars.staging`, `.env`),
/// never copied; `.dev.vars.example` holds names only and is.
fn holds_secrets(name: &str) -> bool {
    (name == ".dev.vars"
        || name.starts_with(".dev.vars.")
        || name == ".env"
        || name.starts_with(".env."))
        && !name.ends_with(".example")
}

/// The folder part of a `/`-separated path (`a/b/c.ts` -> `a/b`).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `path` relative to the folder `dir`, both `/`-separated and relative to one place.
fn relative_to(dir: &str, path: &str) -> String {
    let dir: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let path: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let common = dir.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; dir.len() - common];
    parts.extend(&path[common..]);
    parts.join("/")
}

/// Where a code Worker's entry module is in the exported project (its folder's copy).
pub(crate) fn exported_source(folder: &str, code: &Code) -> String {
    format!(
        "{folder}/{}",
        relative_to(dir_of(&code.config), &code.source)
    )
}

/// The design as the exported project holds it: code Workers point at their copied folders.
pub(super) fn as_exported(design: &Design, scripts: &BTreeMap<&str, Script<'_>>) -> Design {
    let mut design = design.clone();
    for node in &mut design.nodes {
        let Some(script) = scripts.get(node.id.as_str()) else {
            continue;
        };
        let config = script.config();
        if let NodeKind::Worker(worker) = &mut node.kind
            && let Some(code) = worker.code.as_mut()
        {
            if !code.source.is_empty() {
                code.source = exported_source(&script.folder, code);
            }
            code.config = config;
        }
    }
    design
}

/// The code Workers of a design that the export copies: (node id, code).
fn code_workers(design: &Design) -> impl Iterator<Item = (&str, &Code)> {
    design.nodes.iter().filter_map(|node| match &node.kind {
        NodeKind::Worker(worker) => worker
            .code
            .as_ref()
            .filter(|code| !code.external && !code.config.is_empty())
            .map(|code| (node.id.as_str(), code)),
        _ => None,
    })
}

/// Copy each code Worker's folder (the folder of its configuration, relative to
/// `design_dir`) into its folder of the project at `out`, unchanged, without
/// `node_modules`, `.wrangler` and `dist`. Returns the folders written.
pub fn copy_code(
    design: &Design,
    design_dir: &Path,
    out: &Path,
) -> Result<Vec<String>, ExportError> {
    let mut written = Vec::new();
    for (id, code) in code_workers(design) {
        let from = design_dir.join(dir_of(&code.config));
        let folder = super::project::folder_of(id);
        copy_folder(&from, &out.join(&folder))?;
        written.push(folder);
    }
    Ok(written)
}

fn copy_folder(from: &Path, to: &Path) -> Result<(), ExportError> {
    let io = super::io_error;
    std::fs::create_dir_all(to).map_err(io(to))?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
        .map_err(io(from))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name() else {
            continue;
        };
        let target = to.join(name);
        if path.is_dir() {
            if !NOT_COPIED.contains(&name.to_string_lossy().as_ref()) {
                copy_folder(&path, &target)?;
            }
        } else if !holds_secrets(&name.to_string_lossy()) {
            std::fs::copy(&path, &target).map_err(io(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_never_copied() {
        for name in [".dev.vars", ".dev.vars.staging", ".env", ".env.local"] {
            assert!(holds_secrets(name), "{name}");
        }
        for name in [".dev.vars.example", "index.ts", ".env.example"] {
            assert!(!holds_secrets(name), "{name}");
        }
    }

    #[test]
    fn sources_are_made_relative_to_their_configuration() {
        assert_eq!(
            relative_to("apps/users", "apps/users/src/index.ts"),
            "src/index.ts"
        );
        assert_eq!(
            relative_to("apps/users", "apps/shared/index.ts"),
            "../shared/index.ts"
        );
        assert_eq!(relative_to("", "src/index.ts"), "src/index.ts");
    }
}
