//! How long `edgewire import wrangler` takes on a monorepo of 50 Workers (alternating
//! `wrangler.toml` and `wrangler.jsonc`, each with a KV namespace shared by all, every fifth
//! with a D1 database and three migrations, a Hyperdrive on every tenth, a service binding to
//! the next Worker, a secrets example and an R2 bucket kept as a note), against a baseline
//! measured in the same run: loading the design file the import writes (`format::load`, what
//! opening a design costs).
//!
//! Run with `cargo bench -p edgewire-engine --bench import`. Besides criterion's figures it
//! prints the median of each and their ratio, so a busy machine slows both alike.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use edgewire_engine::format;
use edgewire_engine::import::wrangler::{self, Options};

/// The allocator the `edgewire` binary ships with (see `app/src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WORKERS: usize = 50;

/// Write the monorepo into `dir`.
fn monorepo(dir: &Path) {
    for i in 0..WORKERS {
        let folder = dir.join(format!("workers/w{i:02}"));
        std::fs::create_dir_all(folder.join("src")).expect("mkdir");
        std::fs::write(folder.join("src/index.ts"), "export default {};\n").expect("code");
        std::fs::write(
            folder.join(".dev.vars.example"),
            "API_TOKEN=\nSIGNING_KEY=\n",
        )
        .expect("secrets");
        let next = (i + 1) % WORKERS;
        let mut d1 = String::new();
        if i % 5 == 0 {
            std::fs::create_dir_all(folder.join("migrations")).expect("mkdir");
            for m in 1..=3 {
                std::fs::write(
                    folder.join(format!("migrations/000{m}_step.sql")),
                    format!("CREATE TABLE t{m} (id INTEGER PRIMARY KEY);\n"),
                )
                .expect("migration");
            }
            d1 = format!("db-{i}");
        }
        if i % 2 == 0 {
            let mut text = format!(
                "name = \"w{i:02}\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-10-01\"\nworkers_dev = {}\n\n[vars]\nMODE = \"prod\"\n\n[[kv_namespaces]]\nbinding = \"CONFIG\"\nid = \"shared-config\"\n\n[[services]]\nbinding = \"NEXT\"\nservice = \"w{next:02}\"\n\n[[r2_buckets]]\nbinding = \"FILES\"\nbucket_name = \"files\"\n",
                i == 0
            );
            if !d1.is_empty() {
                let _ = write!(
                    text,
                    "\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"{d1}\"\ndatabase_id = \"{d1}-id\"\n"
                );
            }
            if i % 10 == 0 {
                text.push_str("\n[[hyperdrive]]\nbinding = \"PG\"\nid = \"pg-main\"\n");
            }
            std::fs::write(folder.join("wrangler.toml"), text).expect("toml");
        } else {
            let d1 = if d1.is_empty() {
                String::new()
            } else {
                format!(
                    ",\n  \"d1_databases\": [{{ \"binding\": \"DB\", \"database_name\": \"{d1}\", \"database_id\": \"{d1}-id\" }}]"
                )
            };
            let text = format!(
                "// Worker {i}\n{{\n  \"name\": \"w{i:02}\",\n  \"main\": \"src/index.ts\",\n  \"compatibility_date\": \"2025-10-01\",\n  \"workers_dev\": false,\n  \"vars\": {{ \"MODE\": \"prod\", }},\n  \"kv_namespaces\": [{{ \"binding\": \"CONFIG\", \"id\": \"shared-config\" }}],\n  \"services\": [{{ \"binding\": \"NEXT\", \"service\": \"w{next:02}\" }}],\n  \"r2_buckets\": [{{ \"binding\": \"FILES\", \"bucket_name\": \"files\" }}]{d1},\n}}\n"
            );
            std::fs::write(folder.join("wrangler.jsonc"), text).expect("jsonc");
        }
    }
}

fn import(dir: &Path) -> wrangler::Imported {
    let options = Options {
        env: None,
        design_dir: dir.to_path_buf(),
    };
    wrangler::import(&[dir.to_path_buf()], &options).expect("imports")
}

/// The median of `runs` timings of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn bench_import(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    monorepo(dir.path());
    let imported = import(dir.path());
    assert_eq!(imported.summary.configs.len(), WORKERS);
    let design_file: PathBuf = dir.path().join("design.ron");
    format::save(&design_file, &imported.design).expect("save");

    let import_time = median(31, || {
        black_box(import(dir.path()));
    });
    let load_time = median(31, || {
        black_box(format::load(&design_file).expect("loads"));
    });
    eprintln!(
        "import of {WORKERS} Workers: median {:.2} ms; baseline (load the design it writes): {:.2} ms; ratio {:.1}x",
        import_time.as_secs_f64() * 1000.0,
        load_time.as_secs_f64() * 1000.0,
        import_time.as_secs_f64() / load_time.as_secs_f64()
    );

    c.bench_function("import wrangler: 50 Workers", |b| {
        b.iter(|| black_box(import(dir.path())));
    });
    c.bench_function("baseline: load the imported design file", |b| {
        b.iter(|| black_box(format::load(&design_file).expect("loads")));
    });
}

criterion_group!(benches, bench_import);
criterion_main!(benches);
