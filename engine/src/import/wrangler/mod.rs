//! Existing Workers projects into designs: `edgewire import wrangler PATH...`.
//!
//! [`import`] finds the wrangler configurations under each path (`wrangler.json`,
//! `wrangler.jsonc`, `wrangler.toml`; `node_modules`, `.wrangler` and `dist` are skipped),
//! reads them (TOML, or JSON with comments and trailing commas), merges `--env NAME` in as
//! wrangler does, and maps them:
//!
//! | in the configuration | in the design |
//! | --- | --- |
//! | the configuration itself | a code Worker ([`crate::model::Code`]): entry module, compatibility date and flags, placement, `vars` and secret names (from `.dev.vars.example` or `.dev.vars`, never values) |
//! | `kv_namespaces`, `d1_databases` (with the `.sql` files of `migrations_dir`), `hyperdrive` | store nodes, one per namespace, database or configuration however many Workers bind it (same id; without one, the same name or preview id) |
//! | `services` | wires with the binding names; a service not imported becomes an external Worker and a warning |
//! | `workers_dev` not false, `routes`, `route` | a Client wired to the Worker (a Custom Domain is kept) |
//! | `ratelimits` | the gateway's rate limit in a round trip (below); otherwise a Note, and a warning |
//! | bindings Edgewire does not model (R2, Queues, Durable Objects, AI, ...) | a Note beside the Worker, and a warning each |
//!
//! A configuration that cannot be read is a [`Problem`] with its file, line and column; the
//! rest still imports. A folder holding `edgewire.ron` (what `edgewire export` writes) comes
//! back as that design, with what changed in the configurations since applied to it
//! ([`roundtrip`]).

mod bindings;
mod build;
pub mod config;
mod roundtrip;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use config::{CONFIG_NAMES, Problem, is_config_name};
pub use roundtrip::{DESIGN_FILE, RoundTrip};

use crate::model::Design;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Merge this `[env.NAME]` into each configuration, as `wrangler --env NAME` does.
    pub env: Option<String>,
    /// The folder the design file will be in: code Workers' paths are relative to it.
    pub design_dir: PathBuf,
}

/// A design made from Workers projects, and what the import says about it.
#[derive(Clone, Debug)]
pub struct Imported {
    pub design: Design,
    pub summary: Summary,
}

/// What an import did: counts, what was skipped and why, warnings, unreadable files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The configurations read.
    pub configs: Vec<PathBuf>,
    pub workers: usize,
    pub stores: usize,
    pub wires: usize,
    /// Bindings kept only as notes, `worker: what`.
    pub skipped: Vec<String>,
    pub warnings: Vec<String>,
    /// Configurations that could not be read (the import goes on without them).
    pub problems: Vec<Problem>,
    /// Environments of the configurations that were not imported, `name (file)`.
    pub other_environments: Vec<String>,
    /// Set when the design came from an `edgewire.ron` beside the configurations.
    pub round_trip: Option<RoundTrip>,
    /// Each Note of what Edgewire does not model, with the Worker it belongs beside (note id
    /// -> Worker id), for the layout.
    pub beside: std::collections::BTreeMap<crate::NodeId, crate::NodeId>,
}

impl Summary {
    /// The summary as the command line prints it: warnings, skipped bindings, problems,
    /// then one line of counts.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for problem in &self.problems {
            let _ = writeln!(out, "error: {problem}");
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        if let Some(round_trip) = &self.round_trip {
            out.push_str(&round_trip.render());
        }
        if !self.other_environments.is_empty() {
            let _ = writeln!(
                out,
                "other environments (import one with --env NAME): {}",
                self.other_environments.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "imported {} Worker(s), {} store(s) and {} wire(s) from {} configuration(s); {} binding(s) kept as notes, {} warning(s), {} file(s) not read",
            self.workers,
            self.stores,
            self.wires,
            self.configs.len(),
            self.skipped.len(),
            self.warnings.len(),
            self.problems.len()
        );
        out
    }
}

