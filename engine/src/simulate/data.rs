//! The simulator's data files (`assets/data/`), embedded in the binary and parsed once.
//!
//! - `rtt_p50_ms.csv`: the median round-trip table between the 13 world regions.
//! - `network.json`: client-to-edge distance, round trips inside one region, D1 and Hyperdrive
//!   facts.
//! - `prices.json`: Cloudflare and AWS prices and allowances.
//!
//! Every number keeps its source page and date; [`Source`] carries them into the report.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const RTT_CSV: &str = include_str!("../../../assets/data/rtt_p50_ms.csv");
const NETWORK_JSON: &str = include_str!("../../../assets/data/network.json");
const PRICES_JSON: &str = include_str!("../../../assets/data/prices.json");

/// The world regions of the round-trip table, in its column order.
pub use crate::regions::REGIONS;

/// D1 location hints and the table region that stands for each.
///
/// Approximations: `wnam` (western North America) -> us-west (California), `enam` -> us-east
/// (Virginia), `weur` -> eu-west (London), `eeur` (eastern Europe) -> eu-central (Frankfurt, the
/// table's most eastern European region), `apac` -> ap-southeast (Singapore), `oc` -> oceania
/// (Sydney).
pub const D1_HINT_REGIONS: [(&str, &str); 6] = [
    ("wnam", "us-west"),
    ("enam", "us-east"),
    ("weur", "eu-west"),
    ("eeur", "eu-central"),
    ("apac", "ap-southeast"),
    ("oc", "oceania"),
];

/// The table region a D1 location hint stands for.
pub fn hint_region(hint: &str) -> Option<&'static str> {
    D1_HINT_REGIONS
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(hint))
        .map(|(_, r)| *r)
}

/// Where a number comes from, shown next to it in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Stable id used by report lines (`cf-workers-pricing`).
    pub id: String,
    /// What the source gives.
    pub what: String,
    pub url: String,
    /// The page's "last updated" date, when shown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub as_of: String,
    /// Whether the number was read on the page itself.
    pub verified: bool,
    /// What was and was not checked, when not plainly verified.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// `verified` is `true`, `false`, or a text saying what was checked ("partly: ...").
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Verified {
    Flag(bool),
    Text(String),
}

impl Default for Verified {
    fn default() -> Self {
        Verified::Flag(true)
    }
}

impl Verified {
    fn flag(&self) -> bool {
        matches!(self, Verified::Flag(true))
    }

