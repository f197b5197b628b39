//! The examples are what users open first: each one's Client scenario exercises every route of
//! every Worker, and includes at least one error case.

mod design_files;

use edgewire_engine::{NodeKind, format};

use design_files::examples;

/// Whether a request path (query string ignored) matches a route pattern with `:name` segments.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let parts: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    segments.len() == parts.len()
        && parts.iter().zip(&segments).all(|(part, segment)| {
            (part.starts_with(':') && !segment.is_empty()) || part == segment
        })
}

#[test]
fn every_worker_route_is_exercised_by_the_scenario() {
    for path in examples() {
        let design = format::load(&path).unwrap_or_else(|err| panic!("{err}"));
        let requests: Vec<_> = design
            .nodes
            .iter()
            .filter_map(|node| match &node.kind {
                NodeKind::Client(client) => Some(&client.scenario),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(!requests.is_empty(), "{}: no scenario", path.display());
        assert!(
            requests.iter().any(|r| r.expect_status >= 400),
            "{}: the scenario has no error case",
            path.display()
        );
        for node in &design.nodes {
            let NodeKind::Worker(worker) = &node.kind else {
                continue;
            };
            for route in &worker.routes {
                assert!(
                    requests
                        .iter()
                        .any(|r| r.method == route.method && matches(&route.path, &r.path)),
                    "{}: no scenario request exercises {} {} of `{}`",
                    path.display(),
                    route.method,
                    route.path,
                    node.id
                );
            }
        }
    }
}

#[test]
fn route_matching_follows_the_handler_language() {
    assert!(matches("/notes/:id", "/notes/1"));
    assert!(matches("/notes/:id", "/notes/1/?x=1"));
    assert!(!matches("/notes/:id", "/notes"));
    assert!(!matches("/notes/:id", "/notes/1/extra"));
    assert!(matches("/notes", "/notes"));
}
