//! `/api/v1/me/applications/{id}/materials*` — 申请材料: upload a photo,
//! scan or PDF for a material slot of the application's flow, list them,
//! download one (audited), delete one. The work is the
//! `yuesou-materials` crate's; here the multipart body is streamed field
//! by field into it.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::Authed;
use crate::features::materials::{
    ENVELOPE_BYTES, FlowSlot, MaterialView, desk, owner, problem, size_text, slots,
};
use crate::i18n::Text;
use crate::params::path_id;
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// The upload form (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler streams it
pub struct UploadForm {
    /// The material slot of the application's flow (`materials[].slot` of
    /// its materials steps).
    #[schema(example = "id_card", pattern = "^[a-z][a-z0-9_]{0,39}$")]
    pub slot: String,
    /// The file: JPEG, PNG, WebP or PDF, told by its bytes (not its name or
    /// part `Content-Type`); at most 10 MB by default. Its file name, if
    /// any, is kept to show back (no `/`, `\` or control characters).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The materials of an application.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialList {
    /// Oldest first.
    pub items: Vec<MaterialView>,
    /// Bytes they take.
    pub used_bytes: u64,
    /// The application's quota, in bytes.
    pub quota_bytes: u64,
    /// The largest file, in bytes.
    pub max_file_bytes: u64,
}

/// Bytes the multipart parser may hold that the handler has not taken yet.
/// multer reads everything the body has ready into its own buffer; on a
/// fast link and a slower disk that would be most of the file. The body is
/// gated instead: once this much is handed to multer and not yet written
/// to the temporary file, it reads no more until the handler takes a chunk.
const READ_AHEAD: usize = 256 * 1024;

/// How much of the body is handed to the parser and not yet taken.
#[derive(Debug, Default)]
struct Gate {
    state: std::sync::Mutex<(usize, Option<std::task::Waker>)>,
}

