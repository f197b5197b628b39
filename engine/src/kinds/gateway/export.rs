//! The API Gateway in the exported project: `src/index.ts` configures `gateway.ts` with the
//! design's routes, CORS, authentication and rate limit; the README describes it.

use std::fmt::Write as _;

use crate::export::kind::{KindExport, Script, TestCredential, WranglerSection};
use crate::export::project::{GATEWAY_TS, env_interface, file_header};
use crate::export::typescript::string_literal;
use crate::export::{ExportError, ExportTree, names};
use crate::model::{Auth, Design, Gateway, Kind, Node, NodeKind, RateLimitKey};

impl KindExport for super::Def {
    fn worker_sources(
        &self,
        design: &Design,
        script: &Script<'_>,
        tree: &mut ExportTree,
    ) -> Result<(), ExportError> {
        let NodeKind::Gateway(gateway) = &script.node.kind else {
            return Ok(());
        };
        let folder = &script.folder;
        tree.add(format!("{folder}/src/gateway.ts"), GATEWAY_TS);
        tree.add(
            format!("{folder}/src/index.ts"),
            gateway_index(design, script, gateway)?,
        );
        Ok(())
    }

    fn worker_secrets(&self, node: &Node) -> Vec<(String, String)> {
        let NodeKind::Gateway(g) = &node.kind else {
            return vec![];
        };
        match &g.auth {
            Auth::None => vec![],
            Auth::ApiKey { header, secret } => vec![(
                secret.clone(),
                format!("the API key clients must send in the `{header}` header"),
            )],
            Auth::Jwt { secret, .. } => vec![(
                secret.clone(),
                "the HMAC key that signs clients' HS256 tokens".to_owned(),
            )],
        }
    }

    fn credential_headers(&self, node: &Node) -> Vec<(String, String)> {
        let NodeKind::Gateway(g) = &node.kind else {
            return vec![];
        };
        match &g.auth {
            Auth::ApiKey { header, secret } => {
                vec![(header.to_ascii_lowercase(), format!("${secret}"))]
            }
            Auth::Jwt { .. } => vec![("authorization".to_owned(), "Bearer $TOKEN".to_owned())],
            Auth::None => vec![],
        }
    }

    fn worker_wrangler(
        &self,
        design: &Design,
        node: &Node,
    ) -> Vec<(&'static WranglerSection, String)> {
        let NodeKind::Gateway(g) = &node.kind else {
            return Vec::new();
        };
        let Some(limit) = &g.rate_limit else {
            return Vec::new();
        };
        vec![(
            &RATELIMITS,
            format!(
                "{{ \"name\": \"{RATE_LIMITER}\", \"namespace_id\": \"{}\", \"simple\": {{ \"limit\": {}, \"period\": {} }} }}",
                namespace_id(design, node),
                limit.requests,
                limit.period_secs
            ),
        )]
    }

    fn worker_env(&self, node: &Node) -> Vec<(String, String, &'static str)> {
        match &node.kind {
            NodeKind::Gateway(g) if g.rate_limit.is_some() => vec![(
                RATE_LIMITER.to_owned(),
                "Workers Rate Limiting binding: counts requests per caller (see wrangler.jsonc)."
                    .to_owned(),
                "RateLimit",
            )],
            _ => Vec::new(),
        }
    }

    fn test_credentials(&self, node: &Node) -> Vec<TestCredential> {
        let NodeKind::Gateway(g) = &node.kind else {
            return Vec::new();
        };
        match &g.auth {
            Auth::ApiKey { header, secret } => vec![TestCredential {
                header: header.to_ascii_lowercase(),
                secret: secret.clone(),
                bearer_jwt: false,
            }],
            Auth::Jwt { secret, .. } => vec![TestCredential {
                header: "authorization".to_owned(),
                secret: secret.clone(),
                bearer_jwt: true,
            }],
            Auth::None => Vec::new(),
        }
    }

