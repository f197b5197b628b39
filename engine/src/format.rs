//! Design files: RON on disk, canonical when saved, precise errors when loaded.
//!
//! - [`parse`] turns text into a [`Design`], or a [`LoadError`] that says where (line and
//!   column), what was wrong and what to do.
//! - [`to_string`] writes the canonical text: nodes sorted by id, wires by (from, to), the
//!   layout by id, fixed formatting. Loading then saving a canonical file gives the same bytes.
//! - [`save`] writes atomically: a temporary file in the same folder, fsync, rename.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::Deserialize;

use crate::model::{Design, FORMAT_VERSION};

/// Where a problem is in a file (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Why a design file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file, when loading from disk.
    pub path: Option<PathBuf>,
    /// Where in the text, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl LoadError {
    fn at(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            path: None,
            location,
            message: message.into(),
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .path
            .as_ref()
            .map_or_else(|| "<design>".to_owned(), |p| p.display().to_string());
        match self.location {
            Some(at) => write!(f, "{file}:{}:{}: {}", at.line, at.column, self.message)?,
            None => write!(f, "{file}: {}", self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

fn options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Only the version, read before the rest so that a newer file gets the right message.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<u32>,
}

/// Parse design text.
pub fn parse(text: &str) -> Result<Design, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::at(None, "the file is empty")
            .with_help("a design starts with `(version: 1, name: \"My API\", nodes: [...])`"));
    }
    if let Ok(VersionProbe {
        version: Some(version),
    }) = options().from_str::<VersionProbe>(text)
        && version > FORMAT_VERSION
    {
        return Err(LoadError::at(
            find_location(text, "version"),
            format!(
                "this file uses design format version {version}, written by a newer Edgewire; \
                 this Edgewire reads versions up to {FORMAT_VERSION}"
            ),
        )
        .with_help("update Edgewire to open it"));
    }
    let mut design: Design = options()
        .from_str(text)
        .map_err(|err| ron_error(text, &err))?;
    migrate(&mut design);
    check_references(text, &design)?;
    Ok(design)
}

/// Bring an older file's design up to [`FORMAT_VERSION`].
fn migrate(design: &mut Design) {
    // Version 1 is the first format: nothing to migrate yet. Later versions add steps here,
    // one `if design.version < N` block per version.
    design.version = FORMAT_VERSION;
}

fn ron_error(text: &str, err: &ron::error::SpannedError) -> LoadError {
    use ron::error::Error as E;
    let location = Some(Location {
        line: err.span.start.line,
        column: err.span.start.col,
    });
    match &err.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let nearest = nearest(found, expected);
            let within = outer
                .as_deref()
                .map_or_else(String::new, |o| format!(" in `{o}`"));
            let mut error = LoadError::at(location, format!("unknown field `{found}`{within}"));
            error = match nearest {
                Some(name) => error.with_help(format!(
                    "did you mean `{name}`? Valid fields: {}",
                    expected.join(", ")
                )),
                None => error.with_help(format!("valid fields: {}", expected.join(", "))),
            };
            error
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = match outer.as_deref() {
                Some("NodeKind") => "node kind",
                Some("Step") => "step kind",
                Some(other) => other,
                None => "variant",
            };
            let mut error = LoadError::at(location, format!("unknown {what} `{found}`"));
            error = match nearest(found, expected) {
                Some(name) => error.with_help(format!(
                    "did you mean `{name}`? Valid: {}",
                    expected.join(", ")
                )),
                None => error.with_help(format!("valid: {}", expected.join(", "))),
            };
            error
        }
        E::MissingStructField { field, outer } => {
            let within = outer
                .as_deref()
                .map_or_else(String::new, |o| format!(" in `{o}`"));
            LoadError::at(location, format!("missing field `{field}`{within}"))
                .with_help(format!("add `{field}: ...` to this block"))
        }
        E::Eof => LoadError::at(location, "the file ends too early")
            .with_help("the file looks truncated; check for a missing `)` or `]`, or restore it from version control"),
        E::DuplicateStructField { field, outer } => {
            let within = outer
                .as_deref()
                .map_or_else(String::new, |o| format!(" in `{o}`"));
            LoadError::at(location, format!("field `{field}` appears twice{within}"))
                .with_help("keep one of them")
        }
        other => {
            let _ = text;
            LoadError::at(location, other.to_string())
        }
    }
}

