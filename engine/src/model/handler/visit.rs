//! What a handler reads and writes, in one place: the dotted paths each step, value,
//! condition and template reads (`params.id`, `body.name`, `row.x`), the templates it holds,
//! and the name each step sets. The runtime (which inputs a route needs), validation (values
//! used before they are set, templates that do not parse, output names) and the exporter
//! (the variables a handler declares) all ask these. None of them allocates.

use super::{Condition, Expr, Route, Step, Template, TemplatePart};

impl Route {
    /// The names a handler's scope holds before its first step (see "The scope" in the
    /// handler language docs); steps cannot set them.
    pub const INPUTS: [&'static str; 5] = ["params", "query", "headers", "body", "auth"];
}

impl Step {
    /// The name this step sets, if any.
    pub fn output(&self) -> Option<&str> {
        match self {
            Step::KvGet { into, .. } | Step::KvList { into, .. } | Step::Call { into, .. } => {
                Some(into)
            }
            Step::D1 { into, .. } | Step::Hyperdrive { into, .. } => into.as_deref(),
            Step::Set { name, .. } => Some(name),
            Step::KvPut { .. } | Step::KvDelete { .. } | Step::If { .. } | Step::Respond { .. } => {
                None
            }
        }
    }

    /// Visit every template, value and condition this step evaluates, in the order it
    /// evaluates them (not counting the steps of its branches).
    pub fn for_each_piece<'s>(&'s self, mut visit: impl FnMut(Piece<'s>)) {
        match self {
            Step::KvGet { key, .. } | Step::KvDelete { key, .. } => visit(Piece::Template(key)),
            Step::KvPut { key, value, .. } => {
                visit(Piece::Template(key));
                visit(Piece::Expr(value));
            }
            Step::KvList { prefix, .. } => visit(Piece::Template(prefix)),
            Step::D1 { params, .. } | Step::Hyperdrive { params, .. } => {
                for param in params {
                    visit(Piece::Expr(param));
                }
            }
            Step::Call { path, body, .. } => {
                visit(Piece::Template(path));
                if let Some(body) = body {
                    visit(Piece::Expr(body));
                }
            }
            Step::Set { value, .. } => visit(Piece::Expr(value)),
            Step::If { cond, .. } => visit(Piece::Condition(cond)),
            Step::Respond { body, headers, .. } => {
                if let Some(body) = body {
                    visit(Piece::Expr(body));
                }
                for template in headers.values() {
                    visit(Piece::Template(template));
                }
            }
        }
    }

    /// Visit every dotted path this step reads, in the order the step evaluates them (not
    /// counting the steps of its branches). A template that does not parse reads nothing.
    pub fn for_each_read<'s>(&'s self, visit: &mut dyn FnMut(&'s str)) {
        self.for_each_piece(|piece| match piece {
            Piece::Template(template) => template.for_each_read(visit),
            Piece::Expr(expr) => expr.for_each_read(visit),
            Piece::Condition(cond) => cond.for_each_read(visit),
        });
    }

