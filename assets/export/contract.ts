// Route contracts: every request to a route that declares one is checked before the route's
// first step, exactly as Edgewire's local engine checks it (same issues, same words, same
// order), and an invalid request is answered 400 {"error": "invalid request", "issues": [...]}.
// Body schemas are checked with @cfworker/json-schema, which needs no `eval`; the issue texts
// are Edgewire's own, built from the keyword that failed and its value.

import { Validator } from "@cfworker/json-schema";
import type { Json, JsonObject } from "./edgewire";

/** The declared type of a path or query parameter. */
export type ParamType = "string" | "integer" | "number" | "boolean" | "uuid";

/** What a route accepts (its body schema has the design's named schemas as `$defs`). */
export interface Contract {
  params?: Record<string, ParamType>;
  query?: { name: string; type: ParamType; required?: boolean; default?: Json }[];
  body?: JsonObject;
}

/** One thing wrong with a request. */
export type Issue = {
  in: "body" | "path" | "query";
  /** A JSON Pointer into that part ("" for the part itself). */
  path: string;
  /** The JSON Schema keyword that failed. */
  rule: string;
  message: string;
};

/** At most this many issues are listed, the first ones in (in, path, rule) order. */
export const MAX_ISSUES = 20;

/** The keywords of the schema subset whose failure is an issue; the others only wrap them. */
const RULES = new Set([
  "type",
  "required",
  "additionalProperties",
  "enum",
  "const",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "pattern",
  "format",
]);

/** The JSON type name of a value as messages say it (`integer` for a whole number). */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** A parameter's text as a value of its declared type, or the failed rule and its message. */
export function convert(text: string, type: ParamType): { value: Json } | { rule: string; message: string } {
  const wrongType = () => ({ rule: "type", message: `expected ${type}, got ${JSON.stringify(text)}` });
  switch (type) {
    case "string":
      return { value: text };
    case "integer": {
      if (!/^-?[0-9]+$/.test(text)) return wrongType();
      const value = Number(text);
      if (!Number.isSafeInteger(value)) return { rule: "maximum", message: `${text} is too large for an integer` };
      return { value };
    }
    case "number": {
      try {
        const value: unknown = JSON.parse(text);
        return typeof value === "number" ? { value } : wrongType();
      } catch {
        return wrongType();
      }
    }
    case "boolean":
      return text === "true" ? { value: true } : text === "false" ? { value: false } : wrongType();
    case "uuid":
      return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text)
        ? { value: text }
        : { rule: "format", message: "must be a valid uuid" };
  }
}

