//! `edgewire diagram --format png` and File > Export diagram as PNG…: a picture of the
//! design's size at the scale asked for, drawn (not blank), with the app's own fonts.

mod support;

use std::path::Path;
use std::process::Command;

use edgewire::ui::commands::UiCommand;
use edgewire::ui::files::ScriptedDialogs;
use resvg::tiny_skia::Pixmap;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The share of pixels that are not the white background.
fn drawn_share(image: &Pixmap) -> f64 {
    let pixels = image.pixels();
    let drawn = pixels
        .iter()
        .filter(|p| (p.red(), p.green(), p.blue()) != (255, 255, 255))
        .count();
    drawn as f64 / pixels.len() as f64
}

#[test]
fn the_cli_draws_the_picture_at_the_scale_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = workspace().join("examples/global-api.ron");
    let mut sizes = Vec::new();
    for scale in ["1", "2"] {
        let out = dir.path().join(format!("x{scale}.png"));
        let status = Command::new(env!("CARGO_BIN_EXE_edgewire"))
            .args([
                "diagram",
                design.to_str().expect("UTF-8"),
                "--scale",
                scale,
                "--out",
            ])
            .arg(&out)
            .status()
            .expect("edgewire runs");
        assert!(status.success());
        let image = Pixmap::load_png(&out).expect("a PNG");
        let share = drawn_share(&image);
        assert!(share > 0.05, "the picture is drawn: {share}");
        sizes.push((image.width(), image.height()));
    }
    // The SVG of the reference is 1104 x 661 units.
    let svg =
        edgewire::ui::svg::design_svg(&edgewire_engine::format::load(&design).expect("loads"));
    assert!(svg.contains(r#"width="1104""#), "{}", &svg[..200]);
    assert_eq!(sizes, [(1104, 661), (2208, 1322)]);

    let refused = Command::new(env!("CARGO_BIN_EXE_edgewire"))
        .args([
            "diagram",
            design.to_str().expect("UTF-8"),
            "--format",
            "png",
        ])
        .output()
        .expect("edgewire runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("write it to a file with --out"));
}

#[test]
fn the_app_exports_the_picture_as_png() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("reference");
    let mut harness = support::app_scripted(ScriptedDialogs {
        png: vec![out.clone()],
        ..ScriptedDialogs::default()
    });
    harness.state_mut().push(UiCommand::ExportPng);
    harness.run_ok();
    let image =
        Pixmap::load_png(out.with_extension("png")).expect("a PNG with the extension added");
    assert!(drawn_share(&image) > 0.05);
}
