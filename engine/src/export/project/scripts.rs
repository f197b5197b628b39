//! The project around the Workers: the root `.dev.vars.example`, `package.json` scripts and
//! `scripts/deploy.mjs`. Each store's part in them (migrations, seeds, creation before
//! deploy) comes from its kind ([`crate::export::kind::KindExport`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{STATE_DIR, one_line};
use crate::export::kind::{ManualResource, RemoteStore, Script, Store, StoreScripts};
use crate::export::typescript::string_literal;
use crate::export::{names, versions};
use crate::model::Design;

// ---------------------------------------------------------------------------------------
// Store files: helpers for the kinds

pub(crate) fn migration_file(index: usize, name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        clean.push_str("migration");
    }
    format!("{:04}_{clean}.sql", index + 1)
}

pub(crate) fn with_newline(sql: &str) -> String {
    let mut sql = sql.to_owned();
    if !sql.ends_with('\n') {
        sql.push('\n');
    }
    sql
}

// ---------------------------------------------------------------------------------------
// package.json, scripts, README

pub(super) fn root_dev_vars(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = format!(
        "# Every secret of the \"{}\" design, names only. Values never leave your machine:\n# locally each Worker reads <worker>/.dev.vars; in production use `npx wrangler secret put`.\n",
        one_line(&design.name)
    );
    let mut any = false;
    for script in ordered {
        for (name, what) in script.secrets() {
            any = true;
            let _ = writeln!(
                out,
                "\n# {what} (Worker \"{}\": {}/.dev.vars)\n{name}=",
                script.node.id, script.folder
            );
        }
    }
    for store in stores.values() {
        any |= crate::kinds::of(&store.node.kind).store_dev_vars(store, &mut out);
    }
    if !any {
        out.push_str("\n# (This design uses no secrets.)\n");
    }
    out
}

pub(super) fn package_name(design: &Design) -> String {
    let name = names::slug(&design.name);
    if name == "node" {
        "edgewire-export".to_owned()
    } else {
        name
    }
}

/// The npm scripts, in the order they are written.
/// The package scripts; `tests`: whether the project has scenario tests (`npm test`).
pub(super) fn scripts(
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
    tests: bool,
) -> Vec<(String, String)> {
    let configs: Vec<String> = ordered
        .iter()
        .map(|s| format!("-c {}", s.config()))
        .collect();
    // A code Worker's folder is the user's own, with its own tooling: not typechecked here.
    let mut typecheck: Vec<String> = ordered
        .iter()
        .filter(|s| s.code().is_none())
        .map(|s| format!("tsc --noEmit -p {}", s.folder))
        .collect();
    if tests {
        typecheck.push("tsc --noEmit -p test".to_owned());
    }
    if typecheck.is_empty() {
        typecheck.push("echo \"nothing to typecheck\"".to_owned());
    }
    let mut store_scripts = StoreScripts::default();
    for store in stores.values() {
        crate::kinds::of(&store.node.kind).store_scripts(store, &mut store_scripts);
    }
    let StoreScripts {
        migrate_local,
        migrate_remote,
        seed,
        seed_postgres,
    } = store_scripts;
    let or_nothing = |commands: Vec<String>, what: &str| {
        if commands.is_empty() {
            format!("echo \"{what}\"")
        } else {
            commands.join(" && ")
        }
    };
    let mut out = vec![
        ("typecheck".to_owned(), typecheck.join(" && ")),
        (
            "dev".to_owned(),
            format!(
                "wrangler dev {} --persist-to {STATE_DIR}",
                configs.join(" ")
            ),
        ),
        (
            "db:migrate:local".to_owned(),
            or_nothing(migrate_local, "no D1 migrations"),
        ),
        (
            "db:migrate:remote".to_owned(),
            or_nothing(migrate_remote, "no D1 migrations"),
        ),
        ("seed:local".to_owned(), or_nothing(seed, "nothing to seed")),
    ];
    if !seed_postgres.is_empty() {
        out.push(("seed:postgres".to_owned(), seed_postgres.join(" && ")));
    }
    out.push((
        "build".to_owned(),
        ordered
            .iter()
            .map(|s| {
                format!(
                    "wrangler deploy --dry-run --outdir \"$PWD/dist/{0}\" -c {1}",
                    s.folder,
                    s.config()
                )
            })
            .collect::<Vec<_>>()
            .join(" && "),
    ));
    if tests {
        out.push(("test".to_owned(), "vitest run".to_owned()));
    }
    out.push(("deploy".to_owned(), "node scripts/deploy.mjs".to_owned()));
    out
}

