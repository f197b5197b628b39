//! What the SQL rules keep: each D1 database rebuilt in SQLite (kept for the process, found
//! by each run's slot of the D1 node), and per thread the answers for each SQL text already
//! seen. The types live here, below the rules; the D1 rules (`d1.rs`) build and query the
//! databases, the Hyperdrive rules (`hyperdrive.rs`) scan the placeholders.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use rusqlite::Connection;

use super::FastMap;

/// The database of one D1 node in one run, found or built by the first thread that needs it
/// (see `d1.rs`).
#[derive(Default)]
pub(crate) struct D1Slot {
    pub database: OnceLock<Arc<Database>>,
    /// Whether a D1 step used the database.
    pub used: AtomicBool,
}

/// One D1 database rebuilt in memory from its migrations and seed (see `d1.rs`): what went
/// wrong, and the SQL texts prepared against it. Any D1 node with the same texts shares it.
pub(crate) struct Database {
    pub failure: Option<BuildFailure>,
    statements: Mutex<Statements>,
}

/// Why a D1 database is not as its migrations and seed say.
pub(crate) enum BuildFailure {
    /// SQLite could not start.
    NoSqlite(String),
    /// The migration at this position failed; the later ones did not run.
    Migration { index: usize, message: String },
    /// The seed failed after the migrations, which stand.
    Seed(String),
}

/// The connection (`None` when SQLite could not start or a migration failed) and what each
/// SQL text prepared against it needs.
pub(crate) struct Statements {
    pub conn: Option<Connection>,
    pub prepared: FastMap<String, Prepared>,
}

impl Database {
    pub fn new(failure: Option<BuildFailure>, conn: Option<Connection>) -> Self {
        Self {
            failure,
            statements: Mutex::new(Statements {
                conn,
                prepared: FastMap::default(),
            }),
        }
    }

    /// The statements, locked. A rule that panicked while holding them cannot have left them
    /// half-changed in a way that matters (they are a cache), so poison is ignored.
    pub fn statements(&self) -> MutexGuard<'_, Statements> {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Steps through SQL text outside its comments (`--` to the end of the line, `/* */`, alike
/// in SQLite and PostgreSQL) and quoted parts (between two of a `quotes` character; a doubled
/// quote escapes itself, so skipping to the next one works): `visit(i)` sees each other byte
/// position and returns where to go on, `i + 1` for the next byte.
pub(crate) fn scan_sql(sql: &str, quotes: &[u8], mut visit: impl FnMut(usize) -> usize) {
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = match (bytes[i], bytes.get(i + 1)) {
            (b'-', Some(b'-')) => bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |end| i + end),
            (b'/', Some(b'*')) => sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |end| i + 2 + end + 2),
            (quote, _) if quotes.contains(&quote) => bytes[i + 1..]
                .iter()
                .position(|&b| b == quote)
                .map_or(bytes.len(), |end| i + 1 + end + 1),
            _ => visit(i),
        };
    }
}

/// What a prepared SQL text needs.
#[derive(Clone)]
pub(crate) enum Prepared {
    Parameters(usize),
    Failed(String),
}

/// The `$n` numbers of a statement: bits for the usual small numbers, a set otherwise
/// (scanned by the Hyperdrive rules, `hyperdrive.rs`).
pub(crate) enum Numbers {
    Bits(u64),
    Set(BTreeSet<u32>),
}

impl Numbers {
    pub fn contains(&self, n: u32) -> bool {
        match self {
            Numbers::Bits(bits) => n < 64 && bits & (1 << n) != 0,
            Numbers::Set(set) => set.contains(&n),
        }
    }

    /// The highest number, 0 when there is none.
    pub fn highest(&self) -> u32 {
        match self {
            Numbers::Bits(0) => 0,
            Numbers::Bits(bits) => 63 - bits.leading_zeros(),
            Numbers::Set(set) => set.last().copied().unwrap_or(0),
        }
    }
}

/// What one thread of the Worker pass remembers from step to step: results that depend only
/// on a step's SQL text, worked out once per thread.
#[derive(Default)]
pub(crate) struct Memo<'a> {
    /// By (D1 node id, SQL text): what the SQL needs, `None` when the database could not be
    /// built (see `d1`).
    pub d1: FastMap<(&'a str, &'a str), Option<Prepared>>,
    /// By Hyperdrive SQL text: its `$n` numbers and how many `?` it holds (see `hyperdrive`).
    pub placeholders: FastMap<&'a str, (Numbers, usize)>,
}
