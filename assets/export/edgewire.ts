// Shared helpers for this Worker's handlers: Edgewire's handler language in TypeScript.
// Every handler in src/index.ts is a list of steps over named JSON values; the functions
// below give each step exactly the meaning Edgewire's local engine gives it, so this Worker
// answers the same requests with the same statuses, bodies and headers.

/** A JSON value: what every name in a handler holds. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** What a handler starts with (see "The scope" in Edgewire's handler docs). */
export interface Input {
  /** Path parameters (`:id` segments), percent-decoded. */
  params: JsonObject;
  /** Query parameters; the first value of a repeated key. */
  query: JsonObject;
  /** Request headers, names in lower case. */
  headers: JsonObject;
  /** The request body parsed as JSON, or `null` when there is none. */
  body: Json;
  /** What the gateway established about the caller. */
  auth: Json;
}

/** A route's contract check (`Checker` of contract.ts): typed inputs, or the issues. */
export interface RouteContract {
  check(
    params: JsonObject,
    query: JsonObject,
    body: Json,
  ): { checked: { params: JsonObject; query: JsonObject } } | { issues: JsonObject[] };
}

/** One route of this Worker. */
export interface Route<E> {
  method: string;
  /** Path pattern; `:name` segments match one segment and bind `params.name`. */
  path: string;
  handler: (input: Input, env: E, ctx: ExecutionContext) => Promise<Response>;
  /** Checked before the handler runs; an invalid request is answered 400. */
  contract?: RouteContract;
}

/** This Worker as the router sees it. */
export interface WorkerSpec<E> {
  /** The Worker's name (its node id in the design), used in error bodies. */
  name: string;
  /**
   * Whether clients call this Worker directly. A public Worker ignores the
   * `x-edgewire-auth` header; an internal one trusts it, because only the Workers
   * bound to it through service bindings can reach it.
   */
  public: boolean;
  routes: Route<E>[];
}

/** Header the gateway uses to tell services who the caller is (a JSON object). */
export const AUTH_HEADER = "x-edgewire-auth";

export const INVALID_JSON = "request body is not valid JSON";
export const INVALID_REQUEST = "invalid request";
export const NO_RESPONSE = "handler finished without a response";

/** A JSON response: compact JSON with `content-type: application/json`. */
export function respond(status: number, body?: Json, headers?: Record<string, string>): Response {
  const out = new Headers();
  if (body !== undefined) {
    out.set("content-type", "application/json");
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    out.set(name, value);
  }
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: out });
}

/** An error response: `{"error": message}`. */
export function errorResponse(status: number, message: string): Response {
  return respond(status, { error: message });
}

/** A step that failed: the request ends with `{"error": "<kind> failed", "node", "step"}`. */
export class StepFailure extends Error {
  constructor(
    readonly kind: string,
    readonly node: string,
    readonly position: string,
    readonly status: number,
    readonly cause: unknown,
  ) {
    super(`${kind} failed at ${node} step ${position}`);
  }

  response(): Response {
    return respond(this.status, { error: `${this.kind} failed`, node: this.node, step: this.position });
  }
}

/** Whether an error means the step's data store could not be reached (answered 502). */
export type Unreachable = (error: unknown) => boolean;

/**
 * Runs one step of a handler. A failure ends the request with 500 (502 when
 * `unreachable` says the origin could not be reached); the cause is logged, never sent.
 */
export async function step<T>(
  node: string,
  position: string,
  kind: string,
  action: () => Promise<T>,
  unreachable?: Unreachable,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const status = unreachable?.(error) ? 502 : 500;
    console.error(`${node} step ${position} (${kind}) failed:`, error);
    throw new StepFailure(kind, node, position, status, error);
  }
}

/** `a.b.0`: each key of an object or decimal index of an array; anything missing is `null`. */
export function at(value: Json, ...path: string[]): Json {
  let current: Json = value;
  for (const key of path) {
    if (Array.isArray(current)) {
      current = /^\+?[0-9]+$/.test(key) ? (current[Number(key)] ?? null) : null;
    } else if (current !== null && typeof current === "object") {
      current = Object.hasOwn(current, key) ? (current[key] ?? null) : null;
    } else {
      return null;
    }
  }
  return current;
}

/** The text of a value inside a template: strings as is, `null` empty, the rest as JSON. */
export function text(value: Json): string {
  if (value === null) {
    return "";
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Whether two values are equal JSON (numbers by value, objects regardless of key order). */
export function jsonEquals(a: Json, b: Json): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => jsonEquals(item, b[index] ?? null))
    );
  }
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key] ?? null, b[key] ?? null))
  );
}

/** Answers a request: route, parse the body, run the handler, turn failures into JSON. */
export async function serve<E>(
  worker: WorkerSpec<E>,
  request: Request,
  env: E,
  ctx: ExecutionContext,
): Promise<Response> {
  const url = new URL(request.url);
  const matched = matchRoute(worker.routes, request.method, url.pathname);
  if (matched === null) {
    return errorResponse(404, `no route matches ${request.method} ${url.pathname}`);
  }
  let body: Json = null;
  const raw = await request.text();
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return errorResponse(400, INVALID_JSON);
    }
  }
  let params = matched.params;
  let query = queryObject(url);
  if (matched.route.contract !== undefined) {
    const result = matched.route.contract.check(params, query, body);
    if ("issues" in result) {
      return respond(400, { error: INVALID_REQUEST, issues: result.issues });
    }
    params = { ...params, ...result.checked.params };
    query = { ...query, ...result.checked.query };
  }
  const input: Input = {
    params,
    query,
    headers: headerObject(request.headers),
    body,
    auth: worker.public ? { method: "none" } : authFromHeader(request.headers.get(AUTH_HEADER)),
  };
  try {
    return await matched.route.handler(input, env, ctx);
  } catch (error) {
    if (error instanceof StepFailure) {
      return error.response();
    }
    console.error(`${worker.name}: unexpected error`, error);
    return errorResponse(500, "internal error");
  }
}