    fn readme_role(&self, _public: bool) -> &'static str {
        "API gateway, public"
    }

    fn readme_worker(&self, script: &Script<'_>, out: &mut String) {
        let NodeKind::Gateway(g) = &script.node.kind else {
            return;
        };
        let auth = match &g.auth {
            Auth::None => "none".to_owned(),
            Auth::ApiKey { header, secret } => {
                format!("API key in the `{header}` header (secret `{secret}`)")
            }
            Auth::Jwt {
                secret,
                issuer,
                audience,
            } => format!(
                "`Authorization: Bearer <JWT>`, HS256 with secret `{secret}`, issuer `{issuer}`, audience `{audience}`"
            ),
        };
        let _ = writeln!(out, "- Authentication: {auth}");
        if let Some(cors) = &g.cors {
            let _ = writeln!(out, "- CORS: {}", cors.allow_origins.join(", "));
        }
        if let Some(limit) = &g.rate_limit {
            let _ = writeln!(
                out,
                "- Rate limit: {} requests per {} s per {}, counted by the [Workers Rate Limiting binding](https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/)\n  `{RATE_LIMITER}` (its `namespace_id` in wrangler.jsonc must be unique in your account). The\n  platform counts per Cloudflare location and is eventually consistent, so a client reaching\n  several locations may pass a few more requests; `wrangler dev` and Edgewire count exactly.",
                limit.requests,
                limit.period_secs,
                match limit.key {
                    RateLimitKey::ClientIp => "client IP",
                    RateLimitKey::Credential => "credential",
                }
            );
        }
        if let Some(max) = g.max_body_bytes {
            let _ = writeln!(out, "- Request bodies up to {max} bytes");
        }
        out.push('\n');
        out.push_str("| path | methods | forwarded to |\n| --- | --- | --- |\n");
        for route in &g.routes {
            let methods = if route.methods.is_empty() {
                "any".to_owned()
            } else {
                route
                    .methods
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let target = script
                .bindings
                .get(route.service.as_str())
                .map_or_else(|| route.service.clone(), |n| names::slug(&n.id));
            let _ = writeln!(
                out,
                "| `{}` | {methods} | `{target}`{} |",
                route.path,
                if route.strip_prefix {
                    " (prefix removed)"
                } else {
                    ""
                }
            );
        }
    }
}

