//! The data each node kind holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::handler::Route;

/// D1 primary location hints accepted by the platform.
/// Source: <https://developers.cloudflare.com/d1/configuration/data-location/> (2025-11-05).
pub const D1_LOCATION_HINTS: [&str; 6] = ["wnam", "enam", "weur", "eeur", "apac", "oc"];

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_one(value: &f64) -> bool {
    (*value - 1.0).abs() < f64::EPSILON
}

fn one() -> f64 {
    1.0
}

fn is_true(value: &bool) -> bool {
    *value
}

fn yes() -> bool {
    true
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "DELETE")]
    Delete,
    #[serde(rename = "HEAD")]
    Head,
    #[serde(rename = "OPTIONS")]
    Options,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 7] = [
        HttpMethod::Get,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
        HttpMethod::Head,
        HttpMethod::Options,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
        }
    }

    /// Parse an upper- or lower-case method name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether requests with this method only read (GET, HEAD, OPTIONS).
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            HttpMethod::Get | HttpMethod::Head | HttpMethod::Options
        )
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Client

/// Who calls the API: where from, how often, and with which sample requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Traffic share per world region (`"eu-west": 0.4`); shares sum to 1.
    /// Region names are those of `assets/data/regions.csv`.
    #[serde(default)]
    pub regions: BTreeMap<String, f64>,
    /// Average requests per second over a month, for the cost estimate and load simulation.
    #[serde(default)]
    pub requests_per_second: f64,
    /// Named sample requests: the run console, the simulator and the tests send these.
    #[serde(default)]
    pub scenario: Vec<SampleRequest>,
}

impl Default for Client {
    fn default() -> Self {
        Self {
            regions: BTreeMap::from([("eu-west".to_owned(), 1.0)]),
            requests_per_second: 10.0,
            scenario: Vec::new(),
        }
    }
}

/// One sample request of a Client's scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRequest {
    pub name: String,
    pub method: HttpMethod,
    /// Path with an optional query string: `/products/1?fields=name`.
    pub path: String,
    /// Request headers; names are matched case-insensitively.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RequestBody>,
    /// Relative weight in load simulation (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// The status the response must have.
    pub expect_status: u16,
    /// JSON the response body must contain (format version 2): see [`super::json_contains`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_body: Option<serde_json::Value>,
}

/// A sample request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RequestBody {
    /// A JSON document, sent with `content-type: application/json`.
    Json(serde_json::Value),
    /// Raw text sent as is (to exercise malformed-JSON handling), `content-type: application/json`.
    Text(String),
}

impl RequestBody {
    /// The bytes sent on the wire.
    pub fn to_text(&self) -> String {
        match self {
            RequestBody::Json(value) => value.to_string(),
            RequestBody::Text(text) => text.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Gateway

/// The public entry: checks, authenticates, then forwards to service Workers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    /// Routes, tried in order; the first that matches wins.
    #[serde(default)]
    pub routes: Vec<GatewayRoute>,
    #[serde(default, skip_serializing_if = "Auth::is_none")]
    pub auth: Auth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Requests with a larger body get 413.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Enrichment::is_empty")]
    pub enrich: Enrichment,
    /// See [`Worker::custom_domain`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
}

/// A gateway route: requests whose path matches go to a service binding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayRoute {
    /// A path prefix on segment boundaries (`/products` matches `/products` and
    /// `/products/7`, not `/productsx`); segments may be `:name` (one segment) .
    pub path: String,
    /// Methods allowed; empty means every method.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<HttpMethod>,
    /// Binding name of the service wire that receives the request.
    pub service: String,
    /// Remove the matched prefix before forwarding (`/products/7` -> `/7`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub strip_prefix: bool,
}

impl Gateway {
    /// A CORS preflight's `access-control-allow-methods`: every method some route takes, in
    /// [`HttpMethod::ALL`] order (a route without methods takes all of them but `OPTIONS`,
    /// which the preflight itself answers).
    pub fn cors_allow_methods(&self) -> String {
        HttpMethod::ALL
            .into_iter()
            .filter(|m| {
                self.routes.iter().any(|route| {
                    if route.methods.is_empty() {
                        *m != HttpMethod::Options
                    } else {
                        route.methods.contains(m)
                    }
                })
            })
            .map(HttpMethod::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How the gateway authenticates requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Auth {
    /// Everyone may call.
    #[default]
    None,
    /// A header must equal the value of a secret (compared in constant time).
    ApiKey {
        /// Header name, for example `x-api-key`.
        header: String,
        /// Name of the secret holding the key (`API_KEY`).
        secret: String,
    },
    /// `Authorization: Bearer <JWT>` signed with HS256 by a shared secret.
    Jwt {
        /// Name of the secret holding the HMAC key (`JWT_SECRET`).
        secret: String,
        /// Required `iss` claim.
        issuer: String,
        /// Required `aud` claim.
        audience: String,
    },
}

impl Auth {
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }
}

/// Cross-origin resource sharing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins (`https://app.example.com`), or `*`.
    pub allow_origins: Vec<String>,
    /// Request headers a browser may send besides the simple ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    /// How long browsers may cache a preflight answer.
    #[serde(
        default = "default_cors_max_age",
        skip_serializing_if = "is_default_cors_max_age"
    )]
    pub max_age_secs: u32,
}

