//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations: the router and the document are built from the same list
//! of routes ([`api_router`]), so they cannot disagree.
//!
//! Responses every operation can give (405 with `Allow`, 413, 500, 503) are
//! added to each operation here, by reference to shared components, and so
//! are the links from a created resource to the operations on it (create →
//! read → change → delete), which clients and schemathesis's stateful phase
//! follow.

use std::sync::LazyLock;

use axum::body::Bytes;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{OpenApi as _, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::{PROBLEM_JSON, Problem, ProblemKind};
use crate::routes::{
    admin, applications, auth, categories, feedback, halls, health, history, hot, items, me,
    messages, meta, operator, recommend, search, suggest, wallet,
};
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Yuesou (粤搜) API",
        description = "Search for Guangdong government services: full-text search, autocomplete, \
            the category tree, service items and nearby service halls. Errors are RFC 9457 \
            `application/problem+json` documents with a stable `type`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "search", description = "Search and autocomplete"),
        (name = "catalogue", description = "Browsing the catalogue"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "admin", description = "Reload status and forced reloads (bearer token)"),
        (name = "auth", description = "认证和登录: SMS codes, registration, login, logout"),
        (name = "me", description = "个人信息: profile, sessions, login settings, step-up, organisations"),
        (name = "applications", description = "办件查询: applications that pause and resume"),
        (name = "feedback", description = "帮助与反馈: questions and complaints with replies"),
        (name = "messages", description = "消息提醒: inbox, unread counts, the pinned notice"),
        (name = "history", description = "搜索历史: a person's searches"),
        (name = "wallet", description = "我的证照: licences, SD-JWT presentations and their verification"),
        (name = "operator", description = "Department operations (operator token)"),
    ),
    components(schemas(Problem))
)]
struct ApiDoc;

/// Every route, registered with the router and the document at once.
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(search::search))
        .routes(routes!(suggest::suggest))
        .routes(routes!(items::item))
        .routes(routes!(categories::categories))
        .routes(routes!(halls::halls))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(admin::status))
        .routes(routes!(admin::reload))
        .routes(routes!(meta::openapi))
        .routes(routes!(meta::metrics))
        .routes(routes!(auth::send_code))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(me::profile, me::update_profile))
        .routes(routes!(me::sessions))
        .routes(routes!(me::revoke_session))
        .routes(routes!(me::settings, me::update_settings))
        .routes(routes!(me::verify_real_name))
        .routes(routes!(me::verify_face))
        .routes(routes!(me::organisations, me::register_organisation))
        .routes(routes!(me::act_for))
        .routes(routes!(applications::list, applications::start))
        .routes(routes!(applications::get, applications::withdraw))
        .routes(routes!(applications::save_step))
        .routes(routes!(applications::submit))
        .routes(routes!(feedback::list, feedback::create))
        .routes(routes!(feedback::get))
        .routes(routes!(messages::list))
        .routes(routes!(messages::read))
        .routes(routes!(messages::read_all))
        .routes(routes!(messages::dismiss))
        .routes(routes!(messages::notice))
        .routes(routes!(operator::applications))
        .routes(routes!(operator::progress))
        .routes(routes!(operator::feedback))
        .routes(routes!(operator::reply))
        .routes(routes!(operator::broadcast))
        .routes(routes!(wallet::list, wallet::add))
        .routes(routes!(wallet::available))
        .routes(routes!(wallet::get, wallet::delete))
        .routes(routes!(wallet::present))
        .routes(routes!(wallet::verify))
        .routes(routes!(wallet::redeem))
        .routes(routes!(wallet::create_request))
        .routes(routes!(wallet::request_info))
        .routes(routes!(wallet::request_result))
        .routes(routes!(wallet::status_list))
        .routes(routes!(wallet::jwks))
        .routes(routes!(wallet::types))
        .routes(routes!(wallet::revoke))
        .routes(routes!(wallet::item_licences))
        .routes(routes!(wallet::rotate_key))
        .routes(routes!(history::list, history::clear))
        .routes(routes!(history::delete))
        .routes(routes!(hot::hot))
        .routes(routes!(hot::report))
        .routes(routes!(hot::set_rule))
        .routes(routes!(hot::delete_rule))
        .routes(routes!(recommend::anonymous))
        .routes(routes!(recommend::personal))
}

