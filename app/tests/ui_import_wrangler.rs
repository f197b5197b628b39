//! File > Import Wrangler project… and dropping a Workers project on the window: the design
//! opens laid out and unsaved, says what it could not model, and a code Worker's typical
//! request is edited in the inspector, one undo step per edit.

mod support;

use std::path::{Path, PathBuf};

use edgewire::ui::commands::UiCommand;
use edgewire::ui::files::ScriptedDialogs;
use edgewire_engine::NodeKind;
use eframe::egui;
use egui_kittest::kittest::Queryable as _;
use support::file_menu;

/// A copy of a fixture project from `tests/fixtures/wrangler/`, so saving writes nowhere
/// else.
fn project(name: &str, into: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/wrangler")
        .join(name);
    let to = into.join(name);
    copy(&from, &to);
    to
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

fn typical_uses(harness: &egui_kittest::Harness<'_, edgewire::ui::EdgewireApp>, id: &str) -> usize {
    match harness.state().document().design.node(id).map(|n| &n.kind) {
        Some(NodeKind::Worker(worker)) => worker.code.as_ref().map_or(0, |c| c.typical.len()),
        _ => panic!("{id} is a Worker"),
    }
}

#[test]
fn a_monorepo_is_imported_laid_out_and_its_typical_request_edited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = project("monorepo", dir.path());
    let mut harness = support::app_scripted(ScriptedDialogs {
        wrangler: vec![folder.clone()],
        ..ScriptedDialogs::default()
    });
    file_menu(&mut harness, "Import Wrangler project…");
    // The summary names what could not be brought in: a service outside the folder.
    harness.get_by_label_contains("which is not in the imported folders");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "OK")
        .click();
    harness.run_ok();
    {
        let doc = harness.state().document();
        assert!(doc.path.is_none(), "an imported design has no file yet");
        assert!(doc.is_dirty(), "an imported design is unsaved");
        assert_eq!(
            support::worker_ids(&doc.design),
            ["billing-api", "catalog", "gateway", "users"]
        );
        assert_eq!(doc.design.layout.len(), doc.design.nodes.len(), "laid out");
    }
    harness.get_by_label_contains("Imported 4 Worker(s)");

    // The users Worker: its code, and its typical request (SESSIONS and DB once each).
    harness.get_by_label("Node users").click_accesskit();
    harness.run_ok();
    harness.get_by_label("TYPICAL REQUEST");
    assert_eq!(typical_uses(&harness, "users"), 2);
    harness.get_by_label("+ Use").click();
    harness.run_ok();
    assert_eq!(typical_uses(&harness, "users"), 3);
    harness.state_mut().push(UiCommand::Undo);
    harness.run_ok();
    assert_eq!(
        typical_uses(&harness, "users"),
        2,
        "one edit, one undo step"
    );
}

/// A file dropped on the window, as the platform hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|err| err.to_string())
    }
}

#[test]
fn a_project_dropped_on_the_window_is_imported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = project("single", dir.path());
    let mut harness = support::app();
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(folder.join("wrangler.toml"))));
    harness.run_ok();
    let doc = harness.state().document();
    assert!(
        doc.design.node("hello-api").is_some(),
        "{:?}",
        doc.design.nodes
    );
    assert!(doc.is_dirty());
    harness.get_by_label_contains("Imported 1 Worker(s)");
}

/// Run on an imported project: the engine serves the design, and the Run tab's log says at
/// once that code Workers answer 501.
#[test]
fn the_run_tab_says_code_workers_answer_501() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = project("single", dir.path());
    let mut options = edgewire::ui::AppOptions::headless();
    options.runtime = Some(runtime.handle().clone());
    let mut harness = support::app_with(options, egui::Theme::Dark);
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        wrangler: vec![folder],
        ..ScriptedDialogs::default()
    }));
    harness.state_mut().run_state_mut().state_root = Some(dir.path().join("state"));
    file_menu(&mut harness, "Import Wrangler project…");
    harness.get_by_label("▶ Run").click();
    for _ in 0..200 {
        harness.step();
        if harness.state().run_state().is_running() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let run = harness.state().run_state();
    assert!(run.is_running(), "{:?}", run.status);
    assert!(
        run.log
            .iter()
            .any(|line| line.text.contains("code Workers answer 501")
                && line.text.contains("hello-api")),
        "{:?}",
        run.log.iter().map(|l| &l.text).collect::<Vec<_>>()
    );
    harness.get_by_label("■ Stop").click();
    for _ in 0..200 {
        harness.step();
        if !harness.state().run_state().is_running() && !harness.state().run_state().is_busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// An imported design saved outside the project keeps pointing at the project's code.
#[test]
fn saving_elsewhere_keeps_the_code_paths_right() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = project("single", dir.path());
    let elsewhere = dir.path().join("designs");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let mut harness = support::app_scripted(ScriptedDialogs {
        wrangler: vec![folder],
        save: vec![elsewhere.join("hello.ron")],
        ..ScriptedDialogs::default()
    });
    file_menu(&mut harness, "Import Wrangler project…");
    harness.state_mut().push(UiCommand::SaveAs);
    harness.run_ok();
    let saved = std::fs::read_to_string(elsewhere.join("hello.ron")).expect("saved");
    assert!(
        saved.contains("source: \"../single/src/index.ts\""),
        "{saved}"
    );
    assert!(
        saved.contains("config: \"../single/wrangler.toml\""),
        "{saved}"
    );
    let design = edgewire_engine::format::load(&elsewhere.join("hello.ron")).expect("loads");
    let Some(NodeKind::Worker(worker)) = design.node("hello-api").map(|n| &n.kind) else {
        panic!("hello-api");
    };
    let source = worker.code.as_ref().expect("code").source.clone();
    assert!(
        elsewhere.join(source).is_file(),
        "the path leads to the code"
    );
}

/// What Edgewire does not model is noted beside its Worker: under it, in its column.
#[test]
fn notes_are_laid_out_under_their_worker() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = project("unknown-bindings", dir.path());
    let imported = edgewire::ui::import::wrangler(
        std::slice::from_ref(&folder),
        None,
        &folder.join("edgewire.ron"),
    )
    .expect("imports");
    let layout = &imported.design.layout;
    let (worker, note) = (layout["media"], layout["media-note"]);
    assert!(
        (worker.x - note.x).abs() < f32::EPSILON,
        "{worker:?} {note:?}"
    );
    assert!(note.y > worker.y, "{worker:?} {note:?}");
    assert_eq!(layout.len(), imported.design.nodes.len());
}
