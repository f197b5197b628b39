//! The binding steps (KV, D1, Hyperdrive, service calls) as TypeScript: one `await step(...)`
//! around the helper of `edgewire.ts` (or `hyperdrive.ts`), with a comment.

use super::literals::{display_template, string_literal};
use super::{Emit, WorkerCompiler};
use crate::export::{ExportError, names};
use crate::model::{Expr, HttpMethod, KvFormat, QueryMode, Template};

impl Emit<'_, '_> {
    /// `<variable> = ` for a step that sets `into`; nothing for one that sets no value.
    fn assign(&self, into: Option<&str>) -> String {
        into.map_or_else(String::new, |name| format!("{} = ", self.scope.vars[name]))
    }

    /// The step's `await step(WORKER, position, kind, () => call)` on one line.
    fn await_step(&mut self, into: Option<&str>, call: &str) {
        let (pos, kind) = (string_literal(self.position), string_literal(self.kind));
        let assign = self.assign(into);
        self.line(&format!(
            "{assign}await step(WORKER, {pos}, {kind}, () => {call});"
        ));
    }

    /// The same with the call on a line of its own.
    fn await_step_wrapped(&mut self, into: Option<&str>, call: &str) {
        let (pos, kind) = (string_literal(self.position), string_literal(self.kind));
        let assign = self.assign(into);
        let pad = self.pad();
        self.line(&format!(
            "{assign}await step(WORKER, {pos}, {kind}, () =>\n{pad}  {call},\n{pad});"
        ));
    }
}

impl WorkerCompiler<'_> {
    /// `KvGet` through the `kvGetText`/`kvGetJson` helpers.
    pub(super) fn kv_get(
        e: &mut Emit<'_, '_>,
        binding: &str,
        key: &Template,
        format: KvFormat,
        into: &str,
    ) -> Result<(), ExportError> {
        let key_ts = e.template(key)?;
        let (helper, what) = match format {
            KvFormat::Text => ("kvGetText", "text"),
            KvFormat::Json => ("kvGetJson", "JSON"),
        };
        let shown = display_template(key);
        e.comment(&format!("Read {shown} from KV {binding} as {what}."));
        e.await_step(Some(into), &format!("{helper}(env.{binding}, {key_ts})"));
        Ok(())
    }

    /// `KvPut` through `kvPut`.
    pub(super) fn kv_put(
        e: &mut Emit<'_, '_>,
        binding: &str,
        key: &Template,
        value: &Expr,
        ttl_secs: Option<u32>,
    ) -> Result<(), ExportError> {
        let key_ts = e.template(key)?;
        let value = e.expr(value)?;
        let ttl = ttl_secs.map_or_else(String::new, |t| format!(", {t}"));
        let expiry = ttl_secs.map_or_else(String::new, |t| format!(", expiring in {t} s"));
        let shown = display_template(key);
        e.comment(&format!("Store {shown} in KV {binding}{expiry}."));
        e.await_step(
            None,
            &format!("kvPut(env.{binding}, {key_ts}, {value}{ttl})"),
        );
        Ok(())
    }

    /// `KvDelete` through `kvDelete`.
    pub(super) fn kv_delete(
        e: &mut Emit<'_, '_>,
        binding: &str,
        key: &Template,
    ) -> Result<(), ExportError> {
        let key_ts = e.template(key)?;
        let shown = display_template(key);
        e.comment(&format!("Delete {shown} from KV {binding}."));
        e.await_step(None, &format!("kvDelete(env.{binding}, {key_ts})"));
        Ok(())
    }

    /// `KvList` through `kvList`.
    pub(super) fn kv_list(
        e: &mut Emit<'_, '_>,
        binding: &str,
        prefix: &Template,
        into: &str,
    ) -> Result<(), ExportError> {
        let prefix_ts = e.template(prefix)?;
        let shown = display_template(prefix);
        e.comment(&format!(
            "List the keys of KV {binding} starting with {shown}."
        ));
        e.await_step(Some(into), &format!("kvList(env.{binding}, {prefix_ts})"));
        Ok(())
    }

    /// `D1` through `d1First`/`d1All`/`d1Run`, on the request's session when the database
    /// replicates reads.
    pub(super) fn d1(
        &self,
        e: &mut Emit<'_, '_>,
        binding: &str,
        sql: &str,
        params: &[Expr],
        mode: QueryMode,
        into: Option<&str>,
    ) -> Result<(), ExportError> {
        let params = e.exprs(params)?;
        let (helper, what) = match mode {
            QueryMode::First => ("d1First", "the first row"),
            QueryMode::All => ("d1All", "every row"),
            QueryMode::Run => ("d1Run", "changes and last row id"),
        };
        let db = match self.sessions.get(binding) {
            Some(var) => {
                e.scope.sessions_used.insert(binding.to_owned());
                var.clone()
            }
            None => format!("env.{binding}"),
        };
        e.comment(&format!("D1 query on {binding}: {what}."));
        e.await_step_wrapped(
            into,
            &format!(
                "{helper}({db}, {}, [{}])",
                string_literal(sql),
                params.join(", ")
            ),
        );
        Ok(())
    }

    /// `Hyperdrive` through `queryHyperdrive`.
    pub(super) fn hyperdrive(
        e: &mut Emit<'_, '_>,
        binding: &str,
        sql: &str,
        params: &[Expr],
        mode: QueryMode,
        into: Option<&str>,
    ) -> Result<(), ExportError> {
        e.scope.ctx_used = true;
        let params = e.exprs(params)?;
        let (mode_ts, what) = match mode {
            QueryMode::First => ("first", "the first row"),
            QueryMode::All => ("all", "every row"),
            QueryMode::Run => ("run", "the number of changed rows"),
        };
        e.comment(&format!(
            "PostgreSQL query through Hyperdrive {binding}: {what}."
        ));
        let (pos, kind, pad) = (string_literal(e.position), string_literal(e.kind), e.pad());
        let assign = e.assign(into);
        e.line(&format!(
            "{assign}await step(\n{pad}  WORKER,\n{pad}  {pos},\n{pad}  {kind},\n{pad}  () => queryHyperdrive(env.{binding}, ctx, {}, [{}], \"{mode_ts}\"),\n{pad}  originUnreachable,\n{pad});",
            string_literal(sql),
            params.join(", ")
        ));
        Ok(())
    }

    /// `Call` through `callService`, to the Worker behind the binding.
    pub(super) fn call(
        &self,
        e: &mut Emit<'_, '_>,
        binding: &str,
        method: HttpMethod,
        path: &Template,
        body: Option<&Expr>,
        into: &str,
    ) -> Result<(), ExportError> {
        let target = self
            .design
            .binding_target(self.node, binding)
            .map(|n| names::slug(&n.id))
            .ok_or_else(|| ExportError::Unsupported {
                node: self.node.to_owned(),
                detail: format!(
                    "route {} step {} calls binding `{binding}`, which is not wired",
                    e.place.route + 1,
                    e.position
                ),
            })?;
        let path_ts = e.template(path)?;
        let body = match body {
            Some(expr) => e.expr(expr)?,
            None => "undefined".to_owned(),
        };
        e.scope.inputs_used.insert("auth");
        let shown = display_template(path);
        e.comment(&format!("Call {method} {shown} on service {binding}."));
        e.await_step_wrapped(
            Some(into),
            &format!(
                "callService(env.{binding}, {}, \"{method}\", {path_ts}, {body}, auth)",
                string_literal(&target)
            ),
        );
        Ok(())
    }
}
