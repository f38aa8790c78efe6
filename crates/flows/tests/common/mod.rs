//! Test helpers: the repository's data paths, the catalogue's 办理 items as
//! [`ItemFacts`], and a simple [`FieldChecks`] with real GB 11643 and GB 32100
//! check characters (the daemon brings its own validators).

#![allow(dead_code)]

use std::path::PathBuf;

use yuesou_flows::{FieldChecks, ItemFacts};

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
