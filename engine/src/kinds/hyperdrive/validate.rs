//! Hyperdrive: PostgreSQL placeholders, the origin's region, cache settings, and the
//! `nodejs_compat` flag the export adds.

use std::collections::BTreeSet;

use crate::model::{Kind, Step};
use crate::regions::{REGIONS, is_region};
use crate::semantics::HYPERDRIVE_MAX_AGE_LIMIT_SECS;

use crate::validate::context::{Ctx, Memo, Numbers, StepAt, WorkerAt, scan_sql};
use crate::validate::run::{MemoStepRule, Rule, WorkerRule};
use crate::validate::{Diagnostic, Severity, Target};

/// The placeholders of a PostgreSQL statement, outside strings, quoted identifiers, comments
/// and dollar-quoted bodies.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// The `$n` numbers used (each once).
    pub numbers: BTreeSet<u32>,
    /// How many `?` appear.
    pub question_marks: usize,
}

/// Scan PostgreSQL text for `$n` and `?` placeholders.
pub fn placeholders_of(sql: &str) -> Placeholders {
    let mut numbers = BTreeSet::new();
    let question_marks = scan(sql, &mut |n| {
        numbers.insert(n);
    });
    Placeholders {
        numbers,
        question_marks,
    }
}

/// Scan PostgreSQL text, visiting each `$n` number met; returns how many `?` appear.
fn scan(sql: &str, number: &mut dyn FnMut(u32)) -> usize {
    let bytes = sql.as_bytes();
    let mut question_marks = 0;
    scan_sql(sql, b"'\"", |i| match bytes[i] {
        b'?' => {
            question_marks += 1;
            i + 1
        }
        // Part of an identifier (`price$1`), not a placeholder.
        b'$' if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') => i + 1,
        b'$' => {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                if let Ok(n) = sql[i + 1..i + 1 + digits].parse::<u32>() {
                    number(n);
                }
                return i + 1 + digits;
            }
            // A dollar quote: `$$...$$` or `$tag$...$tag$`.
            let tag_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if bytes.get(i + 1 + tag_len) == Some(&b'$') {
                let tag = &sql[i..i + tag_len + 2];
                let body = i + tag.len();
                sql[body..]
                    .find(tag)
                    .map_or(bytes.len(), |end| body + end + tag.len())
            } else {
                i + 1
            }
        }
        _ => i + 1,
    });
    question_marks
}

impl Numbers {
    /// The `$n` numbers of `sql` and how many `?` it holds.
    fn of(sql: &str) -> (Self, usize) {
        let (mut bits, mut large) = (0u64, false);
        let question_marks = scan(sql, &mut |n| {
            if n < 64 {
                bits |= 1 << n;
            } else {
                large = true;
            }
        });
        if large {
            let found = placeholders_of(sql);
            (Numbers::Set(found.numbers), found.question_marks)
        } else {
            (Numbers::Bits(bits), question_marks)
        }
    }
}

