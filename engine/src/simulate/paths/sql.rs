//! What a SQL statement does, as far as the simulator needs: whether it only reads, and the
//! rows a D1 statement reads and writes.

use crate::model::QueryMode;

use super::ALL_ROWS_READ;

/// The statement's words, upper case, outside quoted strings.
pub(super) fn sql_words(sql: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
        }
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch.to_ascii_uppercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
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
    let words = sql_words(sql);
    matches!(words.first().map(String::as_str), Some("SELECT" | "WITH"))
        && !words
            .iter()
            .any(|w| WRITES.contains(&w.as_str()) || VOLATILE.contains(&w.as_str()))
}

/// D1 rows read and written by one statement (the simulator's documented estimate).
pub(super) fn d1_rows(sql: &str, mode: QueryMode) -> (f64, f64) {
    let words = sql_words(sql);
    if is_read_only(sql) {
        let limit = words
            .iter()
            .position(|w| w == "LIMIT")
            .and_then(|i| words.get(i + 1))
            .and_then(|n| n.parse::<f64>().ok());
        let rows = match mode {
            QueryMode::First | QueryMode::Run => 1.0,
            QueryMode::All => limit.unwrap_or(ALL_ROWS_READ),
        };
        (rows, 0.0)
    } else {
        let finds_row = words
            .first()
            .is_some_and(|w| w == "UPDATE" || w == "DELETE");
        (if finds_row { 1.0 } else { 0.0 }, 1.0)
    }
}
