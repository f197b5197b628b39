//! Hyperdrive: a real PostgreSQL connection pool (tokio-postgres + deadpool) in front of the
//! origin, with a query cache that follows Hyperdrive's documented rules.
//!
//! - Origin: the connection string in the named secret, or `auto`: a private cluster in
//!   `<state>/hyperdrive/<node>/` started in the background ([`crate::runtime::postgres::cluster`]),
//!   seeded once when it is new, stopped on shutdown. When PostgreSQL cannot be found, the
//!   node's queries answer 502 with a `help` that says what to install or set, and the
//!   rest of the design keeps working.
//! - Parameters are sent as text with types inferred by the server (as node-postgres does);
//!   `null` is SQL NULL, strings as is, everything else as its JSON text.
//! - Columns: int2/int4/float4/float8 -> numbers; int8, numeric, oid -> strings; bool ->
//!   boolean; json/jsonb -> JSON; text-like, date, time, timestamp(tz), uuid, bytea -> their
//!   PostgreSQL text form (timestamptz in UTC, `+00`); other types -> their text when the
//!   wire form is text, else `\x` + hex of the binary form.
//! - Cache: read-only queries (one statement starting with SELECT or WITH, no
//!   data-modifying keyword, no volatile function such as `now()` or `random()`) are cached
//!   by (SQL, parameters, mode) for `max_age_secs`; for `stale_while_revalidate_secs` more
//!   the stale result is returned while one background query refreshes it. Writes and
//!   volatile queries bypass the cache; caching can be turned off per node.
//! - A lost origin answers 502; the pool reconnects when it is back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error as StdError;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use bytes::BytesMut;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use futures_util::{StreamExt as _, pin_mut};
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio_postgres::NoTls;
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

use crate::model::{Hyperdrive, HyperdriveCaching, Origin, QueryMode};

use crate::runtime::bindings::{BindingError, QueryOutput, SqlDatabase};
use crate::runtime::clock::Clock;
use crate::runtime::dispatch::Shared;
use crate::runtime::postgres::cluster::{Cluster, ClusterOptions};
use crate::runtime::trace::CacheOutcome;

/// Connections per Hyperdrive pool.
const POOL_SIZE: usize = 16;
/// How long a query waits for a free connection, or for a new one.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a query waits for an `auto` origin that is still starting.
const START_WAIT: Duration = Duration::from_mins(1);
/// Most cached results per node; past this, expired entries are swept, then all.
const CACHE_CAPACITY: usize = 10_000;

#[derive(Clone)]
enum OriginState {
    Starting,
    Ready(Pool),
    Unavailable { message: String, help: String },
}

type CacheKey = (String, String, u8);

struct CacheEntry {
    output: QueryOutput,
    stored_at_ms: u64,
}

/// One Hyperdrive node.
pub struct PgHyperdrive {
    node: String,
    spec: Hyperdrive,
    connection_string: Option<String>,
    data_dir: PathBuf,
    state: watch::Sender<OriginState>,
    cluster: tokio::sync::Mutex<Option<Cluster>>,
    cache: Mutex<HashMap<CacheKey, CacheEntry>>,
    refreshing: Mutex<HashSet<CacheKey>>,
    clock: Arc<dyn Clock>,
    this: Weak<PgHyperdrive>,
}

impl PgHyperdrive {
    pub fn new(
        node: &str,
        spec: &Hyperdrive,
        secrets: &BTreeMap<String, String>,
        data_dir: PathBuf,
        clock: Arc<dyn Clock>,
    ) -> Arc<Self> {
        let connection_string = match &spec.origin {
            Origin::Auto => None,
            Origin::ConnectionString { secret } => {
                Some(secrets.get(secret).cloned().unwrap_or_default())
            }
        };
        let (state, _) = watch::channel(OriginState::Starting);
        Arc::new_cyclic(|this| Self {
            node: node.to_owned(),
            spec: spec.clone(),
            connection_string,
            data_dir,
            state,
            cluster: tokio::sync::Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
            refreshing: Mutex::new(HashSet::new()),
            clock,
            this: this.clone(),
        })
    }

