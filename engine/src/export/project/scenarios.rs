//! `test/scenario.test.ts`: the design's scenario requests as vitest tests. Every Worker of
//! the project runs in one local server (wrangler's `createTestHarness()`, which loads each
//! Worker from its `wrangler.jsonc`), the stores are prepared as `npm run db:migrate:local`
//! and `npm run seed:local` prepare them (each store kind says how), and the requests are sent
//! in the scenario's order to the Worker their Client calls. Each test checks the status, and
//! the body where the design has an `expect_body`. Requests that reach a Hyperdrive run
//! against the PostgreSQL its local connection string variable names, and are skipped when
//! it is not set.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::one_line;
use crate::export::kind::{Script, Store, TestCredential};
use crate::export::typescript::string_literal;
use crate::model::Design;
use crate::simulate::paths::{Hop, request_paths};

/// The KV hit ratio the path walk assumes (it only decides which stores a request may reach).
const ANY_HIT_RATIO: f64 = 0.5;

use crate::graph::{ScenarioRequest, scenario_requests};

/// What the test file is written from.
pub(super) struct Tests<'a, 'd> {
    pub design: &'d Design,
    pub ordered: &'a [&'a Script<'d>],
    pub scripts: &'a BTreeMap<&'d str, Script<'d>>,
    pub stores: &'a BTreeMap<&'d str, Store<'d>>,
}

pub(super) fn test_file(t: &Tests<'_, '_>) -> String {
    let tests = scenario_requests(t.design);
    let variables = postgres_variables(t, &tests);
    let mut out = format!(
        "// The scenario requests of the \"{}\" design as tests, exported by Edgewire. Every\n// Worker runs in one local server (wrangler's createTestHarness, each from its\n// wrangler.jsonc) with the D1 migrations applied and the D1 and KV seeds loaded, as `npm run\n// dev` after `npm run db:migrate:local` and `npm run seed:local`. The requests go in the\n// scenario's order to the Worker their Client calls; each test checks the status, and the\n// body where the design expects one (`toMatchObject`: more fields are fine).\n//\n// Secrets come from each Worker's .dev.vars (copy .dev.vars.example). Requests that query\n// PostgreSQL through Hyperdrive need the database its CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_\n// STRING_<BINDING> variable names (see README.md); without it they are skipped.\n\n",
        one_line(&t.design.name)
    );
    out.push_str(PRELUDE);
    let listed: Vec<String> = variables.iter().map(|v| string_literal(v)).collect();
    let _ = write!(
        out,
        "/** Hyperdrive variables that are not set: the requests that need them are skipped. */\nconst missing = new Set<string>();\nfor (const variable of [{}]) {{\n  if (!process.env[variable]) {{\n    missing.add(variable);\n    // wrangler needs a connection string to start; no request that would use it is sent.\n    process.env[variable] = \"postgres://unset:unset@127.0.0.1:9/unset\";\n  }}\n}}\nif (missing.size > 0) {{\n  console.warn(`Skipping the requests that query PostgreSQL: set ${{[...missing].join(\", \")}} (README.md, Run it locally).`);\n}}\n\n",
        listed.join(", ")
    );
    out.push_str("const server = createTestHarness({\n  workers: [\n");
    for script in t.ordered {
        let _ = writeln!(
            out,
            "    {{ configPath: {} }},",
            string_literal(&script.config())
        );
    }
    out.push_str("  ],\n});\n\n");
    out.push_str(HELPERS);
    out.push_str("beforeAll(async () => {\n  await server.listen();\n");
    for store in t.stores.values() {
        if let Some(setup) = crate::kinds::of(&store.node.kind).test_setup(store) {
            out.push_str(&setup);
        }
    }
    out.push_str("});\n\nafterAll(async () => {\n  await server.close();\n});\n");
    let mut clients: Vec<&str> = Vec::new();
    for test in &tests {
        if clients.last() != Some(&test.client) {
            if !clients.is_empty() {
                out.push_str("});\n");
            }
            clients.push(test.client);
            let _ = writeln!(out, "\ndescribe({}, () => {{", string_literal(test.client));
        }
        request_test(&mut out, t, test, &variables);
    }
    if !clients.is_empty() {
        out.push_str("});\n");
    }
    out
}

const PRELUDE: &str = "import { createHmac } from \"node:crypto\";\nimport { readFileSync } from \"node:fs\";\nimport { afterAll, beforeAll, describe, expect, test } from \"vitest\";\nimport { createTestHarness, unstable_splitSqlQuery } from \"wrangler\";\n\n";

