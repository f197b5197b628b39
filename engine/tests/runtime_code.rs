//! Code Workers in the local engine: the design runs, and a request that reaches a code
//! Worker (directly or through a service binding) gets 501 with a JSON body naming it.

mod runtime_support;

use runtime_support::{get, start};
use serde_json::json;

const DESIGN: &str = r#"
    nodes: [
        (id: "client", kind: Client()),
        (id: "mobile", kind: Client()),
        (id: "front", kind: Worker(routes: [
            (method: GET, path: "/", steps: [
                Call(binding: "API", method: GET, path: "/", into: "api"),
                Respond(status: 200, body: Ref("api")),
            ]),
        ])),
        (id: "api", kind: Worker(code: (source: "api/src/index.ts", config: "api/wrangler.toml"))),
    ],
    wires: [
        (from: "client", to: "front"),
        (from: "front", to: "api", binding: "API"),
        (from: "mobile", to: "api"),
    ],
"#;

#[tokio::test]
async fn a_request_that_reaches_a_code_worker_gets_501_naming_it() {
    let t = start(runtime_support::design(DESIGN), &[]).await;
    let answer = get(&t.engine, "/__edgewire/entry/api/anything").await;
    let direct = answer.json();
    assert_eq!(answer.status, 501, "{}", answer.text);
    assert_eq!(direct["worker"], json!("api"));
    assert_eq!(direct["source"], json!("api/src/index.ts"));
    assert!(
        direct["error"]
            .as_str()
            .is_some_and(|e| e.contains("code Worker")),
        "{direct}"
    );
    // Through a service binding, the caller sees the 501 as the call's result.
    let front = get(&t.engine, "/").await;
    assert!(front.text.contains("code Worker"), "{}", front.text);
}
