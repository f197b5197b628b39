//! The API Gateway: routes (binding, path, overlaps), authentication and rate limit.

use crate::model::{Auth, Kind, RateLimit};

use crate::validate::context::Ctx;
use crate::validate::paths::{RouteTrie, method_mask};
use crate::validate::run::Rule;
use crate::validate::{Diagnostic, Severity, Target};

fn route_target(node: &str, route: usize) -> Target {
    Target::Route {
        node: node.to_owned(),
        route,
    }
}

/// Methods of a mask as text (`GET, POST`), or `every method`.
fn methods_text(mask: u8) -> String {
    if mask == crate::validate::paths::ALL_METHODS {
        return "every method".to_owned();
    }
    crate::model::HttpMethod::ALL
        .iter()
        .filter(|m| mask & crate::validate::paths::method_bit(**m) != 0)
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// GWY001: a route forwards to a binding the gateway does not have; GWY002: the binding
/// exists but does not lead to a Worker.
pub fn route_services(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        let bindings = ctx.binding_index(&node.id);
        for (index, route) in gateway.routes.iter().enumerate() {
            match bindings.get(route.service.as_str()).map(|l| l.to) {
                None => {
                    let wired: Vec<&str> = ctx
                        .links_from(&node.id)
                        .iter()
                        .filter(|l| l.target_kind() == Some(Kind::Worker))
                        .map(|l| l.wire.binding.as_str())
                        .collect();
                    let help = if wired.is_empty() {
                        format!(
                            "wire {} to the Worker that serves {} and name the binding `{}`",
                            node.id, route.path, route.service
                        )
                    } else {
                        format!(
                            "wire {} to a Worker with binding `{}`, or use one of its service \
                             bindings: {}",
                            node.id,
                            route.service,
                            wired.join(", ")
                        )
                    };
                    out.push(
                        Diagnostic::new(
                            "GWY001",
                            Severity::Error,
                            route_target(&node.id, index),
                            format!(
                                "route {} forwards to binding `{}`, which {} does not have",
                                route.path, route.service, node.id
                            ),
                        )
                        .help(help),
                    );
                }
                Some(Some(target)) if target.kind.kind() != Kind::Worker => {
                    out.push(
                        Diagnostic::new(
                            "GWY002",
                            Severity::Error,
                            route_target(&node.id, index),
                            format!(
                                "route {} forwards to binding `{}`, which is the {} `{}`, not a Worker",
                                route.path,
                                route.service,
                                target.kind.kind(),
                                target.id
                            ),
                        )
                        .help("point the route at a service binding (a wire to a Worker), for example `PRODUCTS`"),
                    );
                }
                // A Worker, or a wire to a missing node (WIR002 reports it).
                Some(_) => {}
            }
        }
    }
}

/// GWY003: an exact duplicate route; GWY004: a route that never matches because earlier
/// routes catch all its paths and methods (routes are tried in order).
pub fn route_overlaps(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        let mut trie = RouteTrie::new(true);
        for ((index, route), pattern) in gateway
            .routes
            .iter()
            .enumerate()
            .zip(ctx.gateway_patterns(node))
        {
            let Ok(pattern) = pattern else {
                continue;
            };
            let methods = method_mask(&route.methods);
            let coverage = trie.coverage(pattern, methods);
            if let Some(first) = coverage.duplicate_of {
                out.push(
                    Diagnostic::new(
                        "GWY003",
                        Severity::Error,
                        route_target(&node.id, index),
                        format!(
                            "route {} ({}) duplicates route {}",
                            route.path,
                            methods_text(methods),
                            first + 1
                        ),
                    )
                    .help("delete one of the two routes"),
                );
            } else if !coverage.covered_by.is_empty() && coverage.methods == methods {
                let earlier: Vec<String> = coverage
                    .covered_by
                    .iter()
                    .map(|i| format!("{} ({})", i + 1, gateway.routes[*i].path))
                    .collect();
                out.push(
                    Diagnostic::new(
                        "GWY004",
                        Severity::Warning,
                        route_target(&node.id, index),
                        format!(
                            "route {} ({}) never matches: earlier route {} already catches all \
                             its paths and methods",
                            route.path,
                            methods_text(methods),
                            earlier.join(", ")
                        ),
                    )
                    .help(
                        "routes are tried in order; move the more specific route first (for \
                         example /products/featured before /products), or delete it",
                    ),
                );
            }
            trie.insert(pattern, index, methods);
        }
    }
}

