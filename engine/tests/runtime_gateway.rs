//! The API Gateway, through the router (no socket): routing, API key and JWT auth, CORS,
//! rate limiting, body size, enrichment and forwarding, as the runtime docs specify.

mod runtime_support;

use std::time::Duration;

use edgewire_engine::runtime::sign_jwt;
use runtime_support::{design, get, send, start};
use serde_json::{Value, json};

const ECHO: &str = r#"
  (id: "echo", kind: Worker(routes: [
    (method: GET, path: "/x", steps: [
      Respond(status: 200, body: Object({"auth": Ref("auth"), "headers": Ref("headers"), "query": Ref("query")})),
    ]),
    (method: GET, path: "/", steps: [
      Respond(status: 200, body: Object({"root": Json(true)})),
    ]),
    (method: GET, path: "/items/:id", steps: [
      Respond(status: 200, body: Object({"id": Ref("params.id"), "headers": Ref("headers"), "auth": Ref("auth")}),
              headers: {"x-from": "echo"}),
    ]),
    (method: POST, path: "/items/:id", steps: [
      Respond(status: 201, body: Ref("body")),
    ]),
  ])),
"#;

fn api_key_design() -> edgewire_engine::Design {
    design(&format!(
        r#"nodes: [
  (id: "c", kind: Client()),
  {ECHO}
  (id: "gw", kind: Gateway(
    routes: [
      (path: "/api", service: "ECHO", strip_prefix: true),
      (path: "/items/:id", methods: [GET], service: "ECHO"),
      (path: "/items/:id", methods: [DELETE], service: "ECHO"),
      (path: "/posts", methods: [POST, PUT], service: "ECHO"),
    ],
    auth: ApiKey(header: "x-api-key", secret: "API_KEY"),
    cors: (allow_origins: ["https://ok.example"], allow_headers: ["content-type", "x-api-key"], max_age_secs: 600),
    rate_limit: (requests: 3, period_secs: 60),
    max_body_bytes: 20,
    enrich: (request_id_header: "x-request-id"),
  )),
],
wires: [(from: "c", to: "gw"), (from: "gw", to: "echo", binding: "ECHO")],"#
    ))
}

fn jwt_design() -> edgewire_engine::Design {
    design(&format!(
        r#"nodes: [
  (id: "c", kind: Client()),
  {ECHO}
  (id: "gw", kind: Gateway(
    routes: [(path: "/", service: "ECHO")],
    auth: Jwt(secret: "JWT_SECRET", issuer: "https://issuer.example", audience: "shop"),
    cors: (allow_origins: ["*"]),
    rate_limit: (requests: 2, period_secs: 10, key: Credential),
    enrich: (user_id_header: "x-user-id", forward_headers: ["x-keep"]),
  )),
],
wires: [(from: "c", to: "gw"), (from: "gw", to: "echo", binding: "ECHO")],"#
    ))
}

const KEY: (&str, &str) = ("x-api-key", "secret-key");

#[tokio::test]
async fn api_key_missing_wrong_and_right() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    let missing = get(&t.engine, "/items/1").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json(), json!({"error": "missing API key"}));
    let empty = send(&t.engine, "GET", "/items/1", &[("x-api-key", "")], None).await;
    assert_eq!(empty.json(), json!({"error": "missing API key"}));
    let wrong = send(
        &t.engine,
        "GET",
        "/items/1",
        &[("x-api-key", "secret-kex")],
        None,
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json(), json!({"error": "invalid API key"}));
    let ok = send(&t.engine, "GET", "/items/1", &[KEY], None).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-from"), Some("echo"));
}

