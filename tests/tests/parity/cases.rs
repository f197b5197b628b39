//! The requests the suite sends: the design's client scenario, then the suite's own extra
//! requests (error cases, unknown routes, bad auth, bad JSON, CORS, wrong methods).

use edgewire_engine::model::{Auth, Cors, Design, Gateway, HttpMethod, NodeKind};

/// One request the suite sends.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    /// The status the design (or the gateway contract) says it must get.
    pub(crate) expect_status: Option<u16>,
}

/// Headers that authenticate: taken from the scenario's first successful request.
fn auth_headers(design: &Design) -> Vec<(String, String)> {
    let auth_header_names: Vec<String> = design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Gateway(g) => match &g.auth {
                Auth::ApiKey { header, .. } => Some(header.to_ascii_lowercase()),
                Auth::Jwt { .. } => Some("authorization".to_owned()),
                Auth::None => None,
            },
            _ => None,
        })
        .collect();
    scenario(design)
        .iter()
        .filter(|r| (200..300).contains(&r.expect_status))
        .flat_map(|r| r.headers.iter())
        .filter(|(name, _)| auth_header_names.contains(&name.to_ascii_lowercase()))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .take(1)
        .collect()
}

fn scenario(design: &Design) -> Vec<edgewire_engine::model::SampleRequest> {
    design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.scenario.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The scenario's requests, then the suite's extra ones.
pub(crate) fn cases(design: &Design) -> Vec<Case> {
    let mut cases = scenario_cases(design);
    let auth = auth_headers(design);
    let good: Vec<Case> = cases
        .iter()
        .filter(|c| c.expect_status.is_some_and(|s| (200..300).contains(&s)))
        .cloned()
        .collect();
    let good_get = good.iter().find(|c| c.method == "GET");
    cases.extend(path_extras(good_get, &auth));
    for node in &design.nodes {
        let NodeKind::Gateway(gateway) = &node.kind else {
            continue;
        };
        if let Some(get) = good_get {
            cases.extend(bad_credentials(&gateway.auth, get));
        }
        cases.extend(wrong_methods(gateway, &auth));
        if let Some(cors) = &gateway.cors {
            cases.extend(cors_extras(gateway, cors, good_get, &auth));
        }
        if let (Some(max), Some(with_body)) = (
            gateway.max_body_bytes,
            good.iter().find(|c| c.body.is_some()),
        ) {
            let size = usize::try_from(max).unwrap_or(usize::MAX - 1) + 1;
            cases.push(Case {
                name: "extra: body too large".to_owned(),
                body: Some(vec![b' '; size]),
                expect_status: Some(413),
                ..with_body.clone()
            });
        }
    }
    cases.extend(bad_json(&good));
    cases
}

/// The design's client scenario, with header names lowercased and a JSON content type where
/// a body has none.
fn scenario_cases(design: &Design) -> Vec<Case> {
    scenario(design)
        .into_iter()
        .map(|r| {
            let mut headers: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect();
            if r.body.is_some() && !headers.iter().any(|(n, _)| n == "content-type") {
                headers.push(("content-type".to_owned(), "application/json".to_owned()));
            }
            Case {
                name: r.name.clone(),
                method: r.method.as_str().to_owned(),
                path: r.path.clone(),
                headers,
                body: r.body.as_ref().map(|b| b.to_text().into_bytes()),
                expect_status: Some(r.expect_status),
            }
        })
        .collect()
}

/// One of the suite's own requests, without a body or an expected status.
fn extra(name: &str, method: &str, path: &str, headers: Vec<(String, String)>) -> Case {
    Case {
        name: format!("extra: {name}"),
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: None,
        expect_status: None,
    }
}

/// An unknown route, the root path, and variations of a good GET: a trailing slash, a
/// repeated query parameter, a spoofed identity header.
fn path_extras(good_get: Option<&Case>, auth: &[(String, String)]) -> Vec<Case> {
    let mut extras = vec![
        Case {
            expect_status: Some(404),
            ..extra(
                "unknown route",
                "GET",
                "/edgewire-parity/unknown",
                auth.to_vec(),
            )
        },
        extra("root path", "GET", "/", auth.to_vec()),
    ];
    if let Some(get) = good_get {
        if !get.path.contains('?') {
            extras.push(Case {
                name: format!("extra: trailing slash on {}", get.path),
                path: format!("{}/", get.path),
                expect_status: None,
                ..get.clone()
            });
            extras.push(Case {
                name: format!("extra: repeated query on {}", get.path),
                path: format!("{}?a=1&a=2&b=x%20y", get.path),
                expect_status: None,
                ..get.clone()
            });
        }
        let mut spoofed = get.clone();
        spoofed.name = format!("extra: spoofed x-edgewire-auth on {}", get.path);
        spoofed.headers.push((
            "x-edgewire-auth".to_owned(),
            r#"{"method":"jwt","user_id":"mallory","claims":{}}"#.to_owned(),
        ));
        extras.push(spoofed);
    }
    extras
}

/// A good GET with wrong, empty or malformed credentials: each must be a 401.
fn bad_credentials(auth: &Auth, get: &Case) -> Vec<Case> {
    let mut extras = Vec::new();
    match auth {
        Auth::ApiKey { header, .. } => {
            let header = header.to_ascii_lowercase();
            let without: Vec<(String, String)> = get
                .headers
                .iter()
                .filter(|(n, _)| *n != header)
                .cloned()
                .collect();
            let mut wrong = without.clone();
            wrong.push((header.clone(), "wrong-key".to_owned()));
            let mut empty = without.clone();
            empty.push((header.clone(), String::new()));
            extras.push(Case {
                expect_status: Some(401),
                ..extra("wrong API key", &get.method, &get.path, wrong)
            });
            extras.push(Case {
                expect_status: Some(401),
                ..extra("empty API key", &get.method, &get.path, empty)
            });
        }
        Auth::Jwt { .. } => {
            let without: Vec<(String, String)> = get
                .headers
                .iter()
                .filter(|(n, _)| n != "authorization")
                .cloned()
                .collect();
            for (what, value) in [
                ("garbage token", "Bearer not.a.token"),
                (
                    "alg none token",
                    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
                ),
                ("basic auth", "Basic dXNlcjpwYXNz"),
            ] {
                let mut headers = without.clone();
                headers.push(("authorization".to_owned(), value.to_owned()));
                extras.push(Case {
                    expect_status: Some(401),
                    ..extra(what, &get.method, &get.path, headers)
                });
            }
        }
        Auth::None => {}
    }
    extras
}

/// For each gateway route, a method it does not allow (never OPTIONS).
fn wrong_methods(gateway: &Gateway, auth: &[(String, String)]) -> Vec<Case> {
    let mut extras = Vec::new();
    for route in &gateway.routes {
        if route.methods.is_empty() {
            continue;
        }
        let path: String = route
            .path
            .split('/')
            .map(|s| if s.starts_with(':') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        if let Some(method) = HttpMethod::ALL
            .iter()
            .find(|m| !route.methods.contains(m) && **m != HttpMethod::Options)
        {
            extras.push(extra(
                &format!("{method} on {}", route.path),
                method.as_str(),
                &format!("{path}/1"),
                auth.to_vec(),
            ));
        }
    }
    extras
}

/// CORS preflights from an allowed and another origin, and CORS headers on a good GET and
/// on an error response.
fn cors_extras(
    gateway: &Gateway,
    cors: &Cors,
    good_get: Option<&Case>,
    auth: &[(String, String)],
) -> Vec<Case> {
    let path = gateway
        .routes
        .first()
        .map_or_else(|| "/".to_owned(), |r| r.path.clone());
    let allowed = cors
        .allow_origins
        .iter()
        .find(|o| *o != "*")
        .cloned()
        .unwrap_or_else(|| "https://any.example".to_owned());
    let preflight = |origin: &str| {
        vec![
            ("origin".to_owned(), origin.to_owned()),
            ("access-control-request-method".to_owned(), "GET".to_owned()),
        ]
    };
    let mut extras = vec![Case {
        expect_status: Some(204),
        ..extra(
            "CORS preflight, allowed origin",
            "OPTIONS",
            &path,
            preflight(&allowed),
        )
    }];
    if !cors.allow_origins.iter().any(|o| o == "*") {
        extras.push(Case {
            expect_status: Some(403),
            ..extra(
                "CORS preflight, other origin",
                "OPTIONS",
                &path,
                preflight("https://evil.example"),
            )
        });
    }
    if let Some(get) = good_get {
        let mut with_origin = get.clone();
        "extra: CORS simple request, allowed origin".clone_into(&mut with_origin.name);
        with_origin
            .headers
            .push(("origin".to_owned(), allowed.clone()));
        extras.push(with_origin);
        let mut unknown = extra(
            "CORS error response, allowed origin",
            "GET",
            "/edgewire-parity/unknown",
            auth.to_vec(),
        );
        unknown.headers.push(("origin".to_owned(), allowed));
        extras.push(unknown);
    }
    extras
}

/// Malformed JSON and JSON that is not an object, sent to the first good request with a body.
fn bad_json(good: &[Case]) -> Vec<Case> {
    let Some(case) = good.iter().find(|c| c.body.is_some()) else {
        return Vec::new();
    };
    vec![
        Case {
            name: format!("extra: malformed JSON to {} {}", case.method, case.path),
            body: Some(b"{\"broken\": ".to_vec()),
            expect_status: Some(400),
            ..case.clone()
        },
        Case {
            name: format!(
                "extra: JSON that is not an object to {} {}",
                case.method, case.path
            ),
            body: Some(b"[1, 2]".to_vec()),
            expect_status: None,
            ..case.clone()
        },
    ]
}
