// The API gateway: checks, authenticates and rate-limits requests, then forwards them to
// service Workers through service bindings. It follows Edgewire's gateway contract step by
// step (CORS, body size, auth, rate limit, route, forward), with the same statuses, error
// bodies and headers as Edgewire's local engine. src/index.ts holds this design's settings.

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Header that carries what the gateway established about the caller to services. */
export const AUTH_HEADER = "x-edgewire-auth";

/** A route: requests whose path matches go to a service binding. */
export interface GatewayRoute<E> {
  /** Path prefix on segment boundaries; `:name` segments match one segment. */
  path: string;
  /** Allowed methods; empty means every method. */
  methods: string[];
  /** The service binding that receives the request. */
  service: (env: E) => Fetcher;
  /** Remove the matched prefix before forwarding (`/products/7` -> `/7`). */
  stripPrefix: boolean;
}

export type AuthConfig<E> =
  | { kind: "none" }
  | { kind: "api_key"; header: string; key: (env: E) => string }
  | { kind: "jwt"; secret: (env: E) => string; issuer: string; audience: string };

export interface CorsConfig {
  allowOrigins: string[];
  /** Preflight `access-control-allow-methods`. */
  allowMethods: string;
  allowHeaders: string[];
  maxAgeSecs: number;
}

export interface RateLimitConfig<E> {
  /** The Workers Rate Limiting binding that counts (its limit and period are in wrangler.jsonc). */
  limiter: (env: E) => RateLimit;
  /** Its period, for the `retry-after` estimate. */
  periodSecs: number;
  key: "client_ip" | "credential";
}

export interface GatewayConfig<E> {
  /** The gateway's name (its node id in the design), used in error bodies. */
  name: string;
  routes: GatewayRoute<E>[];
  auth: AuthConfig<E>;
  cors?: CorsConfig;
  rateLimit?: RateLimitConfig<E>;
  maxBodyBytes?: number;
  requestIdHeader?: string;
  userIdHeader?: string;
  /** Client headers passed on (plus `content-type`); empty passes every header. */
  forwardHeaders: string[];
}

/** Edgewire's method order, used in `allow` headers. */
const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

const errors = {
  missingApiKey: "missing API key",
  invalidApiKey: "invalid API key",
  missingToken: "missing bearer token",
  invalidToken: "invalid token",
  rateLimited: "rate limit exceeded",
  originNotAllowed: "origin not allowed",
};

