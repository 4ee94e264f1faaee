//! Cases for acknowledged warnings (contract 1.1): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use super::tests::Case;

pub(super) fn cases() -> Vec<Case> {
    vec![]
}
