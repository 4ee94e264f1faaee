//! ropa: a GDPR Record of Processing Activities (Art. 30) kept as TOML,
//! compiled into diagnostics, a static site and a JSON register.
//!
//! The pipeline, one module per stage:
//! load (files → typed values with spans) → validate (rules → diagnostics)
//! → resolve (a linked, read-only register) → render (site) and export.

pub mod check;
pub mod diag;
pub mod diff;
pub mod export;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod reference;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod schemas;
pub mod serve;
pub mod timing;
pub mod validate;
