//! A drop-in for Tencent Cloud's text and image moderation APIs (TMS `TextModeration` and IMS
//! `ImageModeration`, both version 2020-12-29, OPS-4): `POST /` with the `X-TC-*` headers and
//! a TC3-HMAC-SHA256 signature, answered in the `{"Response": {…, "RequestId"}}` envelope, so
//! that a platform's client code written for the cloud keeps working with only its endpoint
//! changed.
//!
//! Our verdict is translated, never recomputed: the suggestion, score and hits are the ones
//! `POST /v1/scan` gives for the same text and scene (`BizType` names the scene). The label
//! mapping is in the README (TMS-compatible endpoint).
//!
//! Errors are answered the way Tencent Cloud answers them — HTTP 200 with
//! `Response.Error.{Code, Message}` — because that is what the SDKs read.

mod image;
pub mod sign;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use qinglang_governance::model::{Principal, Timestamp};
use qinglang_governance::{crypto, Error};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::AppState;
use sign::{Authorization, SignError, SignedRequest};

/// The actions answered, each with the service its signature's credential scope names; one
/// version for both.
pub const ACTION: &str = "TextModeration";
pub const SERVICE: &str = "tms";
pub const IMAGE_ACTION: &str = "ImageModeration";
pub const IMAGE_SERVICE: &str = "ims";
pub const VERSION: &str = "2020-12-29";
/// The largest body `POST /` reads: IMS takes pictures up to 5 MB, 6.7 MB in base64, with
/// the JSON around them. A `TextModeration` body is still held to the API's 256 KiB.
pub const MAX_TC_BODY_BYTES: usize = 8 << 20;
/// How long a looked-up SecretId is trusted without asking the store again (as bearer
/// tokens: a revocation takes effect everywhere within this time).
const SECRET_CACHE_TTL: Duration = Duration::from_secs(30);

/// A TMS error: its code (Tencent's) and a message that says what to change.
struct TmsError {
    code: &'static str,
    message: String,
}

impl TmsError {
    fn new(code: &'static str, message: impl Into<String>) -> TmsError {
        TmsError {
            code,
            message: message.into(),
        }
    }
}

impl From<SignError> for TmsError {
    fn from(e: SignError) -> TmsError {
        let code = match e {
            SignError::InvalidAuthorization(_) => "AuthFailure.InvalidAuthorization",
            SignError::Expired { .. } => "AuthFailure.SignatureExpire",
            SignError::Mismatch(_) => "AuthFailure.SignatureFailure",
        };
        TmsError::new(code, e.to_string())
    }
}

impl From<Error> for TmsError {
    fn from(e: Error) -> TmsError {
        let code = match &e {
            Error::Forbidden {
                code: "rate_limited",
                ..
            } => "RequestLimitExceeded",
            Error::Forbidden { .. } => "AuthFailure.UnauthorizedOperation",
            Error::Unauthenticated => "AuthFailure.SecretIdNotFound",
            Error::Invalid {
                code: "unknown_scene",
                ..
            } => "InvalidParameterValue.BizType",
            Error::Invalid {
                code: "text_too_long",
                ..
            } => "InvalidParameterValue.ErrTextContentLen",
            Error::Invalid { .. } | Error::NotFound { .. } | Error::Conflict { .. } => {
                "InvalidParameterValue"
            }
            Error::Storage(detail) => {
                tracing::error!(%detail, "storage failure on the TMS endpoint");
                return TmsError::new("InternalError", "internal error; see the server log");
            }
        };
        TmsError::new(code, e.to_string())
    }
}

/// The request body's fields as the SDKs send them; what TMS takes and we do not use
/// (`User`, `Device`, `SourceLanguage`, `Type`, `BizTag`) is accepted and ignored.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[schema(rename_all = "PascalCase")]
struct TextModerationRequest {
    /// The text's UTF-8 bytes in base64, at most 10,000 characters.
    content: Option<String>,
    /// The scene (`[scenes.NAME]` of the policy); empty: the main policy.
    #[serde(default)]
    biz_type: Option<String>,
    /// Echoed in the answer.
    #[serde(default)]
    data_id: Option<String>,
    /// Echoed in the answer.
    #[serde(default)]
    session_id: Option<String>,
    /// Accepted, not used.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)]
    user: Option<serde::de::IgnoredAny>,
    /// Accepted, not used.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)]
    device: Option<serde::de::IgnoredAny>,
}

