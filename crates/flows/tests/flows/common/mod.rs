//! Test helpers: the repository's data paths, the catalogue's 办理 items as
//! [`ItemFacts`], and a simple [`FieldChecks`] with real GB 11643 and GB 32100
//! check characters (the daemon brings its own validators).

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::json;
use yuesou_flows::{FieldChecks, Flow, ItemFacts};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `data/flows` of the repository.
pub fn flows_dir() -> PathBuf {
    root().join("data/flows")
}

/// Every item of `data/catalogue.jsonl` as catalogue facts.
pub fn catalogue() -> Vec<ItemFacts> {
    let text = std::fs::read_to_string(root().join("data/catalogue.jsonl")).expect("catalogue");
    let strings = |v: &serde_json::Value, key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("catalogue line");
            let s = |key: &str| v[key].as_str().unwrap_or("").to_owned();
            ItemFacts {
                id: s("id"),
                title: s("title"),
                department: s("department"),
                audience: strings(&v, "audience"),
                service_type: s("service_type"),
                steps: strings(&v, "steps"),
                materials: strings(&v, "materials"),
                login_level: s("login_level"),
            }
        })
        .collect()
}

/// The 17 digits with their GB 11643 check character appended.
pub fn with_id_check(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body17}{check}")
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The 17 characters with their GB 32100 check character appended.
pub fn with_uscc_check(body17: &str) -> String {
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body17
        .chars()
        .zip(W)
        .map(|(c, w)| USCC_CHARS.find(c).expect("uscc char") * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{body17}{}", &USCC_CHARS[check..=check])
}

/// GB 11643 / GB 32100 / mainland mobile checks and a two-division gazetteer.
pub struct TestChecks;

impl FieldChecks for TestChecks {
    fn id_number(&self, s: &str) -> Result<String, String> {
        let s = s.to_uppercase();
        let ok_shape = s.len() == 18
            && s[..17].bytes().all(|b| b.is_ascii_digit())
            && s[17..].bytes().all(|b| b.is_ascii_digit() || b == b'X');
        if !ok_shape {
            return Err("length".into());
        }
        if with_id_check(&s[..17]) != s {
            return Err("check_digit".into());
        }
        Ok(s)
    }

    fn uscc(&self, s: &str) -> Result<String, String> {
        let s = s.to_uppercase();
        if s.len() != 18 || !s.chars().all(|c| USCC_CHARS.contains(c)) {
            return Err("length".into());
        }
        if with_uscc_check(&s[..17]) != s {
            return Err("check_character".into());
        }
        Ok(s)
    }

    fn phone(&self, s: &str) -> Result<String, String> {
        let b = s.as_bytes();
        if b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit)
        {
            Ok(s.to_owned())
        } else {
            Err("not_mobile".into())
        }
    }

    fn division(&self, code: &str) -> Option<String> {
        match code {
            "440106" => Some("广州市天河区".into()),
            "440106001" => Some("广州市天河区五山街道".into()),
            "440304" => Some("深圳市福田区".into()),
            _ => None,
        }
    }
}

/// A valid 公民身份号码 for tests.
pub fn good_id() -> String {
    with_id_check("44010619900101123")
}

/// A valid 统一社会信用代码 for tests.
pub fn good_uscc() -> String {
    with_uscc_check("91440101MA5CXXXX0")
}

/// A flow with every field type, a same-step and a cross-step `when`.
pub fn test_flow() -> Flow {
    let v = json!({
        "service": "test-all",
        "title": "测试事项",
        "audience": "any",
        "steps": [
            {"kind": "form", "title": "基本信息", "fields": [
                {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": true, "prefill": "name", "max_length": 50},
                {"name": "applicant_id_number", "label": "公民身份号码", "type": "id_number", "required": true, "prefill": "id_number"},
                {"name": "applicant_phone", "label": "联系电话", "type": "phone", "required": true, "prefill": "phone"},
                {"name": "org_uscc", "label": "统一社会信用代码", "type": "uscc", "required": false, "prefill": "uscc"},
                {"name": "home", "label": "居住地址", "type": "address", "required": true, "prefill": "address"},
                {"name": "kind", "label": "住房类型", "type": "choice", "required": true, "options": ["租房", "购房"]},
                {"name": "rent", "label": "月租金", "type": "number", "required": true, "min": 1, "max": 100000, "decimals": 2, "unit": "元",
                 "when": {"field": "kind", "equals": "租房"}},
                {"name": "rooms", "label": "房间数", "type": "number", "required": false, "min": 1, "max": 20},
                {"name": "start", "label": "起始日期", "type": "date", "required": true, "min_date": "2000-01-01", "max_date": "today"},
                {"name": "end", "label": "终止日期", "type": "date", "required": false, "min_date": "today", "max_date": "today+365d"},
                {"name": "card", "label": "银行卡号", "type": "text", "required": true, "max_length": 19, "pattern": "^[0-9]{12,19}$"},
                {"name": "note", "label": "情况说明", "type": "text", "required": false, "min_length": 5, "max_length": 1000},
                {"name": "married", "label": "已婚", "type": "yes_no", "required": true}
            ]},
            {"kind": "form", "title": "配偶信息", "fields": [
                {"name": "spouse_name", "label": "配偶姓名", "type": "text", "required": true, "max_length": 50,
                 "when": {"field": "married", "equals": true}},
                {"name": "contact", "label": "联系时间", "type": "choice", "required": false, "options": ["上午", "下午"]}
            ]},
            {"kind": "materials", "title": "上传材料", "materials": [
                {"slot": "lease", "name": "租赁合同", "required": true, "wallet_types": [], "disclose": [], "accept": ["image", "pdf"], "max_files": 3}
            ]},
            {"kind": "confirm", "title": "确认并提交", "declaration": "本人承诺所填信息真实。"},
            {"kind": "department", "title": "审核", "duration_days": 3, "working_days": true, "in_person": false, "description": "部门审核。"}
        ],
        "result": {"name": "测试结果", "kind": "decision", "collect": "消息通知"}
    });
    Flow::from_json(&v).unwrap_or_else(|e| panic!("{}", e.join("\n")))
}
