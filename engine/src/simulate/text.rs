//! The report as readable text tables (what `edgewire simulate --format text` prints).

use std::fmt::Write as _;

use super::cost::{CostLine, CostSide};
use super::{Comparison, SimulationReport};

/// Render a report as text: latency per region and per request, the cost comparison, sources,
/// assumptions and warnings.
pub fn render_text(report: &SimulationReport) -> String {
    let mut out = String::new();
    let single = &report.placement.single_region;
    let _ = writeln!(
        out,
        "{}: simulated latency, global design vs everything in {single}",
        report.design
    );
    placement(&mut out, report);

    let _ = writeln!(
        out,
        "\nLatency per client region (ms, scenario requests mixed by weight)"
    );
    if report
        .sources
        .iter()
        .any(|s| s.id == "client-to-edge" && !s.verified)
    {
        let _ = writeln!(
            out,
            "(every figure includes the client-to-edge leg, whose source is NOT VERIFIED: see below)"
        );
    }
    let header = format!(
        "{:<14} {:>6}  {:>21}  {:>21}  {:>15} {:>15} {:>15}",
        "region",
        "share",
        "global p50/p95/p99",
        format!("{single} p50/p95/p99"),
        "gain p50",
        "gain p95",
        "gain p99"
    );
    let _ = writeln!(out, "{header}");
    for region in &report.regions {
        let _ = writeln!(
            out,
            "{:<14} {:>5.1}%  {}",
            region.region,
            region.traffic_share * 100.0,
            comparison(&region.latency)
        );
    }
    let _ = writeln!(
        out,
        "{:<14} {:>6}  {}",
        "all regions",
        "100%",
        comparison(&report.overall)
    );

    failing(&mut out, report);

    let _ = writeln!(
        out,
        "\nLatency per request (ms, over the client's regions by traffic)"
    );
    let _ = writeln!(
        out,
        "{:<34} {:>6}  {:>21}  {:>21}  {:>15} {:>15} {:>15}",
        "request",
        "status",
        "global p50/p95/p99",
        format!("{single} p50/p95/p99"),
        "gain p50",
        "gain p95",
        "gain p99"
    );
    for request in &report.requests {
        let _ = writeln!(
            out,
            "{:<34} {:>6}  {}",
            truncate(&request.name, 34),
            request.expect_status,
            comparison(&request.latency)
        );
    }
    let _ = writeln!(
        out,
        "\nPaths (share of the request: hops beyond the client)"
    );
    for request in &report.requests {
        for path in &request.paths {
            let hops: Vec<String> = path.hops.iter().map(super::Hop::label).collect();
            let _ = writeln!(
                out,
                "  {:<34} {:>5.1}% -> {}: {}",
                truncate(&request.name, 34),
                path.weight * 100.0,
                path.status,
                hops.join(", ")
            );
        }
    }

    cost(&mut out, report);

    let _ = writeln!(out, "\nSources");
    for source in &report.sources {
        let date = if source.as_of.is_empty() {
            String::new()
        } else {
            format!(" ({})", source.as_of)
        };
        let flag = if source.verified {
            ""
        } else {
            " [NOT VERIFIED]"
        };
        let _ = writeln!(
            out,
            "  [{}] {}: {}{date}{flag}",
            source.id, source.what, source.url
        );
    }
    if !report.unverified.is_empty() {
        let _ = writeln!(out, "\nNot verified");
        for text in &report.unverified {
            let _ = writeln!(out, "  - {text}");
        }
    }
    let _ = writeln!(out, "\nAssumptions");
    for a in &report.assumptions {
        let _ = writeln!(out, "  - {}: {} ({})", a.name, a.value, a.why);
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for warning in &report.warnings {
            let _ = writeln!(out, "  - {warning}");
        }
    }
    out
}

