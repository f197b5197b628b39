//! File dialogs (behind a trait so tests pass paths directly), recent files and the
//! crash-recovery file.

use std::path::{Path, PathBuf};

use edgewire_engine::Design;
use edgewire_engine::format;

/// Native file dialogs. Tests use [`ScriptedDialogs`]; the app uses [`NativeDialogs`].
pub trait FileDialogs {
    /// Ask for a design file to open.
    fn open(&mut self) -> Option<PathBuf>;
    /// Ask where to save, suggesting a file name.
    fn save(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// Ask for a folder to export a Wrangler project into.
    fn export_folder(&mut self) -> Option<PathBuf>;
    /// Ask where to save the design's SVG picture, suggesting a file name.
    fn save_svg(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// Ask where to save the design's picture as a PNG, suggesting a file name.
    fn save_png(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// Ask where to save the design's OpenAPI document, suggesting a file name.
    fn save_openapi(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// Ask for an OpenAPI document to import.
    fn open_openapi(&mut self) -> Option<PathBuf>;
    /// Ask for a Workers project's folder to import.
    fn wrangler_folder(&mut self) -> Option<PathBuf>;
}

/// The file name endings of an OpenAPI document.
const OPENAPI_EXTENSIONS: &[&str] = &["json", "yaml", "yml"];

/// rfd's native dialogs (the XDG portal on Linux).
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn open(&mut self) -> Option<PathBuf> {
        dialog("Open design", "Edgewire design", &["ron"]).pick_file()
    }

    fn save(&mut self, suggested_name: &str) -> Option<PathBuf> {
        dialog("Save design", "Edgewire design", &["ron"])
            .set_file_name(suggested_name)
            .save_file()
    }

    fn export_folder(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Export Wrangler project into (an empty folder)")
            .pick_folder()
    }

    fn save_svg(&mut self, suggested_name: &str) -> Option<PathBuf> {
        dialog("Export diagram as SVG", "SVG picture", &["svg"])
            .set_file_name(suggested_name)
            .save_file()
    }

    fn save_png(&mut self, suggested_name: &str) -> Option<PathBuf> {
        dialog("Export diagram as PNG", "PNG image", &["png"])
            .set_file_name(suggested_name)
            .save_file()
    }

    fn save_openapi(&mut self, suggested_name: &str) -> Option<PathBuf> {
        dialog("Export OpenAPI", "OpenAPI document", OPENAPI_EXTENSIONS)
            .set_file_name(suggested_name)
            .save_file()
    }

    fn open_openapi(&mut self) -> Option<PathBuf> {
        dialog("Import OpenAPI", "OpenAPI document", OPENAPI_EXTENSIONS).pick_file()
    }

    fn wrangler_folder(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Import Wrangler project (a folder with wrangler.toml or wrangler.jsonc)")
            .pick_folder()
    }
}

/// A native dialog titled `title` that offers the files ending in `extensions` as `what`.
fn dialog(title: &str, what: &str, extensions: &[&str]) -> rfd::FileDialog {
    rfd::FileDialog::new()
        .add_filter(what, extensions)
        .set_title(title)
}

/// Dialogs that answer with paths queued in advance (for tests and scripted runs).
#[derive(Default)]
pub struct ScriptedDialogs {
    pub open: Vec<PathBuf>,
    pub save: Vec<PathBuf>,
    pub export: Vec<PathBuf>,
    pub svg: Vec<PathBuf>,
    pub png: Vec<PathBuf>,
    pub openapi_save: Vec<PathBuf>,
    pub openapi_open: Vec<PathBuf>,
    pub wrangler: Vec<PathBuf>,
}

impl FileDialogs for ScriptedDialogs {
    fn open(&mut self) -> Option<PathBuf> {
        next(&mut self.open)
    }

    fn save(&mut self, _suggested_name: &str) -> Option<PathBuf> {
        next(&mut self.save)
    }

    fn export_folder(&mut self) -> Option<PathBuf> {
        next(&mut self.export)
    }

    fn save_svg(&mut self, _suggested_name: &str) -> Option<PathBuf> {
        next(&mut self.svg)
    }

    fn save_png(&mut self, _suggested_name: &str) -> Option<PathBuf> {
        next(&mut self.png)
    }

    fn save_openapi(&mut self, _suggested_name: &str) -> Option<PathBuf> {
        next(&mut self.openapi_save)
    }

    fn open_openapi(&mut self) -> Option<PathBuf> {
        next(&mut self.openapi_open)
    }

    fn wrangler_folder(&mut self) -> Option<PathBuf> {
        next(&mut self.wrangler)
    }
}

/// The first path of a [`ScriptedDialogs`] queue, taken out; none when it is empty.
fn next(queue: &mut Vec<PathBuf>) -> Option<PathBuf> {
    (!queue.is_empty()).then(|| queue.remove(0))
}

/// How many recent files are remembered.
pub const MAX_RECENT: usize = 8;

/// Put `path` first in the recent list.
pub fn remember_recent(recent: &mut Vec<PathBuf>, path: &Path) {
    recent.retain(|p| p != path);
    recent.insert(0, path.to_owned());
    recent.truncate(MAX_RECENT);
}

/// What the recovery file holds: the unsaved design and the file it belongs to.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RecoveryFile {
    path: Option<PathBuf>,
    design: String,
}

/// The crash-recovery file: written every few seconds while there are unsaved changes,
/// removed on save and on a clean exit.
pub struct Recovery {
    file: PathBuf,
}

/// A design found in the recovery file after a crash.
#[derive(Clone, Debug)]
pub struct Recovered {
    pub path: Option<PathBuf>,
    pub design: Design,
}

impl Recovery {
    /// Recovery in `dir` (created when first written).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            file: dir.join("recovery.ron"),
        }
    }

