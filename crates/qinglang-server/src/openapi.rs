//! The OpenAPI 3.1 document, derived from the code (issue #22): each API handler carries a
//! `#[utoipa::path]` with its request and response types, and is routed through
//! `utoipa_axum::routes!`, which takes the method and path from that same annotation. A route
//! cannot be served without being described, and a description cannot name a type the
//! handler does not use. The error responses every route shares are [`Refusals`].

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// The one error body: `{"code": "snake_case", "message": "..."}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong, for programs (`invalid_json`, `rate_limited`, `unknown_scene`, …).
    pub code: String,
    /// What went wrong, for people: names the field, the limit or the rule.
    pub message: String,
}

/// The refusals any API route may answer with; the body's `code` says which rule refused.
#[allow(dead_code)] // Only described, never built: the answers come from `ApiError`.
#[derive(IntoResponses)]
pub(crate) enum Refusals {
    /// A request that could not be read (a path that is not valid UTF-8, a broken body).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No bearer token, or one that is unknown or revoked.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The role may not do this, or a rule forbids it (sanctions, entitlements, ENF-2).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such user, group, account, report, appeal, item or campaign.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The body did not arrive within the server's client timeout.
    #[response(status = 408)]
    Timeout(ErrorBody),
    /// A uniqueness rule (one user per identity, one appeal per sanction, a taken name).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is over 256 KiB (a picture's, on the routes that take one, over 28 MiB).
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A field, a query value or a text is not acceptable; the message names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// A rate limit (REV-7); `Retry-After` says when.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// Too many requests in flight; `Retry-After` says when.
    #[response(status = 503)]
    Overloaded(ErrorBody),
}

/// The bearer scheme every `/v1` route uses.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `qinglang token create` (qlt_…); roles: service, \
                         moderator, lead, auditor, admin",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "tc3",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "TC3-HMAC-SHA256 Credential=SecretId/DATE/tms/tc3_request, SignedHeaders=…, \
                 Signature=… (Tencent Cloud API 3.0), by a key pair from \
                 `qinglang token create --tc3`",
            ))),
        );
    }
}

/// What the document says before the routes add their paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "qinglang",
        description = "Content review and governance for public accounts and groups: \
                       verdicts, identities, groups and accounts, sanctions, reports, the \
                       review queue, appeals, the audit trail. The TMS-compatible `POST /` \
                       signs with TC3-HMAC-SHA256 instead of a bearer token."
    ),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody))
)]
pub(crate) struct ApiDoc;
