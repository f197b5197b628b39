//! The user's work under faults: a save killed halfway, an app killed with unsaved edits, a
//! save that fails, a secrets file that cannot be read. Nothing is ever lost or torn.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use edgewire::ui::commands::UiCommand;
use edgewire::ui::files::{Recovery, ScriptedDialogs};
use edgewire::ui::{AppOptions, EdgewireApp};
use edgewire_engine::format;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

fn app(options: AppOptions) -> Harness<'static, EdgewireApp> {
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .with_step_dt(1.0)
        .with_max_steps(40)
        .build_eframe(move |cc| EdgewireApp::new(cc, options));
    harness.run_ok();
    harness
}

/// A large design whose file is not in canonical form, so that `fmt` rewrites all of it.
fn large_untidy_design() -> String {
    let reference = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron"),
    )
    .expect("example");
    let mut design = format::parse(&reference).expect("parses");
    for i in 0..3000 {
        design.nodes.push(edgewire_engine::Node::new(
            format!("note-{i}"),
            edgewire_engine::NodeKind::Note(edgewire_engine::model::Note {
                text: format!("note number {i}, with some text to make the file longer"),
            }),
        ));
    }
    // Two-space indentation: valid, but not how `fmt` writes it.
    format::to_string(&design).replace("    ", "  ")
}

/// `edgewire fmt` killed with SIGKILL at many points while it writes a 500 KB design: the file
/// on disk is always the whole old text or the whole new one.
#[test]
fn a_save_killed_halfway_leaves_the_old_file_or_the_new_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.ron");
    let old = large_untidy_design();
    let new = format::to_string(&format::parse(&old).expect("parses"));
    assert_ne!(old, new);
    let (mut kept, mut replaced) = (0, 0);
    for round in 0..40_u64 {
        std::fs::write(&path, &old).expect("written");
        let mut child = Command::new(env!("CARGO_BIN_EXE_edgewire"))
            .args(["fmt", path.to_str().expect("UTF-8")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("fmt starts");
        // Kill it at a different moment each round, from at once to after it finished.
        std::thread::sleep(Duration::from_micros(round * round * 40));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&path).expect("readable");
        if text == old {
            kept += 1;
        } else {
            assert_eq!(
                text, new,
                "round {round}: the file is neither the old nor the new text"
            );
            replaced += 1;
        }
    }
    eprintln!("{kept} rounds kept the old file, {replaced} had the new one");
}

/// Killed (no stop signal, no exit hook) some seconds after an edit: the autosave has the
/// edit, and the next start offers it back.
#[test]
fn an_app_killed_with_unsaved_edits_offers_them_at_the_next_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = || AppOptions {
        recovery_dir: Some(dir.path().to_owned()),
        ..AppOptions::headless()
    };
    let mut harness = app(options());
    harness.get_by_label("Add D1 database").click_accesskit();
    harness.run_ok();
    assert!(harness.state().document().is_dirty());
    // Six seconds of the app running (the autosave runs every five).
    for _ in 0..6 {
        harness.step();
    }
    let mut edited = harness.state().document().design.clone();
    drop(harness);

    let recovered = Recovery::in_dir(dir.path())
        .read()
        .expect("the autosave kept the unsaved edit");
    let mut design = recovered.design;
    design.canonicalize();
    edited.canonicalize();
    assert_eq!(design, edited);
    let next = app(options());
    assert!(
        next.query_all_by_label_contains("Restore unsaved changes")
            .next()
            .is_some(),
        "the next start offers the edits back"
    );
}

/// A save that fails (the folder is not a folder) keeps the design open and unsaved, says
/// where and why, and offers Save As…, which saves it elsewhere.
#[test]
fn a_failed_save_offers_save_as_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file").expect("written");
    let elsewhere = dir.path().join("saved.ron");
    let mut harness = app(AppOptions::headless());
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        save: vec![blocker.join("design.ron"), elsewhere.clone()],
        ..ScriptedDialogs::default()
    }));
    harness.get_by_label("Add D1 database").click_accesskit();
    harness.run_ok();
    let edited = harness.state().document().design.clone();
    harness.state_mut().push(UiCommand::SaveAs);
    harness.run_ok();
    let message = harness.state().dialog_text().expect("a message");
    assert!(message.contains("not-a-folder"), "{message}");
    assert!(harness.state().document().is_dirty(), "still unsaved");
    assert_eq!(harness.state().document().design, edited, "nothing lost");

    harness.get_by_label("Save As…").click_accesskit();
    harness.run_ok();
    assert!(elsewhere.exists(), "saved through Save As");
    assert!(!harness.state().document().is_dirty());
    let saved = format::load(&elsewhere).expect("the saved file loads");
    assert_eq!(saved.nodes.len(), edited.nodes.len());
}

/// A design whose `.dev.vars` cannot be read (here: it is a folder) still opens.
#[test]
fn a_design_with_an_unreadable_secrets_file_still_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = dir.path().join("api.ron");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron"),
        &design,
    )
    .expect("copied");
    std::fs::create_dir(dir.path().join("api.dev.vars")).expect("a folder where a file should be");
    let mut harness = app(AppOptions::headless());
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        open: vec![design.clone()],
        ..ScriptedDialogs::default()
    }));
    harness.state_mut().push(UiCommand::Open);
    harness.run_ok();
    assert_eq!(
        harness.state().document().path.as_deref(),
        Some(design.as_path())
    );
    assert!(harness.state().document().design.contains("gateway"));
}
