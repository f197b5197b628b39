//! Who can reach a Worker from the internet. Only entry points (Workers a Client calls) are
//! public; every other Worker trusts the `x-edgewire-auth` header its callers set, so it must
//! have no URL of its own, or anyone could send that header and skip the gateway's checks.

use crate::model::{Kind, NodeKind};
use crate::semantics::AUTH_HEADER;

use super::context::Ctx;
use super::{Diagnostic, Severity, Target};

/// PUB001: a Custom Domain must be a bare hostname (`api.example.com`).
pub fn custom_domains(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        let Some(domain) = node.kind.custom_domain() else {
            continue;
        };
        let Err(problem) = check_hostname(domain) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                "PUB001",
                Severity::Error,
                Target::Node {
                    node: node.id.clone(),
                },
                format!("custom domain `{domain}` {problem}"),
            )
            .help(hostname_help(domain)),
        );
    }
}

/// PUB002: a custom domain on a Worker that no Client calls would publish an internal Worker.
pub fn internal_with_domain(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let entries = ctx.graph().entry_points();
    for node in &ctx.design.nodes {
        let Some(domain) = node.kind.custom_domain() else {
            continue;
        };
        if entries.contains(&node.id) {
            continue;
        }
        let id = &node.id;
        out.push(
            Diagnostic::new(
                "PUB002",
                Severity::Warning,
                Target::Node { node: id.clone() },
                format!(
                    "`{id}` is an internal Worker (no Client calls it) but has the custom domain \
                     `{domain}`: it trusts the `{AUTH_HEADER}` header its callers set, so a public \
                     URL would let anyone on the internet send that header and skip the gateway's \
                     checks; the export leaves the domain out"
                ),
            )
            .help(format!(
                "remove the custom domain from `{id}`, or wire a Client to it to make it a public \
                 entry (a public Worker ignores `{AUTH_HEADER}`)"
            )),
        );
    }
}

/// PUB003: a Worker behind a gateway that a Client also calls directly answers at a public URL
/// of its own, where callers skip the gateway's authentication, rate limit and body limit.
pub fn gateway_bypass(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for link in ctx.links() {
        let (Some(client), Some(worker)) = (link.from, link.to) else {
            continue;
        };
        if client.kind.kind() != Kind::Client || worker.kind.kind() != Kind::Worker {
            continue;
        }
        let Some(gateway) = ctx
            .links()
            .iter()
            .filter(|l| l.wire.to == worker.id)
            .find_map(|l| l.from.filter(|n| matches!(n.kind, NodeKind::Gateway(_))))
        else {
            continue;
        };
        let (client, worker, gateway) = (&client.id, &worker.id, &gateway.id);
        out.push(
            Diagnostic::new(
                "PUB003",
                Severity::Warning,
                Target::Wire {
                    from: client.clone(),
                    to: worker.clone(),
                },
                format!(
                    "`{worker}` sits behind the gateway `{gateway}` but the Client `{client}` also \
                     calls it directly: deployed, it gets a public URL where anyone can skip the \
                     gateway's authentication and rate limit, and it ignores the `{AUTH_HEADER}` \
                     header the gateway sends"
                ),
            )
            .help(format!(
                "delete the wire {client} -> {worker} and let requests go through the gateway \
                 (add a gateway route for the paths {worker} serves)"
            )),
        );
    }
}

/// Why `domain` is not a hostname a Custom Domain can use.
pub(crate) fn check_hostname(domain: &str) -> Result<(), &'static str> {
    if domain.contains("://") {
        return Err("has a scheme; a custom domain is a hostname only");
    }
    if domain.contains('/') {
        return Err("has a path; a custom domain is a whole hostname");
    }
    if domain.contains(':') {
        return Err("has a port; custom domains serve HTTPS on 443");
    }
    if domain.contains('*') {
        return Err("has a wildcard; a custom domain names exactly one hostname");
    }
    if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("has capital letters; write hostnames in lower case");
    }
    if domain.ends_with(".workers.dev") || domain == "workers.dev" {
        return Err("is a workers.dev address, which Cloudflare assigns itself");
    }
    if domain.len() > 253 {
        return Err("is longer than 253 characters");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("is not a full hostname (it needs a zone, as in `api.example.com`)");
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 {
            return Err("has an empty part or a part longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("has a part that starts or ends with `-`");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("may only hold letters, digits, `-` and `.`");
        }
    }
    Ok(())
}

/// What to write instead: the hostname part of `domain` when one can be seen in it.
fn hostname_help(domain: &str) -> String {
    let host = domain
        .split_once("://")
        .map_or(domain, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .trim_start_matches("*.")
        .to_ascii_lowercase();
    if !host.is_empty() && check_hostname(&host).is_ok() {
        format!(
            "write the hostname alone: `custom_domain: \"{host}\"` (its zone must be on your \
             Cloudflare account)"
        )
    } else {
        "write a hostname in a zone on your Cloudflare account, for example \
         `custom_domain: \"api.example.com\"`, or remove it to deploy to workers.dev"
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{assert_contains, base, gateway_mut, only_after, worker_mut};
    use super::check_hostname;
    use crate::model::Wire;

    #[test]
    fn hostnames() {
        for good in ["api.example.com", "a-b.example.co.uk", "x1.io"] {
            assert_eq!(check_hostname(good), Ok(()), "{good}");
        }
        for bad in [
            "https://api.example.com",
            "example.com/api",
            "api.example.com:8443",
            "*.example.com",
            "API.example.com",
            "api.acme.workers.dev",
            "localhost",
            "api..example.com",
            "-api.example.com",
            "api_x.example.com",
        ] {
            assert!(check_hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_malformed_custom_domain_is_an_error_with_the_fix() {
        let mut design = base();
        gateway_mut(&mut design).custom_domain = Some("api.example.com".into());
        let found = only_after(design, "PUB001", |design| {
            gateway_mut(design).custom_domain = Some("https://API.example.com/v1".into());
        });
        assert_contains(&found.message, "scheme");
        assert_contains(
            found.help.as_deref().unwrap_or_default(),
            "\"api.example.com\"",
        );
    }

    #[test]
    fn a_custom_domain_on_an_internal_worker_is_a_warning() {
        let mut design = base();
        gateway_mut(&mut design).custom_domain = Some("api.example.com".into());
        let found = only_after(design, "PUB002", |design| {
            worker_mut(design, "items").custom_domain = Some("items.example.com".into());
        });
        assert_contains(&found.message, "x-edgewire-auth");
    }

    #[test]
    fn a_client_calling_a_worker_behind_the_gateway_is_a_warning() {
        let found = only_after(base(), "PUB003", |design| {
            design.wires.push(Wire::new("web", "items", ""));
        });
        assert_contains(&found.message, "skip the gateway");
    }
}
