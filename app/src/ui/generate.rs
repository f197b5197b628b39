//! Designs that write themselves, in the app: the "Add CRUD routes…" window on a D1
//! database, the recipes in a node's context menu, and the quick-fix list that Ctrl+. opens
//! on the selection. Each pushes one [`Command::Generated`] or [`Command::Edit`]: one undo
//! step.

use std::collections::BTreeMap;

use edgewire_engine::generate::{
    self, CrudOptions, Recipe, cache_aside, jwt_gateway, read_replication, recipes,
};
use edgewire_engine::model::{Auth, HttpMethod};
use edgewire_engine::validate::fix::{Fix, fixes};
use edgewire_engine::validate::{Diagnostics, Target};
use edgewire_engine::{Design, Kind, NodeKind};
use eframe::egui::{self, Key};

use crate::ui::commands::{Command, CommandQueue, Selection};
use crate::ui::inspector::fields;

/// The open generator windows.
#[derive(Default)]
pub struct Tools {
    crud: Option<CrudDialog>,
    quick_fix: Option<QuickFixes>,
}

/// "Add CRUD routes…" on a D1 database: which table, onto which Worker.
struct CrudDialog {
    db: String,
    table: Option<String>,
    /// `None`: a new Worker.
    worker: Option<String>,
}

/// The fixes of the problems of the selected node or wire.
struct QuickFixes {
    target: String,
    fixes: Vec<(String, Fix)>,
}

impl Tools {
    pub fn open_crud(&mut self, db: &str) {
        self.crud = Some(CrudDialog {
            db: db.to_owned(),
            table: None,
            worker: None,
        });
    }

    /// Ctrl+.: list the fixes for the selected node or wire (or say there are none).
    pub fn open_quick_fix(
        &mut self,
        design: &Design,
        diagnostics: &Diagnostics,
        selection: &Selection,
    ) -> Option<String> {
        let (target, wire, node) = if let Some((from, to)) = &selection.wire {
            (format!("{from} → {to}"), Some((from, to)), None)
        } else if let Some(node) = selection.nodes.iter().next() {
            (node.clone(), None, Some(node.as_str()))
        } else {
            return Some("Select a node or a wire, then press Ctrl+. for its fixes".into());
        };
        let concerns = |t: &Target| match (t, wire) {
            (Target::Wire { from, to }, Some((f, w))) => from == f && to == w,
            (Target::Wire { .. }, None) | (_, Some(_)) => false,
            (other, None) => other.node() == node,
        };
        let found: Vec<(String, Fix)> = diagnostics
            .iter()
            .filter(|d| concerns(&d.target))
            .flat_map(|d| fixes(design, d).into_iter().map(|f| (d.code.to_owned(), f)))
            .collect();
        if found.is_empty() {
            return Some(format!("No quick fix for {target}"));
        }
        self.quick_fix = Some(QuickFixes {
            target,
            fixes: found,
        });
        None
    }

    /// Draw the open windows.
    pub fn ui(&mut self, ctx: &egui::Context, design: &Design, queue: &mut CommandQueue) {
        if let Some(dialog) = &mut self.crud
            && !crud_window(ctx, design, dialog, queue)
        {
            self.crud = None;
        }
        if let Some(list) = &self.quick_fix
            && !quick_fix_window(ctx, list, queue)
        {
            self.quick_fix = None;
        }
    }
}

