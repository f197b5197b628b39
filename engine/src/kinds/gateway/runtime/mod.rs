//! The API Gateway: CORS, body size, authentication, rate limiting, routing, enrichment,
//! then the call through a service binding. The order and every answer follow the
//! runtime module docs (GATEWAY.md).

use std::borrow::Cow;

use axum::http::{self, HeaderMap, HeaderName, HeaderValue, header};
use base64::Engine as _;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use crate::model::{Auth, Cors, Gateway, GatewayRoute, HttpMethod, Node, NodeKind, RateLimitKey};
use crate::semantics::{AUTH_HEADER, errors};

use crate::runtime::KindRuntime;
use crate::runtime::bindings::Binding;
use crate::runtime::context::RequestCtx;
use crate::runtime::dispatch::Shared;
use crate::runtime::http::{Req, Resp, error_response, segments};
use crate::runtime::kind::{Exposure, Server, WireTarget};

mod rate;

use rate::RateLimiter;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// [`AUTH_HEADER`], parsed once.
const AUTH: HeaderName = HeaderName::from_static(AUTH_HEADER);
/// The client's IP address, as Cloudflare's edge sets it.
const CF_CONNECTING_IP: HeaderName = HeaderName::from_static("cf-connecting-ip");

impl KindRuntime for super::Def {
    fn exposure(&self) -> Exposure {
        Exposure::Always
    }

    fn server(
        &self,
        _design: &crate::model::Design,
        node: &Node,
        _public: bool,
    ) -> Option<std::sync::Arc<dyn Server>> {
        let NodeKind::Gateway(gateway) = &node.kind else {
            return None;
        };
        Some(std::sync::Arc::new(GatewayServer {
            gateway: gateway.clone(),
            rate: RateLimiter::default(),
        }))
    }

    fn binding_for_wire(&self, target: &WireTarget<'_>) -> Option<Binding> {
        Some(target.service())
    }
}

/// One gateway: its settings and its rate-limit counters.
struct GatewayServer {
    gateway: Gateway,
    rate: RateLimiter,
}

impl Server for GatewayServer {
    fn hop_kind(&self) -> &'static str {
        "gateway"
    }

    fn serve<'a>(
        &'a self,
        shared: &'a Shared,
        ctx: &'a RequestCtx,
        node: &'a str,
        request: Req,
    ) -> BoxFuture<'a, Resp> {
        handle(shared, ctx, node, &self.gateway, &self.rate, request).boxed()
    }
}

/// What authentication established.
struct Caller {
    /// The JSON the Workers read as `auth` (the [`AUTH`] header).
    auth: HeaderValue,
    /// The token's subject (rate limiting by credential, the user id header).
    user_id: Option<String>,
}

/// `auth` for a gateway without authentication.
const AUTH_NONE: &str = r#"{"method":"none"}"#;
/// `auth` after a valid API key.
const AUTH_API_KEY: &str = r#"{"method":"api_key"}"#;

