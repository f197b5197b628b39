//! The exporter: a design becomes a multi-Worker Wrangler project.
//!
//! [`export`] is a pure function from a [`Design`] to an [`ExportTree`] (relative path ->
//! file contents, sorted), byte-for-byte the same for the same design. [`write_tree`] puts a
//! tree on disk. The project it describes:
//!
//! | path | what |
//! | --- | --- |
//! | `<worker>/wrangler.jsonc` | one folder per Gateway and Worker: name, main, bindings |
//! | `<worker>/src/index.ts` | the Worker's routes, compiled from the design's handlers |
//! | `<worker>/src/edgewire.ts` | the handler language's helpers (`gateway.ts` for gateways) |
//! | `<worker>/src/hyperdrive.ts` | PostgreSQL through Hyperdrive, when the Worker uses it |
//! | `<worker>/.dev.vars.example` | the secrets the Worker reads (names only) |
//! | `migrations/<d1>/NNNN_name.sql` | D1 migrations |
//! | `seed/...` | D1 seed SQL, KV entries for `wrangler kv bulk put`, PostgreSQL seed SQL |
//! | `package.json`, `scripts/deploy.mjs`, `README.md` | typecheck, dev, migrate, seed, deploy |
//! | `openapi.json` | the OpenAPI 3.1 document of the public API ([`crate::openapi`]) |
//!
//! The TypeScript implements the handler language ([`crate::model`]'s handler docs) and the
//! gateway contract exactly as the local engine does, with the texts of
//! [`crate::semantics`].

pub(crate) mod code;
pub(crate) mod kind;
pub(crate) mod names;
pub(crate) mod project;
pub(crate) mod typescript;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{Design, TemplateError};
use crate::validate::{self, Diagnostics};

pub use code::copy_code;
pub use names::{is_safe_relative_path, slug};

/// Versions the exported `package.json` pins. The integration tests install exactly these.
pub mod versions {
    pub const WRANGLER: &str = "4.164.0";
    pub const TYPESCRIPT: &str = "5.9.3";
    pub const WORKERS_TYPES: &str = "5.20261117.1";
    pub const POSTGRES: &str = "3.4.9";
    /// The JSON Schema validator of exported route contracts (made for Workers: no `eval`).
    pub const CFWORKER_JSON_SCHEMA: &str = "4.1.6";
    /// The exported scenario tests' runner, and Node's types for them.
    pub const VITEST: &str = "5.1.2";
    pub const TYPES_NODE: &str = "22.20.7";
    /// `engines.node` of the exported project (wrangler's own requirement).
    pub const NODE: &str = ">=22.12";
}

/// An exported project in memory: relative path (`/`-separated) -> contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportTree {
    pub files: BTreeMap<String, String>,
}

impl ExportTree {
    /// The contents of one file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    pub(crate) fn add(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        self.files.insert(path.into(), contents.into());
    }
}

/// Why a design could not be exported or the project not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the design has {} validation error(s); fix them before exporting", .0.count(validate::Severity::Error))]
    Invalid(Diagnostics),
    #[error("nodes {first} and {second} would both be exported as `{folder}`; rename one of them")]
    FolderClash {
        first: String,
        second: String,
        folder: String,
    },
    #[error("node {node}: {detail}")]
    Unsupported { node: String, detail: String },
    #[error("node {node}, route {route}, step {step}: template `{template}`: {source}")]
    Template {
        node: String,
        route: usize,
        step: String,
        template: String,
        #[source]
        source: TemplateError,
    },
    #[error("service Workers call each other in a cycle; there is no order to deploy them in")]
    Cycle,
    #[error("refusing to write `{0}`: it would land outside the output folder")]
    UnsafePath(String),
    #[error(
        "{} is not empty; choose an empty folder or pass --force to write over it",
        .0.display()
    )]
    NotEmpty(PathBuf),
    /// The cause is said in words in the message (not a `source`), so it is printed once.
    #[error("{}: {}", .path.display(), crate::format::io_in_words(.cause))]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// What turns an I/O failure on `path` into an [`ExportError`].
pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + use<> {
    let path = path.to_path_buf();
    move |cause| ExportError::Io { path, cause }
}

/// Export a design. Refuses designs with validation errors.
pub fn export(design: &Design) -> Result<ExportTree, ExportError> {
    let diagnostics = validate::validate(design);
    if diagnostics.has_errors() {
        return Err(ExportError::Invalid(diagnostics));
    }
    generate(design)
}

