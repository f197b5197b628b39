//! What the inspector's forms and the step editor share: the [`FormContext`] and small
//! form widgets.

use edgewire_engine::Kind;
use edgewire_engine::model::{Expr, HttpMethod, NamedSchemas};
use edgewire_engine::validate::{Diagnostic, Target};
use eframe::egui::{self, RichText};

use crate::ui::theme::{Palette, severity_icon};

/// What a form needs besides the node's data.
pub struct FormContext<'a> {
    /// Whether a Client calls the node directly (a public entry point).
    pub public: bool,
    /// The node's outgoing bindings and the kind each points to.
    pub bindings: &'a [(String, Kind)],
    pub diagnostics: &'a [&'a Diagnostic],
    pub palette: &'a Palette,
    /// The design's named schemas (for route contracts).
    pub schemas: &'a NamedSchemas,
}

impl FormContext<'_> {
    /// Binding names that point to nodes of these kinds.
    pub fn bindings_to(&self, kinds: &[Kind]) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, k)| kinds.contains(k))
            .map(|(b, _)| b.clone())
            .collect()
    }

    /// Problems of one route (of a Gateway or a Worker).
    pub fn route_problems(&self, route: usize) -> impl Iterator<Item = &&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| matches!(&d.target, Target::Route { route: r, .. } if *r == route))
    }

    /// Problems of one scenario request of a Client.
    pub fn request_problems(&self, request: usize) -> impl Iterator<Item = &&Diagnostic> {
        self.diagnostics.iter().filter(
            move |d| matches!(&d.target, Target::Request { request: r, .. } if *r == request),
        )
    }
}

/// Buttons to move, remove or keep an item of a list; returns what to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    Up,
    Down,
    Remove,
}

pub fn item_buttons(ui: &mut egui::Ui, index: usize, len: usize, what: &str) -> Option<ItemAction> {
    let mut action = None;
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        if ui
            .small_button("×")
            .on_hover_text(format!("Remove {what}"))
            .clicked()
        {
            action = Some(ItemAction::Remove);
        }
        if ui
            .add_enabled(index + 1 < len, egui::Button::new("↓").small())
            .on_hover_text(format!("Move {what} down"))
            .clicked()
        {
            action = Some(ItemAction::Down);
        }
        if ui
            .add_enabled(index > 0, egui::Button::new("↑").small())
            .on_hover_text(format!("Move {what} up"))
            .clicked()
        {
            action = Some(ItemAction::Up);
        }
    });
    action
}

pub fn apply_action<T>(items: &mut Vec<T>, index: usize, action: Option<ItemAction>) {
    match action {
        Some(ItemAction::Up) if index > 0 => items.swap(index, index - 1),
        Some(ItemAction::Down) if index + 1 < items.len() => items.swap(index, index + 1),
        Some(ItemAction::Remove) if index < items.len() => {
            items.remove(index);
        }
        _ => {}
    }
}

/// A list edited in place: each item on one row drawn by `row`, with a × that removes it,
/// then a `+ Noun` button that appends `new(items)`. `salt` keeps the rows' ids apart from
/// other lists; `noun` names one item (`Header`).
pub fn rows_ui<T>(
    ui: &mut egui::Ui,
    items: &mut Vec<T>,
    (salt, noun): (&str, &str),
    mut row: impl FnMut(&mut egui::Ui, usize, &mut T),
    new: impl FnOnce(&[T]) -> T,
) {
    let mut remove = None;
    for (index, item) in items.iter_mut().enumerate() {
        ui.push_id((salt, index), |ui| {
            ui.horizontal(|ui| {
                row(ui, index, item);
                if ui
                    .small_button("×")
                    .on_hover_text(format!("Remove {}", noun.to_lowercase()))
                    .clicked()
                {
                    remove = Some(index);
                }
            });
        });
    }
    if let Some(index) = remove {
        items.remove(index);
    }
    if ui.small_button(format!("+ {noun}")).clicked() {
        let item = new(items);
        items.push(item);
    }
}

