//! The properties every JSON request body keeps, shared by `auth_bodies`
//! and `api_bodies`: a refused body is a 400 `invalid-request` problem
//! that never repeats what was sent, and the centre's checks of personal
//! numbers either accept a canonical value that checks again to itself or
//! refuse with `CentreError::Invalid` on the right field.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use yuesou_centre::CentreError;
use yuesou_centre::identity::{IdNumber, contains_personal_number, parse_phone, parse_uscc};
use yuesou_server::i18n::Arg;
use yuesou_server::{Problem, ProblemKind};
use yuesou_server::bodies::parse_body;

/// Parses `bytes` as the daemon does; a refusal must be a clean problem.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match parse_body::<T>(bytes) {
        Ok(value) => Some(value),
        Err(problem) => {
            check_refusal(&problem);
            None
        }
    }
}

/// A refused body: `invalid-request`, 400, and no number of four digits or
/// more from the body in the detail (numbers may be phones or ID numbers).
pub fn check_refusal(problem: &Problem) {
    assert_eq!(problem.status, 400, "{problem:?}");
    assert_eq!(problem.kind, ProblemKind::InvalidRequest, "{problem:?}");
    // The words of the detail (its text arguments and the field named).
    let words = problem
        .text
        .args()
        .iter()
        .filter_map(|(_, value)| match value {
            Arg::Str(s) => Some(s.clone()),
            _ => None,
        })
        .chain(problem.parameter.clone());
    for word in words {
        let mut run = 0;
        for c in word.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            assert!(run < 4, "the detail repeats a number: {problem}");
        }
    }
}

fn invalid_on(error: &CentreError, expected: &str) {
    match error {
        CentreError::Invalid { field, .. } => assert_eq!(*field, expected),
        other => panic!("expected Invalid on {expected}, got {other:?}"),
    }
}

/// A phone number: 11 ASCII digits starting 13–19, stable under a second
/// parse, and always caught by the personal-number filter of history.
pub fn check_phone(text: &str) {
    match parse_phone(text) {
        Ok(phone) => {
            assert_eq!(phone.len(), 11);
            assert!(phone.bytes().all(|b| b.is_ascii_digit()));
            assert!(matches!(phone.as_bytes()[..2], [b'1', b'3'..=b'9']));
            assert_eq!(parse_phone(&phone).ok().as_deref(), Some(phone.as_str()));
            assert!(
                contains_personal_number(text),
                "a phone number the centre accepts slips through the history filter: {text:?}"
            );
        }
        Err(e) => invalid_on(&e, "phone"),
    }
}

/// A resident ID number: 18 characters with a real birth date, stable under
/// a second parse, caught by the personal-number filter.
pub fn check_id_number(text: &str) {
    match IdNumber::parse(text) {
        Ok(id) => {
            assert_eq!(id.as_str().len(), 18);
            assert!(id.birth_date().is_some());
            assert_eq!(id.region_code().len(), 6);
            assert_eq!(id.masked().chars().filter(|c| *c == '*').count(), 10);
            assert_eq!(IdNumber::parse(id.as_str()).ok(), Some(id.clone()));
            assert!(contains_personal_number(text), "{text:?}");
        }
        Err(e) => invalid_on(&e, "id_number"),
    }
}

/// A unified social credit code: 18 upper-case characters, stable.
pub fn check_uscc(text: &str) {
    match parse_uscc(text) {
        Ok(code) => {
            assert_eq!(code.chars().count(), 18);
            assert_eq!(code, code.to_ascii_uppercase());
            assert_eq!(parse_uscc(&code).ok().as_deref(), Some(code.as_str()));
        }
        Err(e) => invalid_on(&e, "uscc"),
    }
}

/// Free text (answers, feedback, queries): the filter never panics and
/// finds the phone and ID numbers the centre would accept in it.
pub fn check_text(text: &str) {
    let found = contains_personal_number(text);
    if parse_phone(text).is_ok() || IdNumber::parse(text).is_ok() {
        assert!(found, "{text:?}");
    }
}
