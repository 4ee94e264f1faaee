//! ropa: a GDPR Record of Processing Activities (Art. 30) kept as TOML,
//! compiled into diagnostics, a static site and a JSON register.
//!
//! The pipeline, one module per stage:
//! load (files → typed values with spans) → link (index, back-links,
//! flows, adequacy verdicts, computed once) → validate (rules that read the
//! links → diagnostics) → render (site) and export, which read the links
//! and never judge again.

// A malformed registry gets a diagnostic, never a panic: outside tests,
// no `unwrap` or `expect` (errors are typed and reported in one place).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod diag;
pub mod diff;
pub mod export;
pub mod history;
pub mod i18n;
pub mod import;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod reference;
pub mod render;
pub mod scaffold;
pub mod schemas;
pub mod serve;
pub mod timing;
pub mod validate;
