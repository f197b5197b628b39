//! D1: SQL checked for real against SQLite, and the primary location hint.
//!
//! For every D1 node, one in-memory SQLite database gets its migrations (in order) and its
//! seed; then every distinct SQL text of the D1 steps bound to it is prepared once (compiled,
//! not run) and its parameter count compared with each step's params. The databases are kept
//! for the process by their migrations and seed (bounded), since the app validates after
//! every edit; each run still reports what failed on every node it concerns.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rusqlite::Connection;

use crate::model::{D1, D1_LOCATION_HINTS, Node, NodeKind, Step};

use crate::cache::{self, TextMemo};
use crate::validate::context::{
    BuildFailure, Ctx, Database, Memo, Prepared, Statements, StepAt, scan_sql,
};
use crate::validate::run::{MemoStepRule, Rule};
use crate::validate::{Diagnostic, Severity, Target};

/// SQLite's message for an error, without rusqlite's decorations.
fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(code, Some(message)) => {
            let _ = code;
            message.clone()
        }
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::MultipleStatement => {
            "it holds more than one statement; a D1 step runs exactly one".to_owned()
        }
        other => other.to_string(),
    }
}

/// Statements that reach outside the database (`ATTACH` creates files, `VACUUM INTO` writes
/// one). D1 refuses both, and validation runs the migrations and seed of any design it opens,
/// so they are reported instead of run.
const OUTSIDE_STATEMENTS: [&str; 2] = ["ATTACH", "VACUUM"];

/// The first word of [`OUTSIDE_STATEMENTS`] in `sql`, outside quotes and comments.
fn outside_statement(sql: &str) -> Option<&'static str> {
    let bytes = sql.as_bytes();
    let mut found = None;
    scan_sql(sql, b"'\"`", |i| match bytes[i] {
        // A `[bracketed]` identifier.
        b'[' => bytes[i..]
            .iter()
            .position(|&b| b == b']')
            .map_or(bytes.len(), |end| i + end),
        b if b.is_ascii_alphabetic() || b == b'_' => {
            let end = i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let word = &sql[i..end];
            found = OUTSIDE_STATEMENTS
                .iter()
                .find(|w| w.eq_ignore_ascii_case(word))
                .copied();
            // The first one found is the answer.
            if found.is_some() { bytes.len() } else { end }
        }
        _ => i + 1,
    });
    found
}

/// SQLite virtual-machine steps between two checks of the budget below.
const STEPS_PER_CHECK: i32 = 10_000;
/// Checks before validation stops a migration or seed: 20 million steps, far more than any
/// schema or seed of a starter project needs, and a fraction of a second. Counting steps (not
/// time) keeps the outcome the same on every machine.
const CHECKS_PER_BATCH: u32 = 2_000;

/// Run SQL that holds whole statements, unless it reaches outside the database. SQL that runs
/// away (a recursive query without an end) is stopped, so that validating while the user
/// edits never hangs.
pub(crate) fn run_batch(conn: &mut Connection, sql: &str) -> Result<(), String> {
    if let Some(word) = outside_statement(sql) {
        return Err(format!("D1 does not allow `{word}` statements"));
    }
    let mut checks = 0_u32;
    let _ = conn.progress_handler(
        STEPS_PER_CHECK,
        Some(move || {
            checks += 1;
            checks > CHECKS_PER_BATCH
        }),
    );
    let result = conn.execute_batch(sql);
    let _ = conn.progress_handler(STEPS_PER_CHECK, None::<fn() -> bool>);
    result.map_err(|error| {
        if error.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
            format!(
                "it did not finish within {} million SQLite steps; look for a query that never \
                 ends, such as a recursive `WITH` without a `LIMIT`",
                u64::from(CHECKS_PER_BATCH) * u64::try_from(STEPS_PER_CHECK).unwrap_or(0)
                    / 1_000_000
            )
        } else {
            sqlite_message(&error)
        }
    })
}

/// D1 databases rebuilt in SQLite, by their migrations and seed: validation runs after every
/// edit, and those rarely change.
static DATABASES: TextMemo<Database> = TextMemo::new(16);

/// At most this many SQL texts are kept prepared per database; then it starts over.
const MAX_PREPARED: usize = 4_096;

