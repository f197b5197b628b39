//! Edgewire's local engine running the same design, for the suite to compare against.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use edgewire_engine::model::Design;
use edgewire_engine::runtime::{Engine, EngineOptions, RunningEngine};

/// The local engine running the same design with the same data (its own state folder,
/// its own private PostgreSQL for `auto` Hyperdrive origins, seeded the same way).
pub(crate) struct EngineRun {
    pub(crate) addr: SocketAddr,
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

pub(crate) fn start_engine(design: &Design, design_path: &Path, scratch: &Path) -> EngineRun {
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
