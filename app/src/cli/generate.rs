//! `edgewire generate`: designs that write themselves. Each generator changes the design
//! file in place (atomically, in canonical form), prints what it added, then reports the
//! problems left as `validate` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use edgewire_engine::format;
use edgewire_engine::generate::{self, CrudOptions, GenerateError, Generated};
use edgewire_engine::validate::validate;

use super::validate::Problem;

/// Generate part of a design from what it already says.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    edgewire generate crud shop.ron --db app-db --table reviews\n  \
    edgewire generate crud shop.ron --db app-db --table reviews --worker users --dry-run")]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, Subcommand)]
pub enum What {
    /// List, get, create, update and delete routes over one table of a D1 database, with
    /// contracts from its columns, 404 and 400 cases, a gateway route and scenario requests.
    Crud(CrudArgs),
}

#[derive(Debug, clap::Args)]
pub struct CrudArgs {
    /// The design file (`.ron`); it is changed in place.
    pub file: PathBuf,
    /// The D1 node whose migrations create the table.
    #[arg(long, value_name = "NODE")]
    pub db: String,
    /// The table; leave it out to list the tables.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Put the routes on this Worker instead of a new one.
    #[arg(long, value_name = "NODE")]
    pub worker: Option<String>,
    /// Print what would be added without writing the file.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &Args) -> ExitCode {
    match &args.what {
        What::Crud(crud) => run_crud(crud),
    }
}

fn run_crud(args: &CrudArgs) -> ExitCode {
    let file = &args.file;
    let design = match format::load(file) {
        Ok(design) => design,
        Err(err) => {
            eprint!("{}", Problem::from_file_error(file, err).text());
            return ExitCode::from(2);
        }
    };
    let Some(table) = &args.table else {
        return list_tables(file, &design, &args.db);
    };
    let options = CrudOptions {
        db: args.db.clone(),
        table: table.clone(),
        worker: args.worker.clone(),
    };
    match generate::crud(&design, &options) {
        Ok(generated) => apply(file, design, &generated, args.dry_run),
        Err(error) => refuse(file, &error),
    }
}

fn list_tables(file: &Path, design: &edgewire_engine::Design, db: &str) -> ExitCode {
    match generate::tables(design, db) {
        Ok(tables) => {
            eprintln!("{}: pick a table with --table; `{db}` has:", file.display());
            for table in tables {
                match table {
                    Ok(table) => eprintln!("  {}", table.name),
                    Err(why) => eprintln!("  {why} (cannot get routes)"),
                }
            }
            ExitCode::from(2)
        }
        Err(error) => refuse(file, &error),
    }
}

fn refuse(file: &Path, error: &GenerateError) -> ExitCode {
    eprintln!("{}: error: {error}", file.display());
    ExitCode::from(2)
}

/// Print the summary, write the file unless a dry run, then report what validation says.
fn apply(
    file: &Path,
    mut design: edgewire_engine::Design,
    generated: &Generated,
    dry_run: bool,
) -> ExitCode {
    if let Err(error) = design.apply(&generated.edit) {
        return refuse(file, &GenerateError::Edit(error));
    }
    let note = if dry_run { " (dry run)" } else { "" };
    for line in &generated.summary {
        println!("{}: added {line}{note}", file.display());
    }
    if !dry_run && let Err(err) = format::save(file, &design) {
        eprint!("{}", Problem::from_file_error(file, err).text());
        return ExitCode::from(2);
    }
    let diagnostics = validate(&design);
    let errors = diagnostics.errors().count();
    if errors == 0 {
        println!("{}: no errors", file.display());
        ExitCode::SUCCESS
    } else {
        super::print_errors(file, &diagnostics);
        ExitCode::FAILURE
    }
}