/// The CRUD window; `false` when it closes.
fn crud_window(
    ctx: &egui::Context,
    design: &Design,
    dialog: &mut CrudDialog,
    queue: &mut CommandQueue,
) -> bool {
    let title = format!("Add CRUD routes over {}", dialog.db);
    tool_window(ctx, title, "crud_window", |ui, done| {
        let tables = match generate::tables(design, &dialog.db) {
            Ok(tables) => tables,
            Err(error) => {
                ui.colored_label(ui.visuals().error_fg_color, error.to_string());
                return;
            }
        };
        let usable: Vec<String> = tables
            .iter()
            .filter_map(|t| t.as_ref().ok().map(|t| t.name.clone()))
            .collect();
        if dialog.table.is_none() {
            dialog.table = usable.first().cloned();
        }
        egui::Grid::new("crud_grid").num_columns(2).show(ui, |ui| {
            ui.label("Table");
            let shown = dialog.table.clone().unwrap_or_else(|| "none".into());
            let table = egui::ComboBox::from_id_salt("crud_table")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for name in &usable {
                        ui.selectable_value(&mut dialog.table, Some(name.clone()), name);
                    }
                });
            let _ = table.response.accessible_name("Table");
            ui.end_row();
            ui.label("Routes on");
            let workers: Vec<&str> = design
                .nodes_of_kind(Kind::Worker)
                .map(|n| n.id.as_str())
                .collect();
            fields::optional_choice(
                ui,
                "crud_worker",
                &mut dialog.worker,
                ("a new Worker", &workers),
                "Routes on",
            );
            ui.end_row();
        });
        for why in tables.iter().filter_map(|t| t.as_ref().err()) {
            ui.weak(format!("Table {why}"));
        }
        let Some(table) = dialog.table.clone() else {
            ui.weak("Its schema creates no table: add one in the inspector first");
            return;
        };
        let options = CrudOptions {
            db: dialog.db.clone(),
            table,
            worker: dialog.worker.clone(),
        };
        ui.separator();
        match generate::crud(design, &options) {
            Ok(generated) => {
                ui.label("Adds:");
                for line in &generated.summary {
                    ui.label(format!("• {line}"));
                }
                ui.add_space(6.0);
                if ui.button("Add routes").clicked() {
                    queue.push(Command::Generated {
                        edit: generated.edit,
                        summary: format!(
                            "Added CRUD routes over {} ({} changes); Undo takes them back",
                            options.table,
                            generated.summary.len()
                        ),
                        secrets: BTreeMap::new(),
                    });
                    *done = true;
                }
            }
            Err(error) => {
                ui.colored_label(ui.visuals().error_fg_color, error.to_string());
            }
        }
    })
}

fn quick_fix_window(ctx: &egui::Context, list: &QuickFixes, queue: &mut CommandQueue) -> bool {
    let title = format!("Quick fixes for {}", list.target);
    tool_window(ctx, title, "quick_fix_window", |ui, done| {
        for (index, (code, fix)) in list.fixes.iter().enumerate() {
            let button = ui
                .button(format!("{}. {} ({code})", index + 1, fix.title))
                .accessible_name(format!("Quick fix {code}: {}", fix.title));
            let key = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5]
                .get(index)
                .is_some_and(|k| ui.input(|i| i.key_pressed(*k)));
            if button.clicked() || key {
                queue.push(Command::Edit {
                    edit: fix.edit.clone(),
                    coalesce: None,
                });
                *done = true;
            }
        }
    })
}

/// A small window at the top centre; `false` once it closes (its ✕, Esc, or `contents`
/// setting `done`).
fn tool_window(
    ctx: &egui::Context,
    title: String,
    id: &str,
    contents: impl FnOnce(&mut egui::Ui, &mut bool),
) -> bool {
    let mut open = true;
    let mut done = false;
    egui::Window::new(title)
        .id(egui::Id::unique(id))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
        .open(&mut open)
        .show(ctx, |ui| contents(ui, &mut done));
    if ctx.input(|i| i.key_pressed(Key::Escape)) {
        open = false;
    }
    open && !done
}

/// The recipes a node's context menu offers.
pub fn recipe_menu(ui: &mut egui::Ui, design: &Design, id: &str, queue: &mut CommandQueue) {
    let Some(node) = design.node(id) else {
        return;
    };
    let apply = |queue: &mut CommandQueue, result: Result<Recipe, generate::GenerateError>| {
        queue.push(match result {
            Ok(recipe) => Command::Generated {
                edit: recipe.generated.edit,
                summary: recipe.generated.summary.join("; "),
                secrets: recipe.secrets,
            },
            Err(error) => Command::Notify(error.to_string()),
        });
    };
    match &node.kind {
        NodeKind::D1(d1) => {
            ui.separator();
            if ui.button("Add CRUD routes…").clicked() {
                queue.push(Command::OpenCrud(id.to_owned()));
            }
            if !d1.read_replication && ui.button("Turn on read replication").clicked() {
                apply(queue, read_replication(design, id));
            }
        }
        NodeKind::Hyperdrive(_) => {
            ui.separator();
            if ui.button("Add CRUD routes…").clicked() {
                queue.push(Command::OpenCrud(id.to_owned()));
            }
        }
        NodeKind::Gateway(gateway) if !matches!(gateway.auth, Auth::Jwt { .. }) => {
            ui.separator();
            if ui.button("Switch to JWT authentication").clicked() {
                apply(
                    queue,
                    jwt_gateway(design, id, &recipes::development_secret()),
                );
            }
        }
        NodeKind::Worker(worker) => {
            let reads: Vec<(usize, String)> = worker
                .routes
                .iter()
                .enumerate()
                .filter(|(index, r)| {
                    r.method == HttpMethod::Get && cache_aside(design, id, *index).is_ok()
                })
                .map(|(index, r)| (index, r.path.clone()))
                .collect();
            if !reads.is_empty() {
                ui.separator();
                ui.menu_button("Cache in KV (cache-aside)", |ui| {
                    for (index, path) in reads {
                        if ui.button(format!("GET {path}")).clicked() {
                            apply(queue, cache_aside(design, id, index));
                        }
                    }
                });
            }
        }
        _ => {}
    }
}