/// The two-column grid of a form: labels on the left, fields on the right.
pub fn form_grid(id: &str) -> egui::Grid {
    egui::Grid::new(id).num_columns(2).spacing([8.0, 6.0])
}

/// A section title.
pub fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(10.0);
    crate::ui::theme::heading(ui, title);
    ui.add_space(2.0);
}

/// A problem shown beside the field it concerns.
pub fn diagnostic_line(ui: &mut egui::Ui, diagnostic: &Diagnostic, palette: &Palette) {
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(
            palette.severity(diagnostic.severity),
            severity_icon(diagnostic.severity),
        );
        ui.colored_label(
            palette.severity(diagnostic.severity),
            format!("{} {}", diagnostic.code, diagnostic.message),
        );
    });
    if let Some(help) = &diagnostic.help {
        ui.label(
            RichText::new(help)
                .small()
                .italics()
                .color(palette.text_weak),
        );
    }
}

/// The width that fills the rest of the row without ever growing it (a field asking for
/// more than what is left makes a panel grow every frame).
pub fn fill_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() - 2.0).max(40.0)
}

/// The width of a field followed by a small button on the same row.
pub fn inline_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() - 40.0).clamp(60.0, 220.0)
}

/// A monospace one-line field `width` points wide.
pub fn code_field(ui: &mut egui::Ui, value: &mut String, width: f32, name: &str) -> egui::Response {
    ui.add(
        egui::TextEdit::singleline(value)
            .font(egui::TextStyle::Monospace)
            .desired_width(width),
    )
    .accessible_name(name)
}

/// A monospace field sized to leave room for a button after it.
pub fn code_inline(ui: &mut egui::Ui, value: &mut String, name: &str) -> egui::Response {
    let width = inline_width(ui);
    code_field(ui, value, width, name)
}

/// A one-line text field filling the row.
pub fn text(ui: &mut egui::Ui, value: &mut String, name: &str) -> egui::Response {
    ui.add(egui::TextEdit::singleline(value).desired_width(fill_width(ui)))
        .accessible_name(name)
}

/// A monospace one-line field (paths, templates, names).
pub fn code_line(ui: &mut egui::Ui, value: &mut String, name: &str) -> egui::Response {
    let width = fill_width(ui);
    code_field(ui, value, width, name)
}

/// A comma-separated list of strings.
pub fn list(ui: &mut egui::Ui, values: &mut Vec<String>, hint: &str, name: &str) {
    let id = ui.next_auto_id();
    let joined = values.join(", ");
    let mut buffer = draft(ui, id, &joined);
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut buffer)
                .hint_text(hint)
                .desired_width(fill_width(ui)),
        )
        .accessible_name(name);
    if response.changed() {
        let parsed: Vec<String> = buffer
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        keep_draft(ui, id, parsed.join(", "), &buffer);
        *values = parsed;
    }
}

/// The text typed into field `id` while the value is still the `canonical` text it was typed
/// over; else `canonical` (the value changed elsewhere, by an undo for example).
fn draft(ui: &egui::Ui, id: egui::Id, canonical: &str) -> String {
    ui.data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(original, _)| original == canonical)
        .map_or_else(|| canonical.to_owned(), |(_, text)| text)
}

/// Remember `text` as typed into field `id` over the value whose text is `canonical`.
fn keep_draft(ui: &egui::Ui, id: egui::Id, canonical: String, text: &str) {
    ui.data_mut(|d| d.insert_temp(id, (canonical, text.to_owned())));
}

/// A SQL editor with syntax highlighting.
pub fn sql(ui: &mut egui::Ui, value: &mut String, rows: usize, name: &str) -> egui::Response {
    let theme = egui_extras::syntax_highlighting::CodeTheme::from_style(ui.style());
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = egui_extras::syntax_highlighting::highlight(
            ui.ctx(),
            ui.style(),
            &theme,
            text.as_str(),
            "sql",
        );
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    ui.add(
        egui::TextEdit::multiline(value)
            .code_editor()
            .desired_rows(rows)
            .desired_width(f32::INFINITY)
            .layouter(&mut layouter),
    )
    .accessible_name(name)
}

