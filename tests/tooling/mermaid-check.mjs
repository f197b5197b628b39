// Parse Mermaid files with Mermaid itself (in jsdom): `node mermaid-check.mjs FILE...`.
// Prints `FILE: ok (<diagram type>)` or `FILE: <Mermaid's error>` per file; exits 1 if any
// file does not parse. Run from a folder beside the tooling's node_modules.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const parsed = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`${file}: ok (${parsed.diagramType})`);
  } catch (error) {
    failed += 1;
    console.log(`${file}: ${String(error?.message ?? error).replaceAll("\n", " ")}`);
  }
}
process.exit(failed ? 1 : 0);