/// Answer a request that reached gateway `node`.
async fn handle(
    shared: &Shared,
    ctx: &RequestCtx,
    node: &str,
    gateway: &Gateway,
    rate: &RateLimiter,
    mut request: Req,
) -> Resp {
    // 1. Never trust a client-sent auth header.
    request.headers_mut().remove(AUTH);

    // 2. CORS.
    let mut cors_origin: Option<String> = None;
    if let Some(cors) = &gateway.cors {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let allowed = allowed_origin(cors, origin);
        let preflight = request.method() == http::Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if preflight {
            return match allowed {
                Some(allow) => preflight_response(gateway, cors, &allow),
                None => error_response(403, errors::ORIGIN_NOT_ALLOWED),
            };
        }
        if origin.is_some() {
            cors_origin = allowed;
        }
    }
    let mut response = route_and_forward(shared, ctx, node, gateway, rate, request).await;
    if let Some(allow) = cors_origin {
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response
                .headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// Steps 3 to 8 (everything that gets the CORS headers added afterwards).
async fn route_and_forward(
    shared: &Shared,
    ctx: &RequestCtx,
    node: &str,
    gateway: &Gateway,
    rate: &RateLimiter,
    request: Req,
) -> Resp {
    // 3. Body size.
    if let Some(max) = gateway.max_body_bytes
        && request.body().len() as u64 > max
    {
        return error_response(413, &errors::body_too_large(max));
    }

    // 4. Authentication.
    let caller = match authenticate(shared, gateway, request.headers()) {
        Ok(caller) => caller,
        Err(text) => return error_response(401, text),
    };

    // 5. Rate limit.
    if let Some(response) = rate_limited(shared, ctx, node, gateway, rate, &request, &caller) {
        return response;
    }

    // 6. Route: the first route whose path matches and that takes the method; 405 when
    // some path matches but none takes the method.
    let method = request.method().as_str();
    let path = request.uri().path();
    let takes = |route: &GatewayRoute| {
        route.methods.is_empty() || route.methods.iter().any(|m| m.as_str() == method)
    };
    let chosen = gateway.routes.iter().find_map(|route| {
        let matched = prefix_match(&route.path, path)?;
        takes(route).then_some((route, matched))
    });
    let Some((route, matched_segments)) = chosen else {
        let matching: Vec<&GatewayRoute> = gateway
            .routes
            .iter()
            .filter(|route| prefix_match(&route.path, path).is_some())
            .collect();
        if matching.is_empty() {
            return error_response(404, &errors::no_route(method, path));
        }
        let allow = HttpMethod::ALL
            .into_iter()
            .filter(|m| matching.iter().any(|r| r.methods.contains(m)))
            .map(HttpMethod::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let mut response = error_response(405, &errors::method_not_allowed(method, path));
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    };

    // 7. Forward: the same request, its path without the route's prefix when it strips it.
    let stripped_uri = if route.strip_prefix {
        let rest = segments(path)
            .into_iter()
            .skip(matched_segments)
            .collect::<Vec<_>>()
            .join("/");
        let uri = match request.uri().query() {
            Some(query) => format!("/{rest}?{query}"),
            None => format!("/{rest}"),
        };
        match uri.parse::<http::Uri>() {
            Ok(uri) => Some(uri),
            Err(_) => return error_response(404, &errors::no_route(method, path)),
        }
    } else {
        None
    };
    let (mut parts, body) = request.into_parts();
    if let Some(uri) = stripped_uri {
        parts.uri = uri;
    }
    let mut headers = forwarded_headers(gateway, std::mem::take(&mut parts.headers));
    headers.insert(AUTH, caller.auth);
    let request_id = gateway.enrich.request_id_header.as_ref().and_then(|name| {
        // Header names parse case-insensitively (lower-cased), so `X-Request-Id` works.
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let mut id = [0; uuid::fmt::Hyphenated::LENGTH];
        let value =
            HeaderValue::from_str(uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id)).ok()?;
        Some((name, value))
    });
    if let Some((name, value)) = &request_id {
        headers.insert(name.clone(), value.clone());
    }
    if let (Some(name), Some(user_id)) = (&gateway.enrich.user_id_header, &caller.user_id)
        && let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(user_id),
        )
    {
        headers.insert(name, value);
    }
    parts.headers = headers;
    let forward = http::Request::from_parts(parts, body);

    let result = if let Some(crate::runtime::bindings::Binding::Service(service)) =
        shared.registry.get(node, &route.service)
    {
        service.fetch(ctx, forward).await
    } else {
        Err(crate::runtime::bindings::BindingError::failed(format!(
            "the gateway has no service binding named `{}`",
            route.service
        )))
    };
    let mut response = result.unwrap_or_else(|err| {
        tracing::error!(
            node,
            "service call through `{}` failed: {err}",
            route.service
        );
        crate::runtime::http::json_response(
            500,
            &json!({ "error": errors::step_failed("service call"), "node": node }),
        )
    });
    // 8. The service's answer, plus the request id.
    if let Some((name, value)) = request_id {
        response.headers_mut().insert(name, value);
    }
    response
}

/// Step 5: the 429 answer when the caller is over the gateway's rate limit.
fn rate_limited(
    shared: &Shared,
    ctx: &RequestCtx,
    node: &str,
    gateway: &Gateway,
    rate: &RateLimiter,
    request: &Req,
    caller: &Caller,
) -> Option<Resp> {
    if let Some(limit) = &gateway.rate_limit {
        let client_ip = || -> Cow<'_, str> {
            match request
                .headers()
                .get(CF_CONNECTING_IP)
                .and_then(|v| v.to_str().ok())
            {
                Some(ip) => Cow::Borrowed(ip),
                None => ctx
                    .peer
                    .map_or(Cow::Borrowed("unknown"), |ip| Cow::Owned(ip.to_string())),
            }
        };
        let key = match limit.key {
            RateLimitKey::ClientIp => client_ip(),
            RateLimitKey::Credential => match (&gateway.auth, &caller.user_id) {
                (Auth::ApiKey { header, .. }, _) => request
                    .headers()
                    .get(header.as_str())
                    .map_or_else(client_ip, |key| String::from_utf8_lossy(key.as_bytes())),
                (_, Some(subject)) => Cow::Borrowed(subject.as_str()),
                (_, None) => client_ip(),
            },
        };
        if let Err(retry_after) = rate.hit(
            node,
            &key,
            limit.requests,
            limit.period_secs,
            shared.clock.now_millis(),
        ) {
            let mut response = error_response(429, errors::RATE_LIMITED);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return Some(response);
        }
    }
    None
}

/// Number of request segments a gateway route path matches as a prefix, if it matches.
pub fn prefix_match(pattern: &str, path: &str) -> Option<usize> {
    let mut request = crate::runtime::http::segment_iter(path);
    let mut matched = 0;
    for want in crate::runtime::http::segment_iter(pattern) {
        let got = request.next()?;
        if want.starts_with(':') {
            if got.is_empty() {
                return None;
            }
        } else if want != got {
            return None;
        }
        matched += 1;
    }
    Some(matched)
}

