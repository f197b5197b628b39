//! The one identifier check. Binding names are JavaScript identifiers (`env.DB`), and the
//! names a handler sets and reads (`item`, `params.id`) are the same without `$`. Names
//! suggested from ids (`product-cache` -> `PRODUCT_CACHE`) start from the conversions here,
//! and messages list names with [`backquoted`].

/// JavaScript reserved words (with the strict-mode ones and `undefined`): no binding and no
/// generated variable may be one.
/// Source: <https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Lexical_grammar#reserved_words>.
pub const JS_RESERVED_WORDS: [&str; 49] = [
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "undefined",
];

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

/// `name` in upper case with `_` for every character that is not an ASCII letter or digit:
/// `product-cache` -> `PRODUCT_CACHE`. A leading digit or an empty result is the caller's to
/// mend.
pub fn to_upper_snake(name: &str) -> String {
    map_ascii_alphanumeric(name, char::to_ascii_uppercase, '_')
}

/// `name` in lower case with `-` for every character that is not an ASCII letter or digit:
/// `Product Cache` -> `product-cache`.
pub fn to_lower_kebab(name: &str) -> String {
    map_ascii_alphanumeric(name, char::to_ascii_lowercase, '-')
}

fn map_ascii_alphanumeric(name: &str, case: fn(&char) -> char, fill: char) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                case(&c)
            } else {
                fill
            }
        })
        .collect()
}

/// Names as messages list them: each in backquotes, separated by commas (`` `a`, `b` ``).
pub fn backquoted<T: std::fmt::Display>(names: impl IntoIterator<Item = T>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
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

    #[test]
    fn conversions() {
        assert_eq!(to_upper_snake("product-cache 2é"), "PRODUCT_CACHE_2_");
        assert_eq!(to_lower_kebab("Product_Cache 2"), "product-cache-2");
    }
}
