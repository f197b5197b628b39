//! Validation: rules that look at a design and report what is wrong, never fail.
//!
//! Each rule is one function that pushes [`Diagnostic`]s with a stable code. [`validate`]
//! runs them all and returns the diagnostics sorted (severity, target, code, message), so
//! the output is deterministic. [`validate_with_secrets`] also checks secrets against the
//! names declared in the design's `.dev.vars` (read them with [`dev_vars_names`]).
//!
//! # Layout
//! One function per rule, each with its tests beside it. The rules about one kind of node
//! live in that kind's folder (`kinds/<kind>/validate.rs`: gateway, client, kv, d1 with real
//! SQLite, hyperdrive, note), listed through [`KindRules`]. The rules no kind owns are here,
//! one submodule per theme: `wires` (wire kinds and binding presence), `names` (ids and
//! binding names), `topology` (cycles, reachability, entry, call chains), `handlers`,
//! `contracts` (route contracts), `secrets`, `exposure` (which Workers are public). `run`
//! gathers every rule (the generic ones, then each kind's in registry order) and runs them as
//! jobs. Shared pieces: `context` (indices built once per run, so rules stay linear) and
//! `paths` (route path patterns and a trie that finds shadowed routes).
//!
//! # Speed
//! Validation runs on every edit, so it stays linear in the design: the context indexes nodes
//! and wires once per run (no `Design::node` scans), Worker and step rules run Worker by
//! Worker in one pass while its data is in cache, route patterns are parsed once, and each D1
//! database is rebuilt in SQLite once per run with each distinct SQL text prepared once. Each
//! thread keeps a memo of what it worked out per SQL text (D1 answers, Hyperdrive
//! placeholders), so repeated SQL costs a hash lookup and takes no lock.
//! For designs of 512 Workers or more, up to four threads share the work as jobs (rebuilding
//! each D1 database, groups of design-wide rules, blocks of Workers), each taking the next job
//! when done, so a thread the system slows takes fewer. The petgraph view and the gateway
//! route patterns are built by the first rule of their group, beside the Worker pass. Findings
//! are gathered in job order, so the final stable sort mostly merges runs already sorted.
//! `cargo bench -p edgewire-engine --bench validate` measures a 10,000-node design.
//!
//! # Codes
//!
//! | Code   | Severity | Meaning |
//! |--------|----------|---------|
//! | WIR001 | error    | A wire joins two kinds that cannot be connected (a KV cannot call a Worker). |
//! | WIR002 | error    | A wire names a node that does not exist. |
//! | BND001 | error    | A binding wire (service or resource) has no binding name. |
//! | BND002 | error    | A Client -> entry wire has a binding name (requests carry none). |
//! | BND003 | error    | A binding name is not a JavaScript identifier, or is a reserved word. |
//! | BND004 | error    | Two wires of one node use the same binding name. |
//! | NAM001 | error    | A Gateway or Worker id is not a valid Worker script name. |
//! | NAM002 | error    | Two nodes have the same id. |
//! | NAM003 | error    | A node has an empty id. |
//! | GRA001 | error    | Workers call each other in a cycle through service bindings. |
//! | GRA002 | warning  | A node no request from any Client can reach. |
//! | GRA003 | error    | No public entry: no Client is wired to a Gateway or Worker. |
//! | GRA004 | error    | A call chain needs more Worker invocations than the platform allows (32). |
//! | GWY001 | error    | A gateway route forwards to a binding that is not wired. |
//! | GWY002 | error    | A gateway route forwards to a binding that is not a Worker. |
//! | GWY003 | error    | Two gateway routes are exact duplicates (path and methods). |
//! | GWY004 | warning  | A gateway route never matches: earlier routes catch all its paths and methods. |
//! | GWY005 | error    | A gateway route path is not a valid pattern. |
//! | GWY006 | error    | Gateway authentication is incomplete (header name, issuer, audience). |
//! | GWY007 | error    | A rate limit allows no request (requests or period_secs is 0). |
//! | GWY008 | warning  | A gateway has no routes, so it answers every request with 404. |
//! | GWY009 | error    | A rate limit period other than 10 or 60 seconds, the only ones the Workers Rate Limiting binding has. |
//! | HDL001 | error    | A step uses a binding its Worker does not have. |
//! | HDL002 | error    | A step uses a binding of the wrong kind (a KV step on a D1 binding). |
//! | HDL003 | error    | A value is used before it is set. |
//! | HDL004 | error    | A template does not parse. |
//! | HDL005 | error    | A path names an unknown input (`params.x` without `:x` in the route). |
//! | HDL006 | error    | A handler can finish without responding. |
//! | HDL007 | error    | A Worker route path is not a valid pattern. |
//! | HDL008 | error    | Two routes of a Worker have the same method and path. |
//! | HDL009 | warning  | A Worker route never matches: an earlier route catches all its paths. |
//! | HDL010 | error    | A Respond status is outside 100..=599. |
//! | HDL011 | error    | A step sets a name that is not an identifier or is an input name. |
//! | HDL012 | warning  | Steps after a step that always responds never run. |
//! | SQL001 | error    | A D1 migration fails on SQLite. |
//! | SQL002 | error    | A D1 seed fails on SQLite after the migrations. |
//! | SQL003 | error    | A D1 step's SQL does not compile against the migrated schema. |
//! | SQL004 | error    | A D1 step gives a different number of params than its SQL takes. |
//! | D1_001 | error    | A D1 location hint is not one the platform knows. |
//! | HYP001 | error    | A Hyperdrive step gives a different number of params than its highest `$n`. |
//! | HYP002 | error    | `$n` placeholders skip a number (`$1`, `$3`) or use `$0`. |
//! | HYP003 | error    | A Hyperdrive step uses `?` placeholders (PostgreSQL wants `$1`). |
//! | HYP004 | error    | A Hyperdrive origin region is not a known region. |
//! | HYP005 | error    | A Hyperdrive cache max_age is over 3600 s. |
//! | HYP006 | info     | A Worker uses Hyperdrive: the export turns on `nodejs_compat`. |
//! | KV_001 | error    | A KV key's fixed text is over 512 bytes. |
//! | KV_002 | warning  | A GET route writes to KV on every request (KV allows 1 write/s per key). |
//! | KV_003 | error    | A KV put's ttl_secs is below 60. |
//! | CON001 | error    | A schema is outside the supported subset of JSON Schema, or malformed. |
//! | CON002 | error    | A schema's `$ref` names a schema the design does not have. |
//! | CON003 | warning  | A step reads `body.x` or `query.x` that the route's contract does not declare. |
//! | CON004 | error    | A scenario request expects a 2xx but breaks its route's contract. |
//! | CON005 | error    | A response example does not match its schema. |
//! | CON006 | error    | A contract types a path parameter the route's path does not have. |
//! | KV_004 | error    | A KV seed key is empty or over 512 bytes. |
//! | KV_005 | warning  | A KV seed has the same key twice (the last one wins). |
//! | CLI001 | error    | A Client region is not a known region. |
//! | CLI002 | error    | A Client's traffic shares do not sum to 1. |
//! | CLI003 | error    | A Client traffic share is negative. |
//! | CLI004 | warning  | A scenario request matches no route of the Client's entry point. |
//! | CLI005 | info     | A Client has no scenario. |
//! | CLI006 | warning  | A Client is not wired to any entry point (other Clients are). |
//! | CLI007 | error    | A scenario request is malformed (path, expected status, weight). |
//! | CLI008 | error    | A Client's requests_per_second is negative or not a number. |
//! | SEC001 | error    | A secret is used but not declared in `.dev.vars`. |
//! | SEC002 | warning  | A secret is declared in `.dev.vars` but never used. |
//! | SEC003 | error    | A secret name is not an environment variable name (UPPER_SNAKE). |
//! | NOT001 | info     | A Note has no text. |
//! | PUB001 | error    | A custom domain is not a bare hostname (`api.example.com`). |
//! | PUB002 | warning  | An internal Worker (no Client calls it) has a custom domain. |
//! | PUB003 | warning  | A Client calls a Worker directly that also sits behind a gateway. |
//! | COD001 | info     | A code Worker: the engine answers it with 501; the simulator uses its typical request. |
//! | COD002 | error    | A code Worker's typical request uses a binding it has no wire for. |
//! | COD003 | info     | An external Worker (bound by service binding, not in the project). |
//! | HYP007 | info     | A Hyperdrive is an existing configuration whose origin region Edgewire cannot see. |
//! | PLC001 | info     | A Worker route makes two or more queries in a row to a store in one region: Smart Placement would help. |

