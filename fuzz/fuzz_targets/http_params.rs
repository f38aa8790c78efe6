//! Any query string a client sends is parsed into parameters or refused with
//! a problem, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yuesou_server::Params;

const ALLOWED: [&str; 6] = ["q", "size", "page", "lat", "lng", "explain"];

fuzz_target!(|raw: &str| {
    if let Ok(params) = Params::parse(Some(raw), &ALLOWED) {
        let _ = params.integer("size", 10, 1, 100);
        let _ = params.float("lat");
        let _ = params.boolean("explain");
        if let Some(q) = params.text("q") {
            assert!(!q.chars().any(char::is_control));
        }
    }
});
