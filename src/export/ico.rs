//! CSV in the column layout of the UK ICO's documentation templates.
//! (Being written: see the export issue.)

use super::json::RegisterJson;

/// Which Art. 30 record: the ICO's controller or processor template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Controller,
    Processor,
}

/// The CSV of one record.
pub fn csv(_register: &RegisterJson, _record: Record) -> Result<Vec<u8>, String> {
    Err("the CSV export is not built yet".into())
}
