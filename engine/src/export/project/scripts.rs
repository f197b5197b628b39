//! Data stores' files (migrations, seeds) and the project around the Workers: the root
//! `.dev.vars.example`, `package.json` scripts and `scripts/deploy.mjs`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{STATE_DIR, Script, Store, one_line};
use crate::export::typescript::string_literal;
use crate::export::{ExportTree, names, versions};
use crate::model::{Design, Hyperdrive, NodeKind, Origin};

// ---------------------------------------------------------------------------------------
// Data stores

pub(super) fn migration_file(index: usize, name: &str) -> String {
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

pub(super) fn with_newline(sql: &str) -> String {
    let mut sql = sql.to_owned();
    if !sql.ends_with('\n') {
        sql.push('\n');
    }
    sql
}

pub(super) fn store_files(store: &Store<'_>, tree: &mut ExportTree) {
    let name = &store.name;
    match &store.node.kind {
        NodeKind::D1(db) => {
            for (index, migration) in db.migrations.iter().enumerate() {
                tree.add(
                    format!(
                        "migrations/{name}/{}",
                        migration_file(index, &migration.name)
                    ),
                    with_newline(&migration.sql),
                );
            }
            if !db.seed.trim().is_empty() {
                tree.add(format!("seed/d1/{name}.sql"), with_newline(&db.seed));
            }
        }
        NodeKind::Kv(kv) if !kv.seed.is_empty() => {
            let entries: Vec<String> = kv
                .seed
                .iter()
                .map(|e| {
                    format!(
                        "  {{ \"key\": {}, \"value\": {} }}",
                        string_literal(&e.key),
                        string_literal(&e.value)
                    )
                })
                .collect();
            tree.add(
                format!("seed/kv/{name}.json"),
                format!("[\n{}\n]\n", entries.join(",\n")),
            );
        }
        NodeKind::Hyperdrive(h) if !h.seed.trim().is_empty() => {
            tree.add(format!("seed/postgres/{name}.sql"), with_newline(&h.seed));
        }
        _ => {}
    }
}

pub(super) fn hyperdrive_env(binding: &str) -> String {
    format!("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{binding}")
}

/// `wrangler hyperdrive create` for a Hyperdrive node, with its caching settings.
pub(super) fn hyperdrive_create(name: &str, hyperdrive: &Hyperdrive) -> String {
    let origin = match &hyperdrive.origin {
        Origin::ConnectionString { secret } => format!("\"${secret}\""),
        Origin::Auto => "\"postgres://USER:PASSWORD@HOST:5432/DATABASE\"".to_owned(),
    };
    let caching = if hyperdrive.caching.enabled {
        format!(
            " --max-age={} --swr={}",
            hyperdrive.caching.max_age_secs, hyperdrive.caching.stale_while_revalidate_secs
        )
    } else {
        " --caching-disabled".to_owned()
    };
    format!("npx wrangler hyperdrive create {name} --connection-string={origin}{caching}")
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
        if let NodeKind::Hyperdrive(h) = &store.node.kind {
            any = true;
            if let Origin::ConnectionString { secret } = &h.origin {
                let _ = writeln!(
                    out,
                    "\n# Connection string of the PostgreSQL behind Hyperdrive \"{}\", used once by\n# `wrangler hyperdrive create` (see README.md)\n{secret}=",
                    store.node.id
                );
            }
            let _ = writeln!(
                out,
                "\n# Local development: the PostgreSQL that Hyperdrive \"{}\" stands for (an environment\n# variable for `npm run dev`, with a password: postgres://user:password@127.0.0.1:5432/db)\n{}=",
                store.node.id,
                hyperdrive_env(&store.via.1)
            );
        }
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
pub(super) fn scripts(
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> Vec<(String, String)> {
    let configs: Vec<String> = ordered
        .iter()
        .map(|s| format!("-c {}", s.config()))
        .collect();
    let typecheck: Vec<String> = ordered
        .iter()
        .map(|s| format!("tsc --noEmit -p {}", s.folder))
        .collect();
    let mut migrate_local = Vec::new();
    let mut migrate_remote = Vec::new();
    let mut seed = Vec::new();
    let mut seed_postgres = Vec::new();
    for store in stores.values() {
        let (config, binding) = &store.via;
        let name = &store.name;
        match &store.node.kind {
            NodeKind::D1(db) => {
                if !db.migrations.is_empty() {
                    migrate_local.push(format!(
                        "wrangler d1 migrations apply {name} --local --persist-to {STATE_DIR} -c {config}"
                    ));
                    migrate_remote
                        .push(format!("wrangler d1 migrations apply {name} --remote -c {config}"));
                }
                if !db.seed.trim().is_empty() {
                    seed.push(format!(
                        "wrangler d1 execute {name} --local --persist-to {STATE_DIR} --file seed/d1/{name}.sql -c {config}"
                    ));
                }
            }
            NodeKind::Kv(kv) if !kv.seed.is_empty() => seed.push(format!(
                "wrangler kv bulk put seed/kv/{name}.json --binding {binding} --local --persist-to {STATE_DIR} -c {config}"
            )),
            NodeKind::Hyperdrive(h) if !h.seed.trim().is_empty() => seed_postgres.push(format!(
                "psql \"${}\" -v ON_ERROR_STOP=1 -f seed/postgres/{name}.sql",
                hyperdrive_env(binding)
            )),
            _ => {}
        }
    }
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
    let scripts = scripts(ordered, stores);
    let lines: Vec<String> = scripts
        .iter()
        .map(|(name, command)| format!("    {}: {}", string_literal(name), string_literal(command)))
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  },\n");
    if ordered.iter().any(|s| s.uses_hyperdrive()) {
        let _ = writeln!(
            out,
            "  \"dependencies\": {{\n    \"postgres\": \"{}\"\n  }},",
            versions::POSTGRES
        );
    }
    let _ = writeln!(
        out,
        "  \"devDependencies\": {{\n    \"@cloudflare/workers-types\": \"{}\",\n    \"typescript\": \"{}\",\n    \"wrangler\": \"{}\"\n  }}\n}}",
        versions::WORKERS_TYPES,
        versions::TYPESCRIPT,
        versions::WRANGLER
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
    let mut hyperdrive = Vec::new();
    for script in ordered {
        for (binding, target) in &script.bindings {
            if let NodeKind::Hyperdrive(h) = &target.kind {
                hyperdrive.push(format!(
                    "  {{ config: {}, binding: {}, create: {} }}",
                    string_literal(&script.config()),
                    string_literal(binding),
                    string_literal(&hyperdrive_create(&names::slug(&target.id), h))
                ));
            }
        }
    }
    let mut databases = Vec::new();
    for store in stores.values() {
        if let NodeKind::D1(db) = &store.node.kind {
            let location = db.location_hint.as_ref().map_or_else(String::new, |hint| {
                format!(", \"--location\", {}", string_literal(hint))
            });
            databases.push(format!(
                "  {{ name: {}, create: [\"d1\", \"create\", {}{location}], migrate: {} }}",
                string_literal(&store.name),
                string_literal(&store.name),
                if db.migrations.is_empty() {
                    "null".to_owned()
                } else {
                    format!(
                        "[\"d1\", \"migrations\", \"apply\", {}, \"--remote\", \"-c\", {}]",
                        string_literal(&store.name),
                        string_literal(&store.via.0)
                    )
                }
            ));
        }
    }
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
