//! The HTTP API of qinglang (the only crate that knows HTTP and the wire format).
//!
//! `app(state)` builds the router, so tests drive it with `oneshot` and no socket. Every
//! governance call runs on the blocking pool: SQLite work must not stall the async workers.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Path, Request, State,
};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use qinglang_governance::authz::Role;
use qinglang_governance::identity::IdentityKind;
use qinglang_governance::model::{
    AccountSubject, ContentKind, GroupRole, Id, Principal, Target, Timestamp,
};
use qinglang_governance::{crypto, Error, Governance, MemberAction, NewAccount, Submission};
use qinglang_store::Database;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use openapi::Refusals;
use qinglang_governance::audit::ChainReport;
use qinglang_governance::wire::RuledVerdict;
use qinglang_governance::{
    AccountView, EmergencyApplied, GroupView, Learned, LearningStatus, MembershipView,
    RevealedIdentity, Reviewed, SweepReport, UserView,
};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod cases;
pub mod console;
mod image_lists;
mod images;
mod openapi;
mod serve;
pub mod tms;
pub use serve::{serve, ConnectionLimits};

/// How long a looked-up token is trusted without asking the store again.
const PRINCIPAL_CACHE_TTL: Duration = Duration::from_secs(30);

/// Request bodies larger than this are refused with 413 before they are parsed.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub gov: Arc<Governance<Database>>,
    /// Token hash → principal and when it was looked up: tokens are checked on every call
    /// and change rarely; entries expire so that a revocation takes effect everywhere.
    principals: Arc<RwLock<HashMap<String, (Principal, Instant)>>>,
    /// TC3 SecretId → principal, secret and when they were looked up (the TMS endpoint).
    tc3_secrets: Arc<RwLock<Tc3Cache>>,
    metrics: PrometheusHandle,
}

type Tc3Cache = HashMap<String, (Principal, String, Instant)>;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(gov: Arc<Governance<Database>>) -> AppState {
        let locale = &gov.policy().policy.locale;
        console::html::set_time_zone(&locale.time_zone, locale.zone());
        AppState {
            gov,
            principals: Arc::default(),
            tc3_secrets: Arc::default(),
            metrics: metrics_handle(),
        }
    }
}

/// The process-wide Prometheus recorder (installed once, shared by every router).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (an embedding program); then our
            // handle simply renders nothing, which is better than failing to start.
            let _ = metrics::set_global_recorder(recorder);
            // Histograms keep every sample until upkeep folds them into their summaries;
            // `build_recorder` starts no upkeep of its own, so without this the heap grows
            // with every request a server answers while nobody scrapes /metrics (found by
            // the soak, #23: about 11 MiB per 30 s at 20,000 requests/s).
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                });
            handle
        })
        .clone()
}

/// The router: API under `/v1`, plus `/healthz`, `/metrics` and `/openapi.json`.
/// How much the server takes from one client and from all of them at once (OPS-5, #23).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request body must arrive within this time once its headers have (408 otherwise).
    pub body_timeout: Duration,
    /// Requests being answered at once; more are refused at once with 503 and
    /// `Retry-After`, so that a flood queues nowhere.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_timeout: Duration::from_secs(10),
            max_in_flight: 1024,
        }
    }
}

/// The router with the default [`Limits`].
pub fn app(state: AppState) -> Router {
    app_with_limits(state, Limits::default())
}

/// The router: the API, the console, health, metrics and the OpenAPI document, behind the
/// ecosystem's guards against hostile clients — a declared body over the limit is refused
/// before it is read (413), a body slower than `body_timeout` is cut off (408), and past
/// `max_in_flight` requests are shed (503 with `Retry-After`). Their plain answers are
/// given the API's `{"code", "message"}` shape.
pub fn app_with_limits(state: AppState, limits: Limits) -> Router {
    let guards = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(declared_length))
        .layer(middleware::map_response(shape_refusal))
        .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
        .load_shed()
        // One budget for the whole server: the router applies layers route by route.
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            limits.max_in_flight,
        ))
        // The largest body any route reads (a picture); every other route's declared
        // length is held to MAX_BODY_BYTES before this, by `declared_length`.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            images::MAX_IMAGE_BODY_BYTES,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_timeout,
        ));
    routes(state).layer(guards)
}

