//! KV namespaces: one SQLite file per KV node (`<state>/kv/<node>.sqlite3`), with every live
//! entry also held in memory so that reads never wait for SQLite. Writes go through the
//! file's thread first, then update memory, in order.
//!
//! Limits are the platform's ([`crate::semantics`]): keys up to 512 bytes (not empty, not
//! `.` or `..`), values up to 25 MiB, expiration TTL at least 60 seconds.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use rusqlite::{OptionalExtension as _, params};

use crate::model::{KvEntry, Node, NodeKind};
use crate::semantics::{KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES, KV_MIN_TTL_SECS};

use crate::runtime::KindRuntime;
use crate::runtime::bindings::{Binding, BindingError, JsonText, KvNamespace};
use crate::runtime::clock::Clock;
use crate::runtime::kind::{OpenStore, Store, StoreEnv};
use crate::runtime::options::store_error;
use crate::runtime::sqlite::SqliteThread;

/// The folder of KV files in the state folder: `<state>/kv/<node>.sqlite3`.
const STATE_FOLDER: &str = "kv";

impl KindRuntime for super::Def {
    fn state_folder(&self) -> Option<&'static str> {
        Some(STATE_FOLDER)
    }

    fn open<'a>(&self, node: &'a Node, env: &'a StoreEnv<'a>) -> OpenStore<'a> {
        async move {
            let NodeKind::Kv(spec) = &node.kind else {
                return Ok(None);
            };
            let path = env.sqlite_file(STATE_FOLDER, &node.id)?;
            let kv = SqliteKv::open(&node.id, &path, &spec.seed, env.clock.clone())
                .await
                .map_err(store_error(&node.id))?;
            Ok(Some(Arc::new(kv) as Arc<dyn Store>))
        }
        .boxed()
    }
}

impl Store for SqliteKv {
    fn binding(self: Arc<Self>) -> Binding {
        Binding::Kv {
            node: self.node.clone(),
            kv: self,
        }
    }

    /// Flush and close the file.
    fn close_blocking(&self) {
        self.db.close_blocking();
    }
}

#[derive(Debug, Clone)]
struct Entry {
    value: Arc<str>,
    /// The value parsed as JSON, filled by the first JSON read (a put makes a new entry).
    json: Arc<OnceLock<JsonText>>,
    /// Milliseconds since the Unix epoch.
    expires_at_ms: Option<u64>,
}

impl Entry {
    fn new(value: String, expires_at_ms: Option<u64>) -> Self {
        Self {
            value: value.into(),
            json: Arc::default(),
            expires_at_ms,
        }
    }
}

impl Entry {
    fn live(&self, now_ms: u64) -> bool {
        self.expires_at_ms.is_none_or(|at| at > now_ms)
    }
}

type Entries = Arc<RwLock<BTreeMap<String, Entry>>>;

/// A KV namespace persisted in SQLite.
pub struct SqliteKv {
    node: String,
    entries: Entries,
    db: SqliteThread,
    clock: Arc<dyn Clock>,
}

fn check_key(key: &str) -> Result<(), BindingError> {
    if key.is_empty() || key == "." || key == ".." {
        return Err(BindingError::failed(format!(
            "KV key `{key}` is not allowed: keys must not be empty, `.` or `..`"
        )));
    }
    if key.len() > KV_MAX_KEY_BYTES {
        return Err(BindingError::failed(format!(
            "KV key is {} bytes long; the platform's limit is {KV_MAX_KEY_BYTES} bytes",
            key.len()
        )));
    }
    Ok(())
}

