//! Fuzzed files: arbitrary bytes and mutated example designs (bytes flipped, text cut short,
//! lines duplicated or deleted) go through the loader, and whatever loads goes through
//! validation, and the safe fixes never add an error; arbitrary text goes through the
//! `.dev.vars` parser. Nothing may panic: a bad
//! file gets a message that says where, never a crash. The number of cases is bounded (see
//! `CASES`); a failure that proptest finds is kept as a file in `tests/corpus/`.

mod design_files;

use std::sync::LazyLock;

use edgewire_engine::format;
use edgewire_engine::secrets;
use edgewire_engine::validate::{Severity, fix, validate};
use proptest::prelude::*;

/// Cases per property and `cargo test` run (six properties).
const CASES: u32 = 1024;

/// The text of every example and every corpus file.
static SOURCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    design_files::examples()
        .into_iter()
        .chain(design_files::corpus())
        .map(|path| String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned())
        .collect()
});

/// Load `text`; if it loads, validate it and check what a loaded design promises.
fn load_and_validate(text: &str) {
    match format::parse(text) {
        Ok(design) => {
            let _ = validate(&design);
            // A design that loads saves and loads again.
            let saved = format::to_string(&design);
            assert!(
                format::parse(&saved).is_ok(),
                "saved text does not load:\n{saved}"
            );
        }
        Err(err) => {
            let rendered = err.render();
            assert!(rendered.starts_with("error: "), "{rendered}");
        }
    }
}

fn source() -> impl Strategy<Value = String> {
    (0..SOURCES.len()).prop_map(|i| SOURCES[i].clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        load_and_validate(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn flipped_bytes_never_panic(text in source(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = text.into_bytes();
        for (at, value) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
        }
        load_and_validate(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn cut_text_never_panics(text in source(), cut in any::<prop::sample::Index>()) {
        let chars: Vec<char> = text.chars().collect();
        let end = cut.index(chars.len() + 1);
        load_and_validate(&chars[..end].iter().collect::<String>());
    }

    #[test]
    fn duplicated_and_deleted_lines_never_panic(
        text in source(),
        edits in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 1..6),
    ) {
        let mut lines: Vec<&str> = text.lines().collect();
        for (duplicate, at) in edits {
            if lines.is_empty() {
                break;
            }
            let i = at.index(lines.len());
            if duplicate {
                lines.insert(i, lines[i]);
            } else {
                lines.remove(i);
            }
        }
        load_and_validate(&lines.join("\n"));
    }

    #[test]
    fn safe_fixes_never_panic_nor_add_errors(
        text in source(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = text.into_bytes();
        for (at, value) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
        }
        if let Ok(mut design) = format::parse(&String::from_utf8_lossy(&bytes)) {
            let before = validate(&design).count(Severity::Error);
            let _ = fix::fix_all(&mut design);
            prop_assert!(validate(&design).count(Severity::Error) <= before);
        }
    }

    #[test]
    fn dev_vars_text_never_panics(text in "(?s)[A-Za-z_=#'\"` \t\n\\\\$-]{0,300}") {
        match secrets::parse(&text) {
            Ok(parsed) => { let _ = parsed.names(); }
            Err(err) => { assert!(!err.to_string().is_empty()); }
        }
    }
}
