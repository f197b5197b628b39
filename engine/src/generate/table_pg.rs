//! The tables a Hyperdrive's seed schema declares, read with a PostgreSQL parser
//! (`sqlparser`): each `CREATE TABLE`'s columns, types, `NOT NULL`, defaults and key, and
//! from the seed's first `INSERT` into the table, a key that exists (the one it names, or 1
//! for a serial key it leaves to the sequence).

use sqlparser::ast::{
    ColumnOption, CreateTable, Expr, Insert, ObjectName, SetExpr, Statement, TableConstraint,
    TableObject, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::table::{Column, ColumnType, Found, Table, Unusable};

/// The tables of a seed, sorted by name, with a reason for each table that cannot get routes.
pub(super) fn seed_tables(seed: &str) -> Result<Vec<Found>, String> {
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, seed)
        .map_err(|e| format!("the seed is not SQL PostgreSQL reads: {e}"))?;
    let mut tables: Vec<Found> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(create) => {
                let name = last_name(&create.name);
                Some(read_table(create, &name).map_err(|why| Unusable { table: name, why }))
            }
            _ => None,
        })
        .collect();
    for statement in &statements {
        if let Statement::Insert(insert) = statement {
            sample_key(&mut tables, insert);
        }
    }
    tables.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    Ok(tables)
}

fn name_of(table: &Found) -> &str {
    match table {
        Ok(table) => &table.name,
        Err(unusable) => &unusable.table,
    }
}

/// The table's own name, without schema or quotes.
fn last_name(name: &ObjectName) -> String {
    name.0
        .last()
        .map_or_else(String::new, |part| unquoted(&part.to_string()))
}

/// PostgreSQL's type as Hyperdrive answers it: `int8` and `numeric` come back as text.
fn column_type(declared: &str) -> ColumnType {
    let upper = declared.to_ascii_uppercase();
    let has = |part: &str| upper.contains(part);
    if has("BIGINT") || has("INT8") || has("BIGSERIAL") || has("NUMERIC") || has("DECIMAL") {
        ColumnType::Text
    } else if has("BOOL") {
        ColumnType::Boolean
    } else if has("INT") || has("SERIAL") {
        ColumnType::Integer
    } else if has("REAL") || has("FLOAT") || has("DOUBLE") {
        ColumnType::Number
    } else if has("BYTEA") || has("JSON") {
        ColumnType::Blob
    } else {
        ColumnType::Text
    }
}

fn unquoted(name: &str) -> String {
    name.trim_matches('"').to_owned()
}

fn read_table(create: &CreateTable, name: &str) -> Result<Table, String> {
    let name = name.to_owned();
    let mut keys: Vec<String> = Vec::new();
    for constraint in &create.constraints {
        if let TableConstraint::PrimaryKey(pk) = constraint {
            keys.extend(
                pk.columns
                    .iter()
                    .map(|c| unquoted(&c.column.expr.to_string())),
            );
        }
    }
    let mut generated = Vec::new();
    let mut columns = Vec::new();
    for def in &create.columns {
        let column = unquoted(&def.name.to_string());
        let declared = def.data_type.to_string();
        let mut not_null = false;
        let mut default = None;
        for option in &def.options {
            match &option.option {
                ColumnOption::NotNull => not_null = true,
                ColumnOption::Default(expr) => default = Some(expr.to_string()),
                ColumnOption::PrimaryKey(_) => keys.push(column.clone()),
                ColumnOption::Generated { .. } => generated.push(column.clone()),
                _ => {}
            }
        }
        if declared.to_ascii_uppercase().contains("SERIAL") {
            generated.push(column.clone());
        }
        columns.push(Column {
            name: column,
            ty: column_type(&declared),
            not_null,
            default,
        });
    }
    let key_name = super::table::one_key(&name, &keys)?;
    let key = columns
        .iter()
        .position(|c| c.name == key_name)
        .ok_or_else(|| format!("`{name}`'s key `{key_name}` is not one of its columns"))?;
    if columns[key].ty == ColumnType::Blob {
        return Err(format!(
            "`{name}`'s key `{}` is not text or a number, which a URL carries",
            columns[key].name
        ));
    }
    columns[key].not_null = true;
    let key_generated = generated.contains(&columns[key].name);
    Ok(Table {
        name,
        columns,
        key,
        key_generated,
        sample_key: None,
    })
}

/// The key of the first row an `INSERT ... VALUES` gives a table, when it names the key.
fn sample_key(tables: &mut [Found], insert: &Insert) {
    let TableObject::TableName(name) = &insert.table else {
        return;
    };
    let name = last_name(name);
    let Some(Ok(table)) = tables
        .iter_mut()
        .find(|t| matches!(t, Ok(t) if t.name == name))
    else {
        return;
    };
    if table.sample_key.is_some() {
        return;
    }
    let key = &table.columns[table.key].name;
    let Some(index) = insert
        .columns
        .iter()
        .position(|c| unquoted(&c.to_string()) == *key)
    else {
        // The first insert into a fresh table with a serial key: its first row gets 1.
        if table.key_generated && !insert.columns.is_empty() {
            table.sample_key = Some(serde_json::Value::from(1));
        }
        return;
    };
    let Some(SetExpr::Values(values)) = insert.source.as_deref().map(|q| q.body.as_ref()) else {
        return;
    };
    let Some(Expr::Value(value)) = values.rows.first().and_then(|row| row.content.get(index))
    else {
        return;
    };
    table.sample_key = match &value.value {
        Value::Number(n, _) => n.parse::<i64>().ok().map(serde_json::Value::from),
        Value::SingleQuotedString(text) => Some(serde_json::Value::from(text.clone())),
        _ => None,
    };
}