pub(super) fn package_json(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(
        out,
        "  \"name\": {},",
        string_literal(&package_name(design))
    );
    out.push_str("  \"version\": \"0.1.0\",\n  \"private\": true,\n");
    let _ = writeln!(
        out,
        "  \"description\": {},",
        string_literal(&format!(
            "{}: a multi-Worker Cloudflare project exported by Edgewire",
            one_line(&design.name)
        ))
    );
    out.push_str("  \"type\": \"module\",\n");
    let _ = writeln!(
        out,
        "  \"engines\": {{\n    \"node\": {}\n  }},",
        string_literal(versions::NODE)
    );
    out.push_str("  \"scripts\": {\n");
    let tests = !crate::graph::scenario_requests(design).is_empty();
    let scripts = scripts(ordered, stores, tests);
    let lines: Vec<String> = scripts
        .iter()
        .map(|(name, command)| format!("    {}: {}", string_literal(name), string_literal(command)))
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  },\n");
    let mut dependencies: Vec<(&str, &str)> = ordered
        .iter()
        .flat_map(|s| s.needs())
        .flat_map(|needs| needs.dependencies.iter().copied())
        .collect();
    dependencies.sort_unstable();
    dependencies.dedup();
    if !dependencies.is_empty() {
        let lines: Vec<String> = dependencies
            .iter()
            .map(|(name, version)| {
                format!("    {}: {}", string_literal(name), string_literal(version))
            })
            .collect();
        let _ = writeln!(out, "  \"dependencies\": {{\n{}\n  }},", lines.join(",\n"));
    }
    let mut dev: Vec<(&str, &str)> = vec![
        ("@cloudflare/workers-types", versions::WORKERS_TYPES),
        ("typescript", versions::TYPESCRIPT),
        ("wrangler", versions::WRANGLER),
    ];
    if tests {
        dev.extend([
            ("@types/node", versions::TYPES_NODE),
            ("vitest", versions::VITEST),
        ]);
        dev.sort_unstable();
    }
    let lines: Vec<String> = dev
        .iter()
        .map(|(name, version)| format!("    {}: {}", string_literal(name), string_literal(version)))
        .collect();
    let _ = writeln!(
        out,
        "  \"devDependencies\": {{\n{}\n  }}\n}}",
        lines.join(",\n")
    );
    out
}

pub(super) fn deploy_script(
    design: &Design,
    ordered: &[&Script<'_>],
    deploy_order: &[String],
    scripts: &BTreeMap<&str, Script<'_>>,
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = format!(
        "// Deploys the \"{}\" design: D1 databases and their migrations first, then every Worker\n// after the Workers it calls (services first, the gateway last). Run it with `npm run deploy`\n// after `npx wrangler login`.\n\nimport {{ spawnSync }} from \"node:child_process\";\nimport {{ readFileSync }} from \"node:fs\";\n\n",
        one_line(&design.name)
    );
    let hyperdrive: Vec<String> = manual_resources(ordered)
        .into_iter()
        .map(|r| {
            format!(
                "  {{ config: {}, binding: {}, create: {} }}",
                string_literal(&r.config),
                string_literal(&r.binding),
                string_literal(&r.create)
            )
        })
        .collect();
    let js_array = |args: &[String]| {
        let items: Vec<String> = args.iter().map(|a| string_literal(a)).collect();
        format!("[{}]", items.join(", "))
    };
    let databases: Vec<String> = remote_stores(stores)
        .into_iter()
        .map(|store| {
            format!(
                "  {{ name: {}, create: {}, migrate: {} }}",
                string_literal(&store.name),
                js_array(&store.create),
                store.migrate.as_deref().map_or("null".to_owned(), js_array)
            )
        })
        .collect();
    let workers: Vec<String> = deploy_order
        .iter()
        .filter_map(|id| scripts.get(id.as_str()))
        .map(|s| format!("  {}", string_literal(&s.config())))
        .collect();
    let _ = writeln!(
        out,
        "/** Hyperdrive configurations must exist before deploying: their ids go into wrangler.jsonc. */\nconst hyperdrive = [\n{}\n];\n",
        hyperdrive.join(",\n")
    );
    let _ = writeln!(
        out,
        "/** D1 databases: created when missing (with their location hint), then migrated. */\nconst databases = [\n{}\n];\n",
        databases.join(",\n")
    );
    let _ = writeln!(
        out,
        "/** Worker configs in deploy order. */\nconst workers = [\n{}\n];\n",
        workers.join(",\n")
    );
    out.push_str(
        r#"function wrangler(args, options = {}) {
  console.log(`> wrangler ${args.join(" ")}`);
  const result = spawnSync("wrangler", args, { stdio: "inherit", ...options });
  return result.status === 0;
}

for (const { config, binding, create } of hyperdrive) {
  if (readFileSync(config, "utf8").includes("00000000000000000000000000000000")) {
    console.error(`${config}: Hyperdrive ${binding} has no id yet. Create it with\n  ${create}\nand put the printed id into ${config}.`);
    process.exit(1);
  }
}

for (const { name, create, migrate } of databases) {
  if (!wrangler(["d1", "info", name], { stdio: "ignore" }) && !wrangler(create)) {
    console.error(`could not create the D1 database ${name}`);
    process.exit(1);
  }
  if (migrate !== null && !wrangler(migrate)) {
    process.exit(1);
  }
}

for (const config of workers) {
  if (!wrangler(["deploy", "-c", config])) {
    process.exit(1);
  }
}
"#,
    );
    out
}

/// What must be created by hand before the first deploy, for every Worker's bindings.
pub(super) fn manual_resources(ordered: &[&Script<'_>]) -> Vec<ManualResource> {
    ordered
        .iter()
        .flat_map(|script| {
            script.bindings.iter().filter_map(|(binding, target)| {
                crate::kinds::of(&target.kind).deploy_binding(script, binding, target)
            })
        })
        .collect()
}

/// The stores deploy creates when missing and migrates, in store order.
pub(super) fn remote_stores(stores: &BTreeMap<&str, Store<'_>>) -> Vec<RemoteStore> {
    stores
        .values()
        .filter_map(|store| crate::kinds::of(&store.node.kind).deploy_store(store))
        .collect()
}
