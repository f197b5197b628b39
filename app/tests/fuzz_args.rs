//! Fuzzed command lines: any arguments, made of the real subcommands and options or of noise,
//! are parsed into a command or refused with clap's usage message; never a panic.

use clap::Parser as _;
use edgewire::cli::Cli;
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "validate",
            "fmt",
            "serve",
            "scenario",
            "export",
            "openapi",
            "import",
            "diagram",
            "simulate",
            "--format",
            "json",
            "yaml",
            "text",
            "mermaid",
            "svg",
            "--out",
            "--check",
            "--port",
            "0",
            "65536",
            "-1",
            "--url",
            "--force",
            "--from",
            "--fix",
            "--help",
            "--version",
            "--single-region",
            "--d1-primary",
            "--replication",
            "on",
            "off",
            "--cache-hit-ratio",
            "NaN",
            "1e309",
            "--smart-placement",
            "--",
            "-",
            "",
            "examples/global-api.ron",
            "wrangler",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,12}",
        "--[a-z-]{1,16}(=[ -~]{0,8})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_command_line_parses_or_is_refused(args in prop::collection::vec(word(), 0..7)) {
        let argv = std::iter::once("edgewire".to_owned()).chain(args);
        match Cli::try_parse_from(argv) {
            Ok(_) => {}
            Err(err) => prop_assert!(!err.render().to_string().is_empty()),
        }
    }
}
