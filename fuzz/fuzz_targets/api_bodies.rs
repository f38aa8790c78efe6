//! Every JSON body the API accepts, from arbitrary bytes: the first byte
//! picks the route's body type, the rest is the body. It is parsed exactly
//! as the daemon parses it (`yuesou_server::bodies::parse_body`, what the
//! `JsonBody` extractor runs); a refusal is a clean 400 problem, and what
//! parses goes through the checks that need no database (phone, ID number,
//! credit code, the personal-number filter, login and hot-rule checks).
#![no_main]

mod bodies;

use libfuzzer_sys::fuzz_target;
use yuesou_server::bodies::{
    AddRequest, CodeRequest, ContactUpdate, FaceRequest, LoginRequest, NewBroadcast, NewFeedback,
    OrganisationRequest, PresentRequest, Progress, RealNameRequest, RegisterRequest, ReplyRequest,
    NewVerifierRequest, RedeemRequest, RevokeRequest, RuleRequest, Settings, StartRequest,
    StepAnswers, VerifyRequest,
    checked_rule_query, parse_body,
};

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 21 {
        0 => {
            if let Some(b) = bodies::parse::<CodeRequest>(body) {
                bodies::check_phone(&b.phone);
            }
        }
        1 => {
            if let Some(b) = bodies::parse::<RegisterRequest>(body) {
                bodies::check_phone(&b.phone);
            }
        }
        2 => {
            if let Some(b) = bodies::parse::<LoginRequest>(body) {
                if let Err(problem) = b.check() {
                    bodies::check_refusal(&problem);
                }
                bodies::check_phone(&b.phone);
            }
        }
        3 => {
            let _ = bodies::parse::<StartRequest>(body);
        }
        4 => {
            if let Some(b) = bodies::parse::<StepAnswers>(body) {
                for (name, answer) in &b.answers {
                    bodies::check_text(name);
                    if let Some(text) = answer.as_str() {
                        bodies::check_text(text);
                    }
                }
            }
        }
        5 => {
            if let Some(b) = bodies::parse::<NewFeedback>(body) {
                bodies::check_text(&b.title);
                bodies::check_text(&b.content);
            }
        }
        6 => {
            if let Some(b) = bodies::parse::<ContactUpdate>(body)
                && let Some(phone) = b.contact_phone.as_deref().filter(|p| !p.is_empty())
            {
                bodies::check_phone(phone);
            }
        }
        7 => {
            // Settings are also answered: what was accepted serialises and
            // parses back to the same settings.
            if let Some(settings) = bodies::parse::<Settings>(body) {
                let out = serde_json::to_vec(&settings).expect("settings serialise");
                let again: Settings = parse_body(&out).expect("settings parse back");
                assert_eq!(
                    serde_json::to_value(&again).ok(),
                    serde_json::to_value(&settings).ok()
                );
            }
        }
        8 => {
            if let Some(b) = bodies::parse::<RealNameRequest>(body) {
                bodies::check_id_number(&b.id_number);
                bodies::check_text(&b.name);
            }
        }
        9 => {
            let _ = bodies::parse::<FaceRequest>(body);
        }
        10 => {
            if let Some(b) = bodies::parse::<OrganisationRequest>(body) {
                bodies::check_uscc(&b.uscc);
            }
        }
        11 => {
            if let Some(b) = bodies::parse::<Progress>(body) {
                bodies::check_text(&b.note);
            }
        }
        12 => {
            if let Some(b) = bodies::parse::<ReplyRequest>(body) {
                bodies::check_text(&b.content);
            }
        }
        13 => {
            if let Some(b) = bodies::parse::<NewBroadcast>(body) {
                bodies::check_text(&b.body);
            }
        }
        14 => {
            if let Some(b) = bodies::parse::<RuleRequest>(body) {
                match checked_rule_query(&b.query) {
                    Ok(query) => {
                        let n = query.chars().count();
                        assert!((1..=30).contains(&n) && !query.chars().any(char::is_control));
                        assert_eq!(query, query.trim());
                    }
                    Err(problem) => bodies::check_refusal(&problem),
                }
            }
        }
        15 => {
            let _ = bodies::parse::<AddRequest>(body);
        }
        16 => {
            let _ = bodies::parse::<PresentRequest>(body);
        }
        17 => {
            let _ = bodies::parse::<VerifyRequest>(body);
        }
        18 => {
            let _ = bodies::parse::<RedeemRequest>(body);
        }
        19 => {
            let _ = bodies::parse::<NewVerifierRequest>(body);
        }
        _ => {
            let _ = bodies::parse::<RevokeRequest>(body);
        }
    }
});
