//! Properties over random designs, valid or not:
//! - validation and the graph algorithms never panic;
//! - saving then loading gives back the canonical design;
//! - any sequence of edits, fully undone, restores the original; a failed edit changes nothing.

use edgewire_engine::edit::{Edit, History};
use edgewire_engine::graph::DesignGraph;
use edgewire_engine::model::{
    Auth, Client, Condition, Cors, Enrichment, Expr, Gateway, GatewayRoute, HttpMethod, KvFormat,
    Note, QueryMode, RateLimit, RateLimitKey, RequestBody, Route, SampleRequest, Step, Template,
    Worker, WorkerPlacement,
};
use edgewire_engine::{Design, Node, NodeKind, Pos, Wire, format, validate};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::Value;

mod property_stores;
use property_stores::{code, store};

/// Ids from a small pool, so that random wires and edits often hit existing nodes.
const IDS: [&str; 8] = [
    "api", "cache", "db", "gateway", "orders", "pg", "web", "note",
];

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(IDS.as_slice()).prop_map(str::to_owned),
        1 => "[a-z][a-z0-9-]{0,6}",
    ]
}

/// Text with the characters that stress the file format: quotes, `#`, backslashes, newlines,
/// braces and non-ASCII.
pub(crate) fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _:.{}\"#\\\\/\n\té🦀-]{0,12}"
}

/// Hostnames, good and bad (validation judges them; the file format keeps them as text).
fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(["api.example.com", "shop.example.co.uk"].as_slice())
            .prop_map(str::to_owned),
        text(),
    ]
}

fn binding() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(["CACHE", "DB", "HYPERDRIVE", "ORDERS", ""].as_slice())
            .prop_map(str::to_owned),
        "[A-Z_]{1,8}",
    ]
}

fn method() -> impl Strategy<Value = HttpMethod> {
    proptest::sample::select(HttpMethod::ALL.as_slice())
}

/// A finite number that prints and parses back exactly.
fn number() -> impl Strategy<Value = f64> {
    (-1000i32..100_000).prop_map(|n| f64::from(n) / 100.0)
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        number().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(text(), inner, 0..4).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn template() -> impl Strategy<Value = Template> {
    text().prop_map(Template)
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        text().prop_map(Expr::Ref),
        template().prop_map(Expr::Text),
        json().prop_map(Expr::Json),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        btree_map(text(), inner, 0..3).prop_map(Expr::Object)
    })
}

fn condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        text().prop_map(Condition::Exists),
        text().prop_map(Condition::Missing),
        (expr(), expr()).prop_map(|(a, b)| Condition::Equals(a, b)),
    ]
}

fn query_mode() -> impl Strategy<Value = QueryMode> {
    prop_oneof![
        Just(QueryMode::First),
        Just(QueryMode::All),
        Just(QueryMode::Run)
    ]
}

/// A D1 or Hyperdrive step (they have the same fields), made by `make`.
fn query_step(
    make: fn(String, String, Vec<Expr>, QueryMode, Option<String>) -> Step,
) -> impl Strategy<Value = Step> {
    (
        binding(),
        text(),
        vec(expr(), 0..3),
        query_mode(),
        option::of(text()),
    )
        .prop_map(move |(binding, sql, params, mode, into)| make(binding, sql, params, mode, into))
}

fn step() -> impl Strategy<Value = Step> {
    let leaf = prop_oneof![
        (binding(), template(), any::<bool>(), text()).prop_map(|(binding, key, json, into)| {
            Step::KvGet {
                binding,
                key,
                format: if json { KvFormat::Json } else { KvFormat::Text },
                into,
            }
        }),
        (binding(), template(), expr(), option::of(0u32..100_000)).prop_map(
            |(binding, key, value, ttl_secs)| Step::KvPut {
                binding,
                key,
                value,
                ttl_secs,
            }
        ),
        (binding(), template()).prop_map(|(binding, key)| Step::KvDelete { binding, key }),
        (binding(), template(), text()).prop_map(|(binding, prefix, into)| Step::KvList {
            binding,
            prefix,
            into,
        }),
        query_step(|binding, sql, params, mode, into| Step::D1 {
            binding,
            sql,
            params,
            mode,
            into,
        }),
        query_step(|binding, sql, params, mode, into| Step::Hyperdrive {
            binding,
            sql,
            params,
            mode,
            into,
        }),
        (binding(), method(), template(), option::of(expr()), text()).prop_map(
            |(binding, method, path, body, into)| Step::Call {
                binding,
                method,
                path,
                body,
                into,
            }
        ),
        (text(), expr()).prop_map(|(name, value)| Step::Set { name, value }),
        (
            0u16..1000,
            option::of(expr()),
            btree_map(text(), template(), 0..2)
        )
            .prop_map(|(status, body, headers)| Step::Respond {
                status,
                body,
                headers,
            }),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        (condition(), vec(inner.clone(), 0..3), vec(inner, 0..3)).prop_map(
            |(cond, then, otherwise)| Step::If {
                cond,
                then,
                otherwise,
            },
        )
    })
}