function errorResponse(status: number, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Who the caller is, as forwarded in `x-edgewire-auth`, plus the rate-limit credential. */
interface Caller {
  auth: { [key: string]: Json };
  credential: string | null;
}

export function createGateway<E>(config: GatewayConfig<E>): { fetch(request: Request, env: E): Promise<Response> } {
  async function handle(request: Request, env: E): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    // 1. Nobody but the gateway may claim who the caller is.
    const incoming = new Headers(request.headers);
    incoming.delete(AUTH_HEADER);

    // 2. CORS.
    const origin = incoming.get("origin");
    const allowOrigin = config.cors === undefined ? null : allowedOrigin(config.cors, origin);
    if (config.cors !== undefined && method === "OPTIONS" && incoming.has("access-control-request-method")) {
      if (allowOrigin === null) {
        return errorResponse(403, errors.originNotAllowed);
      }
      const headers = new Headers({
        "access-control-allow-origin": allowOrigin,
        "access-control-allow-methods": config.cors.allowMethods,
      });
      if (config.cors.allowHeaders.length > 0) {
        headers.set("access-control-allow-headers", config.cors.allowHeaders.join(", "));
      }
      headers.set("access-control-max-age", String(config.cors.maxAgeSecs));
      headers.set("vary", "Origin");
      return new Response(null, { status: 204, headers });
    }
    const withCors = (response: Response): Response => {
      if (allowOrigin !== null && origin !== null) {
        response.headers.set("access-control-allow-origin", allowOrigin);
        response.headers.set("vary", "Origin");
      }
      return response;
    };

    // 3. Body size.
    const body = await request.arrayBuffer();
    if (config.maxBodyBytes !== undefined && body.byteLength > config.maxBodyBytes) {
      return withCors(errorResponse(413, `request body is larger than ${config.maxBodyBytes} bytes`));
    }

    // 4. Authentication.
    const caller = await authenticate(config.auth, incoming, env);
    if (caller instanceof Response) {
      return withCors(caller);
    }

    // 5. Rate limit: the Workers Rate Limiting binding counts per caller key. It counts per
    // Cloudflare location and is eventually consistent, so a client whose requests reach
    // several locations may pass a few more requests than the limit.
    if (config.rateLimit !== undefined) {
      const limit = config.rateLimit;
      const key =
        limit.key === "credential" && caller.credential !== null
          ? `credential:${caller.credential}`
          : `ip:${incoming.get("cf-connecting-ip") ?? "unknown"}`;
      const { success } = await limit.limiter(env).limit({ key });
      if (!success) {
        // The binding does not say when its window ends: this is when it ends if windows start
        // at multiples of the period, as they do locally and in Edgewire's engine.
        const nowSecs = Date.now() / 1000;
        const windowEnd = (Math.floor(nowSecs / limit.periodSecs) + 1) * limit.periodSecs;
        const retryAfter = Math.max(1, Math.ceil(windowEnd - nowSecs));
        return withCors(errorResponse(429, errors.rateLimited, { "retry-after": String(retryAfter) }));
      }
    }

    // 6. Route.
    const segments = pathSegments(url.pathname);
    const matching = config.routes.filter((route) => prefixMatches(route.path, segments));
    const route = matching.find((r) => r.methods.length === 0 || r.methods.includes(method));
    if (route === undefined) {
      if (matching.length > 0) {
        const allowed = new Set(matching.flatMap((r) => r.methods));
        const allow = METHOD_ORDER.filter((m) => allowed.has(m)).join(", ");
        return withCors(errorResponse(405, `method ${method} is not allowed on ${url.pathname}`, { allow }));
      }
      return withCors(errorResponse(404, `no route matches ${method} ${url.pathname}`));
    }

    // 7. Forward through the service binding.
    const headers = new Headers();
    if (config.forwardHeaders.length > 0) {
      for (const name of [...config.forwardHeaders, "content-type"]) {
        const value = incoming.get(name);
        if (value !== null) {
          headers.set(name, value);
        }
      }
    } else {
      for (const [name, value] of incoming) {
        headers.set(name, value);
      }
    }
    if (config.auth.kind === "api_key") {
      headers.delete(config.auth.header);
    } else if (config.auth.kind === "jwt") {
      headers.delete("authorization");
    }
    headers.set(AUTH_HEADER, JSON.stringify(caller.auth));
    const requestId = config.requestIdHeader === undefined ? null : crypto.randomUUID();
    if (config.requestIdHeader !== undefined && requestId !== null) {
      headers.set(config.requestIdHeader, requestId);
    }
    const userId = caller.auth["user_id"] ?? null;
    if (config.userIdHeader !== undefined && userId !== null) {
      headers.set(config.userIdHeader, typeof userId === "string" ? userId : JSON.stringify(userId));
    }
    const path = route.stripPrefix
      ? `/${segments.slice(pathSegments(route.path).length).join("/")}`
      : url.pathname;
    const hasBody = method !== "GET" && method !== "HEAD" && body.byteLength > 0;
    let upstream: Response;
    try {
      upstream = await route
        .service(env)
        .fetch(new Request(new URL(path + url.search, url.origin), { method, headers, body: hasBody ? body : null }));
    } catch (error) {
      console.error(`${config.name}: service call failed`, error);
      return withCors(
        new Response(JSON.stringify({ error: "service call failed", node: config.name }), {
          status: 500,
          headers: { "content-type": "application/json" },
        }),
      );
    }

    // 8. The service's answer goes back as is, plus the CORS and request-id headers.
    const response = new Response(upstream.body, upstream);
    if (config.requestIdHeader !== undefined && requestId !== null) {
      response.headers.set(config.requestIdHeader, requestId);
    }
    return withCors(response);
  }

  return { fetch: handle };
}