/// HYP001: params given differ from the highest `$n`; HYP002: numbering with gaps or `$0`;
/// HYP003: `?` placeholders (PostgreSQL numbers its parameters). Each thread scans each
/// distinct SQL text once (its `memo`).
pub(crate) fn placeholders<'a>(
    _ctx: &Ctx<'a>,
    at: &StepAt<'a, '_>,
    memo: &mut Memo<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let Step::Hyperdrive { sql, params, .. } = at.step else {
        return;
    };
    let (numbers, question_marks) = memo
        .placeholders
        .entry(sql.as_str())
        .or_insert_with(|| Numbers::of(sql));
    let question_marks = *question_marks;
    if question_marks > 0 {
        out.push(
                Diagnostic::new(
                    "HYP003",
                    Severity::Error,
                    at.target(),
                    "Hyperdrive SQL uses `?` placeholders; PostgreSQL numbers its parameters",
                )
                .help("write `$1`, `$2`, ... in the order of the params, for example `SELECT * FROM orders WHERE id = $1::int`"),
            );
    }
    let highest = numbers.highest();
    if numbers.contains(0) {
        out.push(
            Diagnostic::new(
                "HYP002",
                Severity::Error,
                at.target(),
                "`$0` is not a parameter; numbering starts at `$1`",
            )
            .help("renumber the placeholders from `$1`, for example `WHERE id = $1`"),
        );
    }
    let missing: Vec<String> = (1..highest)
        .filter(|n| !numbers.contains(*n))
        .map(|n| format!("${n}"))
        .collect();
    if !missing.is_empty() {
        out.push(
                Diagnostic::new(
                    "HYP002",
                    Severity::Error,
                    at.target(),
                    format!(
                        "the placeholders skip {} (the highest is ${highest}); PostgreSQL cannot infer the type of an unused parameter",
                        missing.join(", ")
                    ),
                )
                .help("number the placeholders without gaps, `$1`, `$2`, ..., with one param each"),
            );
    }
    if params.len() != highest as usize && question_marks == 0 {
        out.push(
                Diagnostic::new(
                    "HYP001",
                    Severity::Error,
                    at.target(),
                    format!(
                        "the SQL's highest placeholder is ${highest} but the step gives {} param{}",
                        params.len(),
                        if params.len() == 1 { "" } else { "s" }
                    ),
                )
                .help("give one param per placeholder, in order: `$1` is the first param, for example `params: [Ref(\"params.id\")]` for `WHERE id = $1`"),
            );
    }
}

/// HYP004: an origin region the simulator does not know.
pub fn origin_region(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, hyperdrive) in ctx.hyperdrives() {
        if !is_region(&hyperdrive.origin_region) {
            out.push(
                Diagnostic::new(
                    "HYP004",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!(
                        "origin region `{}` is not a known region",
                        hyperdrive.origin_region
                    ),
                )
                .help(format!(
                    "use the region nearest the database, one of {} (for example `us-east`)",
                    REGIONS.join(", ")
                )),
            );
        }
    }
}

/// HYP007 (info): an existing Hyperdrive configuration (imported): Edgewire cannot see where
/// its database is, so the origin region is the user's to set.
pub fn existing_config(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, hyperdrive) in ctx.hyperdrives() {
        let Some(id) = &hyperdrive.config_id else {
            continue;
        };
        out.push(
            Diagnostic::new(
                "HYP007",
                Severity::Info,
                Target::Node {
                    node: node.id.clone(),
                },
                format!(
                    "{} is an existing Hyperdrive configuration ({id}) whose database Edgewire cannot see: the simulation takes it to be in `{}`",
                    node.id, hyperdrive.origin_region
                ),
            )
            .help("set the origin region to the region nearest the database, so latency and Smart Placement are right"),
        );
    }
}

/// HYP005: Hyperdrive caches a query result for at most an hour.
pub fn max_age(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, hyperdrive) in ctx.hyperdrives() {
        let max_age = hyperdrive.caching.max_age_secs;
        if max_age > HYPERDRIVE_MAX_AGE_LIMIT_SECS {
            out.push(
                Diagnostic::new(
                    "HYP005",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!(
                        "cache max_age is {max_age} s; Hyperdrive allows at most \
                         {HYPERDRIVE_MAX_AGE_LIMIT_SECS} s"
                    ),
                )
                .help(format!(
                    "set max_age_secs to {HYPERDRIVE_MAX_AGE_LIMIT_SECS} or less (the default is 60)"
                )),
            );
        }
    }
}