function pointer(name: string): string {
  return "/" + name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

/** The schema node a keyword location names, following `$ref`s into `$defs`. */
function schemaAt(root: JsonObject, location: string): Json | undefined {
  let node: Json | undefined = root;
  for (const raw of location.replace(/^#\/?/, "").split("/").filter((s) => s !== "")) {
    const segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    if (segment === "$ref" && !Array.isArray(node) && typeof node["$ref"] === "string") {
      node = schemaAt(root, node["$ref"]);
      continue;
    }
    node = Array.isArray(node) ? node[Number(segment)] : node[segment];
  }
  return node;
}

/** The value an instance location names. */
function valueAt(root: Json, location: string): Json | undefined {
  let node: Json | undefined = root;
  for (const raw of location.replace(/^#\/?/, "").split("/").filter((s) => s !== "")) {
    const segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = Array.isArray(node) ? node[Number(segment)] : node[segment];
  }
  return node;
}

/** The issues of one failed keyword (several for `required` and `additionalProperties`). */
function keywordIssues(schema: JsonObject, body: Json, keyword: string, keywordLocation: string, instanceLocation: string): Issue[] {
  const path = instanceLocation.replace(/^#/, "");
  const value = schemaAt(schema, keywordLocation);
  const parent = schemaAt(schema, keywordLocation.replace(/\/[^/]*$/, ""));
  const instance = valueAt(body, instanceLocation);
  const issue = (message: string): Issue => ({ in: "body", path, rule: keyword, message });
  switch (keyword) {
    case "type": {
      const types = (Array.isArray(value) ? value.map(String) : [String(value)]).sort();
      return [issue(`expected ${types.join(" or ")}, got ${typeName(instance)}`)];
    }
    case "required": {
      const present = instance !== null && typeof instance === "object" && !Array.isArray(instance) ? instance : {};
      return (Array.isArray(value) ? value : [])
        .map(String)
        .filter((name) => !(name in present))
        .map((name) => issue(`missing required field "${name}"`));
    }
    case "additionalProperties": {
      if (value !== false || instance === null || typeof instance !== "object" || Array.isArray(instance)) return [];
      const declared =
        parent !== null && typeof parent === "object" && !Array.isArray(parent) && parent.properties && typeof parent.properties === "object"
          ? (parent.properties as JsonObject)
          : {};
      return Object.keys(instance)
        .filter((name) => !(name in declared))
        .map((name) => issue(`field "${name}" is not allowed`));
    }
    case "enum":
      return [issue(`must be one of ${JSON.stringify(value)}`)];
    case "const":
      return [issue(`must be ${JSON.stringify(value)}`)];
    case "minimum":
      return [issue(`must be >= ${JSON.stringify(value)}`)];
    case "maximum":
      return [issue(`must be <= ${JSON.stringify(value)}`)];
    case "exclusiveMinimum":
      return [issue(`must be > ${JSON.stringify(value)}`)];
    case "exclusiveMaximum":
      return [issue(`must be < ${JSON.stringify(value)}`)];
    case "minLength":
      return [issue(`must be at least ${value} character${plural(Number(value))} long`)];
    case "maxLength":
      return [issue(`must be at most ${value} character${plural(Number(value))} long`)];
    case "minItems":
      return [issue(`must have at least ${value} item${plural(Number(value))}`)];
    case "maxItems":
      return [issue(`must have at most ${value} item${plural(Number(value))}`)];
    case "pattern":
      return [issue(`must match the pattern ${value}`)];
    case "format":
      return [issue(`must be a valid ${value}`)];
    default:
      return [];
  }
}

function compareIssues(a: Issue, b: Issue): number {
  for (const key of ["in", "path", "rule", "message"] as const) {
    if (a[key] < b[key]) return -1;
    if (a[key] > b[key]) return 1;
  }
  return 0;
}

/** A valid request's inputs as the steps see them. */
export interface Checked {
  params: JsonObject;
  query: JsonObject;
}

/** A route's contract, compiled once when the Worker loads. */
export class Checker {
  private readonly contract: Contract;
  private readonly validator?: Validator;

  constructor(contract: Contract) {
    this.contract = contract;
    if (contract.body) {
      this.validator = new Validator(contract.body as object, "2020-12", false);
    }
  }

  /** Check one request: typed inputs, or the issues sorted and capped. */
  check(params: JsonObject, query: JsonObject, body: Json): { checked: Checked } | { issues: Issue[] } {
    const issues: Issue[] = [];
    const checked: Checked = { params: {}, query: {} };
    for (const [name, type] of Object.entries(this.contract.params ?? {})) {
      const text = params[name];
      if (typeof text !== "string") continue;
      const result = convert(text, type);
      if ("value" in result) checked.params[name] = result.value;
      else issues.push({ in: "path", path: pointer(name), rule: result.rule, message: result.message });
    }
    for (const param of this.contract.query ?? []) {
      const text = query[param.name];
      if (typeof text === "string") {
        const result = convert(text, param.type);
        if ("value" in result) checked.query[param.name] = result.value;
        else issues.push({ in: "query", path: pointer(param.name), rule: result.rule, message: result.message });
      } else if (param.required) {
        issues.push({ in: "query", path: "", rule: "required", message: `missing required query parameter "${param.name}"` });
      } else if (param.default !== undefined) {
        checked.query[param.name] = param.default;
      }
    }
    if (this.validator && this.contract.body) {
      const result = this.validator.validate(body);
      for (const unit of result.errors) {
        if (RULES.has(unit.keyword)) {
          issues.push(...keywordIssues(this.contract.body, body, unit.keyword, unit.keywordLocation, unit.instanceLocation));
        }
      }
    }
    if (issues.length === 0) return { checked };
    issues.sort(compareIssues);
    const unique = issues.filter((issue, i) => i === 0 || compareIssues(issues[i - 1], issue) !== 0);
    return { issues: unique.slice(0, MAX_ISSUES) };
  }
}
