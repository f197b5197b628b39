//! Names in the exported project: folders, Worker and resource names, TypeScript identifiers,
//! and the checks that keep every written path inside the output folder.

use std::collections::BTreeSet;

use crate::model::{JS_RESERVED_WORDS, is_js_identifier};

/// Words that cannot name a TypeScript variable besides the JavaScript reserved words, plus
/// the names generated code already uses.
const RESERVED: &[&str] = &[
    "abstract",
    "any",
    "as",
    "async",
    "boolean",
    "constructor",
    "declare",
    "from",
    "get",
    "is",
    "keyof",
    "module",
    "namespace",
    "never",
    "number",
    "object",
    "of",
    "readonly",
    "require",
    "set",
    "string",
    "symbol",
    "type",
    "unique",
    "unknown",
    // Names the generated handlers use.
    "env",
    "ctx",
    "input",
    "step",
    "at",
    "text",
    "respond",
    "jsonEquals",
    "callService",
    "kvGetText",
    "kvGetJson",
    "kvPut",
    "kvDelete",
    "kvList",
    "d1First",
    "d1All",
    "d1Run",
    "queryHyperdrive",
    "originUnreachable",
    "WORKER",
    "Json",
    "Input",
    "Env",
    "Route",
    "serve",
    "routes",
    "postgres",
    "console",
    "crypto",
    "JSON",
    "Object",
    "Response",
    "Request",
];

/// Whether `name` can be used as a TypeScript variable of a generated handler.
pub fn is_free_identifier(name: &str) -> bool {
    is_js_identifier(name) && !JS_RESERVED_WORDS.contains(&name) && !RESERVED.contains(&name)
}

/// A folder and Worker/resource name from a node id: lower case ASCII letters, digits and
/// `-`, at most 63 characters, never empty, never `.` or `..`.
pub fn slug(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_owned();
    if trimmed.is_empty() {
        "node".to_owned()
    } else {
        trimmed
    }
}

/// A TypeScript variable name for a handler name: the name itself when it is free, else a
/// cleaned-up variant (`my-value` -> `my_value`, `default` -> `default_`), unique in `taken`.
pub fn variable(name: &str, taken: &BTreeSet<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    if !is_free_identifier(&base) {
        base.push('_');
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    candidate
}

/// A handler function name from a route: `GET /products/:id` -> `getProductsById`.
pub fn handler_name(method: &str, path: &str) -> String {
    let mut name = method.to_ascii_lowercase();
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let (prefix, word) = match segment.strip_prefix(':') {
            Some(param) => ("By", param),
            None => ("", segment),
        };
        name.push_str(prefix);
        for part in word
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                name.push(first.to_ascii_uppercase());
                name.extend(chars);
                any = true;
            }
        }
    }
    if !any {
        name.push_str("Root");
    }
    name
}

/// Whether a relative path is safe to write below the output folder: `/`-separated, no
/// empty, `.` or `..` components, not absolute, only `[A-Za-z0-9._-]` characters.
pub fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_folder_names() {
        assert_eq!(slug("products"), "products");
        assert_eq!(slug("App DB"), "app-db");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("/abs/path"), "abs-path");
        assert_eq!(slug(".."), "node");
        assert_eq!(slug(""), "node");
    }

    #[test]
    fn paths_outside_the_folder_are_refused() {
        assert!(is_safe_relative_path("gateway/src/index.ts"));
        assert!(is_safe_relative_path(".gitignore"));
        assert!(!is_safe_relative_path("../x"));
        assert!(!is_safe_relative_path("/etc/passwd"));
        assert!(!is_safe_relative_path("a//b"));
        assert!(!is_safe_relative_path("a/./b"));
        assert!(!is_safe_relative_path("a\\..\\b"));
    }

    #[test]
    fn variables_avoid_reserved_words_and_each_other() {
        let mut taken = BTreeSet::new();
        assert_eq!(variable("product", &taken), "product");
        assert_eq!(variable("default", &taken), "default_");
        assert_eq!(variable("my-value", &taken), "my_value");
        assert_eq!(variable("1st", &taken), "_1st");
        taken.insert("a_b".to_owned());
        assert_eq!(variable("a-b", &taken), "a_b2");
    }

    #[test]
    fn handler_names_read_like_routes() {
        assert_eq!(handler_name("GET", "/products/:id"), "getProductsById");
        assert_eq!(handler_name("POST", "/users"), "postUsers");
        assert_eq!(handler_name("GET", "/"), "getRoot");
        assert_eq!(
            handler_name("DELETE", "/order-items/:item_id"),
            "deleteOrderItemsByItemId"
        );
    }
}
