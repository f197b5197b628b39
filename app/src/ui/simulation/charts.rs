//! The Simulation tab's charts (`egui_plot`): latency per client region, global beside single
//! region, as stacked bars (p50, then up to p95, then up to p99), and the monthly cost of both
//! sides stacked by item.

use edgewire_engine::simulate::{Percentiles, SimulationReport};
use eframe::egui::{self, Color32, RichText, Stroke};
use egui_plot::{Bar, BarChart, GridInput, GridMark, Plot, PlotPoint, Text};

use crate::ui::theme::SimulationPalette;

/// Height of the latency chart (points).
const LATENCY_HEIGHT: f32 = 230.0;
/// Height of the cost chart (points): two bars.
const COST_HEIGHT: f32 = 120.0;

/// A plot that shows data and hovers but does not pan or zoom (it sits in a scrolled panel);
/// its legend is drawn beside it ([`swatch_ui`]), where it hides no bar.
fn still_plot(id: &str, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
}

/// A small colour square and its text, for the legends.
fn swatch_ui(ui: &mut egui::Ui, fill: Color32, stroke: Color32, text: &str) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect(
        rect,
        2.0,
        fill,
        Stroke::new(1.0, stroke),
        egui::StrokeKind::Inside,
    );
    ui.small(text);
}

/// The shades of the three percentiles of a series.
const SHADES: [f32; 3] = [1.0, 0.6, 0.32];

/// Marks at whole numbers only, for axes whose whole numbers are categories.
fn categories(count: usize) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |_| {
        (0..count)
            .map(|i| GridMark {
                value: i as f64,
                step_size: 1.0,
            })
            .collect()
    }
}

/// The bar segments of one side's percentiles: p50 from 0, p95 and p99 stacked on it.
fn stacked(x: f64, width: f64, p: Percentiles, label: &str) -> [Bar; 3] {
    let bar = |from: f64, to: f64, which: &str| {
        Bar::new(x, (to - from).max(0.0))
            .base_offset(from)
            .width(width)
            .name(format!("{label} {which} {to:.0} ms"))
    };
    [
        bar(0.0, p.p50_ms, "p50"),
        bar(p.p50_ms, p.p95_ms, "p95"),
        bar(p.p95_ms, p.p99_ms, "p99"),
    ]
}

/// Latency per client region and over all regions: for each, the global design's bar beside
/// the single region's, each stacked p50 / p95 / p99.
pub fn latency_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let colours = SimulationPalette::of(ui.visuals());
    let single = &report.placement.single_region;
    let mut groups: Vec<(String, &edgewire_engine::simulate::Comparison)> = report
        .regions
        .iter()
        .map(|r| (r.region.clone(), &r.latency))
        .collect();
    groups.push(("all regions".to_owned(), &report.overall));
    // [side][percentile] -> bars.
    let mut series: [[Vec<Bar>; 3]; 2] = Default::default();
    for (i, (name, latency)) in groups.iter().enumerate() {
        let x = i as f64;
        for (side, (offset, p, label)) in [
            (-0.2, latency.global, format!("{name}: global")),
            (
                0.2,
                latency.single_region,
                format!("{name}: single region ({single})"),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            for (k, bar) in stacked(x + offset, 0.36, p, &label).into_iter().enumerate() {
                series[side][k].push(bar);
            }
        }
    }
    let names: Vec<String> = groups.iter().map(|(name, _)| name.clone()).collect();
    let count = names.len();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for (colour, name) in [
            (colours.global, "global".to_owned()),
            (colours.single, format!("single region ({single})")),
        ] {
            ui.small(format!("{name}:"));
            for (shade, which) in SHADES.iter().zip(["p50", "p95", "p99"]) {
                swatch_ui(ui, colour.gamma_multiply(*shade), colour, which);
            }
            ui.add_space(10.0);
        }
    });
    still_plot("simulation_latency_chart", LATENCY_HEIGHT)
        .x_grid_spacer(categories(count))
        .x_axis_formatter(move |mark, _| {
            // Category marks are whole numbers from 0.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let index = mark.value.round().max(0.0) as usize;
            names.get(index).cloned().unwrap_or_default()
        })
        .y_axis_label("ms")
        .include_y(0.0)
        .include_x(-0.6)
        .include_x(count as f64 - 0.4)
        .show(ui, |plot| {
            for (side, bars) in series.into_iter().enumerate() {
                let (base, side_name) = if side == 0 {
                    (colours.global, "global".to_owned())
                } else {
                    (colours.single, "single region".to_owned())
                };
                for (k, bars) in bars.into_iter().enumerate() {
                    let shade = SHADES[k];
                    let fill = base.gamma_multiply(shade);
                    let bars = bars
                        .into_iter()
                        .map(|b| b.fill(fill).stroke(Stroke::new(1.0, base)))
                        .collect();
                    let which = ["p50", "to p95", "to p99"][k];
                    plot.bar_chart(
                        BarChart::new(format!("{side_name} {which}"), bars)
                            .color(fill)
                            .element_formatter(Box::new(|bar, _| bar.name.clone())),
                    );
                }
            }
        });
}

