//! Reports (CMP-1), the review queue and appeals (CMP-2) over HTTP.

use std::sync::Arc;

use crate::openapi::Refusals;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use qinglang_governance::casework::{
    AppealStatus, AppealView, CaseTarget, ItemOutcome, Lane, NewReport, Outcome, QueueDecision,
    QueueEntry, ReportDetail, ReportFiled, ReportFilter, ReportStatus, ReportView, Reputation,
};
use qinglang_governance::model::{Id, Timestamp};
use qinglang_governance::Error;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{blocking, parse_id, ApiError, ApiPath, ApiQuery, ApiResult, AppState, Auth, JsonBody};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_report, list_reports))
        .routes(routes!(get_report))
        .routes(routes!(assign_report))
        .routes(routes!(resolve_report))
        .routes(routes!(reopen_report))
        .routes(routes!(reputation))
        .routes(routes!(queue))
        .routes(routes!(claim_next))
        .routes(routes!(decide))
        .routes(routes!(queue_item))
        .routes(routes!(claim))
        .routes(routes!(release))
        .routes(routes!(file_appeal, list_appeals))
        .routes(routes!(get_appeal))
        .routes(routes!(decide_appeal))
        .routes(routes!(outcomes))
}

fn invalid(code: &'static str, message: String) -> ApiError {
    ApiError::from(Error::Invalid { code, message })
}

fn parse_enum<T>(
    raw: Option<&str>,
    field: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> ApiResult<Option<T>> {
    match raw {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| {
            invalid(
                "invalid_query",
                format!("{field} must be one of {allowed}, got {v:?}"),
            )
        }),
    }
}

/// `upheld` / `rejected`, the two outcomes of a report or an appeal.
fn parse_outcome(raw: &str) -> ApiResult<bool> {
    match raw {
        "upheld" => Ok(true),
        "rejected" => Ok(false),
        other => Err(invalid(
            "invalid_outcome",
            format!("outcome must be \"upheld\" or \"rejected\", got {other:?}"),
        )),
    }
}

fn parse_decision(raw: &str) -> ApiResult<QueueDecision> {
    QueueDecision::parse(raw).ok_or_else(|| {
        invalid(
            "invalid_decision",
            format!("decision must be approve, remove or remove_and_sanction, got {raw:?}"),
        )
    })
}

const LIMIT_MAX: u32 = 1000;

pub(crate) fn limit(raw: Option<u32>, default: u32) -> ApiResult<u32> {
    match raw {
        None => Ok(default),
        Some(n) if (1..=LIMIT_MAX).contains(&n) => Ok(n),
        Some(n) => Err(invalid(
            "invalid_query",
            format!("limit must lie within 1..={LIMIT_MAX}, got {n}"),
        )),
    }
}

// ----- reports -----

#[utoipa::path(post, path = "/v1/reports", request_body = NewReport, responses((status = 201, description = "The report, new (201) or merged into the open one on the target (200)", body = ReportFiled), (status = 200, description = "Merged into the open report on the target", body = ReportFiled), Refusals), security(("bearer" = [])))]
async fn file_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<NewReport>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let filed = blocking(move || gov.file_report(&p, &req, Timestamp::now())).await?;
    let status = if filed.merged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(filed)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    status: Option<String>,
    lane: Option<String>,
    target_kind: Option<String>,
    target_id: Option<Id>,
    reporter: Option<Id>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/reports", params(ReportQuery), responses((status = 200, description = "Reports", body = ReportList), Refusals), security(("bearer" = [])))]
async fn list_reports(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let target = match (&q.target_kind, q.target_id) {
        (Some(kind), Some(id)) => Some(CaseTarget::from_parts(kind, id).ok_or_else(|| {
            invalid(
                "invalid_query",
                format!("target_kind must be content, user, account or group, got {kind:?}"),
            )
        })?),
        _ => None,
    };
    let filter = ReportFilter {
        status: parse_enum(
            q.status.as_deref(),
            "status",
            ReportStatus::parse,
            "open, upheld, rejected",
        )?,
        lane: parse_enum(q.lane.as_deref(), "lane", Lane::parse, "normal, low")?,
        target_kind: q.target_kind.filter(|_| target.is_none()),
        reporter: q.reporter,
        target,
        limit: limit(q.limit, 100)?,
    };
    let gov = Arc::clone(&s.gov);
    let reports = blocking(move || gov.list_reports(&p, &filter, Timestamp::now())).await?;
    Ok(Json(ReportList { reports }))
}

