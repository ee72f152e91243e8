//! Known-bad image lists over HTTP (REV-10): the lists and their entries (lead and admin
//! change them; moderators, leads, auditors and admins read them), and "remove and block
//! similar", a moderator's decision on a queued picture that also lists its hash.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use qinglang_governance::images::{BlockedSimilar, ImageListEntryView, ImageListView, ListAction};
use qinglang_governance::model::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::Refusals;
use crate::{blocking, parse_id, ApiPath, ApiQuery, ApiResult, AppState, Auth, JsonBody};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_list, list_lists))
        .routes(routes!(get_list))
        .routes(routes!(add_entry))
        .routes(routes!(remove_entry))
        .routes(routes!(block_similar))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewImageList {
    /// 1 to 64 characters, unique.
    name: String,
    /// The category a match reports (`porn`, `gambling`, `fraud`, … or the operator's own).
    category: String,
    action: ListAction,
}

#[utoipa::path(post, path = "/v1/image-lists", request_body = NewImageList, responses((status = 201, description = "The list, empty", body = ImageListView), Refusals), security(("bearer" = [])))]
async fn create_list(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<NewImageList>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let list = blocking(move || {
        gov.create_image_list(&p, &req.name, &req.category, req.action, Timestamp::now())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(list)))
}

#[derive(Serialize, utoipa::ToSchema)]
struct ImageLists {
    lists: Vec<ImageListView>,
}

#[utoipa::path(get, path = "/v1/image-lists", responses((status = 200, description = "Every list with its number of entries", body = ImageLists), Refusals), security(("bearer" = [])))]
async fn list_lists(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let lists = blocking(move || gov.image_lists(&p)).await?;
    Ok(Json(ImageLists { lists }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct EntriesQuery {
    /// At most this many entries (1–1000, default 100).
    limit: Option<u32>,
    /// Only entries with a lower id: the previous page's last id.
    before: Option<Id>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ImageListDetail {
    list: ImageListView,
    /// Newest first.
    entries: Vec<ImageListEntryView>,
}

#[utoipa::path(get, path = "/v1/image-lists/{id}", params(("id" = i64, Path, description = "the list"), EntriesQuery), responses((status = 200, description = "The list and its entries, newest first", body = ImageListDetail), Refusals), security(("bearer" = [])))]
async fn get_list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "image list")?;
    let limit = crate::cases::limit(q.limit, 100)?;
    let gov = Arc::clone(&s.gov);
    let (list, entries) = blocking(move || gov.image_list_entries(&p, id, limit, q.before)).await?;
    Ok(Json(ImageListDetail { list, entries }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewEntry {
    /// The picture's perceptual hash, 16 hex digits (as a verdict's `image.hash`)…
    #[serde(default)]
    hash: Option<String>,
    /// …or the content item of kind image it was submitted as.
    #[serde(default)]
    content: Option<Id>,
    /// Why it is on the list (at most 500 characters).
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/v1/image-lists/{id}/entries", request_body = NewEntry, params(("id" = i64, Path, description = "the list")), responses((status = 201, description = "The entry", body = ImageListEntryView), Refusals), security(("bearer" = [])))]
async fn add_entry(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<NewEntry>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "image list")?;
    let gov = Arc::clone(&s.gov);
    let entry = blocking(move || {
        gov.add_image_list_entry(
            &p,
            id,
            req.hash.as_deref(),
            req.content,
            &req.note,
            Timestamp::now(),
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RemoveQuery {
    /// Why it comes off the list, for the audit trail (at most 500 characters).
    reason: Option<String>,
}

#[utoipa::path(delete, path = "/v1/image-lists/{id}/entries/{entry}", params(("id" = i64, Path, description = "the list"), ("entry" = i64, Path, description = "the entry"), RemoveQuery), responses((status = 200, description = "The entry removed", body = ImageListEntryView), Refusals), security(("bearer" = [])))]
async fn remove_entry(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath((id, entry)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "image list")?;
    let entry = parse_id(&entry, "image list entry")?;
    let gov = Arc::clone(&s.gov);
    let removed = blocking(move || {
        gov.remove_image_list_entry(
            &p,
            id,
            entry,
            q.reason.as_deref().unwrap_or(""),
            Timestamp::now(),
        )
    })
    .await?;
    Ok(Json(removed))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockSimilarRequest {
    /// The list the picture's hash goes on.
    list: Id,
    /// Whether the violation counts against the author (credit, strike, ladder), as
    /// `remove_and_sanction`; otherwise as `remove`.
    #[serde(default)]
    sanction: bool,
    note: Option<String>,
    /// What reporters are told, when the item has reports.
    feedback: Option<String>,
}

#[utoipa::path(post, path = "/v1/queue/{id}/block-similar", request_body = BlockSimilarRequest, params(("id" = i64, Path, description = "the queue item, about a picture")), responses((status = 200, description = "The item decided (removed) and the list entry", body = BlockedSimilar), Refusals), security(("bearer" = [])))]
async fn block_similar(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<BlockSimilarRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "queue item")?;
    let gov = Arc::clone(&s.gov);
    let done = blocking(move || {
        gov.remove_and_block_similar(
            &p,
            id,
            req.list,
            req.sanction,
            req.note.as_deref(),
            req.feedback.as_deref(),
            Timestamp::now(),
        )
    })
    .await?;
    Ok(Json(done))
}