    /// Connect (or start the private cluster) in the background.
    pub fn start(&self, engine: Weak<Shared>) {
        let Some(this) = self.this.upgrade() else {
            return;
        };
        tokio::spawn(async move {
            let state = this.connect().await;
            let message = match &state {
                OriginState::Ready(_) => format!("Hyperdrive `{}` is ready", this.node),
                OriginState::Unavailable { message, help } => {
                    tracing::warn!(node = %this.node, "{message}: {help}");
                    format!("{message}: {help}")
                }
                OriginState::Starting => String::new(),
            };
            if let Some(engine) = engine.upgrade() {
                engine.notice(&this.node, message);
            }
            let _ = this.state.send_replace(state);
        });
    }

    async fn connect(&self) -> OriginState {
        let url = if let Some(url) = &self.connection_string {
            url.clone()
        } else {
            let mut options = ClusterOptions::new(&self.data_dir);
            options.start_timeout = Duration::from_secs(30);
            match Cluster::start_async(options).await {
                Ok(cluster) => {
                    let url = cluster.connection_string();
                    let new = cluster.initialized_now();
                    *self.cluster.lock().await = Some(cluster);
                    if new
                        && !self.spec.seed.trim().is_empty()
                        && let Err(err) = self.seed(&url).await
                    {
                        return OriginState::Unavailable {
                            message: format!(
                                "Hyperdrive `{}`: the seed SQL failed on the private PostgreSQL",
                                self.node
                            ),
                            help: format!("{err}; fix the node's seed and restart with --fresh"),
                        };
                    }
                    url
                }
                Err(err) => {
                    return OriginState::Unavailable {
                        message: format!(
                            "Hyperdrive `{}`: cannot start a private PostgreSQL",
                            self.node
                        ),
                        help: err.to_string(),
                    };
                }
            }
        };
        match build_pool(&url) {
            Ok(pool) => OriginState::Ready(pool),
            Err(err) => OriginState::Unavailable {
                message: format!(
                    "Hyperdrive `{}`: the origin's connection string is invalid",
                    self.node
                ),
                help: format!(
                    "{err}; set the secret to a URL such as postgres://user:password@127.0.0.1:5432/db"
                ),
            },
        }
    }

