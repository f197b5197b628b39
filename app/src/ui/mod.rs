//! The desktop designer (egui / eframe).
//!
//! # Layout
//! - [`app`]: the app: panels, menus, dialogs; applies every [`commands::Command`].
//! - [`commands`]: the command list (menus, shortcuts, command palette) and the selection.
//! - [`document`]: the open design with its file, undo history and live diagnostics.
//! - `canvas`: cards, wires, pan/zoom, selection, wiring, minimap (view state only).
//! - `inspector`: the selected node's, wire's or design's page, the step editor and the
//!   widgets forms share.
//! - `kinds`: each node kind's icon, card lines and inspector form, one module per kind, and
//!   the registry `kinds::of`, the one place the app matches over kinds.
//! - `palette`, `bottom`: the node palette and the bottom tabs (Problems, Run, Simulation).
//! - [`run`]: the embedded engine (start/stop on the app's tokio runtime), request console,
//!   scenario and load runs, traces, log and the canvas overlay (dots, highlights, metrics).
//! - [`present`]: presentation mode (full screen, a caption strip, a trace replayed hop by
//!   hop).
//! - [`simulation`]: the Simulation tab (world map, latency and cost charts, what-if toggles
//!   including a failing node).
//! - [`ops`]: copy/paste as design text, default binding names, tidy-up (pure functions).
//! - [`files`]: file dialogs behind a trait, recent files, the crash-recovery file.
//! - [`examples`]: the example designs embedded in the binary.
//! - `theme`, `icons`: colours, sizes and the pen the node kind icons are drawn with.

pub mod app;
mod bottom;
pub mod canvas;
pub mod commands;
pub mod document;
pub mod examples;
pub mod files;
mod generate;
mod icons;
pub mod import;
mod inspector;
mod kinds;
pub mod ops;
mod palette;
pub mod png;
pub mod present;
pub mod run;
pub mod simulation;
pub mod svg;
pub mod theme;

use std::path::PathBuf;

use anyhow::Context as _;

pub use app::{AppOptions, EdgewireApp, StopSignal};

/// Open the desktop app, optionally on a design file: logging, an async runtime kept alive
/// for Run, then the window.
pub fn launch(file: Option<PathBuf>) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,edgewire=info")),
        )
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("edgewire-runtime")
        .build()
        .context("could not start the async runtime")?;
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Edgewire")
            .with_app_id("edgewire")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let options = AppOptions {
        file,
        dialogs: Box::new(files::NativeDialogs),
        recovery_dir: files::Recovery::default_dir(),
        runtime: Some(runtime.handle().clone()),
        use_storage: true,
        theme: match std::env::var("EDGEWIRE_THEME").as_deref() {
            Ok("dark") => Some(theme::ThemeChoice::Dark),
            Ok("light") => Some(theme::ThemeChoice::Light),
            _ => None,
        },
        stop: Some(StopSignal::default()),
    };
    let handle = runtime.handle().clone();
    eframe::run_native(
        "Edgewire",
        native,
        Box::new(move |cc| {
            if let Some(stop) = options.stop.clone() {
                handle.spawn(stop_on_signal(stop, cc.egui_ctx.clone()));
            }
            Ok(Box::new(EdgewireApp::new(cc, options)))
        }),
    )
    .map_err(|err| anyhow::anyhow!("the window could not open: {err}"))?;
    drop(runtime);
    Ok(())
}

/// Ask the app to close when the process gets SIGINT, SIGTERM or SIGHUP (Ctrl+C in the
/// terminal, `kill`, a closed terminal), so that a running design's private PostgreSQL stops
/// and unsaved changes are kept for the next start.
async fn stop_on_signal(stop: StopSignal, ctx: eframe::egui::Context) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            tracing::warn!("cannot listen for signals; stopping by signal skips the cleanup");
            return;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
            _ = hangup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    tracing::info!("asked to stop: closing");
    stop.request();
    ctx.request_repaint();
}