fn nearest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(found, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(found.len()) / 2 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Checks serde cannot make: unique ids, wires that name existing nodes.
fn check_references(text: &str, design: &Design) -> Result<(), LoadError> {
    let mut seen = std::collections::BTreeSet::new();
    for node in &design.nodes {
        if !seen.insert(node.id.as_str()) {
            return Err(LoadError::at(
                find_nth_location(text, &format!("id: \"{}\"", node.id), 2),
                format!("two nodes have the id `{}`", node.id),
            )
            .with_help("node ids must be unique; rename one of them"));
        }
    }
    let mut wires = std::collections::BTreeSet::new();
    for wire in &design.wires {
        for end in [&wire.from, &wire.to] {
            if !seen.contains(end.as_str()) {
                let mut error = LoadError::at(
                    find_location(text, &format!("\"{end}\"")),
                    format!(
                        "the wire `{}` -> `{}` names node `{end}`, which does not exist",
                        wire.from, wire.to
                    ),
                );
                let ids: Vec<&str> = seen.iter().copied().collect();
                error = match nearest(end, &ids) {
                    Some(name) => error.with_help(format!("did you mean `{name}`?")),
                    None => error.with_help("add the node or remove the wire"),
                };
                return Err(error);
            }
        }
        if !wires.insert((wire.from.as_str(), wire.to.as_str())) {
            return Err(LoadError::at(
                find_nth_location(text, &format!("to: \"{}\"", wire.to), 2),
                format!("there are two wires from `{}` to `{}`", wire.from, wire.to),
            )
            .with_help("keep one wire per pair of nodes"));
        }
    }
    Ok(())
}

fn find_location(text: &str, needle: &str) -> Option<Location> {
    find_nth_location(text, needle, 1)
}

fn find_nth_location(text: &str, needle: &str, nth: usize) -> Option<Location> {
    let offset = text.match_indices(needle).nth(nth.saturating_sub(1))?.0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Some(Location { line, column })
}

/// The canonical text of a design.
pub fn to_string(design: &Design) -> String {
    let mut design = design.clone();
    design.canonicalize();
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .new_line("\n")
        .struct_names(false)
        .separate_tuple_members(false)
        .enumerate_arrays(false)
        .compact_arrays(false)
        .escape_strings(false)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    match options().to_string_pretty(&design, config) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Serialising plain data to a String cannot fail; keep a readable fallback anyway.
        Err(err) => format!("// could not serialise design: {err}\n"),
    }
}

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Load(LoadError),
}

/// Read and parse a design file.
pub fn load(path: &Path) -> Result<Design, FileError> {
    let text = read_text(path)?;
    parse(&text).map_err(|mut err| {
        err.path = Some(path.to_owned());
        FileError::Load(err)
    })
}

/// Read a design file's text; bytes that are not UTF-8 give a [`LoadError`] that says where.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: path.to_owned(),
        source,
    })?;
    decode(bytes).map_err(|mut err| {
        err.path = Some(path.to_owned());
        FileError::Load(err)
    })
}

/// Bytes to text, or where the first byte that is not UTF-8 is.
pub fn decode(bytes: Vec<u8>) -> Result<String, LoadError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        LoadError::at(
            Some(Location { line, column }),
            format!(
                "this file is not UTF-8 text (byte 0x{:02x} at offset {valid})",
                bytes.get(valid).copied().unwrap_or_default()
            ),
        )
        .with_help(
            "design files are UTF-8; save it as UTF-8 in your editor, or restore it from \
             version control if it was damaged",
        )
    })
}

/// Write a design atomically in canonical form.
pub fn save(path: &Path, design: &Design) -> Result<(), FileError> {
    write_atomic(path, to_string(design).as_bytes())
}

/// Write bytes to `path` so that readers see the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let io = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map_or_else(|| "design".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening directories.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"(
    version: 1,
    name: "t",
    nodes: [
        (
            id: "api",
            kind: Worker(
                routes: [
                    (
                        method: GET,
                        path: "/x/:id",
                        steps: [
                            KvGet(
                                binding: "CACHE",
                                key: "item:{params.id}",
                                into: "item",
                            ),
                            Respond(
                                status: 200,
                                body: Object({
                                    "id": Ref("params.id"),
                                    "item": Ref("item"),
                                    "tags": Json(["a", 1, true, ()]),
                                }),
                            ),
                        ],
                    ),
                ],
            ),
        ),
        (
            id: "kv",
            kind: Kv(),
        ),
    ],
    wires: [
        (
            from: "api",
            to: "kv",
            binding: "CACHE",
        ),
    ],
    layout: {
        "api": (
            x: 0.0,
            y: 0.0,
        ),
    },
)
"#;

    #[test]
    fn parse_then_save_is_stable() {
        let design = parse(SMALL).expect("parses");
        let text = to_string(&design);
        let again = parse(&text).expect("reparses");
        assert_eq!(design, again);
        assert_eq!(text, to_string(&again));
    }

    #[test]
    fn unknown_field_suggests_the_nearest() {
        let err = parse(&SMALL.replace("into: \"item\"", "int: \"item\"")).expect_err("fails");
        assert!(err.message.contains("unknown field `int`"), "{err}");
        assert!(
            err.help.as_deref().unwrap_or("").contains("`into`"),
            "{err}"
        );
    }

    #[test]
    fn newer_version_is_refused() {
        let err = parse(&SMALL.replace("version: 1", "version: 9")).expect_err("fails");
        assert!(err.message.contains("version 9"), "{err}");
    }

    #[test]
    fn save_is_atomic_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.ron");
        let design = parse(SMALL).expect("parses");
        save(&path, &design).expect("saves");
        assert_eq!(load(&path).expect("loads"), design);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
