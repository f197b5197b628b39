//! Each Worker's folder: `wrangler.jsonc` (bindings, who can reach it), `tsconfig.json`,
//! `.dev.vars.example` and the TypeScript: `src/index.ts` compiled from the design.

use std::fmt::Write as _;

use super::{TSCONFIG, one_line, wrap};
use crate::export::kind::{Script, WranglerSection};
use crate::export::typescript::string_literal;
use crate::export::{ExportError, ExportTree, names};
use crate::model::{Design, Kind, Node};
use crate::semantics::{AUTH_HEADER, COMPATIBILITY_DATE};

// ---------------------------------------------------------------------------------------
// Worker folders

pub(super) fn worker_files(
    design: &Design,
    script: &Script<'_>,
    tree: &mut ExportTree,
) -> Result<(), ExportError> {
    if script.code().is_some() {
        // A code Worker's folder is copied as it is (`super::super::code::copy`).
        return Ok(());
    }
    let folder = &script.folder;
    tree.add(script.config(), wrangler_config(design, script));
    tree.add(format!("{folder}/tsconfig.json"), TSCONFIG);
    let secrets = script.secrets();
    if !secrets.is_empty() {
        let mut vars = format!(
            "# Secrets of the \"{}\" Worker for local development: copy this file to .dev.vars\n# (never commit .dev.vars). In production: npx wrangler secret put NAME -c {}\n",
            script.node.id,
            script.config()
        );
        for (name, what) in &secrets {
            let _ = writeln!(vars, "\n# {what}\n{name}=");
        }
        tree.add(format!("{folder}/.dev.vars.example"), vars);
    }
    crate::kinds::of(&script.node.kind).worker_sources(design, script, tree)
}

pub(super) fn wrangler_config(design: &Design, script: &Script<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The \"{}\" Worker of the \"{}\" design, exported by Edgewire.",
        script.node.id,
        one_line(&design.name)
    );
    out.push_str("{\n");
    let _ = writeln!(
        out,
        "  \"$schema\": \"../node_modules/wrangler/config-schema.json\","
    );
    let _ = writeln!(out, "  \"name\": {},", string_literal(&script.folder));
    let _ = writeln!(out, "  \"main\": \"src/index.ts\",");
    let _ = write!(
        out,
        "  \"compatibility_date\": {}",
        string_literal(COMPATIBILITY_DATE)
    );
    let needs = script.needs();
    let flags: Vec<String> = needs
        .iter()
        .flat_map(|n| n.flags.iter().map(|f| string_literal(f)))
        .collect();
    if !flags.is_empty() {
        out.push_str(",\n");
        for need in needs.iter().filter(|n| !n.flags.is_empty()) {
            out.push_str(need.flags_comment);
        }
        let _ = write!(out, "  \"compatibility_flags\": [{}]", flags.join(", "));
    }
    out.push_str(
        ",\n  // Workers Logs: each invocation and its console output in the dashboard, as new\n  // Workers projects have it.\n  \"observability\": { \"enabled\": true }",
    );
    for setting in crate::kinds::of(&script.node.kind).worker_settings(script.node) {
        out.push_str(",\n");
        out.push_str(&setting);
    }
    out.push_str(&exposure(script));
    // Binding entries by section; a section comes where the first kind (in registry order)
    // whose bindings go into it is registered.
    let mut sections: Vec<(Kind, &WranglerSection, Vec<String>)> = Vec::new();
    for (binding, target) in &script.bindings {
        let kind = target.kind.kind();
        let Some((section, entry)) = crate::kinds::def(kind).wrangler_binding(target, binding)
        else {
            continue;
        };
        match sections
            .iter_mut()
            .find(|(_, s, _)| std::ptr::eq(*s, section))
        {
            Some((first, _, entries)) => {
                *first = (*first).min(kind);
                entries.push(entry);
            }
            None => sections.push((kind, section, vec![entry])),
        }
    }
    let own_kind = script.node.kind.kind();
    for (section, entry) in crate::kinds::def(own_kind).worker_wrangler(design, script.node) {
        match sections
            .iter_mut()
            .find(|(_, s, _)| std::ptr::eq(*s, section))
        {
            Some((_, _, entries)) => entries.push(entry),
            None => sections.push((own_kind, section, vec![entry])),
        }
    }
    sections.sort_by_key(|(first, _, _)| *first);
    for (_, section, entries) in &sections {
        let _ = write!(out, ",\n{}  \"{}\": [\n", section.comment, section.key);
        let _ = write!(out, "    {}\n  ]", entries.join(",\n    "));
    }
    out.push_str("\n}\n");
    out
}

