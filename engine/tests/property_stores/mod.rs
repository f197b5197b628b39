//! The properties' generators of stores and of code Workers' parts (format version 3), kept
//! apart so that `properties.rs` stays one screenful of concerns.

use edgewire_engine::NodeKind;
use edgewire_engine::model::{
    BindingUse, Code, D1, Hyperdrive, HyperdriveCaching, Kv, KvEntry, Migration, Origin,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::text;

/// A code Worker's part (format version 3).
pub fn code() -> impl Strategy<Value = Code> {
    (
        text(),
        text(),
        any::<bool>(),
        vec(text(), 0..2),
        vec((text(), 0u32..5, any::<bool>()), 0..3),
    )
        .prop_map(|(source, config, external, names, uses)| Code {
            source,
            config,
            external,
            compatibility_date: "2025-10-01".to_owned(),
            compatibility_flags: names.clone(),
            vars: names.clone(),
            secrets: names,
            typical: uses
                .into_iter()
                .map(|(binding, times, writes)| BindingUse {
                    binding,
                    times,
                    writes,
                })
                .collect(),
        })
}

pub fn store() -> impl Strategy<Value = NodeKind> {
    let kv = (
        vec(
            (text(), text()).prop_map(|(key, value)| KvEntry { key, value }),
            0..3,
        ),
        option::of(text()),
    )
        .prop_map(|(seed, id)| NodeKind::Kv(Kv { id, seed }));
    let d1 = (
        vec(
            (text(), text()).prop_map(|(name, sql)| Migration { name, sql }),
            0..3,
        ),
        text(),
        option::of(text()),
        any::<bool>(),
        option::of(text()),
    )
        .prop_map(|(migrations, seed, location_hint, read_replication, id)| {
            NodeKind::D1(D1 {
                database_name: id.clone(),
                database_id: id,
                migrations,
                seed,
                location_hint,
                read_replication,
            })
        });
    let hyperdrive = (
        option::of(text()),
        text(),
        any::<bool>(),
        0u32..10_000,
        0u32..10_000,
        text(),
        option::of(text()),
    )
        .prop_map(
            |(secret, origin_region, enabled, max_age, swr, seed, config_id)| {
                NodeKind::Hyperdrive(Hyperdrive {
                    config_id,
                    origin: secret
                        .map_or(Origin::Auto, |secret| Origin::ConnectionString { secret }),
                    origin_region,
                    caching: HyperdriveCaching {
                        enabled,
                        max_age_secs: max_age,
                        stale_while_revalidate_secs: swr,
                    },
                    seed,
                })
            },
        );
    prop_oneof![kv, d1, hyperdrive]
}
