//! Presentation mode in the app: entering and leaving, its keys, the hop being replayed on
//! the canvas, and the frame (the canvas and a caption strip, nothing else).

use eframe::egui;

use super::EdgewireApp;
use crate::ui::present::{self, HopView, PresentKey, Presentation};
use crate::ui::run::Replay;

impl EdgewireApp {
    /// Whether the app is presenting.
    pub fn is_presenting(&self) -> bool {
        self.present.is_some()
    }

    /// The hop presentation mode shows, if it replays one.
    pub fn presented_hop(&self) -> Option<HopView> {
        let step = self.present.as_ref()?.step?;
        let trace = self.run.selected()?;
        let design = &self.doc.design;
        let canvas = &self.canvas;
        let note_of = |node: &str| {
            present::note_beside(design, node, &|n| canvas.node_rect(n, &design.layout))
        };
        present::hop_view(trace, design, step, &note_of)
    }

    /// View > Present (F11): enter, or leave when presenting.
    pub(super) fn toggle_present(&mut self, ctx: &egui::Context) {
        match self.present.take() {
            Some(presentation) => presentation.leave(ctx),
            None => self.present = Some(Presentation::enter(ctx)),
        }
    }

    /// Space/→, ← and Esc while presenting. Stepping with no trace selected picks the newest.
    pub(super) fn present_input(&mut self, ctx: &egui::Context) {
        let Some(key) = self.present.as_ref().and_then(|_| Presentation::key(ctx)) else {
            return;
        };
        let now = ctx.input(|i| i.time);
        if key == PresentKey::Leave {
            self.toggle_present(ctx);
            return;
        }
        if self.run.selected().is_none()
            && let Some(newest) = self.run.traces.last()
        {
            // The whole design stays in view: no zooming to the trace's nodes.
            self.run.selected_trace = Some(newest.id.clone());
            self.shown_trace.clone_from(&self.run.selected_trace);
        }
        let hops = self.run.selected().map_or(0, |t| t.hops.len());
        if let Some(presentation) = &mut self.present {
            match key {
                PresentKey::Next => presentation.next(hops, now),
                PresentKey::Back => presentation.back(now),
                PresentKey::Leave => {}
            }
        }
        ctx.request_repaint();
    }

    /// The replayed hop on the canvas: its wire, a dot on its way, its times beside it.
    pub(super) fn present_overlay(&mut self, now: f64, ctx: &egui::Context) {
        let Some(presentation) = &self.present else {
            return;
        };
        let t = presentation.progress(now);
        if let Some(hop) = self.presented_hop() {
            if t < 1.0 {
                ctx.request_repaint();
            }
            self.canvas.overlay.replay = Some(Replay {
                node: hop.node,
                wire: hop.wire,
                t,
                times: hop.times,
            });
        }
    }

    /// The frame while presenting: a caption strip and the canvas.
    pub(super) fn present_ui(&mut self, ui: &mut egui::Ui) {
        let Some(presentation) = self.present.clone() else {
            return;
        };
        let hop = self.presented_hop();
        // The selected request, else the newest (Space selects it).
        let trace = self
            .run
            .selected()
            .or_else(|| self.run.traces.last())
            .cloned();
        egui::Panel::bottom("caption_strip").show(ui, |ui| {
            present::caption_ui(
                ui,
                &presentation,
                &self.doc.design,
                trace.as_deref(),
                hop.as_ref(),
            );
        });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            self.canvas
                .ui(ui, &self.doc, &self.selection, &mut self.queue);
        });
        // The whole design in view whenever the canvas changes size (full screen, type).
        let size = self.canvas.rect.size();
        if let Some(presentation) = &mut self.present
            && presentation.fitted_to != Some(size)
        {
            presentation.fitted_to = Some(size);
            self.canvas.request_fit();
            ui.ctx().request_repaint();
        }
    }
}