impl Gate {
    /// The handler took what the parser held: let the body flow again.
    fn release(&self) {
        let waker = match self.state.lock() {
            Ok(mut state) => {
                state.0 = 0;
                state.1.take()
            }
            Err(_) => None,
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The largest piece handed to multer (hyper's reads can be 2 MiB; multer
/// copies each into its buffer, which then keeps that capacity).
const PIECE: usize = 64 * 1024;

/// The request body, read no further than [`READ_AHEAD`] ahead of the
/// handler, in pieces of at most [`PIECE`] bytes.
struct Gated<S> {
    inner: S,
    gate: std::sync::Arc<Gate>,
    /// The rest of a read larger than a piece.
    rest: bytes::Bytes,
}

impl<S> futures_util::Stream for Gated<S>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, axum::Error>> + Unpin,
{
    type Item = Result<bytes::Bytes, axum::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if let Ok(mut state) = self.gate.state.lock()
            && state.0 >= READ_AHEAD
        {
            state.1 = Some(cx.waker().clone());
            return std::task::Poll::Pending;
        }
        if self.rest.is_empty() {
            match std::pin::Pin::new(&mut self.inner).poll_next(cx) {
                std::task::Poll::Ready(Some(Ok(chunk))) => self.rest = chunk,
                other => return other,
            }
        }
        let take = self.rest.len().min(PIECE);
        let piece = self.rest.split_to(take);
        if let Ok(mut state) = self.gate.state.lock() {
            state.0 += piece.len();
        }
        std::task::Poll::Ready(Some(Ok(piece)))
    }
}

fn bad_form(id: &'static str) -> Problem {
    Problem::invalid_request(id)
}

/// A multipart parsing error as a problem: limits are 413, the rest 400.
fn multipart_problem(error: multer::Error, max: u64) -> Problem {
    match error {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            Problem::new(
                ProblemKind::PayloadTooLarge,
                Text::new("err-material-too-large").arg("max", size_text(max)),
            )
        }
        multer::Error::UnknownField { .. } => bad_form("err-material-unknown-field"),
        multer::Error::StreamReadFailed(_) => bad_form("err-material-incomplete"),
        _ => bad_form("err-material-bad-form"),
    }
}

/// Uploads a file for a material slot of a draft or 待补正 application.
/// The type is read from the bytes; images are decoded under a pixel
/// limit and re-encoded without metadata (EXIF and GPS removed: WebP is
/// stored as JPEG), PDFs stored as sent. Identical content is stored once.
#[utoipa::path(post, path = "/api/v1/me/applications/{id}/materials", tag = "applications", operation_id = "upload_material",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored (after the blob is synced and the row committed)", body = MaterialView),
        (status = 400, description = "`invalid-request`: a malformed form, a field other than `slot` and `file`, no file", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such application of this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the application is no longer a draft or 待补正, its flow takes no uploads, or the slot is full", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload-too-large`: over the per-file limit, or the application's quota (nothing is stored)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported-media-type`: not JPEG, PNG, WebP or PDF by its bytes (HEIC: export as JPEG), a kind the slot does not take, or not multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-material`: an image that does not decode (truncated) or has too many pixels, a bad file name, a slot the flow does not have", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: storage unavailable; retry", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<MaterialView>), Problem> {
    let materials = desk(&state)?;
    let id = path_id(&id)?;
    let owner = owner(&s);
    // Whose and in what state, before a byte of the body is read.
    let room = materials.room(owner, id).await.map_err(problem)?;
    let flow_slots = slots(&state, &s, id).await?;
    let limits = materials.limits();
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared {
        if length > limits.max_file_bytes.saturating_add(ENVELOPE_BYTES) {
            return Err(problem(yuesou_materials::MaterialError::TooLarge {
                max: limits.max_file_bytes,
            }));
        }
        if length > room.saturating_add(ENVELOPE_BYTES) {
            return Err(problem(yuesou_materials::MaterialError::QuotaExceeded {
                max: limits.max_application_bytes,
            }));
        }
    }
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| {
            Problem::new(
                ProblemKind::UnsupportedMediaType,
                "err-material-not-multipart",
            )
        })?;
    let stream_limit = limits.max_file_bytes.saturating_add(ENVELOPE_BYTES);
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["slot", "file"])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(stream_limit)
                .for_field("slot", 256),
        );
    let gate = std::sync::Arc::new(Gate::default());
    let body = Gated {
        inner: request.into_body().into_data_stream(),
        gate: gate.clone(),
        rest: bytes::Bytes::new(),
    };
    let mut form = multer::Multipart::with_constraints(body, boundary, constraints);
    let max = limits.max_file_bytes;
    let mut slot: Option<FlowSlot> = None;
    let mut received = None;
    let mut name = None;
    loop {
        gate.release();
        let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| multipart_problem(e, max))?
        else {
            break;
        };
        match field.name() {
            Some("slot") => {
                gate.release();
                let text = field.text().await.map_err(|e| multipart_problem(e, max))?;
                if slot.is_some() {
                    return Err(bad_form("err-material-bad-form"));
                }
                let found = flow_slots
                    .iter()
                    .find(|f| f.name == text.trim())
                    .ok_or_else(|| Problem {
                        parameter: Some("slot".into()),
                        ..Problem::new(ProblemKind::InvalidMaterial, "err-material-unknown-slot")
                    })?;
                slot = Some(found.clone());
            }
            Some("file") => {
                if received.is_some() {
                    return Err(bad_form("err-material-one-file"));
                }
                name = yuesou_materials::display_name(field.file_name().unwrap_or(""))
                    .map_err(problem)?;
                let mut incoming = materials.receive(room).map_err(problem)?;
                loop {
                    gate.release();
                    let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(e, max))?
                    else {
                        break;
                    };
                    incoming.write(&chunk).await.map_err(problem)?;
                }
                received = Some(incoming.finish().await.map_err(problem)?);
            }
            _ => return Err(bad_form("err-material-unknown-field")),
        }
    }
    let slot =
        slot.ok_or_else(|| Problem::invalid_parameter("slot", "err-material-missing-slot"))?;
    let received =
        received.ok_or_else(|| Problem::invalid_parameter("file", "err-material-missing-file"))?;
    let stored = materials
        .store(
            owner,
            id,
            yuesou_materials::Slot {
                name: &slot.name,
                max_files: slot.max_files,
                images: slot.images,
                pdf: slot.pdf,
            },
            received,
            name,
        )
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// The materials of an application, with the quota.
#[utoipa::path(get, path = "/api/v1/me/applications/{id}/materials", tag = "applications", operation_id = "list_materials",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The materials, oldest first", body = MaterialList),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such application of this account", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<MaterialList>, Problem> {
    let materials = desk(&state)?;
    let rows = materials
        .list(owner(&s), path_id(&id)?)
        .await
        .map_err(problem)?;
    let limits = materials.limits();
    let used_bytes = rows
        .iter()
        .map(|m| u64::try_from(m.size).unwrap_or(0))
        .sum();
    Ok(Json(MaterialList {
        items: rows.into_iter().map(MaterialView::from).collect(),
        used_bytes,
        quota_bytes: limits.max_application_bytes,
        max_file_bytes: limits.max_file_bytes,
    }))
}

/// The file name a download is saved under: `<material id>.<ext>`, plus
/// the client's own name (RFC 5987) when it had one.
fn disposition(view_id: &str, content_type: &str, name: Option<&str>) -> HeaderValue {
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    let mut value = format!("attachment; filename=\"{view_id}.{ext}\"");
    if let Some(name) = name {
        let encoded =
            percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
        value.push_str(&format!("; filename*=UTF-8''{encoded}"));
    }
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Downloads a material (the stored bytes: a re-encoded image, or the PDF
/// as sent). Every download is recorded in the account's audit log.
#[utoipa::path(get, path = "/api/v1/me/applications/{id}/materials/{material_id}", tag = "applications", operation_id = "download_material",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64),
           ("material_id" = String, Path, description = "Material id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The file", content(
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "application/pdf"))),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such material of this account's application", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn download(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, material_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let materials = desk(&state)?;
    let (material, stream) = materials
        .download(owner(&s), path_id(&id)?, path_id(&material_id)?)
        .await
        .map_err(problem)?;
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&material.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(material.size));
    headers.insert(
        header::CONTENT_DISPOSITION,
        disposition(
            &material.id,
            &material.content_type,
            material.display_name.as_deref(),
        ),
    );
    // Opened in a tab, a PDF runs no script and loads nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// Deletes a material of a draft or 待补正 application; its blob goes
/// when no other material has the same content.
#[utoipa::path(delete, path = "/api/v1/me/applications/{id}/materials/{material_id}", tag = "applications", operation_id = "delete_material",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64),
           ("material_id" = String, Path, description = "Material id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the application is no longer a draft or 待补正", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, material_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    desk(&state)?
        .delete(owner(&s), path_id(&id)?, path_id(&material_id)?)
        .await
        .map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}
