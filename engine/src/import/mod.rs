//! Designs from what exists already: Workers projects ([`wrangler`]). OpenAPI documents
//! come in through [`crate::openapi::import`].

pub mod wrangler;