/// Open an in-memory SQLite, apply the migrations in order, then the seed.
fn build(d1: &D1) -> Database {
    let mut conn = match Connection::open_in_memory() {
        Ok(conn) => conn,
        Err(error) => return Database::new(Some(BuildFailure::NoSqlite(error.to_string())), None),
    };
    for (index, migration) in d1.migrations.iter().enumerate() {
        if let Err(message) = run_batch(&mut conn, &migration.sql) {
            // Step SQL would only repeat "no such table"; the migration error says it first.
            return Database::new(Some(BuildFailure::Migration { index, message }), None);
        }
    }
    let seed_failure = if d1.seed.trim().is_empty() {
        None
    } else {
        run_batch(&mut conn, &d1.seed).err().map(BuildFailure::Seed)
    };
    Database::new(seed_failure, Some(conn))
}

/// The database of `d1`, rebuilt once per process for the same migrations and seed; reports
/// SQL001 (SQLite did not start, a migration fails) or SQL002 (the seed fails) on `node`.
pub(crate) fn database(node: &Node, d1: &D1, out: &mut Vec<Diagnostic>) -> Arc<Database> {
    let texts = d1.migrations.iter().map(|m| m.sql.as_str());
    let key = cache::key_of(texts.chain([d1.seed.as_str()]));
    let database = DATABASES.get_or_make(&key, || build(d1));
    let node_target = || Target::Node {
        node: node.id.clone(),
    };
    match &database.failure {
        None => {}
        Some(BuildFailure::NoSqlite(error)) => out.push(Diagnostic::new(
            "SQL001",
            Severity::Error,
            node_target(),
            format!("could not start SQLite to check the migrations: {error}"),
        )),
        Some(BuildFailure::Migration { index, message }) => out.push(
            Diagnostic::new(
                "SQL001",
                Severity::Error,
                node_target(),
                format!(
                    "migration {} `{}` fails on SQLite: {message}",
                    index + 1,
                    d1.migrations[*index].name,
                ),
            )
            .help(
                "fix the migration's SQL; migrations run in order, so it can only use \
                 tables created before it (for example `CREATE TABLE users (id INTEGER \
                 PRIMARY KEY, email TEXT NOT NULL)`)",
            ),
        ),
        Some(BuildFailure::Seed(error)) => out.push(
            Diagnostic::new(
                "SQL002",
                Severity::Error,
                node_target(),
                format!("the seed fails on SQLite after the migrations: {error}"),
            )
            .help("fix the seed SQL so it fits the migrated tables, for example `INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada');`"),
        ),
    }
    database
}

/// What `sql` needs, prepared once (compiled, not run) against the database; `None` when
/// the database could not be built.
fn prepare(database: &Database, sql: &str) -> Option<Prepared> {
    let mut statements = database.statements();
    let Statements { conn, prepared } = &mut *statements;
    let conn = conn.as_ref()?;
    if let Some(found) = prepared.get(sql) {
        return Some(found.clone());
    }
    let found = if sql.trim().is_empty() {
        Prepared::Failed("the SQL is empty".to_owned())
    } else {
        match conn.prepare(sql) {
            Ok(statement) => Prepared::Parameters(statement.parameter_count()),
            Err(error) => Prepared::Failed(sqlite_message(&error)),
        }
    };
    if prepared.len() >= MAX_PREPARED {
        prepared.clear();
    }
    prepared.insert(sql.to_owned(), found.clone());
    Some(found)
}

