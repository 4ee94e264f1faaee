//! Pictures: static SVG drawn into the pages (issue #16, docs/site.md#pictures).
//!
//! - [`flow`]: each activity's flow (data subjects → activity → processors
//!   and recipients → sub-processors) and each processor's chain;
//! - [`map`]: the world map of where data goes (`themes/default/map/world.tsv`);
//! - [`chart`]: the dashboard's bar charts.
//!
//! Every picture is inline `<svg>` with a `<title>` and a `<desc>`, styled
//! only by classes the theme's CSS colours (the pages' CSP allows no inline
//! style), with no script and no reference outside the site: no `xmlns`
//! even, which inline SVG in HTML does not need. Layout is on an integer
//! grid, so the same register gives byte-identical SVG. The same facts are
//! always on the page as a table or list too. Pictures read the linked
//! register's verdicts ([`crate::link::Ground`]); they judge nothing.

pub mod chart;
pub mod flow;
pub mod map;
mod svg;