    async fn seed(&self, url: &str) -> Result<(), tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let task = tokio::spawn(connection);
        let result = client.batch_execute(&self.spec.seed).await;
        drop(client);
        let _ = task.await;
        result
    }

    /// Wait until the origin is ready or known to be unavailable.
    pub async fn wait_settled(&self) {
        let mut receiver = self.state.subscribe();
        let _ = tokio::time::timeout(
            START_WAIT,
            receiver.wait_for(|s| !matches!(s, OriginState::Starting)),
        )
        .await;
    }

    /// Close the pool and stop the private cluster.
    pub async fn shutdown(&self) {
        self.wait_settled().await;
        if let OriginState::Ready(pool) = &*self.state.borrow() {
            pool.close();
        }
        let cluster = self.cluster.lock().await.take();
        if let Some(cluster) = cluster
            && let Err(err) = cluster.stop_async().await
        {
            tracing::warn!(node = %self.node, "stopping the private PostgreSQL failed: {err}");
        }
    }

    async fn pool(&self) -> Result<Pool, BindingError> {
        self.wait_settled().await;
        match &*self.state.borrow() {
            OriginState::Ready(pool) => Ok(pool.clone()),
            OriginState::Unavailable { message, help } => Err(BindingError::Unavailable {
                message: message.clone(),
                help: Some(help.clone()),
            }),
            OriginState::Starting => Err(BindingError::Unavailable {
                message: format!("Hyperdrive `{}`: the origin is still starting", self.node),
                help: None,
            }),
        }
    }

    fn caching(&self) -> &HyperdriveCaching {
        &self.spec.caching
    }

    fn store(&self, key: CacheKey, output: &QueryOutput) {
        let now = self.clock.now_millis();
        let keep_ms = u64::from(self.caching().max_age_secs)
            .saturating_add(u64::from(self.caching().stale_while_revalidate_secs))
            * 1000;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_CAPACITY {
                cache.retain(|_, e| now.saturating_sub(e.stored_at_ms) < keep_ms);
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
            }
            cache.insert(
                key,
                CacheEntry {
                    output: output.clone(),
                    stored_at_ms: now,
                },
            );
        }
    }

    fn refresh_in_background(&self, key: CacheKey, params: Vec<Value>, mode: QueryMode) {
        let fresh_claim = self
            .refreshing
            .lock()
            .is_ok_and(|mut r| r.insert(key.clone()));
        let Some(this) = self.this.upgrade() else {
            return;
        };
        if !fresh_claim {
            return;
        }
        tokio::spawn(async move {
            let result = this.origin_query(&key.0, &params, mode).await;
            match result {
                Ok(output) => this.store(key.clone(), &output),
                Err(err) => {
                    tracing::warn!(node = %this.node, "background cache refresh failed: {err}");
                }
            }
            if let Ok(mut refreshing) = this.refreshing.lock() {
                refreshing.remove(&key);
            }
        });
    }

    async fn origin_query(
        &self,
        sql: &str,
        params: &[Value],
        mode: QueryMode,
    ) -> Result<QueryOutput, BindingError> {
        let pool = self.pool().await?;
        let unreachable = |err: &dyn std::fmt::Display| BindingError::Unavailable {
            message: format!(
                "Hyperdrive `{}`: cannot reach the origin database: {err}",
                self.node
            ),
            help: None,
        };
        let client = pool.get().await.map_err(|e| unreachable(&e))?;
        let classify = |err: tokio_postgres::Error| {
            if err.as_db_error().is_some() {
                BindingError::failed(format!("Hyperdrive `{}`: {err}", self.node))
            } else {
                unreachable(&err)
            }
        };
        let statement = client.prepare_cached(sql).await.map_err(classify)?;
        let params: Vec<TextParam> = params.iter().map(TextParam::from_json).collect();
        let stream = client
            .query_raw(&statement, params.iter().map(|p| p as &dyn ToSql))
            .await
            .map_err(classify)?;
        pin_mut!(stream);
        let columns: Vec<(String, Type)> = statement
            .columns()
            .iter()
            .map(|c| (c.name().to_owned(), c.type_().clone()))
            .collect();
        let mut rows = Vec::new();
        while let Some(row) = stream.next().await {
            let row = row.map_err(classify)?;
            let mut object = Map::with_capacity(columns.len());
            for (index, (name, ty)) in columns.iter().enumerate() {
                let raw: RawValue = row
                    .try_get(index)
                    .map_err(|e| BindingError::failed(format!("column `{name}`: {e}")))?;
                object.insert(name.clone(), decode(ty, raw.0.as_deref()));
            }
            rows.push(Value::Object(object));
        }
        let changes = stream.rows_affected().unwrap_or(0);
        let count = rows.len() as u64;
        let value = match mode {
            QueryMode::First => rows.into_iter().next().unwrap_or(Value::Null),
            QueryMode::All => Value::Array(rows),
            QueryMode::Run => json!({ "changes": changes }),
        };
        Ok(QueryOutput {
            value,
            rows: count,
            meta: None,
            cache: None,
        })
    }
}

