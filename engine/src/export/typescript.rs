//! Compiling handlers (lists of steps) to TypeScript that calls the helpers of `edgewire.ts`.
//!
//! Each Worker route becomes one `async function`; each step becomes one or a few lines
//! with a comment that says what the step does. Names set by steps become `let` variables
//! typed `Json`; references become variables or `at(variable, "key", ...)` lookups.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::ExportError;
use super::names;
use crate::model::{
    Condition, Design, Expr, KvFormat, NodeKind, QueryMode, Route, Step, Template, TemplatePart,
    walk_steps,
};

/// Longest object literal kept on one line.
const MAX_INLINE_OBJECT: usize = 72;

/// A string as a TypeScript (and JSON) string literal.
pub fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// An object key: bare when it is an identifier, quoted otherwise; `__proto__` is computed
/// so that it names a field instead of setting the prototype.
fn object_key(key: &str) -> String {
    if key == "__proto__" {
        format!("[{}]", string_literal(key))
    } else if crate::model::is_js_identifier(key) {
        key.to_owned()
    } else {
        string_literal(key)
    }
}

/// A JSON value as a TypeScript literal.
pub fn json_literal(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".to_owned();
            }
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", object_key(k), json_literal(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json_literal).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Where in the design a handler is, for error messages.
#[derive(Clone)]
struct Place<'a> {
    node: &'a str,
    route: usize,
}

/// Compiles one Worker's routes.
pub struct WorkerCompiler<'a> {
    design: &'a Design,
    node: &'a str,
    /// D1 bindings read through a session (read replication), binding -> variable name.
    sessions: BTreeMap<String, String>,
}

/// One compiled route.
pub struct CompiledRoute {
    pub function: String,
    pub code: String,
}

impl<'a> WorkerCompiler<'a> {
    pub fn new(design: &'a Design, node: &'a str) -> Self {
        let mut sessions = BTreeMap::new();
        for wire in design.wires_from(node) {
            if let Some(NodeKind::D1(d1)) = design.node(&wire.to).map(|n| &n.kind)
                && d1.read_replication
            {
                sessions.insert(
                    wire.binding.clone(),
                    format!("{}Session", wire.binding.to_ascii_lowercase()),
                );
            }
        }
        Self {
            design,
            node,
            sessions,
        }
    }

    /// The TypeScript function for one route.
    pub fn route(
        &self,
        index: usize,
        route: &Route,
        function: &str,
    ) -> Result<CompiledRoute, ExportError> {
        let place = Place {
            node: self.node,
            route: index,
        };
        // Every name a step sets becomes a variable declared at the top.
        let mut outputs: Vec<String> = Vec::new();
        let mut first_error: Option<ExportError> = None;
        walk_steps(&route.steps, &mut |position, step| {
            if let Some(name) = step.output() {
                if Route::INPUTS.contains(&name) && first_error.is_none() {
                    first_error = Some(ExportError::Unsupported {
                        node: place.node.to_owned(),
                        detail: format!(
                            "route {} step {position} sets `{name}`, which is an input name",
                            place.route + 1
                        ),
                    });
                }
                if !outputs.iter().any(|o| o == name) {
                    outputs.push(name.to_owned());
                }
            }
        });
        if let Some(error) = first_error {
            return Err(error);
        }
        let mut taken: BTreeSet<String> = Route::INPUTS.iter().map(|s| (*s).to_owned()).collect();
        taken.extend(self.sessions.values().cloned());
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for name in &outputs {
            let var = names::variable(name, &taken);
            taken.insert(var.clone());
            vars.insert(name.clone(), var);
        }
        let mut body = String::new();
        let mut scope = Scope {
            vars: &vars,
            inputs_used: BTreeSet::new(),
            sessions_used: BTreeSet::new(),
            ctx_used: false,
        };
        let responds = self.steps(&mut body, &route.steps, "", 1, &place, &mut scope)?;
        if !responds {
            let _ = writeln!(
                body,
                "  // The handler can end without a Respond step.\n  return respond(500, {{ error: NO_RESPONSE, node: WORKER }});"
            );
        }

        let mut code = String::new();
        let _ = writeln!(code, "/** {} {} */", route.method, route.path);
        let ctx = if scope.ctx_used { "ctx" } else { "_ctx" };
        let _ = writeln!(
            code,
            "async function {function}(input: Input, env: Env, {ctx}: ExecutionContext): Promise<Response> {{"
        );
        let inputs: Vec<&str> = Route::INPUTS
            .iter()
            .copied()
            .filter(|i| scope.inputs_used.contains(*i))
            .collect();
        if !inputs.is_empty() {
            let _ = writeln!(code, "  const {{ {} }} = input;", inputs.join(", "));
        }
        for (binding, var) in &self.sessions {
            if scope.sessions_used.contains(binding) {
                let _ = writeln!(
                    code,
                    "  // Read replication: one D1 session per request, so reads see this request's writes.\n  const {var} = env.{binding}.withSession(\"first-unconstrained\");"
                );
            }
        }
        for name in &outputs {
            let _ = writeln!(code, "  let {}: Json = null;", vars[name]);
        }
        if !outputs.is_empty() || !inputs.is_empty() {
            code.push('\n');
        }
        code.push_str(&body);
        code.push_str("}\n");
        Ok(CompiledRoute {
            function: function.to_owned(),
            code,
        })
    }

