//! One form per node kind, covering every field.

use edgewire_engine::model::{
    Auth, Client, Cors, D1, D1_LOCATION_HINTS, Enrichment, Gateway, GatewayRoute, HttpMethod,
    Hyperdrive, Kv, KvEntry, Migration, Origin, RateLimit, RateLimitKey, RequestBody, Route,
    SampleRequest, Worker,
};
use edgewire_engine::{Kind, NodeKind};
use eframe::egui::{self, DragValue, RichText};

use super::fields::{self, FormContext, apply_action, item_buttons, section};
use super::steps;

pub fn kind_ui(ui: &mut egui::Ui, kind: &mut NodeKind, cx: &FormContext<'_>) {
    match kind {
        NodeKind::Client(client) => client_ui(ui, client, cx),
        NodeKind::Gateway(gateway) => gateway_ui(ui, gateway, cx),
        NodeKind::Worker(worker) => worker_ui(ui, worker, cx),
        NodeKind::Kv(kv) => kv_ui(ui, kv),
        NodeKind::D1(d1) => d1_ui(ui, d1),
        NodeKind::Hyperdrive(hd) => hyperdrive_ui(ui, hd),
        NodeKind::Note(note) => {
            section(ui, "Note");
            ui.add(
                egui::TextEdit::multiline(&mut note.text)
                    .desired_rows(6)
                    .desired_width(f32::INFINITY),
            )
            .accessible_name("Note");
        }
    }
}

fn method_combo(ui: &mut egui::Ui, id: impl egui::AsIdSalt, method: &mut HttpMethod) {
    let name = "Method";
    crate::ui::inspector::fields::named(
        egui::ComboBox::from_id_salt(id)
            .width(80.0)
            .selected_text(method.as_str())
            .show_ui(ui, |ui| {
                for m in HttpMethod::ALL {
                    ui.selectable_value(method, m, m.as_str());
                }
            }),
        name,
    );
}

fn client_ui(ui: &mut egui::Ui, client: &mut Client, cx: &FormContext<'_>) {
    section(ui, "Traffic");
    egui::Grid::new("client_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label("Requests per second");
            ui.add(
                DragValue::new(&mut client.requests_per_second)
                    .range(0.0..=1_000_000.0)
                    .speed(1.0),
            )
            .accessible_name("Requests per second");
            ui.end_row();
        });
    section(ui, "Regions (traffic shares)");
    let mut regions: Vec<(String, f64)> = client
        .regions
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut remove = None;
    for (index, (name, share)) in regions.iter_mut().enumerate() {
        ui.push_id(("region", index), |ui| {
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(name).desired_width(110.0))
                    .accessible_name("Name");
                ui.add(
                    DragValue::new(share)
                        .range(0.0..=1.0)
                        .speed(0.01)
                        .fixed_decimals(2),
                )
                .accessible_name("Share");
                if ui
                    .small_button("×")
                    .on_hover_text("Remove region")
                    .clicked()
                {
                    remove = Some(index);
                }
            });
        });
    }
    if let Some(index) = remove {
        regions.remove(index);
    }
    let total: f64 = regions.iter().map(|(_, s)| s).sum();
    if ui.small_button("+ Region").clicked() {
        let name = ["us-east", "eu-west", "ap-southeast", "us-west", "sa-east"]
            .into_iter()
            .find(|n| !regions.iter().any(|(r, _)| r == n))
            .unwrap_or("region");
        regions.push((name.to_owned(), 0.0));
    }
    if (total - 1.0).abs() > 1e-6 && !regions.is_empty() {
        ui.colored_label(
            cx.palette
                .severity(edgewire_engine::validate::Severity::Warning),
            format!("Shares add up to {total:.2}; they should add up to 1."),
        );
    }
    client.regions = regions.into_iter().collect();

    section(ui, "Scenario requests");
    let len = client.scenario.len();
    let mut action = (0, None);
    for (index, request) in client.scenario.iter_mut().enumerate() {
        ui.push_id(("request", index), |ui| {
            egui::CollapsingHeader::new(format!(
                "{} {} — {}",
                request.method, request.path, request.name
            ))
            .id_salt(("request_header", index))
            .show(ui, |ui| {
                if let Some(a) = item_buttons(ui, index, len, "request") {
                    action = (index, Some(a));
                }
                request_ui(ui, request);
            });
            for diagnostic in cx.request_problems(index) {
                fields::diagnostic_line(ui, diagnostic, cx.palette);
            }
        });
    }
    apply_action(&mut client.scenario, action.0, action.1);
    if ui.small_button("+ Request").clicked() {
        client.scenario.push(SampleRequest {
            name: format!("request {}", len + 1),
            method: HttpMethod::Get,
            path: "/".into(),
            headers: std::collections::BTreeMap::new(),
            body: None,
            weight: 1.0,
            expect_status: 200,
        });
    }
}

