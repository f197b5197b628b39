//! The one identifier check. Binding names are JavaScript identifiers (`env.DB`), and the
//! names a handler sets and reads (`item`, `params.id`) are the same without `$`.

/// Whether `name` is an ASCII JavaScript identifier: `$`, `_` or a letter, then those or
/// digits. Binding names and the keys the exporter writes unquoted must be.
pub fn is_js_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Whether `name` is a name of the handler language (a step's output, a path segment, a
/// route parameter): a JavaScript identifier without `$`.
pub fn is_handler_name(name: &str) -> bool {
    is_js_identifier(name) && !name.contains('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for good in ["PRODUCTS", "_db", "db_1", "x"] {
            assert!(is_js_identifier(good) && is_handler_name(good), "{good}");
        }
        assert!(is_js_identifier("$db_1") && !is_handler_name("$db_1"));
        for bad in ["", "1DB", "MY-DB", "é", "a b"] {
            assert!(!is_js_identifier(bad) && !is_handler_name(bad), "{bad}");
        }
    }
}