fn client() -> impl Strategy<Value = Client> {
    let request = (
        text(),
        method(),
        text(),
        btree_map(text(), text(), 0..2),
        option::of(prop_oneof![
            json().prop_map(RequestBody::Json),
            text().prop_map(RequestBody::Text),
        ]),
        proptest::sample::select([0.5, 1.0, 2.0, 10.0].as_slice()),
        0u16..1000,
    )
        .prop_map(
            |(name, method, path, headers, body, weight, expect_status)| SampleRequest {
                name,
                method,
                path,
                headers,
                expect_body: match &body {
                    Some(RequestBody::Json(value)) => Some(value.clone()),
                    _ => None,
                },
                body,
                weight,
                expect_status,
            },
        );
    (
        btree_map(text(), number(), 0..3),
        number(),
        vec(request, 0..3),
    )
        .prop_map(|(regions, requests_per_second, scenario)| Client {
            regions,
            requests_per_second,
            scenario,
        })
}

fn gateway() -> impl Strategy<Value = Gateway> {
    let route = (text(), vec(method(), 0..3), binding(), any::<bool>()).prop_map(
        |(path, methods, service, strip_prefix)| GatewayRoute {
            path,
            methods,
            service,
            strip_prefix,
        },
    );
    let auth = prop_oneof![
        Just(Auth::None),
        (text(), text()).prop_map(|(header, secret)| Auth::ApiKey { header, secret }),
        (text(), text(), text()).prop_map(|(secret, issuer, audience)| Auth::Jwt {
            secret,
            issuer,
            audience
        }),
    ];
    let cors = (vec(text(), 0..2), vec(text(), 0..2), 0u32..100_000).prop_map(
        |(allow_origins, allow_headers, max_age_secs)| Cors {
            allow_origins,
            allow_headers,
            max_age_secs,
        },
    );
    let rate_limit =
        (0u32..1000, 0u32..1000, any::<bool>()).prop_map(|(requests, period_secs, credential)| {
            RateLimit {
                requests,
                period_secs,
                key: if credential {
                    RateLimitKey::Credential
                } else {
                    RateLimitKey::ClientIp
                },
            }
        });
    let enrich = (option::of(text()), option::of(text()), vec(text(), 0..2)).prop_map(
        |(request_id_header, user_id_header, forward_headers)| Enrichment {
            request_id_header,
            user_id_header,
            forward_headers,
        },
    );
    (
        vec(route, 0..3),
        auth,
        option::of(cors),
        option::of(rate_limit),
        option::of(0u64..1_000_000),
        enrich,
        option::of(domain()),
    )
        .prop_map(
            |(routes, auth, cors, rate_limit, max_body_bytes, enrich, custom_domain)| Gateway {
                routes,
                auth,
                cors,
                rate_limit,
                max_body_bytes,
                enrich,
                custom_domain,
            },
        )
}

fn worker() -> impl Strategy<Value = Worker> {
    let route = (method(), text(), vec(step(), 0..4)).prop_map(|(method, path, steps)| Route {
        method,
        path,
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps,
    });
    (
        vec(route, 0..3),
        option::of(domain()),
        any::<bool>(),
        option::of(code()),
    )
        .prop_map(|(routes, custom_domain, smart, code)| Worker {
            routes,
            custom_domain,
            placement: if smart {
                WorkerPlacement::Smart
            } else {
                WorkerPlacement::Default
            },
            code,
        })
}

fn node_kind() -> impl Strategy<Value = NodeKind> {
    prop_oneof![
        client().prop_map(NodeKind::Client),
        gateway().prop_map(NodeKind::Gateway),
        worker().prop_map(NodeKind::Worker),
        store(),
        text().prop_map(|text| NodeKind::Note(Note { text })),
    ]
}

fn pos() -> impl Strategy<Value = Pos> {
    (-2000i16..2000, -2000i16..2000).prop_map(|(x, y)| Pos::new(f32::from(x), f32::from(y)))
}

/// Any design, including broken ones: duplicate ids, wires to missing nodes, self wires.
fn any_design() -> impl Strategy<Value = Design> {
    (
        text(),
        text(),
        vec((id(), node_kind()), 0..6),
        vec((id(), id(), binding()), 0..8),
        btree_map(id(), pos(), 0..6),
    )
        .prop_map(|(name, description, nodes, wires, layout)| Design {
            version: edgewire_engine::model::FORMAT_VERSION,
            name,
            description,
            nodes: nodes
                .into_iter()
                .map(|(id, kind)| Node::new(id, kind))
                .collect(),
            wires: wires
                .into_iter()
                .map(|(from, to, binding)| Wire::new(from, to, binding))
                .collect(),
            schemas: std::collections::BTreeMap::new(),
            layout,
        })
}

/// A design that a file can hold: unique ids, wires between existing nodes, one per pair.
fn loadable_design() -> impl Strategy<Value = Design> {
    any_design().prop_map(|mut design| {
        let mut seen = std::collections::BTreeSet::new();
        design.nodes.retain(|node| seen.insert(node.id.clone()));
        let mut pairs = std::collections::BTreeSet::new();
        design.wires.retain(|wire| {
            seen.contains(&wire.from)
                && seen.contains(&wire.to)
                && pairs.insert((wire.from.clone(), wire.to.clone()))
        });
        design
    })
}

