//! The File menu: export a Wrangler project, the diagram as Mermaid and SVG, OpenAPI out and
//! in, through the file-dialog interface (`ScriptedDialogs` stands in for the native dialogs).

mod support;

use edgewire::ui::files::ScriptedDialogs;
use egui_kittest::kittest::Queryable as _;
use support::{app as harness, file_menu};

/// File > Export writes the reference design as a Wrangler project into the folder the user
/// picks, and refuses a folder that already holds files, writing nothing into it.
#[test]
fn export_writes_a_wrangler_project_but_never_into_a_folder_with_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let occupied = dir.path().join("occupied");
    std::fs::create_dir(&occupied).expect("mkdir");
    std::fs::write(occupied.join("notes.txt"), "mine").expect("write");
    let fresh = dir.path().join("project");
    let mut harness = support::app_scripted(ScriptedDialogs {
        export: vec![occupied.clone(), fresh.clone()],
        ..ScriptedDialogs::default()
    });

    file_menu(&mut harness, "Export Wrangler project…");
    harness.get_by_label_contains("is not empty");
    let names: Vec<_> = std::fs::read_dir(&occupied)
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(occupied.join("notes.txt")).expect("read"),
        "mine"
    );
    harness.get_by_label("OK").click();
    harness.run_ok();

    file_menu(&mut harness, "Export Wrangler project…");
    for file in [
        "package.json",
        "gateway/wrangler.jsonc",
        "products/src/index.ts",
        "users/wrangler.jsonc",
    ] {
        assert!(fresh.join(file).is_file(), "{file} is exported");
    }
    harness.get_by_label_contains("Exported ");
}

/// File > Copy diagram as Mermaid puts the same flowchart `edgewire diagram` prints on the
/// clipboard.
#[test]
fn the_diagram_is_copied_as_mermaid() {
    let mut harness = harness();
    harness.get_by_label("File").click();
    harness.run_ok();
    harness.get_by_label("Copy diagram as Mermaid").click();
    harness.step();
    let copied = support::copied(&harness);
    let expected = edgewire_engine::diagram::mermaid(&harness.state().document().design);
    assert_eq!(copied, [expected]);
}

/// File > Export diagram as SVG saves the picture `edgewire diagram --format svg` draws.
#[test]
fn the_diagram_is_saved_as_svg() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("architecture");
    let mut harness = support::app_scripted(ScriptedDialogs {
        svg: vec![path.clone()],
        ..ScriptedDialogs::default()
    });
    file_menu(&mut harness, "Export diagram as SVG…");
    let saved = std::fs::read_to_string(path.with_extension("svg")).expect("saved as .svg");
    assert_eq!(
        saved,
        edgewire::ui::svg::design_svg(&harness.state().document().design)
    );
    harness.get_by_label_contains("Saved the diagram to");
}

/// File > Export OpenAPI… saves the document `edgewire openapi` writes; File > Import
/// OpenAPI… opens a document as a new design, laid out and unsaved.
#[test]
fn openapi_documents_go_out_and_come_back_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("api");
    let mut harness = support::app_scripted(ScriptedDialogs {
        openapi_save: vec![out.clone()],
        openapi_open: vec![out.with_extension("json")],
        ..ScriptedDialogs::default()
    });
    file_menu(&mut harness, "Export OpenAPI…");
    let saved = std::fs::read_to_string(out.with_extension("json")).expect("saved as .json");
    let expected = edgewire_engine::openapi::document(&harness.state().document().design);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&saved).expect("JSON"),
        expected
    );
    harness.get_by_label_contains("Saved the OpenAPI document to");

    file_menu(&mut harness, "Import OpenAPI…");
    let doc = harness.state().document();
    assert!(doc.path.is_none(), "an imported design has no file yet");
    assert!(doc.is_dirty(), "an imported design is unsaved");
    assert_eq!(
        support::worker_ids(&doc.design),
        ["orders", "products", "users"]
    );
    assert_eq!(doc.design.layout.len(), doc.design.nodes.len(), "laid out");
    harness.get_by_label_contains("Imported 8 operation(s)");
}