    fn note(&self) -> String {
        match self {
            Verified::Flag(_) => String::new(),
            Verified::Text(text) => text.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkFile {
    client_to_edge: ClientToEdgeFile,
    intra_region: IntraRegionFile,
    d1: SourcedFile,
    hyperdrive: SourcedFile,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientToEdgeFile {
    p95_ms: f64,
    median_ms: f64,
    coverage: String,
    source: String,
    #[serde(default)]
    verified: Verified,
    #[serde(default)]
    how: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntraRegionFile {
    min_ms: f64,
    max_ms: f64,
    source: String,
    #[serde(default)]
    as_of: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourcedFile {
    source: String,
    #[serde(default)]
    as_of: String,
}

#[derive(Debug, Deserialize)]
struct PricesFile {
    cloudflare: CloudflarePricesFile,
    aws: AwsPricesFile,
}

#[derive(Debug, Deserialize)]
struct CloudflarePricesFile {
    workers: WorkersPrices,
    kv: KvPrices,
    d1: D1Prices,
    hyperdrive: HyperdrivePrices,
}

#[derive(Debug, Deserialize)]
struct AwsPricesFile {
    lambda: LambdaPrices,
    #[serde(rename = "apiGateway")]
    api_gateway: ApiGatewayPrices,
}

/// Workers Paid plan prices (and the Free plan's daily allowance).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkersPrices {
    pub source: String,
    pub as_of: String,
    pub paid_minimum_usd_per_month: f64,
    pub included_requests: f64,
    pub usd_per_extra_million_requests: f64,
    pub included_cpu_ms: f64,
    pub usd_per_extra_million_cpu_ms: f64,
    pub free_requests_per_day: f64,
    pub free_cpu_ms_per_invocation: f64,
}

/// KV prices per month on the Paid plan, and the Free plan's daily allowances.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KvPrices {
    pub source: String,
    pub as_of: String,
    pub included_reads: f64,
    pub usd_per_extra_million_reads: f64,
    pub included_writes: f64,
    pub usd_per_extra_million_writes: f64,
    pub included_deletes: f64,
    pub usd_per_extra_million_deletes: f64,
    pub included_lists: f64,
    pub usd_per_extra_million_lists: f64,
    pub free_reads_per_day: f64,
    pub free_writes_per_day: f64,
    pub free_deletes_per_day: f64,
    pub free_lists_per_day: f64,
}

/// D1 prices per month on the Paid plan, and the Free plan's daily allowances.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct D1Prices {
    pub source: String,
    pub as_of: String,
    pub included_rows_read: f64,
    pub usd_per_extra_million_rows_read: f64,
    pub included_rows_written: f64,
    pub usd_per_extra_million_rows_written: f64,
    pub free_rows_read_per_day: f64,
    pub free_rows_written_per_day: f64,
}

/// Hyperdrive prices: free queries per day on the Free plan, unlimited on Paid.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HyperdrivePrices {
    pub source: String,
    pub as_of: String,
    pub free_queries_per_day: f64,
    pub extra_charge_for_pooling_or_caching: f64,
}

/// AWS Lambda prices (us-east-1, x86).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaPrices {
    pub source: String,
    #[serde(default)]
    verified: Verified,
    pub usd_per_million_requests: f64,
    #[serde(rename = "usdPerGBSecondX86")]
    pub usd_per_gb_second_x86: f64,
    pub free_requests_per_month: f64,
    #[serde(rename = "freeGBSecondsPerMonth")]
    pub free_gb_seconds_per_month: f64,
}

/// AWS API Gateway HTTP API prices (us-east-1).
#[derive(Clone, Debug, Deserialize)]
pub struct ApiGatewayPrices {
    pub source: String,
    #[serde(rename = "httpApiUsdPerMillionFirst300M")]
    pub usd_per_million_first_300m: f64,
    #[serde(rename = "httpApiUsdPerMillionAbove300M")]
    pub usd_per_million_above_300m: f64,
    #[serde(rename = "freeTier")]
    pub free_tier: String,
}

/// Client-to-edge access leg: a log-normal distribution fitted to a median and a 95th percentile.
#[derive(Clone, Debug)]
pub struct ClientToEdge {
    pub median_ms: f64,
    pub p95_ms: f64,
}

/// Everything the simulator reads from the data files.
#[derive(Debug)]
pub struct Tables {
    /// Median round trip in ms, by (from, to) region index.
    rtt: [[f64; 13]; 13],
    pub client_to_edge: ClientToEdge,
    /// Round trip between two places in the same region: the middle of the published range.
    pub intra_region_ms: f64,
    pub workers: WorkersPrices,
    pub kv: KvPrices,
    pub d1: D1Prices,
    pub hyperdrive: HyperdrivePrices,
    pub lambda: LambdaPrices,
    pub api_gateway: ApiGatewayPrices,
    /// Every source, by id, sorted.
    pub sources: BTreeMap<String, Source>,
}

impl Tables {
    /// The embedded tables, parsed on first use.
    pub fn embedded() -> Result<&'static Tables, String> {
        static TABLES: LazyLock<Result<Tables, String>> = LazyLock::new(Tables::parse);
        TABLES.as_ref().map_err(Clone::clone)
    }

