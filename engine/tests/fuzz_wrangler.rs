//! Fuzzed wrangler configurations: arbitrary text, and configurations assembled from the keys
//! wrangler has with values of every shape (strings where arrays belong, arrays of numbers,
//! nested tables), written as `wrangler.toml` or `wrangler.jsonc` and imported. Nothing may
//! panic: a file that cannot be read is a problem with a place, the rest imports, and what
//! imports saves as a design that loads again. The number of cases is bounded (`CASES`).

use std::path::{Path, PathBuf};

use edgewire_engine::format;
use edgewire_engine::import::wrangler::{self, Options};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Cases per property and `cargo test` run (two properties; each case writes a file).
const CASES: u32 = 192;

/// The keys an import reads, and a few it only reports.
const KEYS: [&str; 18] = [
    "name",
    "main",
    "compatibility_date",
    "compatibility_flags",
    "workers_dev",
    "routes",
    "route",
    "placement",
    "vars",
    "kv_namespaces",
    "d1_databases",
    "hyperdrive",
    "services",
    "ratelimits",
    "r2_buckets",
    "queues",
    "durable_objects",
    "env",
];

/// Import the folder `dir` with and without an environment; check what a result promises.
fn import_checked(dir: &Path) {
    for env in [None, Some("staging".to_owned())] {
        let options = Options {
            env,
            design_dir: dir.to_path_buf(),
        };
        match wrangler::import(&[dir.to_path_buf()], &options) {
            Ok(imported) => {
                let text = format::to_string(&imported.design);
                let again = format::parse(&text);
                assert!(again.is_ok(), "an imported design does not load:\n{text}");
                for problem in &imported.summary.problems {
                    assert!(!problem.message.is_empty());
                }
                let _ = edgewire_engine::validate::validate(&imported.design);
            }
            Err(err) => assert!(!err.to_string().is_empty()),
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

/// A JSON value of any shape, small.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[A-Za-z_ ./-]{0,12}".prop_map(Value::String),
        Just(json!("../../etc/passwd")),
        Just(json!("DB")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("binding".to_owned()),
                    Just("id".to_owned()),
                    Just("service".to_owned()),
                    Just("database_name".to_owned()),
                    Just("migrations_dir".to_owned()),
                    Just("staging".to_owned()),
                    Just("mode".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A configuration made of wrangler's keys with values of any shape.
fn config() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(KEYS.to_vec()), value()), 0..10).prop_map(|pairs| {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}", toml in any::<bool>()) {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), if toml { "wrangler.toml" } else { "wrangler.jsonc" }, &text);
        import_checked(dir.path());
    }

    #[test]
    fn configurations_of_any_shape_never_panic(a in config(), b in config(), toml in any::<bool>()) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (folder, value) in [("a", a), ("b", b)] {
            let sub = dir.path().join(folder);
            std::fs::create_dir_all(sub.join("migrations")).expect("mkdir");
            std::fs::write(sub.join("migrations/0001_init.sql"), "CREATE TABLE t (id INTEGER);")
                .expect("migration");
            let text = if toml {
                // Not every JSON value is TOML (null, mixed arrays); those go in as JSONC.
                match toml::to_string(&value) {
                    Ok(text) => { write(&sub, "wrangler.toml", &text); continue; }
                    Err(_) => serde_json::to_string_pretty(&value).expect("json"),
                }
            } else {
                serde_json::to_string_pretty(&value).expect("json")
            };
            write(&sub, "wrangler.jsonc", &format!("// fuzzed\n{text}\n"));
        }
        import_checked(dir.path());
    }
}
