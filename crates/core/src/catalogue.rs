//! The service catalogue (事项目录): the items people search for.
//!
//! A catalogue is a JSON Lines file, one [`ServiceItem`] per line; see
//! `docs/DATA.md` for every field. Only `id` and `title` are required: a
//! missing region means province-wide, a missing popularity means neutral.
//! Loading validates every row and reports each bad one with file, line and
//! reason.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, RowError, read_to_string};
use crate::frames::Eligibility;
use crate::gazetteer::{Gazetteer, PROVINCE_CODE};

/// Neutral popularity prior for items that do not state one.
pub const NEUTRAL_POPULARITY: f32 = 50.0;

/// 服务对象 — who a service is for.
pub const AUDIENCES: [&str; 2] = ["自然人", "法人"];
/// 事项类型 — the kind of service, as the app files it.
pub const SERVICE_TYPES: [&str; 5] = ["查询", "办理", "预约", "缴费", "证明"];
/// 登录级别 — the account level a service requires: L1 registered, L2
/// real-name verified, L3 verified by face recognition.
pub const LOGIN_LEVELS: [&str; 3] = ["L1", "L2", "L3"];

/// 事项 — one government service a citizen or company can find and use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceItem {
    /// Stable opaque identifier.
    pub id: String,
    /// 事项名称 — the name the app shows.
    pub title: String,
    /// 别名 — other official or common names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// 关键词 — what people actually type to find it.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// 分类 — top-level category (常用服务, 专项服务, 人生事 …).
    #[serde(default)]
    pub category: String,
    /// 主题 — theme within the category (公积金, 社保 …).
    #[serde(default)]
    pub theme: String,
    /// 实施部门 — the department that runs it.
    #[serde(default)]
    pub department: String,
    /// 行政区划代码 — the region that offers it (6-digit code).
    #[serde(default = "province")]
    pub region_code: String,
    /// 服务对象 — 自然人 (individuals) and/or 法人 (organisations).
    #[serde(default)]
    pub audience: Vec<String>,
    /// 事项类型 — 查询 / 办理 / 预约 / 缴费 / 证明.
    #[serde(default)]
    pub service_type: Option<String>,
    /// Can be done online (网上办).
    #[serde(default)]
    pub online: Option<bool>,
    /// Can be done at a service hall (窗口办).
    #[serde(default)]
    pub in_person: Option<bool>,
    /// 登录级别 required (L1 / L2 / L3).
    #[serde(default)]
    pub login_level: Option<String>,
    /// 办理流程 — the standard steps.
    #[serde(default)]
    pub steps: Vec<String>,
    /// 申请材料 — documents to prepare.
    #[serde(default)]
    pub materials: Vec<String>,
    /// 事项说明 — a short description.
    #[serde(default)]
    pub description: String,
    /// Popularity prior, 0–100 (50 is neutral).
    #[serde(default)]
    pub popularity: Option<f32>,
    /// Link to the service, if any.
    #[serde(default)]
    pub url: String,
    /// 适用对象 — who the service is for (ages, relatives, whose 户口
    /// moves), when its authoring data states it: matched against a
    /// query's frame (see [`crate::Frame`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<Eligibility>,
}

fn province() -> String {
    PROVINCE_CODE.to_string()
}

impl ServiceItem {
    /// The popularity prior, neutral when unset.
    pub fn popularity(&self) -> f32 {
        self.popularity.unwrap_or(NEUTRAL_POPULARITY)
    }

    fn validate(&self, gazetteer: &Gazetteer) -> std::result::Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("`id` is empty".into());
        }
        if self
            .id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(format!(
                "`id` {:?} contains whitespace, a control character or '/'",
                self.id
            ));
        }
        if self.title.trim().is_empty() {
            return Err("`title` is empty".into());
        }
        if gazetteer.division(&self.region_code).is_none() {
            return Err(format!("unknown `region_code` {:?}", self.region_code));
        }
        if let Some(bad) = self
            .audience
            .iter()
            .find(|a| !AUDIENCES.contains(&a.as_str()))
        {
            return Err(format!(
                "unknown `audience` {bad:?} (expected one of {AUDIENCES:?})"
            ));
        }
        if let Some(kind) = &self.service_type
            && !SERVICE_TYPES.contains(&kind.as_str())
        {
            return Err(format!(
                "unknown `service_type` {kind:?} (expected one of {SERVICE_TYPES:?})"
            ));
        }
        if let Some(level) = &self.login_level
            && !LOGIN_LEVELS.contains(&level.as_str())
        {
            return Err(format!(
                "unknown `login_level` {level:?} (expected one of {LOGIN_LEVELS:?})"
            ));
        }
        if let Some(p) = self.popularity
            && !(0.0..=100.0).contains(&p)
        {
            return Err(format!("`popularity` {p} is outside 0–100"));
        }
        Ok(())
    }
}

