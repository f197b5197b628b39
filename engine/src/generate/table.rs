//! The tables a store's schema declares, read the way the database itself reads them: a D1
//! node's migrations run in an in-memory SQLite, then SQLite's own `table_info` says each
//! column's type, `NOT NULL`, default and key. Its seed runs too, so a generator knows a row
//! that exists (for scenario requests that expect 200). A Hyperdrive's seed schema is read
//! with a PostgreSQL parser (`table_pg.rs`).

use rusqlite::Connection;

use crate::kinds::d1::validate::run_batch;
use crate::model::{D1, Design, NodeKind};

use super::GenerateError;

/// What a column holds, as JSON sees it (SQLite's type affinity, with `BOOL…` as booleans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Number,
    Text,
    Boolean,
    /// Bytes: not representable in JSON, so generated routes leave the column out.
    Blob,
}

impl ColumnType {
    /// SQLite's affinity rules (datatype3 §3.1) over a declared type, `BOOL` first.
    pub fn of_declared(declared: &str) -> Self {
        let upper = declared.to_ascii_uppercase();
        let has = |part: &str| upper.contains(part);
        if has("BOOL") {
            ColumnType::Boolean
        } else if has("INT") {
            ColumnType::Integer
        } else if has("CHAR") || has("CLOB") || has("TEXT") {
            ColumnType::Text
        } else if has("BLOB") || upper.trim().is_empty() {
            ColumnType::Blob
        } else {
            ColumnType::Number
        }
    }

    /// The JSON Schema `type` of a value of this column in a request body.
    pub fn json_type(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Text | ColumnType::Blob => "string",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub not_null: bool,
    /// The default as SQL text (`0`, `''`, `CURRENT_TIMESTAMP`), when the column has one.
    pub default: Option<String>,
}

/// A table with one key column.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Index of the primary key column in `columns`.
    pub key: usize,
    /// Whether the database gives the key (`INTEGER PRIMARY KEY`, SQLite's row id).
    pub key_generated: bool,
    /// The key of the first row after the seed, when the seed adds rows.
    pub sample_key: Option<serde_json::Value>,
}

impl Table {
    pub fn key_column(&self) -> &Column {
        &self.columns[self.key]
    }

    /// The columns routes read and write: all but bytes.
    pub fn json_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.ty != ColumnType::Blob)
    }

    /// The columns a new row takes from the request body: all but bytes and a generated key.
    pub fn insert_columns(&self) -> impl Iterator<Item = &Column> {
        let key = self.key_column().name.clone();
        let generated = self.key_generated;
        self.json_columns()
            .filter(move |c| !(generated && c.name == key))
    }
}

/// The tables of store `db` (a D1 node), sorted by name, with a reason for each table that
/// cannot get CRUD routes.
pub fn tables(design: &Design, db: &str) -> Result<Vec<Found>, GenerateError> {
    let node = design
        .node(db)
        .ok_or_else(|| GenerateError::NoSuchNode(db.to_owned()))?;
    match &node.kind {
        NodeKind::D1(d1) => d1_tables(db, d1),
        NodeKind::Hyperdrive(hyperdrive) => {
            super::table_pg::seed_tables(&hyperdrive.seed).map_err(|why| {
                GenerateError::Migrations {
                    db: db.to_owned(),
                    why,
                }
            })
        }
        other => Err(GenerateError::NotADatabase {
            node: db.to_owned(),
            kind: other.kind().label(),
        }),
    }
}

