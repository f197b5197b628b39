//! The five routes over one table: list (with `limit`/`offset`), get, create, update and
//! delete by key, each with its contract, its 404 and its answers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::generate::sql_name;
use crate::generate::table::{Column, ColumnType, Table};
use crate::model::{
    Condition, Expr, HttpMethod, ParamType, QueryMode, QueryParam, RequestContract,
    ResponseContract, Route, Step, Template,
};

/// How a table is named in URLs, messages and the handler's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// `/tasks`
    pub path: String,
    /// `tasks`: the scope name of a page of rows and the answer's field.
    pub plural: String,
    /// `task`: the scope name of one row and the answer's field.
    pub singular: String,
}

impl Names {
    pub fn of(table: &str) -> Self {
        let snake: String = crate::model::to_lower_kebab(table).replace('-', "_");
        let usable =
            |name: &str| crate::model::is_handler_name(name) && !Route::INPUTS.contains(&name);
        let plural = if usable(&snake) {
            snake
        } else {
            "rows".to_owned()
        };
        let singular = singular(&plural);
        let singular = if usable(&singular) && singular != plural {
            singular
        } else {
            "row".to_owned()
        };
        Self {
            path: format!("/{}", crate::model::to_lower_kebab(table)),
            plural,
            singular,
        }
    }

    /// `/tasks/:id` for a key column `id`.
    pub fn item_path(&self) -> String {
        format!("{}/:{}", self.path, ITEM_PARAM)
    }
}

/// The path parameter that carries the key (named after the role, not the column, so that
/// any key column name gives a valid parameter).
pub(super) const ITEM_PARAM: &str = "id";
/// Rows per page when the client does not say, and at most.
pub(super) const PAGE_DEFAULT: u32 = 50;
pub(super) const PAGE_MAX: u32 = 100;

fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        format!("{stem}y")
    } else if plural.ends_with("ss") {
        plural.to_owned()
    } else if let Some(stem) = plural.strip_suffix('s') {
        stem.to_owned()
    } else {
        plural.to_owned()
    }
}

/// Which store the steps query: D1 numbers its parameters `?1`, PostgreSQL `$1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    D1,
    /// PostgreSQL through Hyperdrive.
    Postgres,
}