/// Distinct colours for the cost items, in order.
const ITEM_COLOURS: [Color32; 8] = [
    Color32::from_rgb(90, 150, 220),
    Color32::from_rgb(120, 190, 120),
    Color32::from_rgb(230, 170, 70),
    Color32::from_rgb(200, 110, 180),
    Color32::from_rgb(110, 200, 200),
    Color32::from_rgb(220, 110, 90),
    Color32::from_rgb(160, 140, 230),
    Color32::from_rgb(190, 190, 110),
];

/// The monthly bill of both sides as horizontal bars stacked by item, each item named in its
/// bar when there is room and in the legend under the chart (items under 1 cent are left
/// out; the cost table lists them all).
pub fn cost_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let cost = &report.cost;
    let sides = [&cost.aws, &cost.cloudflare];
    let most = sides.iter().map(|s| s.total_usd).fold(1.0_f64, f64::max);
    // (side, item, USD, colour, from, to)
    let mut segments = Vec::new();
    for (y, side) in sides.iter().enumerate() {
        let mut base = 0.0;
        for (i, line) in side.lines.iter().filter(|l| l.usd >= 0.01).enumerate() {
            let colour = ITEM_COLOURS[(i + 3 * y) % ITEM_COLOURS.len()];
            segments.push((y, side, line, colour, base, base + line.usd));
            base += line.usd;
        }
    }
    let labels: Vec<String> = sides
        .iter()
        .map(|s| format!("{} ${:.0}", short(&s.name), s.total_usd))
        .collect();
    let text_colour = ui.visuals().strong_text_color();
    still_plot("simulation_cost_chart", COST_HEIGHT)
        .y_grid_spacer(categories(2))
        .y_axis_formatter(move |mark, _| {
            // Category marks are 0 and 1.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let index = mark.value.round().max(0.0) as usize;
            labels.get(index).cloned().unwrap_or_default()
        })
        .x_axis_label("USD per month")
        .include_x(0.0)
        .include_x(most * 1.05)
        .include_y(-0.5)
        .include_y(1.5)
        .show(ui, |plot| {
            for (i, (y, side, line, colour, from, to)) in segments.iter().enumerate() {
                let bar = Bar::new(*y as f64, to - from)
                    .base_offset(*from)
                    .width(0.6)
                    .fill(colour.gamma_multiply(0.8))
                    .stroke(Stroke::new(1.0, *colour))
                    .name(format!(
                        "{}: {}: ${:.2} / month",
                        side.name, line.item, line.usd
                    ));
                plot.bar_chart(
                    BarChart::new(format!("cost {i}"), vec![bar])
                        .horizontal()
                        .element_formatter(Box::new(|bar, _| bar.name.clone())),
                );
                // Name the item in its bar when it takes a tenth of the axis or more.
                if to - from >= most * 0.1 {
                    plot.text(
                        Text::new(
                            format!("cost text {i}"),
                            PlotPoint::new(f64::midpoint(*from, *to), *y as f64),
                            RichText::new(format!("{} ${:.0}", line.item, line.usd))
                                .small()
                                .color(text_colour),
                        )
                        .anchor(egui::Align2::CENTER_CENTER),
                    );
                }
            }
        });
    for (y, side) in sides.iter().enumerate().rev() {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            ui.small(format!("{}:", short(&side.name)));
            for (_, _, line, colour, _, _) in segments.iter().filter(|s| s.0 == y) {
                swatch_ui(
                    ui,
                    colour.gamma_multiply(0.8),
                    *colour,
                    &format!("{} ${:.2}", line.item, line.usd),
                );
                ui.add_space(6.0);
            }
        });
    }
}

/// A side's short name: `Cloudflare (global)`, `AWS (single region)`.
fn short(name: &str) -> String {
    let provider = name.split_whitespace().next().unwrap_or(name);
    let layout = name
        .rsplit_once('(')
        .map_or("", |(_, rest)| rest.trim_end_matches(')'));
    if layout.is_empty() {
        provider.to_owned()
    } else {
        format!("{provider} ({layout})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_have_short_names() {
        assert_eq!(
            short("Cloudflare Workers Paid (global)"),
            "Cloudflare (global)"
        );
        assert_eq!(
            short("AWS Lambda + API Gateway (single region)"),
            "AWS (single region)"
        );
        assert_eq!(short("Other"), "Other");
    }
}