/// A table no routes can be generated for, and why (the message names the table).
#[derive(Clone, Debug, PartialEq)]
pub struct Unusable {
    pub table: String,
    pub why: String,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// A table of a store, or why it cannot get routes.
pub type Found = Result<Table, Unusable>;

/// One table of store `db` by name.
pub fn table(design: &Design, db: &str, name: &str) -> Result<Table, GenerateError> {
    let all = tables(design, db)?;
    let mut names = Vec::new();
    for found in all {
        match found {
            Ok(table) if table.name == name => return Ok(table),
            Err(unusable) if unusable.table == name => {
                return Err(GenerateError::Table {
                    db: db.to_owned(),
                    why: unusable.why,
                });
            }
            Ok(table) => names.push(table.name),
            Err(_) => {}
        }
    }
    Err(GenerateError::NoSuchTable {
        db: db.to_owned(),
        table: name.to_owned(),
        known: names,
    })
}

fn d1_tables(db: &str, d1: &D1) -> Result<Vec<Found>, GenerateError> {
    let failed = |why: String| GenerateError::Migrations {
        db: db.to_owned(),
        why,
    };
    let mut conn = Connection::open_in_memory().map_err(|e| failed(e.to_string()))?;
    for migration in &d1.migrations {
        run_batch(&mut conn, &migration.sql)
            .map_err(|why| failed(format!("migration `{}` fails: {why}", migration.name)))?;
    }
    // A seed that fails only costs the sample rows.
    let seeded = d1.seed.trim().is_empty() || run_batch(&mut conn, &d1.seed).is_ok();
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| failed(e.to_string()))?;
    Ok(names
        .into_iter()
        .map(|name| read_table(&conn, &name, seeded).map_err(|why| Unusable { table: name, why }))
        .collect())
}

/// A column as `PRAGMA table_info` gives it: name, declared type, not null, default, key rank.
type ColumnRow = (String, String, bool, Option<String>, u32);

fn read_table(conn: &Connection, name: &str, seeded: bool) -> Result<Table, String> {
    let rows: Vec<ColumnRow> = conn
        .prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)")
        .and_then(|mut statement| {
            statement
                .query_map([name], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| format!("`{name}` cannot be read: {e}"))?;
    let keys: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].4 > 0).collect();
    let key = one_key(name, &keys)?;
    if ColumnType::of_declared(&rows[key].1) == ColumnType::Blob {
        return Err(format!(
            "`{name}`'s key `{}` holds bytes, which a URL cannot carry",
            rows[key].0
        ));
    }
    let key_generated = rows[key].1.eq_ignore_ascii_case("INTEGER");
    // SQLite lets a key other than the row id hold NULL (a legacy quirk); rows are found by
    // it, so the routes treat it as required.
    let columns: Vec<Column> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (name, declared, not_null, default, _))| Column {
            ty: ColumnType::of_declared(&declared),
            name,
            not_null: not_null || i == key,
            default,
        })
        .collect();
    let sample_key = if seeded {
        first_key(conn, name, &columns[key].name)
    } else {
        None
    };
    Ok(Table {
        name: name.to_owned(),
        columns,
        key,
        key_generated,
        sample_key,
    })
}

/// The one key column of table `name`, or why the routes cannot find its rows.
pub(super) fn one_key<T: Clone>(name: &str, keys: &[T]) -> Result<T, String> {
    match keys {
        [key] => Ok(key.clone()),
        [] => Err(format!(
            "`{name}` has no primary key: the routes find rows by it; declare one column \
             `PRIMARY KEY`"
        )),
        _ => Err(format!(
            "`{name}` has a primary key of {} columns: the routes find rows by one",
            keys.len()
        )),
    }
}

fn first_key(conn: &Connection, table: &str, key: &str) -> Option<serde_json::Value> {
    let sql = format!(
        "SELECT {key} FROM {table} ORDER BY {key} LIMIT 1",
        key = super::sql_name(key),
        table = super::sql_name(table)
    );
    conn.query_row(&sql, [], |row| {
        Ok(match row.get_ref(0)? {
            rusqlite::types::ValueRef::Integer(n) => serde_json::Value::from(n),
            rusqlite::types::ValueRef::Real(x) => serde_json::Value::from(x),
            rusqlite::types::ValueRef::Text(text) => {
                serde_json::Value::from(String::from_utf8_lossy(text).into_owned())
            }
            _ => serde_json::Value::Null,
        })
    })
    .ok()
    .filter(|key| !key.is_null())
}
