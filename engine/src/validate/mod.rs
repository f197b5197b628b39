//! Validation (placeholder).
