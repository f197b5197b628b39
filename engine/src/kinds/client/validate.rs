//! Clients: regions and traffic shares, the wire to an entry point, and scenario requests that
//! no route would answer.

use crate::model::{Client, GatewayRoute, HttpMethod, Kind, Node, NodeKind, SampleRequest};
use crate::regions::{REGIONS, is_region};

use crate::validate::context::{Ctx, FastMap, Link};
use crate::validate::paths::{Segment, matches, parse_pattern, request_segments};
use crate::validate::run::Rule;
use crate::validate::{Diagnostic, Severity, Target};

/// How far traffic shares may sum from 1.
pub const SHARE_TOLERANCE: f64 = 0.001;

fn node_target(node: &Node) -> Target {
    Target::Node {
        node: node.id.clone(),
    }
}

/// CLI001: a region the simulator does not know.
pub fn regions(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, client) in ctx.clients() {
        for region in client.regions.keys() {
            if !is_region(region) {
                let nearest = crate::validate::closest(region, &REGIONS)
                    .map_or_else(String::new, |r| format!("did you mean `{r}`? "));
                out.push(
                    Diagnostic::new(
                        "CLI001",
                        Severity::Error,
                        node_target(node),
                        format!("`{region}` is not a known region"),
                    )
                    .help(format!("{nearest}regions: {}", REGIONS.join(", "))),
                );
            }
        }
    }
}

/// CLI002: traffic shares that do not sum to 1; CLI003: a negative share.
pub fn shares(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, client) in ctx.clients() {
        for (region, share) in &client.regions {
            if *share < 0.0 {
                out.push(
                    Diagnostic::new(
                        "CLI003",
                        Severity::Error,
                        node_target(node),
                        format!("the traffic share of `{region}` is negative ({share})"),
                    )
                    .help("shares are fractions of the traffic between 0 and 1, for example `\"eu-west\": 0.4`"),
                );
            }
        }
        if client.regions.is_empty() {
            out.push(
                Diagnostic::new(
                    "CLI002",
                    Severity::Error,
                    node_target(node),
                    "the Client has no regions, so the simulator cannot place its traffic",
                )
                .help("add at least one region with its share, for example `\"eu-west\": 1.0`"),
            );
            continue;
        }
        let sum: f64 = client.regions.values().sum();
        if sum.is_nan() || (sum - 1.0).abs() > SHARE_TOLERANCE {
            out.push(
                Diagnostic::new(
                    "CLI002",
                    Severity::Error,
                    node_target(node),
                    format!("the traffic shares sum to {sum:.3}, not 1"),
                )
                .help("make the shares fractions that add up to 1, for example `\"eu-west\": 0.4, \"us-east\": 0.6`"),
            );
        }
    }
}

/// The entry points a Client is wired to.
fn entries<'a>(ctx: &Ctx<'a>, client: &Node) -> Vec<&'a Node> {
    ctx.links_from(&client.id)
        .iter()
        .filter_map(|l| l.to)
        .filter(|n| n.kind.kind().is_worker())
        .collect()
}

/// Whether a Worker has a route for this method and path (segments).
fn worker_answers(node: &Node, method: HttpMethod, segments: &[&str]) -> bool {
    let NodeKind::Worker(worker) = &node.kind else {
        return false;
    };
    // A code Worker's own code decides; Edgewire takes it to answer.
    if worker.is_code() {
        return true;
    }
    worker.routes.iter().any(|route| {
        route.method == method
            && parse_pattern(&route.path).is_ok_and(|pattern| matches(&pattern, segments, false))
    })
}