#[utoipa::path(get, path = "/v1/reports/{id}", params(("id" = i64, Path, description = "the report")), responses((status = 200, description = "The report with its filings", body = ReportDetail), Refusals), security(("bearer" = [])))]
async fn get_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "report")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.get_report(&p, id, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AssignRequest {
    assignee: String,
}

#[utoipa::path(post, path = "/v1/reports/{id}/assign", request_body = AssignRequest, params(("id" = i64, Path, description = "the report")), responses((status = 200, description = "The report", body = ReportView), Refusals), security(("bearer" = [])))]
async fn assign_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "report")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.assign_report(&p, id, &req.assignee, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResolveRequest {
    outcome: String,
    action: Option<String>,
    feedback: Option<String>,
}

#[utoipa::path(post, path = "/v1/reports/{id}/resolve", request_body = ResolveRequest, params(("id" = i64, Path, description = "the report")), responses((status = 200, description = "The report, resolved", body = ReportDetail), Refusals), security(("bearer" = [])))]
async fn resolve_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<ResolveRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "report")?;
    let upheld = parse_outcome(&req.outcome)?;
    let action = req.action.as_deref().map(parse_decision).transpose()?;
    let gov = Arc::clone(&s.gov);
    let outcome = blocking(move || {
        let now = Timestamp::now();
        gov.resolve_report(&p, id, upheld, action, req.feedback.as_deref(), now)?;
        gov.get_report(&p, id, now)
    })
    .await?;
    Ok(Json(outcome))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReasonRequest {
    reason: String,
}

#[utoipa::path(post, path = "/v1/reports/{id}/reopen", request_body = ReasonRequest, params(("id" = i64, Path, description = "the report")), responses((status = 200, description = "The report, open again", body = ReportView), Refusals), security(("bearer" = [])))]
async fn reopen_report(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "report")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.reopen_report(&p, id, &req.reason, Timestamp::now())).await?,
    ))
}

#[utoipa::path(get, path = "/v1/reporters/{id}/reputation", params(("id" = i64, Path, description = "the reporter (a user)")), responses((status = 200, description = "The reporter's record", body = Reputation), Refusals), security(("bearer" = [])))]
async fn reputation(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "user")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(blocking(move || gov.reputation(&p, id)).await?))
}

// ----- the queue -----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct QueueQuery {
    lane: Option<String>,
    #[serde(default)]
    mine: bool,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/queue", params(QueueQuery), responses((status = 200, description = "Open review items", body = QueueItems), Refusals), security(("bearer" = [])))]
async fn queue(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<impl IntoResponse> {
    let lane = parse_enum(q.lane.as_deref(), "lane", Lane::parse, "normal, low")?;
    let limit = limit(q.limit, 50)? as usize;
    let gov = Arc::clone(&s.gov);
    let items = blocking(move || gov.queue(&p, lane, q.mine, limit, Timestamp::now())).await?;
    Ok(Json(QueueItems { items }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ClaimRequest {
    count: Option<u32>,
    lane: Option<String>,
}

#[utoipa::path(post, path = "/v1/queue/claim", request_body = ClaimRequest, responses((status = 200, description = "The items claimed", body = QueueItems), Refusals), security(("bearer" = [])))]
async fn claim_next(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<ClaimRequest>,
) -> ApiResult<impl IntoResponse> {
    let lane = parse_enum(req.lane.as_deref(), "lane", Lane::parse, "normal, low")?;
    let n = match req.count {
        None => 10,
        Some(n @ 1..=100) => n as usize,
        Some(n) => {
            return Err(invalid(
                "invalid_count",
                format!("count must lie within 1..=100, got {n}"),
            ))
        }
    };
    let gov = Arc::clone(&s.gov);
    let items = blocking(move || gov.claim_next(&p, n, lane, Timestamp::now())).await?;
    Ok(Json(QueueItems { items }))
}

#[utoipa::path(get, path = "/v1/queue/{id}", params(("id" = i64, Path, description = "the queue item")), responses((status = 200, description = "The item", body = QueueEntry), Refusals), security(("bearer" = [])))]
async fn queue_item(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "queue item")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.queue_item(&p, id, Timestamp::now())).await?,
    ))
}

#[utoipa::path(post, path = "/v1/queue/{id}/claim", params(("id" = i64, Path, description = "the queue item")), responses((status = 200, description = "The item, claimed", body = QueueEntry), Refusals), security(("bearer" = [])))]
async fn claim(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "queue item")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.claim(&p, id, Timestamp::now())).await?,
    ))
}

