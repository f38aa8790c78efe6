//! The flows crate's suite: loading, checking and deriving flows, their
//! schemas and (with the `openapi` feature) their OpenAPI description.

mod common;

mod check;
mod derive;
mod load;
mod openapi;
mod schema;