fn default_cors_max_age() -> u32 {
    86_400
}

fn is_default_cors_max_age(value: &u32) -> bool {
    *value == default_cors_max_age()
}

impl Default for Cors {
    fn default() -> Self {
        Self {
            allow_origins: vec!["*".to_owned()],
            allow_headers: Vec::new(),
            max_age_secs: default_cors_max_age(),
        }
    }
}

/// A fixed-window rate limit. The engine counts it exactly; the export uses the Workers Rate
/// Limiting binding, which counts per Cloudflare location (see [`crate::runtime`]'s gateway
/// contract).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per window and key.
    pub requests: u32,
    /// Window length in seconds: 10 or 60, the periods of the platform's binding (GWY009).
    pub period_secs: u32,
    /// What counts as one caller.
    #[serde(default)]
    pub key: RateLimitKey,
}

impl RateLimit {
    /// The periods the Workers Rate Limiting binding counts in, in seconds.
    pub const PERIODS: [u32; 2] = [10, 60];

    /// The allowed period nearest to `secs` (the shorter one on a tie).
    pub fn nearest_period(secs: u32) -> u32 {
        Self::PERIODS
            .into_iter()
            .min_by_key(|p| p.abs_diff(secs))
            .unwrap_or(60)
    }

    /// The same limit counted in the allowed period nearest to its own: the same rate,
    /// rounded up, at least one request.
    #[must_use]
    pub fn in_allowed_period(&self) -> Self {
        let period = Self::nearest_period(self.period_secs);
        let requests = (u64::from(self.requests) * u64::from(period))
            .div_ceil(u64::from(self.period_secs.max(1)))
            .max(1);
        Self {
            requests: u32::try_from(requests).unwrap_or(u32::MAX),
            period_secs: period,
            key: self.key,
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            requests: 100,
            period_secs: 60,
            key: RateLimitKey::default(),
        }
    }
}

/// What identifies one caller for rate limiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateLimitKey {
    /// The `cf-connecting-ip` header (the client address).
    #[default]
    ClientIp,
    /// The API key or the token's subject.
    Credential,
}

/// Headers the gateway adds before forwarding.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrichment {
    /// Header that carries a fresh request id (`x-request-id`), also set on the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id_header: Option<String>,
    /// Header that carries the authenticated user id (the JWT `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id_header: Option<String>,
    /// Client headers passed on to services; all others except `content-type` are dropped.
    /// Empty means every header is passed on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_headers: Vec<String>,
}