/// With a failure what-if: the share of requests that fail per region and per request.
fn failing(out: &mut String, report: &SimulationReport) {
    let (Some(failure), Some(overall)) = (&report.options.failure, report.failing) else {
        return;
    };
    let single = &report.placement.single_region;
    let _ = writeln!(
        out,
        "\nFailure what-if: {} (share of requests that fail)",
        failure.describe()
    );
    let _ = writeln!(
        out,
        "{:<14} {:>6}  {:>8}  {:>8}",
        "region", "share", "global", single
    );
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    for region in &report.regions {
        let Some(f) = region.failing else {
            continue;
        };
        let _ = writeln!(
            out,
            "{:<14} {:>5.1}%  {:>8}  {:>8}",
            region.region,
            region.traffic_share * 100.0,
            pct(f.global),
            pct(f.single_region)
        );
    }
    let _ = writeln!(
        out,
        "{:<14} {:>6}  {:>8}  {:>8}",
        "all regions",
        "100%",
        pct(overall.global),
        pct(overall.single_region)
    );
    let failing: Vec<String> = report
        .requests
        .iter()
        .filter_map(|r| {
            let f = r.failing?;
            (f.global > 0.0 || f.single_region > 0.0).then(|| {
                format!(
                    "  {:<34} {:>8}  {:>8}",
                    truncate(&r.name, 34),
                    pct(f.global),
                    pct(f.single_region)
                )
            })
        })
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "requests that fail (global, {single}):");
        for line in failing {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn placement(out: &mut String, report: &SimulationReport) {
    for d1 in &report.placement.d1 {
        let auto = if d1.automatic {
            ", placed automatically"
        } else {
            ""
        };
        let replicas = if d1.read_replication {
            let reads: Vec<String> = d1
                .read_from
                .iter()
                .map(|(region, hint)| format!("{region}->{hint}"))
                .collect();
            format!(
                "read replication on (Sessions API; reads from {})",
                reads.join(", ")
            )
        } else {
            "read replication off".to_owned()
        };
        let _ = writeln!(
            out,
            "  D1 {}: primary {} ({}{auto}), {replicas}",
            d1.node, d1.primary_hint, d1.primary_region
        );
    }
    for hd in &report.placement.hyperdrive {
        let cache = if hd.cache {
            format!(
                "cache on (hit ratio {} of read-only queries)",
                hd.cache_hit_ratio
            )
        } else {
            "cache off".to_owned()
        };
        let _ = writeln!(
            out,
            "  Hyperdrive {}: origin {}, {cache}",
            hd.node, hd.origin_region
        );
    }
    for worker in &report.placement.workers {
        let _ = writeln!(
            out,
            "  Worker {}: Smart Placement, runs in {} (near {})",
            worker.node, worker.region, worker.near
        );
    }
}

fn comparison(c: &Comparison) -> String {
    let triple =
        |p: &super::Percentiles| format!("{:.0} / {:.0} / {:.0}", p.p50_ms, p.p95_ms, p.p99_ms);
    format!(
        "{:>21}  {:>21}  {:>15} {:>15} {:>15}",
        triple(&c.global),
        triple(&c.single_region),
        gain(c.gain.p50_ms, c.gain.p50_ratio),
        gain(c.gain.p95_ms, c.gain.p95_ratio),
        gain(c.gain.p99_ms, c.gain.p99_ratio)
    )
}

fn gain(ms: f64, ratio: f64) -> String {
    let ms = ms.round();
    if ms == 0.0 {
        format!("0 ms {ratio:.2}x")
    } else {
        format!("{ms:+.0} ms {ratio:.2}x")
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}~")
    }
}

fn cost(out: &mut String, report: &SimulationReport) {
    let c = &report.cost;
    let _ = writeln!(
        out,
        "\nMonthly cost: {} requests/s = {} requests in a 30-day month",
        number(c.requests_per_second),
        number(c.monthly_requests)
    );
    let p = &c.per_request;
    let _ = writeln!(
        out,
        "Per request: {:.2} Worker invocations, {:.2} CPU ms, {:.2} KV reads, {:.3} KV writes, {:.2} D1 queries ({:.2} rows read, {:.3} written), {:.2} Hyperdrive queries ({:.2} to the origin)",
        p.worker_invocations,
        p.cpu_ms,
        p.kv_reads,
        p.kv_writes,
        p.d1_queries,
        p.d1_rows_read,
        p.d1_rows_written,
        p.hyperdrive_queries,
        p.hyperdrive_origin_queries
    );
    for side in [&c.cloudflare, &c.aws] {
        cost_side(out, side);
    }
    let _ = writeln!(
        out,
        "\nCompute and requests: Cloudflare {} USD/month, AWS baseline {} USD/month.",
        money(c.cloudflare.compute_usd),
        money(c.aws.compute_usd)
    );
    let _ = writeln!(
        out,
        "Totals: Cloudflare {} USD/month (KV and D1 included), AWS baseline {} USD/month (its data stores are not priced).",
        money(c.cloudflare.total_usd),
        money(c.aws.total_usd)
    );
    if c.fits_free_plan {
        let _ = writeln!(
            out,
            "This traffic fits the Workers Free plan's daily allowances (0 USD)."
        );
    }
}

fn cost_side(out: &mut String, side: &CostSide) {
    let _ = writeln!(
        out,
        "\n{:<42} {:>16} {:>16} {:>10} {:>12}  source",
        side.name, "quantity", "included", "USD/M", "USD"
    );
    for CostLine {
        item,
        quantity,
        included,
        usd_per_million,
        usd,
        source,
        verified,
        ..
    } in &side.lines
    {
        let flag = if *verified { "" } else { " [NOT VERIFIED]" };
        let _ = writeln!(
            out,
            "  {:<40} {:>16} {:>16} {:>10} {:>12}  {source}{flag}",
            item,
            number(*quantity),
            number(*included),
            price(*usd_per_million),
            money(*usd)
        );
    }
    let _ = writeln!(
        out,
        "  {:<40} {:>16} {:>16} {:>10} {:>12}",
        "total",
        "",
        "",
        "",
        money(side.total_usd)
    );
}

/// A unit price without float noise: `16.6667`, `0.3`, `5`.
fn price(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `518400000` -> `518,400,000` (rounded to a whole number).
fn number(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if x < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

fn money(usd: f64) -> String {
    let whole = usd.trunc();
    let cents = ((usd - whole) * 100.0).round();
    let (whole, cents) = if cents >= 100.0 {
        (whole + 1.0, 0.0)
    } else {
        (whole, cents)
    };
    format!("{}.{cents:02}", number(whole))
}