/// Tencent Cloud TMS `TextModeration` and IMS `ImageModeration` (API 2020-12-29) as the
/// official SDKs send them: `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` and a
/// TC3-HMAC-SHA256 `Authorization` by a key pair from `qinglang token create --tc3`; the body
/// is TMS's (`Content` in base64, `BizType` the scene, `DataId`) or IMS's (`FileContent` the
/// picture in base64). Answers, errors included, are HTTP 200 in the cloud's envelope
/// (`Response.Error.Code` on refusal), as the SDKs expect; the mapping is in the README.
#[utoipa::path(post, path = "/",
    request_body(description = "TMS TextModeration or IMS ImageModeration parameters", content(
        (TextModerationRequest = "application/json"),
    )),
    params(
        ("X-TC-Action" = String, Header, description = "TextModeration or ImageModeration"),
        ("X-TC-Version" = String, Header, description = "2020-12-29"),
        ("X-TC-Timestamp" = i64, Header, description = "signing time, Unix seconds"),
    ),
    responses((status = 200, description = "TMS's envelope: the verdict, or Response.Error", body = Object)),
    security(("tc3" = [])))]
pub async fn text_moderation(
    State(s): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = request_id();
    let answered = match axum::body::to_bytes(body, MAX_TC_BODY_BYTES).await {
        Ok(body) => answer(&s, &method, &uri, &headers, &body).await,
        Err(_) => Err(TmsError::new(
            "RequestSizeLimitExceeded",
            format!("the request body exceeds {MAX_TC_BODY_BYTES} bytes"),
        )),
    };
    let response = match answered {
        Ok(mut fields) => {
            fields["RequestId"] = request_id.clone().into();
            json!({ "Response": fields })
        }
        Err(e) => {
            metrics::counter!("qinglang_tms_errors_total", "code" => e.code).increment(1);
            json!({"Response": {
                "Error": {"Code": e.code, "Message": e.message},
                "RequestId": request_id,
            }})
        }
    };
    Json(response).into_response()
}

async fn answer(
    s: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, TmsError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let action = header("x-tc-action").ok_or_else(|| {
        TmsError::new(
            "MissingParameter",
            "the X-TC-Action header is missing (this endpoint answers TextModeration and \
             ImageModeration)",
        )
    })?;
    let service = match action {
        ACTION => SERVICE,
        IMAGE_ACTION => IMAGE_SERVICE,
        _ => {
            return Err(TmsError::new(
                "UnsupportedOperation",
                format!(
                    "action {action:?} is not supported here; only {ACTION} and {IMAGE_ACTION} are"
                ),
            ))
        }
    };
    match header("x-tc-version") {
        Some(VERSION) => {}
        other => {
            return Err(TmsError::new(
                "NoSuchVersion",
                format!("X-TC-Version must be {VERSION} for {action}, got {other:?}"),
            ))
        }
    }
    let principal = authenticate(s, method, uri, headers, body, service).await?;
    if action == IMAGE_ACTION {
        return image::answer(s, principal, body).await;
    }
    if body.len() > crate::MAX_BODY_BYTES {
        return Err(TmsError::new(
            "RequestSizeLimitExceeded",
            format!(
                "a TextModeration body may be at most {} bytes",
                crate::MAX_BODY_BYTES
            ),
        ));
    }
    let request: TextModerationRequest = serde_json::from_slice(body).map_err(|e| {
        TmsError::new(
            "InvalidParameter",
            format!("the request body is not a TextModeration request: {e}"),
        )
    })?;
    let content = request
        .content
        .ok_or_else(|| TmsError::new("MissingParameter", "the parameter Content is missing"))?;
    let text = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            TmsError::new(
                "InvalidParameterValue.ErrTextContentType",
                "Content must be the text's UTF-8 bytes in base64",
            )
        })?;
    let scene = request
        .biz_type
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned);
    // As `/v1/scan`: short texts are scanned on the worker, long ones on the blocking pool.
    let verdict = if text.len() < 4096 {
        s.gov.scan_in_scene(&principal, &text, scene.as_deref())?
    } else {
        let gov = Arc::clone(&s.gov);
        let scene_for_scan = scene.clone();
        tokio::task::spawn_blocking(move || {
            gov.scan_in_scene(&principal, &text, scene_for_scan.as_deref())
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "TMS worker task failed");
            TmsError::new("InternalError", "internal error; see the server log")
        })??
    };
    crate::count_verdict(&verdict);
    let mut response = tms_response(&verdict);
    response["BizType"] = scene.unwrap_or_default().into();
    response["DataId"] = request.data_id.unwrap_or_default().into();
    response["SessionId"] = request.session_id.unwrap_or_default().into();
    Ok(response)
}