fn gateway_index(
    design: &Design,
    script: &Script<'_>,
    gateway: &Gateway,
) -> Result<String, ExportError> {
    let mut out = file_header(design, script, "the API gateway.");
    out.push_str(
        "//\n// Every request is checked in this order: CORS, body size, authentication, rate limit,\n// route; then it is forwarded to a service Worker through its service binding.\n\nimport { createGateway } from \"./gateway\";\n\n",
    );
    out.push_str(&env_interface(script));
    out.push_str("\nconst gateway = createGateway<Env>({\n");
    let _ = writeln!(out, "  name: {},", string_literal(&script.node.id));
    out.push_str("  // Tried in order: the first route whose path matches and that allows the method.\n  routes: [\n");
    for route in &gateway.routes {
        match script.bindings.get(route.service.as_str()) {
            Some(target) if target.kind.kind() == crate::model::Kind::Worker => {}
            _ => {
                return Err(ExportError::Unsupported {
                    node: script.node.id.clone(),
                    detail: format!(
                        "route {} forwards to `{}`, which is not a service binding of this gateway",
                        route.path, route.service
                    ),
                });
            }
        }
        let methods: Vec<String> = route
            .methods
            .iter()
            .map(|m| string_literal(m.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "    {{ path: {}, methods: [{}], service: (env) => env.{}, stripPrefix: {} }},",
            string_literal(&route.path),
            methods.join(", "),
            route.service,
            route.strip_prefix
        );
    }
    out.push_str("  ],\n");
    match &gateway.auth {
        Auth::None => out.push_str("  auth: { kind: \"none\" },\n"),
        Auth::ApiKey { header, secret } => {
            let _ = writeln!(
                out,
                "  // Clients send the key in a header; it is compared in constant time with the secret.\n  auth: {{ kind: \"api_key\", header: {}, key: (env) => env.{secret} }},",
                string_literal(&header.to_ascii_lowercase())
            );
        }
        Auth::Jwt {
            secret,
            issuer,
            audience,
        } => {
            let _ = writeln!(
                out,
                "  // `Authorization: Bearer <JWT>`, HS256-signed with the secret.\n  auth: {{ kind: \"jwt\", secret: (env) => env.{secret}, issuer: {}, audience: {} }},",
                string_literal(issuer),
                string_literal(audience)
            );
        }
    }
    if let Some(cors) = &gateway.cors {
        let origins: Vec<String> = cors
            .allow_origins
            .iter()
            .map(|o| string_literal(o))
            .collect();
        let headers: Vec<String> = cors
            .allow_headers
            .iter()
            .map(|h| string_literal(h))
            .collect();
        let _ = writeln!(
            out,
            "  cors: {{\n    allowOrigins: [{}],\n    // Every method of the routes above.\n    allowMethods: {},\n    allowHeaders: [{}],\n    maxAgeSecs: {},\n  }},",
            origins.join(", "),
            string_literal(&gateway.cors_allow_methods()),
            headers.join(", "),
            cors.max_age_secs
        );
    }
    if let Some(limit) = &gateway.rate_limit {
        let key = match limit.key {
            RateLimitKey::ClientIp => "client_ip",
            RateLimitKey::Credential => "credential",
        };
        let _ = writeln!(
            out,
            "  // {} requests per {} s per caller, counted by the Workers Rate Limiting binding (see\n  // wrangler.jsonc): per Cloudflare location, eventually consistent.\n  rateLimit: {{ limiter: (env) => env.{RATE_LIMITER}, periodSecs: {}, key: \"{key}\" }},",
            limit.requests, limit.period_secs, limit.period_secs
        );
    }
    if let Some(max) = gateway.max_body_bytes {
        let _ = writeln!(out, "  maxBodyBytes: {max},");
    }
    if let Some(header) = &gateway.enrich.request_id_header {
        let _ = writeln!(
            out,
            "  requestIdHeader: {},",
            string_literal(&header.to_ascii_lowercase())
        );
    }
    if let Some(header) = &gateway.enrich.user_id_header {
        let _ = writeln!(
            out,
            "  userIdHeader: {},",
            string_literal(&header.to_ascii_lowercase())
        );
    }
    let forward: Vec<String> = gateway
        .enrich
        .forward_headers
        .iter()
        .map(|h| string_literal(&h.to_ascii_lowercase()))
        .collect();
    let _ = writeln!(
        out,
        "  // Client headers passed on to services (empty: all of them).\n  forwardHeaders: [{}],",
        forward.join(", ")
    );
    out.push_str("});\n\nexport default {\n  fetch(request, env): Promise<Response> {\n    return gateway.fetch(request, env);\n  },\n} satisfies ExportedHandler<Env>;\n");
    Ok(out)
}

/// The `Env` name of a gateway's Workers Rate Limiting binding.
const RATE_LIMITER: &str = "RATE_LIMITER";

/// The `ratelimits` section of `wrangler.jsonc`.
static RATELIMITS: WranglerSection = WranglerSection {
    key: "ratelimits",
    comment: "  // Workers Rate Limiting: env.RATE_LIMITER.limit({ key }) counts requests per key in windows\n  // of `period` seconds (10 or 60). namespace_id must be unique in your Cloudflare account.\n",
};

/// The gateway's rate-limit namespace: 1001 for the design's first gateway, then 1002, ...
fn namespace_id(design: &Design, node: &Node) -> usize {
    let index = design
        .nodes_of_kind(Kind::Gateway)
        .position(|n| n.id == node.id)
        .unwrap_or(0);
    1001 + index
}
