//! The export parity suite: every example design, exported and run in real wrangler/workerd,
//! must answer exactly like Edgewire's local engine.
//!
//! For each `examples/*.ron`: export it; link the pinned tooling's `node_modules` into the
//! project; `npm run typecheck`; `npm run build` (`wrangler deploy --dry-run --outdir` for
//! every Worker); start a throwaway PostgreSQL with the Hyperdrive seeds; `npm run
//! db:migrate:local` and `npm run seed:local`; `npm run dev` (all Workers in one wrangler
//! process); then send every scenario request plus the suite's own extra requests (error
//! cases, unknown routes, bad auth, bad JSON, CORS) and check the scenario's expected statuses.
//! Missing Node tooling or PostgreSQL skips the suite with a reason, or fails it when
//! `EDGEWIRE_REQUIRE_PARITY=1` (CI).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use edgewire_engine::export;
use edgewire_engine::format;
use edgewire_engine::model::{
    Auth, Cors, Design, Gateway, HttpMethod, NodeKind, RateLimitKey, Step, walk_steps,
};
use edgewire_engine::runtime::postgres::cluster::{
    Cluster, PgBinaries, TestCluster, find_binaries,
};
use edgewire_engine::runtime::{Engine, EngineOptions, RunningEngine};
use edgewire_tests::process::Group;
use edgewire_tests::{designs, http, parity_required, tooling};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const DEV_START_TIMEOUT: Duration = Duration::from_mins(2);

/// One request the suite sends.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// The status the design (or the gateway contract) says it must get.
    expect_status: Option<u16>,
}

/// The example designs (`examples/*.ron`), then the test fixtures (`tests/designs/*.ron`)
/// that exercise what the examples do not (JWT, service calls, every step kind, a public
/// Worker).
fn examples() -> Vec<PathBuf> {
    designs::folders()
        .iter()
        .flat_map(|dir| designs::ron_files(dir))
        .collect()
}

/// Skips (returns `None`) with a reason, or panics when parity is required.
fn tools_or_skip() -> Option<(PathBuf, Option<PgBinaries>)> {
    let node_modules = match tooling::node_modules() {
        Ok(dir) => dir,
        Err(reason) => {
            assert!(!parity_required(), "parity suite required but: {reason}");
            eprintln!("SKIPPED parity suite: {reason}");
            return None;
        }
    };
    let pg = find_binaries().ok();
    Some((node_modules, pg))
}

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

/// Headers that authenticate: taken from the scenario's first successful request.
fn auth_headers(design: &Design) -> Vec<(String, String)> {
    let auth_header_names: Vec<String> = design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Gateway(g) => match &g.auth {
                Auth::ApiKey { header, .. } => Some(header.to_ascii_lowercase()),
                Auth::Jwt { .. } => Some("authorization".to_owned()),
                Auth::None => None,
            },
            _ => None,
        })
        .collect();
    scenario(design)
        .iter()
        .filter(|r| (200..300).contains(&r.expect_status))
        .flat_map(|r| r.headers.iter())
        .filter(|(name, _)| auth_header_names.contains(&name.to_ascii_lowercase()))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .take(1)
        .collect()
}