fn request_ui(ui: &mut egui::Ui, request: &mut SampleRequest) {
    egui::Grid::new("request_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label("Name");
            fields::text(ui, &mut request.name, "Name");
            ui.end_row();
            ui.label("Method");
            method_combo(ui, "method", &mut request.method);
            ui.end_row();
            ui.label("Path");
            fields::code_line(ui, &mut request.path, "Path");
            ui.end_row();
            ui.label("Expected status");
            ui.add(DragValue::new(&mut request.expect_status).range(100..=599))
                .accessible_name("Expect status");
            ui.end_row();
            ui.label("Weight");
            ui.add(
                DragValue::new(&mut request.weight)
                    .range(0.0..=1000.0)
                    .speed(0.1),
            )
            .accessible_name("Weight");
            ui.end_row();
        });
    ui.label("Headers");
    headers_ui(ui, &mut request.headers);
    ui.label("Body (JSON)");
    let mut text = request
        .body
        .as_ref()
        .map(RequestBody::to_text)
        .unwrap_or_default();
    if ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .code_editor()
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Request body")
        .changed()
    {
        request.body = if text.trim().is_empty() {
            None
        } else {
            Some(serde_json::from_str(&text).map_or(RequestBody::Text(text), RequestBody::Json))
        };
    }
    if matches!(request.body, Some(RequestBody::Text(_))) {
        ui.label(
            RichText::new("Not JSON: sent as raw text (to test malformed bodies).")
                .small()
                .italics(),
        );
    }
}

fn headers_ui(ui: &mut egui::Ui, headers: &mut std::collections::BTreeMap<String, String>) {
    let mut rows: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut remove = None;
    for (index, (name, value)) in rows.iter_mut().enumerate() {
        ui.push_id(("header", index), |ui| {
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(name)
                        .font(egui::TextStyle::Monospace)
                        .desired_width(100.0),
                )
                .accessible_name("Name");
                ui.add(
                    egui::TextEdit::singleline(value)
                        .font(egui::TextStyle::Monospace)
                        .desired_width(130.0),
                )
                .accessible_name("Value");
                if ui
                    .small_button("×")
                    .on_hover_text("Remove header")
                    .clicked()
                {
                    remove = Some(index);
                }
            });
        });
    }
    if let Some(index) = remove {
        rows.remove(index);
    }
    if ui.small_button("+ Header").clicked() {
        let name = (1..=10_000)
            .map(|n| format!("x-header-{n}"))
            .find(|n| !rows.iter().any(|(r, _)| r == n))
            .unwrap_or_default();
        rows.push((name, String::new()));
    }
    *headers = rows.into_iter().collect();
}

