//! Hyperdrive in the exported project: its `hyperdrive` entry (a placeholder id until the
//! user creates the configuration), `Hyperdrive` type, `hyperdrive.ts` and `nodejs_compat`
//! for the Workers that bind it, the local connection string, the PostgreSQL seed, and
//! `wrangler hyperdrive create` in the README and the deploy script.

use std::fmt::Write as _;

use crate::export::ExportTree;
use crate::export::kind::{
    KindExport, ManualResource, Needs, Script, Store, StoreScripts, WranglerSection,
};
use crate::export::project::with_newline;
use crate::export::typescript::string_literal;
use crate::model::{Hyperdrive, Node, NodeKind, Origin};

/// Hyperdrive `id` written until the user creates the configuration (any value works locally).
pub const PLACEHOLDER_ID: &str = "00000000000000000000000000000000";

const HYPERDRIVE_TS: &str = include_str!("../../../../assets/export/hyperdrive.ts");

const SECTION: WranglerSection = WranglerSection {
    key: "hyperdrive",
    comment: "  // Replace the id with the one `wrangler hyperdrive create` prints (see README.md). Locally\n  // the connection string comes from CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>.\n",
};

const NEEDS: Needs = Needs {
    flags_comment: "  // The PostgreSQL driver needs Node.js APIs.\n",
    flags: &["nodejs_compat"],
    import: "import { originUnreachable, queryHyperdrive } from \"./hyperdrive\";\n",
    dependencies: &[("postgres", crate::export::versions::POSTGRES)],
    files: &[("hyperdrive.ts", HYPERDRIVE_TS)],
    readme_local: "Locally, Hyperdrive connects straight to the PostgreSQL named by\n`CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` (the string must contain a password);\nno connection string is ever written into `wrangler.jsonc`.\n\n",
    readme_deploy: "Put the id that `wrangler hyperdrive create` prints into the `hyperdrive` entry of each\n`wrangler.jsonc` that binds it; `npm run deploy` stops until you have.\n",
};

/// The variable `wrangler dev` reads a binding's local connection string from.
fn local_env(binding: &str) -> String {
    format!("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{binding}")
}

/// `wrangler hyperdrive create` for a Hyperdrive node, with its caching settings.
fn create_command(name: &str, hyperdrive: &Hyperdrive) -> String {
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

impl KindExport for super::Def {
    fn wrangler_binding(
        &self,
        target: &Node,
        binding: &str,
    ) -> Option<(&'static WranglerSection, String)> {
        // An existing configuration (imported) keeps its id; a new one waits for its own.
        let id = match &target.kind {
            NodeKind::Hyperdrive(Hyperdrive {
                config_id: Some(id),
                ..
            }) => id.as_str(),
            _ => PLACEHOLDER_ID,
        };
        Some((
            &SECTION,
            format!(
                "{{ \"binding\": {}, \"id\": {} }}",
                string_literal(binding),
                string_literal(id)
            ),
        ))
    }

    fn env_binding(&self, target: &Node) -> Option<(String, &'static str)> {
        Some((
            format!("Hyperdrive configuration \"{}\" (PostgreSQL).", target.id),
            "Hyperdrive",
        ))
    }

    fn binding_needs(&self) -> Option<&'static Needs> {
        Some(&NEEDS)
    }

    fn store_files(&self, store: &Store<'_>, tree: &mut ExportTree) {
        if let NodeKind::Hyperdrive(h) = &store.node.kind
            && !h.seed.trim().is_empty()
        {
            tree.add(
                format!("seed/postgres/{}.sql", store.name),
                with_newline(&h.seed),
            );
        }
    }

    fn store_scripts(&self, store: &Store<'_>, scripts: &mut StoreScripts) {
        if let NodeKind::Hyperdrive(h) = &store.node.kind
            && !h.seed.trim().is_empty()
        {
            scripts.seed_postgres.push(format!(
                "psql \"${}\" -v ON_ERROR_STOP=1 -f seed/postgres/{}.sql",
                local_env(&store.via.1),
                store.name
            ));
        }
    }

    fn store_dev_vars(&self, store: &Store<'_>, out: &mut String) -> bool {
        let NodeKind::Hyperdrive(h) = &store.node.kind else {
            return false;
        };
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
            local_env(&store.via.1)
        );
        true
    }

    fn local_variable(&self, binding: &str) -> Option<String> {
        Some(local_env(binding))
    }

    fn readme_run_locally(&self, store: &Store<'_>, out: &mut String) {
        let NodeKind::Hyperdrive(h) = &store.node.kind else {
            return;
        };
        let _ = writeln!(
            out,
            "export {}=postgres://user:password@127.0.0.1:5432/db   # Hyperdrive `{}`",
            local_env(&store.via.1),
            store.node.id
        );
        if !h.seed.trim().is_empty() {
            out.push_str("createdb -h 127.0.0.1 -U user db   # the database must exist first (or CREATE DATABASE db; in psql)\n");
            out.push_str("npm run seed:postgres      # sample tables into that PostgreSQL\n");
        }
    }

    fn readme_deploy(&self, store: &Store<'_>, out: &mut String) {
        if let NodeKind::Hyperdrive(h) = &store.node.kind {
            let _ = writeln!(out, "{}", create_command(&store.name, h));
        }
    }

    fn deploy_binding(
        &self,
        script: &Script<'_>,
        binding: &str,
        target: &Node,
    ) -> Option<ManualResource> {
        let NodeKind::Hyperdrive(h) = &target.kind else {
            return None;
        };
        if h.config_id.is_some() {
            // It exists already: nothing to create before deploying.
            return None;
        }
        Some(ManualResource {
            config: script.config(),
            binding: binding.to_owned(),
            create: create_command(&crate::export::slug(&target.id), h),
            placeholder: PLACEHOLDER_ID,
        })
    }
}
