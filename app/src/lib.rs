//! The `edgewire` program: the desktop app and the command-line tool.
//!
//! # Layout
//! - [`cli`]: argument parsing (clap) and one module per subcommand.
//! - [`ui`]: the egui desktop app.

pub mod cli;
pub mod ui;
