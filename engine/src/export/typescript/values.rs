//! Values, templates and conditions as TypeScript expressions.

use std::fmt::Write as _;

use super::literals::{json_literal, object_key, string_literal};
use super::{Place, Scope, WorkerCompiler};
use crate::export::ExportError;
use crate::model::{Condition, Expr, Template, TemplatePart};

/// Longest object literal kept on one line.
const MAX_INLINE_OBJECT: usize = 72;

impl WorkerCompiler<'_> {
    pub(super) fn exprs(
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

    pub(super) fn expr(
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

    pub(super) fn template(
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

    pub(super) fn condition(
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
