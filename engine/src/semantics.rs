//! Fixed facts shared by the local engine and the exporter: header names, error bodies,
//! platform limits. Both sides read them from here so that they cannot drift apart. The
//! exported helpers (`assets/export/edgewire.ts`, `gateway.ts`) spell them out in TypeScript;
//! the tests below read those files and fail when a text there differs from this one.

/// `compatibility_date` written into every exported `wrangler.jsonc`.
pub const COMPATIBILITY_DATE: &str = "2026-11-01";

/// Header the gateway uses to pass what it established about the caller to services
/// (a JSON object, see the handler language docs). Stripped from client requests.
pub const AUTH_HEADER: &str = "x-edgewire-auth";

/// Response header that carries the engine's trace id for a request.
pub const TRACE_HEADER: &str = "x-edgewire-trace";

/// The platform's limit of Worker invocations per request through service bindings.
/// Source: <https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/> (2026-01-29).
pub const MAX_WORKER_INVOCATIONS: usize = 32;

/// KV limits. Source: <https://developers.cloudflare.com/kv/platform/limits/> (2026-02-08).
pub const KV_MAX_KEY_BYTES: usize = 512;
pub const KV_MAX_VALUE_BYTES: usize = 25 * 1024 * 1024;
pub const KV_MIN_TTL_SECS: u32 = 60;
pub const KV_LIST_LIMIT: usize = 1000;

/// Hyperdrive's longest cache `max_age`. Source:
/// <https://developers.cloudflare.com/hyperdrive/concepts/query-caching/>.
pub const HYPERDRIVE_MAX_AGE_LIMIT_SECS: u32 = 3600;

/// How long the engine's HTTP server waits for a request's headers, and for the next request
/// on an idle keep-alive connection, before it closes the connection. Real clients send
/// their headers in one go; one that trickles them a byte at a time (a slow-loris attack)
/// would otherwise hold a connection and a file descriptor for ever. 10 s is what proxies
/// in front of web servers commonly allow for headers (nginx-based CDNs use 10 s for
/// `client_header_timeout`); Cloudflare's edge keeps idle client connections longer (400 s,
/// <https://developers.cloudflare.com/fundamentals/reference/connection-limits/>), but a
/// client simply reconnects, so one timer for both keeps the engine simple.
pub const HEADER_READ_TIMEOUT_SECS: u64 = 10;

/// Connections the engine serves at once; more wait in the listen backlog until one closes.
/// Also kept under half the process's open-file limit, so that accepting never runs the
/// engine out of file descriptors for its stores.
pub const MAX_CONNECTIONS: usize = 1024;

/// HTTP/2: concurrent streams per connection (what common servers allow), and the ping that
/// finds a peer that went away without closing.
pub const HTTP2_MAX_STREAMS: u32 = 256;
pub const HTTP2_KEEP_ALIVE_SECS: u64 = 20;

/// Error body texts. The engine and the generated TypeScript answer with exactly these.
pub mod errors {
    /// 400: the body of a request is not JSON.
    pub const INVALID_JSON: &str = "request body is not valid JSON";
    /// 400: the request breaks its route's contract; the body also lists the issues.
    pub const INVALID_REQUEST: &str = "invalid request";
    /// 500: the route's contract does not compile (validation reports why).
    pub const INVALID_CONTRACT: &str = "the route's contract is invalid";
    /// 401: the API key header is absent.
    pub const MISSING_API_KEY: &str = "missing API key";
    /// 401: the API key does not match.
    pub const INVALID_API_KEY: &str = "invalid API key";
    /// 401: no `Authorization: Bearer` token.
    pub const MISSING_TOKEN: &str = "missing bearer token";
    /// 401: the token is malformed, badly signed, expired, or has the wrong issuer/audience.
    pub const INVALID_TOKEN: &str = "invalid token";
    /// 429.
    pub const RATE_LIMITED: &str = "rate limit exceeded";
    /// 403: a CORS preflight from an origin the gateway does not allow.
    pub const ORIGIN_NOT_ALLOWED: &str = "origin not allowed";
    /// 500: a handler reached its end without a Respond step.
    pub const NO_RESPONSE: &str = "handler finished without a response";
    /// 500: something unexpected (a panic inside a request); the cause is only logged.
    pub const INTERNAL_ERROR: &str = "internal error";

    /// 404 body text for a request no route matches.
    pub fn no_route(method: &str, path: &str) -> String {
        format!("no route matches {method} {path}")
    }

