//! File actions: new, open, save, revert, export, and the crash-recovery file (autosave,
//! closing on a stop signal).

use std::path::Path;

use edgewire_engine::Design;
use edgewire_engine::format::{self, FileError};
use eframe::egui::{self, ViewportCommand};

use super::{AUTOSAVE_SECS, EdgewireApp, Modal, Pending, Stop};
use crate::ui::commands::{Selection, UiCommand};
use crate::ui::document::Document;
use crate::ui::examples::EXAMPLES;
use crate::ui::files;
use crate::ui::inspector::InspectorState;
use crate::ui::ops;

impl EdgewireApp {
    /// Run `pending` now, or ask first when there are unsaved changes.
    pub(super) fn guard(&mut self, pending: Pending) {
        if self.doc.is_dirty() && !matches!(pending, Pending::Quit if self.allow_close) {
            self.modal = Some(Modal::ConfirmDiscard(pending));
        } else {
            self.perform(pending);
        }
    }

    pub(super) fn perform(&mut self, pending: Pending) {
        match pending {
            Pending::New => {
                self.replace_document(Document::new(Design::new("Untitled design"), None));
            }
            Pending::OpenDialog => {
                if let Some(path) = self.dialogs.open() {
                    self.open(&path);
                }
            }
            Pending::Open(path) => self.open(&path),
            Pending::OpenExample(index) => {
                if let Some(example) = EXAMPLES.get(index) {
                    match format::parse(example.text) {
                        Ok(design) => self.replace_document(Document::new(design, None)),
                        Err(err) => self.modal = Some(Modal::Error(err.to_string())),
                    }
                }
            }
            Pending::ImportOpenApi => {
                if let Some(path) = self.dialogs.open_openapi() {
                    self.import_openapi(&path);
                }
            }
            Pending::ImportWrangler(path) => {
                if let Some(path) = path.or_else(|| self.dialogs.wrangler_folder()) {
                    self.import_wrangler(&path);
                }
            }
            Pending::Revert => {
                if let Some(path) = self.doc.path.clone() {
                    self.open(&path);
                }
            }
            Pending::Quit => {
                self.allow_close = true;
                self.quit = true;
            }
        }
    }

    /// Open a design file. On failure the current design stays as it is and a dialog says
    /// what is wrong and where.
    pub fn open(&mut self, path: &Path) {
        match Document::open(path) {
            Ok(doc) => {
                files::remember_recent(&mut self.settings.recent, path);
                self.replace_document(doc);
                self.status = Some(format!("Opened {}", path.display()));
            }
            Err(FileError::Load(err)) => {
                self.modal = Some(Modal::LoadError {
                    file: path.display().to_string(),
                    location: err
                        .location
                        .map(|l| format!("line {}, column {}", l.line, l.column)),
                    message: err.message,
                    help: err.help,
                });
            }
            Err(err) => {
                self.modal = Some(Modal::LoadError {
                    file: path.display().to_string(),
                    location: None,
                    message: err.to_string(),
                    help: None,
                });
            }
        }
    }

