//! The exported project in real wrangler: export, typecheck, build, PostgreSQL for
//! Hyperdrive, migrate, seed, then `wrangler dev` for all Workers in one process.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use edgewire_engine::export::{self, ExportTree};
use edgewire_engine::model::{Design, NodeKind};
use edgewire_engine::runtime::postgres::cluster::{Cluster, PgBinaries, TestCluster};
use edgewire_tests::process::Group;
use edgewire_tests::tooling;

const DEV_START_TIMEOUT: Duration = Duration::from_mins(2);

/// `name=value` lines of the example's `.dev.vars`.
fn dev_vars(design_path: &Path) -> String {
    std::fs::read_to_string(design_path.with_extension("dev.vars")).unwrap_or_default()
}

fn run_checked(what: &str, mut command: Command, log: &Path) {
    let started = Instant::now();
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::write(log, &text);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{text}",
        output.status
    );
    eprintln!("  {what}: ok in {:.1} s", started.elapsed().as_secs_f64());
}

/// The exported project running in `wrangler dev`, with its PostgreSQL.
pub(crate) struct WranglerRun {
    pub(crate) addr: SocketAddr,
    _dev: Group,
    _postgres: Option<Cluster>,
}

/// The connection string wrangler gets for `database`: with a password, which wrangler's
/// Hyperdrive emulation requires (the test cluster trusts any).
fn wrangler_url(pg: &Cluster, database: &str) -> String {
    format!(
        "postgres://{}:password@127.0.0.1:{}/{database}",
        pg.user(),
        pg.port()
    )
}

/// Export, check, migrate, seed and start `wrangler dev` for one design.
pub(crate) fn start_wrangler(
    design: &Design,
    design_path: &Path,
    node_modules: &Path,
    pg_bin: Option<&PgBinaries>,
    scratch: &Path,
) -> WranglerRun {
    let project = Project {
        dir: scratch.join("project"),
        node_modules,
        scratch,
    };
    let tree = project.export(design, design_path);
    project.run_checked("npm run typecheck", "typecheck", "typecheck.log");
    let problems =
        crate::types::env_type_problems(&tree, &project.dir, node_modules, project.scratch);
    assert!(
        problems.is_empty(),
        "Env interfaces differ from `wrangler types`:\n{}",
        problems.join("\n")
    );
    eprintln!("  wrangler types: every Env matches");
    project.run_checked(
        "npm run build (wrangler deploy --dry-run for every Worker)",
        "build",
        "build.log",
    );
    for file in tree.files.keys() {
        if let Some(folder) = file.strip_suffix("/wrangler.jsonc") {
            assert!(
                project
                    .dir
                    .join("dist")
                    .join(folder)
                    .join("index.js")
                    .is_file(),
                "no bundle for {folder}"
            );
        }
    }
    let (postgres, hyperdrive_env) = start_postgres(design, pg_bin);
    // The export's own tests, on databases of their own: the scenario changes the data it
    // runs on, and the parity cases below need it as seeded.
    let test_env = postgres
        .as_ref()
        .map(|pg| hyperdrive_databases(pg, design, "tests"))
        .unwrap_or_default();
    project.run_tests(&test_env);
    project.run_checked(
        "npm run db:migrate:local",
        "db:migrate:local",
        "migrate.log",
    );
    project.run_checked("npm run seed:local", "seed:local", "seed.log");
    let (addr, group) = project.start_dev(&hyperdrive_env);
    WranglerRun {
        addr,
        _dev: group,
        _postgres: postgres,
    }
}

/// The exported project's folder, with the tooling it runs with and the scratch folder its
/// logs and wrangler's state go to.
struct Project<'a> {
    dir: PathBuf,
    node_modules: &'a Path,
    scratch: &'a Path,
}