/// Whether reading a body failed because it trickled in slower than `body_timeout` (the
/// guard's error is somewhere in the rejection's chain of sources).
fn body_timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// A declared body over the route's limit is refused at once (413), before a byte is read:
/// MAX_BODY_BYTES everywhere but the routes that take a picture (`/v1/scan/image`,
/// `POST /v1/content` for kind `image`, and `POST /` for IMS `ImageModeration`), whose limits
/// their handlers and the body layer apply.
async fn declared_length(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // `/` is the cloud-compatible endpoint, whose IMS ImageModeration carries a picture.
    let takes_pictures = matches!(req.uri().path(), "/v1/scan/image" | "/v1/content" | "/")
        && req.method() == axum::http::Method::POST;
    if !takes_pictures && declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body exceeds {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(req).await
}

/// Past `max_in_flight`: 503 with `Retry-After`.
async fn overloaded(_: tower::BoxError) -> Response {
    let mut r = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "too many requests in flight; retry shortly",
    )
    .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The guards' plain-text refusals (413 for a declared length over the limit, 408 for a slow
/// body) in the API's error shape.
async fn shape_refusal(r: Response) -> Response {
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !json => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "request body exceeds {} bytes",
                images::MAX_IMAGE_BODY_BYTES
            ),
        )
        .into_response(),
        StatusCode::REQUEST_TIMEOUT if !json => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "the request body did not arrive in time",
        )
        .into_response(),
        _ => r,
    }
}

fn routes(state: AppState) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    // Built once: the document does not change while the server runs.
    let _ = OPENAPI_JSON.set(serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into()));
    api.merge(console::routes())
        .fallback(|| async { ApiError::not_found_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(track))
        .with_state(state)
}

/// The API's routes, each with its description (see `openapi.rs`).
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        // Tencent Cloud TMS clients (OPS-4): `POST /` with `X-TC-Action`.
        .routes(routes!(tms::text_moderation))
        .routes(routes!(scan))
        .routes(routes!(images::scan_image))
        .routes(routes!(create_user))
        .routes(routes!(get_user))
        .routes(routes!(verify_identity))
        .routes(routes!(reveal_identity))
        .routes(routes!(open_account))
        .routes(routes!(get_account))
        .routes(routes!(create_group))
        .routes(routes!(get_group))
        .routes(routes!(join_group))
        .routes(routes!(manage_member))
        .routes(routes!(set_notice))
        .routes(routes!(set_group_scene))
        .routes(routes!(set_account_scene))
        .routes(routes!(submit_content))
        .routes(routes!(images::content_image))
        .routes(routes!(get_campaign))
        .routes(routes!(emergency_change))
        .routes(routes!(sweep))
        .routes(routes!(audit_export))
        .routes(routes!(audit_verify))
        .routes(routes!(create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(learning_status, learn, reset_learning))
        .routes(routes!(learned_examples))
        .routes(routes!(forget_learned))
        .merge(cases::routes())
        .merge(image_lists::routes())
        .routes(routes!(healthz))
        .routes(routes!(render_metrics))
        .routes(routes!(openapi_json))
}

/// The document `openapi_json` serves, made once from the routes.
static OPENAPI_JSON: OnceLock<String> = OnceLock::new();

/// This document: OpenAPI 3.1, derived from the handlers and their types.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON.get().cloned().unwrap_or_default(),
    )
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Alive", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { ok: true })
}

#[derive(Serialize, utoipa::ToSchema)]
struct Health {
    ok: bool,
}