impl SqlDatabase for PgHyperdrive {
    fn query(
        &self,
        sql: String,
        params: Vec<Value>,
        mode: QueryMode,
    ) -> BoxFuture<'_, Result<QueryOutput, BindingError>> {
        async move {
            let cacheable = self.caching().enabled && is_cacheable(&sql);
            if !cacheable {
                let mut output = self.origin_query(&sql, &params, mode).await?;
                output.cache = Some(CacheOutcome::Bypass);
                return Ok(output);
            }
            let key: CacheKey = (
                sql.clone(),
                Value::Array(params.clone()).to_string(),
                mode as u8,
            );
            let now = self.clock.now_millis();
            let max_age_ms = u64::from(self.caching().max_age_secs) * 1000;
            let stale_ms =
                max_age_ms + u64::from(self.caching().stale_while_revalidate_secs) * 1000;
            let cached = self.cache.lock().ok().and_then(|cache| {
                cache
                    .get(&key)
                    .map(|e| (e.output.clone(), now.saturating_sub(e.stored_at_ms)))
            });
            if let Some((mut output, age_ms)) = cached {
                if age_ms < max_age_ms {
                    output.cache = Some(CacheOutcome::Hit);
                    return Ok(output);
                }
                if age_ms < stale_ms {
                    self.refresh_in_background(key, params, mode);
                    output.cache = Some(CacheOutcome::Stale);
                    return Ok(output);
                }
            }
            let mut output = self.origin_query(&sql, &params, mode).await?;
            self.store(key, &output);
            output.cache = Some(CacheOutcome::Miss);
            Ok(output)
        }
        .boxed()
    }
}

fn build_pool(url: &str) -> Result<Pool, String> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| e.to_string())?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .build()
        .map_err(|e| e.to_string())
}

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

/// A parameter sent in text format, its type inferred by the server.
#[derive(Debug)]
struct TextParam(Option<String>);

impl TextParam {
    fn from_json(value: &Value) -> Self {
        Self(match value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(crate::runtime::json::value_text(other)),
        })
    }
}

impl ToSql for TextParam {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match &self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> tokio_postgres::types::Format {
        tokio_postgres::types::Format::Text
    }

    to_sql_checked!();
}

/// A column's bytes as sent (binary format), whatever its type.
struct RawValue(Option<Vec<u8>>);