/// A JSON value edited as text; invalid text is kept in the field and reported beside it.
pub fn json(ui: &mut egui::Ui, value: &mut serde_json::Value) {
    let id = ui.next_auto_id();
    let canonical = value.to_string();
    let mut buffer = draft(ui, id, &canonical);
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut buffer)
                .font(egui::TextStyle::Monospace)
                .desired_width(inline_width(ui)),
        )
        .accessible_name("JSON value");
    let parsed = serde_json::from_str::<serde_json::Value>(&buffer);
    if response.changed() {
        if let Ok(parsed) = &parsed {
            *value = parsed.clone();
        }
        keep_draft(ui, id, value.to_string(), &buffer);
    }
    if let Err(err) = parsed {
        ui.colored_label(
            Palette::of(ui.visuals()).invalid,
            format!("Not JSON: {err}"),
        );
    }
}

/// An expression: a reference, a template, JSON, or an object of expressions.
pub fn expr(ui: &mut egui::Ui, value: &mut Expr, depth: usize) {
    let current = match value {
        Expr::Ref(_) => 0,
        Expr::Text(_) => 1,
        Expr::Json(_) => 2,
        Expr::Object(_) => 3,
    };
    let names = ["value of", "text", "JSON", "object"];
    ui.vertical(|ui| {
        let mut choice = current;
        ui.horizontal(|ui| {
            crate::ui::inspector::fields::named(
                egui::ComboBox::from_id_salt(ui.next_auto_id())
                    .width(80.0)
                    .selected_text(names[current])
                    .show_ui(ui, |ui| {
                        for (index, name) in names.iter().enumerate() {
                            if index == 3 && depth > 2 {
                                continue;
                            }
                            ui.selectable_value(&mut choice, index, *name);
                        }
                    }),
                "Expression kind",
            );
            match value {
                Expr::Ref(path) => {
                    code_inline(ui, path, "Value path")
                        .on_hover_text("A value in scope: `params.id`, `product.price`, `body`");
                }
                Expr::Text(template) => {
                    code_inline(ui, &mut template.0, "Text template")
                        .on_hover_text("A template: `product:{params.id}`");
                }
                Expr::Json(json_value) => json(ui, json_value),
                Expr::Object(_) => {}
            }
        });
        if choice != current {
            *value = match choice {
                0 => Expr::Ref("body".into()),
                1 => Expr::Text(edgewire_engine::model::Template::new("")),
                2 => Expr::Json(serde_json::Value::Null),
                _ => Expr::Object(std::collections::BTreeMap::new()),
            };
        }
        if let Expr::Object(fields) = value {
            let mut remove = None;
            let mut rename: Option<(String, String)> = None;
            for (index, (key, field)) in fields.iter_mut().enumerate() {
                ui.push_id(index, |ui| {
                    ui.horizontal(|ui| {
                        let mut name = key.clone();
                        if ui
                            .add(
                                egui::TextEdit::singleline(&mut name)
                                    .font(egui::TextStyle::Monospace)
                                    .desired_width(90.0),
                            )
                            .accessible_name("Field name")
                            .changed()
                        {
                            rename = Some((key.clone(), name));
                        }
                        ui.label(":");
                        expr(ui, field, depth + 1);
                        if ui.small_button("×").on_hover_text("Remove field").clicked() {
                            remove = Some(key.clone());
                        }
                    });
                });
            }
            if let Some(key) = remove {
                fields.remove(&key);
            }
            if let Some((from, to)) = rename
                && !fields.contains_key(&to)
                && let Some(field) = fields.remove(&from)
            {
                fields.insert(to, field);
            }
            if ui.small_button("+ field").clicked() {
                let name = (1..=10_000)
                    .map(|n| format!("field{n}"))
                    .find(|n| !fields.contains_key(n))
                    .unwrap_or_default();
                fields.insert(name, Expr::Json(serde_json::Value::Null));
            }
        }
    });
}