    /// Visit every template this step holds (not counting the steps of its branches).
    pub fn for_each_template<'s>(&'s self, visit: &mut dyn FnMut(&'s Template)) {
        self.for_each_piece(|piece| match piece {
            Piece::Template(template) => visit(template),
            Piece::Expr(expr) => expr.for_each_template(visit),
            Piece::Condition(cond) => cond.for_each_template(visit),
        });
    }
}

/// What a step evaluates: a template, a value or a condition.
#[derive(Clone, Copy)]
pub enum Piece<'s> {
    Template(&'s Template),
    Expr(&'s Expr),
    Condition(&'s Condition),
}

impl Expr {
    /// Visit every dotted path this expression reads (refs and template placeholders).
    pub fn for_each_read<'e>(&'e self, visit: &mut dyn FnMut(&'e str)) {
        match self {
            Expr::Ref(path) => visit(path),
            Expr::Text(template) => template.for_each_read(visit),
            Expr::Json(_) => {}
            Expr::Object(fields) => {
                for value in fields.values() {
                    value.for_each_read(visit);
                }
            }
        }
    }

    /// Visit every template this expression holds.
    pub fn for_each_template<'e>(&'e self, visit: &mut dyn FnMut(&'e Template)) {
        match self {
            Expr::Text(template) => visit(template),
            Expr::Object(fields) => {
                for value in fields.values() {
                    value.for_each_template(visit);
                }
            }
            Expr::Ref(_) | Expr::Json(_) => {}
        }
    }
}

impl Condition {
    /// Visit every dotted path the condition reads.
    pub fn for_each_read<'c>(&'c self, visit: &mut dyn FnMut(&'c str)) {
        match self {
            Condition::Exists(path) | Condition::Missing(path) => visit(path),
            Condition::Equals(a, b) => {
                a.for_each_read(visit);
                b.for_each_read(visit);
            }
        }
    }

    /// Visit every template the condition holds (`Exists` and `Missing` name a path).
    pub fn for_each_template<'c>(&'c self, visit: &mut dyn FnMut(&'c Template)) {
        if let Condition::Equals(a, b) = self {
            a.for_each_template(visit);
            b.for_each_template(visit);
        }
    }
}

/// Placeholders [`Template::for_each_read`] keeps while it checks that a template parses;
/// templates with more are scanned a second time.
const KEPT_PATHS: usize = 8;

impl Template {
    /// Visit the placeholder paths in order; nothing when the template does not parse.
    pub fn for_each_read<'t>(&'t self, visit: &mut dyn FnMut(&'t str)) {
        if !self.as_str().contains(['{', '}']) {
            return;
        }
        let mut kept: [&'t str; KEPT_PATHS] = [""; KEPT_PATHS];
        let mut count = 0;
        let parses = self
            .for_each_part(|part| {
                if let TemplatePart::Path(path) = part {
                    if let Some(slot) = kept.get_mut(count) {
                        *slot = path;
                    }
                    count += 1;
                }
            })
            .is_ok();
        if !parses {
            return;
        }
        if count <= KEPT_PATHS {
            for path in &kept[..count] {
                visit(path);
            }
        } else {
            // It parsed once, so it parses again.
            let _ = self.for_each_part(|part| {
                if let TemplatePart::Path(path) = part {
                    visit(path);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn reads(step: &Step) -> Vec<&str> {
        let mut out = Vec::new();
        step.for_each_read(&mut |path| out.push(path));
        out
    }

    #[test]
    fn a_step_reads_its_templates_and_values_in_order() {
        let step = Step::Respond {
            status: 200,
            body: Some(Expr::Object(BTreeMap::from([
                ("a".to_owned(), Expr::Ref("row.x".into())),
                (
                    "b".to_owned(),
                    Expr::Text(Template::new("{params.id}-{ body.n }")),
                ),
                ("c".to_owned(), Expr::Json(json!({"k": "{not.a.path}"}))),
            ]))),
            headers: BTreeMap::from([
                ("x-a".to_owned(), Template::new("{headers.a}")),
                ("x-b".to_owned(), Template::new("{broken")),
            ]),
        };
        assert_eq!(reads(&step), ["row.x", "params.id", "body.n", "headers.a"]);
        let mut templates = Vec::new();
        step.for_each_template(&mut |t| templates.push(t.as_str()));
        assert_eq!(
            templates,
            ["{params.id}-{ body.n }", "{headers.a}", "{broken"]
        );
    }

    #[test]
    fn conditions_read_paths_and_branches_are_not_visited() {
        let step = Step::If {
            cond: Condition::Equals(Expr::Ref("a.b".into()), Expr::Json(json!(1))),
            then: vec![Step::Set {
                name: "c".into(),
                value: Expr::Ref("d".into()),
            }],
            otherwise: vec![],
        };
        assert_eq!(reads(&step), ["a.b"]);
        assert_eq!(step.output(), None);
    }

    #[test]
    fn templates_with_many_placeholders_are_read_whole() {
        let text = (0..12).fold(String::new(), |text, i| text + &format!("{{v{i}}}-"));
        let mut reads = Vec::new();
        Template::new(text.as_str()).for_each_read(&mut |p| reads.push(p.to_owned()));
        let expected: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
        assert_eq!(reads, expected);
        let mut none = Vec::new();
        Template::new(format!("{text}{{")).for_each_read(&mut |p| none.push(p.to_owned()));
        assert!(none.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn template_reads_are_its_parsed_placeholders(text in "[a-z{}. ]{0,40}") {
            let template = Template::new(text);
            let mut reads = Vec::new();
            template.for_each_read(&mut |p| reads.push(p));
            let expected: Vec<&str> = template
                .parts()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|part| match part {
                    TemplatePart::Path(path) => Some(path),
                    TemplatePart::Literal(_) => None,
                })
                .collect();
            proptest::prop_assert_eq!(reads, expected);
        }
    }
}
