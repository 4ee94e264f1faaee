//! The dashboard's bar charts.

use crate::markdown::Html;

use super::super::pages::Page;

impl<'a> Page<'a> {
    /// The dashboard's charts, each with its table (empty without pictures).
    pub fn dashboard_charts(&self) -> Html {
        Html::default()
    }
}
