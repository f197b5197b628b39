//! Editing operations that turn a user gesture into an [`Edit`]: copy and paste as design
//! text, duplicate, delete, default binding names and auto-layout. Pure functions over the
//! design, tested without a window.

use std::collections::{BTreeMap, BTreeSet};

use edgewire_engine::edit::Edit;
use edgewire_engine::graph::{DesignGraph, wire_role};
use edgewire_engine::{Design, NodeId, Pos, Wire, format};

use super::canvas::card;
use super::theme::size;

/// The design text of some nodes, the wires between them and their positions: what Copy puts
/// on the clipboard. It is a complete design file, so it pastes into a text editor too.
pub fn selection_text(design: &Design, ids: &BTreeSet<NodeId>) -> String {
    let mut part = Design::new(design.name.clone());
    part.nodes = design
        .nodes
        .iter()
        .filter(|n| ids.contains(&n.id))
        .cloned()
        .collect();
    part.wires = design
        .wires
        .iter()
        .filter(|w| ids.contains(&w.from) && ids.contains(&w.to))
        .cloned()
        .collect();
    part.layout = design
        .layout
        .iter()
        .filter(|(id, _)| ids.contains(*id))
        .map(|(id, pos)| (id.clone(), *pos))
        .collect();
    format::to_string(&part)
}

/// The edit that pastes design text into `design`: nodes get fresh ids where theirs are
/// taken, wires follow, and the group lands with its top-left corner at `at` (or offset from
/// where it was copied). Returns the edit and the new ids.
pub fn paste_edit(
    design: &Design,
    text: &str,
    at: Option<Pos>,
) -> Result<(Edit, Vec<NodeId>), String> {
    let part = format::parse(text)
        .map_err(|err| format!("the clipboard does not hold a design: {err}"))?;
    if part.nodes.is_empty() {
        return Err("the clipboard design has no nodes".to_owned());
    }
    let mut taken = design.clone();
    let mut renames: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    let mut edits = Vec::new();
    let origin = part
        .layout
        .values()
        .fold(None, |acc: Option<Pos>, p| {
            Some(acc.map_or(*p, |a| Pos::new(a.x.min(p.x), a.y.min(p.y))))
        })
        .unwrap_or_default();
    let shift = at.map_or(Pos::new(40.0, 40.0), |at| {
        Pos::new(at.x - origin.x, at.y - origin.y)
    });
    let mut new_ids = Vec::new();
    for (index, node) in part.nodes.iter().enumerate() {
        let id = taken.unique_id(&node.id);
        let mut node = node.clone();
        let old = part.layout.get(&node.id).copied();
        renames.insert(node.id.clone(), id.clone());
        node.id.clone_from(&id);
        let base = old.unwrap_or(Pos::new(origin.x, origin.y + index as f32 * 60.0));
        let pos = Pos::new(base.x + shift.x, base.y + shift.y);
        let edit = Edit::AddNode { node, pos };
        taken.apply(&edit).map_err(|e| e.to_string())?;
        edits.push(edit);
        new_ids.push(id);
    }
    for wire in &part.wires {
        let (Some(from), Some(to)) = (renames.get(&wire.from), renames.get(&wire.to)) else {
            continue;
        };
        edits.push(Edit::Connect {
            wire: Wire::new(from.clone(), to.clone(), wire.binding.clone()),
        });
    }
    Ok((Edit::Batch { edits }, new_ids))
}

/// The edit that deletes nodes and a wire.
pub fn delete_edit(ids: &BTreeSet<NodeId>, wire: Option<&(NodeId, NodeId)>) -> Option<Edit> {
    let mut edits = Vec::new();
    if let Some((from, to)) = wire
        && !ids.contains(from)
        && !ids.contains(to)
    {
        edits.push(Edit::Disconnect {
            from: from.clone(),
            to: to.clone(),
        });
    }
    if !ids.is_empty() {
        edits.push(Edit::RemoveNodes {
            ids: ids.iter().cloned().collect(),
        });
    }
    match edits.len() {
        0 => None,
        1 => edits.pop(),
        _ => Some(Edit::Batch { edits }),
    }
}

/// A binding name for a new wire from `from` to `to`: the target's id in upper snake case
/// for a service binding (`PRODUCTS` for a worker `products`), `CACHE`, `DB` or `HYPERDRIVE`
/// for stores, made unique among `from`'s bindings; empty for Client requests.
pub fn default_binding(design: &Design, from: &str, to: &str) -> String {
    let (Some(source), Some(target)) = (design.node(from), design.node(to)) else {
        return String::new();
    };
    let Ok(role) = wire_role(source.kind.kind(), target.kind.kind()) else {
        return String::new();
    };
    if !role.has_binding() {
        return String::new();
    }
    let kind = target.kind.kind();
    let base = if kind.is_worker() {
        upper_snake(to)
    } else {
        kind.default_binding().to_owned()
    };
    if design.binding(from, &base).is_none() {
        return base;
    }
    (2..=10_000)
        .map(|n| format!("{base}_{n}"))
        .find(|name| design.binding(from, name).is_none())
        .unwrap_or(base)
}

