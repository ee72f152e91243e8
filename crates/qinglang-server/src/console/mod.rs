//! The moderator console: server-rendered pages at `/`, assets embedded in the binary (no
//! CDN; works offline), Simplified Chinese with an English switch.
//!
//! Sign-in with a password (`qinglang user create`) or an API token opens a session: an
//! HttpOnly, SameSite=Strict cookie. Every form carries the session's CSRF token (the sign-in
//! form a pre-session one, double-submitted), and every page is sent with security headers.

// A failed step of a page is answered with the page that explains it: the error variant is
// a whole response by design, built at most once per request.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use qinglang_governance::model::Timestamp;
use qinglang_governance::Error;

use crate::{blocking, AppState};

mod article;
pub mod html;
pub mod labels;
mod messages;
mod pages;
mod picture;
pub mod svg;

use html::{Lang, Viewer};
use maud::{html as markup, DOCTYPE};
pub use pages::{annual_body, annual_document};

const SESSION_COOKIE: &str = "ql_session";
const LANG_COOKIE: &str = "ql_lang";
/// The pre-session CSRF cookie of the sign-in form.
const LOGIN_COOKIE: &str = "ql_login";

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route(
            "/assets/console.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/console.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route("/queue", get(pages::queue))
        .route("/queue/next", post(pages::queue_next))
        .route("/queue/decide", post(pages::queue_bulk))
        .route("/queue/{id}", get(pages::queue_item))
        .route("/queue/{id}/decide", post(pages::queue_decide))
        .route("/content/{id}", get(pages::content))
        .route("/content/{id}/image", get(pages::content_image))
        .route(
            "/queue/{id}/block-similar",
            post(pages::queue_block_similar),
        )
        .route(
            "/image-lists",
            get(pages::image_lists).post(pages::create_image_list),
        )
        .route("/image-lists/{id}", get(pages::image_list))
        .route(
            "/image-lists/{id}/entries/{entry}/remove",
            post(pages::remove_image_list_entry),
        )
        .route("/users/{id}", get(pages::user))
        .route("/users/{id}/reveal", post(pages::reveal))
        .route("/accounts/{id}", get(pages::account))
        .route("/groups/{id}", get(pages::group))
        .route("/reports", get(pages::reports))
        .route("/reports/{id}", get(pages::report))
        .route("/reports/{id}/reopen", post(pages::reopen))
        .route("/appeals", get(pages::appeals))
        .route("/appeals/{id}/decide", post(pages::decide_appeal))
        .route("/lexicons", get(pages::lexicons).post(pages::edit_lexicon))
        .route("/learning", get(pages::learning).post(pages::teach))
        .route("/learning/reset", post(pages::reset_learning))
        .route("/learning/{id}/forget", post(pages::forget_learned))
        .route(
            "/emergency",
            get(pages::emergency).post(pages::emergency_change),
        )
        .route("/emergency/sweep", post(pages::sweep))
        .route("/audit", get(pages::audit))
        .route("/audit/export", get(pages::audit_export))
        .route("/annual", get(pages::annual))
        .layer(middleware::from_fn(security_headers))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Headers every console response carries: no framing, no sniffing, scripts and styles
/// only from this server, no referrer, pages not cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    resp
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie(cookie(headers, LANG_COOKIE))
}

/// `Secure` when the request reached us over HTTPS (through a proxy that says so).
fn secure_attr(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https {
        "; Secure"
    } else {
        ""
    }
}

/// Constant-time comparison for CSRF tokens and flash signatures.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in viewer of a console page; without a live session, a redirect to sign-in.
pub(crate) struct Console(pub Viewer);

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let to_login =
            || Redirect::to(&format!("/login?next={}", html::urlencode(&path))).into_response();
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(to_login());
        };
        let gov = Arc::clone(&state.gov);
        let found = blocking(move || gov.session(&value, Timestamp::now()))
            .await
            .map_err(IntoResponse::into_response)?;
        let Some((principal, csrf)) = found else {
            return Err(to_login());
        };
        Ok(Console(Viewer {
            principal,
            csrf,
            lang: lang_of(&parts.headers),
            path,
        }))
    }
}

/// A submitted form: repeated keys kept (bulk selections), CSRF already checked.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Parses the body and checks its `csrf` field against the session's.
    pub fn parse(v: &Viewer, body: &Bytes) -> Result<Form, Response> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let form = Form(pairs);
        match form.get("csrf") {
            Some(token) if same(token, &v.csrf) => Ok(form),
            _ => Err(error_page(
                v.lang,
                StatusCode::FORBIDDEN,
                v.lang.t(
                    "表单已过期或来源不明（CSRF 校验失败），请返回重试。",
                    "The form is stale or did not come from this console (CSRF check failed); go back and retry.",
                ),
            )),
        }
    }
}

/// A page for an error the viewer cannot fix by retrying the same thing.
pub(crate) fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let body = markup! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                title { (status.as_u16()) }
                link rel="stylesheet" href="/assets/console.css";
            }
            body {
                main {
                    h1 { (status.as_u16()) }
                    p.flash.err { (message) }
                    p { a href="/" { (lang.t("返回概览", "Back to the dashboard")) } }
                }
            }
        }
    };
    (status, Html(body.into_string())).into_response()
}

/// Back to `back` with the outcome of a form shown: the success message, or the refusal in
/// the viewer's language.
pub(crate) fn back_with(lang: Lang, back: &str, result: Result<String, Error>) -> Response {
    let (key, msg) = match result {
        Ok(m) => ("ok", m),
        Err(e) => ("err", messages::error_text(lang, &e)),
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!(
        "{back}{sep}{key}={}&fs={}",
        html::urlencode(&msg),
        html::flash_signature(key, &msg).unwrap_or_default()
    ))
    .into_response()
}