/** The `access-control-allow-origin` value for an allowed origin, or `null`. */
function allowedOrigin(cors: CorsConfig, origin: string | null): string | null {
  if (cors.allowOrigins.includes("*")) {
    return "*";
  }
  return origin !== null && cors.allowOrigins.includes(origin) ? origin : null;
}

/** A path's segments after the leading `/`; a trailing `/` gives a last empty segment. */
function pathSegments(path: string): string[] {
  const rest = path.startsWith("/") ? path.slice(1) : path;
  return rest.length === 0 ? [] : rest.split("/");
}

/**
 * Whether a route's path is a prefix of the request's segments, on segment boundaries
 * (`/products` matches `/products`, `/products/` and `/products/7`); `:name` matches one
 * non-empty segment.
 */
function prefixMatches(pattern: string, segments: string[]): boolean {
  const parts = pathSegments(pattern);
  return (
    parts.length <= segments.length &&
    parts.every((part, index) => {
      const segment = segments[index] ?? "";
      return part.startsWith(":") ? segment.length > 0 : part === segment;
    })
  );
}

// ---------------------------------------------------------------------------------------
// Authentication

async function authenticate<E>(auth: AuthConfig<E>, headers: Headers, env: E): Promise<Caller | Response> {
  switch (auth.kind) {
    case "none":
      return { auth: { method: "none" }, credential: null };
    case "api_key": {
      const presented = headers.get(auth.header) ?? "";
      if (presented.length === 0) {
        return errorResponse(401, errors.missingApiKey);
      }
      if (!(await constantTimeEquals(presented, auth.key(env)))) {
        return errorResponse(401, errors.invalidApiKey);
      }
      return { auth: { method: "api_key" }, credential: presented };
    }
    case "jwt": {
      const authorization = headers.get("authorization") ?? "";
      const token = authorization.startsWith("Bearer ") ? authorization.slice("Bearer ".length).trim() : "";
      if (token.length === 0) {
        return errorResponse(401, errors.missingToken);
      }
      const claims = await verifyJwt(token, auth.secret(env), auth.issuer, auth.audience);
      if (claims === null) {
        return errorResponse(401, errors.invalidToken);
      }
      const sub = claims["sub"] ?? null;
      return {
        auth: { method: "jwt", user_id: sub, claims },
        credential: sub === null ? null : typeof sub === "string" ? sub : JSON.stringify(sub),
      };
    }
  }
}

const encoder = new TextEncoder();

/** Compares two strings in constant time (their SHA-256 digests, so lengths do not leak). */
async function constantTimeEquals(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** Base64url (trailing `=` ignored) to bytes, or `null`. */
function base64UrlDecode(text: string): Uint8Array | null {
  const part = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) {
    return null;
  }
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (part.length % 4)) % 4);
  const binary = atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function jsonObject(bytes: Uint8Array | null): { [key: string]: Json } | null {
  if (bytes === null) {
    return null;
  }
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)) as Json;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Verifies an HS256 JWT; returns its claims, or `null` when anything is wrong. */
async function verifyJwt(
  token: string,
  secret: string,
  issuer: string,
  audience: string,
): Promise<{ [key: string]: Json } | null> {
  const parts = token.split(".");
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
    return null;
  }
  const header = jsonObject(base64UrlDecode(headerPart));
  const signature = base64UrlDecode(signaturePart);
  if (header === null || header["alg"] !== "HS256" || signature === null) {
    return null;
  }
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const signed = await crypto.subtle.verify("HMAC", key, signature, encoder.encode(`${headerPart}.${payloadPart}`));
  const claims = jsonObject(base64UrlDecode(payloadPart));
  if (!signed || claims === null) {
    return null;
  }
  const now = Date.now() / 1000;
  const exp = claims["exp"];
  const nbf = claims["nbf"];
  const aud = claims["aud"];
  if (exp !== undefined && !(typeof exp === "number" && exp > now)) {
    return null;
  }
  if (nbf !== undefined && !(typeof nbf === "number" && nbf <= now)) {
    return null;
  }
  if (claims["iss"] !== issuer) {
    return null;
  }
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
    return null;
  }
  return claims;
}