pub(crate) mod context;
pub(crate) mod paths;

mod contracts;
mod exposure;
pub mod fix;
pub(crate) mod handlers;
mod kind;
mod names;
pub(crate) mod run;
mod secrets;
mod topology;
mod wires;

#[cfg(test)]
pub(crate) mod testkit;

pub(crate) use kind::KindRules;
pub use run::{validate, validate_with_secrets};
pub use secrets::dev_vars_names;

use std::fmt;

use serde::Serialize;

use crate::model::NodeId;

/// How bad a diagnostic is. Errors block Run and Export; warnings and infos do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The design as a whole.
    Design,
    /// A node.
    Node { node: NodeId },
    /// A wire.
    Wire { from: NodeId, to: NodeId },
    /// A route of a Gateway or Worker (index in its route list).
    Route { node: NodeId, route: usize },
    /// A handler step (`step` is its position path, `"3.then.0"`).
    Step {
        node: NodeId,
        route: usize,
        step: String,
    },
    /// A scenario request of a Client (index in its scenario).
    Request { node: NodeId, request: usize },
}

impl Target {
    /// The node the diagnostic concerns, for selecting and badges (a wire's source).
    pub fn node(&self) -> Option<&str> {
        match self {
            Target::Design => None,
            Target::Node { node }
            | Target::Route { node, .. }
            | Target::Step { node, .. }
            | Target::Request { node, .. }
            | Target::Wire { from: node, .. } => Some(node),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Design => f.write_str("design"),
            Target::Node { node } => write!(f, "node {node}"),
            Target::Wire { from, to } => write!(f, "wire {from} -> {to}"),
            Target::Route { node, route } => write!(f, "node {node}, route {}", route + 1),
            Target::Step { node, route, step } => {
                write!(f, "node {node}, route {}, step {step}", route + 1)
            }
            Target::Request { node, request } => {
                write!(f, "node {node}, scenario request {}", request + 1)
            }
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub target: Target,
    /// Stable code, such as `BND002`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do, with an example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        target: Target,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            target,
            code,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The candidate nearest to `name` by edit distance, when it is close enough to be what was
/// meant (at most 3 edits): the "did you mean" of the help texts and of the quick fixes.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), *c))
        .min()
        .filter(|(distance, _)| *distance <= 3)
        .map(|(_, c)| c)
}

/// All findings for a design, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.0.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// Diagnostics about one node (its routes, steps, requests and outgoing wires included).
    pub fn for_node<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.0.iter().filter(move |d| d.target.node() == Some(id))
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::model::Design;
    use run::PARALLEL_MIN_WORKERS;

    fn reference_example() -> Design {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron");
        crate::format::load(&path).expect("the reference example loads")
    }

    #[test]
    fn reference_example_has_no_errors_or_warnings() {
        let diagnostics = validate(&reference_example());
        assert_eq!(testkit::problems(&diagnostics), Vec::<String>::new());
        // The orders service uses Hyperdrive: the export's nodejs_compat is worth a mention.
        assert!(
            diagnostics
                .iter()
                .any(|d| d.code == "HYP006" && d.target.node() == Some("orders"))
        );
    }

    #[test]
    fn reference_example_secrets_match_its_dev_vars() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.dev.vars");
        let declared =
            dev_vars_names(&std::fs::read_to_string(path).expect("the example's .dev.vars"))
                .expect("the example's .dev.vars parses");
        assert_eq!(declared, BTreeSet::from(["API_KEY".to_owned()]));
        let diagnostics = validate_with_secrets(&reference_example(), Some(&declared));
        assert_eq!(testkit::problems(&diagnostics), Vec::<String>::new());
    }

