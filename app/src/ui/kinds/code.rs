//! A code Worker's parts of the Worker card and form: where its code is, its settings, and
//! the typical request the simulator, the cost estimate and validation use.

use edgewire_engine::model::{BindingUse, Code};
use eframe::egui::{self, RichText};

use crate::ui::inspector::fields::{self, FormContext, section};

/// The card's lines for a code Worker.
pub fn summary(code: &Code) -> Vec<String> {
    if code.external {
        return vec!["not in this project".to_owned()];
    }
    let mut lines = vec![if code.source.is_empty() {
        "no entry module".to_owned()
    } else {
        code.source.clone()
    }];
    if code.typical.is_empty() {
        lines.push("typical request: no bindings".to_owned());
    } else {
        let uses: Vec<String> = code
            .typical
            .iter()
            .map(|u| match u.times {
                1 => u.binding.clone(),
                n => format!("{}×{n}", u.binding),
            })
            .collect();
        lines.push(format!("uses {}", uses.join(", ")));
    }
    lines
}

/// The form of a code Worker: what it is, then its typical request.
pub fn code_ui(ui: &mut egui::Ui, code: &mut Code, cx: &FormContext<'_>) {
    section(ui, "Code");
    if code.external {
        ui.label(
            "An external Worker: another project's, bound by service binding. It is drawn and \
             simulated as one hop, never run or exported.",
        );
        return;
    }
    fields::form_grid("code_facts").show(ui, |ui| {
        for (label, value) in [
            ("Entry module", code.source.as_str()),
            ("Configuration", code.config.as_str()),
            ("Compatibility date", code.compatibility_date.as_str()),
        ] {
            ui.label(label);
            ui.label(RichText::new(value).monospace());
            ui.end_row();
        }
        for (label, names) in [
            ("Flags", &code.compatibility_flags),
            ("Vars", &code.vars),
            ("Secrets", &code.secrets),
        ] {
            if !names.is_empty() {
                ui.label(label);
                ui.label(RichText::new(names.join(", ")).monospace());
                ui.end_row();
            }
        }
    });
    ui.label(
        RichText::new(
            "Its code is your project's: Run answers it with 501, and Export copies its folder \
             unchanged.",
        )
        .small()
        .italics(),
    );
    section(ui, "Typical request");
    ui.label(
        RichText::new(
            "Which bindings one request uses, and how many times: the simulator, the cost \
             estimate and the deploy order follow it.",
        )
        .small(),
    );
    let bindings: Vec<String> = cx.bindings.iter().map(|(name, _)| name.clone()).collect();
    let is_store = |binding: &str| {
        cx.bindings
            .iter()
            .any(|(name, kind)| name == binding && kind.is_store())
    };
    fields::rows_ui(
        ui,
        &mut code.typical,
        ("typical", "Use"),
        |ui, index, using| {
            ui.push_id(("use", index), |ui| {
                fields::choose(ui, "use_binding", &mut using.binding, &bindings);
            });
            ui.add(
                egui::DragValue::new(&mut using.times)
                    .range(1..=100)
                    .suffix("×"),
            )
            .accessible_name("Times");
            // A service call neither reads nor writes: only stores say which.
            if is_store(&using.binding) {
                ui.checkbox(&mut using.writes, "writes");
            }
        },
        |uses| {
            let unused = bindings
                .iter()
                .find(|b| !uses.iter().any(|u| &u.binding == *b))
                .or(bindings.first())
                .cloned()
                .unwrap_or_default();
            BindingUse::new(unused, 1)
        },
    );
}