#[utoipa::path(post, path = "/v1/queue/{id}/release", params(("id" = i64, Path, description = "the queue item")), responses((status = 200, description = "The item released", body = Released), Refusals), security(("bearer" = [])))]
async fn release(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "queue item")?;
    let gov = Arc::clone(&s.gov);
    blocking(move || gov.release(&p, id, Timestamp::now())).await?;
    Ok(Json(Released { released: id }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DecideRequest {
    /// The selected items…
    #[serde(default)]
    items: Vec<Id>,
    /// …or every open item of a flood campaign (REV-7).
    campaign: Option<u64>,
    decision: String,
    note: Option<String>,
    feedback: Option<String>,
}

#[utoipa::path(post, path = "/v1/queue/decide", request_body = DecideRequest, responses((status = 200, description = "What was decided and what skipped", body = Decided), Refusals), security(("bearer" = [])))]
async fn decide(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<DecideRequest>,
) -> ApiResult<impl IntoResponse> {
    let decision = parse_decision(&req.decision)?;
    let gov = Arc::clone(&s.gov);
    let outcomes = blocking(move || {
        let mut items = req.items;
        if let Some(c) = req.campaign {
            items.extend(gov.campaign_items(&p, c)?);
        }
        gov.decide(
            &p,
            &items,
            decision,
            req.note.as_deref(),
            req.feedback.as_deref(),
            Timestamp::now(),
        )
    })
    .await?;
    let decided = outcomes.iter().filter(|o| o.ok).count();
    Ok(Json(Decided {
        decided,
        skipped: outcomes.len() - decided,
        items: outcomes,
    }))
}

// ----- appeals -----

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AppealRequest {
    sanction: Id,
    appellant: Id,
    reason: String,
}

#[utoipa::path(post, path = "/v1/appeals", request_body = AppealRequest, responses((status = 201, description = "The appeal", body = AppealView), Refusals), security(("bearer" = [])))]
async fn file_appeal(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<AppealRequest>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let appeal = blocking(move || {
        gov.file_appeal(
            &p,
            req.sanction,
            req.appellant,
            &req.reason,
            Timestamp::now(),
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(appeal)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AppealQuery {
    status: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/appeals", params(AppealQuery), responses((status = 200, description = "Appeals", body = AppealList), Refusals), security(("bearer" = [])))]
async fn list_appeals(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<AppealQuery>,
) -> ApiResult<impl IntoResponse> {
    let status = parse_enum(
        q.status.as_deref(),
        "status",
        AppealStatus::parse,
        "pending, upheld, rejected",
    )?;
    let limit = limit(q.limit, 100)?;
    let gov = Arc::clone(&s.gov);
    let appeals = blocking(move || gov.list_appeals(&p, status, limit)).await?;
    Ok(Json(AppealList { appeals }))
}

#[utoipa::path(get, path = "/v1/appeals/{id}", params(("id" = i64, Path, description = "the appeal")), responses((status = 200, description = "The appeal", body = AppealView), Refusals), security(("bearer" = [])))]
async fn get_appeal(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "appeal")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(blocking(move || gov.get_appeal(&p, id)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AppealDecision {
    outcome: String,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/v1/appeals/{id}/decide", request_body = AppealDecision, params(("id" = i64, Path, description = "the appeal")), responses((status = 200, description = "The appeal, decided", body = AppealView), Refusals), security(("bearer" = [])))]
async fn decide_appeal(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<AppealDecision>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "appeal")?;
    let upheld = parse_outcome(&req.outcome)?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.decide_appeal(&p, id, upheld, &req.note, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct OutcomeQuery {
    #[serde(default)]
    after: i64,
    limit: Option<u32>,
}

/// Report feedback and appeal outcomes to deliver to the platform's users, oldest first.
#[utoipa::path(get, path = "/v1/outcomes", params(OutcomeQuery), responses((status = 200, description = "Outcomes after the cursor", body = OutcomeFeed), Refusals), security(("bearer" = [])))]
async fn outcomes(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<OutcomeQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = limit(q.limit, 100)?;
    let gov = Arc::clone(&s.gov);
    let outcomes = blocking(move || gov.outcomes(&p, q.after, limit)).await?;
    let next = outcomes.last().map_or(q.after, |o| o.seq);
    Ok(Json(OutcomeFeed { outcomes, next }))
}

// ----- response bodies -----

#[derive(Serialize, utoipa::ToSchema)]
struct ReportList {
    reports: Vec<ReportView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct QueueItems {
    items: Vec<QueueEntry>,
}

/// A bulk decision: how many items were decided, how many skipped (each with its reason).
#[derive(Serialize, utoipa::ToSchema)]
struct Decided {
    decided: usize,
    skipped: usize,
    items: Vec<ItemOutcome>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Released {
    released: Id,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AppealList {
    appeals: Vec<AppealView>,
}

/// Outcomes to tell users, oldest first; `next` is the cursor for the following call.
#[derive(Serialize, utoipa::ToSchema)]
struct OutcomeFeed {
    outcomes: Vec<Outcome>,
    next: i64,
}
