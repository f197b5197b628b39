//! `.github/workflows/ci.yml`: every push and pull request installs, typechecks and tests the
//! project; a push to the default branch then deploys it with the official
//! `cloudflare/wrangler-action`, in the order `scripts/deploy.mjs` uses: resources created by
//! hand are checked, D1 databases created when missing and migrated, then every Worker after
//! the Workers it calls, each with its secrets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::one_line;
use super::scripts::{manual_resources, remote_stores};
use crate::export::kind::{Script, Store};
use crate::export::versions;
use crate::model::Design;

/// The wrangler action, by major version (its documented form).
pub(crate) const WRANGLER_ACTION: &str = "cloudflare/wrangler-action@v3";

/// What the workflow is written from.
pub(super) struct Workflow<'a, 'd> {
    pub design: &'d Design,
    pub ordered: &'a [&'a Script<'d>],
    /// Worker configs in deploy order.
    pub deploy: Vec<&'a Script<'d>>,
    pub stores: &'a BTreeMap<&'d str, Store<'d>>,
    /// Whether `package.json` has a `test` script.
    pub tests: bool,
}

pub(super) fn ci_workflow(w: &Workflow<'_, '_>) -> String {
    let mut out = header(w);
    out.push_str(
        "name: CI\n\non:\n  push:\n  pull_request:\n\njobs:\n  test:\n    name: Typecheck and test\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    out.push_str(SETUP);
    out.push_str("      - run: npm run typecheck\n");
    if w.tests {
        let secrets: Vec<(String, String)> = w
            .ordered
            .iter()
            .flat_map(|s| {
                s.secrets()
                    .into_iter()
                    .map(|(name, _)| (s.folder.clone(), name))
            })
            .collect();
        if !secrets.is_empty() {
            out.push_str("      - name: Throwaway secrets for the tests (each Worker reads its .dev.vars)\n        run: |\n");
            for (folder, name) in &secrets {
                let _ = writeln!(
                    out,
                    "          echo \"{name}=test-$GITHUB_RUN_ID-$RANDOM\" >> {folder}/.dev.vars"
                );
            }
        }
        out.push_str("      - run: npm test\n");
    }
    out.push_str(
        "\n  deploy:\n    name: Deploy\n    needs: test\n    # Pushes to the default branch only, one deploy at a time.\n    if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch\n    concurrency: deploy\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    out.push_str(SETUP);
    for resource in manual_resources(w.ordered) {
        let _ = write!(
            out,
            "      - name: {config} has the id of {binding}\n        run: |\n          if grep -q {placeholder} {config}; then\n            echo \"::error file={config}::{binding} has no id yet: create it once (README.md, Deploy), put its id into {config} and commit it.\"\n            exit 1\n          fi\n",
            config = resource.config,
            binding = resource.binding,
            placeholder = resource.placeholder,
        );
    }
    for store in remote_stores(w.stores) {
        let _ = writeln!(
            out,
            "      - name: D1 database {name}, created when missing{migrated}",
            name = store.name,
            migrated = if store.migrate.is_some() {
                ", and its migrations"
            } else {
                ""
            }
        );
        action_inputs(&mut out);
        let _ = writeln!(
            out,
            "          preCommands: npx wrangler {} || npx wrangler {}",
            store.exists.join(" "),
            store.create.join(" ")
        );
        let command = store.migrate.as_ref().unwrap_or(&store.exists);
        let _ = writeln!(out, "          command: {}", command.join(" "));
    }
    for script in &w.deploy {
        deploy_step(&mut out, script);
    }
    out
}

/// The comment at the top: what runs when, and the repository secrets it reads.
fn header(w: &Workflow<'_, '_>) -> String {
    let mut out = format!(
        "# CI of the \"{}\" Workers project, exported by Edgewire.\n#\n# Every push and pull request: npm ci, typecheck{}. A push to the default branch then\n# deploys with the official wrangler action: D1 databases and migrations first, then each\n# Worker after the Workers it calls, with its secrets.\n#\n# Repository secrets (Settings > Secrets and variables > Actions):\n#   CLOUDFLARE_API_TOKEN   an API token that may edit Workers (and D1)\n#   CLOUDFLARE_ACCOUNT_ID  the account to deploy to\n",
        one_line(&w.design.name),
        if w.tests { " and test" } else { "" }
    );
    for script in w.ordered {
        for (name, what) in script.secrets() {
            let _ = writeln!(out, "#   {name:<22} Worker \"{}\": {what}", script.folder);
        }
    }
    out.push('\n');
    out
}

/// Checkout, Node 22 with the npm cache, `npm ci`.
const SETUP: &str = "      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n          cache: npm\n      - run: npm ci\n";

/// The wrangler action's credentials and the project's wrangler version.
fn action_inputs(out: &mut String) {
    let _ = write!(
        out,
        "        uses: {WRANGLER_ACTION}\n        with:\n          apiToken: ${{{{ secrets.CLOUDFLARE_API_TOKEN }}}}\n          accountId: ${{{{ secrets.CLOUDFLARE_ACCOUNT_ID }}}}\n          wranglerVersion: \"{}\"\n",
        versions::WRANGLER
    );
}

/// One Worker: its secrets put with wrangler (by the action), then `wrangler deploy` in its
/// folder.
fn deploy_step(out: &mut String, script: &Script<'_>) {
    let _ = writeln!(out, "      - name: Deploy {}", script.folder);
    action_inputs(out);
    let _ = writeln!(out, "          workingDirectory: {}", script.folder);
    let secrets = script.secrets();
    if !secrets.is_empty() {
        out.push_str(
            "          # Put with `wrangler secret` before the deploy, from the env below.\n          secrets: |\n",
        );
        for (name, _) in &secrets {
            let _ = writeln!(out, "            {name}");
        }
    }
    out.push_str("          command: deploy\n");
    if !secrets.is_empty() {
        out.push_str("        env:\n");
        for (name, _) in &secrets {
            let _ = writeln!(out, "          {name}: ${{{{ secrets.{name} }}}}");
        }
    }
}