/// The OpenAPI document of the API.
pub fn document() -> OpenApi {
    let mut doc = api_router().into_openapi();
    add_common_parts(&mut doc);
    add_links(&mut doc);
    doc
}

/// From a response (path, method, status) to the operations on what it
/// names: (link name, operation id, parameters as (name, runtime
/// expression)).
type LinkSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    )],
);

const APPLICATION: &[(&str, &str)] = &[("id", "$response.body#/id")];
const LINKS: &[LinkSpec] = &[
    (
        "/api/v1/me/applications",
        "201",
        "post",
        &[
            ("GetApplication", "get_application", APPLICATION),
            (
                "SaveStep",
                "save_application_step",
                &[
                    ("id", "$response.body#/id"),
                    ("step", "$response.body#/current_step"),
                ],
            ),
            ("SubmitApplication", "submit_application", APPLICATION),
            ("WithdrawApplication", "withdraw_application", APPLICATION),
        ],
    ),
    (
        "/api/v1/me/applications",
        "200",
        "post",
        &[
            ("GetApplication", "get_application", APPLICATION),
            ("WithdrawApplication", "withdraw_application", APPLICATION),
        ],
    ),
    (
        "/api/v1/me/feedback",
        "201",
        "post",
        &[(
            "GetFeedback",
            "get_feedback",
            &[("id", "$response.body#/id")],
        )],
    ),
    (
        "/api/v1/me/wallet",
        "200",
        "post",
        &[
            (
                "GetLicence",
                "get_licence",
                &[("id", "$response.body#/items/0/id")],
            ),
            (
                "PresentLicence",
                "present_licence",
                &[("id", "$response.body#/items/0/id")],
            ),
            (
                "DeleteLicence",
                "delete_licence",
                &[("id", "$response.body#/items/0/id")],
            ),
        ],
    ),
    (
        "/api/v1/wallet/requests",
        "201",
        "post",
        &[(
            "GetVerifierRequest",
            "get_verifier_request",
            &[("code", "$response.body#/code")],
        )],
    ),
    (
        "/api/v1/me/history",
        "200",
        "get",
        &[(
            "DeleteHistoryEntry",
            "delete_history_entry",
            &[("id", "$response.body#/entries/0/id")],
        )],
    ),
];

fn add_links(doc: &mut OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    for (path, status, method, links) in LINKS {
        let Some(item) = doc.paths.paths.get_mut(*path) else {
            continue;
        };
        let operation = match *method {
            "post" => item.post.as_mut(),
            _ => item.get.as_mut(),
        };
        let Some(RefOr::T(response)) =
            operation.and_then(|o| o.responses.responses.get_mut(*status))
        else {
            continue;
        };
        for (name, operation_id, parameters) in *links {
            let link = parameters
                .iter()
                .fold(
                    LinkBuilder::new().operation_id(*operation_id),
                    |b, (n, v)| b.parameter(*n, *v),
                )
                .build();
            response.links.insert(name.to_string(), RefOr::T(link));
        }
    }
}

static DOCUMENT_JSON: LazyLock<Bytes> = LazyLock::new(|| {
    Bytes::from(serde_json::to_vec(&document()).unwrap_or_else(|_| b"{}".to_vec()))
});

static TEMPLATES: LazyLock<Vec<String>> =
    LazyLock::new(|| document().paths.paths.keys().cloned().collect());

/// The document as JSON (built once).
pub(crate) fn document_json() -> Bytes {
    DOCUMENT_JSON.clone()
}

/// The route templates of the API (`/api/v1/items/{id}` …).
pub fn route_templates() -> &'static [String] {
    &TEMPLATES
}

