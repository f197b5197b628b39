//! Route path patterns (`/products/:id`), matching request paths against them, and a trie
//! that finds which earlier routes catch a later one (linear in the routes, not quadratic).

use crate::model::{HttpMethod, is_handler_name};

/// One segment of a path pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    Literal(&'a str),
    /// `:name`: any one non-empty segment.
    Param(&'a str),
}

/// Parse a route path pattern. The error says what is wrong, ready for a message.
pub(crate) fn parse_pattern(path: &str) -> Result<Vec<Segment<'_>>, String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(if path.is_empty() {
            "the path is empty".to_owned()
        } else {
            format!("`{path}` does not start with `/`")
        });
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let mut segments = Vec::new();
    let mut params: Vec<&str> = Vec::new();
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Err(format!(
                "`{path}` has an empty segment (a `//` or a trailing `/`)"
            ));
        }
        if let Some(name) = segment.strip_prefix(':') {
            if !is_handler_name(name) {
                return Err(format!(
                    "`:{name}` in `{path}` is not a parameter name (letters, digits and `_`, \
                     not starting with a digit)"
                ));
            }
            if params.contains(&name) {
                return Err(format!("`:{name}` appears twice in `{path}`"));
            }
            params.push(name);
            segments.push(Segment::Param(name));
        } else if let Some(bad) = segment
            .chars()
            .find(|c| c.is_whitespace() || matches!(c, '?' | '#' | '{' | '}' | ':'))
        {
            return Err(format!(
                "segment `{segment}` of `{path}` contains `{bad}`, which a path pattern cannot hold"
            ));
        } else {
            segments.push(Segment::Literal(segment));
        }
    }
    Ok(segments)
}

/// The segments of a request path: the query string removed, a trailing `/` ignored.
pub(crate) fn request_segments(path: &str) -> Vec<&str> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Whether a request path matches a pattern: exactly (Worker routes) or as a prefix on
/// segment boundaries (gateway routes).
pub(crate) fn matches(pattern: &[Segment<'_>], request: &[&str], prefix: bool) -> bool {
    if request.len() < pattern.len() || (!prefix && request.len() != pattern.len()) {
        return false;
    }
    pattern.iter().zip(request).all(|(p, r)| match p {
        Segment::Literal(text) => text == r,
        Segment::Param(_) => !r.is_empty(),
    })
}

/// Methods as a bit set; an empty list means every method.
pub(crate) fn method_mask(methods: &[HttpMethod]) -> u8 {
    if methods.is_empty() {
        return ALL_METHODS;
    }
    methods.iter().fold(0, |mask, m| mask | method_bit(*m))
}

pub(crate) fn method_bit(method: HttpMethod) -> u8 {
    let index = HttpMethod::ALL
        .iter()
        .position(|m| *m == method)
        .unwrap_or_default();
    1 << index
}

pub(crate) const ALL_METHODS: u8 = (1 << HttpMethod::ALL.len()) - 1;

/// What earlier routes do to a later one.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// An earlier route with the same pattern shape and the same methods.
    pub duplicate_of: Option<usize>,
    /// Earlier routes that catch every path of the route (with any of its methods), sorted.
    pub covered_by: Vec<usize>,
    /// The union of their methods restricted to the route's methods.
    pub methods: u8,
}

#[derive(Default)]
struct TrieNode<'a> {
    /// `FxHash`, as context's `FastMap` (context builds on this module, so it is named here).
    literals: rustc_hash::FxHashMap<&'a str, usize>,
    param: Option<usize>,
    /// Routes whose pattern ends here: (index, methods).
    ends: Vec<(usize, u8)>,
}

/// Routes inserted in order; asks which earlier routes catch a new one.
pub(crate) struct RouteTrie<'a> {
    nodes: Vec<TrieNode<'a>>,
    /// Gateway routes match as prefixes; Worker routes match whole paths.
    prefix: bool,
}

impl<'a> RouteTrie<'a> {
    pub fn new(prefix: bool) -> Self {
        Self {
            nodes: vec![TrieNode::default()],
            prefix,
        }
    }

