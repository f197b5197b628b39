//! Which queries Hyperdrive may cache: one read-only statement without volatile functions.

/// Words that make a query a write (or lock rows), so it is never cached.
const WRITE_WORDS: [&str; 17] = [
    "insert", "update", "delete", "merge", "create", "alter", "drop", "truncate", "grant",
    "revoke", "copy", "call", "lock", "vacuum", "refresh", "share", "into",
];

/// Functions whose result changes from call to call; Hyperdrive does not cache them.
const VOLATILE_WORDS: [&str; 20] = [
    "now",
    "random",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "current_timestamp",
    "current_time",
    "current_date",
    "localtime",
    "localtimestamp",
    "nextval",
    "currval",
    "setval",
    "lastval",
    "gen_random_uuid",
    "uuid_generate_v4",
    "txid_current",
    "pg_sleep",
    "setseed",
];

/// Whether Hyperdrive may cache this query (a conservative read-only check).
pub fn is_cacheable(sql: &str) -> bool {
    let trimmed = sql.trim().trim_end_matches(';').trim_end();
    if trimmed.contains(';') {
        return false;
    }
    let lower = trimmed.to_ascii_lowercase();
    let mut words = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    if !matches!(words.next(), Some("select" | "with")) {
        return false;
    }
    !words.any(|w| WRITE_WORDS.contains(&w) || VOLATILE_WORDS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cacheable_queries_are_single_reads_without_volatile_functions() {
        assert!(is_cacheable("SELECT id FROM orders WHERE id = $1"));
        assert!(is_cacheable("with x as (select 1) select * from x;"));
        assert!(!is_cacheable("UPDATE orders SET status = 'x'"));
        assert!(!is_cacheable("SELECT now()"));
        assert!(!is_cacheable("SELECT random() AS r"));
        assert!(!is_cacheable("SELECT 1; DELETE FROM orders"));
        assert!(!is_cacheable("SELECT * FROM orders FOR UPDATE"));
        assert!(!is_cacheable(
            "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"
        ));
    }
}