/// A combo box over strings, keeping an unknown current value selectable.
pub fn choose(ui: &mut egui::Ui, id: impl egui::AsIdSalt, value: &mut String, options: &[String]) {
    let name = "Binding";
    crate::ui::inspector::fields::named(
        egui::ComboBox::from_id_salt(id)
            .selected_text(if value.is_empty() {
                "(choose)".to_owned()
            } else {
                value.clone()
            })
            .show_ui(ui, |ui| {
                for option in options {
                    ui.selectable_value(value, option.clone(), option);
                }
                if !value.is_empty() && !options.contains(value) {
                    ui.weak(format!("{value} (no such binding)"));
                }
            }),
        name,
    );
}

/// Give a combo box (or any shown widget) its accessible name; returns what it returned.
pub fn named<R>(shown: egui::InnerResponse<R>, name: &str) -> R {
    let _ = shown.response.accessible_name(name);
    shown.inner
}

/// A narrow combo box over `options`, each shown by `label`, with an accessible name.
pub fn combo<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    id: impl egui::AsIdSalt,
    value: &mut T,
    options: &[T],
    label: impl Fn(T) -> &'static str,
    name: &str,
) {
    named(
        egui::ComboBox::from_id_salt(id)
            .width(80.0)
            .selected_text(label(*value))
            .show_ui(ui, |ui| {
                for &option in options {
                    ui.selectable_value(value, option, label(option));
                }
            }),
        name,
    );
}

/// A combo box over `names`, chosen by position, with an accessible name; returns the
/// position chosen (`current` when nothing was).
pub fn pick(
    ui: &mut egui::Ui,
    id: impl egui::AsIdSalt,
    current: usize,
    names: &[&str],
    name: &str,
) -> usize {
    let mut choice = current;
    named(
        egui::ComboBox::from_id_salt(id)
            .selected_text(names[current])
            .show_ui(ui, |ui| {
                for (i, option) in names.iter().enumerate() {
                    ui.selectable_value(&mut choice, i, *option);
                }
            }),
        name,
    );
    choice
}

/// A combo box over `options` and none (shown as `none`), with an accessible name.
pub fn optional_choice(
    ui: &mut egui::Ui,
    id: impl egui::AsIdSalt,
    value: &mut Option<String>,
    (none, options): (&str, &[&str]),
    name: &str,
) {
    named(
        egui::ComboBox::from_id_salt(id)
            .selected_text(value.clone().unwrap_or_else(|| none.to_owned()))
            .show_ui(ui, |ui| {
                ui.selectable_value(value, None, none);
                for &option in options {
                    ui.selectable_value(value, Some(option.to_owned()), option);
                }
            }),
        name,
    );
}

/// The HTTP method of a route or a request.
pub fn method_combo(ui: &mut egui::Ui, id: impl egui::AsIdSalt, method: &mut HttpMethod) {
    combo(
        ui,
        id,
        method,
        &HttpMethod::ALL,
        HttpMethod::as_str,
        "Method",
    );
}

/// Where a Gateway or Worker is deployed: a custom domain for public entries; internal
/// Workers get no URL at all (they trust their callers' `x-edgewire-auth` header).
pub fn deployment_ui(ui: &mut egui::Ui, custom_domain: &mut Option<String>, cx: &FormContext<'_>) {
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

/// A checkbox that turns an optional text on (with `default`) or off, then the text.
pub fn optional_text(ui: &mut egui::Ui, value: &mut Option<String>, label: &str, default: &str) {
    let mut on = value.is_some();
    ui.horizontal(|ui| {
        if ui.checkbox(&mut on, label).changed() {
            *value = on.then(|| default.to_owned());
        }
        if let Some(text) = value {
            code_line(ui, text, label);
        }
    });
}

/// `base`, or `base2`, `base3`, ... : the first that `taken` refuses (bounded; after 10,000
/// names it gives the last one tried, which validation then reports).
pub fn fresh_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_owned();
    for n in 2..=10_000 {
        if !taken(&name) {
            break;
        }
        name = format!("{base}{n}");
    }
    name
}
