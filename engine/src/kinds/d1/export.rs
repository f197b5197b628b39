//! The D1 database in the exported project: its `d1_databases` entry, `D1Database` type,
//! migrations and seed SQL, the scripts that apply them, and its creation in the deploy
//! script (with its location hint).

use std::fmt::Write as _;

use crate::export::ExportTree;
use crate::export::kind::{KindExport, RemoteStore, Store, StoreScripts, WranglerSection};
use crate::export::project::{STATE_DIR, migration_file, with_newline};
use crate::export::typescript::string_literal;
use crate::model::{Node, NodeKind};

const SECTION: WranglerSection = WranglerSection {
    key: "d1_databases",
    comment: "  // No \"database_id\": `wrangler deploy` finds or creates the database by name. The\n  // \"preview_database_id\" names the local database, shared by every Worker bound to it.\n",
};

impl KindExport for super::Def {
    fn wrangler_binding(
        &self,
        target: &Node,
        binding: &str,
    ) -> Option<(&'static WranglerSection, String)> {
        let NodeKind::D1(db) = &target.kind else {
            return None;
        };
        let name = crate::export::slug(&target.id);
        let migrations = if db.migrations.is_empty() {
            String::new()
        } else {
            format!(
                ", \"migrations_dir\": {}",
                string_literal(&format!("../migrations/{name}"))
            )
        };
        // An existing database (imported) is bound by its id as well as its name.
        let id = db
            .database_id
            .as_ref()
            .map(|id| format!(", \"database_id\": {}", string_literal(id)))
            .unwrap_or_default();
        Some((
            &SECTION,
            format!(
                "{{ \"binding\": {}, \"database_name\": {1}{id}, \"preview_database_id\": {1}{migrations} }}",
                string_literal(binding),
                string_literal(&name)
            ),
        ))
    }

    fn env_binding(&self, target: &Node) -> Option<(String, &'static str)> {
        Some((format!("D1 database \"{}\".", target.id), "D1Database"))
    }

    fn store_files(&self, store: &Store<'_>, tree: &mut ExportTree) {
        let NodeKind::D1(db) = &store.node.kind else {
            return;
        };
        let name = &store.name;
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

    fn store_scripts(&self, store: &Store<'_>, scripts: &mut StoreScripts) {
        let NodeKind::D1(db) = &store.node.kind else {
            return;
        };
        let config = &store.via.0;
        let name = &store.name;
        if !db.migrations.is_empty() {
            scripts.migrate_local.push(format!(
                "wrangler d1 migrations apply {name} --local --persist-to {STATE_DIR} -c {config}"
            ));
            scripts.migrate_remote.push(format!(
                "wrangler d1 migrations apply {name} --remote -c {config}"
            ));
        }
        if !db.seed.trim().is_empty() {
            scripts.seed.push(format!(
                "wrangler d1 execute {name} --local --persist-to {STATE_DIR} --file seed/d1/{name}.sql -c {config}"
            ));
        }
    }

    fn readme_after_deploy(&self, store: &Store<'_>, out: &mut String) {
        if let NodeKind::D1(db) = &store.node.kind
            && db.read_replication
        {
            let _ = writeln!(
                out,
                "D1 `{}` is designed with read replication: the Workers already read it through the\nSessions API (`withSession`, one session per request); turn replication on for the\ndatabase after the first deploy (Cloudflare dashboard: D1 > {} > Settings).\n",
                store.name, store.name
            );
        }
    }

    fn test_setup(&self, store: &Store<'_>) -> Option<String> {
        let NodeKind::D1(db) = &store.node.kind else {
            return None;
        };
        let (config, binding) = &store.via;
        let worker = config.strip_suffix("/wrangler.jsonc").unwrap_or(config);
        let mut out = format!(
            "  {{
    // D1 {}: its migrations, then its seed.
    const worker = server.getWorker({});
",
            store.node.id,
            string_literal(worker)
        );
        if !db.migrations.is_empty() {
            let _ = writeln!(
                out,
                "    await worker.applyD1Migrations({});",
                string_literal(binding)
            );
        }
        if !db.seed.trim().is_empty() {
            let _ = writeln!(
                out,
                "    const db = (await worker.getEnv())[{}];
    await db.batch(statements(\"seed/d1/{}.sql\").map((sql) => db.prepare(sql)));",
                string_literal(binding),
                store.name
            );
        }
        out.push_str("  }\n");
        Some(out)
    }

    fn deploy_store(&self, store: &Store<'_>) -> Option<RemoteStore> {
        let NodeKind::D1(db) = &store.node.kind else {
            return None;
        };
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let mut create = words(&["d1", "create", &store.name]);
        if let Some(hint) = &db.location_hint {
            create.extend(words(&["--location", hint]));
        }
        Some(RemoteStore {
            name: store.name.clone(),
            exists: words(&["d1", "info", &store.name]),
            create,
            migrate: (!db.migrations.is_empty()).then(|| {
                words(&[
                    "d1",
                    "migrations",
                    "apply",
                    &store.name,
                    "--remote",
                    "-c",
                    &store.via.0,
                ])
            }),
        })
    }
}