fn gateway_ui(ui: &mut egui::Ui, gateway: &mut Gateway, cx: &FormContext<'_>) {
    let services = cx.bindings_to(&[Kind::Worker]);
    section(ui, "Routes");
    let len = gateway.routes.len();
    let mut action = (0, None);
    for (index, route) in gateway.routes.iter_mut().enumerate() {
        ui.push_id(("gw_route", index), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(format!("Route {}", index + 1)).strong());
                    if let Some(a) = item_buttons(ui, index, len, "route") {
                        action = (index, Some(a));
                    }
                });
                gateway_route_ui(ui, route, &services);
            });
            for diagnostic in cx.route_problems(index) {
                fields::diagnostic_line(ui, diagnostic, cx.palette);
            }
        });
    }
    apply_action(&mut gateway.routes, action.0, action.1);
    if ui.small_button("+ Route").clicked() {
        gateway.routes.push(GatewayRoute {
            path: "/".into(),
            methods: Vec::new(),
            service: services.first().cloned().unwrap_or_default(),
            strip_prefix: false,
        });
    }

    section(ui, "Authentication");
    let current = match gateway.auth {
        Auth::None => 0,
        Auth::ApiKey { .. } => 1,
        Auth::Jwt { .. } => 2,
    };
    let mut choice = current;
    let names = ["None", "API key in a header", "JWT (HS256)"];
    crate::ui::inspector::fields::named(
        egui::ComboBox::from_id_salt("auth")
            .selected_text(names[current])
            .show_ui(ui, |ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.selectable_value(&mut choice, i, *name);
                }
            }),
        "Authentication",
    );
    if choice != current {
        gateway.auth = match choice {
            1 => Auth::ApiKey {
                header: "x-api-key".into(),
                secret: "API_KEY".into(),
            },
            2 => Auth::Jwt {
                secret: "JWT_SECRET".into(),
                issuer: "https://auth.example.com".into(),
                audience: "api".into(),
            },
            _ => Auth::None,
        };
    }
    egui::Grid::new("auth_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| match &mut gateway.auth {
            Auth::None => {}
            Auth::ApiKey { header, secret } => {
                ui.label("Header");
                fields::code_line(ui, header, "Header");
                ui.end_row();
                ui.label("Secret name");
                fields::code_line(ui, secret, "Secret").on_hover_text(
                    "Read from .dev.vars or the environment; never stored in the design",
                );
                ui.end_row();
            }
            Auth::Jwt {
                secret,
                issuer,
                audience,
            } => {
                ui.label("Secret name");
                fields::code_line(ui, secret, "Secret");
                ui.end_row();
                ui.label("Issuer (iss)");
                fields::text(ui, issuer, "Issuer");
                ui.end_row();
                ui.label("Audience (aud)");
                fields::text(ui, audience, "Audience");
                ui.end_row();
            }
        });

    section(ui, "CORS");
    let mut cors_on = gateway.cors.is_some();
    if ui
        .checkbox(&mut cors_on, "Allow cross-origin requests")
        .changed()
    {
        gateway.cors = cors_on.then(Cors::default);
    }
    if let Some(cors) = &mut gateway.cors {
        egui::Grid::new("cors_grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("Origins");
                fields::list(
                    ui,
                    &mut cors.allow_origins,
                    "https://app.example.com, *",
                    "Allow origins",
                );
                ui.end_row();
                ui.label("Headers");
                fields::list(
                    ui,
                    &mut cors.allow_headers,
                    "content-type, x-api-key",
                    "Allow headers",
                );
                ui.end_row();
                ui.label("Max age (s)");
                ui.add(DragValue::new(&mut cors.max_age_secs).range(0..=86_400))
                    .accessible_name("Max age seconds");
                ui.end_row();
            });
    }

    section(ui, "Rate limit");
    let mut limit_on = gateway.rate_limit.is_some();
    if ui
        .checkbox(&mut limit_on, "Limit requests per caller")
        .changed()
    {
        gateway.rate_limit = limit_on.then(RateLimit::default);
    }
    if let Some(limit) = &mut gateway.rate_limit {
        egui::Grid::new("limit_grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("Requests");
                ui.add(DragValue::new(&mut limit.requests).range(1..=1_000_000))
                    .accessible_name("Requests");
                ui.end_row();
                ui.label("Per (seconds)");
                ui.add(DragValue::new(&mut limit.period_secs).range(1..=86_400))
                    .accessible_name("Period seconds");
                ui.end_row();
                ui.label("Caller is");
                crate::ui::inspector::fields::named(
                    egui::ComboBox::from_id_salt("limit_key")
                        .selected_text(match limit.key {
                            RateLimitKey::ClientIp => "client IP",
                            RateLimitKey::Credential => "API key / token subject",
                        })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut limit.key,
                                RateLimitKey::ClientIp,
                                "client IP",
                            );
                            ui.selectable_value(
                                &mut limit.key,
                                RateLimitKey::Credential,
                                "API key / token subject",
                            );
                        }),
                    "Rate limit key",
                );
                ui.end_row();
            });
    }

    section(ui, "Body limit");
    let mut body_on = gateway.max_body_bytes.is_some();
    if ui
        .checkbox(&mut body_on, "Refuse large bodies (413)")
        .changed()
    {
        gateway.max_body_bytes = body_on.then_some(1_048_576);
    }
    if let Some(bytes) = &mut gateway.max_body_bytes {
        ui.horizontal(|ui| {
            ui.label("Max body bytes");
            ui.add(DragValue::new(bytes).range(1..=104_857_600).speed(64.0))
                .accessible_name("Bytes");
        });
    }

    section(ui, "Enrichment");
    enrichment_ui(ui, &mut gateway.enrich);

    deployment_ui(ui, &mut gateway.custom_domain, cx);
}