    /// Emits a list of steps; returns whether it always ends in a response.
    fn steps(
        &self,
        out: &mut String,
        steps: &[Step],
        prefix: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<bool, ExportError> {
        for (index, step) in steps.iter().enumerate() {
            let position = if prefix.is_empty() {
                index.to_string()
            } else {
                format!("{prefix}.{index}")
            };
            if index > 0 {
                out.push('\n');
            }
            if self.step(out, step, &position, depth, place, scope)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Emits one step; returns whether it always ends in a response.
    fn step(
        &self,
        out: &mut String,
        step: &Step,
        position: &str,
        depth: usize,
        place: &Place<'_>,
        scope: &mut Scope<'_>,
    ) -> Result<bool, ExportError> {
        let pad = "  ".repeat(depth);
        let kind = string_literal(step.kind_name());
        let pos = string_literal(position);
        let assign = |into: Option<&str>| -> String {
            into.map_or_else(String::new, |name| format!("{} = ", scope.vars[name]))
        };
        match step {
            Step::KvGet {
                binding,
                key,
                format,
                into,
            } => {
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
                    assign(Some(into))
                );
            }
            Step::KvPut {
                binding,
                key,
                value,
                ttl_secs,
            } => {
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
            }
            Step::KvDelete { binding, key } => {
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
            }
            Step::KvList {
                binding,
                prefix,
                into,
            } => {
                let prefix_ts = Self::template(prefix, place, position, scope)?;
                let _ = writeln!(
                    out,
                    "{pad}// {position}. List the keys of KV {binding} starting with {}.",
                    display_template(prefix)
                );
                let _ = writeln!(
                    out,
                    "{pad}{}await step(WORKER, {pos}, {kind}, () => kvList(env.{binding}, {prefix_ts}));",
                    assign(Some(into))
                );
            }
            Step::D1 {
                binding,
                sql,
                params,
                mode,
                into,
            } => {
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
                    assign(into.as_deref()),
                    string_literal(sql),
                    params.join(", ")
                );
            }
            Step::Hyperdrive {
                binding,
                sql,
                params,
                mode,
                into,
            } => {
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
                    assign(into.as_deref()),
                    string_literal(sql),
                    params.join(", ")
                );
            }
            Step::Call {
                binding,
                method,
                path,
                body,
                into,
            } => {
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
                    assign(Some(into)),
                    string_literal(&target)
                );
            }
            Step::Set { name, value } => {
                let value = Self::expr(value, depth, place, position, scope)?;
                let _ = writeln!(out, "{pad}// {position}. Set {name}.");
                let _ = writeln!(out, "{pad}{} = {value};", scope.vars[name]);
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                let cond_ts = Self::condition(cond, depth, place, position, scope)?;
                let _ = writeln!(out, "{pad}// {position}. If {}.", display_condition(cond));
                let _ = writeln!(out, "{pad}if ({cond_ts}) {{");
                let then_responds = self.steps(
                    out,
                    then,
                    &format!("{position}.then"),
                    depth + 1,
                    place,
                    scope,
                )?;
                if otherwise.is_empty() {
                    let _ = writeln!(out, "{pad}}}");
                    return Ok(false);
                }
                let _ = writeln!(out, "{pad}}} else {{");
                let otherwise_responds = self.steps(
                    out,
                    otherwise,
                    &format!("{position}.otherwise"),
                    depth + 1,
                    place,
                    scope,
                )?;
                let _ = writeln!(out, "{pad}}}");
                return Ok(then_responds && otherwise_responds);
            }
            Step::Respond {
                status,
                body,
                headers,
            } => {
                let mut args = vec![status.to_string()];
                let body_ts = match body {
                    Some(expr) => Some(Self::expr(expr, depth, place, position, scope)?),
                    None => None,
                };
                if !headers.is_empty() {
                    let mut fields = Vec::new();
                    for (name, value) in headers {
                        let value = Self::template(value, place, position, scope)?;
                        fields.push(format!(
                            "{}: {value}",
                            object_key(&name.to_ascii_lowercase())
                        ));
                    }
                    args.push(body_ts.unwrap_or_else(|| "undefined".to_owned()));
                    args.push(format!("{{ {} }}", fields.join(", ")));
                } else if let Some(body) = body_ts {
                    args.push(body);
                }
                let _ = writeln!(out, "{pad}// {position}. Respond {status}.");
                let _ = writeln!(out, "{pad}return respond({});", args.join(", "));
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn exprs(
        exprs: &[Expr],
        depth: usize,
        place: &Place<'_>,
        position: &str,
        scope: &mut Scope<'_>,
    ) -> Result<Vec<String>, ExportError> {
        exprs
            .iter()
            .map(|e| Self::expr(e, depth, place, position, scope))
            .collect()
    }

    fn expr(
        expr: &Expr,
        depth: usize,
        place: &Place<'_>,
        position: &str,
        scope: &mut Scope<'_>,
    ) -> Result<String, ExportError> {
        Ok(match expr {
            Expr::Ref(path) => scope.reference(path),
            Expr::Text(template) => Self::template(template, place, position, scope)?,
            Expr::Json(value) => json_literal(value),
            Expr::Object(fields) => {
                if fields.is_empty() {
                    return Ok("{}".to_owned());
                }
                let mut parts = Vec::with_capacity(fields.len());
                for (key, value) in fields {
                    let value = Self::expr(value, depth + 1, place, position, scope)?;
                    if *key == value && crate::model::is_js_identifier(key) {
                        // `{ product }` rather than `{ product: product }`.
                        parts.push(value);
                    } else {
                        parts.push(format!("{}: {value}", object_key(key)));
                    }
                }
                let one_line = format!("{{ {} }}", parts.join(", "));
                if one_line.len() <= MAX_INLINE_OBJECT && !one_line.contains('\n') {
                    one_line
                } else {
                    // One field per line, as a formatter would lay it out.
                    let inner = "  ".repeat(depth + 1);
                    let fields = parts.iter().fold(String::new(), |mut out, p| {
                        let _ = writeln!(out, "{inner}{p},");
                        out
                    });
                    format!("{{\n{fields}{}}}", "  ".repeat(depth))
                }
            }
        })
    }

    fn template(
        template: &Template,
        place: &Place<'_>,
        position: &str,
        scope: &mut Scope<'_>,
    ) -> Result<String, ExportError> {
        let parts = template.parts().map_err(|source| ExportError::Template {
            node: place.node.to_owned(),
            route: place.route + 1,
            step: position.to_owned(),
            template: template.as_str().to_owned(),
            source,
        })?;
        if parts.iter().all(|p| matches!(p, TemplatePart::Literal(_))) {
            let literal: String = parts
                .iter()
                .map(|p| match p {
                    TemplatePart::Literal(text) => text.as_ref(),
                    TemplatePart::Path(_) => "",
                })
                .collect();
            return Ok(string_literal(&literal));
        }
        let mut out = String::from("`");
        for part in parts {
            match part {
                TemplatePart::Literal(text) => {
                    for c in text.chars() {
                        match c {
                            '`' => out.push_str("\\`"),
                            '\\' => out.push_str("\\\\"),
                            '$' => out.push_str("\\$"),
                            _ => out.push(c),
                        }
                    }
                }
                TemplatePart::Path(path) => {
                    let _ = write!(out, "${{text({})}}", scope.reference(path));
                }
            }
        }
        out.push('`');
        Ok(out)
    }

    fn condition(
        cond: &Condition,
        depth: usize,
        place: &Place<'_>,
        position: &str,
        scope: &mut Scope<'_>,
    ) -> Result<String, ExportError> {
        Ok(match cond {
            Condition::Exists(path) => format!("{} !== null", scope.reference(path)),
            Condition::Missing(path) => format!("{} === null", scope.reference(path)),
            Condition::Equals(a, b) => format!(
                "jsonEquals({}, {})",
                Self::expr(a, depth, place, position, scope)?,
                Self::expr(b, depth, place, position, scope)?
            ),
        })
    }
}

/// What a handler body refers to while it is being compiled.
struct Scope<'v> {
    vars: &'v BTreeMap<String, String>,
    inputs_used: BTreeSet<&'static str>,
    sessions_used: BTreeSet<String>,
    ctx_used: bool,
}

impl Scope<'_> {
    /// `a.b.c` as TypeScript: the variable, then `at(...)` for the rest; unknown names are `null`.
    fn reference(&mut self, path: &str) -> String {
        let mut segments = path.split('.');
        let root = segments.next().unwrap_or_default().trim();
        let rest: Vec<&str> = segments.collect();
        let var = if let Some(input) = Route::INPUTS.iter().find(|i| **i == root) {
            self.inputs_used.insert(input);
            (*input).to_owned()
        } else if let Some(var) = self.vars.get(root) {
            var.clone()
        } else {
            return "null".to_owned();
        };
        if rest.is_empty() {
            var
        } else {
            let keys: Vec<String> = rest.iter().map(|k| string_literal(k)).collect();
            format!("at({var}, {})", keys.join(", "))
        }
    }
}

/// A template as shown in comments: in backquotes, on one line.
fn display_template(template: &Template) -> String {
    format!("`{}`", one_line(template.as_str()))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn display_expr(expr: &Expr) -> String {
    match expr {
        Expr::Ref(path) => path.clone(),
        Expr::Text(template) => display_template(template),
        Expr::Json(value) => one_line(&value.to_string()),
        Expr::Object(_) => "an object".to_owned(),
    }
}

fn display_condition(cond: &Condition) -> String {
    match cond {
        Condition::Exists(path) => format!("{path} exists"),
        Condition::Missing(path) => format!("{path} is missing"),
        Condition::Equals(a, b) => format!("{} equals {}", display_expr(a), display_expr(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_literals_are_valid_typescript() {
        let value = serde_json::json!({"a": [1, "x"], "b-c": null, "__proto__": true});
        assert_eq!(
            json_literal(&value),
            r#"{ a: [1, "x"], "b-c": null, ["__proto__"]: true }"#
        );
    }
}
