//! Service halls (办事大厅 / 政务服务中心): where people go in person.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, RowError, read_to_string};
use crate::gazetteer::Gazetteer;

/// 办事大厅 — a service hall with its address, hours and the themes it handles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceHall {
    /// Stable identifier.
    pub id: String,
    /// Name (广州市天河区政务服务中心).
    pub name: String,
    /// Division code of the hall's region.
    pub region_code: String,
    /// Street address.
    pub address: String,
    /// Latitude (GCJ-02).
    pub lat: f64,
    /// Longitude (GCJ-02).
    pub lng: f64,
    /// Opening hours as shown to citizens.
    #[serde(default)]
    pub opening_hours: String,
    /// Telephone.
    #[serde(default)]
    pub phone: String,
    /// Themes (主题) whose services the hall handles.
    #[serde(default)]
    pub themes: Vec<String>,
}

/// Loads and validates a JSON Lines file of halls.
pub fn load_halls(path: &Path, gazetteer: &Gazetteer) -> Result<Vec<ServiceHall>> {
    let text = read_to_string(path)?;
    let mut errors = Vec::new();
    let mut halls: Vec<ServiceHall> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let reason = match serde_json::from_str::<ServiceHall>(line) {
            Err(e) => Some(format!("invalid hall: {e}")),
            Ok(h) if gazetteer.division(&h.region_code).is_none() => {
                Some(format!("unknown `region_code` {:?}", h.region_code))
            }
            Ok(h) if !(-90.0..=90.0).contains(&h.lat) || !(-180.0..=180.0).contains(&h.lng) => {
                Some(format!("coordinate {},{} out of range", h.lat, h.lng))
            }
            Ok(h) if halls.iter().any(|o| o.id == h.id) => Some(format!("duplicate id {:?}", h.id)),
            Ok(h) => {
                halls.push(h);
                None
            }
        };
        if let Some(reason) = reason {
            errors.push(RowError {
                file: path.to_path_buf(),
                line: index + 1,
                reason,
            });
        }
    }
    if errors.is_empty() {
        Ok(halls)
    } else {
        Err(Error::InvalidRows(errors))
    }
}
