//! What the SQL rules keep per run and per thread: each D1 node's database rebuilt in SQLite
//! (shared by the threads), and per thread the answers for each SQL text already seen. The
//! types live here, below the rules; the D1 rules (`d1.rs`) build and query the databases,
//! the Hyperdrive rules (`hyperdrive.rs`) scan the placeholders.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::FastMap;

/// The database of one D1 node, rebuilt in SQLite once per run by the first thread that needs
/// it (see `d1.rs`).
#[derive(Default)]
pub(crate) struct D1Slot<'a> {
    database: Mutex<Option<Database<'a>>>,
    /// Whether a D1 step used the database.
    pub used: AtomicBool,
}

impl<'a> D1Slot<'a> {
    /// The database, `None` until built. A rule that panicked while holding it cannot have
    /// left it half-changed in a way that matters (it is a cache), so poison is ignored.
    pub fn database(&self) -> MutexGuard<'_, Option<Database<'a>>> {
        self.database.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One D1 database rebuilt in memory, with the SQL texts already prepared against it (built
/// and queried by the D1 rules, `d1.rs`).
pub(crate) struct Database<'a> {
    /// `None` when SQLite could not start or a migration failed (already reported).
    pub conn: Option<Connection>,
    pub prepared: FastMap<&'a str, Prepared>,
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