/// GWY005: a route path that is not a valid pattern.
pub fn route_paths(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, _) in ctx.gateways() {
        for (index, pattern) in ctx.gateway_patterns(node).iter().enumerate() {
            if let Err(problem) = pattern {
                out.push(
                    Diagnostic::new(
                        "GWY005",
                        Severity::Error,
                        route_target(&node.id, index),
                        format!("route path is not valid: {problem}"),
                    )
                    .help(
                        "a route path starts with `/` and has non-empty segments; `:name` \
                         matches one segment, for example `/products` or `/users/:id/orders`",
                    ),
                );
            }
        }
    }
}

/// Whether `name` is an HTTP header name (RFC 9110 token characters).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// GWY006: authentication that cannot work (no header name, empty issuer or audience).
/// Secret names are checked by the secrets rules.
pub fn auth_settings(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        let target = || Target::Node {
            node: node.id.clone(),
        };
        match &gateway.auth {
            Auth::None => {}
            Auth::ApiKey { header, .. } => {
                if !is_header_name(header) {
                    out.push(
                        Diagnostic::new(
                            "GWY006",
                            Severity::Error,
                            target(),
                            format!("API key header `{header}` is not a valid HTTP header name"),
                        )
                        .help("name the header that carries the key, for example `x-api-key`"),
                    );
                }
            }
            Auth::Jwt {
                issuer, audience, ..
            } => {
                for (field, value, example) in [
                    ("issuer", issuer, "https://auth.example.com/"),
                    ("audience", audience, "api.example.com"),
                ] {
                    if value.trim().is_empty() {
                        out.push(
                            Diagnostic::new(
                                "GWY006",
                                Severity::Error,
                                target(),
                                format!(
                                    "JWT authentication has an empty {field}, so no token can pass"
                                ),
                            )
                            .help(format!(
                                "set the {field} your tokens carry, for example `{example}`"
                            )),
                        );
                    }
                }
            }
        }
    }
}

/// GWY007: a rate limit of 0 requests or a 0-second window blocks everything.
pub fn rate_limit(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        let Some(limit) = &gateway.rate_limit else {
            continue;
        };
        let problem = if limit.requests == 0 {
            "allows 0 requests per window, so every request gets 429"
        } else if limit.period_secs == 0 {
            "has a window of 0 seconds"
        } else {
            continue;
        };
        out.push(
            Diagnostic::new(
                "GWY007",
                Severity::Error,
                Target::Node {
                    node: node.id.clone(),
                },
                format!("the rate limit {problem}"),
            )
            .help("use positive numbers, for example 100 requests per 60 seconds, or remove the rate limit"),
        );
    }
}

/// GWY009: the platform's Rate Limiting binding counts in windows of 10 or 60 seconds only,
/// so the exported gateway cannot have another period.
pub fn rate_limit_period(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        let Some(limit) = &gateway.rate_limit else {
            continue;
        };
        if limit.period_secs == 0 || RateLimit::PERIODS.contains(&limit.period_secs) {
            continue;
        }
        let RateLimit {
            requests,
            period_secs: nearest,
            ..
        } = limit.in_allowed_period();
        out.push(
            Diagnostic::new(
                "GWY009",
                Severity::Error,
                Target::Node {
                    node: node.id.clone(),
                },
                format!(
                    "the rate limit counts per {} s, but the Workers Rate Limiting binding counts per 10 or 60 s only",
                    limit.period_secs
                ),
            )
            .help(format!(
                "set period_secs to {nearest} (about {requests} requests per {nearest} s keeps the same rate)"
            )),
        );
    }
}

/// GWY008: a gateway without routes answers 404 to everything.
pub fn has_routes(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, gateway) in ctx.gateways() {
        if gateway.routes.is_empty() {
            out.push(
                Diagnostic::new(
                    "GWY008",
                    Severity::Warning,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!(
                        "gateway {} has no routes, so it answers 404 to every request",
                        node.id
                    ),
                )
                .help("add a route, for example `/products` -> binding `PRODUCTS`"),
            );
        }
    }
}

