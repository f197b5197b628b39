//! The app's side of each node kind, one module per kind: its icon, the lines its card
//! shows and its inspector form. [`of`] is the registry, the one place in the app that
//! matches over kinds; a new kind is a new module here and one line in [`of`]. What is
//! plain data about a kind (name, badge, colour, role, defaults) is the engine's `KINDS`.

mod client;
mod code;
mod d1;
mod gateway;
mod hyperdrive;
mod kv;
mod note;
mod worker;

use edgewire_engine::{Kind, NodeKind};
use eframe::egui::{self, Color32, Painter, Pos2, Rect, vec2};

use super::icons::Pen;
use super::inspector::fields::FormContext;

/// The app's parts of one node kind. The methods that take a `NodeKind` are only ever given
/// their own kind's variant.
pub trait KindUi {
    /// Draw the kind's icon.
    fn icon(&self, pen: &Pen<'_>);

    /// What the node holds, one line each, for its card (the card cuts them to fit).
    fn summary(&self, kind: &NodeKind) -> Vec<String>;

    /// The text a note card shows instead of a title bar and summary lines; `None` for a
    /// regular card.
    fn note_text<'a>(&self, _kind: &'a NodeKind) -> Option<&'a str> {
        None
    }

    /// The inspector form: every field of the kind's data.
    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, cx: &FormContext<'_>);
}

/// The app's parts of `kind`.
pub fn of(kind: Kind) -> &'static dyn KindUi {
    match kind {
        Kind::Client => &client::ClientUi,
        Kind::Gateway => &gateway::GatewayUi,
        Kind::Worker => &worker::WorkerUi,
        Kind::Kv => &kv::KvUi,
        Kind::D1 => &d1::D1Ui,
        Kind::Hyperdrive => &hyperdrive::HyperdriveUi,
        Kind::Note => &note::NoteUi,
    }
}

/// Paint the icon of `kind` inside `rect` (square works best) in `color`.
pub fn paint_icon(painter: &Painter, rect: Rect, kind: Kind, color: Color32) {
    of(kind).icon(&Pen::new(painter, rect, color));
}

/// Paint an icon in a small square at `center` (palette entries, lists).
pub fn paint_icon_at(painter: &Painter, center: Pos2, side: f32, kind: Kind, color: Color32) {
    paint_icon(
        painter,
        Rect::from_center_size(center, vec2(side, side)),
        kind,
        color,
    );
}

/// `1 migration`, `2 migrations`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
