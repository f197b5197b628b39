//! The inspector: a form for every field of the selected node (or wire, or the design).
//!
//! Forms edit a copy of the node and push one `SetNode` edit when it changes; edits made while
//! the same field keeps focus (or the same value is dragged) share one undo step. Names and
//! binding names are committed on Enter or focus loss as `RenameNode` / `RenameBinding`, so
//! they rename everywhere at once. Each kind's form is its module's under `kinds/`.

pub(super) mod contract;
pub(super) mod fields;
pub(super) mod schema;
pub(super) mod steps;

use std::collections::BTreeMap;

use edgewire_engine::edit::Edit;
use edgewire_engine::graph::wire_role;
use edgewire_engine::model::is_js_identifier;
use edgewire_engine::validate::{Diagnostic, Target};
use edgewire_engine::{Design, NodeId};
use eframe::egui::{self, RichText};

use super::commands::{Command, CommandQueue, Selection, UiCommand};
use super::document::Document;
use super::kinds;
use super::theme::{Palette, severity_icon};
use fields::FormContext;
use schema::SchemaContext;

/// Text being typed into name and binding fields, committed on Enter or focus loss.
#[derive(Default)]
pub struct InspectorState {
    name: Option<(NodeId, String)>,
    bindings: BTreeMap<(NodeId, String), String>,
    design_name: Option<String>,
    /// The name typed for a new named schema.
    new_schema: String,
}

/// How many node ids per kind the design page lists.
const SHOWN_IDS: usize = 12;

/// The key that makes successive edits of one field one undo step: the focused or dragged
/// widget.
pub fn coalesce_key(ctx: &egui::Context) -> Option<u64> {
    ctx.memory(eframe::egui::Memory::focused)
        .or_else(|| ctx.dragged_id())
        .map(|id| id.value())
}

pub fn ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    doc: &Document,
    selection: &Selection,
    queue: &mut CommandQueue,
) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_space(4.0);
            if let Some(id) = selection.single()
                && let Some(node) = doc.design.node(id)
            {
                node_ui(ui, state, doc, node, queue);
                return;
            }
            if let Some((from, to)) = &selection.wire {
                wire_ui(ui, state, &doc.design, from, to, queue);
                return;
            }
            if selection.nodes.len() > 1 {
                ui.heading(format!("{} nodes selected", selection.nodes.len()));
                ui.label("Drag any of them to move them together.");
                ui.horizontal(|ui| {
                    for command in [UiCommand::Duplicate, UiCommand::Delete, UiCommand::TidyUp] {
                        if ui.button(command.name()).clicked() {
                            queue.push(command);
                        }
                    }
                });
                return;
            }
            design_ui(ui, state, doc, queue);
        });
}

fn design_ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    doc: &Document,
    queue: &mut CommandQueue,
) {
    let design = &doc.design;
    ui.heading("Design");
    ui.add_space(4.0);
    fields::form_grid("design_grid").show(ui, |ui| {
        ui.label("Name");
        let buffer = state.design_name.get_or_insert_with(|| design.name.clone());
        let response = ui
            .add(egui::TextEdit::singleline(buffer).desired_width(fields::fill_width(ui)))
            .accessible_name("Design name");
        if response.lost_focus() {
            if *buffer != design.name {
                queue.push(Command::Edit {
                    edit: Edit::SetName {
                        name: buffer.clone(),
                    },
                    coalesce: None,
                });
            }
            state.design_name = None;
        } else if !response.has_focus() {
            state.design_name = None;
        }
        ui.end_row();
    });
    ui.label("Description");
    let mut description = design.description.clone();
    if ui
        .add(
            egui::TextEdit::multiline(&mut description)
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Design description")
        .changed()
    {
        queue.push(Command::Edit {
            edit: Edit::SetDescription { text: description },
            coalesce: coalesce_key(ui.ctx()),
        });
    }
    schemas_ui(ui, state, design, queue);
    ui.add_space(8.0);
    crate::ui::theme::heading(ui, "Contents");
    let palette = Palette::of(ui.visuals());
    for kind in edgewire_engine::Kind::ALL {
        let ids: Vec<&str> = design.nodes_of_kind(kind).map(|n| n.id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        ui.horizontal_wrapped(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 16.0), egui::Sense::hover());
            kinds::paint_icon(ui.painter(), rect, kind, palette.kind(kind));
            ui.label(RichText::new(kind.label()).strong());
            for id in ids.iter().take(SHOWN_IDS) {
                if ui.link(*id).clicked() {
                    queue.push(Command::Reveal((*id).to_owned()));
                }
            }
            if ids.len() > SHOWN_IDS {
                ui.weak(format!(
                    "+{} more (Ctrl+K finds them)",
                    ids.len() - SHOWN_IDS
                ));
            }
        });
    }
    ui.add_space(8.0);
    ui.weak("Select a node or a wire to edit it.");
}

