//! D1 databases: one real SQLite file per D1 node (`<state>/d1/<node>.sqlite3`), owned by
//! its own thread.
//!
//! On open, migrations are applied in order, each once, and recorded like wrangler does in
//! a `d1_migrations` table (`id`, `name` = `0001_create_users.sql`, `applied_at`). The seed
//! runs once, right after the migrations of a new database.
//!
//! The trace's `meta` follows D1's result meta: `changes`, `last_row_id`, `rows_read`
//! (rows returned; SQLite does not count rows scanned), `rows_written` (rows changed) and
//! `duration` (milliseconds).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use crate::model::{D1, Node, NodeKind, QueryMode};

use crate::runtime::KindRuntime;
use crate::runtime::bindings::{Binding, BindingError, QueryOutput, SqlDatabase};
use crate::runtime::kind::{OpenStore, Store, StoreEnv};
use crate::runtime::options::store_error;
use crate::runtime::sqlite::SqliteThread;

/// The folder of D1 files in the state folder: `<state>/d1/<node>.sqlite3`.
const STATE_FOLDER: &str = "d1";

impl KindRuntime for super::Def {
    fn state_folder(&self) -> Option<&'static str> {
        Some(STATE_FOLDER)
    }

    fn open<'a>(&self, node: &'a Node, env: &'a StoreEnv<'a>) -> OpenStore<'a> {
        async move {
            let NodeKind::D1(spec) = &node.kind else {
                return Ok(None);
            };
            let path = env.sqlite_file(STATE_FOLDER, &node.id)?;
            let db = SqliteD1::open(&node.id, &path, spec)
                .await
                .map_err(store_error(&node.id))?;
            Ok(Some(Arc::new(db) as Arc<dyn Store>))
        }
        .boxed()
    }
}

impl Store for SqliteD1 {
    fn binding(self: Arc<Self>) -> Binding {
        Binding::D1 {
            node: self.node.clone(),
            db: self,
        }
    }

    /// Flush and close the file.
    fn close_blocking(&self) {
        self.db.close_blocking();
    }
}

/// A D1 database in a SQLite file.
pub struct SqliteD1 {
    node: String,
    db: Arc<SqliteThread>,
}

/// The wrangler-style file name of migration `index` (0-based): `0001_create_users.sql`.
pub fn migration_file_name(index: usize, name: &str) -> String {
    format!("{:04}_{name}.sql", index + 1)
}

fn prepare_database(conn: &mut Connection, spec: &D1, new: bool) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS d1_migrations (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           name TEXT UNIQUE,
           applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
         );",
    )?;
    for (index, migration) in spec.migrations.iter().enumerate() {
        let name = migration_file_name(index, &migration.name);
        let applied: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM d1_migrations WHERE name = ?1)",
            params![name],
            |row| row.get(0),
        )?;
        if applied {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(&migration.sql)?;
        tx.execute(
            "INSERT INTO d1_migrations (name) VALUES (?1)",
            params![name],
        )?;
        tx.commit()?;
        tracing::debug!("applied migration {name}");
    }
    if new && !spec.seed.trim().is_empty() {
        let tx = conn.transaction()?;
        tx.execute_batch(&spec.seed)?;
        tx.commit()?;
    }
    Ok(())
}

fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        // D1's JavaScript API binds every number as REAL (workerd: `typeof(?1)` is `real` for
        // 42). Column affinity turns a whole REAL stored in an INTEGER column back into an
        // integer, so stored data matches; arithmetic on the parameter is floating point.
        Value::Number(n) => n.as_f64().map_or(SqlValue::Null, SqlValue::Real),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => SqlValue::Text(crate::runtime::json::js_json(value)),
    }
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Array(b.iter().map(|byte| json!(byte)).collect()),
    }
}

/// Run one statement and shape its result.
fn run_query(
    conn: &mut Connection,
    sql: &str,
    params: &[Value],
    mode: QueryMode,
) -> rusqlite::Result<QueryOutput> {
    let started = Instant::now();
    let mut stmt = conn.prepare_cached(sql)?;
    let readonly = stmt.readonly();
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    for (index, param) in params.iter().enumerate() {
        stmt.raw_bind_parameter(index + 1, to_sql(param))?;
    }
    let mut out_rows = Vec::new();
    {
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next()? {
            let mut object = Map::with_capacity(names.len());
            for (index, name) in names.iter().enumerate() {
                object.insert(name.clone(), from_sql(row.get_ref(index)?));
            }
            out_rows.push(Value::Object(object));
        }
    }
    drop(stmt);
    let changes = if readonly { 0 } else { conn.changes() };
    let last_row_id = conn.last_insert_rowid();
    let rows = out_rows.len() as u64;
    let value = match mode {
        QueryMode::First => out_rows.into_iter().next().unwrap_or(Value::Null),
        QueryMode::All => Value::Array(out_rows),
        QueryMode::Run => json!({ "changes": changes, "last_row_id": last_row_id }),
    };
    let meta = json!({
        "changes": changes,
        "last_row_id": last_row_id,
        "rows_read": rows,
        "rows_written": changes,
        "duration": started.elapsed().as_secs_f64() * 1000.0,
    });
    Ok(QueryOutput {
        value,
        rows,
        meta: Some(meta),
        cache: None,
    })
}

impl SqliteD1 {
    /// Open the node's file, applying migrations (and the seed on a new database).
    pub async fn open(node: &str, path: &Path, spec: &D1) -> Result<Self, String> {
        let new = !path.exists();
        let db = SqliteThread::open(path, node)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let spec = spec.clone();
        db.call(move |conn| prepare_database(conn, &spec, new))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| {
                format!(
                    "D1 database `{node}` ({}): applying migrations or seed failed: {e}",
                    path.display()
                )
            })?;
        Ok(Self {
            node: node.to_owned(),
            db: Arc::new(db),
        })
    }
}

impl SqlDatabase for SqliteD1 {
    fn query(
        &self,
        sql: String,
        params: Vec<Value>,
        mode: QueryMode,
    ) -> BoxFuture<'_, Result<QueryOutput, BindingError>> {
        async move {
            let node = self.node.clone();
            self.db
                .call(move |conn| run_query(conn, &sql, &params, mode))
                .await
                .map_err(|e| BindingError::failed(format!("D1 database `{node}`: {e}")))?
                .map_err(|e| BindingError::failed(format!("D1 database `{}`: {e}", self.node)))
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_map_like_d1() {
        assert_eq!(to_sql(&json!(true)), SqlValue::Integer(1));
        assert_eq!(to_sql(&json!(2)), SqlValue::Real(2.0));
        assert_eq!(to_sql(&json!(2.5)), SqlValue::Real(2.5));
        assert_eq!(to_sql(&json!({"a": 1})), SqlValue::Text("{\"a\":1}".into()));
    }

    #[test]
    fn migration_names_follow_wrangler() {
        assert_eq!(
            migration_file_name(0, "create_users"),
            "0001_create_users.sql"
        );
    }
}
