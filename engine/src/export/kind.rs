//! What the exporter needs from each node kind ([`crate::kinds`] implements it per kind), and
//! the pieces of the project a kind's part is written against: the Worker being exported
//! ([`Script`]), a data store ([`Store`]) and the package scripts it adds to
//! ([`StoreScripts`]).

use std::collections::BTreeMap;

use super::{ExportError, ExportTree};
use crate::model::{Design, Node, SampleRequest};

/// A Gateway or Worker node being exported.
pub(crate) struct Script<'a> {
    pub node: &'a Node,
    pub folder: String,
    /// Bindings of this Worker, by binding name, to the node they reach.
    pub bindings: BTreeMap<&'a str, &'a Node>,
    pub public: bool,
}

impl Script<'_> {
    /// The Worker's `wrangler.jsonc` (a code Worker's own configuration file), relative to
    /// the project.
    pub fn config(&self) -> String {
        let own = self.code().and_then(|code| code.config.rsplit('/').next());
        format!("{}/{}", self.folder, own.unwrap_or("wrangler.jsonc"))
    }

    /// The code Worker's part, when this is one: its folder is copied, not generated.
    pub fn code(&self) -> Option<&crate::model::Code> {
        match &self.node.kind {
            crate::model::NodeKind::Worker(worker) => worker.code.as_ref(),
            _ => None,
        }
    }

    /// The secrets the Worker reads: (name, what it is).
    pub fn secrets(&self) -> Vec<(String, String)> {
        crate::kinds::of(&self.node.kind).worker_secrets(self.node)
    }

    /// What the Worker needs (flags, files, packages): for itself, then for the kinds of
    /// its bindings, each once, in binding order.
    pub fn needs(&self) -> Vec<&'static Needs> {
        let own = crate::kinds::of(&self.node.kind).worker_needs(self.node);
        let bound = self
            .bindings
            .values()
            .filter_map(|target| crate::kinds::of(&target.kind).binding_needs());
        let mut needs: Vec<&'static Needs> = Vec::new();
        for need in own.into_iter().chain(bound) {
            if !needs.iter().any(|n| std::ptr::eq(*n, need)) {
                needs.push(need);
            }
        }
        needs
    }
}

/// A data store and the Worker whose config the CLI commands use for it.
pub(crate) struct Store<'a> {
    pub node: &'a Node,
    /// Its slug: the local store's name, its migrations and seed files.
    pub name: String,
    /// (worker folder config, binding) of the first Worker (in dev order) bound to it.
    pub via: (String, String),
}

/// A section of `wrangler.jsonc` that binding entries go into (`kv_namespaces`, ...).
pub(crate) struct WranglerSection {
    /// The key, such as `kv_namespaces`.
    pub key: &'static str,
    /// The comment lines written above it (each starts with two spaces and `//`).
    pub comment: &'static str,
}

/// What a Worker needs for a feature it uses (a binding to a kind of node, route contracts):
/// compatibility flags (with the comment that says why), npm packages, support files under
/// `src/` and their import, and README paragraphs.
pub(crate) struct Needs {
    pub flags_comment: &'static str,
    pub flags: &'static [&'static str],
    /// The import line of a Worker's `index.ts` for those files.
    pub import: &'static str,
    /// npm packages the project then depends on: (name, version).
    pub dependencies: &'static [(&'static str, &'static str)],
    /// (file name under `src/`, contents).
    pub files: &'static [(&'static str, &'static str)],
    /// A paragraph for the README's "Run it locally" section, once per project.
    pub readme_local: &'static str,
    /// A paragraph for the README's "Deploy" section, once per project.
    pub readme_deploy: &'static str,
}

/// The package scripts' commands that stores add, in store order.
#[derive(Default)]
pub(crate) struct StoreScripts {
    pub migrate_local: Vec<String>,
    pub migrate_remote: Vec<String>,
    pub seed: Vec<String>,
    pub seed_postgres: Vec<String>,
}

/// A node kind's part in the exported project. Every method has a default that adds nothing,
/// so a kind implements only the parts it plays: a Worker kind its sources, a store kind its
/// binding entry, `Env` type and files.
pub(crate) trait KindExport {
    /// The Worker's `src/` files (a Gateway's or Worker's `index.ts` and its helpers).
    fn worker_sources(
        &self,
        _design: &Design,
        _script: &Script<'_>,
        _tree: &mut ExportTree,
    ) -> Result<(), ExportError> {
        Ok(())
    }

