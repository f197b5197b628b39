//! The monthly cost estimate: Cloudflare (Workers Paid plan) beside a single-region AWS Lambda +
//! API Gateway baseline.
//!
//! Monthly requests are the Clients' requests per second over a 30-day month. Operations per
//! request come from the request paths (expected values over their weights):
//! - Workers: one billed request per client request (service binding calls are not billed as
//!   requests), [`CPU_MS_PER_INVOCATION`] of CPU per Worker invocation (gateway and services);
//! - KV reads, writes, deletes and lists, one per step;
//! - D1 rows read and written, estimated per statement (see [`super::paths`]);
//! - Hyperdrive queries (no charge on the Paid plan).
//!
//! Each line is `max(0, quantity - included) / 1e6 * price per million`, plus the Paid plan's
//! monthly minimum. The AWS side: API Gateway HTTP API per request (tiered), Lambda requests
//! and GB-seconds beyond the monthly free tier.

use std::collections::BTreeMap;

use serde::Serialize;

use super::data::Tables;
use super::paths::{Hop, RequestPath};

/// CPU time assumed for one Worker invocation (an assumption: small handlers mostly wait).
pub const CPU_MS_PER_INVOCATION: f64 = 1.0;

/// Memory of the baseline's Lambda functions.
pub const LAMBDA_MEMORY_MB: f64 = 128.0;

/// Seconds in the 30-day month of the estimate.
pub const SECONDS_PER_MONTH: f64 = 30.0 * 24.0 * 3600.0;

/// One sample request's traffic and paths.
pub struct RequestMix {
    pub requests_per_second: f64,
    pub paths: Vec<RequestPath>,
}

/// Operations per month (or per request, in [`CostReport::per_request`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Operations {
    pub requests: f64,
    pub worker_invocations: f64,
    pub cpu_ms: f64,
    pub kv_reads: f64,
    pub kv_writes: f64,
    pub kv_deletes: f64,
    pub kv_lists: f64,
    pub d1_queries: f64,
    pub d1_rows_read: f64,
    pub d1_rows_written: f64,
    pub hyperdrive_queries: f64,
    /// Hyperdrive queries that reach the origin (cache misses and writes).
    pub hyperdrive_origin_queries: f64,
    /// The baseline's Lambda invocations (service Worker invocations).
    pub lambda_invocations: f64,
    /// The baseline's Lambda billed duration in GB-seconds.
    pub lambda_gb_seconds: f64,
}

impl Operations {
    fn scaled(self, k: f64) -> Self {
        Self {
            requests: self.requests * k,
            worker_invocations: self.worker_invocations * k,
            cpu_ms: self.cpu_ms * k,
            kv_reads: self.kv_reads * k,
            kv_writes: self.kv_writes * k,
            kv_deletes: self.kv_deletes * k,
            kv_lists: self.kv_lists * k,
            d1_queries: self.d1_queries * k,
            d1_rows_read: self.d1_rows_read * k,
            d1_rows_written: self.d1_rows_written * k,
            hyperdrive_queries: self.hyperdrive_queries * k,
            hyperdrive_origin_queries: self.hyperdrive_origin_queries * k,
            lambda_invocations: self.lambda_invocations * k,
            lambda_gb_seconds: self.lambda_gb_seconds * k,
        }
    }

    fn add(&mut self, other: Self) {
        self.requests += other.requests;
        self.worker_invocations += other.worker_invocations;
        self.cpu_ms += other.cpu_ms;
        self.kv_reads += other.kv_reads;
        self.kv_writes += other.kv_writes;
        self.kv_deletes += other.kv_deletes;
        self.kv_lists += other.kv_lists;
        self.d1_queries += other.d1_queries;
        self.d1_rows_read += other.d1_rows_read;
        self.d1_rows_written += other.d1_rows_written;
        self.hyperdrive_queries += other.hyperdrive_queries;
        self.hyperdrive_origin_queries += other.hyperdrive_origin_queries;
        self.lambda_invocations += other.lambda_invocations;
        self.lambda_gb_seconds += other.lambda_gb_seconds;
    }

    fn rounded(self) -> Self {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        Self {
            requests: r(self.requests),
            worker_invocations: r(self.worker_invocations),
            cpu_ms: r(self.cpu_ms),
            kv_reads: r(self.kv_reads),
            kv_writes: r(self.kv_writes),
            kv_deletes: r(self.kv_deletes),
            kv_lists: r(self.kv_lists),
            d1_queries: r(self.d1_queries),
            d1_rows_read: r(self.d1_rows_read),
            d1_rows_written: r(self.d1_rows_written),
            hyperdrive_queries: r(self.hyperdrive_queries),
            hyperdrive_origin_queries: r(self.hyperdrive_origin_queries),
            lambda_invocations: r(self.lambda_invocations),
            lambda_gb_seconds: r(self.lambda_gb_seconds),
        }
    }
}