impl crate::validate::KindRules for super::Def {
    /// In one group: the first rule parses the gateway route patterns the others share.
    fn design_rules(&self) -> &'static [Rule] {
        &[
            route_services,
            route_overlaps,
            route_paths,
            auth_settings,
            rate_limit,
            rate_limit_period,
            has_routes,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimit;
    use crate::model::{Auth, GatewayRoute, HttpMethod, Wire};
    use crate::validate::testkit::{base, gateway_mut, reported_after, reports, with_code};

    fn route(path: &str, methods: &[HttpMethod]) -> GatewayRoute {
        GatewayRoute {
            path: path.into(),
            methods: methods.to_vec(),
            service: "ITEMS".into(),
            strip_prefix: false,
        }
    }

    #[test]
    fn route_to_missing_binding() {
        let mut design = base();
        assert!(!reports(&design, "GWY001"));
        gateway_mut(&mut design).routes[0].service = "PRODUCTS".into();
        let found = with_code(&design, "GWY001");
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("ITEMS")
        );
    }

    #[test]
    fn route_to_a_kv_binding() {
        reported_after(base(), "GWY002", |design| {
            design.wires.push(Wire::new("gateway", "cache", "CACHE"));
            gateway_mut(design).routes[0].service = "CACHE".into();
        });
    }

    #[test]
    fn duplicate_route_is_an_error() {
        let mut design = base();
        gateway_mut(&mut design)
            .routes
            .push(route("/items", &[HttpMethod::Post]));
        reported_after(design, "GWY003", |design| {
            gateway_mut(design)
                .routes
                .push(route("/items", &[HttpMethod::Get]));
        });
    }

    #[test]
    fn shadowed_route_is_a_warning() {
        let mut design = base();
        // More specific route first: fine.
        gateway_mut(&mut design)
            .routes
            .insert(0, route("/items/featured", &[HttpMethod::Get]));
        assert!(!reports(&design, "GWY004"));
        gateway_mut(&mut design)
            .routes
            .push(route("/items/:id", &[HttpMethod::Get]));
        let found = with_code(&design, "GWY004");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("route 2 (/items)"),
            "{}",
            found[0].message
        );
        // A catch-all route for every method shadows everything after it.
        let mut design = base();
        gateway_mut(&mut design).routes.insert(0, route("/", &[]));
        assert!(reports(&design, "GWY004"));
    }

    #[test]
    fn invalid_route_path() {
        let mut design = base();
        assert!(!reports(&design, "GWY005"));
        gateway_mut(&mut design).routes[0].path = "items".into();
        assert!(reports(&design, "GWY005"));
        gateway_mut(&mut design).routes[0].path = "/items/:1".into();
        assert!(reports(&design, "GWY005"));
    }

    #[test]
    fn incomplete_auth() {
        let mut design = base();
        gateway_mut(&mut design).auth = Auth::ApiKey {
            header: "x-api-key".into(),
            secret: "API_KEY".into(),
        };
        assert!(!reports(&design, "GWY006"));
        gateway_mut(&mut design).auth = Auth::ApiKey {
            header: "x api key".into(),
            secret: "API_KEY".into(),
        };
        assert!(reports(&design, "GWY006"));
        gateway_mut(&mut design).auth = Auth::Jwt {
            secret: "JWT_SECRET".into(),
            issuer: String::new(),
            audience: "api".into(),
        };
        assert!(reports(&design, "GWY006"));
    }

    #[test]
    fn zero_rate_limit() {
        let mut design = base();
        gateway_mut(&mut design).rate_limit = Some(RateLimit::default());
        reported_after(design, "GWY007", |design| {
            gateway_mut(design).rate_limit = Some(RateLimit {
                requests: 0,
                ..RateLimit::default()
            });
        });
    }

    #[test]
    fn rate_limit_period_other_than_10_or_60() {
        let mut design = base();
        for ok in [10, 60] {
            gateway_mut(&mut design).rate_limit = Some(RateLimit {
                period_secs: ok,
                ..RateLimit::default()
            });
            assert!(!reports(&design, "GWY009"), "{ok} s is allowed");
        }
        gateway_mut(&mut design).rate_limit = Some(RateLimit {
            requests: 5,
            period_secs: 1,
            ..RateLimit::default()
        });
        let found = with_code(&design, "GWY009");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].help.as_deref(),
            Some("set period_secs to 10 (about 50 requests per 10 s keeps the same rate)")
        );
        assert_eq!(RateLimit::nearest_period(35), 10);
        assert_eq!(RateLimit::nearest_period(36), 60);
        assert_eq!(RateLimit::nearest_period(3600), 60);
    }

    #[test]
    fn gateway_without_routes() {
        reported_after(base(), "GWY008", |design| {
            gateway_mut(design).routes.clear();
        });
    }
}