/// The design's named schemas, each with the schema editor; one `SetSchemas` edit per change.
fn schemas_ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    design: &Design,
    queue: &mut CommandQueue,
) {
    fields::section(ui, "Schemas");
    let palette = Palette::of(ui.visuals());
    let cx = SchemaContext {
        schemas: &design.schemas,
        palette: &palette,
    };
    let mut schemas = design.schemas.clone();
    let mut removed = None;
    for (name, schema) in &mut schemas {
        ui.push_id(("named_schema", name.as_str()), |ui| {
            egui::CollapsingHeader::new(RichText::new(name.as_str()).monospace())
                .id_salt("named_schema_header")
                .show(ui, |ui| {
                    let uses = schema_uses(design, name);
                    ui.horizontal(|ui| {
                        ui.weak(match uses {
                            0 => "not used by any route".to_owned(),
                            1 => "used by 1 route".to_owned(),
                            n => format!("used by {n} routes"),
                        });
                        if ui
                            .small_button("Remove schema")
                            .on_hover_text(if uses == 0 {
                                "Remove this schema".to_owned()
                            } else {
                                format!("Routes that use `{name}` will report CON002 until changed")
                            })
                            .clicked()
                        {
                            removed = Some(name.clone());
                        }
                    });
                    schema::schema_ui(ui, "named_schema_editor", schema, &cx);
                });
        });
    }
    if let Some(name) = removed {
        schemas.remove(&name);
    }
    ui.horizontal(|ui| {
        let name = state.new_schema.trim().to_owned();
        let valid = is_schema_name(&name) && !schemas.contains_key(&name);
        ui.add(
            egui::TextEdit::singleline(&mut state.new_schema)
                .hint_text("NewSchemaName")
                .font(egui::TextStyle::Monospace)
                .desired_width(fields::inline_width(ui) - 60.0),
        )
        .accessible_name("New schema name");
        if ui
            .add_enabled(valid, egui::Button::new("+ Schema").small())
            .on_hover_text("Add a named schema that routes refer to as #/$defs/Name")
            .on_disabled_hover_text(
                "Type a name of letters, digits, '.', '-' or '_' that no schema has",
            )
            .clicked()
        {
            schemas.insert(
                name,
                serde_json::json!({"type": "object", "properties": {}}),
            );
            state.new_schema.clear();
        }
    });
    if schemas != design.schemas {
        queue.push(Command::Edit {
            edit: Edit::SetSchemas { schemas },
            coalesce: coalesce_key(ui.ctx()),
        });
    }
}

/// A name OpenAPI accepts for a component schema.
fn is_schema_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// How many routes refer to the named schema.
fn schema_uses(design: &Design, name: &str) -> usize {
    let reference = format!("\"#/$defs/{name}\"");
    design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            edgewire_engine::NodeKind::Worker(worker) => Some(worker),
            _ => None,
        })
        .flat_map(|worker| &worker.routes)
        .filter(|route| {
            serde_json::to_string(&(&route.request, &route.responses))
                .is_ok_and(|text| text.contains(&reference))
        })
        .count()
}