/** The first route whose method and path match, with its path parameters. */
function matchRoute<E>(
  routes: Route<E>[],
  method: string,
  pathname: string,
): { route: Route<E>; params: JsonObject } | null {
  const path = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  const segments = path.split("/");
  for (const route of routes) {
    if (route.method !== method) {
      continue;
    }
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) {
      continue;
    }
    const params: JsonObject = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? "";
      if (part.startsWith(":")) {
        params[part.slice(1)] = decodeSegment(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) {
      return { route, params };
    }
  }
  return null;
}

/** Percent-decodes one path segment; invalid UTF-8 becomes U+FFFD. */
function decodeSegment(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const hex = segment.slice(i + 1, i + 3);
    if (segment[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...new TextEncoder().encode(segment[i]));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function queryObject(url: URL): JsonObject {
  const query: JsonObject = {};
  for (const [key, value] of url.searchParams) {
    if (!Object.hasOwn(query, key)) {
      query[key] = value;
    }
  }
  return query;
}

function headerObject(headers: Headers): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of headers) {
    out[name.toLowerCase()] = value;
  }
  return out;
}

function authFromHeader(header: string | null): Json {
  if (header !== null) {
    try {
      const auth = JSON.parse(header) as Json;
      if (auth !== null && typeof auth === "object" && !Array.isArray(auth)) {
        return auth;
      }
    } catch {
      // Not JSON: treated like a missing header.
    }
  }
  return { method: "none" };
}

// ---------------------------------------------------------------------------------------
// KV

/** KV get: the stored text, or `null` when the key is missing. */
export async function kvGetText(kv: KVNamespace, key: string): Promise<Json> {
  return await kv.get(key, "text");
}

/** KV get: the stored text parsed as JSON, or `null`; text that is not JSON fails the step. */
export async function kvGetJson(kv: KVNamespace, key: string): Promise<Json> {
  const stored = await kv.get(key, "text");
  return stored === null ? null : (JSON.parse(stored) as Json);
}

/** KV put: strings are stored as is, anything else as compact JSON. */
export async function kvPut(kv: KVNamespace, key: string, value: Json, ttlSecs?: number): Promise<void> {
  const stored = typeof value === "string" ? value : JSON.stringify(value);
  await kv.put(key, stored, ttlSecs === undefined ? {} : { expirationTtl: ttlSecs });
}

/** KV delete. */
export async function kvDelete(kv: KVNamespace, key: string): Promise<void> {
  await kv.delete(key);
}

/** KV list: at most 1000 keys starting with `prefix`, sorted by their UTF-8 bytes. */
export async function kvList(kv: KVNamespace, prefix: string): Promise<Json> {
  const listed = await kv.list({ prefix, limit: 1000 });
  return {
    keys: listed.keys.map((key) => ({ name: key.name })),
    list_complete: listed.list_complete,
  };
}

// ---------------------------------------------------------------------------------------
// D1

/** A D1 database or one of its sessions (read replication). */
export type D1 = Pick<D1Database, "prepare">;

/** Parameters as D1 binds them: booleans as 1/0, objects and arrays as their JSON text. */
function d1Params(params: Json[]): (string | number | null)[] {
  return params.map((value) => {
    if (typeof value === "boolean") {
      return value ? 1 : 0;
    }
    if (value !== null && typeof value === "object") {
      return JSON.stringify(value);
    }
    return value;
  });
}

/** D1 query: the first row, or `null`. */
export async function d1First(db: D1, sql: string, params: Json[]): Promise<Json> {
  return await db
    .prepare(sql)
    .bind(...d1Params(params))
    .first<JsonObject>();
}

/** D1 query: every row. */
export async function d1All(db: D1, sql: string, params: Json[]): Promise<Json> {
  const result = await db
    .prepare(sql)
    .bind(...d1Params(params))
    .all<JsonObject>();
  return result.results;
}

/** D1 query: `{"changes": n, "last_row_id": n}`. */
export async function d1Run(db: D1, sql: string, params: Json[]): Promise<Json> {
  const result = await db
    .prepare(sql)
    .bind(...d1Params(params))
    .run();
  return { changes: result.meta.changes, last_row_id: result.meta.last_row_id };
}

// ---------------------------------------------------------------------------------------
// Service bindings

/**
 * Calls another Worker through its service binding with the caller's `auth`:
 * `{"status": n, "body": <JSON, or the text if it is not JSON, or null if empty>}`.
 */
export async function callService(
  service: Fetcher,
  target: string,
  method: string,
  path: string,
  body: Json | undefined,
  auth: Json,
): Promise<Json> {
  const headers = new Headers({ [AUTH_HEADER]: JSON.stringify(auth) });
  if (body !== undefined) {
    headers.set("content-type", "application/json");
  }
  const url = new URL(path.startsWith("/") ? path : `/${path}`, `https://${target}`);
  const response = await service.fetch(
    new Request(url, { method, headers, body: body === undefined ? null : JSON.stringify(body) }),
  );
  const raw = await response.text();
  let parsed: Json = null;
  if (raw.length > 0) {
    try {
      parsed = JSON.parse(raw) as Json;
    } catch {
      parsed = raw;
    }
  }
  return { status: response.status, body: parsed };
}
