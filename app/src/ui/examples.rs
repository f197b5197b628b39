//! The example designs embedded in the binary. Add a new example here, in one place.

/// An embedded example design.
pub struct Example {
    /// Menu label.
    pub title: &'static str,
    /// The file name it is saved under by default.
    pub file_name: &'static str,
    /// The design text.
    pub text: &'static str,
}

/// Every example, the reference architecture first.
pub const EXAMPLES: &[Example] = &[Example {
    title: "Global API (reference architecture)",
    file_name: "global-api.ron",
    text: include_str!("../../../examples/global-api.ron"),
}];

/// The reference example the app opens on.
pub fn reference() -> &'static Example {
    &EXAMPLES[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_loads() {
        for example in EXAMPLES {
            let design = edgewire_engine::format::parse(example.text);
            assert!(design.is_ok(), "{}: {:?}", example.file_name, design.err());
        }
    }
}
