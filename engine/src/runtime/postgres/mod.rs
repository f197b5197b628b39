//! PostgreSQL helpers for Hyperdrive: the private throwaway cluster behind `Origin::Auto`.

pub mod cluster;