    /// The platform's data folder for Edgewire.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("dev", "Edgewire", "edgewire")
            .map(|dirs| dirs.data_local_dir().to_owned())
    }

    pub fn write(&self, path: Option<&Path>, design: &Design) -> Result<(), String> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let record = RecoveryFile {
            path: path.map(Path::to_owned),
            design: format::to_string(design),
        };
        let text = ron::ser::to_string_pretty(&record, ron::ser::PrettyConfig::default())
            .map_err(|e| e.to_string())?;
        format::write_atomic(&self.file, text.as_bytes()).map_err(|e| e.to_string())
    }

    /// What a previous run left behind, if anything readable.
    pub fn read(&self) -> Option<Recovered> {
        let text = std::fs::read_to_string(&self.file).ok()?;
        let record: RecoveryFile = ron::from_str(&text).ok()?;
        let design = format::parse(&record.design).ok()?;
        Some(Recovered {
            path: record.path,
            design,
        })
    }

    pub fn clear(&self) {
        if self.file.exists()
            && let Err(err) = std::fs::remove_file(&self.file)
        {
            tracing::warn!("could not remove {}: {err}", self.file.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let recovery = Recovery::in_dir(dir.path());
        assert!(recovery.read().is_none());
        let design = Design::new("unsaved");
        recovery
            .write(Some(Path::new("/tmp/x.ron")), &design)
            .expect("writes");
        let found = recovery.read().expect("found");
        assert_eq!(found.design, design);
        assert_eq!(found.path.as_deref(), Some(Path::new("/tmp/x.ron")));
        recovery.clear();
        assert!(recovery.read().is_none());
    }

    #[test]
    fn recent_files_are_unique_and_bounded() {
        let mut recent = Vec::new();
        for n in 0..12 {
            remember_recent(&mut recent, Path::new(&format!("/d/{n}.ron")));
        }
        remember_recent(&mut recent, Path::new("/d/5.ron"));
        assert_eq!(recent.len(), MAX_RECENT);
        assert_eq!(recent[0], Path::new("/d/5.ron"));
        assert_eq!(recent.iter().filter(|p| p.ends_with("5.ron")).count(), 1);
    }
}
