//! Login, registration and SMS-code bodies, built from arbitrary field
//! values (so the fuzzer reaches the checks, not only the JSON parser):
//! a well-formed body parses to exactly the values sent, an extra field is
//! refused cleanly, the login checks accept exactly six-digit codes and
//! passwords up to 64 characters, and the phone goes through the centre's
//! `parse_phone`. Raw bytes go through the same parser too: an input whose
//! first byte is 0 is a raw body (`fuzz/seeds/auth_bodies/` holds real
//! ones), any other first byte builds a body from the bytes after it.
#![no_main]

mod bodies;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use yuesou_server::bodies::{CodeRequest, LoginRequest, RegisterRequest, parse_body};

#[derive(Debug, Arbitrary)]
enum Input {
    Login {
        phone: String,
        password: Option<String>,
        sms_code: Option<String>,
        extra: Option<String>,
    },
    Register {
        phone: String,
        sms_code: String,
        password: String,
        extra: Option<String>,
    },
    Code {
        phone: String,
        register: bool,
    },
}

/// The body with one more field, unless its name is one of the known ones.
fn with_extra(mut body: Map<String, Value>, extra: &Option<String>) -> (Vec<u8>, bool) {
    let mut unknown = false;
    if let Some(name) = extra
        && !body.contains_key(name)
    {
        body.insert(name.clone(), Value::Bool(true));
        unknown = true;
    }
    (
        serde_json::to_vec(&Value::Object(body)).expect("a map serialises"),
        unknown,
    )
}

fn six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        raw(rest);
    } else if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(rest)) {
        built(input);
    }
});

/// A raw body through all three parsers.
fn raw(bytes: &[u8]) {
    if let Some(login) = bodies::parse::<LoginRequest>(bytes) {
        if let Err(problem) = login.check() {
            bodies::check_refusal(&problem);
        }
        bodies::check_phone(&login.phone);
    }
    if let Some(register) = bodies::parse::<RegisterRequest>(bytes) {
        bodies::check_phone(&register.phone);
    }
    if let Some(code) = bodies::parse::<CodeRequest>(bytes) {
        bodies::check_phone(&code.phone);
    }
}

/// A body built from field values.
fn built(input: Input) {
    match input {
        Input::Login {
            phone,
            password,
            sms_code,
            extra,
        } => {
            let mut body = Map::new();
            body.insert("phone".into(), json!(phone));
            if let Some(p) = &password {
                body.insert("password".into(), json!(p));
            }
            if let Some(c) = &sms_code {
                body.insert("sms_code".into(), json!(c));
            }
            let (bytes, unknown) = with_extra(body, &extra);
            match parse_body::<LoginRequest>(&bytes) {
                Ok(login) => {
                    assert!(!unknown, "an unknown field was accepted");
                    assert_eq!(login.phone, phone);
                    assert_eq!(login.password, password);
                    assert_eq!(login.sms_code, sms_code);
                    let valid = sms_code.as_deref().is_none_or(six_digits)
                        && password.as_ref().is_none_or(|p| p.chars().count() <= 64);
                    match login.check() {
                        Ok(()) => assert!(valid),
                        Err(problem) => {
                            assert!(!valid);
                            bodies::check_refusal(&problem);
                            let parameter = problem.parameter.as_deref();
                            assert!(matches!(parameter, Some("sms_code" | "password")));
                        }
                    }
                    bodies::check_phone(&login.phone);
                }
                Err(problem) => {
                    assert!(unknown, "a well-formed login body was refused: {problem:?}");
                    bodies::check_refusal(&problem);
                }
            }
        }
        Input::Register {
            phone,
            sms_code,
            password,
            extra,
        } => {
            let mut body = Map::new();
            body.insert("phone".into(), json!(phone));
            body.insert("sms_code".into(), json!(sms_code));
            body.insert("password".into(), json!(password));
            let (bytes, unknown) = with_extra(body, &extra);
            match parse_body::<RegisterRequest>(&bytes) {
                Ok(register) => {
                    assert!(!unknown, "an unknown field was accepted");
                    assert_eq!(
                        (&register.phone, &register.sms_code, &register.password),
                        (&phone, &sms_code, &password)
                    );
                    bodies::check_phone(&register.phone);
                    bodies::check_text(&register.password);
                }
                Err(problem) => {
                    assert!(
                        unknown,
                        "a well-formed registration was refused: {problem:?}"
                    );
                    bodies::check_refusal(&problem);
                }
            }
        }
        Input::Code { phone, register } => {
            let purpose = if register { "register" } else { "login" };
            let bytes = serde_json::to_vec(&json!({ "phone": phone, "purpose": purpose }))
                .expect("serialises");
            let code = parse_body::<CodeRequest>(&bytes).expect("a well-formed code request");
            assert_eq!(code.phone, phone);
            bodies::check_phone(&code.phone);
        }
    }
}
