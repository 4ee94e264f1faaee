//! JSON-LD with the W3C Data Privacy Vocabulary.
//! (Being written: see the export issue.)

use super::json::RegisterJson;

pub fn jsonld(_register: &RegisterJson) -> Result<String, String> {
    Err("the DPV export is not built yet".into())
}
