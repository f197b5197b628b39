//! Saving onto a real disk that is full, or read-only: a tiny tmpfs mounted for the test.
//! The file on disk stays the old version, no temporary file is left behind, the app says
//! why in words and offers Save As…, and the design stays open and unsaved.
//!
//! Mounting needs root (or `CAP_SYS_ADMIN`); elsewhere the test says why it skips, unless
//! `EDGEWIRE_REQUIRE_DISK_FAULTS=1` (set by `.ci/run`) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use edgewire::ui::commands::UiCommand;
use edgewire::ui::files::ScriptedDialogs;
use edgewire::ui::{AppOptions, EdgewireApp};
use edgewire_engine::format;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

/// A tmpfs of `size` mounted on a temp dir, unmounted when dropped.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            return Some(Self { dir });
        }
        let why = "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)";
        assert!(
            std::env::var_os("EDGEWIRE_REQUIRE_DISK_FAULTS").is_none(),
            "disk fault tests required but: {why}"
        );
        eprintln!("SKIPPED disk fault test: {why}");
        None
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .expect("mount runs");
        assert!(status.success(), "remount read-only");
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn app() -> Harness<'static, EdgewireApp> {
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .with_max_steps(40)
        .build_eframe(move |cc| EdgewireApp::new(cc, AppOptions::headless()));
    harness.run_ok();
    harness
}

/// Save the reference design to `file`, then add a node (an unsaved edit).
fn saved_then_edited(harness: &mut Harness<'_, EdgewireApp>, file: &Path, elsewhere: PathBuf) {
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        save: vec![file.to_owned(), elsewhere],
        ..ScriptedDialogs::default()
    }));
    harness.state_mut().push(UiCommand::SaveAs);
    harness.run_ok();
    assert!(file.exists(), "the first save works");
    harness.get_by_label("Add D1 database").click_accesskit();
    harness.run_ok();
}

fn assert_nothing_lost(
    harness: &mut Harness<'_, EdgewireApp>,
    file: &Path,
    old: &str,
    words: &str,
) {
    let message = harness.state().dialog_text().expect("a message");
    assert!(message.contains(words), "{message}");
    assert!(harness.state().document().is_dirty(), "still unsaved");
    assert_eq!(
        std::fs::read_to_string(file).expect("old file"),
        old,
        "the old version"
    );
    let leftovers: Vec<_> = std::fs::read_dir(file.parent().expect("folder"))
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_full_disk_keeps_the_old_file_and_save_as_saves_elsewhere() {
    let Some(disk) = TinyDisk::mount("96k") else {
        return;
    };
    let file = disk.path().join("design.ron");
    let outside = tempfile::tempdir().expect("temp dir");
    let elsewhere = outside.path().join("saved.ron");
    let mut harness = app();
    saved_then_edited(&mut harness, &file, elsewhere.clone());
    let old = std::fs::read_to_string(&file).expect("saved");
    // Fill what is left of the disk.
    let filler = disk.path().join("filler");
    let free = 96 * 1024 - old.len();
    let _ = std::fs::write(&filler, vec![b'x'; free]);

    harness.state_mut().push(UiCommand::Save);
    harness.run_ok();
    assert_nothing_lost(&mut harness, &file, &old, "the disk is full");

    harness.get_by_label("Save As…").click_accesskit();
    harness.run_ok();
    assert!(!harness.state().document().is_dirty(), "saved elsewhere");
    let saved = format::load(&elsewhere).expect("the saved file loads");
    let edited = format::to_string(&harness.state().document().design);
    assert!(
        format::to_string(&saved) == edited,
        "Save As wrote the edited design"
    );
}

#[test]
fn a_read_only_disk_says_so_and_keeps_the_old_file() {
    let Some(disk) = TinyDisk::mount("1m") else {
        return;
    };
    let file = disk.path().join("design.ron");
    let outside = tempfile::tempdir().expect("temp dir");
    let mut harness = app();
    saved_then_edited(&mut harness, &file, outside.path().join("saved.ron"));
    let old = std::fs::read_to_string(&file).expect("saved");
    disk.read_only();

    harness.state_mut().push(UiCommand::Save);
    harness.run_ok();
    assert_nothing_lost(&mut harness, &file, &old, "the disk is read-only");
}