/// A validated catalogue: items in file order, addressable by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    items: Vec<ServiceItem>,
    by_id: HashMap<String, usize>,
}

impl Catalogue {
    /// Loads and validates a JSON Lines catalogue file.
    pub fn load(path: &Path, gazetteer: &Gazetteer) -> Result<Self> {
        let text = read_to_string(path)?;
        Self::parse(&text, path, gazetteer)
    }

    /// Parses and validates JSON Lines text; `path` names the source in errors.
    pub fn parse(text: &str, path: &Path, gazetteer: &Gazetteer) -> Result<Self> {
        let mut errors = Vec::new();
        let mut catalogue = Catalogue::default();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let mut fail = |reason: String| {
                errors.push(RowError {
                    file: path.to_path_buf(),
                    line: line_no,
                    reason,
                })
            };
            let item: ServiceItem = match serde_json::from_str(line) {
                Ok(item) => item,
                Err(e) => {
                    fail(format!("invalid item: {e}"));
                    continue;
                }
            };
            if let Err(reason) = item.validate(gazetteer) {
                fail(reason);
                continue;
            }
            if let Some(first) = catalogue.by_id.get(&item.id) {
                fail(format!(
                    "duplicate id {:?} (first used by item #{})",
                    item.id,
                    first + 1
                ));
                continue;
            }
            catalogue.push(item);
        }
        if !errors.is_empty() {
            return Err(Error::InvalidRows(errors));
        }
        Ok(catalogue)
    }

    /// Builds a catalogue from items already in memory (used by generators and
    /// tests). Items are validated like rows of a file.
    pub fn from_items(items: Vec<ServiceItem>, gazetteer: &Gazetteer) -> Result<Self> {
        let mut errors = Vec::new();
        let mut catalogue = Catalogue::default();
        for (index, item) in items.into_iter().enumerate() {
            let reason = match item.validate(gazetteer) {
                Err(reason) => Some(reason),
                Ok(()) if catalogue.by_id.contains_key(&item.id) => {
                    Some(format!("duplicate id {:?}", item.id))
                }
                Ok(()) => None,
            };
            match reason {
                Some(reason) => errors.push(RowError {
                    file: "<memory>".into(),
                    line: index + 1,
                    reason,
                }),
                None => catalogue.push(item),
            }
        }
        if errors.is_empty() {
            Ok(catalogue)
        } else {
            Err(Error::InvalidRows(errors))
        }
    }

    fn push(&mut self, item: ServiceItem) {
        self.by_id.insert(item.id.clone(), self.items.len());
        self.items.push(item);
    }

    /// All items in file order.
    pub fn items(&self) -> &[ServiceItem] {
        &self.items
    }

    /// The item with this id.
    pub fn get(&self, id: &str) -> Option<&ServiceItem> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    /// Position of an item (its ordinal in the index).
    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the catalogue has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_id_and_title_are_required() {
        let g = Gazetteer::minimal_for_tests();
        let c =
            Catalogue::parse(r#"{"id":"a","title":"户籍迁移"}"#, Path::new("c.jsonl"), &g).unwrap();
        let item = c.get("a").unwrap();
        assert_eq!(item.region_code, "440000");
        assert_eq!(item.popularity(), NEUTRAL_POPULARITY);
    }

    #[test]
    fn reports_each_bad_row_with_line_and_reason() {
        let g = Gazetteer::minimal_for_tests();
        let text = [
            r#"{"id":"a","title":"ok"}"#,
            r#"{"id":"b"}"#,
            r#"{"id":"c","title":"x","region_code":"999999"}"#,
            "not json",
            r#"{"id":"a","title":"dup"}"#,
            r#"{"id":"d","title":"x","service_type":"玩"}"#,
            r#"{"id":"e","title":"x","titel":"typo"}"#,
            r#"{"id":"f","title":"x","popularity":101}"#,
        ]
        .join("\n");
        let Err(Error::InvalidRows(rows)) = Catalogue::parse(&text, Path::new("c.jsonl"), &g)
        else {
            panic!("expected row errors");
        };
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8]);
        assert!(rows[0].reason.contains("title"), "{}", rows[0].reason);
        assert!(rows[1].reason.contains("999999"));
        assert!(rows[3].reason.contains("duplicate"));
        assert!(rows[5].reason.contains("titel"));
        assert!(rows.iter().all(|r| r.file == Path::new("c.jsonl")));
    }
}