/// Where a Gateway or Worker is deployed: a custom domain for public entries; internal
/// Workers get no URL at all (they trust their callers' `x-edgewire-auth` header).
fn deployment_ui(ui: &mut egui::Ui, custom_domain: &mut Option<String>, cx: &FormContext<'_>) {
    section(ui, "Deployment");
    if cx.public || custom_domain.is_some() {
        optional_text(ui, custom_domain, "Custom domain", "api.example.com");
    }
    let note = match (cx.public, custom_domain.as_deref()) {
        (true, Some(domain)) => format!("Public at https://{domain}/ (workers.dev off)."),
        (true, None) => {
            "Public at https://<name>.<your-subdomain>.workers.dev/ until you set a custom domain."
                .to_owned()
        }
        (false, _) => "Internal: reached only through service bindings, so the export gives it \
                       no public URL (no workers.dev, no preview URLs, no routes)."
            .to_owned(),
    };
    ui.label(RichText::new(note).small().italics());
}

fn gateway_route_ui(ui: &mut egui::Ui, route: &mut GatewayRoute, services: &[String]) {
    egui::Grid::new("gw_route_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label("Path prefix");
            fields::code_line(ui, &mut route.path, "Path");
            ui.end_row();
            ui.label("Service");
            fields::choose(ui, "service", &mut route.service, services);
            ui.end_row();
            ui.label("Methods");
            ui.horizontal_wrapped(|ui| {
                for method in HttpMethod::ALL {
                    let mut on = route.methods.contains(&method);
                    if ui.toggle_value(&mut on, method.as_str()).changed() {
                        if on {
                            route.methods.push(method);
                            route.methods.sort();
                        } else {
                            route.methods.retain(|m| *m != method);
                        }
                    }
                }
            });
            ui.end_row();
            ui.label("");
            ui.checkbox(
                &mut route.strip_prefix,
                "Strip the prefix before forwarding",
            );
            ui.end_row();
        });
    if route.methods.is_empty() {
        ui.label(
            RichText::new("No method chosen: every method is allowed.")
                .small()
                .italics(),
        );
    }
}

fn optional_text(ui: &mut egui::Ui, value: &mut Option<String>, label: &str, default: &str) {
    let mut on = value.is_some();
    ui.horizontal(|ui| {
        if ui.checkbox(&mut on, label).changed() {
            *value = on.then(|| default.to_owned());
        }
        if let Some(text) = value {
            fields::code_line(ui, text, label);
        }
    });
}