impl SqliteKv {
    /// Open the namespace's file, creating it (and loading `seed`) on first start.
    pub async fn open(
        node: &str,
        path: &Path,
        seed: &[KvEntry],
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let db = SqliteThread::open(path, node)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let seed = seed.to_vec();
        let loaded = db
            .call(move |conn| -> rusqlite::Result<Vec<(String, String, Option<u64>)>> {
                conn.execute_batch(
                    "CREATE TABLE IF NOT EXISTS kv (
                       key TEXT PRIMARY KEY NOT NULL,
                       value TEXT NOT NULL,
                       expires_at_ms INTEGER
                     );
                     CREATE TABLE IF NOT EXISTS edgewire_meta (
                       name TEXT PRIMARY KEY NOT NULL,
                       value TEXT NOT NULL
                     );",
                )?;
                let seeded: Option<String> = conn
                    .query_row(
                        "SELECT value FROM edgewire_meta WHERE name = 'seeded'",
                        [],
                        |row| row.get(0),
                    )
                    .optional()?;
                if seeded.is_none() {
                    let tx = conn.transaction()?;
                    for entry in &seed {
                        tx.execute(
                            "INSERT OR REPLACE INTO kv (key, value, expires_at_ms) VALUES (?1, ?2, NULL)",
                            params![entry.key, entry.value],
                        )?;
                    }
                    tx.execute(
                        "INSERT INTO edgewire_meta (name, value) VALUES ('seeded', '1')",
                        [],
                    )?;
                    tx.commit()?;
                }
                let mut stmt = conn.prepare("SELECT key, value, expires_at_ms FROM kv")?;
                let rows = stmt.query_map([], |row| {
                    let expires: Option<i64> = row.get(2)?;
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        expires.and_then(|e| u64::try_from(e).ok()),
                    ))
                })?;
                rows.collect()
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let entries = loaded
            .into_iter()
            .map(|(key, value, expires_at_ms)| (key, Entry::new(value, expires_at_ms)))
            .collect();
        Ok(Self {
            node: node.to_owned(),
            entries: Arc::new(RwLock::new(entries)),
            db,
            clock,
        })
    }

    /// The entry under `key` unless it expired (a copy of its `Arc`s).
    fn live_entry(&self, key: &str) -> Result<Option<Entry>, BindingError> {
        check_key(key)?;
        let now = self.clock.now_millis();
        Ok(self
            .entries
            .read()
            .ok()
            .and_then(|entries| entries.get(key).filter(|e| e.live(now)).cloned()))
    }

    fn db_error(&self, err: impl std::fmt::Display) -> BindingError {
        BindingError::failed(format!("KV namespace `{}`: {err}", self.node))
    }
}

impl KvNamespace for SqliteKv {
    fn get(&self, key: String) -> BoxFuture<'_, Result<Option<Arc<str>>, BindingError>> {
        let result = self.live_entry(&key).map(|entry| entry.map(|e| e.value));
        futures_util::future::ready(result).boxed()
    }

    fn get_json(&self, key: String) -> BoxFuture<'_, Result<Option<JsonText>, BindingError>> {
        let result = self
            .live_entry(&key)
            .map(|entry| entry.map(|e| e.json.get_or_init(|| JsonText::parse(&e.value)).clone()));
        futures_util::future::ready(result).boxed()
    }

    fn put(
        &self,
        key: String,
        value: String,
        ttl_secs: Option<u32>,
    ) -> BoxFuture<'_, Result<(), BindingError>> {
        async move {
            check_key(&key)?;
            if value.len() > KV_MAX_VALUE_BYTES {
                return Err(BindingError::failed(format!(
                    "KV value is {} bytes long; the platform's limit is {KV_MAX_VALUE_BYTES} bytes (25 MiB)",
                    value.len()
                )));
            }
            if let Some(ttl) = ttl_secs
                && ttl < KV_MIN_TTL_SECS
            {
                return Err(BindingError::failed(format!(
                    "KV expiration TTL is {ttl} s; the platform's minimum is {KV_MIN_TTL_SECS} s"
                )));
            }
            let expires_at_ms =
                ttl_secs.map(|ttl| self.clock.now_millis() + u64::from(ttl) * 1000);
            let entries = self.entries.clone();
            self.db
                .call(move |conn| -> rusqlite::Result<()> {
                    conn.prepare_cached(
                        "INSERT OR REPLACE INTO kv (key, value, expires_at_ms) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![
                        key,
                        value,
                        expires_at_ms.and_then(|e| i64::try_from(e).ok())
                    ])?;
                    if let Ok(mut entries) = entries.write() {
                        entries.insert(
                            key,
                            Entry::new(value, expires_at_ms),
                        );
                    }
                    Ok(())
                })
                .await
                .map_err(|e| self.db_error(e))?
                .map_err(|e| self.db_error(e))
        }
        .boxed()
    }

    fn delete(&self, key: String) -> BoxFuture<'_, Result<(), BindingError>> {
        async move {
            check_key(&key)?;
            let entries = self.entries.clone();
            self.db
                .call(move |conn| -> rusqlite::Result<()> {
                    conn.prepare_cached("DELETE FROM kv WHERE key = ?1")?
                        .execute(params![key])?;
                    if let Ok(mut entries) = entries.write() {
                        entries.remove(&key);
                    }
                    Ok(())
                })
                .await
                .map_err(|e| self.db_error(e))?
                .map_err(|e| self.db_error(e))
        }
        .boxed()
    }

    fn list(
        &self,
        prefix: String,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<String>, BindingError>> {
        let now = self.clock.now_millis();
        let keys = self
            .entries
            .read()
            .map(|entries| {
                entries
                    .range(prefix.clone()..)
                    .take_while(|(key, _)| key.starts_with(&prefix))
                    .filter(|(_, entry)| entry.live(now))
                    .map(|(key, _)| key.clone())
                    .take(limit)
                    .collect()
            })
            .map_err(|_| self.db_error("the namespace is unusable after a crash"));
        futures_util::future::ready(keys).boxed()
    }
}
