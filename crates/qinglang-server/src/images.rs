//! Pictures (REV-10). `POST /v1/scan/image`: a picture as the raw body (`image/png`,
//! `image/jpeg`, `image/webp`, `image/gif`) or as JSON with the bytes in base64; content of
//! kind `image` (`POST /v1/content`) shares its body limit and permits. Pictures are
//! reviewed on the blocking pool behind their own permits, at most half the cores at once,
//! so text reviews never wait behind a queue of pictures. `GET /v1/content/{id}/image` gives
//! a stored picture back to those who read cases. The known-bad image lists and "remove and
//! block similar" are in `image_lists.rs`.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;

use crate::openapi::Refusals;
use crate::{
    blocking, count_verdict, parse_id, ApiError, ApiPath, ApiQuery, ApiResult, AppState, Auth,
};

/// The largest body `/v1/scan/image` reads: a 20 MiB picture is 27 MiB in base64.
pub const MAX_IMAGE_BODY_BYTES: usize = 28 << 20;

/// A picture in JSON.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImageScanRequest {
    /// The picture's bytes (PNG, JPEG, WebP or GIF) in base64.
    image: String,
    /// The scene to judge in; the main policy when absent.
    #[serde(default)]
    scene: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImageScanQuery {
    /// The scene to judge a raw picture in (JSON bodies say it in the body).
    scene: Option<String>,
}

/// Pictures reviewed at once, process-wide: half the cores, at least one.
fn permits() -> Arc<tokio::sync::Semaphore> {
    static PERMITS: OnceLock<Arc<tokio::sync::Semaphore>> = OnceLock::new();
    Arc::clone(PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1)))
    }))
}

#[utoipa::path(post, path = "/v1/scan/image",
    request_body(description = "The picture: raw bytes with its image/* type, or JSON with base64",
        content(
            (ImageScanRequest = "application/json"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "image/gif"),
        )),
    params(ImageScanQuery),
    responses(
        (status = 200, description = "The picture's verdict: each hit with its part (qr) and box", body = qinglang_governance::wire::RuledImageVerdict),
        (status = 415, description = "The body is neither image/* nor JSON", body = crate::openapi::ErrorBody),
        Refusals),
    security(("bearer" = [])))]
pub(crate) async fn scan_image(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ImageScanQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<serde_json::Value>> {
    let bytes = read_picture_body(body).await?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (picture, scene) = if kind.starts_with("application/json") {
        let req: ImageScanRequest = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("the body is not {{\"image\": base64, \"scene\"?}}: {e}"),
            )
        })?;
        (decode_base64(&req.image)?, req.scene.or(q.scene))
    } else if kind.starts_with("image/") || kind.starts_with("application/octet-stream") {
        (bytes.to_vec(), q.scene)
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the picture with its image/* type, or JSON {\"image\": base64}",
        ));
    };
    let permit = permit().await?;
    let gov = Arc::clone(&s.gov);
    let v = blocking(move || {
        let _permit = permit;
        gov.scan_image(&p, &picture, scene.as_deref())
    })
    .await?;
    count_verdict(&v);
    Ok(Json(v))
}

/// The picture of a content record of kind `image` (REV-10), for those who read cases (the
/// permission the console's `/content/{id}/image` and the record itself ask for): the bytes
/// exactly as submitted, with the type the decoder found, never the client's claim. Not
/// audited, like the console's picture and the record's own reads (queue items, reports):
/// the trail records decisions and state changes (AUD-1); of reads, only revealing an
/// identity is an audited act (ID-3).
#[utoipa::path(get, path = "/v1/content/{id}/image",
    params(("id" = i64, Path, description = "the content record, of kind image")),
    responses(
        (status = 200, description = "The picture as it was submitted",
            content(
                (Vec<u8> = "image/png"),
                (Vec<u8> = "image/jpeg"),
                (Vec<u8> = "image/webp"),
                (Vec<u8> = "image/gif"),
            ),
            headers(
                ("Cache-Control" = String, description = "`private, no-store`: a user's picture is kept by no cache"),
                ("X-Content-Type-Options" = String, description = "`nosniff`: the type is the decoder's, never guessed again"),
            )),
        Refusals),
    security(("bearer" = [])))]
pub(crate) async fn content_image(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id, "content")?;
    let gov = Arc::clone(&s.gov);
    // Not found alike when the record does not exist and when it is not a picture.
    let picture = blocking(move || gov.content_image(&p, id)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, served_media_type(&picture.media_type)),
            // A user's picture: neither a shared cache nor the client's disk keeps it.
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CONTENT_SECURITY_POLICY, PICTURE_CSP),
        ],
        picture.bytes,
    )
        .into_response())
}

/// The type a stored picture is served as, by the API and the console alike: the one the
/// decoder named when it was stored. Anything else would be a damaged record, served as bytes
/// rather than as a type nobody checked.
pub(crate) fn served_media_type(stored: &str) -> &str {
    match stored {
        t @ ("image/png" | "image/jpeg" | "image/webp" | "image/gif") => t,
        _ => "application/octet-stream",
    }
}

/// A picture is never a document: no scripts or frames, even opened alone.
pub(crate) const PICTURE_CSP: &str = "default-src 'none'; sandbox";

/// A body that may carry a picture, read up to [`MAX_IMAGE_BODY_BYTES`].
pub(crate) async fn read_picture_body(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_IMAGE_BODY_BYTES)
        .await
        .map_err(|e| {
            if crate::body_timed_out(&e) {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    "the request body did not arrive in time",
                )
            } else {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("a picture's body may be at most {MAX_IMAGE_BODY_BYTES} bytes"),
                )
            }
        })
}

/// The picture's bytes from the `image` field's base64.
pub(crate) fn decode_base64(image: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(image.trim())
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_image",
                format!("image: not base64 ({e})"),
            )
        })
}

/// One of the picture reviewers' permits, waited for without holding a blocking thread.
pub(crate) async fn permit() -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    permits().acquire_owned().await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the picture reviewers are shutting down",
        )
    })
}
