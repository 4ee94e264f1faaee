//! The flow of each activity and the chain of each processor, drawn left
//! to right.

use crate::markdown::Html;
use crate::model::{Activity, Processor};

use super::super::pages::Page;

impl<'a> Page<'a> {
    /// The activity's flow diagram (empty without pictures).
    pub fn activity_flow(&self, _a: &'a Activity) -> Html {
        Html::default()
    }

    /// The processor's chain diagram (empty without pictures).
    pub fn processor_chain(&self, _x: &'a Processor) -> Html {
        Html::default()
    }
}