/// An entry point with its route patterns parsed once (a gateway may have thousands).
struct Entry<'a, 'p> {
    node: &'a Node,
    /// The entry's wires by binding name.
    bindings: FastMap<&'a str, Link<'a>>,
    /// Gateway routes whose path parses, in order, with their patterns.
    routes: Vec<(&'a GatewayRoute, &'p [Segment<'a>])>,
}

impl<'a, 'p> Entry<'a, 'p> {
    fn new(ctx: &'p Ctx<'a>, node: &'a Node) -> Self {
        let routes = match &node.kind {
            NodeKind::Gateway(gateway) => gateway
                .routes
                .iter()
                .zip(ctx.gateway_patterns(node))
                .filter_map(|(route, pattern)| Some((route, pattern.as_deref().ok()?)))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            node,
            bindings: ctx.binding_index(&node.id),
            routes,
        }
    }
}

/// Why an entry point would not answer the request, or `None` when it would.
fn miss(entry: &Entry<'_, '_>, request: &SampleRequest) -> Option<String> {
    let segments = request_segments(&request.path);
    let method = request.method;
    let node = entry.node;
    match &node.kind {
        NodeKind::Worker(_) => (!worker_answers(node, method, &segments))
            .then(|| format!("{} has no route for {method} {}", node.id, request.path)),
        NodeKind::Gateway(gateway) => {
            if method == HttpMethod::Options && gateway.cors.is_some() {
                // CORS preflight: the gateway answers it itself.
                return None;
            }
            let route = entry.routes.iter().find(|(route, pattern)| {
                matches(pattern, &segments, true)
                    && (route.methods.is_empty() || route.methods.contains(&method))
            });
            let Some((route, pattern)) = route else {
                return Some(format!(
                    "no route of {} matches {method} {}",
                    node.id, request.path
                ));
            };
            // Follow the route to its service: the Worker must answer the forwarded path.
            let service = entry.bindings.get(route.service.as_str())?.to?;
            if service.kind.kind() != Kind::Worker {
                return None;
            }
            let forwarded = if route.strip_prefix {
                &segments[pattern.len()..]
            } else {
                &segments[..]
            };
            (!worker_answers(service, method, forwarded)).then(|| {
                format!(
                    "{} forwards it to {} (route {}), which has no route for {method} /{}",
                    node.id,
                    service.id,
                    route.path,
                    forwarded.join("/")
                )
            })
        }
        _ => None,
    }
}

/// CLI004 (warning): a scenario request that would get 404/405 although it expects
/// something else. Requests that expect 404 or 405 are deliberate misses.
pub fn scenario_routes(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, client) in ctx.clients() {
        if client.scenario.is_empty() {
            continue;
        }
        let entries: Vec<Entry<'_, '_>> = entries(ctx, node)
            .into_iter()
            .map(|e| Entry::new(ctx, e))
            .collect();
        if entries.is_empty() {
            continue;
        }
        for (index, request) in client.scenario.iter().enumerate() {
            if matches!(request.expect_status, 404 | 405) || !request.path.starts_with('/') {
                continue;
            }
            let misses: Vec<String> = entries
                .iter()
                .map(|entry| miss(entry, request))
                .collect::<Option<Vec<String>>>()
                .unwrap_or_default();
            if misses.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "CLI004",
                    Severity::Warning,
                    Target::Request {
                        node: node.id.clone(),
                        request: index,
                    },
                    format!(
                        "scenario request `{}` expects {} but would get 404: {}",
                        request.name,
                        request.expect_status,
                        misses.join("; ")
                    ),
                )
                .help(format!(
                    "add a route for {} {} (for example a gateway route `/{}` to a service that \
                     has the route), or set expect_status: 404 if the miss is deliberate",
                    request.method,
                    request.path,
                    request_segments(&request.path).first().unwrap_or(&"")
                )),
            );
        }
    }
}

/// CLI005 (info): a Client without a scenario gives Run, the simulator and the tests nothing
/// to send.
pub fn has_scenario(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, client) in ctx.clients() {
        if client.scenario.is_empty() {
            out.push(
                Diagnostic::new(
                    "CLI005",
                    Severity::Info,
                    node_target(node),
                    format!("{} has no scenario requests", node.id),
                )
                .help("add sample requests, for example `GET /products/1` expecting 200, so Run and the simulator have something to send"),
            );
        }
    }
}

/// CLI006 (warning): a Client wired to no entry point while others are.
pub fn wired(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let entry_points = ctx.graph().entry_points();
    let Some(example) = entry_points.first() else {
        // GRA003 reports the design without entry.
        return;
    };
    for (node, _) in ctx.clients() {
        if entries(ctx, node).is_empty() {
            out.push(
                Diagnostic::new(
                    "CLI006",
                    Severity::Warning,
                    node_target(node),
                    format!(
                        "{} is not wired to an entry point, so it sends no requests",
                        node.id
                    ),
                )
                .help(format!(
                    "wire it to the entry point, for example {} -> {example}",
                    node.id
                )),
            );
        }
    }
}

fn request_problem(request: &SampleRequest) -> Option<String> {
    if !request.path.starts_with('/') {
        return Some(format!("path `{}` does not start with `/`", request.path));
    }
    if !(100..=599).contains(&request.expect_status) {
        return Some(format!(
            "expect_status {} is not an HTTP status (100 to 599)",
            request.expect_status
        ));
    }
    if !request.weight.is_finite() || request.weight < 0.0 {
        return Some(format!(
            "weight {} is not a non-negative number",
            request.weight
        ));
    }
    None
}