/// Shared problem responses, by status, with the problem types they carry.
const COMMON: [(&str, &str, &[ProblemKind]); 4] = [
    (
        "405",
        "`method-not-allowed`: the route does not accept this method (see `Allow`)",
        &[ProblemKind::MethodNotAllowed],
    ),
    (
        "413",
        "`payload-too-large`: the request body exceeds the configured limit",
        &[ProblemKind::PayloadTooLarge],
    ),
    (
        "500",
        "`internal`: an unexpected fault (never caused by input)",
        &[ProblemKind::Internal],
    ),
    (
        "503",
        "`not-ready`: the index is still loading (with `Retry-After`); `timeout`: the request \
         exceeded the configured timeout",
        &[ProblemKind::NotReady, ProblemKind::Timeout],
    ),
];

fn component_name(status: &str) -> String {
    format!("Problem{status}")
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
        .build()
}

fn add_common_parts(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, description, _) in COMMON {
        components.responses.insert(
            component_name(status),
            RefOr::T(problem_response(description)),
        );
    }
    components.security_schemes.insert(
        "session".to_string(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A session token from POST /api/v1/auth/login"))
                .build(),
        )),
    );
    components.security_schemes.insert(
        "operator_token".to_string(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The operator token (YUESOU_OPERATOR_TOKEN)"))
                .build(),
        )),
    );
    components.security_schemes.insert(
        "request_secret".to_string(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "The secret of a verifier's request, from POST /api/v1/wallet/requests",
                ))
                .build(),
        )),
    );
    components.security_schemes.insert(
        "admin_token".to_string(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The admin token (YUESOU_ADMIN_TOKEN)"))
                .build(),
        )),
    );
    let types: Vec<String> = ProblemKind::ALL
        .iter()
        .map(|k| {
            format!(
                "`{}` ({}): {}",
                k.type_uri(),
                k.status().as_u16(),
                k.title()
            )
        })
        .collect();
    if let Some(info) = doc.info.description.as_mut() {
        info.push_str("\n\nProblem types:\n\n- ");
        info.push_str(&types.join("\n- "));
    }
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            for (status, _, _) in COMMON {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::new(format!(
                            "#/components/responses/{}",
                            component_name(status)
                        )))
                    });
            }
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_names_an_operation_and_its_parameters() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut operations = std::collections::BTreeMap::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                let id = operation["operationId"].as_str().unwrap().to_string();
                let params: Vec<String> = operation["parameters"]
                    .as_array()
                    .map(|p| {
                        p.iter()
                            .filter(|p| p["in"] == "path")
                            .map(|p| p["name"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                operations.insert(id, params);
            }
        }
        let mut links = 0;
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                for response in operation["responses"].as_object().unwrap().values() {
                    let Some(found) = response["links"].as_object() else {
                        continue;
                    };
                    for link in found.values() {
                        links += 1;
                        let target = link["operationId"].as_str().unwrap();
                        let params = operations
                            .get(target)
                            .unwrap_or_else(|| panic!("no operation {target}"));
                        let given: Vec<&String> =
                            link["parameters"].as_object().unwrap().keys().collect();
                        // Every path parameter of the target is given.
                        for p in params {
                            assert!(given.contains(&p), "{target}: {p} not linked");
                        }
                    }
                }
            }
        }
        assert!(links >= 10, "{links}");
    }

    /// An empty path segment is no id: `/me/wallet/{id}/present` with an
    /// empty id is `/me/wallet//present`, which clients fold into
    /// `/me/wallet/present` — another route. Every text path parameter says
    /// it has at least one character (schemathesis sent an empty one).
    #[test]
    fn text_path_parameters_are_never_empty() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for operation in item.as_object().unwrap().values() {
                let Some(params) = operation["parameters"].as_array() else {
                    continue;
                };
                for p in params.iter().filter(|p| p["in"] == "path") {
                    if p["schema"]["type"] == "string" {
                        checked += 1;
                        assert!(
                            p["schema"]["minLength"].as_u64().is_some_and(|n| n >= 1),
                            "{path} {}: {}",
                            p["name"],
                            p["schema"]
                        );
                    }
                }
            }
        }
        assert!(checked >= 15, "{checked}");
    }
}