/// The principal whose key signed the request, after checking the signature.
async fn authenticate(
    s: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    service: &str,
) -> Result<Principal, TmsError> {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            TmsError::new(
                "AuthFailure.InvalidAuthorization",
                "the Authorization header is missing: sign the request with TC3-HMAC-SHA256",
            )
        })?;
    let auth = Authorization::parse(authorization)?;
    let timestamp: i64 = headers
        .get("x-tc-timestamp")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            TmsError::new(
                "AuthFailure.InvalidAuthorization",
                "X-TC-Timestamp must be the signing time in Unix seconds",
            )
        })?;
    let (principal, secret) = secret(s, auth.secret_id).await?;
    let request = SignedRequest {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers,
        body,
    };
    let now = Timestamp::now().0.div_euclid(1000);
    sign::verify(&secret, timestamp, now, service, &auth, &request)?;
    Ok(principal)
}

/// The principal and secret of a SecretId, from the cache or the store.
async fn secret(s: &AppState, secret_id: &str) -> Result<(Principal, String), TmsError> {
    let cached = s.tc3_secrets.read().ok().and_then(|m| {
        m.get(secret_id)
            .filter(|(_, _, at)| at.elapsed() < SECRET_CACHE_TTL)
            .map(|(p, k, _)| (p.clone(), k.clone()))
    });
    if let Some(found) = cached {
        return Ok(found);
    }
    let gov = Arc::clone(&s.gov);
    let id = secret_id.to_owned();
    let found = tokio::task::spawn_blocking(move || gov.tc3_secret(&id))
        .await
        .map_err(|_| TmsError::new("InternalError", "internal error; see the server log"))??
        .ok_or_else(|| {
            TmsError::new(
                "AuthFailure.SecretIdNotFound",
                format!(
                    "SecretId {secret_id:?} is unknown or revoked; mint one with \
                     `qinglang token create --role service --name N --tc3`"
                ),
            )
        })?;
    if let Ok(mut m) = s.tc3_secrets.write() {
        // Bounded: an attacker cycling SecretIds only ever inserts live ones.
        if m.len() >= 10_000 {
            m.clear();
        }
        m.insert(
            secret_id.to_owned(),
            (found.0.clone(), found.1.clone(), Instant::now()),
        );
    }
    Ok(found)
}

/// A request id in the UUID form Tencent Cloud uses.
fn request_id() -> String {
    let h = crypto::hex(&crypto::random_bytes::<16>().unwrap_or_default());
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// TMS's label for one of our categories (REV-2 taxonomy); an operator's own category is
/// `Custom`.
pub fn tms_label(category: &str) -> &'static str {
    match category {
        "porn" => "Porn",
        "sexual_innuendo" => "Sexy",
        "abuse" | "discrimination" | "vulgar" => "Abuse",
        "ad" | "spam" => "Ad",
        "politics" => "Polity",
        "terror" | "violence" | "gore" => "Terror",
        "gambling" | "drugs" | "weapons" | "fraud" | "contraband" | "privacy" | "cult"
        | "rumor" => "Illegal",
        _ => "Custom",
    }
}

fn suggestion(ours: &str) -> &'static str {
    match ours {
        "block" => "Block",
        "review" => "Review",
        _ => "Pass",
    }
}

/// A hit's suggestion in the cloud's terms: what it contributed to the verdict, never more.
/// `counted`: its category is among the verdict's labels.
fn hit_suggestion(hit: &Value, ours: &str, counted: bool) -> &'static str {
    match (hit["action"].as_str(), counted) {
        (_, false) => "Pass",
        (Some("block") | Some("cue"), true) => suggestion(ours),
        (_, true) if ours == "pass" => "Pass",
        (_, true) => "Review",
    }
}

