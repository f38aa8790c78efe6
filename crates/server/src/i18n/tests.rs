//! The bundled message files: they load in the three languages, every
//! message the code names exists, zh-CN reads as Chinese (no English
//! sentence), zh-HK as Traditional Chinese and en as English.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use yuesou_messages::Arg;

use super::*;
use crate::problem::ProblemKind;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bundled() -> Messages {
    match Messages::load(&root().join("data/messages")) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

/// A plausible value for each variable, so every message renders whole.
fn sample(id: &str, messages: &Messages) -> Text {
    let mut text = Text::new(id.to_owned());
    for name in messages.variables(id).into_iter().flatten() {
        let value = match name.as_str() {
            "max" | "min" | "count" | "current" | "done" | "seconds" | "days" | "ms" | "line"
            | "column" => Arg::Int(3),
            "status" | "from" | "to" if id != "err-rejected" => {
                Arg::Text(Box::new(Text::new("status-processing")))
            }
            "status" => Arg::Int(418),
            "licence" => Arg::Text(Box::new(Text::new("licence-type-driving-licence"))),
            "required" => Arg::Str("L3".into()),
            "code" => Arg::Str("123456".into()),
            "id" => Arg::Str("a1b2".into()),
            _ => Arg::Str("广州".into()),
        };
        text = text.arg(name.clone(), value);
    }
    text
}

/// Whether `text` holds an English sentence: three Latin words in a row
/// outside brackets (identifiers such as `Authorization: Bearer …`, JSON
/// and product names such as ETC are fine).
fn english_sentence(text: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut outside = String::new();
    for c in text.chars() {
        match c {
            '（' | '(' | '“' | '「' => depth += 1,
            '）' | ')' | '”' | '」' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = outside
        .split(|c: char| !(c.is_ascii_alphabetic() || c == ' ' || c == '\''))
        .flat_map(|run| {
            let run = run.trim();
            (run.split(' ').filter(|w| w.len() >= 2).count() >= 3).then_some(run)
        })
        .collect();
    words.first().map(|w| (*w).to_owned())
}

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

#[test]
fn the_bundled_files_load_in_three_languages_with_the_same_ids() {
    let messages = bundled();
    assert!(messages.ids().len() > 200, "{}", messages.ids().len());
}

/// Every message id a string literal of the code names, and the families
/// the code builds from data (`status-<code>`, `problem-<slug>` …).
fn ids_the_code_names() -> BTreeSet<String> {
    let prefixes = [
        "err-",
        "status-",
        "event-",
        "actor-",
        "message-",
        "search-",
        "recommend-",
        "categories-",
        "problem-",
        "platform-name",
        "sms-",
    ];
    let mut ids = BTreeSet::new();
    let mut sources = Vec::new();
    for dir in ["crates", "src"] {
        collect_rs(&root().join(dir), &mut sources);
    }
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for piece in text.split('"').skip(1).step_by(2) {
            let is_id = prefixes.iter().any(|p| piece.starts_with(p))
                && piece.len() > 4
                && !piece.ends_with('-')
                && piece
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if is_id {
                ids.insert(piece.to_owned());
            }
        }
        // CentreError::NotFound("licence") → err-not-found-licence.
        for piece in text.split("NotFound(\"").skip(1) {
            if let Some(what) = piece.split('"').next() {
                ids.insert(format!("err-not-found-{}", what.replace(' ', "-")));
            }
        }
    }
    for kind in ProblemKind::ALL {
        ids.insert(kind.title_id());
    }
    for status in yuesou_centre::ApplicationStatus::ALL {
        ids.insert(status.text().id().to_owned());
    }
    // Ids built from the booking and payment crates' codes.
    for code in yuesou_booking::BookingError::CODES {
        ids.insert(format!("err-booking-{code}"));
    }
    for status in ["booked", "cancelled", "closed", "checked-in", "no-show"] {
        ids.insert(format!("booking-status-{status}"));
    }
    for day in [
        "open",
        "too-soon",
        "not-yet-open",
        "holiday",
        "hall-closed",
        "not-offered",
    ] {
        ids.insert(format!("booking-day-{day}"));
    }
    for kind in [
        "booked",
        "rescheduled",
        "day-before",
        "slot-closed",
        "slot-closed-moved",
        "suspended",
    ] {
        ids.insert(format!("booking-reminder-{kind}"));
        ids.insert(format!("booking-reminder-{kind}-title"));
    }
    ids.insert(crate::features::booking::CALENDAR_CHANGED.to_owned());
    for code in yuesou_payments::PaymentError::CODES {
        ids.insert(format!("err-payment-{}", code.replace('_', "-")));
    }
    for status in yuesou_payments::PaymentStatus::ALL {
        ids.insert(format!(
            "payment-status-{}",
            status.as_str().replace('_', "-")
        ));
    }
    for status in ["unpaid", "paying", "paid", "expired"] {
        ids.insert(format!("bill-status-{status}"));
    }
    ids
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "tests" && name != "fixtures" {
                collect_rs(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n/tests.rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_message_the_code_names_exists() {
    let messages = bundled();
    let missing: Vec<String> = ids_the_code_names()
        .into_iter()
        .filter(|id| !messages.has(id))
        // Test-only ids of the messages crate's own examples.
        .filter(|id| !id.starts_with("err-too-long-"))
        .collect();
    assert!(missing.is_empty(), "no message for {missing:?}");
}

#[test]
fn presentation_refusals_each_have_a_message() {
    let messages = bundled();
    use yuesou_wallet::VerifyError as V;
    for error in [
        V::TooLarge { size: 1, limit: 1 },
        V::Malformed {
            reason: String::new(),
        },
        V::UnknownKey { kid: String::new() },
        V::BadSignature,
        V::Expired { expired_at: 0 },
        V::NotYetValid { issued_at: 0 },
        V::Tampered {
            reason: String::new(),
        },
        V::KeyBinding {
            reason: String::new(),
        },
        V::NotDisclosed {
            field: String::new(),
        },
        V::WrongAudience,
        V::WrongNonce,
    ] {
        let id = format!("err-presentation-{}", error.code().replace('_', "-"));
        assert!(messages.has(&id), "{id}");
    }
}

#[test]
fn every_licence_type_and_field_has_a_name_in_each_language() {
    let messages = bundled();
    let text = std::fs::read_to_string(root().join("data/wallet/licence_types.json")).unwrap();
    let types: serde_json::Value = serde_json::from_str(&text).unwrap();
    for t in types["types"].as_array().unwrap() {
        let code = t["code"].as_str().unwrap();
        let id = licence_type_id(code);
        assert_eq!(
            messages.render(Lang::ZhCn, &Text::new(id.clone())),
            t["name"].as_str().unwrap(),
            "{id}: zh-CN/licences.ftl is stale (scripts/licence_messages.py)"
        );
        for f in t["fields"].as_array().unwrap() {
            let id = licence_field_id(code, f["name"].as_str().unwrap());
            assert_eq!(
                messages.render(Lang::ZhCn, &Text::new(id.clone())),
                f["label"].as_str().unwrap(),
                "{id}"
            );
        }
    }
}

#[test]
fn life_stage_reasons_are_messages() {
    let messages = bundled();
    let text = std::fs::read_to_string(root().join("data/recommend/life_stages.json")).unwrap();
    let rules: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut reasons: Vec<&str> = rules["life_stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    reasons.push(rules["away_from_household"]["reason"].as_str().unwrap());
    for id in reasons {
        assert!(messages.has(id), "{id}");
    }
}

#[test]
fn zh_cn_reads_as_chinese_without_english_sentences() {
    let messages = bundled();
    let mut bad = Vec::new();
    for id in messages.ids() {
        let shown = messages.render(Lang::ZhCn, &sample(id, &messages));
        if let Some(sentence) = english_sentence(&shown) {
            bad.push(format!("{id}: {sentence:?} in {shown:?}"));
        }
        if !shown.chars().any(han) && !id.starts_with("err-param-boolean") {
            bad.push(format!("{id}: no Chinese in {shown:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_problem_title_reads_in_each_language() {
    let messages = bundled();
    for kind in ProblemKind::ALL {
        let title = Text::new(kind.title_id());
        let zh = messages.render(Lang::ZhCn, &title);
        assert!(
            zh.chars().any(han) && english_sentence(&zh).is_none(),
            "{zh}"
        );
        let en = messages.render(Lang::En, &title);
        assert!(!en.chars().any(han), "{en}");
        assert_ne!(messages.render(Lang::ZhHk, &title), en);
    }
}

#[test]
fn zh_hk_is_traditional_and_en_is_english() {
    let messages = bundled();
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/simplified_only.txt"),
    )
    .unwrap();
    let simplified: BTreeSet<char> = fixture
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::chars)
        .collect();
    let mut bad = Vec::new();
    for id in messages.ids() {
        let text = sample(id, &messages);
        let hk = messages.render(Lang::ZhHk, &text);
        // Arguments are samples in Simplified; look at the message itself.
        let own = hk.replace("广州", "");
        if let Some(c) = own.chars().find(|c| simplified.contains(c)) {
            bad.push(format!("zh-HK {id}: simplified {c} in {hk:?}"));
        }
        let en = messages.render(Lang::En, &text).replace("广州", "");
        let outside_brackets = en
            .split(['(', '（'])
            .map(|part| part.rsplit([')', '）']).next().unwrap_or(""))
            .collect::<String>();
        if outside_brackets.chars().any(han) {
            bad.push(format!("en {id}: Chinese in {en:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn english_sentences_are_found_and_identifiers_pass() {
    assert!(english_sentence("请先登录 (log in first)").is_none());
    assert!(english_sentence("log in first: send the token").is_some());
    assert!(english_sentence("请附上令牌（Authorization: Bearer …）").is_none());
    assert!(english_sentence("ETC 通行费").is_none());
    assert!(english_sentence("应为 true 或 false").is_none());
}

#[test]
fn a_reader_language_comes_from_accept_language() {
    let mut headers = axum::http::HeaderMap::new();
    assert_eq!(ReaderLang::of(&headers).0, Lang::ZhCn);
    headers.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
    assert_eq!(ReaderLang::of(&headers).0, Lang::En);
    headers.insert(header::ACCEPT_LANGUAGE, "zh-Hant-HK".parse().unwrap());
    assert_eq!(ReaderLang::of(&headers).0, Lang::ZhHk);
    headers.insert(header::ACCEPT_LANGUAGE, "fr".parse().unwrap());
    assert_eq!(ReaderLang::of(&headers).0, Lang::ZhCn);
}

#[test]
fn a_broken_catalogue_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, text) in [
        ("zh-CN", "hi = 你好"),
        ("zh-HK", "hi = 你好"),
        ("en", "hi = { broken"),
    ] {
        std::fs::create_dir_all(dir.path().join(lang)).unwrap();
        std::fs::write(dir.path().join(lang).join("a.ftl"), text).unwrap();
    }
    let error = MessageFiles::load(dir.path().to_path_buf()).unwrap_err();
    assert!(error.to_string().contains("a.ftl:1"), "{error}");
}