fn edit() -> impl Strategy<Value = Edit> {
    let leaf = prop_oneof![
        (id(), node_kind(), pos()).prop_map(|(id, kind, pos)| Edit::AddNode {
            node: Node::new(id, kind),
            pos
        }),
        vec(id(), 0..3).prop_map(|ids| Edit::RemoveNodes { ids }),
        (id(), id()).prop_map(|(from, to)| Edit::RenameNode { from, to }),
        (id(), node_kind()).prop_map(|(id, kind)| Edit::SetNode { id, kind }),
        (id(), id(), binding()).prop_map(|(from, to, binding)| Edit::Connect {
            wire: Wire::new(from, to, binding)
        }),
        (id(), id()).prop_map(|(from, to)| Edit::Disconnect { from, to }),
        (id(), binding(), binding()).prop_map(|(node, from, to)| Edit::RenameBinding {
            node,
            from,
            to
        }),
        btree_map(id(), pos(), 0..3).prop_map(|positions| Edit::Move { positions }),
        text().prop_map(|name| Edit::SetName { name }),
        text().prop_map(|text| Edit::SetDescription { text }),
    ];
    leaf.prop_recursive(1, 6, 3, |inner| {
        vec(inner, 0..3).prop_map(|edits| Edit::Batch { edits })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn validation_and_graph_never_panic(design in any_design()) {
        let diagnostics = validate::validate(&design);
        // Deterministic: the same design gives the same diagnostics.
        prop_assert_eq!(&diagnostics, &validate::validate(&design));
        let graph = DesignGraph::new(&design);
        let _ = graph.service_cycles();
        let _ = graph.reachable_from_clients();
        let _ = graph.deploy_order();
        let _ = graph.layers();
        for entry in graph.entry_points() {
            let _ = graph.longest_call_chain(&entry);
        }
        let _ = format::to_string(&design);
    }

    #[test]
    fn saving_then_loading_gives_the_canonical_design(design in loadable_design()) {
        let text = format::to_string(&design);
        let loaded = format::parse(&text).map_err(|err| {
            TestCaseError::fail(format!("{}\n--- text ---\n{text}", err.render()))
        })?;
        let mut canonical = design.clone();
        canonical.canonicalize();
        prop_assert_eq!(&loaded, &canonical);
        prop_assert_eq!(format::to_string(&loaded), text);
    }

    #[test]
    fn undoing_every_edit_restores_the_original(
        design in loadable_design(),
        edits in vec(edit(), 1..16),
    ) {
        let original = design.clone();
        let mut design = design;
        let mut history = History::new(64);
        for edit in &edits {
            let before = design.clone();
            if history.apply(&mut design, edit).is_err() {
                prop_assert_eq!(&design, &before, "a failed edit changed the design");
            }
        }
        let edited = design.clone();
        while history.undo(&mut design) {}
        prop_assert_eq!(&design, &original);
        while history.redo(&mut design) {}
        prop_assert_eq!(&design, &edited);
    }
}

fn reference_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron"),
        )
        .expect("reference example")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        if let Err(err) = format::parse(&text) {
            let _ = err.render();
        }
    }

    #[test]
    fn parse_never_panics_on_edited_files(
        edits in vec((any::<proptest::sample::Index>(), "[\"()\\[\\]{}:,#\\\\ \na-z0-9é-]{0,3}"), 1..4),
    ) {
        let mut text = reference_text().to_owned();
        for (at, insert) in edits {
            let mut offset = at.index(text.len() + 1);
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            // Replace a few bytes (or none) with RON punctuation, letters and digits.
            let mut end = (offset + insert.len() % 3).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(offset..end, &insert);
        }
        match format::parse(&text) {
            Ok(design) => prop_assert_eq!(format::parse(&format::to_string(&design)).ok(), Some({
                let mut canonical = design.clone();
                canonical.canonicalize();
                canonical
            })),
            Err(err) => {
                prop_assert!(!err.message.is_empty());
                let _ = err.render();
            }
        }
    }
}

#[test]
fn parse_never_panics_on_mangled_examples() {
    // Cut the reference example at many points and flip bytes: errors, never panics.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron"),
    )
    .expect("reference example");
    let bytes = text.as_bytes();
    for cut in (0..bytes.len()).step_by(97) {
        let _ = format::decode(bytes[..cut].to_vec()).and_then(|t| format::parse(&t));
        let mut flipped = bytes.to_vec();
        flipped[cut] = b"\")]}:,x0\n"[cut % 9];
        if let Err(err) = format::decode(flipped).and_then(|t| format::parse(&t)) {
            let _ = err.render();
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_a_crash() {
    let mut text = String::from("(version: 1, name: \"x\", description: ");
    text.push_str(&"[".repeat(10_000));
    let err = format::parse(&text).expect_err("refused");
    assert!(err.location.is_some());
}
