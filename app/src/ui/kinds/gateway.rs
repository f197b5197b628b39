//! API Gateway: a shield icon; the card shows its checks and routes; the form edits routes,
//! authentication, CORS, the rate and body limits, enrichment and deployment.

use edgewire_engine::model::{
    Auth, Cors, Enrichment, Gateway, GatewayRoute, HttpMethod, RateLimit, RateLimitKey,
};
use edgewire_engine::{Kind, NodeKind};
use eframe::egui::{self, DragValue, RichText};

use super::KindUi;
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{
    self, FormContext, apply_action, deployment_ui, item_buttons, optional_text, section,
};

pub struct GatewayUi;

impl KindUi for GatewayUi {
    fn icon(&self, pen: &Pen<'_>) {
        // A shield with a check: the entry that checks requests.
        pen.closed_line(vec![
            pen.p(0.0, -0.9),
            pen.p(0.75, -0.6),
            pen.p(0.7, 0.1),
            pen.p(0.0, 0.9),
            pen.p(-0.7, 0.1),
            pen.p(-0.75, -0.6),
        ]);
        pen.line(vec![
            pen.p(-0.32, 0.0),
            pen.p(-0.05, 0.28),
            pen.p(0.38, -0.3),
        ]);
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::Gateway(gateway) = kind else {
            return Vec::new();
        };
        let auth = match &gateway.auth {
            Auth::None => "no auth".to_owned(),
            Auth::ApiKey { header, .. } => format!("API key in {header}"),
            Auth::Jwt { .. } => "JWT (HS256)".to_owned(),
        };
        let mut extras = vec![auth];
        if gateway.cors.is_some() {
            extras.push("CORS".into());
        }
        if let Some(limit) = &gateway.rate_limit {
            extras.push(format!("{}/{}s", limit.requests, limit.period_secs));
        }
        let mut lines = vec![extras.join(" · ")];
        lines.extend(
            gateway
                .routes
                .iter()
                .map(|route| format!("{} → {}", route.path, route.service)),
        );
        lines
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, cx: &FormContext<'_>) {
        if let NodeKind::Gateway(gateway) = kind {
            gateway_ui(ui, gateway, cx);
        }
    }
}

fn gateway_ui(ui: &mut egui::Ui, gateway: &mut Gateway, cx: &FormContext<'_>) {
    routes_ui(ui, &mut gateway.routes, cx);
    auth_ui(ui, &mut gateway.auth);
    cors_ui(ui, &mut gateway.cors);
    rate_limit_ui(ui, &mut gateway.rate_limit);
    body_limit_ui(ui, &mut gateway.max_body_bytes);
    enrichment_ui(ui, &mut gateway.enrich);
    deployment_ui(ui, &mut gateway.custom_domain, cx);
}

fn routes_ui(ui: &mut egui::Ui, routes: &mut Vec<GatewayRoute>, cx: &FormContext<'_>) {
    let services = cx.bindings_to(&[Kind::Worker]);
    section(ui, "Routes");
    let len = routes.len();
    let mut action = (0, None);
    for (index, route) in routes.iter_mut().enumerate() {
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
    apply_action(routes, action.0, action.1);
    if ui.small_button("+ Route").clicked() {
        routes.push(GatewayRoute {
            path: "/".into(),
            methods: Vec::new(),
            service: services.first().cloned().unwrap_or_default(),
            strip_prefix: false,
        });
    }
}

fn auth_ui(ui: &mut egui::Ui, auth: &mut Auth) {
    section(ui, "Authentication");
    let current = match auth {
        Auth::None => 0,
        Auth::ApiKey { .. } => 1,
        Auth::Jwt { .. } => 2,
    };
    let names = ["None", "API key in a header", "JWT (HS256)"];
    let choice = fields::pick(ui, "auth", current, &names, "Authentication");
    if choice != current {
        *auth = match choice {
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
    fields::form_grid("auth_grid").show(ui, |ui| match auth {
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
}

/// A section of settings the gateway may go without: a checkbox turns them on (as their
/// defaults) or off; they are given back while on.
fn optional_section<'v, T: Default>(
    ui: &mut egui::Ui,
    title: &str,
    switch: &str,
    value: &'v mut Option<T>,
) -> Option<&'v mut T> {
    section(ui, title);
    let mut on = value.is_some();
    if ui.checkbox(&mut on, switch).changed() {
        *value = on.then(T::default);
    }
    value.as_mut()
}

fn cors_ui(ui: &mut egui::Ui, cors: &mut Option<Cors>) {
    if let Some(cors) = optional_section(ui, "CORS", "Allow cross-origin requests", cors) {
        fields::form_grid("cors_grid").show(ui, |ui| {
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
}

fn rate_limit_ui(ui: &mut egui::Ui, rate_limit: &mut Option<RateLimit>) {
    if let Some(limit) = optional_section(ui, "Rate limit", "Limit requests per caller", rate_limit)
    {
        fields::form_grid("limit_grid").show(ui, |ui| {
            ui.label("Requests");
            ui.add(DragValue::new(&mut limit.requests).range(1..=1_000_000))
                .accessible_name("Requests");
            ui.end_row();
            ui.label("Per (seconds)");
            // The Workers Rate Limiting binding counts per 10 or 60 s only (GWY009).
            fields::named(
                egui::ComboBox::from_id_salt("limit_period")
                    .selected_text(format!("{} s", limit.period_secs))
                    .show_ui(ui, |ui| {
                        for period in RateLimit::PERIODS {
                            ui.selectable_value(
                                &mut limit.period_secs,
                                period,
                                format!("{period} s"),
                            );
                        }
                    }),
                "Period seconds",
            );
            ui.end_row();
            ui.label("Caller is");
            fields::named(
                egui::ComboBox::from_id_salt("limit_key")
                    .selected_text(match limit.key {
                        RateLimitKey::ClientIp => "client IP",
                        RateLimitKey::Credential => "API key / token subject",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut limit.key, RateLimitKey::ClientIp, "client IP");
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
}

fn body_limit_ui(ui: &mut egui::Ui, max_body_bytes: &mut Option<u64>) {
    section(ui, "Body limit");
    let mut body_on = max_body_bytes.is_some();
    if ui
        .checkbox(&mut body_on, "Refuse large bodies (413)")
        .changed()
    {
        *max_body_bytes = body_on.then_some(1_048_576);
    }
    if let Some(bytes) = max_body_bytes {
        ui.horizontal(|ui| {
            ui.label("Max body bytes");
            ui.add(DragValue::new(bytes).range(1..=104_857_600).speed(64.0))
                .accessible_name("Bytes");
        });
    }
}

fn gateway_route_ui(ui: &mut egui::Ui, route: &mut GatewayRoute, services: &[String]) {
    fields::form_grid("gw_route_grid").show(ui, |ui| {
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

fn enrichment_ui(ui: &mut egui::Ui, enrich: &mut Enrichment) {
    section(ui, "Enrichment");
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
