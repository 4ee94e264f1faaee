//! Exports: the JSON register (Art. 30(4)), the ICO CSV and XLSX, and DPV
//! JSON-LD, each read from the linked register ([`crate::link::Register`]).
//!
//! Entry points: [`json::write_json`], [`json::schema`], [`ico::write_csv`],
//! [`xlsx::workbook`], [`dpv::write_jsonld`]. Files are written through
//! [`crate::output::write_atomic`], so an export never leaves a partial file.

pub mod dpv;
pub mod ico;
pub mod json;
pub mod xlsx;
