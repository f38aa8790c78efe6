//! The OpenAPI document's fixed parts: generated from the handlers'
//! `#[utoipa::path]` annotations by the route list in `routes`, which
//! builds the router and the document at once (they cannot disagree), and
//! completed here.
//!
//! Responses every operation can give (405 with `Allow`, 413, 500, 503) are
//! added to each operation here, by reference to shared components, and so
//! are the links from a created resource to the operations on it (create →
//! read → change → delete), which clients and schemathesis's stateful phase
//! follow.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{OpenApi as _, ToSchema};

use crate::problem::{FieldErrorBody, PROBLEM_JSON, Problem, ProblemKind};

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
        (name = "flows", description = "办理: the typed flow of a service and checks of its answers"),
        (name = "feedback", description = "帮助与反馈: questions and complaints with replies"),
        (name = "messages", description = "消息提醒: inbox, unread counts, the pinned notice"),
        (name = "history", description = "搜索历史: a person's searches"),
        (name = "wallet", description = "我的证照: licences, SD-JWT presentations and their verification"),
        (name = "operator", description = "Department operations (operator token)"),
    ),
    components(schemas(Problem, FieldErrorBody))
)]
struct ApiDoc;

/// The document's fixed parts (title, description, tags, the problem
/// schema), to which the routes add their operations.
pub(crate) fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Completes the document the routes produced: the responses every
/// operation can give, the security schemes, and the links.
pub(crate) fn finish(mut doc: OpenApi) -> OpenApi {
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
                "`{}` ({}; title message `{}`)",
                k.type_uri(),
                k.status().as_u16(),
                k.title_id()
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
    #[test]
    fn every_link_names_an_operation_and_its_parameters() {
        let doc = serde_json::to_value(crate::routes::document()).unwrap();
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
        let doc = serde_json::to_value(crate::routes::document()).unwrap();
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