const HELPERS: &str = "/** The bindings, variables and secrets of a Worker. */\nasync function env(worker: string): Promise<Record<string, any>> {\n  return server.getWorker(worker).getEnv();\n}\n\n/** The SQL statements of a seed file. */\nfunction statements(file: string): string[] {\n  return unstable_splitSqlQuery(readFileSync(file, \"utf8\"));\n}\n\n/** A secret of a Worker, from its .dev.vars: never written into this file. */\nasync function secret(worker: string, name: string): Promise<string> {\n  const value = (await env(worker))[name];\n  if (typeof value !== \"string\" || value === \"\") {\n    throw new Error(`${worker}/.dev.vars has no ${name}: copy ${worker}/.dev.vars.example to ${worker}/.dev.vars and set it`);\n  }\n  return value;\n}\n\n/** A sample JWT's header and claims, signed again (HS256) with the Worker's own secret. */\nfunction signed(token: string, key: string): string {\n  const [header, claims] = token.split(\".\");\n  const signature = createHmac(\"sha256\", key).update(`${header}.${claims}`).digest(\"base64url\");\n  return `${header}.${claims}.${signature}`;\n}\n\n";

/// The Hyperdrive variables of the project (each Worker binding that reaches a Hyperdrive),
/// sorted.
fn postgres_variables(t: &Tests<'_, '_>, tests: &[ScenarioRequest<'_>]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for test in tests {
        out.extend(needed_variables(t, test));
    }
    out
}

/// The local connection variables a request's paths may need (one per Hyperdrive binding it
/// reaches).
fn needed_variables(t: &Tests<'_, '_>, test: &ScenarioRequest<'_>) -> BTreeSet<String> {
    let paths = request_paths(t.design, test.entry, test.request, ANY_HIT_RATIO);
    let mut out = BTreeSet::new();
    for hop in paths.paths.iter().flat_map(|p| &p.hops) {
        let Hop::Hyperdrive { node, by, .. } = hop else {
            continue;
        };
        let Some(target) = t.design.node(node) else {
            continue;
        };
        let binding = t
            .design
            .wires_from(by)
            .find(|w| w.to == *node)
            .map(|w| w.binding.as_str());
        if let Some(variable) =
            binding.and_then(|b| crate::kinds::of(&target.kind).local_variable(b))
        {
            out.insert(variable);
        }
    }
    out
}

/// One `test(...)` for a scenario request.
fn request_test(
    out: &mut String,
    t: &Tests<'_, '_>,
    test: &ScenarioRequest<'_>,
    all_variables: &BTreeSet<String>,
) {
    let request = test.request;
    let Some(script) = t.scripts.get(test.entry) else {
        return;
    };
    let name = format!(
        "{} ({} {} -> {})",
        request.name, request.method, request.path, request.expect_status
    );
    let needs: Vec<String> = needed_variables(t, test)
        .into_iter()
        .filter(|v| all_variables.contains(v))
        .map(|v| format!("missing.has({})", string_literal(&v)))
        .collect();
    let opening = if needs.is_empty() {
        "test(".to_owned()
    } else {
        format!("test.skipIf({})(", needs.join(" || "))
    };
    let _ = writeln!(out, "  {opening}{}, async () => {{", string_literal(&name));
    let credentials: BTreeMap<String, TestCredential> = crate::kinds::of(&script.node.kind)
        .test_credentials(script.node)
        .into_iter()
        .map(|c| (c.header.clone(), c))
        .collect();
    let mut headers: Vec<String> = Vec::new();
    for (header, value) in &request.headers {
        let lower = header.to_ascii_lowercase();
        // A credential the gateway checks is made from the Worker's secret, unless the
        // request deliberately sends a wrong one (it expects 401).
        let secret = |name: &str| {
            format!(
                "await secret({}, {})",
                string_literal(&script.folder),
                string_literal(name)
            )
        };
        let shown = match credentials.get(&lower) {
            Some(c) if request.expect_status != 401 && !c.bearer_jwt => secret(&c.secret),
            Some(c) if request.expect_status != 401 => match value.strip_prefix("Bearer ") {
                Some(token) => format!(
                    "`Bearer ${{signed({}, {})}}`",
                    string_literal(token),
                    secret(&c.secret)
                ),
                None => string_literal(value),
            },
            _ => string_literal(value),
        };
        headers.push(format!("{}: {shown}", string_literal(&lower)));
    }
    if request.body.is_some()
        && !request
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push("\"content-type\": \"application/json\"".to_owned());
    }
    let _ = writeln!(
        out,
        "    const response = await server.getWorker({}).fetch({}, {{\n      method: {},\n      headers: {{{}}},{}\n    }});",
        string_literal(&script.folder),
        string_literal(&request.path),
        string_literal(request.method.as_str()),
        if headers.is_empty() {
            String::new()
        } else {
            format!(" {} ", headers.join(", "))
        },
        request
            .body
            .as_ref()
            .map(|b| format!("\n      body: {},", string_literal(&b.to_text())))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "    expect(response.status).toBe({});",
        request.expect_status
    );
    match &request.expect_body {
        // Objects and arrays may hold more than expected; `toMatchObject` means what
        // `expect_body` means in the engine (see `model::json_contains`).
        Some(expected) if expected.is_object() || expected.is_array() => {
            let _ = writeln!(
                out,
                "    expect(await response.json()).toMatchObject({expected});"
            );
        }
        Some(expected) => {
            let _ = writeln!(
                out,
                "    expect(await response.json()).toEqual({expected});"
            );
        }
        None => out.push_str("    await response.arrayBuffer();\n"),
    }
    out.push_str("  });\n");
}
