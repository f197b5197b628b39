//! Latency distributions, computed analytically (no random numbers, so output is exact and
//! deterministic).
//!
//! A request's latency seen by a client is `access + backbone`, where
//! - `access` is the client's round trip to the nearest edge: log-normal with the published
//!   median and 95th percentile (median 20 ms, p95 50 ms);
//! - `backbone` is a discrete distribution: the sum of the round trips the request's path makes
//!   beyond the edge (each at the table's median), mixed over the request's paths and over
//!   cache hits and misses with their probabilities.
//!
//! The percentile `q` of the mixture solves `sum_i w_i * F_access(x - d_i) = q` for `x`,
//! found by bisection. Backbone legs are fixed at the published median: the table gives no
//! spread, so the spread comes from the access leg and from the mix of paths.

use serde::Serialize;

/// z such that the standard normal CDF at z is 0.95.
const Z_95: f64 = 1.644_853_626_951_472_2;

/// The client's access leg: log-normal with `ln X ~ N(mu, sigma^2)`.
#[derive(Clone, Copy, Debug)]
pub struct Access {
    mu: f64,
    sigma: f64,
}

impl Access {
    /// Fitted so that the median and the 95th percentile are the given values.
    pub fn from_median_p95(median_ms: f64, p95_ms: f64) -> Self {
        let mu = median_ms.ln();
        let sigma = ((p95_ms / median_ms).ln() / Z_95).max(1e-9);
        Self { mu, sigma }
    }

    /// The value below which a share `q` of round trips fall (the median at 0.5).
    pub fn quantile(self, q: f64) -> f64 {
        quantile(self, &Discrete::constant(0.0), q)
    }

    fn cdf(self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            normal_cdf((x.ln() - self.mu) / self.sigma)
        }
    }

    fn quantile_upper_bound(self) -> f64 {
        (self.mu + 8.0 * self.sigma).exp()
    }
}

/// A discrete distribution of backbone delays: (ms, probability) atoms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Discrete {
    pub atoms: Vec<(f64, f64)>,
}

impl Discrete {
    /// Always `ms`.
    pub fn constant(ms: f64) -> Self {
        Self {
            atoms: vec![(ms, 1.0)],
        }
    }

    /// The distribution of `self + leg` (independent).
    #[must_use]
    pub fn add(&self, leg: &[(f64, f64)]) -> Self {
        let mut atoms = Vec::with_capacity(self.atoms.len() * leg.len());
        for &(a, p) in &self.atoms {
            for &(b, q) in leg {
                if p * q > 0.0 {
                    atoms.push((a + b, p * q));
                }
            }
        }
        Self { atoms }.merged()
    }

    /// Mix `other` in with weight `weight` (the caller keeps total weights summing to 1).
    pub fn mix(&mut self, other: &Discrete, weight: f64) {
        self.atoms
            .extend(other.atoms.iter().map(|&(ms, p)| (ms, p * weight)));
        *self = std::mem::take(self).merged();
    }

    /// Atoms sorted, equal delays (to 1 µs) merged.
    fn merged(mut self) -> Self {
        self.atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<(f64, f64)> = Vec::with_capacity(self.atoms.len());
        for (ms, p) in self.atoms {
            match out.last_mut() {
                Some(last) if (last.0 - ms).abs() < 1e-3 => last.1 += p,
                _ => out.push((ms, p)),
            }
        }
        Self { atoms: out }
    }

    fn total(&self) -> f64 {
        self.atoms.iter().map(|a| a.1).sum()
    }
}

/// Latency percentiles in ms (rounded to 0.1 ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// The percentiles of `access + backbone`.
pub fn percentiles(access: Access, backbone: &Discrete) -> Percentiles {
    Percentiles {
        p50_ms: round1(quantile(access, backbone, 0.50)),
        p95_ms: round1(quantile(access, backbone, 0.95)),
        p99_ms: round1(quantile(access, backbone, 0.99)),
    }
}

fn quantile(access: Access, backbone: &Discrete, q: f64) -> f64 {
    let total = backbone.total();
    if total <= 0.0 {
        return 0.0;
    }
    let cdf = |x: f64| {
        backbone
            .atoms
            .iter()
            .map(|&(d, w)| w * access.cdf(x - d))
            .sum::<f64>()
            / total
    };
    let mut lo = backbone.atoms.first().map_or(0.0, |a| a.0);
    let mut hi = backbone.atoms.last().map_or(0.0, |a| a.0) + access.quantile_upper_bound();
    // 64 halvings take a range of a few seconds well below 1e-12 ms.
    for _ in 0..64 {
        let mid = f64::midpoint(lo, hi);
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    f64::midpoint(lo, hi)
}

/// Round to 0.1.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The standard normal CDF, through `erfc` (W. J. Cody's rational Chebyshev approximation as
/// given in Numerical Recipes, `erfcc`: relative error below 1.2e-7 everywhere).
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_leg_alone_has_the_published_median_and_p95() {
        let access = Access::from_median_p95(20.0, 50.0);
        let p = percentiles(access, &Discrete::constant(0.0));
        assert!((p.p50_ms - 20.0).abs() < 0.05, "{p:?}");
        assert!((p.p95_ms - 50.0).abs() < 0.05, "{p:?}");
        assert!(p.p99_ms > p.p95_ms);
    }

    #[test]
    fn a_constant_backbone_shifts_every_percentile() {
        let access = Access::from_median_p95(20.0, 50.0);
        let base = percentiles(access, &Discrete::constant(0.0));
        let shifted = percentiles(access, &Discrete::constant(167.0));
        assert!((shifted.p50_ms - base.p50_ms - 167.0).abs() < 0.11);
        assert!((shifted.p99_ms - base.p99_ms - 167.0).abs() < 0.11);
    }

    #[test]
    fn mixtures_put_the_tail_on_the_slow_atom() {
        let access = Access::from_median_p95(20.0, 50.0);
        let backbone = Discrete::constant(0.0).add(&[(0.0, 0.9), (100.0, 0.1)]);
        let p = percentiles(access, &backbone);
        assert!(p.p50_ms < 30.0);
        assert!(p.p99_ms > 100.0);
    }
}