fn node_ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    doc: &Document,
    node: &edgewire_engine::Node,
    queue: &mut CommandQueue,
) {
    let design = &doc.design;
    let palette = Palette::of(ui.visuals());
    let kind = node.kind.kind();
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 22.0), egui::Sense::hover());
        kinds::paint_icon(ui.painter(), rect, kind, palette.kind(kind));
        ui.heading(&node.id);
        ui.label(RichText::new(kind.label()).color(palette.text_weak));
    });
    ui.add_space(4.0);
    let diagnostics: Vec<&Diagnostic> = doc.diagnostics().for_node(&node.id).collect();

    // Name.
    fields::form_grid("node_name_grid").show(ui, |ui| {
        ui.label("Name");
        let mut text = match &state.name {
            Some((id, text)) if *id == node.id => text.clone(),
            _ => node.id.clone(),
        };
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(fields::fill_width(ui))
                    .id_salt("node_name"),
            )
            .accessible_name("Node name");
        let response = response.on_hover_text("The node id; also the Worker name when exported");
        let problem = id_problem(design, &node.id, &text);
        if response.changed() {
            state.name = Some((node.id.clone(), text.clone()));
        }
        if response.lost_focus() {
            if problem.is_none() && text != node.id {
                queue.push(Command::Edit {
                    edit: Edit::RenameNode {
                        from: node.id.clone(),
                        to: text.clone(),
                    },
                    coalesce: None,
                });
            }
            state.name = None;
        } else if !response.has_focus() {
            state.name = None;
        }
        ui.end_row();
        if let Some(problem) = problem {
            ui.label("");
            ui.colored_label(palette.invalid, problem);
            ui.end_row();
        }
    });

    // Node-level problems.
    for diagnostic in diagnostics
        .iter()
        .filter(|d| matches!(d.target, Target::Node { .. } | Target::Wire { .. }))
    {
        fields::diagnostic_line(ui, diagnostic, &palette);
    }

    // Bindings of outgoing wires.
    let outgoing: Vec<_> = design.wires_from(&node.id).collect();
    if !outgoing.is_empty() {
        fields::section(ui, "Bindings");
        fields::form_grid("bindings_grid").show(ui, |ui| {
            for wire in outgoing {
                ui.label(format!("→ {}", wire.to));
                if wire.binding.is_empty() {
                    ui.weak("requests (no binding)");
                } else {
                    let _ = binding_field(ui, state, design, &node.id, &wire.binding, queue);
                }
                ui.end_row();
            }
        });
    }

    let mut edited = node.kind.clone();
    let bindings: Vec<(String, edgewire_engine::Kind)> = design
        .wires_from(&node.id)
        .filter(|w| !w.binding.is_empty())
        .filter_map(|w| {
            design
                .node(&w.to)
                .map(|t| (w.binding.clone(), t.kind.kind()))
        })
        .collect();
    let public = design.wires_to(&node.id).any(|w| {
        design
            .node(&w.from)
            .is_some_and(|n| n.kind.kind() == edgewire_engine::Kind::Client)
    });
    let context = FormContext {
        public,
        bindings: &bindings,
        diagnostics: &diagnostics,
        palette: &palette,
        schemas: &design.schemas,
    };
    kinds::of(kind).form_ui(ui, &mut edited, &context);
    if edited != node.kind {
        queue.push(Command::Edit {
            edit: Edit::SetNode {
                id: node.id.clone(),
                kind: edited,
            },
            coalesce: coalesce_key(ui.ctx()),
        });
    }
}