impl Project<'_> {
    /// Writes the export, links the tooling's `node_modules` into it, makes wrangler's scratch
    /// folders and gives every Worker the example's `.dev.vars`.
    fn export(&self, design: &Design, design_path: &Path) -> ExportTree {
        let started = Instant::now();
        let tree = export::export(design).expect("the example exports");
        export::write_tree(&tree, &self.dir, false).expect("export written");
        eprintln!(
            "  export: {} files in {:.1} ms",
            tree.files.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        std::os::unix::fs::symlink(self.node_modules, self.dir.join("node_modules"))
            .expect("node_modules linked");
        for dir in ["tmp", "wrangler-logs", "dev-registry"] {
            std::fs::create_dir_all(self.scratch.join(dir)).expect("scratch dir");
        }
        let vars = dev_vars(design_path);
        for file in tree.files.keys() {
            if let Some(folder) = file.strip_suffix("/.dev.vars.example") {
                std::fs::write(self.dir.join(folder).join(".dev.vars"), &vars).expect("dev vars");
            }
        }
        tree
    }

    /// `npm run --silent <script>` in the project.
    fn npm(&self, script: &str) -> Command {
        let mut command = tooling::command("npm", self.node_modules, self.scratch);
        command
            .args(["run", "--silent", script])
            .current_dir(&self.dir);
        command
    }

    /// Runs an npm script to its end, its output kept in `log_name` in the scratch folder.
    fn run_checked(&self, what: &str, script: &str, log_name: &str) {
        run_checked(what, self.npm(script), &self.scratch.join(log_name));
    }

    /// `npm test`: the export's scenario tests (vitest and wrangler's test harness), with
    /// PostgreSQL for every Hyperdrive when the design has one, so none is skipped.
    fn run_tests(&self, hyperdrive_env: &BTreeMap<String, String>) {
        let mut command = tooling::command("npm", self.node_modules, self.scratch);
        command
            .args(["test", "--silent"])
            .current_dir(&self.dir)
            .envs(hyperdrive_env);
        let log = self.scratch.join("test.log");
        run_checked("npm test (the export's scenario tests)", command, &log);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let summary = text
            .lines()
            .find(|line| line.trim_start().starts_with("Tests "))
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(
            summary.contains("passed")
                && !summary.contains("skipped")
                && !summary.contains("failed"),
            "npm test: every scenario test runs and passes, got `{summary}`:\n{text}"
        );
        eprintln!("  npm test: {summary}");
    }

    /// Starts `npm run dev` (all Workers in one wrangler process) and waits until it is ready.
    fn start_dev(&self, hyperdrive_env: &BTreeMap<String, String>) -> (SocketAddr, Group) {
        let log_path = self.scratch.join("dev.log");
        let log = std::fs::File::create(&log_path).expect("dev log");
        let mut dev = self.npm("dev");
        dev.args([
            "--",
            "--ip",
            "127.0.0.1",
            "--port",
            "0",
            "--inspector-port",
            "0",
            "--show-interactive-dev-session=false",
        ])
        .envs(hyperdrive_env)
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
        let started = Instant::now();
        let mut group = Group::spawn("wrangler dev", dev).expect("wrangler dev starts");
        let addr = loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = ready_port(&text) {
                break SocketAddr::from(([127, 0, 0, 1], port));
            }
            assert!(group.is_running(), "wrangler dev exited:\n{text}");
            assert!(
                started.elapsed() < DEV_START_TIMEOUT,
                "wrangler dev not ready after {DEV_START_TIMEOUT:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        eprintln!(
            "  wrangler dev: ready on {addr} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        (addr, group)
    }
}

/// The port in wrangler's `Ready on http://127.0.0.1:<port>` line, once it is logged.
fn ready_port(log: &str) -> Option<u16> {
    log.split("Ready on http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<u16>()
                .ok()
        })
}

/// PostgreSQL for Hyperdrive, when the design has a Hyperdrive node: one database per
/// Hyperdrive node, seeded, and the environment that points wrangler's bindings at them.
fn start_postgres(
    design: &Design,
    pg_bin: Option<&PgBinaries>,
) -> (Option<Cluster>, BTreeMap<String, String>) {
    let mut hyperdrive_env: BTreeMap<String, String> = BTreeMap::new();
    let uses_hyperdrive = design
        .nodes
        .iter()
        .any(|n| matches!(n.kind, NodeKind::Hyperdrive(_)));
    if !uses_hyperdrive {
        return (None, hyperdrive_env);
    }
    let bin = pg_bin.expect("PostgreSQL is checked before");
    let pg = TestCluster::start_for_tests_with(|o| o.binaries = Some(bin.clone()))
        .expect("PostgreSQL starts");
    hyperdrive_env = hyperdrive_databases(&pg, design, "wrangler");
    (Some(pg), hyperdrive_env)
}

/// One database per Hyperdrive node (`<prefix>_<node>`), seeded, and the environment that
/// points each Worker's binding to it at it.
fn hyperdrive_databases(pg: &Cluster, design: &Design, prefix: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for node in &design.nodes {
        let NodeKind::Hyperdrive(h) = &node.kind else {
            continue;
        };
        let database = format!("{prefix}_{}", export::slug(&node.id).replace('-', "_"));
        pg.create_database(&database, &h.seed).expect("seeded");
        for wire in design.wires_to(&node.id) {
            env.insert(
                format!(
                    "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{}",
                    wire.binding
                ),
                wrangler_url(pg, &database),
            );
        }
    }
    env
}
