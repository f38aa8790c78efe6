//! The applicant's identity: what prefills a flow's fields, and which of
//! those fields a verified identity locks.

use serde_json::{Map, Value, json};

use crate::model::{Flow, Prefill};

/// 登录级别 — how sure the platform is of who applies: L1 registered, L2
/// real-name verified, L3 face verified. (The daemon maps its own level.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Registered (phone bound).
    L1,
    /// Real-name verified (name + 公民身份号码).
    L2,
    /// Face verified.
    L3,
}

impl Level {
    /// From `L1` / `L2` / `L3`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "L1" => Some(Level::L1),
            "L2" => Some(Level::L2),
            "L3" => Some(Level::L3),
            _ => None,
        }
    }
}

/// A Guangdong address from the person's profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// Division code (6 or 9 digits).
    pub code: String,
    /// Street, building, room.
    pub detail: String,
}

/// What the platform knows of the applicant. Organisation values are set
/// when the person acts for an organisation (as its 经办人).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Real name.
    pub name: Option<String>,
    /// 公民身份号码.
    pub id_number: Option<String>,
    /// Mobile number.
    pub phone: Option<String>,
    /// Address from the profile.
    pub address: Option<Address>,
    /// The organisation's name.
    pub org_name: Option<String>,
    /// The organisation's 统一社会信用代码.
    pub uscc: Option<String>,
}

impl Identity {
    /// The text value a prefill takes (`None` for the address, which is not text).
    pub(crate) fn value_of(&self, prefill: Prefill) -> Option<&str> {
        match prefill {
            Prefill::Name => self.name.as_deref(),
            Prefill::IdNumber => self.id_number.as_deref(),
            Prefill::Phone => self.phone.as_deref(),
            Prefill::OrgName => self.org_name.as_deref(),
            Prefill::Uscc => self.uscc.as_deref(),
            Prefill::Address => None,
        }
    }
}

impl Flow {
    /// The answers the identity fills in advance: every field with a
    /// `prefill` whose value the identity has, keyed by field name, in the
    /// answer shape of its type (an address as `{"code", "detail"}`).
    pub fn prefill(&self, identity: &Identity) -> Map<String, Value> {
        let mut out = Map::new();
        for field in self.fields() {
            let Some(prefill) = field.prefill else {
                continue;
            };
            let value = match prefill {
                Prefill::Address => identity
                    .address
                    .as_ref()
                    .map(|a| json!({"code": a.code, "detail": a.detail})),
                _ => identity
                    .value_of(prefill)
                    .map(|s| Value::String(s.to_owned())),
            };
            if let Some(v) = value {
                out.insert(field.name.clone(), v);
            }
        }
        out
    }

    /// The fields a person at `level` may not change: at L2 and above, the
    /// fields prefilled from the verified identity (name, id_number,
    /// org_name, uscc). Phone and address stay editable.
    pub fn read_only(&self, level: Level) -> Vec<&str> {
        if level < Level::L2 {
            return Vec::new();
        }
        self.fields()
            .filter(|f| f.prefill.is_some_and(Prefill::is_identity))
            .map(|f| f.name.as_str())
            .collect()
    }
}
