//! What a SQL statement does, as far as the simulator needs: whether it only reads, and the
//! rows a D1 statement reads and writes.

use crate::model::QueryMode;

use super::ALL_ROWS_READ;

/// The statement's words (runs of ASCII letters, digits and `_`) outside quoted strings, as
/// written: compare them with `eq_ignore_ascii_case`. Borrowed, so asking costs no allocation.
pub(super) fn sql_words(sql: &str) -> impl Iterator<Item = &str> {
    let bytes = sql.as_bytes();
    let mut at = 0;
    let mut quote: Option<u8> = None;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let b = bytes[at];
            if let Some(q) = quote {
                if b == q {
                    quote = None;
                }
                at += 1;
                continue;
            }
            if b == b'\'' || b == b'"' {
                quote = Some(b);
                at += 1;
                continue;
            }
            if b.is_ascii_alphanumeric() || b == b'_' {
                let start = at;
                while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                    at += 1;
                }
                return Some(&sql[start..at]);
            }
            at += 1;
        }
        None
    })
}

/// Whether a statement only reads: it starts with SELECT (or WITH) and writes nothing.
/// For PostgreSQL, calls to volatile functions also make a query uncacheable.
pub fn is_read_only(sql: &str) -> bool {
    const WRITES: [&str; 10] = [
        "INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "MERGE",
        "TRUNCATE",
    ];
    const VOLATILE: [&str; 7] = [
        "NEXTVAL",
        "LASTVAL",
        "CURRVAL",
        "SETVAL",
        "RANDOM",
        "CLOCK_TIMESTAMP",
        "GEN_RANDOM_UUID",
    ];
    let mut words = sql_words(sql);
    let is = |word: &str, set: &[&str]| set.iter().any(|s| s.eq_ignore_ascii_case(word));
    words
        .next()
        .is_some_and(|first| is(first, &["SELECT", "WITH"]))
        && !words.any(|w| is(w, &WRITES) || is(w, &VOLATILE))
}

/// D1 rows read and written by one statement (the simulator's documented estimate).
pub(super) fn d1_rows(sql: &str, mode: QueryMode) -> (f64, f64) {
    if is_read_only(sql) {
        let mut words = sql_words(sql);
        let limit = words
            .find(|w| w.eq_ignore_ascii_case("LIMIT"))
            .and_then(|_| words.next())
            .and_then(|n| n.parse::<f64>().ok());
        let rows = match mode {
            QueryMode::First | QueryMode::Run => 1.0,
            QueryMode::All => limit.unwrap_or(ALL_ROWS_READ),
        };
        (rows, 0.0)
    } else {
        let finds_row = sql_words(sql)
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("UPDATE") || w.eq_ignore_ascii_case("DELETE"));
        (if finds_row { 1.0 } else { 0.0 }, 1.0)
    }
}