/// Counts requests and their latency per route and status.
async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("qinglang_http_requests_total", &labels).increment(1);
    metrics::histogram!("qinglang_http_request_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// Prometheus metrics: requests and latency per route, verdicts, TMS errors.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn render_metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

// ----- errors -----

/// The one error body: `{"code": "snake_case", "message": "..."}` with the right status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn not_found_route() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let status = match &e {
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            // REV-7 rate limits: the client should slow down, not change its request.
            Error::Forbidden {
                code: "rate_limited",
                ..
            } => StatusCode::TOO_MANY_REQUESTS,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Storage(detail) => {
                tracing::error!(%detail, "storage failure");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; see the server log",
                );
            }
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Rate limits count per minute (REV-7): a minute always has room again.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        response
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A JSON body whose problems (size, syntax, missing or wrong fields) answer with the error
/// body and a message naming the field, never a plain-text rejection.
struct JsonBody<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("request body exceeds {MAX_BODY_BYTES} bytes"),
                )
            } else if body_timed_out(&e) {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    "the request body did not arrive in time",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A JSON object body parsed, its problems answered with the error body naming the field.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let invalid = |message: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_json",
            format!("invalid request body: {message}"),
        )
    };
    // Every request body is an object; serde would read an array as the fields in
    // order and complain about the first one instead.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(invalid("expected a JSON object ({...})".into()));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| invalid(at_field(e.path(), e.inner())))?;
    de.end().map_err(|e| invalid(e.to_string()))?;
    Ok(value)
}

/// A deserialisation error with the field it happened at (`max_members: invalid value: …`),
/// where serde alone gives only a line and column; errors about the whole value (a missing
/// or unknown field, which name the field themselves) stay as they are.
fn at_field(path: &serde_path_to_error::Path, e: &impl std::fmt::Display) -> String {
    let path = path.to_string();
    let e = in_request_terms(&e.to_string());
    if path.is_empty() || path == "." || path == "?" {
        e
    } else {
        format!("{path}: {e}")
    }
}

/// serde's message in the request's own terms: JSON types instead of Rust's (`expected
/// i64` is `expected an integer`, `expected struct NewUserRequest` is `expected a JSON
/// object`), and a body cut short said as such.
fn in_request_terms(message: &str) -> String {
    if message.starts_with("EOF while parsing") {
        return "the JSON ends before it is complete (a missing closing bracket or quote?)".into();
    }
    let mut out = message.to_owned();
    if let Some(at) = out.find("expected struct ") {
        // `expected struct X` ends where the type's name does.
        let name_start = at + "expected struct ".len();
        let end = out[name_start..]
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .map_or(out.len(), |n| name_start + n);
        out.replace_range(at..end, "expected a JSON object");
    }
    for (rust, json) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected i32", "expected an integer"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u16", "expected a whole number of 0 or more"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("map", "object"),
        ("sequence", "array"),
    ] {
        out = out.replace(rust, json);
    }
    out
}

/// Path parameters whose rejection answers with the error body.
struct ApiPath<T>(T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", e.body_text()))
    }
}

/// A query string whose rejection answers with the error body.
struct ApiQuery<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    format!("invalid query string: {}", at_field(e.path(), e.inner())),
                )
            })
    }
}

/// The calling principal, from `Authorization: Bearer <token>`.
struct Auth(Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The scheme name is case-insensitive (RFC 9110).
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| ApiError::from(Error::Unauthenticated))?;
        let hash = crypto::token_hash(token);
        let cached = state.principals.read().ok().and_then(|m| {
            m.get(&hash)
                .filter(|(_, at)| at.elapsed() < PRINCIPAL_CACHE_TTL)
                .map(|(p, _)| p.clone())
        });
        if let Some(p) = cached {
            return Ok(Auth(p));
        }
        let gov = Arc::clone(&state.gov);
        let token = token.to_owned();
        let principal = blocking(move || gov.authenticate(&token)).await?;
        if let Ok(mut m) = state.principals.write() {
            m.insert(hash, (principal.clone(), Instant::now()));
        }
        Ok(Auth(principal))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => {
            tracing::error!(error = %e, "worker task failed");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; see the server log",
            ))
        }
    }
}

fn parse_id(raw: &str, what: &str) -> ApiResult<Id> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            format!("{what} id must be an integer, got {raw:?}"),
        )
    })
}

// ----- handlers -----

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ScanRequest {
    text: String,
    /// The scene to judge in (the policy's `[scenes.NAME]`); the main policy when absent.
    #[serde(default)]
    scene: Option<String>,
}