#[tokio::test]
async fn forwarding_enriches_and_strips_credentials() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    let answer = send(
        &t.engine,
        "GET",
        "/items/7?a=1",
        &[
            KEY,
            ("x-edgewire-auth", r#"{"method":"jwt"}"#),
            ("x-other", "o"),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(body["id"], "7");
    assert_eq!(body["auth"], json!({"method": "api_key"}));
    let headers = &body["headers"];
    assert_eq!(headers.get("x-api-key"), None, "the key is never forwarded");
    assert_eq!(headers["x-other"], "o");
    assert_eq!(headers["x-edgewire-auth"], r#"{"method":"api_key"}"#);
    let request_id = answer
        .header("x-request-id")
        .expect("request id on the response");
    assert_eq!(headers["x-request-id"], request_id);
    assert_eq!(
        uuid::Uuid::parse_str(request_id).map(|u| u.get_version_num()),
        Ok(4)
    );
}

#[tokio::test]
async fn header_names_in_the_design_match_in_any_case() {
    let mut design = api_key_design();
    for node in &mut design.nodes {
        if let edgewire_engine::model::NodeKind::Gateway(gateway) = &mut node.kind {
            gateway.auth = edgewire_engine::model::Auth::ApiKey {
                header: "X-Api-Key".into(),
                secret: "API_KEY".into(),
            };
            gateway.enrich.request_id_header = Some("X-Request-Id".into());
        }
    }
    let t = start(design, &[("API_KEY", "secret-key")]).await;
    let answer = send(&t.engine, "GET", "/items/7", &[KEY], None).await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(
        body["headers"].get("x-api-key"),
        None,
        "the key is never forwarded"
    );
    let request_id = answer.header("x-request-id").expect("request id");
    assert_eq!(body["headers"]["x-request-id"], request_id);
}

#[tokio::test]
async fn routes_match_prefixes_strip_and_answer_404_and_405() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    let stripped = send(&t.engine, "GET", "/api/x?q=2", &[KEY], None).await;
    assert_eq!(stripped.status, 200);
    assert_eq!(stripped.json()["query"], json!({"q": "2"}));
    let root = send(&t.engine, "GET", "/api", &[KEY], None).await;
    assert_eq!(root.json(), json!({"root": true}));
    let root_slash = send(&t.engine, "GET", "/api/", &[KEY], None).await;
    assert_eq!(root_slash.json(), json!({"root": true}));
    let not_prefix = send(&t.engine, "GET", "/apix", &[KEY], None).await;
    assert_eq!(not_prefix.status, 404);
    assert_eq!(
        not_prefix.json(),
        json!({"error": "no route matches GET /apix"})
    );
    let wrong_method = send(&t.engine, "POST", "/items/1", &[KEY], Some("{}")).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("GET, DELETE"));
    assert_eq!(
        wrong_method.json(),
        json!({"error": "method POST is not allowed on /items/1"})
    );
    // The service's own 404 comes back as is.
    let deleted = send(&t.engine, "DELETE", "/items/1", &[KEY], None).await;
    assert_eq!(deleted.status, 404);
    assert_eq!(
        deleted.json(),
        json!({"error": "no route matches DELETE /items/1"})
    );
}

#[tokio::test]
async fn cors_preflight_and_response_headers() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    let preflight = send(
        &t.engine,
        "OPTIONS",
        "/items/1",
        &[
            ("origin", "https://ok.example"),
            ("access-control-request-method", "GET"),
        ],
        None,
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.text, "");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://ok.example")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET, POST, PUT, PATCH, DELETE, HEAD")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("content-type, x-api-key")
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));
    assert_eq!(preflight.header("vary"), Some("Origin"));
    let forbidden = send(
        &t.engine,
        "OPTIONS",
        "/items/1",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "GET"),
        ],
        None,
    )
    .await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.json(), json!({"error": "origin not allowed"}));
    // Errors get the CORS headers too; other origins get none.
    let unauthorized = send(
        &t.engine,
        "GET",
        "/items/1",
        &[("origin", "https://ok.example")],
        None,
    )
    .await;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(
        unauthorized.header("access-control-allow-origin"),
        Some("https://ok.example")
    );
    assert_eq!(unauthorized.header("vary"), Some("Origin"));
    let other = send(
        &t.engine,
        "GET",
        "/items/1",
        &[KEY, ("origin", "https://evil.example")],
        None,
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn body_limit_is_413() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    let fits = send(
        &t.engine,
        "POST",
        "/posts",
        &[KEY],
        Some(r#"{"a":"0123456789"}"#),
    )
    .await;
    assert_eq!(fits.status, 404, "a body of 18 bytes passes the gateway");
    let large = send(
        &t.engine,
        "POST",
        "/posts",
        &[KEY],
        Some(r#"{"a":"0123456789abc"}"#),
    )
    .await;
    assert_eq!(large.status, 413);
    assert_eq!(
        large.json(),
        json!({"error": "request body is larger than 20 bytes"})
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_until_the_window_ends() {
    let t = start(api_key_design(), &[("API_KEY", "secret-key")]).await;
    // Start at the beginning of a 60 s window.
    let now = edgewire_engine::runtime::Clock::now_millis(&*t.clock);
    t.clock.set_millis(now - now % 60_000 + 1_000);
    let ip = ("cf-connecting-ip", "192.0.2.7");
    for _ in 0..3 {
        assert_eq!(
            send(&t.engine, "GET", "/items/1", &[KEY, ip], None)
                .await
                .status,
            200
        );
    }
    let limited = send(&t.engine, "GET", "/items/1", &[KEY, ip], None).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json(), json!({"error": "rate limit exceeded"}));
    assert_eq!(limited.header("retry-after"), Some("59"));
    let other_ip = send(
        &t.engine,
        "GET",
        "/items/1",
        &[KEY, ("cf-connecting-ip", "192.0.2.8")],
        None,
    )
    .await;
    assert_eq!(other_ip.status, 200);
    t.clock.advance(Duration::from_secs(59));
    assert_eq!(
        send(&t.engine, "GET", "/items/1", &[KEY, ip], None)
            .await
            .status,
        200
    );
}

fn token(claims: &Value) -> String {
    format!("Bearer {}", sign_jwt(claims, b"jwt-secret"))
}

#[tokio::test]
async fn jwt_valid_tokens_pass_with_their_claims() {
    let t = start(jwt_design(), &[("JWT_SECRET", "jwt-secret")]).await;
    let now = edgewire_engine::runtime::Clock::now_millis(&*t.clock) / 1000;
    let claims = json!({"sub": "user-42", "iss": "https://issuer.example", "aud": ["other", "shop"], "exp": now + 60, "nbf": now});
    let auth = token(&claims);
    let answer = send(
        &t.engine,
        "GET",
        "/x",
        &[
            ("authorization", &auth),
            ("x-keep", "k"),
            ("x-drop", "d"),
            ("content-type", "text/plain"),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert_eq!(
        body["auth"],
        json!({"method": "jwt", "user_id": "user-42", "claims": claims})
    );
    let headers = body["headers"].as_object().expect("headers");
    let mut names: Vec<&str> = headers.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["content-type", "x-edgewire-auth", "x-keep", "x-user-id"]
    );
    assert_eq!(headers["x-user-id"], "user-42");
}

#[tokio::test]
async fn jwt_rejections() {
    let t = start(jwt_design(), &[("JWT_SECRET", "jwt-secret")]).await;
    let now = edgewire_engine::runtime::Clock::now_millis(&*t.clock) / 1000;
    let good = json!({"sub": "u", "iss": "https://issuer.example", "aud": "shop", "exp": now + 60});
    let missing = get(&t.engine, "/x").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json(), json!({"error": "missing bearer token"}));
    let cases = [
        json!({"sub": "u", "iss": "https://issuer.example", "aud": "shop", "exp": now - 1}),
        json!({"sub": "u", "iss": "https://issuer.example", "aud": "shop", "nbf": now + 60}),
        json!({"sub": "u", "iss": "https://evil.example", "aud": "shop"}),
        json!({"sub": "u", "iss": "https://issuer.example", "aud": "other"}),
        json!({"sub": "u", "aud": "shop"}),
    ];
    for claims in cases {
        let answer = send(
            &t.engine,
            "GET",
            "/x",
            &[("authorization", &token(&claims))],
            None,
        )
        .await;
        assert_eq!(answer.status, 401, "{claims}");
        assert_eq!(answer.json(), json!({"error": "invalid token"}));
    }
    let wrong_key = format!("Bearer {}", sign_jwt(&good, b"other-secret"));
    let b64 = |v: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
    };
    let alg_none = format!(
        "Bearer {}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(good.to_string().as_bytes())
    );
    for auth in [wrong_key, alg_none, "Bearer not-a-token".to_owned()] {
        let answer = send(&t.engine, "GET", "/x", &[("authorization", &auth)], None).await;
        assert_eq!(answer.json(), json!({"error": "invalid token"}), "{auth}");
    }
    let ok = send(
        &t.engine,
        "GET",
        "/x",
        &[("authorization", &token(&good))],
        None,
    )
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn credential_rate_limit_counts_per_subject_and_wildcard_cors() {
    let t = start(jwt_design(), &[("JWT_SECRET", "jwt-secret")]).await;
    let now = edgewire_engine::runtime::Clock::now_millis(&*t.clock);
    t.clock.set_millis(now - now % 10_000 + 2_500);
    let claims = |sub: &str| json!({"sub": sub, "iss": "https://issuer.example", "aud": "shop"});
    let (a, b) = (token(&claims("a")), token(&claims("b")));
    for _ in 0..2 {
        assert_eq!(
            send(&t.engine, "GET", "/x", &[("authorization", &a)], None)
                .await
                .status,
            200
        );
    }
    let limited = send(
        &t.engine,
        "GET",
        "/x",
        &[("authorization", &a), ("origin", "https://any.example")],
        None,
    )
    .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("8"));
    assert_eq!(limited.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        send(&t.engine, "GET", "/x", &[("authorization", &b)], None)
            .await
            .status,
        200
    );
}