/// Why nothing could be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "no wrangler configuration in {}: looked for {} (node_modules, .wrangler and dist are not searched)",
        list(.0), CONFIG_NAMES.join(", ")
    )]
    NoConfig(Vec<PathBuf>),
    #[error("no configuration could be read:\n{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    NothingRead(Vec<Problem>),
    /// A path given cannot be read (the message says why in words).
    #[error("{0}")]
    Io(crate::format::FileError),
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The design's name: the folder imported (the first one).
fn design_name(paths: &[PathBuf]) -> String {
    let first = paths.first().map_or(Path::new("."), PathBuf::as_path);
    let folder = if first.is_file() {
        first.parent().unwrap_or(Path::new("."))
    } else {
        first
    };
    std::fs::canonicalize(folder)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Imported Workers".to_owned())
}

/// Import the Workers projects under `paths`.
pub fn import(paths: &[PathBuf], options: &Options) -> Result<Imported, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        config::find(path, &mut files).map_err(|cause| {
            ImportError::Io(crate::format::FileError::Io {
                path: path.clone(),
                cause,
            })
        })?;
    }
    files.dedup();
    if files.is_empty() {
        return Err(ImportError::NoConfig(paths.to_vec()));
    }
    let mut builder = build::Builder::new(&design_name(paths), &options.design_dir);
    let mut read = Vec::new();
    for path in &files {
        match read_config(path, options, &mut builder.summary) {
            Ok(config) => read.push((path.clone(), config)),
            Err(problem) => builder.summary.problems.push(problem),
        }
    }
    if read.is_empty() {
        return Err(ImportError::NothingRead(builder.summary.problems));
    }
    let saved = roundtrip::saved_design(paths);
    for (path, config) in &read {
        builder.add(&build::Source { path, config });
        builder.summary.configs.push(path.clone());
    }
    let rate_limits = std::mem::take(&mut builder.rate_limits);
    let (design, mut summary) = builder.finish();
    match saved {
        Some((path, Ok(saved))) => {
            let (design, round_trip) = roundtrip::reconcile(
                saved,
                &roundtrip::Configs {
                    design: &design,
                    rate_limits: &rate_limits,
                },
                &path,
            );
            summary.round_trip = Some(round_trip);
            Ok(Imported { design, summary })
        }
        Some((path, Err(err))) => {
            summary.warnings.push(format!(
                "{} could not be read, so the design comes from the configurations alone: {err}",
                path.display()
            ));
            Ok(Imported { design, summary })
        }
        None => Ok(Imported { design, summary }),
    }
}

/// The edits that keep a design's code Worker paths right when it moves from the folder
/// `from` to the folder `to` (saved somewhere else than it was imported for); none when
/// nothing changes.
pub fn rebase(design: &Design, from: &Path, to: &Path) -> Vec<crate::edit::Edit> {
    let moved = |path: &str| {
        if path.is_empty() {
            String::new()
        } else {
            build::relative(to, &from.join(path))
        }
    };
    let mut edits = Vec::new();
    for node in &design.nodes {
        let crate::NodeKind::Worker(worker) = &node.kind else {
            continue;
        };
        let Some(code) = &worker.code else {
            continue;
        };
        let mut worker = worker.clone();
        let mut rebased = code.clone();
        rebased.source = moved(&code.source);
        rebased.config = moved(&code.config);
        if &rebased != code {
            worker.code = Some(rebased);
            edits.push(crate::edit::Edit::SetNode {
                id: node.id.clone(),
                kind: crate::NodeKind::Worker(worker),
            });
        }
    }
    edits
}

/// One configuration's value with the environment merged in.
fn read_config(
    path: &Path,
    options: &Options,
    summary: &mut Summary,
) -> Result<serde_json::Value, Problem> {
    let bytes = std::fs::read(path).map_err(|cause| Problem {
        path: path.to_path_buf(),
        at: None,
        message: format!("cannot be read: {cause}"),
    })?;
    let text = crate::format::decode(bytes).map_err(|err| Problem {
        path: path.to_path_buf(),
        at: err.location.map(|l| (l.line, l.column)),
        message: err.message,
    })?;
    let value = config::parse(path, &text)?;
    let environments = config::environments(&value);
    let merged = match &options.env {
        Some(env) => config::with_env(&value, env).unwrap_or_else(|| {
            summary.warnings.push(format!(
                "{}: has no environment `{env}`; its top level is imported",
                path.display()
            ));
            value.clone()
        }),
        None => value.clone(),
    };
    summary.other_environments.extend(
        environments
            .into_iter()
            .filter(|e| Some(e) != options.env.as_ref())
            .map(|e| format!("{e} ({})", path.display())),
    );
    Ok(merged)
}