// ----- sign-in -----

#[derive(serde::Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    /// Which fixed message to show (`wrong`, `paused`): never text from the link itself,
    /// which anyone can write and send to a moderator.
    err: Option<String>,
    /// With `err=paused`: seconds until sign-in is checked again.
    wait: Option<u32>,
}

/// The sign-in page's message for an `err` code, or none for an unknown code.
fn login_message(lang: Lang, err: Option<&str>, wait: Option<u32>) -> Option<String> {
    match err? {
        "wrong" => Some(
            lang.t(
                "用户名、密码或令牌不正确。",
                "Wrong name, password or token.",
            )
            .to_owned(),
        ),
        "paused" => {
            let wait = wait.unwrap_or(60).clamp(1, 60);
            Some(match lang {
                Lang::Zh => format!("该用户名登录失败次数过多，已暂停登录，请 {wait} 秒后再试。"),
                Lang::En => format!(
                    "Too many failed sign-ins for this name: sign-in is paused; try again in {wait} s."
                ),
            })
        }
        _ => None,
    }
}

/// Only paths on this server may be a place to return to after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and line breaks inside URLs, and read `\` as `/`: any of them
        // could turn `/x` into `//host`.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.chars()
                    .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn login_page(
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let token = qinglang_governance::crypto::random_bytes::<16>()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>())
        .unwrap_or_default();
    let next = safe_next(q.next.as_deref());
    let (other, other_label) = html::other_lang(lang);
    let title = lang.t("登录", "Sign in");
    let body = markup! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 清朗" }
                link rel="stylesheet" href="/assets/console.css";
            }
            body.login {
                main {
                    h1 { "清朗 " small { "qinglang" } }
                    p.muted { (lang.t("内容安全与治理控制台", "Content security and governance console")) }
                    @if let Some(m) = login_message(lang, q.err.as_deref(), q.wait) {
                        (html::flash_fixed(&m))
                    }
                    form.card method="post" action="/login" {
                        input type="hidden" name="csrf" value=(token);
                        input type="hidden" name="next" value=(next);
                        label { (lang.t("用户名", "Name")) input #name name="name" autocomplete="username"; }
                        label { (lang.t("密码", "Password")) input #password name="password" type="password" autocomplete="current-password"; }
                        p.muted { (lang.t("或使用 API 令牌登录：", "or sign in with an API token:")) }
                        label { (lang.t("令牌", "Token")) input #token name="token" type="password" autocomplete="off"; }
                        button #sign-in type="submit" { (title) }
                    }
                    p { a href={ "/lang/" (other) "?back=/login" } { (other_label) } }
                }
            }
        }
    }
    .into_string();
    let cookie = format!(
        "{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600{}",
        secure_attr(&headers)
    );
    ([(header::SET_COOKIE, cookie)], Html(body)).into_response()
}

async fn login(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = lang_of(&headers);
    let form = Form(
        form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same(form.get("csrf").unwrap_or(""), expected) {
        return error_page(
            lang,
            StatusCode::FORBIDDEN,
            lang.t(
                "登录表单已过期，请刷新登录页。",
                "The sign-in form expired; reload the sign-in page.",
            ),
        );
    }
    let next = safe_next(form.get("next"));
    let name = form.get("name").unwrap_or("").trim().to_owned();
    let password = form.get("password").unwrap_or("").to_owned();
    let token = form.get("token").unwrap_or("").trim().to_owned();
    let gov = Arc::clone(&s.gov);
    let result = blocking(move || {
        let now = Timestamp::now();
        if !token.is_empty() {
            gov.sign_in_token(&token, now)
        } else {
            gov.sign_in_password(&name, &password, now)
                .map_err(|e| match e {
                    // Paused: say for how long, not "wrong password" (#22).
                    Error::Forbidden {
                        code: "rate_limited",
                        ..
                    } => Error::Forbidden {
                        code: "rate_limited",
                        message: gov.sign_in_paused(&name, now).unwrap_or(60).to_string(),
                    },
                    other => other,
                })
        }
    })
    .await;
    match result {
        Ok(session) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                session.cookie,
                qinglang_governance::operators::SESSION_HOURS * 3600,
                secure_attr(&headers)
            );
            (
                StatusCode::SEE_OTHER,
                [(header::SET_COOKIE, cookie), (header::LOCATION, next)],
            )
                .into_response()
        }
        Err(e) => {
            let err = match (e.code, e.message.parse::<u32>()) {
                ("rate_limited", Ok(wait)) => format!("paused&wait={wait}"),
                _ => "wrong".to_owned(),
            };
            Redirect::to(&format!("/login?next={}&err={err}", html::urlencode(&next)))
                .into_response()
        }
    }
}

async fn logout(
    State(s): State<AppState>,
    Console(v): Console,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = Form::parse(&v, &body) {
        return r;
    }
    if let Some(value) = cookie(&headers, SESSION_COOKIE).map(str::to_owned) {
        let gov = Arc::clone(&s.gov);
        let _ = blocking(move || gov.sign_out(&value)).await;
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
            ),
            (header::LOCATION, "/login".to_owned()),
        ],
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct Back {
    back: Option<String>,
}

async fn switch_lang(
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<Back>,
) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{LANG_COOKIE}={lang}; SameSite=Lax; Path=/; Max-Age=31536000"),
            ),
            (header::LOCATION, safe_next(q.back.as_deref())),
        ],
    )
        .into_response()
}