impl Dialect {
    fn param(self, n: usize) -> String {
        match self {
            Dialect::D1 => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    fn query(
        self,
        binding: &str,
        sql: String,
        params: Vec<Expr>,
        mode: QueryMode,
        into: &str,
    ) -> Step {
        match self {
            Dialect::D1 => Step::D1 {
                binding: binding.to_owned(),
                sql,
                params,
                mode,
                into: Some(into.to_owned()),
            },
            Dialect::Postgres => Step::Hyperdrive {
                binding: binding.to_owned(),
                sql,
                params,
                mode,
                into: Some(into.to_owned()),
            },
        }
    }

    /// `LIMIT` and `OFFSET` from two parameters, within 1..=`PAGE_MAX` and from 0.
    fn page(self) -> String {
        match self {
            Dialect::D1 => format!("LIMIT MIN(MAX(?1, 1), {PAGE_MAX}) OFFSET MAX(?2, 0)"),
            Dialect::Postgres => {
                format!("LIMIT LEAST(GREATEST($1::int, 1), {PAGE_MAX}) OFFSET GREATEST($2::int, 0)")
            }
        }
    }
}

/// The routes, in the order list, get, create, update, delete.
pub fn routes(table: &Table, names: &Names, binding: &str, dialect: Dialect) -> Vec<Route> {
    let at = Shape {
        table,
        names,
        binding,
        dialect,
    };
    let mut routes = vec![at.list(), at.get(), at.create()];
    if table
        .insert_columns()
        .any(|c| c.name != table.key_column().name)
    {
        routes.push(at.update());
    }
    routes.push(at.delete());
    routes
}

struct Shape<'a> {
    table: &'a Table,
    names: &'a Names,
    binding: &'a str,
    dialect: Dialect,
}

impl Shape<'_> {
    fn columns(&self) -> String {
        self.table
            .json_columns()
            .map(|c| sql_name(&c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key(&self) -> String {
        sql_name(&self.table.key_column().name)
    }

    fn table_name(&self) -> String {
        sql_name(&self.table.name)
    }

    /// `head` (`SELECT ... FROM t`, `DELETE FROM t`) on the row whose key is the path's.
    fn by_key(&self, head: &str, mode: QueryMode, into: &str) -> Step {
        let sql = format!("{head} WHERE {} = {}", self.key(), self.dialect.param(1));
        let key = vec![Expr::Ref(format!("params.{ITEM_PARAM}"))];
        self.dialect.query(self.binding, sql, key, mode, into)
    }

    fn not_found(&self) -> Step {
        Step::Respond {
            status: 404,
            body: Some(Expr::Object(BTreeMap::from([(
                "error".to_owned(),
                Expr::Text(Template::new(format!(
                    "{} {{params.{ITEM_PARAM}}} not found",
                    self.names.singular
                ))),
            )]))),
            headers: BTreeMap::new(),
        }
    }

    fn answer(status: u16, field: &str, headers: BTreeMap<String, Template>) -> Step {
        Step::Respond {
            status,
            body: Some(Expr::Object(BTreeMap::from([(
                field.to_owned(),
                Expr::Ref(field.to_owned()),
            )]))),
            headers,
        }
    }

    fn item_request(&self) -> RequestContract {
        let key_type = match self.table.key_column().ty {
            ColumnType::Integer => ParamType::Integer,
            ColumnType::Number => ParamType::Number,
            _ => ParamType::String,
        };
        RequestContract {
            params: BTreeMap::from([(ITEM_PARAM.to_owned(), key_type)]),
            ..RequestContract::default()
        }
    }

    fn row_schema(&self) -> Value {
        let properties: serde_json::Map<String, Value> = self
            .table
            .json_columns()
            .map(|c| (c.name.clone(), column_schema(c, Answer::Row)))
            .collect();
        json!({ "type": "object", "properties": properties })
    }

    fn one_row(&self) -> Value {
        json!({
            "type": "object",
            "properties": { &self.names.singular: self.row_schema() },
            "required": [&self.names.singular],
        })
    }

    fn responses(list: &[(u16, &str, Option<Value>)]) -> BTreeMap<u16, ResponseContract> {
        list.iter()
            .map(|(status, description, schema)| {
                (
                    *status,
                    ResponseContract {
                        description: (*description).to_owned(),
                        schema: schema.clone(),
                        example: None,
                    },
                )
            })
            .collect()
    }

    fn list(&self) -> Route {
        let Names { path, plural, .. } = self.names;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {} {}",
            self.columns(),
            self.table_name(),
            self.key(),
            self.dialect.page(),
        );
        let page = |name: &str, default: u32| QueryParam {
            name: name.to_owned(),
            ty: ParamType::Integer,
            required: false,
            default: Some(json!(default)),
        };
        let mut route = Route::new(
            HttpMethod::Get,
            path.clone(),
            vec![
                self.dialect.query(
                    self.binding,
                    sql,
                    vec![
                        Expr::Ref("query.limit".into()),
                        Expr::Ref("query.offset".into()),
                    ],
                    QueryMode::All,
                    plural,
                ),
                Self::answer(200, plural, BTreeMap::new()),
            ],
        );
        route.request = Some(RequestContract {
            query: vec![page("limit", PAGE_DEFAULT), page("offset", 0)],
            ..RequestContract::default()
        });
        let page_schema = json!({
            "type": "object",
            "properties": { plural: { "type": "array", "items": self.row_schema() } },
            "required": [plural],
        });
        route.responses = Self::responses(&[(
            200,
            &format!("a page of {plural} in key order (`limit` at most {PAGE_MAX})"),
            Some(page_schema),
        )]);
        route
    }

    fn get(&self) -> Route {
        let singular = &self.names.singular;
        let select = format!("SELECT {} FROM {}", self.columns(), self.table_name());
        let mut route = Route::new(
            HttpMethod::Get,
            self.names.item_path(),
            vec![
                self.by_key(&select, QueryMode::First, singular),
                missing(singular, self.not_found()),
                Self::answer(200, singular, BTreeMap::new()),
            ],
        );
        route.request = Some(self.item_request());
        route.responses = Self::responses(&[
            (200, &format!("the {singular}"), Some(self.one_row())),
            (404, &format!("no {singular} has this key"), None),
        ]);
        route
    }

    fn body_schema(&self, new: bool) -> Value {
        let key = &self.table.key_column().name;
        let columns: Vec<&Column> = self
            .table
            .insert_columns()
            .filter(|c| new || c.name != *key)
            .collect();
        let properties: serde_json::Map<String, Value> = columns
            .iter()
            .map(|c| (c.name.clone(), column_schema(c, Answer::Body)))
            .collect();
        let required: Vec<&str> = columns
            .iter()
            .filter(|c| new && c.not_null && c.default.is_none())
            .map(|c| c.name.as_str())
            .collect();
        let mut schema = json!({
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        schema
    }

    fn create(&self) -> Route {
        let singular = &self.names.singular;
        let columns: Vec<&Column> = self.table.insert_columns().collect();
        let sql = if columns.is_empty() {
            format!(
                "INSERT INTO {} DEFAULT VALUES RETURNING {}",
                self.table_name(),
                self.columns()
            )
        } else {
            let values: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| match &c.default {
                    Some(default) => format!("COALESCE({}, {default})", self.dialect.param(i + 1)),
                    None => self.dialect.param(i + 1),
                })
                .collect();
            format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
                self.table_name(),
                columns
                    .iter()
                    .map(|c| sql_name(&c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
                values.join(", "),
                self.columns()
            )
        };
        let params = columns
            .iter()
            .map(|c| Expr::Ref(format!("body.{}", c.name)))
            .collect();
        let location = BTreeMap::from([(
            "location".to_owned(),
            Template::new(format!(
                "{}/{{{singular}.{}}}",
                self.names.path,
                self.table.key_column().name
            )),
        )]);
        let mut route = Route::new(
            HttpMethod::Post,
            self.names.path.clone(),
            vec![
                self.dialect
                    .query(self.binding, sql, params, QueryMode::First, singular),
                Self::answer(201, singular, location),
            ],
        );
        route.request = Some(RequestContract {
            body: Some(self.body_schema(true)),
            ..RequestContract::default()
        });
        route.responses = Self::responses(&[
            (201, &format!("the new {singular}"), Some(self.one_row())),
            (400, "the body breaks the contract", None),
        ]);
        route
    }

    fn update(&self) -> Route {
        let singular = &self.names.singular;
        let key = &self.table.key_column().name;
        let columns: Vec<&Column> = self
            .table
            .insert_columns()
            .filter(|c| c.name != *key)
            .collect();
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = sql_name(&c.name);
                format!("{name} = COALESCE({}, {name})", self.dialect.param(i + 2))
            })
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {} = {} RETURNING {}",
            self.table_name(),
            sets.join(", "),
            self.key(),
            self.dialect.param(1),
            self.columns()
        );
        let params = std::iter::once(Expr::Ref(format!("params.{ITEM_PARAM}")))
            .chain(
                columns
                    .iter()
                    .map(|c| Expr::Ref(format!("body.{}", c.name))),
            )
            .collect();
        let mut route = Route::new(
            HttpMethod::Put,
            self.names.item_path(),
            vec![
                self.dialect
                    .query(self.binding, sql, params, QueryMode::First, singular),
                missing(singular, self.not_found()),
                Self::answer(200, singular, BTreeMap::new()),
            ],
        );
        let mut request = self.item_request();
        request.body = Some(self.body_schema(false));
        route.request = Some(request);
        route.responses = Self::responses(&[
            (
                200,
                &format!("the {singular} after the change (fields left out keep their value)"),
                Some(self.one_row()),
            ),
            (400, "the body breaks the contract", None),
            (404, &format!("no {singular} has this key"), None),
        ]);
        route
    }

    fn delete(&self) -> Route {
        let singular = &self.names.singular;
        let delete = format!("DELETE FROM {}", self.table_name());
        let mut route = Route::new(
            HttpMethod::Delete,
            self.names.item_path(),
            vec![
                self.by_key(&delete, QueryMode::Run, "deleted"),
                Step::If {
                    cond: Condition::Equals(
                        Expr::Ref("deleted.changes".into()),
                        Expr::Json(json!(0)),
                    ),
                    then: vec![self.not_found()],
                    otherwise: Vec::new(),
                },
                Step::Respond {
                    status: 204,
                    body: None,
                    headers: BTreeMap::new(),
                },
            ],
        );
        route.request = Some(self.item_request());
        let (gone, unknown) = (
            format!("the {singular} is gone"),
            format!("no {singular} has this key"),
        );
        route.responses = Self::responses(&[(204, &gone, None), (404, &unknown, None)]);
        route
    }
}

fn missing(name: &str, then: Step) -> Step {
    Step::If {
        cond: Condition::Missing(name.to_owned()),
        then: vec![then],
        otherwise: Vec::new(),
    }
}

/// Where a column's schema is used: a request body takes booleans, a D1 row answers them as
/// 0 or 1 (SQLite has no boolean type).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Body,
    Row,
}

fn column_schema(column: &Column, answer: Answer) -> Value {
    let ty = match (column.ty, answer) {
        (ColumnType::Boolean, Answer::Row) => "integer",
        (ty, _) => ty.json_type(),
    };
    if column.not_null {
        json!({ "type": ty })
    } else {
        json!({ "type": [ty, "null"] })
    }
}
