//! The export parity suite: every example design, exported and run in real wrangler/workerd,
//! must answer exactly like Edgewire's local engine.
//!
//! For each `examples/*.ron`: export it; link the pinned tooling's `node_modules` into the
//! project; `npm run typecheck`; compare every Worker's `Env` with `wrangler types`; `npm run
//! build` (`wrangler deploy --dry-run --outdir` for every Worker); start a throwaway
//! PostgreSQL with the Hyperdrive seeds; `npm test` (the export's own scenario tests, on
//! databases of their own, none skipped); `npm run
//! db:migrate:local` and `npm run seed:local`; `npm run dev` (all Workers in one wrangler
//! process); then send every scenario request plus the suite's own extra requests (error
//! cases, unknown routes, bad auth, bad JSON, CORS) and check the scenario's expected statuses.
//! Missing Node tooling or PostgreSQL skips the suite with a reason, or fails it when
//! `EDGEWIRE_REQUIRE_PARITY=1` (CI).

mod burst;
mod cases;
mod compare;
mod engine;
mod types;
mod wrangler;

use std::path::{Path, PathBuf};
use std::time::Instant;

use edgewire_engine::format;
use edgewire_engine::model::NodeKind;
use edgewire_engine::runtime::postgres::cluster::{PgBinaries, find_binaries};
use edgewire_tests::{designs, parity_required, tooling};

use crate::burst::{compare_bursts, epoch_millis, rate_limit_burst};
use crate::cases::cases;
use crate::compare::{compare_case, compared_headers, presence_headers};
use crate::engine::start_engine;
use crate::wrangler::start_wrangler;

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
    let node_modules = tooling::node_modules_for("parity suite")?;
    let pg = find_binaries().ok();
    Some((node_modules, pg))
}

pub(crate) fn verbose_enabled() -> bool {
    std::env::var_os("EDGEWIRE_PARITY_VERBOSE").is_some()
}

/// How many cases the two sides agreed on and how many they did not.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    /// Counts one case; a failed one is printed with its problems.
    fn record(&mut self, design_path: &Path, case_name: &str, problems: Vec<String>) {
        if problems.is_empty() {
            self.passed += 1;
        } else {
            self.failed += 1;
            eprintln!("FAIL {} [{case_name}]", design_path.display());
            for problem in problems {
                eprintln!("  {problem}");
            }
        }
    }
}

#[test]
fn exported_examples_behave_like_the_engine() {
    let Some((node_modules, pg_bin)) = tools_or_skip() else {
        return;
    };
    let suite_started = Instant::now();
    // EDGEWIRE_PARITY_VERBOSE=1 prints every answer, not only the differences.
    let verbose = verbose_enabled();
    let mut tally = Tally::default();
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
            let problems = compare_case(
                &case,
                wrangler.addr,
                engine.as_ref().map(|e| e.addr),
                &headers,
                &presence,
                verbose,
            );
            tally.record(&design_path, &case.name, problems);
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
            tally.record(&design_path, &burst.case.name, problems);
        }
    }
    let Tally { passed, failed } = tally;
    eprintln!(
        "parity: {passed} passed, {failed} failed in {:.1} s",
        suite_started.elapsed().as_secs_f64()
    );
    assert_eq!(failed, 0, "{failed} parity difference(s), listed above");
}
