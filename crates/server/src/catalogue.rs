//! What the personal centre needs to know of a catalogue item (the engine's
//! row, seen by the centre, which knows no engine).

use yuesou_centre::{ItemInfo, Level};
use yuesou_core::ServiceItem;

/// What the centre needs of a catalogue item.
pub(crate) fn item_info(item: &ServiceItem) -> ItemInfo {
    ItemInfo {
        id: item.id.clone(),
        title: item.title.clone(),
        region_code: item.region_code.clone(),
        department: item.department.clone(),
        login_level: item
            .login_level
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(Level::L1),
        steps: item.steps.clone(),
        flow: None,
    }
}
