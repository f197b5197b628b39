//! `edgewire`: with no subcommand (or a design file) it opens the desktop app; with a
//! subcommand it is the command-line tool.

fn main() -> std::process::ExitCode {
    edgewire::cli::main()
}