impl Enrichment {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Worker

/// A service Worker: routes with handlers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// Routes, tried in order; the first whose method and path match wins.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// The hostname a public entry point is deployed to (`api.example.com`), as a Cloudflare
    /// Custom Domain; the export then turns the `workers.dev` URL off. Without one, a public
    /// entry answers at `<name>.<subdomain>.workers.dev`. Only entry points (wired from a
    /// Client) are ever public: internal Workers trust their callers' `x-edgewire-auth` header
    /// and get no URL at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    /// Where the platform runs it (format version 2 when `Smart`).
    #[serde(default, skip_serializing_if = "WorkerPlacement::is_default")]
    pub placement: WorkerPlacement,
    /// Set for a code Worker (format version 3): one whose code is the user's own, brought in
    /// by `edgewire import wrangler`. It has no routes; [`Code::typical`] says what a request
    /// does for validation, the simulator and the cost estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<super::Code>,
}

impl Worker {
    /// Whether this Worker runs the user's own code (see [`Worker::code`]).
    pub fn is_code(&self) -> bool {
        self.code.is_some()
    }
}

/// Where a Worker runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerPlacement {
    /// In the Cloudflare location that receives the request, next to the client.
    #[default]
    Default,
    /// [Smart Placement](https://developers.cloudflare.com/workers/configuration/placement/):
    /// the platform may run it near the back end it waits on most (a D1 primary, a
    /// Hyperdrive origin), so a request pays the long way once and each query is a short hop.
    Smart,
}

impl WorkerPlacement {
    pub fn is_default(&self) -> bool {
        *self == WorkerPlacement::Default
    }
}

// ---------------------------------------------------------------------------------------------
// Data stores

/// A KV namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kv {
    /// The namespace's id on Cloudflare, when it exists already (imported; format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Entries written on first start (and by the export's seed script).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seed: Vec<KvEntry>,
}

/// One seeded KV entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvEntry {
    pub key: String,
    /// The stored text (JSON documents are stored as their text).
    pub value: String,
}

/// A D1 database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct D1 {
    /// The database's name and id on Cloudflare, when it exists already (imported; format
    /// version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_id: Option<String>,
    /// Migrations, applied once each, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<Migration>,
    /// SQL run once after the migrations on a new database.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seed: String,
    /// Primary location hint; one of [`D1_LOCATION_HINTS`]. None lets the platform choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_hint: Option<String>,
    /// Read replicas in every hint region, read through the Sessions API.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_replication: bool,
}

/// One D1 migration (`0001_create_users.sql`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// Short name: `create_users`. The file name adds the number.
    pub name: String,
    pub sql: String,
}

/// A Hyperdrive configuration in front of a PostgreSQL origin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hyperdrive {
    /// The id of an existing Hyperdrive configuration (imported; format version 3). Its
    /// origin is not known to Edgewire: the user sets [`Hyperdrive::origin_region`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    #[serde(default)]
    pub origin: Origin,
    /// World region of the origin database (a region of `assets/data/regions.csv`).
    pub origin_region: String,
    #[serde(default, skip_serializing_if = "HyperdriveCaching::is_default")]
    pub caching: HyperdriveCaching,
    /// SQL run on a new `auto` origin (tables and sample rows).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seed: String,
}

impl Default for Hyperdrive {
    fn default() -> Self {
        Self {
            config_id: None,
            origin: Origin::Auto,
            origin_region: "us-east".to_owned(),
            caching: HyperdriveCaching::default(),
            seed: String::new(),
        }
    }
}

/// Where the PostgreSQL origin is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Origin {
    /// A private local PostgreSQL that Edgewire starts (local runs only).
    #[default]
    Auto,
    /// A connection string read from a secret (`DATABASE_URL`).
    ConnectionString { secret: String },
}

/// Hyperdrive's query cache.
/// Defaults from <https://developers.cloudflare.com/hyperdrive/concepts/query-caching/>.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HyperdriveCaching {
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// How long a read-only query's result is served from cache (at most 3600).
    #[serde(default = "default_max_age")]
    pub max_age_secs: u32,
    /// How long after `max_age` a stale result may be served while it is refreshed.
    #[serde(default = "default_swr")]
    pub stale_while_revalidate_secs: u32,
}

fn default_max_age() -> u32 {
    60
}

fn default_swr() -> u32 {
    15
}

impl Default for HyperdriveCaching {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age_secs: default_max_age(),
            stale_while_revalidate_secs: default_swr(),
        }
    }
}

impl HyperdriveCaching {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Free text on the canvas; no behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub text: String,
}
