//! The local engine (issue: local engine).
