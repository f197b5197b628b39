//! Matching a sample request's path against route patterns.

use std::collections::BTreeMap;

/// Split `path?query` into segments (trailing `/` ignored) and query pairs (first value wins).
pub(super) fn split_path(full: &str) -> (Vec<&str>, BTreeMap<String, String>) {
    let (path, query) = full.split_once('?').unwrap_or((full, ""));
    let segments = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut pairs = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.entry(k.to_owned()).or_insert_with(|| v.to_owned());
    }
    (segments, pairs)
}

/// Match pattern segments against the start of the path's segments; `:name` binds one segment.
pub(super) fn match_segments(
    pattern: &str,
    path: &[&str],
    whole: bool,
) -> Option<(BTreeMap<String, String>, usize)> {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.len() > path.len() || (whole && pattern.len() != path.len()) {
        return None;
    }
    let mut params = BTreeMap::new();
    for (p, s) in pattern.iter().zip(path) {
        if let Some(name) = p.strip_prefix(':') {
            params.insert(name.to_owned(), (*s).to_owned());
        } else if p != s {
            return None;
        }
    }
    Some((params, pattern.len()))
}