fn scenario(design: &Design) -> Vec<edgewire_engine::model::SampleRequest> {
    design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.scenario.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The scenario's requests, then the suite's extra ones.
fn cases(design: &Design) -> Vec<Case> {
    let mut cases = scenario_cases(design);
    let auth = auth_headers(design);
    let good: Vec<Case> = cases
        .iter()
        .filter(|c| c.expect_status.is_some_and(|s| (200..300).contains(&s)))
        .cloned()
        .collect();
    let good_get = good.iter().find(|c| c.method == "GET");
    cases.extend(path_extras(good_get, &auth));
    for node in &design.nodes {
        let NodeKind::Gateway(gateway) = &node.kind else {
            continue;
        };
        if let Some(get) = good_get {
            cases.extend(bad_credentials(&gateway.auth, get));
        }
        cases.extend(wrong_methods(gateway, &auth));
        if let Some(cors) = &gateway.cors {
            cases.extend(cors_extras(gateway, cors, good_get, &auth));
        }
        if let (Some(max), Some(with_body)) = (
            gateway.max_body_bytes,
            good.iter().find(|c| c.body.is_some()),
        ) {
            let size = usize::try_from(max).unwrap_or(usize::MAX - 1) + 1;
            cases.push(Case {
                name: "extra: body too large".to_owned(),
                body: Some(vec![b' '; size]),
                expect_status: Some(413),
                ..with_body.clone()
            });
        }
    }
    cases.extend(bad_json(&good));
    cases
}

/// The design's client scenario, with header names lowercased and a JSON content type where
/// a body has none.
fn scenario_cases(design: &Design) -> Vec<Case> {
    scenario(design)
        .into_iter()
        .map(|r| {
            let mut headers: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect();
            if r.body.is_some() && !headers.iter().any(|(n, _)| n == "content-type") {
                headers.push(("content-type".to_owned(), "application/json".to_owned()));
            }
            Case {
                name: r.name.clone(),
                method: r.method.as_str().to_owned(),
                path: r.path.clone(),
                headers,
                body: r.body.as_ref().map(|b| b.to_text().into_bytes()),
                expect_status: Some(r.expect_status),
            }
        })
        .collect()
}

/// One of the suite's own requests, without a body or an expected status.
fn extra(name: &str, method: &str, path: &str, headers: Vec<(String, String)>) -> Case {
    Case {
        name: format!("extra: {name}"),
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: None,
        expect_status: None,
    }
}

/// An unknown route, the root path, and variations of a good GET: a trailing slash, a
/// repeated query parameter, a spoofed identity header.
fn path_extras(good_get: Option<&Case>, auth: &[(String, String)]) -> Vec<Case> {
    let mut extras = vec![
        Case {
            expect_status: Some(404),
            ..extra(
                "unknown route",
                "GET",
                "/edgewire-parity/unknown",
                auth.to_vec(),
            )
        },
        extra("root path", "GET", "/", auth.to_vec()),
    ];
    if let Some(get) = good_get {
        if !get.path.contains('?') {
            extras.push(Case {
                name: format!("extra: trailing slash on {}", get.path),
                path: format!("{}/", get.path),
                expect_status: None,
                ..get.clone()
            });
            extras.push(Case {
                name: format!("extra: repeated query on {}", get.path),
                path: format!("{}?a=1&a=2&b=x%20y", get.path),
                expect_status: None,
                ..get.clone()
            });
        }
        let mut spoofed = get.clone();
        spoofed.name = format!("extra: spoofed x-edgewire-auth on {}", get.path);
        spoofed.headers.push((
            "x-edgewire-auth".to_owned(),
            r#"{"method":"jwt","user_id":"mallory","claims":{}}"#.to_owned(),
        ));
        extras.push(spoofed);
    }
    extras
}

/// A good GET with wrong, empty or malformed credentials: each must be a 401.
fn bad_credentials(auth: &Auth, get: &Case) -> Vec<Case> {
    let mut extras = Vec::new();
    match auth {
        Auth::ApiKey { header, .. } => {
            let header = header.to_ascii_lowercase();
            let without: Vec<(String, String)> = get
                .headers
                .iter()
                .filter(|(n, _)| *n != header)
                .cloned()
                .collect();
            let mut wrong = without.clone();
            wrong.push((header.clone(), "wrong-key".to_owned()));
            let mut empty = without.clone();
            empty.push((header.clone(), String::new()));
            extras.push(Case {
                expect_status: Some(401),
                ..extra("wrong API key", &get.method, &get.path, wrong)
            });
            extras.push(Case {
                expect_status: Some(401),
                ..extra("empty API key", &get.method, &get.path, empty)
            });
        }
        Auth::Jwt { .. } => {
            let without: Vec<(String, String)> = get
                .headers
                .iter()
                .filter(|(n, _)| n != "authorization")
                .cloned()
                .collect();
            for (what, value) in [
                ("garbage token", "Bearer not.a.token"),
                (
                    "alg none token",
                    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
                ),
                ("basic auth", "Basic dXNlcjpwYXNz"),
            ] {
                let mut headers = without.clone();
                headers.push(("authorization".to_owned(), value.to_owned()));
                extras.push(Case {
                    expect_status: Some(401),
                    ..extra(what, &get.method, &get.path, headers)
                });
            }
        }
        Auth::None => {}
    }
    extras
}

/// For each gateway route, a method it does not allow (never OPTIONS).
fn wrong_methods(gateway: &Gateway, auth: &[(String, String)]) -> Vec<Case> {
    let mut extras = Vec::new();
    for route in &gateway.routes {
        if route.methods.is_empty() {
            continue;
        }
        let path: String = route
            .path
            .split('/')
            .map(|s| if s.starts_with(':') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        if let Some(method) = HttpMethod::ALL
            .iter()
            .find(|m| !route.methods.contains(m) && **m != HttpMethod::Options)
        {
            extras.push(extra(
                &format!("{method} on {}", route.path),
                method.as_str(),
                &format!("{path}/1"),
                auth.to_vec(),
            ));
        }
    }
    extras
}

/// CORS preflights from an allowed and another origin, and CORS headers on a good GET and
/// on an error response.
fn cors_extras(
    gateway: &Gateway,
    cors: &Cors,
    good_get: Option<&Case>,
    auth: &[(String, String)],
) -> Vec<Case> {
    let path = gateway
        .routes
        .first()
        .map_or_else(|| "/".to_owned(), |r| r.path.clone());
    let allowed = cors
        .allow_origins
        .iter()
        .find(|o| *o != "*")
        .cloned()
        .unwrap_or_else(|| "https://any.example".to_owned());
    let preflight = |origin: &str| {
        vec![
            ("origin".to_owned(), origin.to_owned()),
            ("access-control-request-method".to_owned(), "GET".to_owned()),
        ]
    };
    let mut extras = vec![Case {
        expect_status: Some(204),
        ..extra(
            "CORS preflight, allowed origin",
            "OPTIONS",
            &path,
            preflight(&allowed),
        )
    }];
    if !cors.allow_origins.iter().any(|o| o == "*") {
        extras.push(Case {
            expect_status: Some(403),
            ..extra(
                "CORS preflight, other origin",
                "OPTIONS",
                &path,
                preflight("https://evil.example"),
            )
        });
    }
    if let Some(get) = good_get {
        let mut with_origin = get.clone();
        "extra: CORS simple request, allowed origin".clone_into(&mut with_origin.name);
        with_origin
            .headers
            .push(("origin".to_owned(), allowed.clone()));
        extras.push(with_origin);
        let mut unknown = extra(
            "CORS error response, allowed origin",
            "GET",
            "/edgewire-parity/unknown",
            auth.to_vec(),
        );
        unknown.headers.push(("origin".to_owned(), allowed));
        extras.push(unknown);
    }
    extras
}

/// Malformed JSON and JSON that is not an object, sent to the first good request with a body.
fn bad_json(good: &[Case]) -> Vec<Case> {
    let Some(case) = good.iter().find(|c| c.body.is_some()) else {
        return Vec::new();
    };
    vec![
        Case {
            name: format!("extra: malformed JSON to {} {}", case.method, case.path),
            body: Some(b"{\"broken\": ".to_vec()),
            expect_status: Some(400),
            ..case.clone()
        },
        Case {
            name: format!(
                "extra: JSON that is not an object to {} {}",
                case.method, case.path
            ),
            body: Some(b"[1, 2]".to_vec()),
            expect_status: None,
            ..case.clone()
        },
    ]
}

/// The exported project running in `wrangler dev`, with its PostgreSQL.
struct WranglerRun {
    addr: SocketAddr,
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
fn start_wrangler(
    design: &Design,
    design_path: &Path,
    node_modules: &Path,
    pg_bin: Option<&PgBinaries>,
    scratch: &Path,
) -> WranglerRun {
    let project = scratch.join("project");
    let started = Instant::now();
    let tree = export::export(design).expect("the example exports");
    export::write_tree(&tree, &project, false).expect("export written");
    eprintln!(
        "  export: {} files in {:.1} ms",
        tree.files.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    std::os::unix::fs::symlink(node_modules, project.join("node_modules"))
        .expect("node_modules linked");
    for dir in ["tmp", "wrangler-logs", "dev-registry"] {
        std::fs::create_dir_all(scratch.join(dir)).expect("scratch dir");
    }
    let vars = dev_vars(design_path);
    for file in tree.files.keys() {
        if let Some(folder) = file.strip_suffix("/.dev.vars.example") {
            std::fs::write(project.join(folder).join(".dev.vars"), &vars).expect("dev vars");
        }
    }
    let npm = |script: &str| {
        let mut command = tooling::command("npm", node_modules, scratch);
        command
            .args(["run", "--silent", script])
            .current_dir(&project);
        command
    };
    run_checked(
        "npm run typecheck",
        npm("typecheck"),
        &scratch.join("typecheck.log"),
    );
    run_checked(
        "npm run build (wrangler deploy --dry-run for every Worker)",
        npm("build"),
        &scratch.join("build.log"),
    );
    for file in tree.files.keys() {
        if let Some(folder) = file.strip_suffix("/wrangler.jsonc") {
            assert!(
                project.join("dist").join(folder).join("index.js").is_file(),
                "no bundle for {folder}"
            );
        }
    }

    // PostgreSQL for Hyperdrive: one database per Hyperdrive node, seeded.
    let mut hyperdrive_env: BTreeMap<String, String> = BTreeMap::new();
    let uses_hyperdrive = design
        .nodes
        .iter()
        .any(|n| matches!(n.kind, NodeKind::Hyperdrive(_)));
    let postgres = if uses_hyperdrive {
        let bin = pg_bin.expect("PostgreSQL is checked before");
        let pg = TestCluster::start_for_tests_with(|o| o.binaries = Some(bin.clone()))
            .expect("PostgreSQL starts");
        for node in &design.nodes {
            let NodeKind::Hyperdrive(h) = &node.kind else {
                continue;
            };
            let database = format!("wrangler_{}", export::slug(&node.id).replace('-', "_"));
            pg.create_database(&database, &h.seed).expect("seeded");
            for wire in design.wires_to(&node.id) {
                hyperdrive_env.insert(
                    format!(
                        "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{}",
                        wire.binding
                    ),
                    wrangler_url(&pg, &database),
                );
            }
        }
        Some(pg)
    } else {
        None
    };

    run_checked(
        "npm run db:migrate:local",
        npm("db:migrate:local"),
        &scratch.join("migrate.log"),
    );
    run_checked(
        "npm run seed:local",
        npm("seed:local"),
        &scratch.join("seed.log"),
    );

    let log_path = scratch.join("dev.log");
    let log = std::fs::File::create(&log_path).expect("dev log");
    let mut dev = npm("dev");
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
    .envs(&hyperdrive_env)
    .stdout(log.try_clone().expect("log"))
    .stderr(log);
    let started = Instant::now();
    let mut group = Group::spawn("wrangler dev", dev).expect("wrangler dev starts");
    let addr = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(port) = text
            .split("Ready on http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse::<u16>()
                    .ok()
            })
        {
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
    WranglerRun {
        addr,
        _dev: group,
        _postgres: postgres,
    }
}

/// The local engine running the same design with the same data (its own state folder,
/// its own private PostgreSQL for `auto` Hyperdrive origins, seeded the same way).
struct EngineRun {
    addr: SocketAddr,
    running: Option<RunningEngine>,
    runtime: tokio::runtime::Runtime,
}

impl Drop for EngineRun {
    fn drop(&mut self) {
        if let Some(running) = self.running.take()
            && let Err(error) = self.runtime.block_on(running.stop())
        {
            eprintln!("engine did not stop cleanly: {error}");
        }
    }
}

fn start_engine(design: &Design, design_path: &Path, scratch: &Path) -> EngineRun {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut options = EngineOptions::new(scratch.join("engine-state"));
    options.port = 0;
    options.fresh = true;
    options.read_environment = false;
    options.secrets = edgewire_engine::secrets::load_beside(design_path)
        .expect("dev vars parse")
        .into_map();
    let running = runtime
        .block_on(async {
            let running = Engine::start(design.clone(), options).await?;
            running.engine().ready().await;
            Ok::<_, edgewire_engine::runtime::EngineError>(running)
        })
        .expect("the engine starts");
    let addr = running.addr();
    for (node, notice) in running.engine().notices() {
        eprintln!("  engine notice: {node}: {notice}");
    }
    eprintln!(
        "  engine: ready on {addr} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    EngineRun {
        addr,
        running: Some(running),
        runtime,
    }
}

fn send(addr: SocketAddr, case: &Case) -> Result<http::Response, String> {
    http::send(
        addr,
        &case.method,
        &case.path,
        &case.headers,
        case.body.as_deref(),
        REQUEST_TIMEOUT,
    )
    .map_err(|e| format!("{} {}: {e}", case.method, case.path))
}

/// A request repeated until the gateway's rate limit answers 429.
struct Burst {
    case: Case,
    period_secs: u64,
    max_requests: u32,
    /// Whether callers are told apart by credential: then the burst shares its counter
    /// with the earlier requests (the client address is its own).
    by_credential: bool,
}

/// The first good GET of the scenario, repeated past the first gateway's rate limit.
fn rate_limit_burst(design: &Design) -> Option<Burst> {
    let limit = design.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Gateway(g) => g.rate_limit.clone(),
        _ => None,
    })?;
    let case = cases(design)
        .into_iter()
        .find(|c| c.method == "GET" && c.expect_status.is_some_and(|s| (200..300).contains(&s)))?;
    // A client address of its own, so earlier requests do not count (documentation range).
    let mut headers = case.headers.clone();
    headers.push(("cf-connecting-ip".to_owned(), "203.0.113.7".to_owned()));
    Some(Burst {
        case: Case {
            name: format!("extra: burst of {} past the rate limit", case.path),
            headers,
            ..case
        },
        period_secs: u64::from(limit.period_secs.max(1)),
        max_requests: limit.requests.saturating_add(5),
        by_credential: limit.key == RateLimitKey::Credential,
    })
}

/// Sends the burst to one server: how many requests passed before the first 429, and it.
fn burst_until_limited(addr: SocketAddr, burst: &Burst) -> Result<(u32, http::Response), String> {
    for count in 0..burst.max_requests {
        let response = send(addr, &burst.case)?;
        if response.status == 429 {
            return Ok((count, response));
        }
    }
    Err(format!(
        "no 429 after {} requests to {}",
        burst.max_requests, burst.case.path
    ))
}

/// Both servers get the same burst inside one rate-limit window (the suite waits for a
/// fresh window when the current one is about to end); the 429s must come at the same count.
fn compare_bursts(
    burst: &Burst,
    wrangler: SocketAddr,
    engine: SocketAddr,
    compared: &[String],
    presence: &[String],
    first_request_ms: u128,
) -> Vec<String> {
    let period_ms = u128::from(burst.period_secs) * 1000;
    let left_ms = period_ms - epoch_millis() % period_ms;
    if left_ms < 10_000 {
        std::thread::sleep(Duration::from_millis(
            u64::try_from(left_ms).unwrap_or(10_000) + 500,
        ));
    }
    // With a credential key, the earlier requests count too; if a window ended while they
    // were sent, one server may have counted one of them in the old window and the other
    // in the new one, so only the 429 answers are compared, not when they came.
    let counts_comparable =
        !burst.by_credential || first_request_ms / period_ms == epoch_millis() / period_ms;
    match (
        burst_until_limited(wrangler, burst),
        burst_until_limited(engine, burst),
    ) {
        (Ok((w_count, w)), Ok((e_count, e))) => {
            let mut problems = differences(&w, &e, compared, presence);
            if verbose_enabled() {
                eprintln!("  [burst] 429 after {w_count} (wrangler) and {e_count} (engine)");
            }
            if counts_comparable && w_count != e_count {
                problems.push(format!(
                    "429 after {w_count} more requests in wrangler, {e_count} in the engine"
                ));
            }
            problems
        }
        (w, e) => [("wrangler", w.err()), ("engine", e.err())]
            .into_iter()
            .filter_map(|(side, error)| error.map(|e| format!("{side}: {e}")))
            .collect(),
    }
}

fn verbose_enabled() -> bool {
    std::env::var_os("EDGEWIRE_PARITY_VERBOSE").is_some()
}

fn epoch_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

/// Headers whose presence (not value) is compared: request ids and `retry-after` vary.
fn presence_headers(design: &Design) -> Vec<String> {
    let mut names = vec!["retry-after".to_owned()];
    for node in &design.nodes {
        if let NodeKind::Gateway(g) = &node.kind
            && let Some(header) = &g.enrich.request_id_header
        {
            names.push(header.to_ascii_lowercase());
        }
    }
    names
}

/// A body as compact JSON text (order kept) when it is JSON, else as text.
fn normalized_body(response: &http::Response) -> String {
    match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(value) => value.to_string(),
        Err(_) => response.text(),
    }
}

/// Every way the two answers differ (volatile headers masked).
fn differences(
    wrangler: &http::Response,
    engine: &http::Response,
    compared: &[String],
    presence: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    if wrangler.status != engine.status {
        out.push(format!(
            "status: wrangler {} vs engine {}",
            wrangler.status, engine.status
        ));
    }
    let (wb, eb) = (normalized_body(wrangler), normalized_body(engine));
    if wb != eb {
        out.push(format!("body:\n    wrangler {wb}\n    engine   {eb}"));
    }
    for name in compared {
        let (w, e) = (wrangler.header(name), engine.header(name));
        if w != e {
            out.push(format!("header {name}: wrangler {w:?} vs engine {e:?}"));
        }
    }
    for name in presence {
        let (w, e) = (wrangler.header(name), engine.header(name));
        if w.is_some() != e.is_some() {
            out.push(format!(
                "header {name} present: wrangler {} vs engine {}",
                w.is_some(),
                e.is_some()
            ));
        }
    }
    out
}

/// Response headers set by the gateway contract or the design's Respond steps.
fn compared_headers(design: &Design) -> Vec<String> {
    let mut names: Vec<String> = [
        "content-type",
        "location",
        "allow",
        "vary",
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for node in &design.nodes {
        if let NodeKind::Worker(worker) = &node.kind {
            for route in &worker.routes {
                walk_steps(&route.steps, &mut |_, step| {
                    if let Step::Respond { headers, .. } = step {
                        names.extend(headers.keys().map(|h| h.to_ascii_lowercase()));
                    }
                });
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn exported_examples_behave_like_the_engine() {
    let Some((node_modules, pg_bin)) = tools_or_skip() else {
        return;
    };
    let suite_started = Instant::now();
    // EDGEWIRE_PARITY_VERBOSE=1 prints every answer, not only the differences.
    let verbose = verbose_enabled();
    let mut passed = 0usize;
    let mut failed = 0usize;
    for design_path in examples() {
        let mut design = format::load(&design_path).expect("example loads");
        // `wrangler dev` connects Hyperdrive straight to the local database: it has no query
        // cache. The engine emulates Hyperdrive's cache (tested on its own in
        // engine/tests/runtime_postgres.rs), so both sides are compared with the cache off;
        // otherwise a cached list read after a write would differ by design, not by bug.
        for node in &mut design.nodes {
            if let NodeKind::Hyperdrive(hyperdrive) = &mut node.kind {
                hyperdrive.caching.enabled = false;
            }
        }
        let needs_pg = design
            .nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Hyperdrive(_)));
        if needs_pg && pg_bin.is_none() {
            let reason = "PostgreSQL server binaries not found (set EDGEWIRE_PG_BIN)";
            assert!(!parity_required(), "parity suite required but: {reason}");
            eprintln!("SKIPPED {}: {reason}", design_path.display());
            continue;
        }
        eprintln!("== {}", design_path.display());
        let scratch = tempfile::Builder::new()
            .prefix("edgewire-parity-")
            .tempdir()
            .expect("temp dir");
        let wrangler = start_wrangler(
            &design,
            &design_path,
            &node_modules,
            pg_bin.as_ref(),
            scratch.path(),
        );
        let headers = compared_headers(&design);
        let presence = presence_headers(&design);
        let engine = Some(start_engine(&design, &design_path, scratch.path()));
        let first_request_ms = epoch_millis();
        for case in cases(&design) {
            let mut problems = Vec::new();
            let from_wrangler = send(wrangler.addr, &case);
            let from_engine = engine.as_ref().map(|e| send(e.addr, &case));
            for (side, result) in [
                ("wrangler", Some(&from_wrangler)),
                ("engine", from_engine.as_ref()),
            ] {
                match result {
                    Some(Ok(response)) => {
                        if let Some(expected) = case.expect_status
                            && response.status != expected
                        {
                            problems.push(format!(
                                "{side} answered {} (expected {expected}): {}",
                                response.status,
                                response.text()
                            ));
                        }
                    }
                    Some(Err(error)) => problems.push(format!("{side}: {error}")),
                    None => {}
                }
            }
            if verbose {
                if let Ok(w) = &from_wrangler {
                    eprintln!("  [{}] wrangler {} {}", case.name, w.status, w.text());
                }
                if let Some(Ok(e)) = &from_engine {
                    eprintln!("  [{}] engine   {} {}", case.name, e.status, e.text());
                }
            }
            if let (Ok(w), Some(Ok(e))) = (&from_wrangler, &from_engine) {
                problems.extend(differences(w, e, &headers, &presence));
            }
            if problems.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                eprintln!("FAIL {} [{}]", design_path.display(), case.name);
                for problem in problems {
                    eprintln!("  {problem}");
                }
            }
        }
        if let (Some(burst), Some(engine)) = (rate_limit_burst(&design), &engine) {
            let problems = compare_bursts(
                &burst,
                wrangler.addr,
                engine.addr,
                &headers,
                &presence,
                first_request_ms,
            );
            if problems.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                eprintln!("FAIL {} [{}]", design_path.display(), burst.case.name);
                for problem in problems {
                    eprintln!("  {problem}");
                }
            }
        }
    }
    eprintln!(
        "parity: {passed} passed, {failed} failed in {:.1} s",
        suite_started.elapsed().as_secs_f64()
    );
    assert_eq!(failed, 0, "{failed} parity difference(s), listed above");
}
