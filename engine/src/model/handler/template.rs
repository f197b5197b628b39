//! Templates: strings with `{path}` placeholders, and their one parser. The runtime renders
//! them, validation checks them, the exporter compiles them and the simulator follows them,
//! all through [`Template::for_each_part`].

use serde::{Deserialize, Serialize};

/// A string with `{path}` placeholders; `{{` and `}}` are literal braces.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Template(pub String);

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart<'a> {
    Literal(std::borrow::Cow<'a, str>),
    Path(&'a str),
}

/// A template that cannot be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("`{{` at byte {0} is never closed; write `{{{{` for a literal brace")]
    Unclosed(usize),
    #[error("`}}` at byte {0} has no opening `{{`; write `}}}}` for a literal brace")]
    StrayClose(usize),
    #[error("empty placeholder `{{}}` at byte {0}; name a value, as in `{{params.id}}`")]
    Empty(usize),
}

impl Template {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Split into literal text and placeholders.
    pub fn parts(&self) -> Result<Vec<TemplatePart<'_>>, TemplateError> {
        let mut parts = Vec::new();
        let mut literal: Option<std::borrow::Cow<'_, str>> = None;
        self.for_each_part(|part| match part {
            TemplatePart::Literal(text) => match &mut literal {
                Some(pending) => pending.to_mut().push_str(&text),
                None => literal = Some(text),
            },
            TemplatePart::Path(path) => {
                if let Some(text) = literal.take() {
                    parts.push(TemplatePart::Literal(text));
                }
                parts.push(TemplatePart::Path(path));
            }
        })?;
        if let Some(text) = literal {
            parts.push(TemplatePart::Literal(text));
        }
        Ok(parts)
    }

    /// The template's pieces in order, borrowed from its text (nothing is copied): literal
    /// text, where an escaped `{{` or `}}` ends a piece with its one brace, and placeholders.
    /// [`Template::parts`] is these pieces with adjacent literals joined. On a parse error,
    /// `each` has seen the pieces before it.
    pub fn for_each_part<'t>(
        &'t self,
        mut each: impl FnMut(TemplatePart<'t>),
    ) -> Result<(), TemplateError> {
        let text = self.0.as_str();
        let bytes = text.as_bytes();
        let literal = |from: usize, to: usize, each: &mut dyn FnMut(TemplatePart<'t>)| {
            if to > from {
                each(TemplatePart::Literal(std::borrow::Cow::Borrowed(
                    &text[from..to],
                )));
            }
        };
        let mut from = 0;
        let mut i = 0;
        // Braces are ASCII and never part of a multi-byte UTF-8 character, so a byte scan
        // only ever cuts the text at character boundaries. Only braces matter: jump from one
        // to the next.
        while let Some(offset) = bytes[i..].iter().position(|b| matches!(b, b'{' | b'}')) {
            i += offset;
            match bytes[i] {
                b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => {
                    literal(from, i + 1, &mut each);
                    i += 2;
                    from = i;
                }
                b'{' => {
                    let close = text[i + 1..].find('}').ok_or(TemplateError::Unclosed(i))? + i + 1;
                    let path = text[i + 1..close].trim();
                    if path.is_empty() {
                        return Err(TemplateError::Empty(i));
                    }
                    literal(from, i, &mut each);
                    each(TemplatePart::Path(path));
                    i = close + 1;
                    from = i;
                }
                _ => return Err(TemplateError::StrayClose(i)),
            }
        }
        literal(from, bytes.len(), &mut each);
        Ok(())
    }

    /// The literal text with placeholders removed: what is fixed whatever the inputs.
    pub fn fixed_text(&self) -> String {
        self.parts()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|part| match part {
                TemplatePart::Literal(text) => Some(text.into_owned()),
                TemplatePart::Path(_) => None,
            })
            .collect()
    }
}

impl From<&str> for Template {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parts_split_literals_and_paths() {
        let template = Template::new("product:{params.id}:{{x}}");
        assert_eq!(
            template.parts(),
            Ok(vec![
                TemplatePart::Literal("product:".into()),
                TemplatePart::Path("params.id"),
                TemplatePart::Literal(":{x}".into()),
            ])
        );
        assert_eq!(template.fixed_text(), "product::{x}");
    }

    #[test]
    fn template_errors_say_where() {
        assert_eq!(
            Template::new("a{b").parts(),
            Err(TemplateError::Unclosed(1))
        );
        assert_eq!(
            Template::new("a}b").parts(),
            Err(TemplateError::StrayClose(1))
        );
        assert_eq!(Template::new("{ }").parts(), Err(TemplateError::Empty(0)));
    }
}