#[utoipa::path(post, path = "/v1/scan", request_body = ScanRequest, responses((status = 200, description = "The verdict", body = RuledVerdict), Refusals), security(("bearer" = [])))]
async fn scan(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<ScanRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    // Pure CPU work on an immutable engine: no need for the blocking pool's hop for short
    // texts, but long ones would stall a worker, so they go there too.
    if req.text.len() < 4096 {
        let v = s.gov.scan_in_scene(&p, &req.text, req.scene.as_deref())?;
        count_verdict(&v);
        return Ok(Json(v));
    }
    let gov = Arc::clone(&s.gov);
    let v = blocking(move || gov.scan_in_scene(&p, &req.text, req.scene.as_deref())).await?;
    count_verdict(&v);
    Ok(Json(v))
}

pub(crate) fn count_verdict(v: &serde_json::Value) {
    let suggestion = v["suggestion"].as_str().unwrap_or("unknown").to_owned();
    metrics::counter!("qinglang_verdicts_total", "suggestion" => suggestion).increment(1);
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUserRequest {
    nickname: String,
}

#[utoipa::path(post, path = "/v1/users", request_body = NewUserRequest, responses((status = 201, description = "The new user", body = UserView), Refusals), security(("bearer" = [])))]
async fn create_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let user = blocking(move || gov.create_user(&p, &req.nickname, Timestamp::now())).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/v1/users/{id}", params(("id" = i64, Path, description = "the user")), responses((status = 200, description = "The user", body = UserView), Refusals), security(("bearer" = [])))]
async fn get_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "user")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.get_user(&p, id, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct IdentityRequest {
    kind: String,
    value: String,
    name: String,
}

#[utoipa::path(post, path = "/v1/users/{id}/identity", request_body = IdentityRequest, params(("id" = i64, Path, description = "the user")), responses((status = 200, description = "The user, identity masked", body = UserView), Refusals), security(("bearer" = [])))]
async fn verify_identity(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<IdentityRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "user")?;
    let kind = IdentityKind::parse(&req.kind).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_identity",
            format!(
                "kind must be resident_id, mobile or uscc, got {:?}",
                req.kind
            ),
        )
    })?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || {
            gov.verify_identity(&p, id, kind, &req.value, &req.name, Timestamp::now())
        })
        .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RevealRequest {
    reason: String,
}

#[utoipa::path(post, path = "/v1/users/{id}/identity/reveal", request_body = RevealRequest, params(("id" = i64, Path, description = "the user")), responses((status = 200, description = "The clear identity (audited)", body = RevealedIdentity), Refusals), security(("bearer" = [])))]
async fn reveal_identity(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<RevealRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "user")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.reveal_identity(&p, id, &req.reason, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AccountRequest {
    owner: Id,
    name: String,
    #[serde(default)]
    bio: String,
    subject: String,
    category: String,
    #[serde(default)]
    news_licence: bool,
    #[serde(default)]
    followers: u64,
    #[serde(default)]
    monthly_reads: u64,
}

#[utoipa::path(post, path = "/v1/accounts", request_body = AccountRequest, responses((status = 201, description = "The new account", body = AccountView), Refusals), security(("bearer" = [])))]
async fn open_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<AccountRequest>,
) -> ApiResult<impl IntoResponse> {
    let subject = AccountSubject::parse(&req.subject).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_subject",
            format!(
                "subject must be individual, enterprise, government or media, got {:?}",
                req.subject
            ),
        )
    })?;
    let account = NewAccount {
        owner: req.owner,
        name: req.name,
        bio: req.bio,
        subject,
        category: req.category,
        news_licence: req.news_licence,
        followers: req.followers,
        monthly_reads: req.monthly_reads,
    };
    let gov = Arc::clone(&s.gov);
    let view = blocking(move || gov.open_account(&p, &account, Timestamp::now())).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/v1/accounts/{id}", params(("id" = i64, Path, description = "the account")), responses((status = 200, description = "The account", body = AccountView), Refusals), security(("bearer" = [])))]