fn binding_field(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    design: &Design,
    node: &str,
    binding: &str,
    queue: &mut CommandQueue,
) -> egui::Response {
    let key = (node.to_owned(), binding.to_owned());
    let mut text = state
        .bindings
        .get(&key)
        .cloned()
        .unwrap_or_else(|| binding.to_owned());
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .font(egui::TextStyle::Monospace)
                .desired_width(fields::fill_width(ui))
                .id_salt(("binding", node, binding)),
        )
        .accessible_name("Binding name");
    let response = response.on_hover_text(format!(
        "Binding name of {node}; renaming it updates routes and steps"
    ));
    let problem = binding_problem(design, node, binding, &text);
    if response.changed() {
        state.bindings.insert(key.clone(), text.clone());
    }
    if response.lost_focus() {
        state.bindings.remove(&key);
        if problem.is_none() && text != binding {
            queue.push(Command::Edit {
                edit: Edit::RenameBinding {
                    node: node.to_owned(),
                    from: binding.to_owned(),
                    to: text,
                },
                coalesce: None,
            });
        }
    }
    if let Some(problem) = problem {
        ui.end_row();
        ui.label("");
        ui.colored_label(Palette::of(ui.visuals()).invalid, problem);
    }
    response
}

fn wire_ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    design: &Design,
    from: &str,
    to: &str,
    queue: &mut CommandQueue,
) {
    let Some(wire) = design.wires.iter().find(|w| w.from == from && w.to == to) else {
        ui.weak("The selected wire no longer exists.");
        return;
    };
    let palette = Palette::of(ui.visuals());
    ui.heading("Wire");
    ui.label(format!("{from} → {to}"));
    let role = match (design.node(from), design.node(to)) {
        (Some(a), Some(b)) => wire_role(a.kind.kind(), b.kind.kind()),
        _ => Err("one end of this wire is missing".to_owned()),
    };
    match &role {
        Ok(role) => {
            ui.label(RichText::new(role.label()).color(palette.text_weak));
        }
        Err(reason) => {
            ui.colored_label(
                palette.invalid,
                format!(
                    "{} Not allowed: {reason}",
                    severity_icon(edgewire_engine::validate::Severity::Error)
                ),
            );
        }
    }
    ui.add_space(6.0);
    if !wire.binding.is_empty() {
        fields::form_grid("wire_grid").show(ui, |ui| {
            ui.label("Binding");
            binding_field(ui, state, design, from, &wire.binding, queue);
            ui.end_row();
        });
    }
    ui.add_space(6.0);
    if ui.button("Delete wire").clicked() {
        queue.push(Command::Edit {
            edit: Edit::Disconnect {
                from: from.to_owned(),
                to: to.to_owned(),
            },
            coalesce: None,
        });
        queue.push(Command::Select(Selection::default()));
    }
}

/// Why `candidate` cannot become the id of node `current`, if it cannot.
fn id_problem(design: &Design, current: &str, candidate: &str) -> Option<String> {
    if candidate.is_empty() {
        return Some("A name is required.".to_owned());
    }
    if !candidate
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || candidate.starts_with('-')
    {
        return Some("Use lower-case letters, digits and dashes (`orders-db`).".to_owned());
    }
    if candidate != current && design.contains(candidate) {
        return Some(format!("A node `{candidate}` already exists."));
    }
    None
}

/// Why `candidate` cannot be the new name of binding `current` of `node`, if it cannot.
fn binding_problem(design: &Design, node: &str, current: &str, candidate: &str) -> Option<String> {
    if !is_js_identifier(candidate) {
        return Some(
            "A binding is a JavaScript name: letters, digits, `_` or `$` (`PRODUCTS`).".to_owned(),
        );
    }
    if candidate != current && design.binding(node, candidate).is_some() {
        return Some(format!("`{node}` already has a binding `{candidate}`."));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_bindings_are_checked_beside_their_fields() {
        let mut design = Design::new("t");
        design.nodes.push(edgewire_engine::Node::new(
            "a",
            edgewire_engine::Kind::Kv.default_node_kind(),
        ));
        assert!(id_problem(&design, "b", "a").is_some());
        assert!(id_problem(&design, "b", "Bad Name").is_some());
        assert!(id_problem(&design, "b", "good-name").is_none());
        assert!(binding_problem(&design, "a", "X", "9X").is_some());
        assert!(binding_problem(&design, "a", "X", "CATALOG").is_none());
        assert!(binding_problem(&design, "a", "X", "$CATALOG").is_none());
    }
}
