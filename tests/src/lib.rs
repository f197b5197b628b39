//! Helpers for Edgewire's end-to-end tests (the tests themselves live in `tests/`).
//!
//! # Layout
//! - [`designs`]: the example and fixture designs every suite runs over.
//! - [`http`]: a tiny HTTP/1.1 client over `std::net` (one request per connection).
//! - [`process`]: child processes in their own process group, stopped as a group on drop.
//! - [`tooling`]: the pinned Node/wrangler toolchain the parity suite runs exports with.
//!
//! PostgreSQL comes from the engine's own test helper, `TestCluster` (its `test-support`
//! feature, turned on in this crate's `[dev-dependencies]`), shared with the engine's tests.

pub mod designs;
pub mod http;
pub mod process;
pub mod tooling;

/// Set in CI: a missing Node toolchain or PostgreSQL fails the parity suite instead of
/// skipping it.
pub const REQUIRE_PARITY_ENV: &str = "EDGEWIRE_REQUIRE_PARITY";

/// Whether missing tools must fail the suite.
pub fn parity_required() -> bool {
    std::env::var(REQUIRE_PARITY_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}
