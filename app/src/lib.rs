//! The `edgewire` program: the desktop app and the command-line tool.
//!
//! # Layout
//! - [`cli`]: argument parsing (clap) and one module per subcommand.
//! - `ui` (later): the egui desktop app.

pub mod cli;
