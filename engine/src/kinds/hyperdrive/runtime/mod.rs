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
//!
//! This file holds the origin, the pool and the cache; `cache.rs` says which queries may be
//! cached, `values.rs` sends parameters and decodes columns.

mod cache;
mod values;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use futures_util::{StreamExt as _, pin_mut};
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio_postgres::NoTls;
use tokio_postgres::types::{ToSql, Type};

use crate::model::{Hyperdrive, HyperdriveCaching, Node, NodeKind, Origin, QueryMode};

use crate::runtime::KindRuntime;
use crate::runtime::bindings::{Binding, BindingError, QueryOutput, SqlDatabase};
use crate::runtime::clock::Clock;
use crate::runtime::dispatch::Shared;
use crate::runtime::kind::{OpenStore, Store, StoreEnv};
use crate::runtime::postgres::cluster::{Cluster, ClusterOptions};
use crate::runtime::trace::CacheOutcome;

pub use cache::is_cacheable;
use values::{RawValue, TextParam, decode};

/// Connections per Hyperdrive pool.
const POOL_SIZE: usize = 16;
/// How long a query waits for a free connection, or for a new one.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a query waits for an `auto` origin that is still starting.
const START_WAIT: Duration = Duration::from_mins(1);
/// Most cached results per node; past this, expired entries are swept, then all.
const CACHE_CAPACITY: usize = 10_000;

/// The folder of private clusters in the state folder: `<state>/hyperdrive/<node>/`.
const STATE_FOLDER: &str = "hyperdrive";

impl KindRuntime for super::Def {
    fn state_folder(&self) -> Option<&'static str> {
        Some(STATE_FOLDER)
    }

    /// The pool connects later, in the background (`Store::start`).
    fn open<'a>(&self, node: &'a Node, env: &'a StoreEnv<'a>) -> OpenStore<'a> {
        async move {
            let NodeKind::Hyperdrive(spec) = &node.kind else {
                return Ok(None);
            };
            let dir = env.state_dir.join(STATE_FOLDER).join(&node.id);
            let hyperdrive = PgHyperdrive::new(&node.id, spec, env.secrets, dir, env.clock.clone());
            Ok(Some(hyperdrive as Arc<dyn Store>))
        }
        .boxed()
    }
}

impl Store for PgHyperdrive {
    fn binding(self: Arc<Self>) -> Binding {
        Binding::Hyperdrive {
            node: self.node.clone(),
            db: self,
        }
    }

    fn start(&self, engine: Weak<Shared>) {
        self.connect_in_background(engine);
    }

    fn settled(&self) -> BoxFuture<'_, ()> {
        self.wait_settled().boxed()
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        self.close().boxed()
    }
}

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
    fn connect_in_background(&self, engine: Weak<Shared>) {
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
    async fn wait_settled(&self) {
        let mut receiver = self.state.subscribe();
        let _ = tokio::time::timeout(
            START_WAIT,
            receiver.wait_for(|s| !matches!(s, OriginState::Starting)),
        )
        .await;
    }

    /// Close the pool and stop the private cluster.
    async fn close(&self) {
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
