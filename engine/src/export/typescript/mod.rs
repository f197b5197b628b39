//! Compiling handlers (lists of steps) to TypeScript that calls the helpers of `edgewire.ts`.
//!
//! Each Worker route becomes one `async function`; each step becomes one or a few lines
//! with a comment that says what the step does. Names set by steps become `let` variables
//! typed `Json`; references become variables or `at(variable, "key", ...)` lookups.

//!
//! This file compiles a route and its control flow (`Set`, `If`, `Respond`); `steps.rs` the
//! binding steps, `values.rs` values, templates and conditions, `literals.rs` TypeScript
//! literals and the comments' text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{ExportError, names};
use crate::model::{Condition, Design, NodeKind, Route, Step, walk_steps};

mod literals;
mod steps;
mod values;

pub use literals::string_literal;
use literals::{display_condition, object_key};

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
            let mut e = Emit {
                out: &mut *out,
                place,
                position: &position,
                kind: step.kind_name(),
                depth,
                scope: &mut *scope,
            };
            if self.step(&mut e, step)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Emits one step; returns whether it always ends in a response.
    fn step(&self, e: &mut Emit<'_, '_>, step: &Step) -> Result<bool, ExportError> {
        match step {
            Step::KvGet {
                binding,
                key,
                format,
                into,
            } => Self::kv_get(e, binding, key, *format, into)?,
            Step::KvPut {
                binding,
                key,
                value,
                ttl_secs,
            } => Self::kv_put(e, binding, key, value, *ttl_secs)?,
            Step::KvDelete { binding, key } => Self::kv_delete(e, binding, key)?,
            Step::KvList {
                binding,
                prefix,
                into,
            } => Self::kv_list(e, binding, prefix, into)?,
            Step::D1 {
                binding,
                sql,
                params,
                mode,
                into,
            } => self.d1(e, binding, sql, params, *mode, into.as_deref())?,
            Step::Hyperdrive {
                binding,
                sql,
                params,
                mode,
                into,
            } => Self::hyperdrive(e, binding, sql, params, *mode, into.as_deref())?,
            Step::Call {
                binding,
                method,
                path,
                body,
                into,
            } => self.call(e, binding, *method, path, body.as_ref(), into)?,
            Step::Set { name, value } => {
                let value = e.expr(value)?;
                e.comment(&format!("Set {name}."));
                let var = &e.scope.vars[name];
                e.line(&format!("{var} = {value};"));
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => return self.branches(e, cond, then, otherwise),
            Step::Respond {
                status,
                body,
                headers,
            } => {
                let mut args = vec![status.to_string()];
                let body_ts = body.as_ref().map(|expr| e.expr(expr)).transpose()?;
                if !headers.is_empty() {
                    let mut fields = Vec::new();
                    for (name, value) in headers {
                        let value = e.template(value)?;
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
                e.comment(&format!("Respond {status}."));
                e.line(&format!("return respond({});", args.join(", ")));
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// An `If` and its branches; returns whether both always end in a response.
    fn branches(
        &self,
        e: &mut Emit<'_, '_>,
        cond: &Condition,
        then: &[Step],
        otherwise: &[Step],
    ) -> Result<bool, ExportError> {
        let cond_ts = e.condition(cond)?;
        e.comment(&format!("If {}.", display_condition(cond)));
        e.line(&format!("if ({cond_ts}) {{"));
        let branch = |e: &mut Emit<'_, '_>, name: &str, steps: &[Step]| {
            let prefix = format!("{}.{name}", e.position);
            self.steps(e.out, steps, &prefix, e.depth + 1, e.place, e.scope)
        };
        let then_responds = branch(e, "then", then)?;
        if otherwise.is_empty() {
            e.line("}");
            return Ok(false);
        }
        e.line("} else {");
        let otherwise_responds = branch(e, "otherwise", otherwise)?;
        e.line("}");
        Ok(then_responds && otherwise_responds)
    }
}

/// One step being written: where it is (for error messages and its comment), its kind, its
/// indent, and the names its code refers to.
struct Emit<'e, 'v> {
    out: &'e mut String,
    place: &'e Place<'e>,
    /// `2`, `3.then.0`.
    position: &'e str,
    kind: &'static str,
    depth: usize,
    scope: &'e mut Scope<'v>,
}

impl Emit<'_, '_> {
    fn pad(&self) -> String {
        "  ".repeat(self.depth)
    }

    /// One line of code at the step's indent.
    fn line(&mut self, code: &str) {
        let pad = self.pad();
        let _ = writeln!(self.out, "{pad}{code}");
    }

    /// The step's comment: its position, then what it does.
    fn comment(&mut self, what: &str) {
        let line = format!("// {}. {what}", self.position);
        self.line(&line);
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
