//! With the `openapi` feature, the flow types describe themselves for an
//! OpenAPI document (`cargo test -p yuesou-flows --features openapi`).

#![cfg(feature = "openapi")]

use utoipa::OpenApi;
use yuesou_flows::{ErrorCode, FieldError, Flow};

#[derive(OpenApi)]
#[openapi(components(schemas(Flow, FieldError, ErrorCode)))]
struct Doc;

#[test]
fn the_flow_types_have_schemas() {
    let doc = serde_json::to_value(Doc::openapi()).expect("json");
    let schemas = &doc["components"]["schemas"];
    println!("{}", serde_json::to_string_pretty(schemas).expect("json"));
    for name in [
        "Flow",
        "Step",
        "Field",
        "FieldKind",
        "Material",
        "FlowResult",
        "FieldError",
        "ErrorCode",
    ] {
        assert!(schemas.get(name).is_some(), "{name} missing");
    }
    let text = schemas.to_string();
    for word in [
        "\"kind\"",
        "\"type\"",
        "\"duration_days\"",
        "\"wallet_types\"",
        "too_many_decimals",
        "\"yes_no\"",
    ] {
        assert!(text.contains(word), "{word} missing");
    }
}
