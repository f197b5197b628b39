//! `edgewire simulate`: latency per world region and monthly cost, global vs single region.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use edgewire_engine::format;
use edgewire_engine::simulate::{self, Failure, WhatIf};

/// Estimate latency per region and the monthly cost of a design.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Estimate a design's latency per client region (p50/p95/p99) and its monthly \
        cost, beside the same design placed in a single region.\n\n\
        The latency model uses the published round-trip table between 13 world regions, the \
        client's distance to the nearest edge, and each scenario request's path through the \
        design (gateway, Workers, KV, D1 primary or replica, Hyperdrive origin or cache). The \
        cost uses Cloudflare's published prices beside an AWS Lambda + API Gateway baseline. \
        Every price is shown with its source page and date.\n\n\
        The what-if options change the design for this run only. --fail NODE[@REGION] makes \
        a node fail in one region or everywhere and reports the share of requests that fail \
        per region: a Worker, gateway or KV namespace fails for the clients served in that \
        region, a D1 database for the queries its primary or that region's replica serves, a \
        Hyperdrive in its origin's region for the queries that are not cache hits.\n\n\
        Exit status: 0 on success, 2 when the file cannot be read or an option is invalid.",
    after_help = "Examples:\n  \
        edgewire simulate examples/global-api.ron\n  \
        edgewire simulate examples/global-api.ron --single-region eu-west --d1-primary apac\n  \
        edgewire simulate examples/global-api.ron --replication off --hyperdrive-cache off --format json\n  \
        edgewire simulate examples/global-api.ron --smart-placement on\n  \
        edgewire simulate examples/global-api.ron --fail app-db@eu-west"
)]
pub struct Args {
    /// The design file (`.ron`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output for people (`text`) or for tools (`json`: the full report).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Region where the single-region alternative puts all compute and data.
    #[arg(long, value_name = "REGION", default_value = simulate::DEFAULT_SINGLE_REGION)]
    pub single_region: String,
    /// Move every D1 primary to this location hint (wnam, enam, weur, eeur, apac, oc).
    #[arg(long, value_name = "HINT")]
    pub d1_primary: Option<String>,
    /// Turn D1 read replication on or off.
    #[arg(long, value_enum, value_name = "on|off")]
    pub replication: Option<Switch>,
    /// Turn the Hyperdrive query cache on or off.
    #[arg(long, value_enum, value_name = "on|off")]
    pub hyperdrive_cache: Option<Switch>,
    /// Share of read-only Hyperdrive queries answered from the cache (0 to 1; default 0.5).
    #[arg(long, value_name = "RATIO")]
    pub cache_hit_ratio: Option<f64>,
    /// Chance that a KV cache lookup (an If on a KV read's result) finds its key (0 to 1;
    /// default 0.9).
    #[arg(long, value_name = "RATIO")]
    pub kv_hit_ratio: Option<f64>,
    /// Move every Hyperdrive origin to this region.
    #[arg(long, value_name = "REGION")]
    pub origin: Option<String>,
    /// Smart Placement for every Worker that queries D1 or Hyperdrive (on), or for none
    /// (off); without it each Worker keeps its own setting.
    #[arg(long, value_enum, value_name = "on|off")]
    pub smart_placement: Option<Switch>,
    /// A node failing everywhere (`NODE`) or in one region (`NODE@REGION`; a D1 location hint
    /// also names its region): the report adds the share of requests that fail per region.
    #[arg(long, value_name = "NODE[@REGION]", value_parser = Failure::parse)]
    pub fail: Option<Failure>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    fn is_on(self) -> bool {
        self == Switch::On
    }
}

impl Args {
    /// The what-if options these arguments ask for.
    pub fn what_if(&self) -> WhatIf {
        WhatIf {
            single_region: self.single_region.clone(),
            d1_primary: self.d1_primary.clone(),
            read_replication: self.replication.map(Switch::is_on),
            hyperdrive_cache: self.hyperdrive_cache.map(Switch::is_on),
            cache_hit_ratio: self.cache_hit_ratio,
            kv_hit_ratio: self.kv_hit_ratio,
            origin_region: self.origin.clone(),
            smart_placement: self.smart_placement.map(Switch::is_on),
            failure: self.fail.clone(),
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    match report(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn report(args: &Args) -> anyhow::Result<String> {
    let design = format::load(&args.file)?;
    let report = simulate::simulate(&design, &args.what_if())
        .with_context(|| format!("cannot simulate {}", args.file.display()))?;
    Ok(match args.format {
        OutputFormat::Text => simulate::render_text(&report),
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).context("cannot write JSON")?;
            json.push('\n');
            json
        }
    })
}