fn enrichment_ui(ui: &mut egui::Ui, enrich: &mut Enrichment) {
    optional_text(
        ui,
        &mut enrich.request_id_header,
        "Request id header",
        "x-request-id",
    );
    optional_text(
        ui,
        &mut enrich.user_id_header,
        "User id header",
        "x-user-id",
    );
    ui.label("Forwarded headers (empty: all)");
    fields::list(
        ui,
        &mut enrich.forward_headers,
        "accept, x-api-key",
        "Forward headers",
    );
}

fn worker_ui(ui: &mut egui::Ui, worker: &mut Worker, cx: &FormContext<'_>) {
    section(ui, "Routes");
    let len = worker.routes.len();
    let mut action = (0, None);
    for (index, route) in worker.routes.iter_mut().enumerate() {
        ui.push_id(("route", index), |ui| {
            egui::CollapsingHeader::new(
                RichText::new(format!("{} {}", route.method, route.path)).monospace(),
            )
            .id_salt(("route_header", index))
            .default_open(len <= 2)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    method_combo(ui, "route_method", &mut route.method);
                    ui.add(
                        egui::TextEdit::singleline(&mut route.path)
                            .font(egui::TextStyle::Monospace)
                            .desired_width((ui.available_width() - 110.0).clamp(60.0, 200.0)),
                    )
                    .accessible_name("Path");
                    if let Some(a) = item_buttons(ui, index, len, "route") {
                        action = (index, Some(a));
                    }
                });
                for diagnostic in cx.route_problems(index) {
                    fields::diagnostic_line(ui, diagnostic, cx.palette);
                }
                steps::steps_ui(
                    ui,
                    &mut route.steps,
                    &steps::StepContext {
                        form: cx,
                        route: index,
                    },
                    "",
                    0,
                );
            });
        });
    }
    apply_action(&mut worker.routes, action.0, action.1);
    if ui.small_button("+ Route").clicked() {
        worker.routes.push(Route {
            method: HttpMethod::Get,
            path: "/".into(),
            steps: vec![edgewire_engine::model::Step::Respond {
                status: 200,
                body: Some(edgewire_engine::model::Expr::Json(
                    serde_json::json!({"ok": true}),
                )),
                headers: std::collections::BTreeMap::new(),
            }],
        });
    }

    deployment_ui(ui, &mut worker.custom_domain, cx);
}

fn kv_ui(ui: &mut egui::Ui, kv: &mut Kv) {
    section(ui, "Seed entries");
    let mut remove = None;
    egui::Grid::new("kv_seed")
        .num_columns(3)
        .striped(true)
        .spacing([6.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Key").strong());
            ui.label(RichText::new("Value").strong());
            ui.label("");
            ui.end_row();
            for (index, entry) in kv.seed.iter_mut().enumerate() {
                ui.push_id(("kv", index), |ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut entry.key)
                            .font(egui::TextStyle::Monospace)
                            .desired_width(110.0),
                    )
                    .accessible_name("Key");
                });
                ui.push_id(("kv_value", index), |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut entry.value)
                            .font(egui::TextStyle::Monospace)
                            .desired_rows(1)
                            .desired_width(150.0),
                    )
                    .accessible_name("Seed value");
                });
                if ui.small_button("×").on_hover_text("Remove entry").clicked() {
                    remove = Some(index);
                }
                ui.end_row();
            }
        });
    if let Some(index) = remove {
        kv.seed.remove(index);
    }
    if ui.small_button("+ Entry").clicked() {
        let key = (1..=10_000)
            .map(|n| format!("key:{n}"))
            .find(|k| !kv.seed.iter().any(|e| e.key == *k))
            .unwrap_or_default();
        kv.seed.push(KvEntry {
            key,
            value: String::new(),
        });
    }
}

