//! The exporter (issue: export).
