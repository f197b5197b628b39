//! Design files survive loading and saving: canonical files come back byte for byte, and a
//! save that fails never damages the file that was there.

mod design_files;

use std::path::Path;

use edgewire_engine::format;

use design_files::examples;

#[test]
fn every_example_round_trips_byte_for_byte() {
    let files = examples();
    assert!(
        files.len() >= 4,
        "expected the reference and the small examples"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let design = format::parse(&text).unwrap_or_else(|err| panic!("{}", err.render()));
        assert!(
            format::to_string(&design) == text,
            "{} is not in canonical form; run `edgewire fmt {}`",
            path.display(),
            path.display()
        );
    }
}

#[test]
fn every_example_loads_from_disk() {
    for path in examples() {
        let design = format::load(&path).unwrap_or_else(|err| panic!("{err}"));
        assert!(!design.nodes.is_empty(), "{}", path.display());
    }
}

fn sample_design() -> edgewire_engine::Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kv-only.ron");
    format::load(&path).expect("kv-only loads")
}

/// What [`saved_original`] writes.
const ORIGINAL: &[u8] = b"(version: 1, name: \"original\")\n";

/// A temporary folder holding `design.ron` with [`ORIGINAL`] in it, and the file's path.
fn saved_original() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("design.ron");
    std::fs::write(&path, ORIGINAL).expect("writes");
    (dir, path)
}

#[test]
fn failed_save_leaves_the_original_intact() {
    let (dir, path) = saved_original();
    // Block the temporary file's path with a folder so that the save fails midway.
    let blocker = dir
        .path()
        .join(format!(".design.ron.{}.tmp", std::process::id()));
    std::fs::create_dir(&blocker).expect("creates blocker");

    let result = format::save(&path, &sample_design());

    assert!(result.is_err(), "the save should fail");
    assert_eq!(std::fs::read(&path).expect("still readable"), ORIGINAL);
}

#[test]
fn saving_onto_a_folder_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("not-a-file.ron");
    std::fs::create_dir(&target).expect("creates folder");
    std::fs::write(target.join("keep.txt"), "keep").expect("writes");

    let result = format::save(&target, &sample_design());

    assert!(result.is_err(), "saving onto a folder should fail");
    assert!(target.is_dir());
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).expect("kept"),
        "keep"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|entry| entry.expect("entry").file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[cfg(unix)]
#[test]
fn saving_into_a_read_only_folder_keeps_the_original() {
    use std::os::unix::fs::PermissionsExt as _;

    let (dir, path) = saved_original();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555))
        .expect("read-only");
    // Administrators (root in containers) write anywhere; the check means nothing for them.
    let probe = dir.path().join("probe");
    let writable = std::fs::write(&probe, "x").is_ok();

    let result = (!writable).then(|| format::save(&path, &sample_design()));

    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("writable again");
    if let Some(result) = result {
        assert!(result.is_err(), "the save should fail");
        assert_eq!(std::fs::read(&path).expect("still readable"), ORIGINAL);
    }
}

/// A small design whose one route declares a contract (format version 2).
const WITH_CONTRACT: &str = r##"(
    version: 2,
    name: "Users",
    nodes: [
        (
            id: "users",
            kind: Worker(
                routes: [
                    (
                        method: POST,
                        path: "/users/:id",
                        request: (
                            params: {
                                "id": Integer,
                            },
                            query: [
                                (
                                    name: "notify",
                                    type: Boolean,
                                    default: false,
                                ),
                            ],
                            body: {
                                "$ref": "#/$defs/User",
                            },
                        ),
                        responses: {
                            201: (
                                description: "Created",
                                schema: {
                                    "$ref": "#/$defs/User",
                                },
                            ),
                        },
                        steps: [
                            Respond(
                                status: 201,
                                body: Ref("body"),
                            ),
                        ],
                    ),
                ],
            ),
        ),
    ],
    wires: [],
    schemas: {
        "User": {
            "properties": {
                "email": {
                    "format": "email",
                    "type": "string",
                },
            },
            "required": [
                "email",
            ],
            "type": "object",
        },
    },
    layout: {},
)
"##;

#[test]
fn a_design_with_route_contracts_is_version_2_and_round_trips() {
    let design = format::parse(WITH_CONTRACT).unwrap_or_else(|err| panic!("{}", err.render()));
    assert_eq!(design.required_version(), 2);
    let text = format::to_string(&design);
    assert_eq!(text, WITH_CONTRACT, "the contract's canonical form");
    let again = format::parse(&text).unwrap_or_else(|err| panic!("{}", err.render()));
    assert_eq!(again, design, "saved:\n{text}");
    assert!(text.starts_with("(\n    version: 2,"), "{text}");
}

#[test]
fn a_design_without_contracts_is_still_saved_as_version_1() {
    let mut plain = 0;
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let design = format::parse(&text).unwrap_or_else(|err| panic!("{}", err.render()));
        if design.required_version() == 2 {
            continue;
        }
        plain += 1;
        assert!(
            format::to_string(&design).starts_with("(\n    version: 1,"),
            "{} would no longer open in an Edgewire that reads version 1",
            path.display()
        );
    }
    assert!(plain >= 3, "the small examples use no contracts");
}
