//! Rate limiting: fixed windows aligned to the Unix epoch, counted in memory.

use std::sync::Mutex;

use rustc_hash::FxHashMap;

/// Fixed-window counters, per gateway and caller.
#[derive(Debug, Default)]
pub struct RateLimiter {
    gateways: Mutex<FxHashMap<String, Callers>>,
}

#[derive(Debug, Default)]
struct Callers {
    /// Caller -> `(window, count)`.
    counts: FxHashMap<String, (u64, u32)>,
    /// The window of the last sweep of old counters (at most one sweep per window).
    swept: u64,
}

/// Most counters kept per gateway before old windows are swept.
const RATE_LIMIT_SWEEP_AT: usize = 10_000;

/// Most callers counted per gateway in one window: beyond it (callers with made-up
/// `cf-connecting-ip` headers, say) the window's counts start afresh, so memory stays bounded
/// at the price of letting those callers' next requests through.
pub const RATE_LIMIT_MAX_CALLERS: usize = 100_000;

impl RateLimiter {
    /// How many callers are counted for `gateway` now.
    #[cfg(test)]
    pub fn callers(&self, gateway: &str) -> usize {
        self.gateways
            .lock()
            .map_or(0, |g| g.get(gateway).map_or(0, |c| c.counts.len()))
    }

    /// Count one request; `Err(retry_after_secs)` when over the limit.
    pub fn hit(
        &self,
        gateway: &str,
        caller: &str,
        limit: u32,
        period_secs: u32,
        now_ms: u64,
    ) -> Result<(), u64> {
        let period_ms = u64::from(period_secs.max(1)) * 1000;
        let window = now_ms / period_ms;
        let Ok(mut gateways) = self.gateways.lock() else {
            return Ok(());
        };
        if !gateways.contains_key(gateway) {
            gateways.insert(gateway.to_owned(), Callers::default());
        }
        let Some(callers) = gateways.get_mut(gateway) else {
            return Ok(());
        };
        if callers.counts.len() >= RATE_LIMIT_SWEEP_AT && callers.swept != window {
            callers.counts.retain(|_, (w, _)| *w == window);
            callers.swept = window;
        }
        // Look up before inserting so that known callers cost no allocation.
        if !callers.counts.contains_key(caller) {
            if callers.counts.len() >= RATE_LIMIT_MAX_CALLERS {
                callers.counts.clear();
            }
            callers.counts.insert(caller.to_owned(), (window, 0));
        }
        let Some(entry) = callers.counts.get_mut(caller) else {
            return Ok(());
        };
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 > limit {
            let ends_ms = (window + 1) * period_ms;
            Err((ends_ms - now_ms).div_ceil(1000).max(1))
        } else {
            Ok(())
        }
    }
}
