//! The world map: where data goes, from `themes/default/map/world.tsv`.

use crate::markdown::Html;

use super::super::pages::Page;

impl<'a> Page<'a> {
    /// The world map; `small` for the dashboard (empty without pictures).
    pub fn world_map(&self, _small: bool) -> Html {
        Html::default()
    }
}