    #[test]
    fn output_is_sorted_and_deduplicated() {
        let mut design = testkit::base();
        design
            .wires
            .push(crate::model::Wire::new("cache", "items", "X"));
        design
            .wires
            .push(crate::model::Wire::new("cache", "items", "X"));
        let diagnostics = validate(&design);
        let mut sorted = diagnostics.0.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(diagnostics.0, sorted);
        assert_eq!(validate(&design), diagnostics);
    }

    /// A design of odd parts: any ids, wires between them, odd paths, templates and SQL.
    fn odd_design(
        ids: &[String],
        kinds: &[u8],
        wires: Vec<(usize, usize, String)>,
        texts: &[String],
    ) -> Design {
        use crate::model::{
            Client, Condition, D1, Expr, Gateway, GatewayRoute, HttpMethod, Hyperdrive, Kv,
            KvEntry, Migration, Node, NodeKind, QueryMode, Route, SampleRequest, Step, Template,
            Wire, Worker,
        };
        let text = |i: usize| {
            texts
                .get(i % texts.len().max(1))
                .cloned()
                .unwrap_or_default()
        };
        let mut design = Design::new("odd");
        for (i, (id, kind)) in ids.iter().zip(kinds).enumerate() {
            let kind = match kind % 7 {
                0 => NodeKind::Client(Client {
                    regions: [(text(i), -0.5), ("eu-west".to_owned(), 1.0)].into(),
                    requests_per_second: f64::NAN,
                    scenario: vec![SampleRequest {
                        name: text(i),
                        method: HttpMethod::Get,
                        path: text(i + 1),
                        headers: std::collections::BTreeMap::new(),
                        body: None,
                        weight: -1.0,
                        expect_status: 200,
                        expect_body: None,
                    }],
                }),
                1 => NodeKind::Gateway(Gateway {
                    routes: vec![GatewayRoute {
                        path: text(i),
                        methods: vec![],
                        service: text(i + 1),
                        strip_prefix: true,
                    }],
                    ..Gateway::default()
                }),
                2 => NodeKind::Worker(Worker {
                    routes: vec![Route {
                        method: HttpMethod::Get,
                        path: text(i),
                        request: None,
                        responses: std::collections::BTreeMap::new(),
                        steps: vec![
                            Step::KvPut {
                                binding: text(i + 1),
                                key: Template::new(text(i + 2)),
                                value: Expr::Text(Template::new(text(i + 3))),
                                ttl_secs: Some(1),
                            },
                            Step::D1 {
                                binding: text(i + 4),
                                sql: text(i + 5),
                                params: vec![Expr::Ref(text(i + 6))],
                                mode: QueryMode::All,
                                into: Some(text(i + 7)),
                            },
                            Step::Hyperdrive {
                                binding: text(i + 8),
                                sql: text(i + 9),
                                params: vec![],
                                mode: QueryMode::First,
                                into: None,
                            },
                            Step::If {
                                cond: Condition::Exists(text(i + 10)),
                                then: vec![],
                                otherwise: vec![],
                            },
                        ],
                    }],
                    ..Worker::default()
                }),
                3 => NodeKind::Kv(Kv {
                    seed: vec![KvEntry {
                        key: text(i),
                        value: text(i + 1),
                    }],
                    ..Kv::default()
                }),
                4 => NodeKind::D1(D1 {
                    migrations: vec![Migration {
                        name: text(i),
                        sql: text(i + 1),
                    }],
                    seed: text(i + 2),
                    location_hint: Some(text(i + 3)),
                    read_replication: false,
                    ..D1::default()
                }),
                5 => NodeKind::Hyperdrive(Hyperdrive {
                    origin_region: text(i),
                    ..Hyperdrive::default()
                }),
                _ => NodeKind::Note(crate::model::Note { text: text(i) }),
            };
            design.nodes.push(Node::new(id.clone(), kind));
        }
        for (from, to, binding) in wires {
            let from = ids
                .get(from % ids.len().max(1))
                .cloned()
                .unwrap_or_default();
            let to = ids.get(to % ids.len().max(1)).cloned().unwrap_or_default();
            design.wires.push(Wire::new(from, to, binding));
        }
        design
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn validation_never_panics_and_is_deterministic(
            ids in proptest::collection::vec("[a-c-]{0,3}", 1..8),
            kinds in proptest::collection::vec(0u8..7, 8),
            wires in proptest::collection::vec((0usize..8, 0usize..8, "[A-C_]{0,2}"), 0..12),
            texts in proptest::collection::vec("[/:a-z{}$?.1 ]{0,10}|SELECT [a-z?$1]{0,6}", 1..6),
        ) {
            let design = odd_design(&ids, &kinds, wires, &texts);
            let first = validate(&design);
            proptest::prop_assert_eq!(&first, &validate(&design));
        }
    }