/// Where the Worker can be reached from: its `workers_dev`, `preview_urls` and `routes`.
/// Internal Workers get no URL at all: they trust the `x-edgewire-auth` header their callers
/// set, so a public URL would let anyone skip the gateway's checks.
pub(super) fn exposure(script: &Script<'_>) -> String {
    if !script.public {
        return format!(
            ",\n  // Internal: reached only through service bindings. It trusts the {AUTH_HEADER}\n  // header its callers set, so it must have no public URL: a route, custom domain,\n  // workers.dev or preview URL would let anyone on the internet send that header.\n  \"workers_dev\": false,\n  \"preview_urls\": false"
        );
    }
    match script.node.kind.custom_domain() {
        Some(domain) => format!(
            ",\n  // Public at https://{domain}/, a Custom Domain: `wrangler deploy` creates its DNS\n  // record and certificate (the zone must be on your Cloudflare account). No workers.dev URL.\n  \"routes\": [{{ \"pattern\": {}, \"custom_domain\": true }}],\n  \"workers_dev\": false",
            string_literal(domain)
        ),
        None => format!(
            ",\n  // Public at https://{}.<your-subdomain>.workers.dev/ (give the node a custom domain in\n  // the design to serve it from your own hostname instead).\n  \"workers_dev\": true",
            script.folder
        ),
    }
}

/// The comment at the top of each `src/index.ts`.
pub(crate) fn file_header(design: &Design, script: &Script<'_>, what: &str) -> String {
    let mut out = format!(
        "// The \"{}\" Worker of the \"{}\" design, exported by Edgewire: {what}\n",
        script.node.id,
        one_line(&design.name)
    );
    if !design.description.is_empty() {
        out.push_str("//\n");
        for line in wrap(&design.description, 92) {
            let _ = writeln!(out, "// {line}");
        }
    }
    let notes: Vec<&str> = design
        .nodes
        .iter()
        .filter(|_| script.public)
        .filter_map(|n| crate::kinds::of(&n.kind).design_note(n))
        .filter(|text| !text.trim().is_empty())
        .collect();
    for note in notes {
        out.push_str("//\n// Note from the design:\n");
        for line in wrap(note, 92) {
            let _ = writeln!(out, "//   {line}");
        }
    }
    out
}

pub(crate) fn env_interface(script: &Script<'_>) -> String {
    let mut out = String::from(
        "/** The bindings and secrets of this Worker (see wrangler.jsonc). */\nexport interface Env {\n",
    );
    for (binding, target) in &script.bindings {
        let Some((doc, ty)) = crate::kinds::of(&target.kind).env_binding(target) else {
            continue;
        };
        let _ = writeln!(out, "  /** {doc} */\n  {binding}: {ty};");
    }
    for (name, doc, ty) in crate::kinds::of(&script.node.kind).worker_env(script.node) {
        let _ = writeln!(out, "  /** {doc} */\n  {name}: {ty};");
    }
    for (name, what) in script.secrets() {
        let _ = writeln!(out, "  /** Secret: {what}. */\n  {name}: string;");
    }
    out.push_str("}\n");
    out
}

/// The services section, which both Worker kinds' bindings go into.
pub(crate) const SERVICES: WranglerSection = WranglerSection {
    key: "services",
    comment: "  // Service bindings: env.BINDING.fetch(...) reaches the named Worker.\n",
};

/// A service binding to the Worker or Gateway `target`.
pub(crate) fn service_binding(target: &Node, binding: &str) -> (&'static WranglerSection, String) {
    (
        &SERVICES,
        format!(
            "{{ \"binding\": {}, \"service\": {} }}",
            string_literal(binding),
            string_literal(&names::slug(&target.id))
        ),
    )
}
