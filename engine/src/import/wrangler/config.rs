//! Finding and reading wrangler configuration files: `wrangler.toml`, `wrangler.json` and
//! `wrangler.jsonc`, parsed into one JSON value whatever the format, with the environment
//! merged in as wrangler does.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The file names a Workers project's configuration has, in wrangler's order of preference.
pub const CONFIG_NAMES: [&str; 3] = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// Folders never searched: installed packages, wrangler's state and build output.
const SKIPPED_FOLDERS: [&str; 4] = ["node_modules", ".wrangler", "dist", ".git"];

/// How deep the search goes below a folder given on the command line.
const MAX_DEPTH: usize = 16;

/// A configuration file that could not be read, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line and column, when the problem is at a place in the text.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Whether a file name is one of [`CONFIG_NAMES`].
pub fn is_config_name(name: &str) -> bool {
    CONFIG_NAMES.contains(&name)
}

/// The configuration files under `path` (itself when it is a file), sorted. In one folder,
/// only the first of [`CONFIG_NAMES`] counts, as for wrangler.
pub fn find(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    walk(path, 0, &mut found)?;
    found.sort();
    out.extend(found);
    Ok(())
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let config = CONFIG_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file());
    out.extend(config);
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !SKIPPED_FOLDERS.contains(&name.as_ref()) {
            // A folder that cannot be read is skipped, not fatal: the rest still imports.
            let _ = walk(&entry.path(), depth + 1, out);
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parse a configuration's text by its file name: TOML for `.toml`, JSON with comments and
/// trailing commas (as wrangler reads them) otherwise. Errors carry line and column.
pub fn parse(path: &Path, text: &str) -> Result<Value, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let problem = |at, message| Problem {
        path: path.to_path_buf(),
        at,
        message,
    };
    let value = if toml {
        toml::from_str::<Value>(text).map_err(|err| {
            let at = err.span().map(|span| line_column(text, span.start));
            problem(at, format!("not valid TOML: {}", err.message().trim_end()))
        })?
    } else {
        let options = jsonc_parser::ParseOptions {
            allow_comments: true,
            allow_trailing_commas: true,
            allow_loose_object_property_names: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        jsonc_parser::parse_to_serde_value::<Value>(text, &options).map_err(|err| {
            problem(
                Some((err.line_display(), err.column_display())),
                format!("not valid JSON: {}", err.kind()),
            )
        })?
    };
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Err(problem(None, "the file is empty".to_owned())),
        _ => Err(problem(
            Some((1, 1)),
            "a wrangler configuration is an object (`{ \"name\": ... }`)".to_owned(),
        )),
    }
}

/// Keys an environment does not inherit from the top level (wrangler's "non-inheritable"
/// keys): bindings and vars must be given again in each `[env.NAME]`.
const NOT_INHERITED: [&str; 27] = [
    "vars",
    "define",
    "durable_objects",
    "workflows",
    "kv_namespaces",
    "r2_buckets",
    "d1_databases",
    "services",
    "analytics_engine_datasets",
    "ai",
    "images",
    "vectorize",
    "hyperdrive",
    "queues",
    "mtls_certificates",
    "dispatch_namespaces",
    "send_email",
    "browser",
    "unsafe",
    "tail_consumers",
    "ratelimits",
    "version_metadata",
    "pipelines",
    "secrets_store_secrets",
    "containers",
    "vpc_services",
    "worker_loaders",
];

/// The configuration as wrangler sees it with `--env NAME`: the top level with the
/// environment's keys on top; bindings and vars come from the environment alone; the name
/// is `<name>-<env>` unless the environment names itself. `None` when the file has no such
/// environment.
pub fn with_env(config: &Value, env: &str) -> Option<Value> {
    let section = config.get("env")?.get(env)?.as_object()?;
    let mut merged: Map<String, Value> = config
        .as_object()?
        .iter()
        .filter(|(key, _)| *key != "env" && !NOT_INHERITED.contains(&key.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if section.get("name").is_none()
        && let Some(name) = config.get("name").and_then(Value::as_str)
    {
        merged.insert("name".to_owned(), Value::String(format!("{name}-{env}")));
    }
    for (key, value) in section {
        merged.insert(key.clone(), value.clone());
    }
    Some(Value::Object(merged))
}

/// The names of a configuration's environments, sorted.
pub fn environments(config: &Value) -> Vec<String> {
    let mut names: Vec<String> = config
        .get("env")
        .and_then(Value::as_object)
        .map(|envs| envs.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// A string field.
pub fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// The entries of an array field (nothing when absent or not an array).
pub fn entries<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = &'v Value> + 'v {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The entries of section `key` that name their binding, with that name.
pub fn bound_entries<'v>(
    value: &'v Value,
    key: &str,
) -> impl Iterator<Item = (&'v str, &'v Value)> + 'v {
    entries(value, key).filter_map(|entry| Some((text(entry, "binding")?, entry)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonc(text: &str) -> Result<Value, Problem> {
        parse(Path::new("wrangler.jsonc"), text)
    }

    fn toml(text: &str) -> Result<Value, Problem> {
        parse(Path::new("wrangler.toml"), text)
    }

    #[test]
    fn jsonc_takes_comments_and_trailing_commas() {
        let value =
            jsonc("// top\n{\n  \"name\": \"api\", /* inline */\n  \"vars\": { \"A\": 1, },\n}\n")
                .expect("parses");
        assert_eq!(text(&value, "name"), Some("api"));
    }

    #[test]
    fn errors_say_line_and_column() {
        let error = jsonc("{\n  \"name\": \"api\"\n  \"main\": 1\n}").expect_err("missing comma");
        // Where the comma belongs: after `"api"`.
        assert_eq!(error.at, Some((2, 16)), "{error}");
        let error = toml("name = \"api\"\nmain = \n").expect_err("no value");
        assert_eq!(error.at.map(|(line, _)| line), Some(2), "{error}");
        assert!(error.to_string().starts_with("wrangler.toml:2:"), "{error}");
    }

    #[test]
    fn an_environment_inherits_settings_but_not_bindings() {
        let config = toml("name = \"api\"\nmain = \"src/index.ts\"\nkv_namespaces = [{ binding = \"A\", id = \"1\" }]\n\n[env.staging]\nvars = { MODE = \"staging\" }\n",
        )
        .expect("parses");
        let staging = with_env(&config, "staging").expect("has staging");
        assert_eq!(text(&staging, "name"), Some("api-staging"));
        assert_eq!(text(&staging, "main"), Some("src/index.ts"));
        assert!(staging.get("kv_namespaces").is_none());
        assert!(staging.get("vars").is_some());
        assert!(with_env(&config, "production").is_none());
        assert_eq!(environments(&config), ["staging"]);
    }
}
