//! The binding steps (KV, D1, Hyperdrive, service calls) as TypeScript: one `await step(...)`
//! around the helper of `edgewire.ts` (or `hyperdrive.ts`), with a comment.

use std::fmt::Write as _;

use super::literals::{display_template, string_literal};
use super::{Place, Scope, WorkerCompiler};
use crate::export::{ExportError, names};
use crate::model::{KvFormat, QueryMode, Step};

/// What every binding step's code starts from: its indent, and its kind and position as
/// TypeScript string literals.
struct Head {
    pad: String,
    kind: String,
    pos: String,
}

impl Head {
    fn new(step: &Step, position: &str, depth: usize) -> Self {
        Self {
            pad: "  ".repeat(depth),
            kind: string_literal(step.kind_name()),
            pos: string_literal(position),
        }
    }
}

/// `<variable> = ` for a step that sets `into`; nothing for one that sets no value.
fn assign(scope: &Scope<'_>, into: Option<&str>) -> String {
    into.map_or_else(String::new, |name| format!("{} = ", scope.vars[name]))
}

impl WorkerCompiler<'_> {
    /// `KvGet` through the `kvGetText`/`kvGetJson` helpers.
    pub(super) fn kv_get(
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::KvGet {
            binding,
            key,
            format,
            into,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let key_ts = Self::template(key, place, position, scope)?;
        let (helper, what) = match format {
            KvFormat::Text => ("kvGetText", "text"),
            KvFormat::Json => ("kvGetJson", "JSON"),
        };
        let _ = writeln!(
            out,
            "{pad}// {position}. Read {} from KV {binding} as {what}.",
            display_template(key)
        );
        let _ = writeln!(
            out,
            "{pad}{}await step(WORKER, {pos}, {kind}, () => {helper}(env.{binding}, {key_ts}));",
            assign(scope, Some(into))
        );
        Ok(())
    }

    /// `KvPut` through `kvPut`.
    pub(super) fn kv_put(
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::KvPut {
            binding,
            key,
            value,
            ttl_secs,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let key_ts = Self::template(key, place, position, scope)?;
        let value = Self::expr(value, depth, place, position, scope)?;
        let ttl = ttl_secs.map_or_else(String::new, |t| format!(", {t}"));
        let expiry = ttl_secs.map_or_else(String::new, |t| format!(", expiring in {t} s"));
        let _ = writeln!(
            out,
            "{pad}// {position}. Store {} in KV {binding}{expiry}.",
            display_template(key)
        );
        let _ = writeln!(
            out,
            "{pad}await step(WORKER, {pos}, {kind}, () => kvPut(env.{binding}, {key_ts}, {value}{ttl}));"
        );
        Ok(())
    }

    /// `KvDelete` through `kvDelete`.
    pub(super) fn kv_delete(
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::KvDelete { binding, key } = step else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let key_ts = Self::template(key, place, position, scope)?;
        let _ = writeln!(
            out,
            "{pad}// {position}. Delete {} from KV {binding}.",
            display_template(key)
        );
        let _ = writeln!(
            out,
            "{pad}await step(WORKER, {pos}, {kind}, () => kvDelete(env.{binding}, {key_ts}));"
        );
        Ok(())
    }

    /// `KvList` through `kvList`.
    pub(super) fn kv_list(
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::KvList {
            binding,
            prefix,
            into,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let prefix_ts = Self::template(prefix, place, position, scope)?;
        let _ = writeln!(
            out,
            "{pad}// {position}. List the keys of KV {binding} starting with {}.",
            display_template(prefix)
        );
        let _ = writeln!(
            out,
            "{pad}{}await step(WORKER, {pos}, {kind}, () => kvList(env.{binding}, {prefix_ts}));",
            assign(scope, Some(into))
        );
        Ok(())
    }

    /// `D1` through `d1First`/`d1All`/`d1Run`, on the request's session when the database replicates reads.
    pub(super) fn d1(
        &self,
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::D1 {
            binding,
            sql,
            params,
            mode,
            into,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let params = Self::exprs(params, depth, place, position, scope)?;
        let (helper, what) = match mode {
            QueryMode::First => ("d1First", "the first row"),
            QueryMode::All => ("d1All", "every row"),
            QueryMode::Run => ("d1Run", "changes and last row id"),
        };
        let db = match self.sessions.get(binding) {
            Some(var) => {
                scope.sessions_used.insert(binding.clone());
                var.clone()
            }
            None => format!("env.{binding}"),
        };
        let _ = writeln!(out, "{pad}// {position}. D1 query on {binding}: {what}.");
        let _ = writeln!(
            out,
            "{pad}{}await step(WORKER, {pos}, {kind}, () =>\n{pad}  {helper}({db}, {}, [{}]),\n{pad});",
            assign(scope, into.as_deref()),
            string_literal(sql),
            params.join(", ")
        );
        Ok(())
    }

    /// `Hyperdrive` through `queryHyperdrive`.
    pub(super) fn hyperdrive(
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::Hyperdrive {
            binding,
            sql,
            params,
            mode,
            into,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        scope.ctx_used = true;
        let params = Self::exprs(params, depth, place, position, scope)?;
        let (mode_ts, what) = match mode {
            QueryMode::First => ("first", "the first row"),
            QueryMode::All => ("all", "every row"),
            QueryMode::Run => ("run", "the number of changed rows"),
        };
        let _ = writeln!(
            out,
            "{pad}// {position}. PostgreSQL query through Hyperdrive {binding}: {what}."
        );
        let _ = writeln!(
            out,
            "{pad}{}await step(\n{pad}  WORKER,\n{pad}  {pos},\n{pad}  {kind},\n{pad}  () => queryHyperdrive(env.{binding}, ctx, {}, [{}], \"{mode_ts}\"),\n{pad}  originUnreachable,\n{pad});",
            assign(scope, into.as_deref()),
            string_literal(sql),
            params.join(", ")
        );
        Ok(())
    }

    /// `Call` through `callService`, to the Worker behind the binding.
    pub(super) fn call(
        &self,
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<(), ExportError> {
        let Step::Call {
            binding,
            method,
            path,
            body,
            into,
        } = step
        else {
            return Ok(());
        };
        let Head { pad, kind, pos } = Head::new(step, position, depth);
        let target = self
            .design
            .binding_target(self.node, binding)
            .map(|n| names::slug(&n.id))
            .ok_or_else(|| ExportError::Unsupported {
                node: self.node.to_owned(),
                detail: format!(
                    "route {} step {position} calls binding `{binding}`, which is not wired",
                    place.route + 1
                ),
            })?;
        let path_ts = Self::template(path, place, position, scope)?;
        let body = match body {
            Some(expr) => Self::expr(expr, depth, place, position, scope)?,
            None => "undefined".to_owned(),
        };
        scope.inputs_used.insert("auth");
        let _ = writeln!(
            out,
            "{pad}// {position}. Call {method} {} on service {binding}.",
            display_template(path)
        );
        let _ = writeln!(
            out,
            "{pad}{}await step(WORKER, {pos}, {kind}, () =>\n{pad}  callService(env.{binding}, {}, \"{method}\", {path_ts}, {body}, auth),\n{pad});",
            assign(scope, Some(into)),
            string_literal(&target)
        );
        Ok(())
    }
}
