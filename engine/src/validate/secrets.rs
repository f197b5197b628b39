//! Secrets: names the design reads (API keys, JWT secret, origin connection string) against
//! the names declared in the design's `.dev.vars`, and the shape of those names.

use std::collections::BTreeSet;

use super::context::Ctx;
use super::{Diagnostic, Severity, Target};
use crate::model::to_upper_snake;
use crate::secrets::SecretsError;

/// Whether `name` is an environment variable name in upper snake case (`API_KEY`).
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The names a `.dev.vars` text declares, for [`super::validate_with_secrets`]. The text is
/// read by the one `.dev.vars` parser, [`crate::secrets::parse`], so a file that cannot be
/// read is an error here too (with its line), never a silently shorter list of names.
pub fn dev_vars_names(text: &str) -> Result<BTreeSet<String>, SecretsError> {
    Ok(crate::secrets::parse(text)?.names())
}

/// SEC001: a secret used but not declared; SEC002 (warning): declared but never used.
/// Runs only when the declared names are known ([`super::validate_with_secrets`]).
pub fn declared(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(declared) = ctx.declared_secrets else {
        return;
    };
    for node in &ctx.design.nodes {
        for name in node.kind.secret_names() {
            if !name.is_empty() && !declared.contains(name) {
                out.push(
                    Diagnostic::new(
                        "SEC001",
                        Severity::Error,
                        Target::Node {
                            node: node.id.clone(),
                        },
                        format!("secret `{name}` is used but not declared in .dev.vars"),
                    )
                    .help(format!(
                        "add a line `{name}=...` to the .dev.vars file beside the design (it is \
                         never saved in the design itself)"
                    )),
                );
            }
        }
    }
    let used = ctx.design.secrets_used();
    for name in declared {
        if !used.contains(name) {
            out.push(
                Diagnostic::new(
                    "SEC002",
                    Severity::Warning,
                    Target::Design,
                    format!("secret `{name}` is declared in .dev.vars but nothing uses it"),
                )
                .help("delete the line from .dev.vars, or use the secret (for example as the gateway's API key secret)"),
            );
        }
    }
}

/// SEC003: a secret name that is not an upper snake case environment variable name.
pub fn names(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        for name in node.kind.secret_names() {
            if !is_env_name(name) {
                let example = to_upper_snake(name);
                let example = if example.starts_with(|c: char| c.is_ascii_uppercase()) {
                    example
                } else {
                    format!("SECRET_{example}")
                };
                out.push(
                    Diagnostic::new(
                        "SEC003",
                        Severity::Error,
                        Target::Node {
                            node: node.id.clone(),
                        },
                        format!("secret name `{name}` is not an environment variable name"),
                    )
                    .help(format!(
                        "use upper case letters, digits and `_`, starting with a letter, for \
                         example `{example}`"
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{base, gateway_mut, reports};
    use super::super::validate_with_secrets;
    use super::*;
    use crate::model::Auth;

    fn with_api_key(secret: &str) -> crate::model::Design {
        let mut design = base();
        gateway_mut(&mut design).auth = Auth::ApiKey {
            header: "x-api-key".into(),
            secret: secret.into(),
        };
        design
    }

    fn codes(design: &crate::model::Design, declared: &[&str]) -> Vec<&'static str> {
        let declared: BTreeSet<String> = declared.iter().map(|s| (*s).to_owned()).collect();
        validate_with_secrets(design, Some(&declared))
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn dev_vars_names_skip_comments_and_values() {
        let names = dev_vars_names("# local secrets\nAPI_KEY=demo=1\n\nexport JWT_SECRET = x\n")
            .expect("parses");
        assert_eq!(
            names,
            BTreeSet::from(["API_KEY".to_owned(), "JWT_SECRET".to_owned()])
        );
    }

    #[test]
    fn dev_vars_names_report_a_line_wrangler_would_skip() {
        let err = dev_vars_names("API_KEY=1\nnot a line\n").expect_err("fails");
        assert_eq!(err.line(), Some(2));
        assert!(err.to_string().contains("expected `NAME=value`"), "{err}");
    }

    #[test]
    fn used_secret_must_be_declared() {
        let design = with_api_key("API_KEY");
        assert!(!codes(&design, &["API_KEY"]).contains(&"SEC001"));
        assert!(codes(&design, &[]).contains(&"SEC001"));
        // Without a .dev.vars, the rule is skipped.
        assert!(!reports(&design, "SEC001"));
    }

    #[test]
    fn declared_secret_should_be_used() {
        let design = with_api_key("API_KEY");
        assert!(!codes(&design, &["API_KEY"]).contains(&"SEC002"));
        assert!(codes(&design, &["API_KEY", "OLD_TOKEN"]).contains(&"SEC002"));
    }

    #[test]
    fn secret_names_are_upper_snake() {
        assert!(is_env_name("JWT_SECRET_2"));
        assert!(!is_env_name("api-key"));
        assert!(!reports(&with_api_key("API_KEY"), "SEC003"));
        assert!(reports(&with_api_key("api-key"), "SEC003"));
        assert!(reports(&with_api_key(""), "SEC003"));
    }
}