/// One priced line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostLine {
    pub item: String,
    /// Quantity per month.
    pub quantity: f64,
    /// Included in the plan (or free tier) per month.
    pub included: f64,
    /// Price per million units beyond what is included (or per month for a plan fee).
    pub usd_per_million: f64,
    pub usd: f64,
    /// Id of the line's entry in [`super::SimulationReport::sources`].
    pub source: String,
    /// Whether the line's prices were read on the source page itself; `false` lines must be
    /// shown as not verified.
    pub verified: bool,
    /// Whether the line pays for compute and requests (the part both sides price) rather
    /// than a data store (priced on the Cloudflare side only).
    pub compute: bool,
}

/// One provider's monthly bill.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostSide {
    pub name: String,
    pub lines: Vec<CostLine>,
    pub total_usd: f64,
    /// The compute and request lines only: what both sides price alike.
    pub compute_usd: f64,
}

/// The monthly estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub seconds_per_month: f64,
    pub requests_per_second: f64,
    pub monthly_requests: f64,
    /// Average operations per client request.
    pub per_request: Operations,
    pub monthly: Operations,
    pub cloudflare: CostSide,
    pub aws: CostSide,
    /// Whether the traffic fits the Workers Free plan's daily allowances ($0).
    pub fits_free_plan: bool,
}

/// Expected operations of one request over its paths.
fn per_request(
    tables: &Tables,
    paths: &[RequestPath],
    hit_ratios: &BTreeMap<String, f64>,
) -> Operations {
    let mut ops = Operations::default();
    for path in paths {
        let mut one = Operations {
            requests: 1.0,
            ..Operations::default()
        };
        let mut lambda_ms = 0.0;
        for hop in &path.hops {
            match hop {
                Hop::Worker { gateway, .. } => {
                    one.worker_invocations += 1.0;
                    one.cpu_ms += CPU_MS_PER_INVOCATION;
                    if !gateway {
                        one.lambda_invocations += 1.0;
                        lambda_ms += CPU_MS_PER_INVOCATION;
                    }
                }
                Hop::KvRead { .. } => one.kv_reads += 1.0,
                Hop::KvWrite { .. } => one.kv_writes += 1.0,
                Hop::KvDelete { .. } => one.kv_deletes += 1.0,
                Hop::KvList { .. } => one.kv_lists += 1.0,
                Hop::D1 {
                    rows_read,
                    rows_written,
                    ..
                } => {
                    one.d1_queries += 1.0;
                    one.d1_rows_read += rows_read;
                    one.d1_rows_written += rows_written;
                    lambda_ms += tables.intra_region_ms;
                }
                Hop::Hyperdrive {
                    node, read_only, ..
                } => {
                    let ratio = if *read_only {
                        hit_ratios.get(node).copied().unwrap_or(0.0)
                    } else {
                        0.0
                    };
                    one.hyperdrive_queries += 1.0;
                    one.hyperdrive_origin_queries += 1.0 - ratio;
                    lambda_ms += tables.intra_region_ms * (1.0 - ratio);
                }
            }
        }
        one.lambda_gb_seconds = lambda_ms / 1000.0 * LAMBDA_MEMORY_MB / 1024.0;
        ops.add(one.scaled(path.weight));
    }
    ops
}

fn line(item: &str, quantity: f64, included: f64, usd_per_million: f64, source: &str) -> CostLine {
    CostLine {
        item: item.to_owned(),
        quantity: quantity.round(),
        included,
        usd_per_million: (usd_per_million * 1e6).round() / 1e6,
        usd: cents((quantity - included).max(0.0) / 1e6 * usd_per_million),
        source: source.to_owned(),
        verified: true,
        compute: source.starts_with("aws-") || source == "cf-workers-pricing",
    }
}

fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// The monthly estimate for these requests.
pub fn estimate(
    tables: &Tables,
    mixes: &[RequestMix],
    hit_ratios: &BTreeMap<String, f64>,
) -> CostReport {
    let requests_per_second: f64 = mixes.iter().map(|m| m.requests_per_second).sum();
    let mut per_second = Operations::default();
    for mix in mixes {
        per_second.add(per_request(tables, &mix.paths, hit_ratios).scaled(mix.requests_per_second));
    }
    let monthly = per_second.scaled(SECONDS_PER_MONTH);
    let per_request_ops = if requests_per_second > 0.0 {
        per_second.scaled(1.0 / requests_per_second)
    } else {
        Operations::default()
    };

    let w = &tables.workers;
    let kv = &tables.kv;
    let d1 = &tables.d1;
    let cf_lines = vec![
        CostLine {
            item: "Workers Paid plan (monthly minimum)".to_owned(),
            quantity: 1.0,
            included: 0.0,
            usd_per_million: 0.0,
            usd: w.paid_minimum_usd_per_month,
            source: "cf-workers-pricing".to_owned(),
            verified: true,
            compute: true,
        },
        line(
            "Workers requests",
            monthly.requests,
            w.included_requests,
            w.usd_per_extra_million_requests,
            "cf-workers-pricing",
        ),
        line(
            "Workers CPU ms",
            monthly.cpu_ms,
            w.included_cpu_ms,
            w.usd_per_extra_million_cpu_ms,
            "cf-workers-pricing",
        ),
        line(
            "KV reads",
            monthly.kv_reads,
            kv.included_reads,
            kv.usd_per_extra_million_reads,
            "cf-kv-pricing",
        ),
        line(
            "KV writes",
            monthly.kv_writes,
            kv.included_writes,
            kv.usd_per_extra_million_writes,
            "cf-kv-pricing",
        ),
        line(
            "KV deletes",
            monthly.kv_deletes,
            kv.included_deletes,
            kv.usd_per_extra_million_deletes,
            "cf-kv-pricing",
        ),
        line(
            "KV lists",
            monthly.kv_lists,
            kv.included_lists,
            kv.usd_per_extra_million_lists,
            "cf-kv-pricing",
        ),
        line(
            "D1 rows read",
            monthly.d1_rows_read,
            d1.included_rows_read,
            d1.usd_per_extra_million_rows_read,
            "cf-d1-pricing",
        ),
        line(
            "D1 rows written",
            monthly.d1_rows_written,
            d1.included_rows_written,
            d1.usd_per_extra_million_rows_written,
            "cf-d1-pricing",
        ),
        line(
            "Hyperdrive queries (unlimited on Paid)",
            monthly.hyperdrive_queries,
            0.0,
            tables.hyperdrive.extra_charge_for_pooling_or_caching,
            "cf-hyperdrive-pricing",
        ),
    ];
    let cloudflare = side(tables, "Cloudflare Workers Paid (global)", cf_lines);

    let g = &tables.api_gateway;
    let first_tier = monthly.requests.min(300e6);
    let api_gateway_usd = cents(
        first_tier / 1e6 * g.usd_per_million_first_300m
            + (monthly.requests - first_tier).max(0.0) / 1e6 * g.usd_per_million_above_300m,
    );
    let l = &tables.lambda;
    let aws_lines = vec![
        CostLine {
            item: "API Gateway HTTP API requests (tiered)".to_owned(),
            quantity: monthly.requests.round(),
            included: 0.0,
            usd_per_million: g.usd_per_million_first_300m,
            usd: api_gateway_usd,
            source: "aws-api-gateway-pricing".to_owned(),
            verified: true,
            compute: true,
        },
        line(
            "Lambda requests",
            monthly.lambda_invocations,
            l.free_requests_per_month,
            l.usd_per_million_requests,
            "aws-lambda-pricing",
        ),
        line(
            "Lambda GB-seconds",
            monthly.lambda_gb_seconds,
            l.free_gb_seconds_per_month,
            l.usd_per_gb_second_x86 * 1e6,
            "aws-lambda-pricing",
        ),
    ];
    let aws = side(
        tables,
        "AWS Lambda + API Gateway (single region)",
        aws_lines,
    );

    let per_day = monthly.scaled(1.0 / 30.0);
    let fits_free_plan = per_day.requests <= w.free_requests_per_day
        && CPU_MS_PER_INVOCATION <= w.free_cpu_ms_per_invocation
        && per_day.kv_reads <= kv.free_reads_per_day
        && per_day.kv_writes <= kv.free_writes_per_day
        && per_day.kv_deletes <= kv.free_deletes_per_day
        && per_day.kv_lists <= kv.free_lists_per_day
        && per_day.d1_rows_read <= d1.free_rows_read_per_day
        && per_day.d1_rows_written <= d1.free_rows_written_per_day
        && per_day.hyperdrive_queries <= tables.hyperdrive.free_queries_per_day;

    CostReport {
        seconds_per_month: SECONDS_PER_MONTH,
        requests_per_second,
        monthly_requests: monthly.requests.round(),
        per_request: per_request_ops.rounded(),
        monthly: monthly.rounded(),
        cloudflare,
        aws,
        fits_free_plan,
    }
}

fn side(tables: &Tables, name: &str, mut lines: Vec<CostLine>) -> CostSide {
    for line in &mut lines {
        line.verified = tables.sources.get(&line.source).is_none_or(|s| s.verified);
    }
    let total_usd = cents(lines.iter().map(|l| l.usd).sum());
    let compute_usd = cents(lines.iter().filter(|l| l.compute).map(|l| l.usd).sum());
    CostSide {
        name: name.to_owned(),
        lines,
        total_usd,
        compute_usd,
    }
}
