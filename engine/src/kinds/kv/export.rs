//! The KV namespace in the exported project: its `kv_namespaces` entry, `KVNamespace` type,
//! and its seed entries for `wrangler kv bulk put`.

use crate::export::ExportTree;
use crate::export::kind::{KindExport, Store, StoreScripts, WranglerSection};
use crate::export::project::STATE_DIR;
use crate::export::typescript::string_literal;
use crate::model::{Kv, Node, NodeKind};

const SECTION: WranglerSection = WranglerSection {
    key: "kv_namespaces",
    comment: "  // No \"id\": `wrangler deploy` creates the namespace (wrangler >= 4.45). \"preview_id\" only\n  // names the local store, so Workers that share a namespace also share it in `npm run dev`.\n",
};

impl KindExport for super::Def {
    fn test_setup(&self, store: &Store<'_>) -> Option<String> {
        let NodeKind::Kv(kv) = &store.node.kind else {
            return None;
        };
        if kv.seed.is_empty() {
            return None;
        }
        let (config, binding) = &store.via;
        let worker = config.strip_suffix("/wrangler.jsonc").unwrap_or(config);
        Some(format!(
            "  {{\n    // KV {}: its seed entries.\n    const kv = (await env({}))[{}];\n    for (const {{ key, value }} of JSON.parse(readFileSync(\"seed/kv/{}.json\", \"utf8\"))) {{\n      await kv.put(key, value);\n    }}\n  }}\n",
            store.node.id,
            string_literal(worker),
            string_literal(binding),
            store.name
        ))
    }

    fn wrangler_binding(
        &self,
        target: &Node,
        binding: &str,
    ) -> Option<(&'static WranglerSection, String)> {
        // An existing namespace (imported) is bound by its id; a new one is created.
        let id = match &target.kind {
            NodeKind::Kv(Kv { id: Some(id), .. }) => format!("\"id\": {}, ", string_literal(id)),
            _ => String::new(),
        };
        Some((
            &SECTION,
            format!(
                "{{ \"binding\": {}, {id}\"preview_id\": {} }}",
                string_literal(binding),
                string_literal(&crate::export::slug(&target.id))
            ),
        ))
    }

    fn env_binding(&self, target: &Node) -> Option<(String, &'static str)> {
        Some((format!("KV namespace \"{}\".", target.id), "KVNamespace"))
    }

    fn store_files(&self, store: &Store<'_>, tree: &mut ExportTree) {
        let NodeKind::Kv(kv) = &store.node.kind else {
            return;
        };
        if kv.seed.is_empty() {
            return;
        }
        let entries: Vec<String> = kv
            .seed
            .iter()
            .map(|e| {
                format!(
                    "  {{ \"key\": {}, \"value\": {} }}",
                    string_literal(&e.key),
                    string_literal(&e.value)
                )
            })
            .collect();
        tree.add(
            format!("seed/kv/{}.json", store.name),
            format!("[\n{}\n]\n", entries.join(",\n")),
        );
    }

    fn store_scripts(&self, store: &Store<'_>, scripts: &mut StoreScripts) {
        let NodeKind::Kv(kv) = &store.node.kind else {
            return;
        };
        let (config, binding) = &store.via;
        let name = &store.name;
        if !kv.seed.is_empty() {
            scripts.seed.push(format!(
                "wrangler kv bulk put seed/kv/{name}.json --binding {binding} --local --persist-to {STATE_DIR} -c {config}"
            ));
        }
    }
}