    pub(super) fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.selection = Selection::default();
        self.canvas.reset_interaction();
        self.canvas.request_fit();
        self.inspector = InspectorState::default();
        self.import_dir = None;
        self.clear_recovery();
    }

    /// Save to the document's file, or ask where. Returns whether it was saved.
    pub(super) fn save(&mut self) -> bool {
        match self.doc.path.clone() {
            Some(path) => self.save_to(&path),
            None => self.save_as(),
        }
    }

    pub(super) fn save_as(&mut self) -> bool {
        let suggested = format!("{}.ron", ops::slug(&self.doc.design.name));
        match self.dialogs.save(&suggested) {
            Some(mut path) => {
                if path.extension().is_none() {
                    path.set_extension("ron");
                }
                self.save_to(&path)
            }
            None => false,
        }
    }

    pub(super) fn save_to(&mut self, path: &Path) -> bool {
        if let Some(from) = self.import_dir.clone() {
            let to = crate::ui::import::design_dir(path);
            let edits = edgewire_engine::import::wrangler::rebase(&self.doc.design, &from, &to);
            if !edits.is_empty() {
                let _ = self
                    .doc
                    .apply(&edgewire_engine::edit::Edit::Batch { edits }, None);
            }
        }
        match self.doc.save_as(path) {
            Ok(()) => {
                self.import_dir = None;
                files::remember_recent(&mut self.settings.recent, path);
                self.clear_recovery();
                self.status = Some(format!("Saved {}", path.display()));
                true
            }
            Err(err) => {
                self.modal = Some(Modal::SaveFailed(format!(
                    "Could not save to {}: {err}",
                    path.display()
                )));
                false
            }
        }
    }

    /// Export the design as a Wrangler project into a folder the user picks. Only into an
    /// empty or new folder: nothing of the user's is ever overwritten.
    pub(super) fn export_project(&mut self) {
        use edgewire_engine::export::{self, ExportError};
        let tree = match export::export(&self.doc.design) {
            Ok(tree) => tree,
            Err(ExportError::Invalid(diagnostics)) => {
                let errors = diagnostics.errors().count();
                self.queue.push(UiCommand::ShowProblems);
                self.modal = Some(Modal::Error(format!(
                    "Not exported: the design has {errors} error(s). The Problems list says \
                     what to fix."
                )));
                return;
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Not exported: {err}")));
                return;
            }
        };
        let Some(dir) = self.dialogs.export_folder() else {
            return;
        };
        let design_dir = self.import_dir.clone().unwrap_or_else(|| {
            self.doc
                .path
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default()
        });
        let written = export::write_tree(&tree, &dir, false)
            .and_then(|()| export::copy_code(&self.doc.design, &design_dir, &dir));
        match written {
            Ok(_) => {
                self.status = Some(format!(
                    "Exported {} files to {}; next: npm install, then npm run dev there",
                    tree.files.len(),
                    dir.display()
                ));
            }
            Err(ExportError::NotEmpty(_)) => {
                self.modal = Some(Modal::Error(format!(
                    "Not exported: {} is not empty. Choose an empty or a new folder; nothing \
                     was written.",
                    dir.display()
                )));
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not export: {err}")));
            }
        }
    }

    /// Save the design's picture as SVG where the user says.
    pub(super) fn export_svg(&mut self) {
        let suggested = format!("{}.svg", ops::slug(&self.doc.design.name));
        let Some(mut path) = self.dialogs.save_svg(&suggested) else {
            return;
        };
        if path.extension().is_none() {
            path.set_extension("svg");
        }
        let svg = crate::ui::svg::design_svg(&self.doc.design);
        match edgewire_engine::format::write_atomic(&path, svg.as_bytes()) {
            Ok(()) => self.status = Some(format!("Saved the diagram to {}", path.display())),
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not save the diagram: {err}")));
            }
        }
    }

    /// Save the design's picture as a PNG (twice the SVG's size, for slides) where the user
    /// says.
    pub(super) fn export_png(&mut self) {
        let suggested = format!("{}.png", ops::slug(&self.doc.design.name));
        let Some(mut path) = self.dialogs.save_png(&suggested) else {
            return;
        };
        if path.extension().is_none() {
            path.set_extension("png");
        }
        let svg = crate::ui::svg::design_svg(&self.doc.design);
        let written = crate::ui::png::svg_to_png(&svg, 2.0).and_then(|bytes| {
            edgewire_engine::format::write_atomic(&path, &bytes).map_err(|err| err.to_string())
        });
        match written {
            Ok(()) => self.status = Some(format!("Saved the diagram to {}", path.display())),
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not save the diagram: {err}")));
            }
        }
    }

    /// Save the OpenAPI document of what the design's clients see where the user says (YAML
    /// for a `.yaml` or `.yml` name, JSON otherwise).
    pub(super) fn export_openapi(&mut self) {
        let suggested = format!("{}.openapi.json", ops::slug(&self.doc.design.name));
        let Some(mut path) = self.dialogs.save_openapi(&suggested) else {
            return;
        };
        if path.extension().is_none() {
            path.set_extension("json");
        }
        let document = edgewire_engine::openapi::document(&self.doc.design);
        let yaml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let text = if yaml {
            serde_yaml_ng::to_string(&document).map_err(|err| err.to_string())
        } else {
            serde_json::to_string_pretty(&document)
                .map(|mut text| {
                    text.push('\n');
                    text
                })
                .map_err(|err| err.to_string())
        };
        let written = text.and_then(|text| {
            edgewire_engine::format::write_atomic(&path, text.as_bytes())
                .map_err(|err| err.to_string())
        });
        match written {
            Ok(()) => {
                self.status = Some(format!("Saved the OpenAPI document to {}", path.display()));
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!(
                    "Could not save the OpenAPI document: {err}"
                )));
            }
        }
    }

    /// Open an OpenAPI document as a new design, laid out and unsaved; what could not be
    /// carried over is listed in a dialog.
    pub(super) fn import_openapi(&mut self, path: &Path) {
        let imported = std::fs::read_to_string(path)
            .map_err(|err| err.to_string())
            .and_then(|text| {
                let name = path.file_stem().map_or_else(
                    || "Imported API".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
                edgewire_engine::openapi::import::import(&text, &name)
                    .map_err(|err| err.to_string())
            });
        let Some(imported) = self.imported(path, imported) else {
            return;
        };
        let mut design = imported.design;
        if design.apply(&ops::tidy_up(&design)).is_err() {
            design.layout.clear();
        }
        self.open_unsaved(design);
        self.status = Some(format!(
            "Imported {} operation(s) from {} (unsaved)",
            imported.operations,
            path.display()
        ));
        if !imported.warnings.is_empty() {
            self.modal = Some(Modal::Error(format!(
                "Imported {} with {} warning(s):\n\n{}",
                path.display(),
                imported.warnings.len(),
                imported.warnings.join("\n")
            )));
        }
    }

    /// What an import of `path` gave, or `None` after a dialog that says why it failed.
    fn imported<T>(&mut self, path: &Path, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|err| {
                self.modal = Some(Modal::Error(format!(
                    "Could not import {}: {err}",
                    path.display()
                )));
            })
            .ok()
    }

    /// Open an imported design as a new document that has no file yet and is unsaved.
    fn open_unsaved(&mut self, design: Design) {
        let mut doc = Document::new(Design::new(design.name.clone()), None);
        doc.replace(design);
        self.replace_document(doc);
    }

    /// Open a Workers project (a folder, or one configuration) as a new design, laid out
    /// and unsaved; the import's summary is shown in a dialog when it has warnings.
    pub(super) fn import_wrangler(&mut self, path: &Path) {
        let folder = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let out = folder.join(edgewire_engine::import::wrangler::DESIGN_FILE);
        let imported = crate::ui::import::wrangler(&[path.to_path_buf()], None, &out)
            .map_err(|err| err.to_string());
        let Some(imported) = self.imported(path, imported) else {
            return;
        };
        let summary = imported.summary;
        self.open_unsaved(imported.design);
        self.import_dir = Some(folder);
        self.status = Some(format!(
            "Imported {} Worker(s), {} store(s) and {} wire(s) from {} (unsaved)",
            summary.workers,
            summary.stores,
            summary.wires,
            path.display()
        ));
        if !summary.warnings.is_empty()
            || !summary.problems.is_empty()
            || summary.round_trip.is_some()
        {
            self.modal = Some(Modal::Error(format!(
                "Imported {}:\n\n{}",
                path.display(),
                summary.render()
            )));
        }
    }

    pub(super) fn clear_recovery(&mut self) {
        if self.recovery_written
            && let Some(recovery) = &self.recovery
        {
            recovery.clear();
        }
        self.recovery_written = false;
    }

    /// Close at once when a [`StopSignal`] came: unsaved changes are written to the recovery
    /// file first (offered again at the next start), and [`eframe::App::on_exit`] stops a
    /// running design and its private PostgreSQL.
    pub(super) fn stop_if_asked(&mut self, ctx: &egui::Context) {
        if !matches!(&self.stop, Stop::Listening(signal) if signal.is_requested()) {
            return;
        }
        self.stop = Stop::Stopping;
        if self.doc.is_dirty()
            && let Some(recovery) = &self.recovery
        {
            match recovery.write(self.doc.path.as_deref(), &self.doc.design) {
                Ok(()) => self.recovery_written = true,
                Err(err) => tracing::error!("could not keep unsaved changes: {err}"),
            }
        }
        self.allow_close = true;
        self.modal = None;
        ctx.send_viewport_cmd(ViewportCommand::Close);
    }

    /// Whether the app is closing because of a [`StopSignal`].
    pub fn is_stopping(&self) -> bool {
        matches!(self.stop, Stop::Stopping)
    }

    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        let Some(recovery) = &self.recovery else {
            return;
        };
        if !self.doc.is_dirty() {
            if self.recovery_written {
                recovery.clear();
                self.recovery_written = false;
            }
            return;
        }
        let now = ctx.input(|i| i.time);
        if now - self.last_autosave >= AUTOSAVE_SECS {
            match recovery.write(self.doc.path.as_deref(), &self.doc.design) {
                Ok(()) => self.recovery_written = true,
                Err(err) => tracing::warn!("autosave failed: {err}"),
            }
            self.last_autosave = now;
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_SECS));
    }
}