/// Generate the tree without validating first. Validation already refuses what generation
/// cannot handle; generation keeps its own checks (cycles, folder clashes, broken templates,
/// unsafe paths) so that a gap in the rules can never produce a wrong or dangerous project.
fn generate(design: &Design) -> Result<ExportTree, ExportError> {
    let tree = project::build(design)?;
    if let Some(bad) = tree.files.keys().find(|p| !is_safe_relative_path(p)) {
        return Err(ExportError::UnsafePath(bad.clone()));
    }
    Ok(tree)
}

/// Write a tree below `dir` (created when missing). A folder that already holds files is
/// refused unless `force`, in which case the tree's files are written over it (other files
/// are left alone). Every path is checked again before anything is written.
pub fn write_tree(tree: &ExportTree, dir: &Path, force: bool) -> Result<(), ExportError> {
    let io = io_error;
    if let Some(bad) = tree.files.keys().find(|p| !is_safe_relative_path(p)) {
        return Err(ExportError::UnsafePath(bad.clone()));
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
        if entries.next().is_some() && !force {
            return Err(ExportError::NotEmpty(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (relative, contents) in &tree.files {
        let path = relative
            .split('/')
            .fold(dir.to_path_buf(), |path, part| path.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, contents).map_err(io(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Node, NodeKind, Route, Step, Template, Wire, Worker};

    fn worker(id: &str, steps: Vec<Step>) -> Node {
        Node::new(
            id,
            NodeKind::Worker(Worker {
                routes: vec![Route {
                    method: crate::model::HttpMethod::Get,
                    path: "/".into(),
                    request: None,
                    responses: std::collections::BTreeMap::new(),
                    steps,
                }],
                ..Worker::default()
            }),
        )
    }

    /// What `generate` (export without validation) makes of Workers `nodes` wired by `wires`,
    /// which `export` refuses.
    fn generated_though_invalid(
        nodes: Vec<Node>,
        wires: Vec<Wire>,
    ) -> Result<ExportTree, ExportError> {
        let mut design = Design::new("invalid");
        design.nodes = nodes;
        design.wires = wires;
        assert!(matches!(export(&design), Err(ExportError::Invalid(_))));
        generate(&design)
    }

    #[test]
    fn calls_in_a_cycle_cannot_be_deployed() {
        let nodes = vec![worker("a", vec![]), worker("b", vec![])];
        let wires = vec![Wire::new("a", "b", "B"), Wire::new("b", "a", "A")];
        let result = generated_though_invalid(nodes, wires);
        assert!(matches!(result, Err(ExportError::Cycle)));
    }

    #[test]
    fn ids_that_clash_as_folders_are_refused() {
        let nodes = vec![worker("Api", vec![]), worker("api", vec![])];
        let error = generated_though_invalid(nodes, vec![]).expect_err("clash");
        assert!(error.to_string().contains("`api`"), "{error}");
    }

    #[test]
    fn a_broken_template_names_its_step() {
        let respond = Step::Respond {
            status: 200,
            body: Some(crate::model::Expr::Text(Template::new("id {params.id"))),
            headers: std::collections::BTreeMap::new(),
        };
        let nodes = vec![worker("svc", vec![respond])];
        let error = generated_though_invalid(nodes, vec![]).expect_err("template");
        assert!(
            error.to_string().contains("node svc, route 1, step 0"),
            "{error}"
        );
    }

    #[test]
    fn node_ids_never_escape_the_project() {
        let nodes = vec![worker("../../etc", vec![]), worker("/abs", vec![])];
        let tree = generated_though_invalid(nodes, vec![]).expect("generates");
        assert!(tree.files.keys().all(|p| is_safe_relative_path(p)));
        assert!(tree.get("etc/wrangler.jsonc").is_some());
        assert!(tree.get("abs/wrangler.jsonc").is_some());
    }

    #[test]
    fn write_refuses_unsafe_paths_and_non_empty_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut tree = ExportTree::default();
        tree.add("../escape.txt", "x");
        assert!(matches!(
            write_tree(&tree, dir.path(), true),
            Err(ExportError::UnsafePath(_))
        ));
        assert!(!dir.path().join("../escape.txt").exists());

        let mut tree = ExportTree::default();
        tree.add("a/b.txt", "hello");
        write_tree(&tree, dir.path(), false).expect("empty folder is fine");
        assert!(matches!(
            write_tree(&tree, dir.path(), false),
            Err(ExportError::NotEmpty(_))
        ));
        write_tree(&tree, dir.path(), true).expect("force writes over");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.txt")).expect("written"),
            "hello"
        );
    }
}