fn d1_ui(ui: &mut egui::Ui, d1: &mut D1) {
    section(ui, "Location");
    egui::Grid::new("d1_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label("Primary location hint");
            crate::ui::inspector::fields::named(
                egui::ComboBox::from_id_salt("d1_hint")
                    .selected_text(
                        d1.location_hint
                            .clone()
                            .unwrap_or_else(|| "automatic".into()),
                    )
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut d1.location_hint, None, "automatic");
                        for hint in D1_LOCATION_HINTS {
                            ui.selectable_value(&mut d1.location_hint, Some(hint.to_owned()), hint);
                        }
                    }),
                "Primary location hint",
            );
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut d1.read_replication, "Read replicas (Sessions API)");
            ui.end_row();
        });
    section(ui, "Migrations");
    let len = d1.migrations.len();
    let mut action = (0, None);
    for (index, migration) in d1.migrations.iter_mut().enumerate() {
        ui.push_id(("migration", index), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{:04}_", index + 1)).monospace());
                ui.add(
                    egui::TextEdit::singleline(&mut migration.name)
                        .font(egui::TextStyle::Monospace)
                        .desired_width(140.0),
                )
                .accessible_name("Name");
                if let Some(a) = item_buttons(ui, index, len, "migration") {
                    action = (index, Some(a));
                }
            });
            fields::sql(ui, &mut migration.sql, 4, "Migration SQL");
        });
    }
    apply_action(&mut d1.migrations, action.0, action.1);
    if ui.small_button("+ Migration").clicked() {
        d1.migrations.push(Migration {
            name: format!("migration_{}", len + 1),
            sql: String::new(),
        });
    }
    section(ui, "Seed SQL");
    fields::sql(ui, &mut d1.seed, 4, "Seed SQL");
}

fn hyperdrive_ui(ui: &mut egui::Ui, hd: &mut Hyperdrive) {
    section(ui, "Origin");
    let mut auto = matches!(hd.origin, Origin::Auto);
    egui::Grid::new("hd_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label("Database");
            crate::ui::inspector::fields::named(
                egui::ComboBox::from_id_salt("hd_origin")
                    .selected_text(if auto {
                        "local PostgreSQL (auto)"
                    } else {
                        "connection string"
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut auto, true, "local PostgreSQL (auto)");
                        ui.selectable_value(&mut auto, false, "connection string");
                    }),
                "Origin database",
            );
            ui.end_row();
            if auto != matches!(hd.origin, Origin::Auto) {
                hd.origin = if auto {
                    Origin::Auto
                } else {
                    Origin::ConnectionString {
                        secret: "DATABASE_URL".into(),
                    }
                };
            }
            if let Origin::ConnectionString { secret } = &mut hd.origin {
                ui.label("Secret name");
                fields::code_line(ui, secret, "Secret")
                    .on_hover_text("The connection string is read from this secret");
                ui.end_row();
            }
            ui.label("Origin region");
            fields::text(ui, &mut hd.origin_region, "Origin region");
            ui.end_row();
        });
    section(ui, "Query cache");
    ui.checkbox(&mut hd.caching.enabled, "Cache read-only queries");
    ui.add_enabled_ui(hd.caching.enabled, |ui| {
        egui::Grid::new("hd_cache")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("max_age (s)");
                ui.add(DragValue::new(&mut hd.caching.max_age_secs).range(0..=3600))
                    .accessible_name("Max age seconds");
                ui.end_row();
                ui.label("stale_while_revalidate (s)");
                ui.add(DragValue::new(&mut hd.caching.stale_while_revalidate_secs).range(0..=3600))
                    .accessible_name("Stale while revalidate seconds");
                ui.end_row();
            });
    });
    if matches!(hd.origin, Origin::Auto) {
        section(ui, "Seed SQL (auto origin)");
        fields::sql(ui, &mut hd.seed, 5, "Seed SQL");
    }
}