async fn get_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "account")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(blocking(move || gov.get_account(&p, id)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct GroupRequest {
    owner: Id,
    name: String,
    max_members: u32,
}

#[utoipa::path(post, path = "/v1/groups", request_body = GroupRequest, responses((status = 201, description = "The new group", body = GroupView), Refusals), security(("bearer" = [])))]
async fn create_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<GroupRequest>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let view = blocking(move || {
        gov.create_group(&p, req.owner, &req.name, req.max_members, Timestamp::now())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EmergencyRequest {
    name: String,
    /// Terms in the lexicon file format.
    #[serde(default)]
    terms: String,
    review_threshold: Option<u8>,
    block_threshold: Option<u8>,
}

/// ENF-3: terms and tighter thresholds in one audited change, live at once.
#[utoipa::path(post, path = "/v1/emergency", request_body = EmergencyRequest, responses((status = 200, description = "The change in force", body = EmergencyApplied), Refusals), security(("bearer" = [])))]
async fn emergency_change(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<EmergencyRequest>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let applied = blocking(move || {
        gov.emergency_change(
            &p,
            &req.name,
            &req.terms,
            req.review_threshold,
            req.block_threshold,
            Timestamp::now(),
        )
    })
    .await?;
    Ok(Json(applied))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SweepRequest {
    /// Re-scan what was stored in the last this many hours (at most 30 days).
    since_hours: u32,
    /// Hold or reject what is caught; otherwise only report.
    #[serde(default)]
    act: bool,
}

/// ENF-3: re-scan recent content with the engine as it is now.
#[utoipa::path(post, path = "/v1/sweep", request_body = SweepRequest, responses((status = 200, description = "What the sweep caught", body = SweepReport), Refusals), security(("bearer" = [])))]
async fn sweep(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<SweepRequest>,
) -> ApiResult<impl IntoResponse> {
    if req.since_hours == 0 || req.since_hours > 720 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_since",
            format!("since_hours must be 1..=720, got {}", req.since_hours),
        ));
    }
    let gov = Arc::clone(&s.gov);
    let now = Timestamp::now();
    let since = Timestamp(now.0 - i64::from(req.since_hours) * 3_600_000);
    Ok(Json(
        blocking(move || gov.sweep(&p, since, req.act, now)).await?,
    ))
}

/// REV-7: every stored copy of a flood campaign, for a moderator to act on together.
#[utoipa::path(get, path = "/v1/campaigns/{id}", params(("id" = i64, Path, description = "the campaign")), responses((status = 200, description = "The campaign's stored copies", body = CampaignCopies), Refusals), security(("bearer" = [])))]
async fn get_campaign(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "campaign")?;
    let gov = Arc::clone(&s.gov);
    let members = blocking(move || gov.campaign(&p, id as u64)).await?;
    Ok(Json(CampaignCopies {
        campaign: id,
        copies: members.len(),
        messages: members,
    }))
}

#[utoipa::path(get, path = "/v1/groups/{id}", params(("id" = i64, Path, description = "the group")), responses((status = 200, description = "The group", body = GroupView), Refusals), security(("bearer" = [])))]
async fn get_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "group")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.get_group(&p, id, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MemberRequest {
    user: Id,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    approved_by: Option<Id>,
}

#[utoipa::path(post, path = "/v1/groups/{id}/members", request_body = MemberRequest, params(("id" = i64, Path, description = "the group")), responses((status = 201, description = "The membership (202 when it awaits approval)", body = MembershipView), (status = 202, description = "Awaiting the group manager's approval", body = MembershipView), Refusals), security(("bearer" = [])))]
async fn join_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<MemberRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "group")?;
    let role = match req.role.as_deref() {
        None => GroupRole::Member,
        Some(r) => GroupRole::parse(r).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_role",
                format!("role must be member or manager, got {r:?}"),
            )
        })?,
    };
    let gov = Arc::clone(&s.gov);
    let m =
        blocking(move || gov.join_group(&p, id, req.user, role, req.approved_by, Timestamp::now()))
            .await?;
    // 202: waiting for a creator or manager to approve; 201: a member now.
    let status = if m.status == qinglang_governance::model::MembershipStatus::Pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(m)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MemberActionRequest {
    /// The creator or manager acting.
    by: Id,
    action: MemberAction,
    #[serde(default)]
    minutes: u32,
}

