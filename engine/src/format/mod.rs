//! Design files: RON on disk, canonical when saved, precise errors when loaded.
//!
//! - [`parse`] turns text into a [`Design`], or a [`LoadError`] that says where (line and
//!   column), what was wrong and what to do. Checks run in this order: empty file, a newer
//!   format version, RON syntax and types (ron's terse errors are rewritten with the field
//!   name, what was found and the nearest valid name), unique ids and wires between existing
//!   nodes, finite numbers. [`LoadError::render`] prints it like a compiler, with the line
//!   and a caret. `tests/corpus/` holds one broken file per kind of mistake.
//! - [`load`] reads a file ([`read_text`] says where bytes are not UTF-8) and parses it.
//! - [`to_string`] writes the canonical text: nodes sorted by id, wires by (from, to), the
//!   layout by id, fixed formatting. Loading then saving a canonical file gives the same bytes.
//! - [`save`] writes atomically: a temporary file in the same folder, fsync, rename.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::Deserialize;

use crate::model::{Design, FORMAT_VERSION};

mod checks;
mod ron_errors;
#[cfg(test)]
mod tests;

use checks::{check_numbers, check_references, find_location};
use ron_errors::ron_error;

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
    /// The text of the line at [`LoadError::location`], to show under the message.
    pub source_line: Option<String>,
}

impl LoadError {
    fn at(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            path: None,
            location,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl LoadError {
    /// Compiler-style text: the message, where it is, the line with a caret, and the help.
    ///
    /// ```text
    /// error: unknown node kind `Wroker`
    ///   --> api.ron:7:19
    ///    |
    ///  7 |             kind: Wroker(
    ///    |                   ^
    ///    = help: did you mean `Worker`? ...
    /// ```
    pub fn render(&self) -> String {
        use fmt::Write as _;
        let file = self
            .path
            .as_ref()
            .map_or_else(|| "<design>".to_owned(), |p| p.display().to_string());
        let mut out = format!("error: {}\n", self.message);
        let gutter = self.location.map_or(1, |at| at.line.to_string().len());
        let pad = " ".repeat(gutter);
        match self.location {
            Some(at) => {
                let _ = writeln!(out, "{pad}--> {file}:{}:{}", at.line, at.column);
                if let Some(line) = &self.source_line {
                    let (shown, caret) = excerpt(line, at.column);
                    let _ = writeln!(out, "{pad} |");
                    let _ = writeln!(out, "{} | {shown}", at.line);
                    let _ = writeln!(out, "{pad} | {}^", " ".repeat(caret));
                }
            }
            None => {
                let _ = writeln!(out, "{pad}--> {file}");
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
    }

    /// Fill in [`LoadError::source_line`] from the text the error is about.
    fn with_source(mut self, text: &str) -> Self {
        if let Some(at) = self.location {
            self.source_line = text
                .lines()
                .nth(at.line.saturating_sub(1))
                .map(|line| line.trim_end().to_owned());
        }
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
        .with_recursion_limit(ron_errors::MAX_NESTING)
}

/// The widest source excerpt an error shows; longer lines are cut around the column.
const EXCERPT_CHARS: usize = 100;

/// The part of `line` an error shows (tabs as one space each, so the caret stays under its
/// character; a long line cut to a window around `column`, `…` where it is cut), and how
/// many characters precede the caret in it.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let at = column.saturating_sub(1).min(chars.len());
    if chars.len() <= EXCERPT_CHARS {
        return (chars.into_iter().collect(), at);
    }
    let start = at.saturating_sub(EXCERPT_CHARS / 2);
    let end = (start + EXCERPT_CHARS).min(chars.len());
    let mut shown = String::new();
    let mut caret = at - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

/// Only the version, read before the rest so that a newer file gets the right message.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<u32>,
}

/// Parse design text.
pub fn parse(text: &str) -> Result<Design, LoadError> {
    // Some editors start UTF-8 files with a byte order mark; it means nothing here.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse_design(text).map_err(|err| err.with_source(text))
}

fn parse_design(text: &str) -> Result<Design, LoadError> {
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
    check_numbers(text, &design)?;
    Ok(design)
}

/// Bring an older file's design up to [`FORMAT_VERSION`].
fn migrate(design: &mut Design) {
    // Version 2 only added optional fields (route contracts, named schemas), so a version 1
    // design needs no change. Later versions add steps here, one `if design.version < N`
    // block per version.
    design.version = FORMAT_VERSION;
}

/// The canonical text of a design.
pub fn to_string(design: &Design) -> String {
    let mut design = design.clone();
    design.canonicalize();
    design.version = design.required_version();
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
    /// The message says it all (`path: cause`), so the cause is not also a `source()`: error
    /// reports that print the chain would say it twice.
    #[error("{}: {}", path.display(), in_words(cause))]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{0}")]
    Load(LoadError),
}

/// What went wrong with a file, in words a user acts on (no `os error` numbers).
/// An I/O error in words, with what to do where there is something to do.
pub(crate) fn io_in_words(cause: &std::io::Error) -> String {
    in_words(cause)
}

fn in_words(cause: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match cause.kind() {
        K::NotFound => "no such file; check the path".to_owned(),
        K::PermissionDenied => {
            "permission denied; check the file's and its folder's permissions".to_owned()
        }
        K::IsADirectory => "this is a folder, not a file".to_owned(),
        K::NotADirectory => "a part of the path is a file, not a folder".to_owned(),
        K::ReadOnlyFilesystem => "the disk is read-only; save somewhere else".to_owned(),
        K::StorageFull => "the disk is full; free some space or save somewhere else".to_owned(),
        _ => {
            let text = cause.to_string();
            match text.rfind(" (os error") {
                Some(cut) => text[..cut].to_owned(),
                None => text,
            }
        }
    }
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
    let bytes = std::fs::read(path).map_err(|cause| FileError::Io {
        path: path.to_owned(),
        cause,
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
        let mut error = LoadError::at(
            Some(Location { line, column }),
            format!(
                "this file is not UTF-8 text (byte 0x{:02x} at offset {valid})",
                bytes.get(valid).copied().unwrap_or_default()
            ),
        )
        .with_help(
            "design files are UTF-8; save it as UTF-8 in your editor, or restore it from \
             version control if it was damaged",
        );
        let lossy = String::from_utf8_lossy(bytes);
        error.source_line = lossy.lines().nth(line - 1).map(str::to_owned);
        error
    })
}

/// Write a design atomically in canonical form.
pub fn save(path: &Path, design: &Design) -> Result<(), FileError> {
    write_atomic(path, to_string(design).as_bytes())
}

/// Write bytes to `path` so that readers see the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let io = |cause| FileError::Io {
        path: path.to_owned(),
        cause,
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