impl<'a> FromSql<'a> for RawValue {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Self(Some(raw.to_vec())))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Self(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn be<const N: usize>(raw: &[u8]) -> Option<[u8; N]> {
    raw.get(..N).and_then(|s| s.try_into().ok())
}

fn hex(raw: &[u8]) -> String {
    let mut out = String::with_capacity(2 + raw.len() * 2);
    out.push_str("\\x");
    for byte in raw {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Decode one binary-format column value as the handler docs say.
pub fn decode(ty: &Type, raw: Option<&[u8]>) -> Value {
    let Some(raw) = raw else {
        return Value::Null;
    };
    let text = || Value::String(String::from_utf8_lossy(raw).into_owned());
    let decoded = match *ty {
        Type::BOOL => raw.first().map(|b| Value::Bool(*b != 0)),
        Type::INT2 => be::<2>(raw).map(|b| json!(i16::from_be_bytes(b))),
        Type::INT4 => be::<4>(raw).map(|b| json!(i32::from_be_bytes(b))),
        Type::INT8 => be::<8>(raw).map(|b| Value::String(i64::from_be_bytes(b).to_string())),
        Type::OID => be::<4>(raw).map(|b| Value::String(u32::from_be_bytes(b).to_string())),
        Type::FLOAT4 => be::<4>(raw).map(|b| {
            serde_json::Number::from_f64(f64::from(f32::from_be_bytes(b)))
                .map_or(Value::Null, Value::Number)
        }),
        Type::FLOAT8 => be::<8>(raw).map(|b| {
            serde_json::Number::from_f64(f64::from_be_bytes(b)).map_or(Value::Null, Value::Number)
        }),
        Type::NUMERIC => numeric_text(raw).map(Value::String),
        Type::JSON => serde_json::from_slice(raw).ok(),
        Type::JSONB => raw.get(1..).and_then(|r| serde_json::from_slice(r).ok()),
        Type::DATE => be::<4>(raw).map(|b| Value::String(date_text(i32::from_be_bytes(b)))),
        Type::TIME => be::<8>(raw).map(|b| Value::String(time_text(i64::from_be_bytes(b)))),
        Type::TIMESTAMP => {
            be::<8>(raw).map(|b| Value::String(timestamp_text(i64::from_be_bytes(b))))
        }
        Type::TIMESTAMPTZ => be::<8>(raw).map(|b| {
            let micros = i64::from_be_bytes(b);
            let mut text = timestamp_text(micros);
            if micros != i64::MAX && micros != i64::MIN {
                text.push_str("+00");
            }
            Value::String(text)
        }),
        Type::UUID => (raw.len() == 16).then(|| {
            let h = hex(raw);
            let h = &h[2..];
            Value::String(format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            ))
        }),
        Type::BYTEA => Some(Value::String(hex(raw))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::XML => {
            Some(text())
        }
        _ => {
            let text_like = matches!(ty.kind(), Kind::Enum(_))
                || ["citext", "ltree", "lquery"].contains(&ty.name());
            Some(if text_like {
                text()
            } else {
                Value::String(hex(raw))
            })
        }
    };
    decoded.unwrap_or(Value::Null)
}

/// PostgreSQL's text form of a binary NUMERIC.
fn numeric_text(raw: &[u8]) -> Option<String> {
    let ndigits = usize::try_from(i16::from_be_bytes(be::<2>(raw)?)).ok()?;
    let weight = i32::from(i16::from_be_bytes(be::<2>(raw.get(2..)?)?));
    let sign = u16::from_be_bytes(be::<2>(raw.get(4..)?)?);
    let dscale = usize::from(u16::from_be_bytes(be::<2>(raw.get(6..)?)?));
    match sign {
        0xC000 => return Some("NaN".to_owned()),
        0xD000 => return Some("Infinity".to_owned()),
        0xF000 => return Some("-Infinity".to_owned()),
        _ => {}
    }
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        digits.push(i16::from_be_bytes(be::<2>(raw.get(8 + i * 2..)?)?));
    }
    let digit = |index: i32| -> i16 {
        usize::try_from(index)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for index in 0..=weight {
            if index == 0 {
                out.push_str(&digit(index).to_string());
            } else {
                let _ = write!(out, "{:04}", digit(index));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut fraction = String::new();
        let mut index = weight + 1;
        while fraction.len() < dscale {
            let _ = write!(fraction, "{:04}", digit(index));
            index += 1;
        }
        fraction.truncate(dscale);
        out.push_str(&fraction);
    }
    Some(out)
}

/// Days since 1970-01-01 -> (year, month, day) (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if m <= 2 { y + 1 } else { y };
    (
        year,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch).
const PG_EPOCH_DAYS: i64 = 10_957;

fn date_text(days: i32) -> String {
    match days {
        i32::MAX => "infinity".to_owned(),
        i32::MIN => "-infinity".to_owned(),
        _ => {
            let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

fn time_text(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let mut out = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!(".{frac:06}");
        out.push_str(f.trim_end_matches('0'));
    }
    out
}

fn timestamp_text(micros: i64) -> String {
    match micros {
        i64::MAX => "infinity".to_owned(),
        i64::MIN => "-infinity".to_owned(),
        _ => {
            let days = micros.div_euclid(86_400_000_000);
            let rest = micros.rem_euclid(86_400_000_000);
            format!("{} {}", date_text_days(days), time_text(rest))
        }
    }
}

fn date_text_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days + PG_EPOCH_DAYS);
    format!("{y:04}-{m:02}-{d:02}")
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

    #[test]
    fn numerics_keep_their_digits() {
        // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
        let raw = [0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c];
        assert_eq!(numeric_text(&raw).as_deref(), Some("12345.678"));
        // -0.05: ndigits 1, weight -1, sign -, dscale 2, digits 500
        let raw = [0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x01, 0xf4];
        assert_eq!(numeric_text(&raw).as_deref(), Some("-0.05"));
    }

    #[test]
    fn dates_and_timestamps_use_postgres_text_form() {
        assert_eq!(date_text(0), "2000-01-01");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(
            timestamp_text(86_400_000_000 + 3_723_500_000),
            "2000-01-02 01:02:03.5"
        );
        assert_eq!(decode(&Type::INT8, Some(&7i64.to_be_bytes())), json!("7"));
        assert_eq!(decode(&Type::INT4, Some(&7i32.to_be_bytes())), json!(7));
    }
}