#[utoipa::path(post, path = "/v1/groups/{id}/members/{user}/actions", request_body = MemberActionRequest, params(("id" = i64, Path, description = "the group"), ("user" = i64, Path, description = "the member")), responses((status = 200, description = "What was done", body = MemberActionDone), Refusals), security(("bearer" = [])))]
async fn manage_member(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath((id, user)): ApiPath<(String, String)>,
    JsonBody(req): JsonBody<MemberActionRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "group")?;
    let user = parse_id(&user, "user")?;
    let gov = Arc::clone(&s.gov);
    let m = blocking(move || {
        gov.manage_member(
            &p,
            id,
            req.by,
            user,
            req.action,
            req.minutes,
            Timestamp::now(),
        )
    })
    .await?;
    Ok(Json(MemberActionDone {
        action: req.action,
        membership: m,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SceneRequest {
    /// A scene of the policy, or null to clear the default.
    scene: Option<String>,
}

#[utoipa::path(put, path = "/v1/groups/{id}/scene", request_body = SceneRequest, params(("id" = i64, Path, description = "the group")), responses((status = 200, description = "The default scene set", body = SceneSet), Refusals), security(("bearer" = [])))]
async fn set_group_scene(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<SceneRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "group")?;
    set_scene(s, p, Target::Group(id), req).await
}

#[utoipa::path(put, path = "/v1/accounts/{id}/scene", request_body = SceneRequest, params(("id" = i64, Path, description = "the account")), responses((status = 200, description = "The default scene set", body = SceneSet), Refusals), security(("bearer" = [])))]
async fn set_account_scene(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<SceneRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "account")?;
    set_scene(s, p, Target::Account(id), req).await
}

async fn set_scene(
    s: AppState,
    p: Principal,
    target: Target,
    req: SceneRequest,
) -> ApiResult<Json<SceneSet>> {
    let gov = Arc::clone(&s.gov);
    let scene = req.scene.clone();
    blocking(move || gov.set_default_scene(&p, target, scene.as_deref(), Timestamp::now())).await?;
    Ok(Json(SceneSet {
        target: target.label(),
        scene: req.scene,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NoticeRequest {
    by: Id,
    notice: String,
}

#[utoipa::path(put, path = "/v1/groups/{id}/notice", request_body = NoticeRequest, params(("id" = i64, Path, description = "the group")), responses((status = 200, description = "The group with its notice", body = GroupView), Refusals), security(("bearer" = [])))]
async fn set_notice(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
    JsonBody(req): JsonBody<NoticeRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "group")?;
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.set_group_notice(&p, id, req.by, &req.notice, Timestamp::now()))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ContentRequest {
    author: Id,
    #[serde(default)]
    group: Option<Id>,
    #[serde(default)]
    account: Option<Id>,
    kind: ContentKind,
    /// The text (every kind but `image`, for which it is absent).
    #[serde(default)]
    text: Option<String>,
    /// Kind `image` only: the picture's bytes (PNG, JPEG, WebP or GIF) in base64; such a
    /// body may be up to 28 MiB, any other 256 KiB.
    #[serde(default)]
    image: Option<String>,
    /// The scene to judge in; the main policy when absent.
    #[serde(default)]
    scene: Option<String>,
}

#[utoipa::path(post, path = "/v1/content", request_body = ContentRequest, responses((status = 200, description = "The verdict and what was done", body = Reviewed), Refusals), security(("bearer" = [])))]
async fn submit_content(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: axum::body::Body,
) -> ApiResult<impl IntoResponse> {
    // A picture's body may be far larger than a text's: read up to its limit, and hold
    // every other kind to MAX_BODY_BYTES once the kind is known.
    let bytes = images::read_picture_body(body).await?;
    let req: ContentRequest = parse_json(&bytes)?;
    if req.kind != ContentKind::Image && bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body exceeds {MAX_BODY_BYTES} bytes (only kind image may be larger)"),
        ));
    }
    let picture = match (req.kind, req.image) {
        (ContentKind::Image, Some(b64)) => Some(images::decode_base64(&b64)?),
        (ContentKind::Image, None) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "image_required",
                "image: content of kind image needs the picture's bytes in base64",
            ))
        }
        (kind, Some(_)) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "image_not_expected",
                format!(
                    "image: only content of kind image carries a picture, not {}",
                    kind.as_str()
                ),
            ))
        }
        (_, None) => None,
    };
    let text = match (req.text, req.kind) {
        (Some(text), _) => text,
        (None, ContentKind::Image) => String::new(),
        (None, kind) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json",
                format!(
                    "invalid request body: missing field `text` (required for kind {})",
                    kind.as_str()
                ),
            ))
        }
    };
    let sub = Submission {
        author: req.author,
        group: req.group,
        account: req.account,
        kind: req.kind,
        text,
        scene: req.scene,
    };
    let gov = Arc::clone(&s.gov);
    let reviewed = match picture {
        // Pictures are reviewed behind their own permits, so text never waits behind them.
        Some(picture) => {
            let permit = images::permit().await?;
            blocking(move || {
                let _permit = permit;
                gov.submit_image(&p, &sub, &picture, Timestamp::now())
            })
            .await?
        }
        None => blocking(move || gov.submit_content(&p, &sub, Timestamp::now())).await?,
    };
    count_verdict(&reviewed.verdict);
    metrics::counter!("qinglang_decisions_total", "decision" => reviewed.enforcement.decision.as_str()).increment(1);
    Ok(Json(reviewed))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