/// What a recipe command does on the selection.
pub enum RecipeAction {
    OpenCrud(String),
    Apply(Box<Recipe>),
}

/// The recipe `command` on the selected node `selected`, or why it does not apply.
pub fn recipe_for(
    design: &Design,
    selected: Option<&str>,
    command: crate::ui::commands::UiCommand,
) -> Result<RecipeAction, String> {
    use crate::ui::commands::UiCommand as C;
    let kind = selected
        .and_then(|id| design.node(id))
        .map(|n| n.kind.kind());
    let id = selected.unwrap_or_default();
    match (command, kind) {
        (C::AddCrudRoutes, Some(edgewire_engine::Kind::D1 | edgewire_engine::Kind::Hyperdrive)) => {
            Ok(RecipeAction::OpenCrud(id.to_owned()))
        }
        (C::AddCrudRoutes, _) => Err("Select a D1 database or a Hyperdrive first".into()),
        (C::ReadReplication, Some(edgewire_engine::Kind::D1)) => read_replication(design, id)
            .map(|r| RecipeAction::Apply(Box::new(r)))
            .map_err(|e| e.to_string()),
        (C::ReadReplication, _) => Err("Select a D1 database first".into()),
        (C::JwtGateway, _) => {
            let gateway = if kind == Some(edgewire_engine::Kind::Gateway) {
                id.to_owned()
            } else {
                let gateways: Vec<&str> = design
                    .nodes_of_kind(Kind::Gateway)
                    .map(|n| n.id.as_str())
                    .collect();
                match gateways.as_slice() {
                    [only] => (*only).to_owned(),
                    [] => return Err("The design has no gateway".into()),
                    _ => return Err("Select the gateway first".into()),
                }
            };
            jwt_gateway(design, &gateway, &recipes::development_secret())
                .map(|r| RecipeAction::Apply(Box::new(r)))
                .map_err(|e| e.to_string())
        }
        (C::CacheAside, Some(edgewire_engine::Kind::Worker)) => cache_all_reads(design, id),
        (C::CacheAside, _) => Err("Select a Worker first".into()),
        _ => Err("not a recipe".into()),
    }
}

/// Cache-aside on every GET route of Worker `id` that has a read query to cache, as one edit.
fn cache_all_reads(design: &Design, id: &str) -> Result<RecipeAction, String> {
    let Some(NodeKind::Worker(worker)) = design.node(id).map(|n| &n.kind) else {
        return Err("Select a Worker first".into());
    };
    let mut draft = design.clone();
    let mut edits = Vec::new();
    let mut summary = Vec::new();
    for index in 0..worker.routes.len() {
        if let Ok(recipe) = cache_aside(&draft, id, index)
            && draft.apply(&recipe.generated.edit).is_ok()
        {
            edits.push(recipe.generated.edit);
            summary.extend(recipe.generated.summary);
        }
    }
    if edits.is_empty() {
        return Err(format!("{id} has no GET route with a read query to cache"));
    }
    Ok(RecipeAction::Apply(Box::new(Recipe {
        generated: generate::Generated {
            edit: edgewire_engine::edit::Edit::Batch { edits },
            summary,
        },
        secrets: BTreeMap::new(),
    })))
}