/// SQL003: a D1 step's SQL does not compile against its database's migrated schema; SQL004:
/// the step gives a different number of params than the SQL takes. Each D1 node's database
/// is built on first use (reporting SQL001/SQL002) and each distinct SQL text prepared once;
/// each thread remembers the answers in its `memo`, so steps with SQL seen before take no lock.
pub(crate) fn step_sql<'a>(
    ctx: &Ctx<'a>,
    at: &StepAt<'a, '_>,
    memo: &mut Memo<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let Step::D1 {
        binding,
        sql,
        params,
        ..
    } = at.step
    else {
        return;
    };
    let Some(node) = at.binding(binding).and_then(|l| l.to) else {
        return;
    };
    let NodeKind::D1(d1) = &node.kind else {
        return;
    };
    // A binding reaches the first node with its id, which has a slot when it is a D1.
    let Some(slot) = ctx.d1_slot(&node.id) else {
        return;
    };
    let prepared = memo.d1.entry((node.id.as_str(), sql)).or_insert_with(|| {
        slot.used.store(true, Ordering::Relaxed);
        prepare(slot.database.get_or_init(|| database(node, d1, out)), sql)
    });
    match prepared {
        Some(Prepared::Failed(message)) => out.push(
            Diagnostic::new(
                "SQL003",
                Severity::Error,
                at.target(),
                format!("D1 SQL does not compile against {}: {message}", node.id),
            )
            .help(format!(
                "check table and column names against {}'s migrations; bind values as `?1`, \
                 `?2`, for example `SELECT id, name FROM users WHERE id = ?1`",
                node.id
            )),
        ),
        Some(Prepared::Parameters(expected)) if *expected != params.len() => out.push(
            Diagnostic::new(
                "SQL004",
                Severity::Error,
                at.target(),
                format!(
                    "D1 SQL takes {expected} parameter{} but the step gives {}",
                    if *expected == 1 { "" } else { "s" },
                    params.len()
                ),
            )
            .help("give one param per placeholder, in order: `?1` is the first param, `?2` the second, for example `params: [Ref(\"params.id\")]` for `WHERE id = ?1`"),
        ),
        Some(Prepared::Parameters(_)) | None => {}
    }
}

/// SQL001: a migration fails; SQL002: the seed fails. Builds the database of a D1 node steps
/// can reach, unless a thread already has; runs as a job of its own before the Worker pass, so
/// the threads build the databases side by side.
pub(crate) fn build_database<'a>(
    ctx: &Ctx<'a>,
    node: &'a Node,
    d1: &D1,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(slot) = ctx.d1_slot(&node.id) {
        slot.database.get_or_init(|| database(node, d1, out));
    }
}

/// SQL001 and SQL002 for D1 nodes no step can reach: a D1 node whose id an earlier node
/// already has, unless a step used that earlier D1. (The databases of the others are built
/// by [`build_database`] or [`step_sql`].)
pub(crate) fn unused_databases(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, d1) in ctx.d1s() {
        match ctx.d1_slot(&node.id) {
            Some(_) if ctx.is_first(node) => build_database(ctx, node, d1, out),
            Some(slot) if slot.used.load(Ordering::Relaxed) => {}
            _ => {
                database(node, d1, out);
            }
        }
    }
}

/// `D1_001`: a location hint the platform does not know.
pub fn location_hint(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, d1) in ctx.d1s() {
        let Some(hint) = &d1.location_hint else {
            continue;
        };
        if !D1_LOCATION_HINTS.contains(&hint.as_str()) {
            out.push(
                Diagnostic::new(
                    "D1_001",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!("`{hint}` is not a D1 location hint"),
                )
                .help(format!(
                    "use one of {} (for example `weur` for Western Europe), or none to let the \
                     platform choose",
                    D1_LOCATION_HINTS.join(", ")
                )),
            );
        }
    }
}