    /// Text the node asks the project's docs to carry (a Note's text).
    fn design_note<'n>(&self, _node: &'n Node) -> Option<&'n str> {
        None
    }

    /// Sample requests the node sends (a Client's scenario), for the README's `curl` lines.
    fn sample_requests<'n>(&self, _node: &'n Node) -> &'n [SampleRequest] {
        &[]
    }

    /// Request headers that carry a credential this node checks, lower case, with the shell
    /// text that stands for the value in the README (`$API_KEY`).
    fn credential_headers(&self, _node: &Node) -> Vec<(String, String)> {
        vec![]
    }

    /// The secrets a Worker of this kind reads: (name, what it is).
    fn worker_secrets(&self, _node: &Node) -> Vec<(String, String)> {
        vec![]
    }

    /// The README's name for a Worker of this kind.
    fn readme_role(&self, public: bool) -> &'static str {
        if public {
            "service Worker, public"
        } else {
            "service Worker, reached through service bindings"
        }
    }

    /// The README's lines about a Worker of this kind, under its heading.
    fn readme_worker(&self, _script: &Script<'_>, _out: &mut String) {}

    /// The `wrangler.jsonc` section and entry of a binding named `binding` to `target`. A
    /// binding to a Worker kind is a service binding.
    fn wrangler_binding(
        &self,
        target: &Node,
        binding: &str,
    ) -> Option<(&'static WranglerSection, String)> {
        target
            .kind
            .kind()
            .is_worker()
            .then(|| super::project::service_binding(target, binding))
    }

    /// The `Env` field of a binding to `target`: its doc comment and TypeScript type. A
    /// binding to a Worker kind is a `Fetcher`.
    fn env_binding(&self, target: &Node) -> Option<(String, &'static str)> {
        target.kind.kind().is_worker().then(|| {
            (
                format!("Service binding to the \"{}\" Worker.", target.id),
                "Fetcher",
            )
        })
    }

    /// Entries of a Worker's own `wrangler.jsonc` that bind no node of the design (a gateway's
    /// rate limiter).
    fn worker_wrangler(
        &self,
        _design: &Design,
        _node: &Node,
    ) -> Vec<(&'static WranglerSection, String)> {
        Vec::new()
    }

    /// Top-level settings of a Worker's own `wrangler.jsonc` (`"placement"`), each with its
    /// comment lines: the text after a `,` line end, without a trailing comma.
    fn worker_settings(&self, _node: &Node) -> Vec<String> {
        Vec::new()
    }

    /// Fields of a Worker's own `Env` that bind no node and are no secret: (name, doc, type).
    fn worker_env(&self, _node: &Node) -> Vec<(String, String, &'static str)> {
        Vec::new()
    }

    /// Code in the exported tests' `beforeAll` that prepares a store as the local migrate and
    /// seed scripts do (a block of statements, each line indented two spaces).
    fn test_setup(&self, _store: &Store<'_>) -> Option<String> {
        None
    }

    /// The headers whose value the exported tests make from a Worker secret.
    fn test_credentials(&self, _node: &Node) -> Vec<TestCredential> {
        Vec::new()
    }

    /// The environment variable that points a binding of this kind at a local server in
    /// development and tests (Hyperdrive's PostgreSQL).
    fn local_variable(&self, _binding: &str) -> Option<String> {
        None
    }

    /// What a Worker that binds this kind needs.
    fn binding_needs(&self) -> Option<&'static Needs> {
        None
    }

    /// What a Worker of this kind needs for itself (its route contracts).
    fn worker_needs(&self, _node: &Node) -> Option<&'static Needs> {
        None
    }

    /// A store's files: migrations, seeds.
    fn store_files(&self, _store: &Store<'_>, _tree: &mut ExportTree) {}

    /// A store's commands in the package scripts.
    fn store_scripts(&self, _store: &Store<'_>, _scripts: &mut StoreScripts) {}

    /// A store's entries in the root `.dev.vars.example`; whether it wrote any.
    fn store_dev_vars(&self, _store: &Store<'_>, _out: &mut String) -> bool {
        false
    }

    /// A store's lines in the README's "Run it locally" commands.
    fn readme_run_locally(&self, _store: &Store<'_>, _out: &mut String) {}

    /// A store's lines in the README's "Deploy" commands.
    fn readme_deploy(&self, _store: &Store<'_>, _out: &mut String) {}

    /// A store's paragraph after the README's deploy order.
    fn readme_after_deploy(&self, _store: &Store<'_>, _out: &mut String) {}

    /// A resource a Worker's binding to `target` needs created by hand before deploy (its id
    /// goes into wrangler.jsonc).
    fn deploy_binding(
        &self,
        _script: &Script<'_>,
        _binding: &str,
        _target: &Node,
    ) -> Option<ManualResource> {
        None
    }

    /// How a store is created and migrated before the Workers are deployed.
    fn deploy_store(&self, _store: &Store<'_>) -> Option<RemoteStore> {
        None
    }
}

/// A resource created once by hand before the first deploy, whose id the user puts into a
/// Worker's `wrangler.jsonc` (a Hyperdrive configuration).
pub(crate) struct ManualResource {
    /// The Worker config that holds the id (relative to the project).
    pub config: String,
    pub binding: String,
    /// The command that creates it.
    pub create: String,
    /// What the config holds instead of the id until then.
    pub placeholder: &'static str,
}

/// A store that deploy creates when missing, then migrates: wrangler arguments.
pub(crate) struct RemoteStore {
    pub name: String,
    /// `wrangler` arguments that tell whether it exists.
    pub exists: Vec<String>,
    pub create: Vec<String>,
    pub migrate: Option<Vec<String>>,
}

/// A request header the exported tests make from a Worker's secret, so that they pass with
/// whatever value the developer's `.dev.vars` (or CI) gives it.
pub(crate) struct TestCredential {
    /// The header, lowercase.
    pub header: String,
    pub secret: String,
    /// `Bearer <JWT>` signed with the secret (HS256): the sample token's claims are signed
    /// again; otherwise the header is the secret itself.
    pub bearer_jwt: bool,
}