/// `product-cache` -> `PRODUCT_CACHE`; a leading digit gets an underscore in front.
pub fn upper_snake(id: &str) -> String {
    let mut out = edgewire_engine::model::to_upper_snake(id);
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if out.is_empty() {
        "SERVICE".to_owned()
    } else {
        out
    }
}

/// Auto-layout ("tidy up"): layered left to right (clients, gateway, services, data) from the
/// graph, each column centred vertically, snapped to the grid.
pub fn tidy_up(design: &Design) -> Edit {
    let layers = DesignGraph::new(design).layers();
    let mut positions = BTreeMap::new();
    let heights: Vec<f32> = layers
        .iter()
        .map(|layer| {
            layer
                .iter()
                .filter_map(|id| design.node(id))
                .map(|n| card::size(n).y + size::LAYOUT_ROW_GAP)
                .sum::<f32>()
        })
        .collect();
    let tallest = heights.iter().copied().fold(0.0, f32::max);
    for (column, (layer, height)) in layers.iter().zip(&heights).enumerate() {
        let x = column as f32 * size::LAYOUT_COLUMN;
        let mut y = snap((tallest - height) / 2.0);
        for id in layer {
            let Some(node) = design.node(id) else {
                continue;
            };
            positions.insert(id.clone(), Pos::new(x, y));
            y = snap(y + card::size(node).y + size::LAYOUT_ROW_GAP);
        }
    }
    Edit::Move { positions }
}

/// A file-name-friendly version of a design name (`Global API` -> `global-api`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "design".to_owned()
    } else {
        out
    }
}

/// Round a coordinate to the grid.
pub fn snap(value: f32) -> f32 {
    (value / size::GRID).round() * size::GRID
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::examples;

    fn reference() -> Design {
        format::parse(examples::reference().text).expect("reference parses")
    }

    #[test]
    fn default_bindings_follow_the_target() {
        let mut design = reference();
        assert_eq!(default_binding(&design, "gateway", "orders"), "ORDERS_2");
        assert_eq!(default_binding(&design, "orders", "config"), "CACHE");
        assert_eq!(default_binding(&design, "orders", "app-db"), "DB");
        assert_eq!(default_binding(&design, "users", "orders-db"), "HYPERDRIVE");
        assert_eq!(
            default_binding(&design, "products", "product-cache"),
            "CACHE_2"
        );
        assert_eq!(default_binding(&design, "web", "gateway"), "");
        design.nodes.retain(|n| n.id != "orders");
        assert_eq!(upper_snake("product-cache"), "PRODUCT_CACHE");
    }

    #[test]
    fn copy_then_paste_adds_renamed_nodes_with_their_wires() {
        let design = reference();
        let ids: BTreeSet<NodeId> = ["products".into(), "product-cache".into()].into();
        let text = selection_text(&design, &ids);
        let (edit, new_ids) = paste_edit(&design, &text, None).expect("pastes");
        let mut pasted = design.clone();
        pasted.apply(&edit).expect("applies");
        assert_eq!(pasted.nodes.len(), design.nodes.len() + 2);
        assert_eq!(new_ids, ["product-cache-2", "products-2"]);
        assert!(
            pasted
                .binding("products-2", "CACHE")
                .is_some_and(|w| w.to == "product-cache-2")
        );
    }

    #[test]
    fn tidy_up_puts_clients_left_and_data_right() {
        let design = reference();
        let Edit::Move { positions } = tidy_up(&design) else {
            panic!("tidy up moves nodes");
        };
        let x = |id: &str| positions[id].x;
        assert!(x("web") < x("gateway"));
        assert!(x("gateway") < x("products"));
        assert!(x("products") < x("app-db"));
        assert_eq!(positions.len(), design.nodes.len());
    }

    #[test]
    fn delete_removes_nodes_and_a_wire() {
        let ids: BTreeSet<NodeId> = ["a".into()].into();
        let wire = ("b".to_owned(), "c".to_owned());
        assert!(matches!(
            delete_edit(&ids, Some(&wire)),
            Some(Edit::Batch { .. })
        ));
        assert!(delete_edit(&BTreeSet::new(), None).is_none());
    }
}