/// HYP006 (info): a Worker bound to Hyperdrive gets the `nodejs_compat` flag on export,
/// because the PostgreSQL driver needs Node.js APIs.
pub(crate) fn nodejs_compat(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let node = at.node;
    // A code Worker's configuration is the user's own; the export copies it unchanged.
    if matches!(&node.kind, crate::model::NodeKind::Worker(w) if w.is_code()) {
        return;
    }
    let uses_hyperdrive = at
        .links
        .iter()
        .any(|l| l.target_kind() == Some(Kind::Hyperdrive));
    if uses_hyperdrive {
        out.push(
            Diagnostic::new(
                "HYP006",
                Severity::Info,
                Target::Node {
                    node: node.id.clone(),
                },
                // Built by hand: one of these per Hyperdrive Worker, and large designs have
                // thousands.
                [
                    node.id.as_str(),
                    " uses Hyperdrive: the export adds the `nodejs_compat` compatibility flag \
                     to its wrangler.jsonc",
                ]
                .concat(),
            )
            .help("nothing to do; the PostgreSQL driver (`postgres`) needs Node.js APIs"),
        );
    }
}

impl crate::validate::KindRules for super::Def {
    fn design_rules(&self) -> &'static [Rule] {
        &[origin_region, max_age, existing_config]
    }

    fn worker_rules(&self) -> &'static [WorkerRule] {
        &[nodejs_compat]
    }

    fn memo_step_rules(&self) -> &'static [MemoStepRule] {
        &[placeholders]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expr, NodeKind};
    use crate::validate::testkit::{
        assert_contains, base, only, only_after, reported_after, reports, steps_mut,
    };

    #[test]
    fn scanner_skips_strings_comments_and_dollar_quotes() {
        let found = placeholders_of(
            "SELECT '$9 ?', \"$8\", $$ $7 $$ -- $6 ?\n FROM t WHERE a = $1 AND b = $2::int /* $5 */",
        );
        assert_eq!(found.numbers, BTreeSet::from([1, 2]));
        assert_eq!(found.question_marks, 0);
        assert_eq!(placeholders_of("WHERE a = ?").question_marks, 1);
    }

    fn set_sql(design: &mut crate::model::Design, text: &str, count: usize) {
        if let Step::Hyperdrive { sql, params, .. } = &mut steps_mut(design, 1)[0] {
            *sql = text.into();
            *params = vec![Expr::Json(serde_json::json!(1)); count];
        }
    }

    #[test]
    fn params_must_match_the_highest_placeholder() {
        reported_after(base(), "HYP001", |design| {
            set_sql(design, "SELECT id FROM orders WHERE id = $1 AND x = $1", 2);
        });
    }

    #[test]
    fn placeholder_numbering_without_gaps() {
        let found = only_after(base(), "HYP002", |design| {
            set_sql(design, "SELECT id FROM orders WHERE id = $1 AND x = $3", 3);
        });
        assert_contains(&found.message, "skip $2");
    }

    #[test]
    fn question_mark_placeholders() {
        reported_after(base(), "HYP003", |design| {
            set_sql(design, "SELECT id FROM orders WHERE id = ?", 1);
        });
    }

    fn hyperdrive_mut(design: &mut crate::model::Design) -> &mut crate::model::Hyperdrive {
        match design.node_mut("pg").map(|n| &mut n.kind) {
            Some(NodeKind::Hyperdrive(h)) => h,
            _ => panic!("no hyperdrive"),
        }
    }

    #[test]
    fn unknown_origin_region() {
        reported_after(base(), "HYP004", |design| {
            hyperdrive_mut(design).origin_region = "virginia".into();
        });
    }

    #[test]
    fn an_existing_configuration_asks_for_its_region() {
        reported_after(base(), "HYP007", |design| {
            hyperdrive_mut(design).config_id = Some("abc".into());
        });
    }

    #[test]
    fn max_age_over_an_hour() {
        let mut design = base();
        hyperdrive_mut(&mut design).caching.max_age_secs = 3600;
        reported_after(design, "HYP005", |design| {
            hyperdrive_mut(design).caching.max_age_secs = 3601;
        });
    }

    #[test]
    fn nodejs_compat_info_for_hyperdrive_users() {
        let mut design = base();
        let found = only(&design, "HYP006");
        assert_eq!(found.severity, Severity::Info);
        design.wires.retain(|w| w.to != "pg");
        assert!(!reports(&design, "HYP006"));
    }
}