/// The worse of two suggestions in the cloud's terms.
fn worse<'a>(a: &'a str, b: &'a str) -> &'a str {
    let rank = |s: &str| ["Pass", "Review", "Block"].iter().position(|x| *x == s);
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Where a hit came from, in TMS's terms: `(LibType, LibName, HitInfo Type)`. The shipped
/// lexicon is TMS's built-in black-and-white library (1); an operator's lexicon, emergency
/// change or console edit is a custom library (2), named by its source.
fn library(source: &str) -> (u8, &str, &'static str) {
    if source.starts_with("model:") {
        (1, "", "Model")
    } else if source.starts_with("rule:") || source == "flood" {
        (1, "", "Rule")
    } else if source == "default" {
        (1, "", "Keyword")
    } else {
        (2, source, "Keyword")
    }
}

/// A contact hit's TMS risk label (`RiskDetails`).
fn contact_label(term: &str) -> String {
    match term {
        "mobile" | "phone" | "landline" | "hotline" => "Phone".into(),
        "wechat" => "WeChat".into(),
        "qq" => "QQ".into(),
        "url" => "Url".into(),
        "email" => "Email".into(),
        "telegram" => "Telegram".into(),
        "line" => "Line".into(),
        other => other.to_owned(),
    }
}

/// The TMS response fields for one of our verdicts (the scan contract's JSON).
pub fn tms_response(verdict: &Value) -> Value {
    let ours = verdict["suggestion"].as_str().unwrap_or("pass");
    let score = verdict["score"].as_u64().unwrap_or(0);
    let labels: Vec<&str> = verdict["labels"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let hits: &[Value] = verdict["hits"].as_array().map_or(&[], Vec::as_slice);
    let primary = labels.first().copied();
    let label = match (ours, primary) {
        ("pass", _) | (_, None) => "Normal",
        (_, Some(c)) => tms_label(c),
    };
    let sub_label = primary
        .and_then(|c| {
            hits.iter()
                .find(|h| h["category"] == c)
                .map(|h| h["subcategory"].as_str().unwrap_or(c).to_owned())
        })
        .filter(|_| ours != "pass")
        .unwrap_or_default();
    let mut keywords: Vec<&str> = Vec::new();
    // One detail per (label, library): TMS reports a custom library's hits apart.
    let mut details: Vec<(String, String, Value)> = Vec::new();
    let mut risks: Vec<Value> = Vec::new();
    for h in hits {
        let category = h["category"].as_str().unwrap_or("");
        let source = h["source"].as_str().unwrap_or("");
        let text = h["text"].as_str().unwrap_or("");
        let (lib_type, lib_name, kind) = library(source);
        if kind == "Keyword" && !keywords.contains(&text) {
            keywords.push(text);
        }
        if source == "rule:contact" {
            let label = contact_label(h["term"].as_str().unwrap_or(""));
            let level = if ours == "block" { 2 } else { 1 };
            if !risks.iter().any(|r| r["Label"] == label.as_str()) {
                risks.push(json!({"Label": label, "Level": level}));
            }
        }
        let tms = tms_label(category);
        let counted = labels.contains(&category);
        let hit_score = if counted && ours != "pass" {
            score
        } else {
            h["probability"]
                .as_f64()
                .map_or(0, |p| (p * 100.0).round() as u64)
        };
        let hit_suggestion = hit_suggestion(h, ours, counted);
        let position = json!({"Start": h["start"], "End": h["end"]});
        let index = details
            .iter()
            .position(|(l, n, _)| l == tms && n == lib_name);
        let detail = match index {
            Some(i) => &mut details[i].2,
            None => {
                details.push((
                    tms.to_owned(),
                    lib_name.to_owned(),
                    json!({
                        "Label": tms,
                        "Suggestion": "Pass",
                        "Keywords": [],
                        "Score": 0,
                        "LibType": lib_type,
                        "LibId": lib_name,
                        "LibName": lib_name,
                        "SubLabel": h["subcategory"].as_str().unwrap_or(category),
                        "Tags": [],
                        "HitInfos": [],
                    }),
                ));
                &mut details.last_mut().expect("just pushed").2
            }
        };
        if kind == "Keyword" {
            let words = detail["Keywords"].as_array_mut().expect("an array");
            if !words.iter().any(|w| w == text) {
                words.push(text.into());
            }
        }
        if hit_score > detail["Score"].as_u64().unwrap_or(0) {
            detail["Score"] = hit_score.into();
        }
        let now = worse(
            detail["Suggestion"].as_str().unwrap_or("Pass"),
            hit_suggestion,
        );
        detail["Suggestion"] = now.into();
        let infos = detail["HitInfos"].as_array_mut().expect("an array");
        infos.push(json!({
            "Type": kind,
            "Keyword": text,
            "LibName": lib_name,
            "Positions": [position],
        }));
    }
    json!({
        "Suggestion": suggestion(ours),
        "Label": label,
        "SubLabel": sub_label,
        "Score": score,
        "Keywords": keywords,
        "DetailResults": details.into_iter().map(|(_, _, d)| d).collect::<Vec<_>>(),
        "RiskDetails": risks,
        "Extra": "",
        "ContextText": "",
        "HitType": "",
    })
}