    fn parse() -> Result<Tables, String> {
        let rtt = parse_rtt(RTT_CSV)?;
        let network: NetworkFile = serde_json::from_str(NETWORK_JSON)
            .map_err(|e| format!("assets/data/network.json: {e}"))?;
        let prices: PricesFile = serde_json::from_str(PRICES_JSON)
            .map_err(|e| format!("assets/data/prices.json: {e}"))?;
        let mut sources = BTreeMap::new();
        let mut add = |source: Source| {
            sources.insert(source.id.clone(), source);
        };
        add(Source {
            id: "rtt-table".into(),
            what: "median round trip between regions (assets/data/rtt_p50_ms.csv)".into(),
            url: "https://learn.microsoft.com/en-us/azure/networking/azure-network-latency".into(),
            as_of: "2026-07-30".into(),
            verified: true,
            note: String::new(),
        });
        add(Source {
            id: "client-to-edge".into(),
            what: format!(
                "client to nearest edge: {} (median {} ms, p95 {} ms)",
                network.client_to_edge.coverage,
                network.client_to_edge.median_ms,
                network.client_to_edge.p95_ms
            ),
            url: network.client_to_edge.source.clone(),
            as_of: String::new(),
            verified: network.client_to_edge.verified.flag(),
            note: network.client_to_edge.how.clone(),
        });
        add(Source {
            id: "intra-region".into(),
            what: format!(
                "round trip inside one region: {}-{} ms between neighbouring data centres",
                network.intra_region.min_ms, network.intra_region.max_ms
            ),
            url: network.intra_region.source.clone(),
            as_of: network.intra_region.as_of.clone(),
            verified: true,
            note: String::new(),
        });
        add(Source {
            id: "d1-locations".into(),
            what: "D1 location hints; read replicas in every hint region through the Sessions API"
                .into(),
            url: network.d1.source.clone(),
            as_of: network.d1.as_of.clone(),
            verified: true,
            note: String::new(),
        });
        add(Source {
            id: "hyperdrive-caching".into(),
            what: "Hyperdrive pools near the origin and caches read-only queries".into(),
            url: network.hyperdrive.source.clone(),
            as_of: network.hyperdrive.as_of.clone(),
            verified: true,
            note: String::new(),
        });
        let cf = &prices.cloudflare;
        for (id, what, url, as_of) in [
            (
                "cf-workers-pricing",
                "Workers Paid: requests and CPU time",
                &cf.workers.source,
                &cf.workers.as_of,
            ),
            (
                "cf-kv-pricing",
                "KV reads, writes, deletes, lists",
                &cf.kv.source,
                &cf.kv.as_of,
            ),
            (
                "cf-d1-pricing",
                "D1 rows read and written",
                &cf.d1.source,
                &cf.d1.as_of,
            ),
            (
                "cf-hyperdrive-pricing",
                "Hyperdrive queries",
                &cf.hyperdrive.source,
                &cf.hyperdrive.as_of,
            ),
        ] {
            add(Source {
                id: id.into(),
                what: what.into(),
                url: url.clone(),
                as_of: as_of.clone(),
                verified: true,
                note: String::new(),
            });
        }
        add(Source {
            id: "aws-lambda-pricing".into(),
            what: "AWS Lambda requests and GB-seconds (x86), free tier".into(),
            url: prices.aws.lambda.source.clone(),
            as_of: String::new(),
            verified: prices.aws.lambda.verified.flag(),
            note: prices.aws.lambda.verified.note(),
        });
        add(Source {
            id: "aws-api-gateway-pricing".into(),
            what: "AWS API Gateway HTTP API requests (us-east-1)".into(),
            url: prices.aws.api_gateway.source.clone(),
            as_of: String::new(),
            verified: true,
            note: String::new(),
        });
        Ok(Tables {
            rtt,
            client_to_edge: ClientToEdge {
                median_ms: network.client_to_edge.median_ms,
                p95_ms: network.client_to_edge.p95_ms,
            },
            intra_region_ms: f64::midpoint(
                network.intra_region.min_ms,
                network.intra_region.max_ms,
            ),
            workers: prices.cloudflare.workers,
            kv: prices.cloudflare.kv,
            d1: prices.cloudflare.d1,
            hyperdrive: prices.cloudflare.hyperdrive,
            lambda: prices.aws.lambda,
            api_gateway: prices.aws.api_gateway,
            sources,
        })
    }

