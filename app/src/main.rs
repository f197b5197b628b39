//! `edgewire`: with no subcommand (or a design file) it opens the desktop app; with a
//! subcommand it is the command-line tool.

/// mimalloc: the local engine allocates on every request, and glibc's allocator was the
/// largest single cost in its benchmark (`bench/engine.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    edgewire::cli::main()
}