    /// What the routes inserted so far do to a route with this pattern and methods.
    pub fn coverage(&self, pattern: &[Segment<'_>], methods: u8) -> Coverage {
        let mut coverage = Coverage::default();
        self.visit(0, pattern, 0, true, methods, &mut coverage);
        coverage.covered_by.sort_unstable();
        coverage.covered_by.dedup();
        coverage
    }

    fn visit(
        &self,
        at: usize,
        pattern: &[Segment<'_>],
        depth: usize,
        same_shape: bool,
        methods: u8,
        coverage: &mut Coverage,
    ) {
        let node = &self.nodes[at];
        let complete = depth == pattern.len();
        if complete || self.prefix {
            for &(route, route_methods) in &node.ends {
                if complete && same_shape && route_methods == methods {
                    coverage.duplicate_of = Some(
                        coverage
                            .duplicate_of
                            .map_or(route, |existing| existing.min(route)),
                    );
                }
                if route_methods & methods != 0 {
                    coverage.covered_by.push(route);
                    coverage.methods |= route_methods & methods;
                }
            }
        }
        if complete {
            return;
        }
        match pattern[depth] {
            Segment::Literal(text) => {
                if let Some(&next) = node.literals.get(text) {
                    self.visit(next, pattern, depth + 1, same_shape, methods, coverage);
                }
                if let Some(next) = node.param {
                    self.visit(next, pattern, depth + 1, false, methods, coverage);
                }
            }
            Segment::Param(_) => {
                if let Some(next) = node.param {
                    self.visit(next, pattern, depth + 1, same_shape, methods, coverage);
                }
            }
        }
    }

    /// Add a route.
    pub fn insert(&mut self, pattern: &[Segment<'a>], route: usize, methods: u8) {
        let mut at = 0;
        for segment in pattern {
            let existing = match segment {
                Segment::Literal(text) => self.nodes[at].literals.get(text).copied(),
                Segment::Param(_) => self.nodes[at].param,
            };
            at = if let Some(next) = existing {
                next
            } else {
                let next = self.nodes.len();
                self.nodes.push(TrieNode::default());
                match segment {
                    Segment::Literal(text) => {
                        self.nodes[at].literals.insert(text, next);
                    }
                    Segment::Param(_) => self.nodes[at].param = Some(next),
                }
                next
            };
        }
        self.nodes[at].ends.push((route, methods));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_or_say_why_not() {
        assert_eq!(
            parse_pattern("/products/:id"),
            Ok(vec![Segment::Literal("products"), Segment::Param("id")])
        );
        assert_eq!(parse_pattern("/"), Ok(vec![]));
        assert!(parse_pattern("products").is_err());
        assert!(parse_pattern("/a//b").is_err());
        assert!(parse_pattern("/a/").is_err());
        assert!(parse_pattern("/a/:1x").is_err());
        assert!(parse_pattern("/a/:id/:id").is_err());
    }

    #[test]
    fn requests_match_exactly_or_by_prefix() {
        let pattern = parse_pattern("/products/:id").expect("valid");
        assert!(matches(
            &pattern,
            &request_segments("/products/7?x=1"),
            false
        ));
        assert!(!matches(&pattern, &request_segments("/products"), false));
        assert!(matches(
            &pattern,
            &request_segments("/products/7/reviews"),
            true
        ));
        assert!(!matches(&pattern, &request_segments("/productsx/7"), true));
    }

    #[test]
    fn trie_finds_duplicates_and_shadows() {
        let mut trie = RouteTrie::new(true);
        let products = parse_pattern("/products").expect("valid");
        trie.insert(&products, 0, method_mask(&[HttpMethod::Get]));
        let one = parse_pattern("/products/:id").expect("valid");
        let get = method_mask(&[HttpMethod::Get]);
        let coverage = trie.coverage(&one, get);
        assert_eq!(coverage.covered_by, vec![0]);
        assert_eq!(coverage.methods, get);
        assert_eq!(coverage.duplicate_of, None);
        assert_eq!(trie.coverage(&products, get).duplicate_of, Some(0));
        let post = method_mask(&[HttpMethod::Post]);
        assert!(trie.coverage(&one, post).covered_by.is_empty());

        let mut exact = RouteTrie::new(false);
        exact.insert(&one, 0, get);
        assert!(exact.coverage(&products, get).covered_by.is_empty());
        let featured = parse_pattern("/products/featured").expect("valid");
        assert_eq!(exact.coverage(&featured, get).covered_by, vec![0]);
        assert_eq!(exact.coverage(&featured, get).duplicate_of, None);
    }
}