fn parse_time(raw: Option<&str>, name: &str, default: Timestamp) -> ApiResult<Timestamp> {
    match raw {
        None | Some("") => Ok(default),
        Some(s) => Timestamp::parse(s).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_time",
                format!(
                    "{name} must be YYYY-MM-DD, an RFC 3339 UTC time or milliseconds, got {s:?}"
                ),
            )
        }),
    }
}

#[utoipa::path(get, path = "/v1/audit", params(RangeQuery), responses((status = 200, description = "JSON Lines, one audit record a line"), Refusals), security(("bearer" = [])))]
async fn audit_export(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let from = parse_time(q.from.as_deref(), "from", Timestamp(0))?;
    let to = parse_time(q.to.as_deref(), "to", Timestamp(i64::MAX))?;
    let gov = Arc::clone(&s.gov);
    let entries = blocking(move || gov.audit_export(&p, from, to)).await?;
    let mut body = String::new();
    for e in &entries {
        body.push_str(&qinglang_governance::wire::audit_line(e).to_string());
        body.push('\n');
    }
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/v1/audit/verify", responses((status = 200, description = "The chain's check", body = ChainReport), Refusals), security(("bearer" = [])))]
async fn audit_verify(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    Ok(Json(
        blocking(move || gov.audit_verify(&p, Timestamp::now())).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    role: String,
    name: String,
}

#[utoipa::path(post, path = "/v1/tokens", request_body = TokenRequest, responses((status = 201, description = "The new token (shown once)", body = TokenCreated), Refusals), security(("bearer" = [])))]
async fn create_token(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<TokenRequest>,
) -> ApiResult<impl IntoResponse> {
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_role",
            format!(
                "role must be service, moderator, lead, auditor or admin, got {:?}",
                req.role
            ),
        )
    })?;
    let gov = Arc::clone(&s.gov);
    let name = req.name.clone();
    let token = blocking(move || gov.create_token(&p, role, &req.name, Timestamp::now())).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated { token, role, name }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LearnRequest {
    text: String,
    /// `spam` (a confirmed violation) or `ham` (a confirmed false positive).
    label: String,
}

/// REV-9: a moderator's confirmation teaches the deployment's model at once.
#[utoipa::path(post, path = "/v1/learn", request_body = LearnRequest, responses((status = 200, description = "The example learned", body = Learned), Refusals), security(("bearer" = [])))]
async fn learn(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<LearnRequest>,
) -> ApiResult<impl IntoResponse> {
    let label = qinglang_engine::Label::parse(&req.label).ok_or_else(|| {
        ApiError::from(Error::Invalid {
            code: "invalid_label",
            message: format!("label must be \"spam\" or \"ham\", got {:?}", req.label),
        })
    })?;
    let gov = Arc::clone(&s.gov);
    let learned = blocking(move || gov.learn(&p, &req.text, label, Timestamp::now())).await?;
    Ok(Json(learned))
}

#[utoipa::path(get, path = "/v1/learn", responses((status = 200, description = "The model and what it learned", body = LearningStatus), Refusals), security(("bearer" = [])))]
async fn learning_status(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    Ok(Json(blocking(move || gov.learning_status(&p)).await?))
}

#[utoipa::path(delete, path = "/v1/learn", responses((status = 200, description = "How many examples were forgotten", body = LearningReset), Refusals), security(("bearer" = [])))]
async fn reset_learning(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let removed = blocking(move || gov.reset_learning(&p, Timestamp::now())).await?;
    Ok(Json(LearningReset { removed }))
}

/// Forgets one learned example (taught by mistake); the rest are replayed.
#[utoipa::path(delete, path = "/v1/learn/{id}", params(("id" = i64, Path, description = "the learned example")), responses((status = 200, description = "The example forgotten", body = ExampleForgotten), Refusals), security(("bearer" = [])))]
async fn forget_learned(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "learned example")?;
    let gov = Arc::clone(&s.gov);
    blocking(move || gov.forget_learned(&p, id, Timestamp::now())).await?;
    Ok(Json(ExampleForgotten { forgotten: id }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ExamplesQuery {
    limit: Option<u32>,
    /// Only examples with a lower id: the previous page's `next`.
    before: Option<Id>,
}

/// The learned examples, newest first, a page at a time: `next` is the `before` of the
/// following page, `null` after the last one.
#[utoipa::path(get, path = "/v1/learn/examples", params(ExamplesQuery), responses((status = 200, description = "A page of learned examples", body = LearnedPage), Refusals), security(("bearer" = [])))]
async fn learned_examples(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ExamplesQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = cases::limit(q.limit, 100)? as usize;
    let gov = Arc::clone(&s.gov);
    let examples = blocking(move || gov.recent_learned(&p, limit, q.before)).await?;
    let next = (examples.len() == limit)
        .then(|| examples.last().map(|e| e.id))
        .flatten();
    let examples: Vec<serde_json::Value> = examples
        .iter()
        .map(qinglang_governance::model::LearnedExample::to_json)
        .collect();
    Ok(Json(LearnedPage { examples, next }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    name: String,
}

#[utoipa::path(post, path = "/v1/tokens/revoke", request_body = RevokeRequest, responses((status = 200, description = "How many tokens were revoked", body = TokensRevoked), Refusals), security(("bearer" = [])))]
async fn revoke_token(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(req): JsonBody<RevokeRequest>,
) -> ApiResult<impl IntoResponse> {
    let gov = Arc::clone(&s.gov);
    let name = req.name.clone();
    let n = blocking(move || gov.revoke_tokens(&p, &req.name, Timestamp::now())).await?;
    // Revoked tokens stop working on this node at once (other nodes within the cache TTL).
    if let Ok(mut m) = s.principals.write() {
        m.retain(|_, (principal, _)| principal.name != name);
    }
    Ok(Json(TokensRevoked { revoked: n, name }))
}

// ----- response bodies that are not a governance view -----

/// `POST /v1/groups/{id}/members/{user}/actions`: the action and the membership after it
/// (`null` once removed).
#[derive(Serialize, utoipa::ToSchema)]
struct MemberActionDone {
    action: MemberAction,
    membership: Option<MembershipView>,
}

/// A default scene set on a group or an account (`null`: cleared).
#[derive(Serialize, utoipa::ToSchema)]
struct SceneSet {
    /// `group:12` or `account:3`.
    target: String,
    scene: Option<String>,
}

/// Every stored copy of a flood campaign (REV-7).
#[derive(Serialize, utoipa::ToSchema)]
struct CampaignCopies {
    campaign: Id,
    copies: usize,
    messages: Vec<qinglang_governance::model::CampaignMember>,
}

/// A new bearer token, shown once.
#[derive(Serialize, utoipa::ToSchema)]
struct TokenCreated {
    token: String,
    role: Role,
    name: String,
}

/// How many tokens of the principal were revoked.
#[derive(Serialize, utoipa::ToSchema)]
struct TokensRevoked {
    revoked: u64,
    name: String,
}

/// How many learned examples were forgotten.
#[derive(Serialize, utoipa::ToSchema)]
struct LearningReset {
    removed: u64,
}

/// The learned example forgotten.
#[derive(Serialize, utoipa::ToSchema)]
struct ExampleForgotten {
    forgotten: Id,
}

/// A page of learned examples, newest first; `next` is the following page's `before`.
#[derive(Serialize, utoipa::ToSchema)]
struct LearnedPage {
    #[schema(value_type = Vec<Object>)]
    examples: Vec<serde_json::Value>,
    next: Option<Id>,
}
