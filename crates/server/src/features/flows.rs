//! 办理 flows (`data/flows/`, the `yuesou-flows` crate) for the daemon:
//! loaded beside the engine and re-read when their files change (a broken
//! edit keeps the last good flows serving), the catalogue facts an item's
//! flow depends on, and the applicant's identity (real values, and masked
//! ones to show).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use yuesou_centre::Applicant;
use yuesou_centre::identity::{mask_id_number, mask_phone};
use yuesou_core::ServiceItem;
use yuesou_flows::{Flows, Identity};

use crate::reload::data::DataFiles;

/// The flows, re-read when a file under `data/flows/` changes.
pub type FlowFiles = DataFiles<Flows, String>;

/// Loads `flows/` under `data_root` and checks its wallet references
/// against `wallet/licence_types.json` there (when that file exists); the
/// error names every problem as `file: reason`.
pub fn load(data_root: &Path) -> Result<FlowFiles, String> {
    let dir = data_root.join("flows");
    let licences = data_root.join("wallet").join("licence_types.json");
    let paths = vec![dir.clone(), dir.join("services"), licences.clone()];
    DataFiles::load("flows", paths, move || build(&dir, &licences))
}

fn build(dir: &Path, licences: &PathBuf) -> Result<Flows, String> {
    let flows = Flows::load(dir).map_err(|e| e.to_string())?;
    if licences.is_file() {
        let types = yuesou_wallet::LicenceTypes::load(licences).map_err(|e| e.to_string())?;
        let fields: BTreeMap<String, BTreeSet<String>> = types
            .iter()
            .map(|t| {
                (
                    t.code.clone(),
                    t.fields.iter().map(|f| f.name.clone()).collect(),
                )
            })
            .collect();
        flows
            .check_wallet_types(&fields)
            .map_err(|e| e.to_string())?;
    }
    Ok(flows)
}

/// What an item's flow depends on, from its catalogue row.
pub fn facts(item: &ServiceItem) -> yuesou_flows::ItemFacts {
    yuesou_flows::ItemFacts {
        id: item.id.clone(),
        title: item.title.clone(),
        department: item.department.clone(),
        audience: item.audience.clone(),
        service_type: item.service_type.clone().unwrap_or_default(),
        steps: item.steps.clone(),
        materials: item.materials.clone(),
        login_level: item.login_level.clone().unwrap_or_default(),
    }
}

/// The applicant's identity for a flow: `shown` with the ID and phone
/// numbers masked as everywhere else, for the prefill a client receives.
pub struct ApplicantIdentity {
    /// The values as shown: 公民身份号码 `4401**********123X`, phone
    /// `138****0001`; names and credit codes as they are.
    pub shown: Identity,
    /// The session's level.
    pub level: yuesou_flows::Level,
}

impl ApplicantIdentity {
    /// The identity of `applicant` in a session of `level`.
    pub fn new(applicant: Applicant, level: yuesou_centre::Level) -> ApplicantIdentity {
        let real = Identity {
            name: applicant.name,
            id_number: applicant.id_number,
            phone: applicant.phone,
            // The profile's address is free text without a division code:
            // nothing an `address` field can take.
            address: None,
            org_name: applicant.org_name,
            uscc: applicant.uscc,
        };
        let shown = Identity {
            id_number: real.id_number.as_deref().map(mask_id_number),
            phone: real.phone.as_deref().map(mask_phone),
            ..real
        };
        let level = match level {
            yuesou_centre::Level::L1 => yuesou_flows::Level::L1,
            yuesou_centre::Level::L2 => yuesou_flows::Level::L2,
            yuesou_centre::Level::L3 => yuesou_flows::Level::L3,
        };
        ApplicantIdentity { shown, level }
    }
}