    /// 501 body text for a request that reaches a code Worker: its code is the user's own,
    /// which the engine does not run.
    pub fn code_worker(node: &str) -> String {
        format!(
            "{node} is a code Worker: its code is your own project's, which Edgewire does not run; run it with `wrangler dev` (the rest of the design runs here)"
        )
    }

    /// 405 body text: a gateway route matches the path but not the method.
    pub fn method_not_allowed(method: &str, path: &str) -> String {
        format!("method {method} is not allowed on {path}")
    }

    /// 413 body text.
    pub fn body_too_large(max_bytes: impl std::fmt::Display) -> String {
        format!("request body is larger than {max_bytes} bytes")
    }

    /// 500/502 body text for a failing step (`"d1 query failed"`).
    pub fn step_failed(step_kind: &str) -> String {
        format!("{step_kind} failed")
    }
}

#[cfg(test)]
mod tests {
    //! The exported TypeScript copies these facts by hand; here they are compared.

    use super::errors;
    use super::{AUTH_HEADER, KV_LIST_LIMIT};

    const EDGEWIRE_TS: &str = include_str!("../../assets/export/edgewire.ts");
    const GATEWAY_TS: &str = include_str!("../../assets/export/gateway.ts");
    const CONTRACT_TS: &str = include_str!("../../assets/export/contract.ts");

    /// A text as a TypeScript string literal.
    fn literal(text: &str) -> String {
        serde_json::to_string(text).expect("a string serializes")
    }

    #[track_caller]
    fn assert_has(text: &str, file: &str, expected: &str) {
        assert!(
            text.contains(expected),
            "{file} no longer holds `{expected}`: the exported TypeScript and \
             engine/src/semantics.rs must say the same"
        );
    }

    #[test]
    fn edgewire_ts_says_what_the_engine_says() {
        let has = |expected: &str| assert_has(EDGEWIRE_TS, "assets/export/edgewire.ts", expected);
        for (name, value) in [
            ("AUTH_HEADER", AUTH_HEADER),
            ("INVALID_JSON", errors::INVALID_JSON),
            ("NO_RESPONSE", errors::NO_RESPONSE),
            ("INVALID_REQUEST", errors::INVALID_REQUEST),
        ] {
            has(&format!("export const {name} = {};", literal(value)));
        }
        // Texts built at request time: the Rust function given the TypeScript interpolations.
        has(&format!(
            "errorResponse(404, `{}`)",
            errors::no_route("${request.method}", "${url.pathname}")
        ));
        has(&format!("error: `{}`", errors::step_failed("${this.kind}")));
        has(&format!(
            "errorResponse(500, {})",
            literal(errors::INTERNAL_ERROR)
        ));
        has(&format!("limit: {KV_LIST_LIMIT} }}"));
    }

    #[test]
    fn gateway_ts_says_what_the_engine_says() {
        let ts = GATEWAY_TS;
        let file = "assets/export/gateway.ts";
        assert_has(
            ts,
            file,
            &format!("export const AUTH_HEADER = {};", literal(AUTH_HEADER)),
        );
        for (key, text) in [
            ("missingApiKey", errors::MISSING_API_KEY),
            ("invalidApiKey", errors::INVALID_API_KEY),
            ("missingToken", errors::MISSING_TOKEN),
            ("invalidToken", errors::INVALID_TOKEN),
            ("rateLimited", errors::RATE_LIMITED),
            ("originNotAllowed", errors::ORIGIN_NOT_ALLOWED),
        ] {
            assert_has(ts, file, &format!("  {key}: {},\n", literal(text)));
        }
        assert_has(
            ts,
            file,
            &format!(
                "errorResponse(413, `{}`)",
                errors::body_too_large("${config.maxBodyBytes}")
            ),
        );
        assert_has(
            ts,
            file,
            &format!(
                "errorResponse(405, `{}`",
                errors::method_not_allowed("${method}", "${url.pathname}")
            ),
        );
        assert_has(
            ts,
            file,
            &format!(
                "errorResponse(404, `{}`)",
                errors::no_route("${method}", "${url.pathname}")
            ),
        );
        assert_has(
            ts,
            file,
            &format!("error: {}", literal(&errors::step_failed("service call"))),
        );
    }

    #[test]
    fn contract_ts_says_what_the_engine_says() {
        let file = "assets/export/contract.ts";
        assert_has(
            CONTRACT_TS,
            file,
            &format!("export const MAX_ISSUES = {};", crate::contract::MAX_ISSUES),
        );
        assert_has(
            CONTRACT_TS,
            file,
            "message: `missing required query parameter \"${param.name}\"`",
        );
    }
}
