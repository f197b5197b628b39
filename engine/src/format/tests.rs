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
fn byte_order_mark_and_crlf_are_accepted() {
    let design = parse(SMALL).expect("parses");
    let windows = format!("\u{feff}{}", SMALL.replace('\n', "\r\n"));
    assert_eq!(parse(&windows).expect("parses"), design);
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