impl crate::validate::KindRules for super::Def {
    fn design_rules(&self) -> &'static [Rule] {
        &[location_hint]
    }

    fn memo_step_rules(&self) -> &'static [MemoStepRule] {
        &[step_sql]
    }

    fn after_worker_rules(&self) -> &'static [Rule] {
        &[unused_databases]
    }

    fn prepares(&self) -> bool {
        true
    }

    fn prepare_jobs(&self, ctx: &Ctx<'_>) -> usize {
        ctx.d1_nodes().len()
    }

    fn prepare(&self, ctx: &Ctx<'_>, index: usize, out: &mut Vec<Diagnostic>) {
        if let Some(&(node, d1)) = ctx.d1_nodes().get(index) {
            build_database(ctx, node, d1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{D1, Migration, NodeKind, Step};
    use crate::validate::testkit::{
        assert_contains, base, only, only_after, reported_after, reports, steps_mut, with_code,
    };

    fn d1_mut(design: &mut crate::model::Design) -> &mut D1 {
        match design.node_mut("db").map(|n| &mut n.kind) {
            Some(NodeKind::D1(d1)) => d1,
            _ => panic!("no d1"),
        }
    }

    fn set_sql(design: &mut crate::model::Design, text: &str) {
        if let Step::D1 { sql, .. } = &mut steps_mut(design, 0)[2] {
            *sql = text.into();
        }
    }

    #[test]
    fn failing_migration_names_it_and_quotes_sqlite() {
        let mut design = base();
        assert!(!reports(&design, "SQL001"));
        d1_mut(&mut design).migrations.push(Migration {
            name: "add_price".into(),
            sql: "ALTER TABLE products ADD COLUMN price INTEGER;".into(),
        });
        let found = only(&design, "SQL001");
        assert_contains(&found.message, "migration 2 `add_price`");
        assert_contains(&found.message, "no such table: products");
        // The database is rebuilt once per process, but each run and each node with the same
        // migrations reports it, named as that node names it.
        assert_eq!(only(&design, "SQL001"), found);
        let mut copy = design.node("db").expect("db").clone();
        copy.id = "db-copy".into();
        if let NodeKind::D1(d1) = &mut copy.kind {
            d1.migrations[1].name = "add_the_price".into();
        }
        design.nodes.push(copy);
        let found = with_code(&design, "SQL001");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_contains(&found[1].message, "migration 2 `add_the_price`");
    }

    #[test]
    fn failing_seed() {
        let found = only_after(base(), "SQL002", |design| {
            d1_mut(design).seed = "INSERT INTO items (id, colour) VALUES (2, 'red');".into();
        });
        assert_contains(&found.message, "colour");
    }

    #[test]
    fn runaway_sql_in_a_migration_or_seed_is_stopped_and_reported() {
        let forever = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n;";
        let mut design = base();
        d1_mut(&mut design).migrations.push(Migration {
            name: "count_forever".into(),
            sql: forever.into(),
        });
        let found = only(&design, "SQL001");
        assert_contains(&found.message, "migration 2 `count_forever`");
        assert_contains(
            &found.message,
            "did not finish within 20 million SQLite steps",
        );

        let mut design = base();
        d1_mut(&mut design).seed = forever.into();
        let found = only(&design, "SQL002");
        assert_contains(&found.message, "recursive `WITH`");
        // A seed that does real work within the budget still runs.
        d1_mut(&mut design).seed =
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                                    LIMIT 10000) INSERT INTO items (id, name) SELECT i, 'x' FROM n;"
                .into();
        assert!(
            !reports(&design, "SQL002"),
            "{:?}",
            with_code(&design, "SQL002")
        );
    }

    #[test]
    fn step_sql_is_compiled_against_the_schema() {
        let mut design = base();
        assert!(!reports(&design, "SQL003"));
        set_sql(&mut design, "SELECT id, price FROM items WHERE id = ?1");
        let found = only(&design, "SQL003");
        assert_contains(&found.message, "no such column: price");
        set_sql(&mut design, "SELEC id FROM items");
        assert!(reports(&design, "SQL003"));
    }

    #[test]
    fn param_count_must_match() {
        let found = only_after(base(), "SQL004", |design| {
            set_sql(design, "SELECT id FROM items WHERE id = ?1 AND name = ?2");
        });
        assert_contains(&found.message, "takes 2 parameters but the step gives 1");
    }

    #[test]
    fn statements_that_reach_outside_the_database_are_not_run() {
        assert_eq!(
            super::outside_statement("ATTACH DATABASE 'x.db' AS x"),
            Some("ATTACH")
        );
        assert_eq!(
            super::outside_statement("vacuum into '/tmp/x.db'"),
            Some("VACUUM")
        );
        assert_eq!(
            super::outside_statement("INSERT INTO notes VALUES ('attach me') -- vacuum"),
            None
        );
        let mut design = base();
        d1_mut(&mut design).seed = "VACUUM INTO 'copy.db';".into();
        let found = only(&design, "SQL002");
        assert_contains(&found.message, "`VACUUM`");
        assert!(!std::path::Path::new("copy.db").exists());
    }

    #[test]
    fn unknown_location_hint() {
        let mut design = base();
        d1_mut(&mut design).location_hint = Some("weur".into());
        reported_after(design, "D1_001", |design| {
            d1_mut(design).location_hint = Some("eu-west".into());
        });
    }
}