/// The `access-control-allow-origin` value for this origin, if it is allowed.
fn allowed_origin(cors: &Cors, origin: Option<&str>) -> Option<String> {
    if cors.allow_origins.iter().any(|o| o == "*") {
        return Some("*".to_owned());
    }
    let origin = origin?;
    cors.allow_origins
        .iter()
        .any(|o| o == origin)
        .then(|| origin.to_owned())
}

fn preflight_response(gateway: &Gateway, cors: &Cors, allow_origin: &str) -> Resp {
    let methods = gateway.cors_allow_methods();
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = http::StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    set(header::ACCESS_CONTROL_ALLOW_METHODS, &methods);
    if !cors.allow_headers.is_empty() {
        set(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            &cors.allow_headers.join(", "),
        );
    }
    set(
        header::ACCESS_CONTROL_MAX_AGE,
        &cors.max_age_secs.to_string(),
    );
    set(header::VARY, "Origin");
    response
}

fn authenticate(
    shared: &Shared,
    gateway: &Gateway,
    headers: &HeaderMap,
) -> Result<Caller, &'static str> {
    match &gateway.auth {
        Auth::None => Ok(Caller {
            auth: HeaderValue::from_static(AUTH_NONE),
            user_id: None,
        }),
        Auth::ApiKey { header, secret } => {
            let given = headers
                .get(header.as_str())
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if given.is_empty() {
                return Err(errors::MISSING_API_KEY);
            }
            let expected = shared.secret(secret).unwrap_or_default();
            if expected.is_empty() || !bool::from(given.ct_eq(expected.as_bytes())) {
                return Err(errors::INVALID_API_KEY);
            }
            Ok(Caller {
                auth: HeaderValue::from_static(AUTH_API_KEY),
                user_id: None,
            })
        }
        Auth::Jwt {
            secret,
            issuer,
            audience,
        } => {
            let token = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(errors::MISSING_TOKEN)?;
            let key = shared.secret(secret).unwrap_or_default();
            let claims = verify_jwt(
                token,
                key.as_bytes(),
                issuer,
                audience,
                shared.clock.now_millis(),
            )
            .ok_or(errors::INVALID_TOKEN)?;
            let user_id = match claims.get("sub") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
            let auth = json!({
                "method": "jwt",
                "user_id": claims.get("sub").cloned().unwrap_or(Value::Null),
                "claims": claims,
            });
            // Compact JSON escapes control characters, so it is always a valid header value.
            let auth =
                HeaderValue::from_str(&auth.to_string()).map_err(|_| errors::INVALID_TOKEN)?;
            Ok(Caller { auth, user_id })
        }
    }
}

/// Verify an HS256 JWT; the claims when valid.
pub fn verify_jwt(
    token: &str,
    key: &[u8],
    issuer: &str,
    audience: &str,
    now_ms: u64,
) -> Option<Value> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let (head, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value =
        serde_json::from_slice(&b64.decode(head.trim_end_matches('=')).ok()?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let signature = b64.decode(signature.trim_end_matches('=')).ok()?;
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(head.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature).ok()?;
    let claims: Value =
        serde_json::from_slice(&b64.decode(payload.trim_end_matches('=')).ok()?).ok()?;
    if !claims.is_object() {
        return None;
    }
    let now = now_ms as f64 / 1000.0;
    if let Some(exp) = claims.get("exp")
        && exp.as_f64().is_none_or(|exp| exp <= now)
    {
        return None;
    }
    if let Some(nbf) = claims.get("nbf")
        && nbf.as_f64().is_none_or(|nbf| nbf > now)
    {
        return None;
    }
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return None;
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == audience,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    audience_ok.then_some(claims)
}

/// Sign claims as an HS256 JWT (tests and tools).
pub fn sign_jwt(claims: &Value, key: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let head = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64.encode(claims.to_string());
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return String::new();
    };
    mac.update(head.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    let signature = b64.encode(mac.finalize().into_bytes());
    format!("{head}.{payload}.{signature}")
}

fn forwarded_headers(gateway: &Gateway, client: HeaderMap) -> HeaderMap {
    let mut headers = if gateway.enrich.forward_headers.is_empty() {
        client
    } else {
        let mut kept = HeaderMap::new();
        for (name, value) in &client {
            let keep = name == header::CONTENT_TYPE
                || gateway
                    .enrich
                    .forward_headers
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(name.as_str()));
            if keep {
                kept.append(name.clone(), value.clone());
            }
        }
        kept
    };
    match &gateway.auth {
        Auth::ApiKey { header, .. } => {
            headers.remove(header.as_str());
        }
        Auth::Jwt { .. } => {
            headers.remove(header::AUTHORIZATION);
        }
        Auth::None => {}
    }
    headers.remove(AUTH);
    headers
}

#[cfg(test)]
mod tests;