    /// The index of a region name in [`REGIONS`].
    pub fn region_index(region: &str) -> Option<usize> {
        REGIONS.iter().position(|r| *r == region)
    }

    /// The round trip between two regions in ms: the table's median, or the intra-region
    /// figure when both are the same region (the table's diagonal is 0).
    pub fn rtt_ms(&self, from: usize, to: usize) -> f64 {
        if from == to {
            self.intra_region_ms
        } else {
            self.rtt[from][to]
        }
    }

    /// The D1 hint region nearest to `region` by round trip (ties: hint order).
    pub fn nearest_hint(&self, region: usize) -> (&'static str, usize) {
        let mut best: Option<(f64, &'static str, usize)> = None;
        for (hint, hint_region_name) in D1_HINT_REGIONS {
            let Some(index) = Self::region_index(hint_region_name) else {
                continue;
            };
            let rtt = self.rtt_ms(region, index);
            if best.is_none_or(|(b, _, _)| rtt < b) {
                best = Some((rtt, hint, index));
            }
        }
        best.map_or(("enam", 0), |(_, hint, index)| (hint, index))
    }
}

fn parse_rtt(csv: &str) -> Result<[[f64; 13]; 13], String> {
    let err = |line: usize, what: &str| format!("assets/data/rtt_p50_ms.csv line {line}: {what}");
    let mut lines = csv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let (header_line, header) = lines.next().ok_or_else(|| err(1, "no header"))?;
    let columns: Vec<&str> = header.split(',').skip(3).collect();
    if columns != REGIONS {
        return Err(err(header_line + 1, "columns are not the 13 known regions"));
    }
    let mut table = [[f64::NAN; 13]; 13];
    let mut seen = 0;
    for (line, text) in lines {
        let cells: Vec<&str> = text.split(',').collect();
        let row = cells
            .first()
            .and_then(|name| Tables::region_index(name))
            .ok_or_else(|| err(line + 1, "unknown region"))?;
        if cells.len() != 3 + REGIONS.len() {
            return Err(err(line + 1, "wrong number of cells"));
        }
        for (col, cell) in cells[3..].iter().enumerate() {
            table[row][col] = cell
                .trim()
                .parse()
                .map_err(|_| err(line + 1, "a cell is not a number"))?;
        }
        seen += 1;
    }
    if seen != REGIONS.len() {
        return Err(err(0, "not every region has a row"));
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse_and_keep_their_sources() {
        let tables = Tables::embedded().expect("data files parse");
        let eu = Tables::region_index("eu-west").expect("region");
        let ap = Tables::region_index("ap-southeast").expect("region");
        assert!((tables.rtt_ms(eu, ap) - 167.0).abs() < f64::EPSILON);
        assert!((tables.rtt_ms(ap, eu) - 167.0).abs() < f64::EPSILON);
        assert!((tables.rtt_ms(eu, eu) - 10.0).abs() < f64::EPSILON);
        assert!(!tables.sources["client-to-edge"].verified);
        assert!(!tables.sources["aws-lambda-pricing"].verified);
        assert!(tables.sources["cf-workers-pricing"].verified);
    }

    #[test]
    fn nearest_hint_follows_the_table() {
        let tables = Tables::embedded().expect("data files parse");
        let region = |name| Tables::region_index(name).expect("region");
        assert_eq!(tables.nearest_hint(region("ap-southeast")).0, "apac");
        assert_eq!(tables.nearest_hint(region("me")).0, "apac");
        assert_eq!(tables.nearest_hint(region("us-central")).0, "wnam");
        assert_eq!(tables.nearest_hint(region("sa-east")).0, "enam");
        assert_eq!(tables.nearest_hint(region("eu-central")).0, "eeur");
        assert_eq!(tables.nearest_hint(region("af-south")).0, "weur");
    }
}
