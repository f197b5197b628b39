//! Values, templates and conditions as TypeScript expressions.

use std::fmt::Write as _;

use super::Emit;
use super::literals::{json_literal, object_key, string_literal};
use crate::export::ExportError;
use crate::model::{Condition, Expr, Template, TemplatePart};

/// Longest object literal kept on one line.
const MAX_INLINE_OBJECT: usize = 72;

impl Emit<'_, '_> {
    pub(super) fn exprs(&mut self, exprs: &[Expr]) -> Result<Vec<String>, ExportError> {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    /// `expr` at the step's indent.
    pub(super) fn expr(&mut self, expr: &Expr) -> Result<String, ExportError> {
        self.expr_at(expr, self.depth)
    }

    /// `expr` as written at indent `depth` (an object too long for one line puts a field on
    /// each line).
    fn expr_at(&mut self, expr: &Expr, depth: usize) -> Result<String, ExportError> {
        Ok(match expr {
            Expr::Ref(path) => self.scope.reference(path),
            Expr::Text(template) => self.template(template)?,
            Expr::Json(value) => json_literal(value),
            Expr::Object(fields) => {
                if fields.is_empty() {
                    return Ok("{}".to_owned());
                }
                let mut parts = Vec::with_capacity(fields.len());
                for (key, value) in fields {
                    let value = self.expr_at(value, depth + 1)?;
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

    pub(super) fn template(&mut self, template: &Template) -> Result<String, ExportError> {
        let parts = template.parts().map_err(|source| ExportError::Template {
            node: self.place.node.to_owned(),
            route: self.place.route + 1,
            step: self.position.to_owned(),
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
                    let _ = write!(out, "${{text({})}}", self.scope.reference(path));
                }
            }
        }
        out.push('`');
        Ok(out)
    }

    pub(super) fn condition(&mut self, cond: &Condition) -> Result<String, ExportError> {
        Ok(match cond {
            Condition::Exists(path) => format!("{} !== null", self.scope.reference(path)),
            Condition::Missing(path) => format!("{} === null", self.scope.reference(path)),
            Condition::Equals(a, b) => format!("jsonEquals({}, {})", self.expr(a)?, self.expr(b)?),
        })
    }
}