    #[test]
    fn threads_find_the_same_diagnostics_as_one() {
        use crate::model::{Migration, Node, NodeKind, Wire};
        let mut design = testkit::base();
        if let Some(NodeKind::D1(d1)) = design.node_mut("db").map(|n| &mut n.kind) {
            d1.migrations.push(Migration {
                name: "broken".into(),
                sql: "ALTER TABLE nothing ADD COLUMN x;".into(),
            });
        }
        let items = design.node("items").cloned().expect("items");
        for i in 0..PARALLEL_MIN_WORKERS {
            let id = format!("copy-{i}");
            design.nodes.push(Node::new(id.clone(), items.kind.clone()));
            design.wires.push(Wire::new(id.clone(), "db", "DB"));
            design.wires.push(Wire::new(id, "cache", "CACHE"));
        }
        let one = run::validate_on(&design, None, 1);
        let four = run::validate_on(&design, None, 4);
        assert_eq!(one, four);
        // The broken migration is reported once, whichever thread built the database.
        assert_eq!(one.iter().filter(|d| d.code == "SQL001").count(), 1);
    }

    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("mod.rs");
        let sources = [
            include_str!("../kinds/client/validate.rs"),
            include_str!("contracts.rs"),
            include_str!("../kinds/d1/validate.rs"),
            include_str!("exposure.rs"),
            include_str!("../kinds/gateway/validate.rs"),
            include_str!("handlers/mod.rs"),
            include_str!("../kinds/hyperdrive/validate.rs"),
            include_str!("../kinds/kv/validate.rs"),
            include_str!("names.rs"),
            include_str!("../kinds/note/validate.rs"),
            include_str!("secrets.rs"),
            include_str!("topology.rs"),
            include_str!("wires.rs"),
        ];
        let mut codes = BTreeSet::new();
        for source in sources {
            for piece in source.split("Diagnostic::new(").skip(1) {
                let code = piece.trim_start().trim_start_matches('"');
                let code: String = code.chars().take(6).collect();
                codes.insert(code);
            }
        }
        assert!(codes.len() > 50, "{codes:?}");
        for code in codes {
            assert!(
                docs.contains(&format!("//! | {code} |")),
                "{code} is missing from the code table"
            );
        }
    }
}
