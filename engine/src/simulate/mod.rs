//! The simulator (issue: run and simulate).
