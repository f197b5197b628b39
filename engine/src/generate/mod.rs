//! Designs that write themselves: generators that turn what a design already says (a table in
//! a database's migrations, a read route) into the nodes, routes, contracts and scenario
//! requests a user would otherwise draw by hand. Each returns one [`Edit`] (one undo step in
//! the app, one atomic write on the command line) and a summary in words.

pub mod crud;
pub mod recipes;
mod table;
mod table_pg;

pub use crud::{CrudOptions, crud};
pub use recipes::{Recipe, cache_aside, jwt_gateway, read_replication};
pub use table::{Column, ColumnType, Found, Table, Unusable, table, tables};

use crate::edit::{Edit, EditError};

/// What a generator made: the edit, and one line per thing it adds.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub edit: Edit,
    pub summary: Vec<String>,
}

/// Why a generator cannot run. The design is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GenerateError {
    #[error("there is no node `{0}` in the design")]
    NoSuchNode(String),
    #[error(
        "`{node}` is a {kind}; CRUD routes are generated from the tables of a D1 database or of a Hyperdrive's seed schema"
    )]
    NotADatabase { node: String, kind: &'static str },
    #[error(
        "`{node}` is a {kind}, not a Worker: pass a Worker's id, or leave it out for a new one"
    )]
    NotAWorker { node: String, kind: &'static str },
    #[error("the schema of `{db}` cannot be read: {why}; fix it in the inspector first")]
    Migrations { db: String, why: String },
    #[error("`{db}` has no table `{table}`{}", known_tables(.known))]
    NoSuchTable {
        db: String,
        table: String,
        known: Vec<String>,
    },
    #[error("table {why} (in `{db}`)")]
    Table { db: String, why: String },
    #[error("`{worker}` already has a route {route}; remove it or generate onto another Worker")]
    RouteExists { worker: String, route: String },
    #[error(
        "the gateway `{gateway}` already routes `{path}`; pass --worker {service} to add the routes to that Worker"
    )]
    GatewayPathTaken {
        gateway: String,
        path: String,
        service: String,
    },
    #[error("{recipe} does not apply to `{node}`: {why}")]
    Recipe {
        recipe: &'static str,
        node: String,
        why: String,
    },
    #[error("the generated change does not apply: {0}")]
    Edit(#[from] EditError),
}

fn known_tables(known: &[String]) -> String {
    if known.is_empty() {
        ": its migrations create none".to_owned()
    } else {
        format!("; its tables are {}", crate::model::backquoted(known))
    }
}

/// A table or column name as SQL: bare when it is a plain lower-case word that is not a
/// keyword, in double quotes otherwise.
pub(crate) fn sql_name(name: &str) -> String {
    const KEYWORDS: [&str; 24] = [
        "all", "and", "as", "by", "check", "default", "delete", "from", "group", "in", "index",
        "insert", "key", "limit", "not", "null", "or", "order", "select", "set", "table", "update",
        "values", "where",
    ];
    let plain = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !KEYWORDS.contains(&name) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
