//! Exports: the JSON register (Art. 30(4)) and the formats built from it.
//!
//! Entry points: [`json::to_json`], [`json::schema`]. Files are written
//! through [`crate::output::write_atomic`], so an export never leaves a
//! partial file.

pub mod dpv;
pub mod ico;
pub mod json;
pub mod xlsx;