/// CLI007: a scenario request with a path that is not a path, an impossible expected status
/// or a negative weight.
pub fn scenario_requests(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, client) in ctx.clients() {
        for (index, request) in client.scenario.iter().enumerate() {
            if let Some(problem) = request_problem(request) {
                out.push(
                    Diagnostic::new(
                        "CLI007",
                        Severity::Error,
                        Target::Request {
                            node: node.id.clone(),
                            request: index,
                        },
                        format!("scenario request `{}`: {problem}", request.name),
                    )
                    .help("a request has a path such as `/products/1?fields=name`, an expected status such as 200, and a weight of 0 or more"),
                );
            }
        }
    }
}

/// CLI008: requests per second that are negative or not a number.
pub fn request_rate(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (
        node,
        Client {
            requests_per_second: rate,
            ..
        },
    ) in ctx.clients()
    {
        if !rate.is_finite() || *rate < 0.0 {
            out.push(
                Diagnostic::new(
                    "CLI008",
                    Severity::Error,
                    node_target(node),
                    format!("requests_per_second is {rate}"),
                )
                .help("use the average rate over a month, 0 or more, for example 200.0"),
            );
        }
    }
}

impl crate::validate::KindRules for super::Def {
    fn design_rules(&self) -> &'static [Rule] {
        &[
            wired,
            scenario_routes,
            regions,
            shares,
            has_scenario,
            scenario_requests,
            request_rate,
        ]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{HttpMethod, Node, NodeKind, Wire};
    use crate::validate::testkit::{
        assert_contains, base, client_mut, gateway_mut, only, only_after, reported_after, reports,
        request,
    };

    #[test]
    fn unknown_region() {
        let found = only_after(base(), "CLI001", |design| {
            let regions = &mut client_mut(design).regions;
            let share = regions.remove("eu-west").expect("eu-west");
            regions.insert("eu-wset".into(), share);
        });
        assert_contains(found.help.as_deref().unwrap_or_default(), "`eu-west`");
    }

    #[test]
    fn shares_must_sum_to_one() {
        let mut design = base();
        client_mut(&mut design)
            .regions
            .insert("ap-east".into(), 0.0005);
        reported_after(design, "CLI002", |design| {
            client_mut(design).regions.insert("ap-east".into(), 0.1);
        });
    }

    #[test]
    fn negative_share() {
        let mut design = base();
        assert!(!reports(&design, "CLI003"));
        let regions = &mut client_mut(&mut design).regions;
        regions.insert("eu-west".into(), 1.2);
        regions.insert("us-east".into(), -0.2);
        assert!(reports(&design, "CLI003"));
        assert!(!reports(&design, "CLI002"));
    }

    #[test]
    fn request_that_no_gateway_route_matches() {
        let mut design = base();
        let scenario = &mut client_mut(&mut design).scenario;
        scenario.push(request(HttpMethod::Get, "/users/1", 404));
        scenario.push(request(HttpMethod::Post, "/items/1", 405));
        let found = only_after(design, "CLI004", |design| {
            client_mut(design)
                .scenario
                .push(request(HttpMethod::Get, "/users/1", 200));
        });
        assert_eq!(found.target.to_string(), "node web, scenario request 4");
    }

    #[test]
    fn request_that_the_service_does_not_answer() {
        let mut design = base();
        client_mut(&mut design)
            .scenario
            .push(request(HttpMethod::Get, "/items/1/reviews", 200));
        let found = only(&design, "CLI004");
        assert_contains(&found.message, "forwards it to items");
        // With strip_prefix the service sees `/1`.
        let mut design = base();
        gateway_mut(&mut design).routes[0].strip_prefix = true;
        assert!(reports(&design, "CLI004"));
    }

    #[test]
    fn request_to_a_worker_entry() {
        let mut design = base();
        design.wires[0] = Wire::new("web", "items", "");
        reported_after(design, "CLI004", |design| {
            client_mut(design)
                .scenario
                .push(request(HttpMethod::Delete, "/orders", 200));
        });
    }

    #[test]
    fn client_without_scenario() {
        reported_after(base(), "CLI005", |design| {
            client_mut(design).scenario.clear();
        });
    }

    #[test]
    fn client_without_entry() {
        reported_after(base(), "CLI006", |design| {
            design.nodes.push(Node::new(
                "mobile",
                NodeKind::Client(crate::model::Client::default()),
            ));
        });
    }

    #[test]
    fn malformed_scenario_request() {
        let mut design = base();
        assert!(!reports(&design, "CLI007"));
        client_mut(&mut design).scenario[0].path = "items/1".into();
        assert!(reports(&design, "CLI007"));
        let mut design = base();
        client_mut(&mut design).scenario[0].expect_status = 0;
        assert!(reports(&design, "CLI007"));
    }

    #[test]
    fn negative_request_rate() {
        reported_after(base(), "CLI008", |design| {
            client_mut(design).requests_per_second = -1.0;
        });
    }
}
