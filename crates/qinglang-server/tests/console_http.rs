//! The console's sign-in, sessions, CSRF protection and security headers, over HTTP without
//! a browser (OPS-1).

mod common;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use common::Api;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn send(
    api: &Api,
    method: &str,
    uri: &str,
    cookie: &str,
    form: Option<String>,
) -> Response<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    if form.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let req = req
        .body(form.map_or_else(Body::empty, Body::from))
        .expect("request");
    api.router.clone().oneshot(req).await.expect("response")
}

fn set_cookie(resp: &Response<Body>, name: &str) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

fn location(resp: &Response<Body>) -> String {
    resp.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn body(resp: Response<Body>) -> String {
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn sign_in_sessions_csrf_and_headers() {
    let api = Api::new();
    // Not signed in: sent to the sign-in page, and even that answer carries the headers.
    let resp = send(&api, "GET", "/audit", "", None).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/login?next=%2Faudit");
    let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or("");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(resp.headers()[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // The sign-in form's own CSRF token is double-submitted (cookie + field).
    let page = send(&api, "GET", "/login", "", None).await;
    let pre = set_cookie(&page, "ql_login").expect("pre-session cookie");
    assert!(
        pre.contains("HttpOnly") && pre.contains("SameSite=Strict"),
        "{pre}"
    );
    let pre = cookie_value(&pre);
    let cookie = format!("ql_login={pre}");
    let admin = api.admin.clone();
    let forged = form(&[("csrf", "forged"), ("token", &admin), ("next", "/audit")]);
    let resp = send(&api, "POST", "/login", &cookie, Some(forged)).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let wrong = form(&[("csrf", &pre), ("token", "qlt_nope"), ("next", "/audit")]);
    let resp = send(&api, "POST", "/login", &cookie, Some(wrong)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login?") && location(&resp).contains("err="));
    // Only paths on this server are places to return to.
    let good = form(&[
        ("csrf", &pre),
        ("token", &admin),
        ("next", "//evil.example/"),
    ]);
    let resp = send(&api, "POST", "/login", &cookie, Some(good)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/");
    let session = set_cookie(&resp, "ql_session").expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let session = format!("ql_session={}", cookie_value(&session));

    // Signed in: the page carries the session's CSRF token in its forms.
    let resp = send(&api, "GET", "/lexicons", &session, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CACHE_CONTROL], "no-store");
    let html = body(resp).await;
    let csrf = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf field")
        .to_owned();
    // A form without it is refused and changes nothing.
    let add = |token: &str| {
        form(&[
            ("csrf", token),
            ("term", "测试黑话"),
            ("op", "add"),
            ("category", "drugs"),
            ("action", "block"),
        ])
    };
    let resp = send(&api, "POST", "/lexicons", &session, Some(add("x"))).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (_, v) = api
        .json(
            "POST",
            "/v1/scan",
            &admin,
            serde_json::json!({"text": "测试黑话"}),
        )
        .await;
    assert_eq!(v["suggestion"], "pass");
    let resp = send(&api, "POST", "/lexicons", &session, Some(add(&csrf))).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    let (_, v) = api
        .json(
            "POST",
            "/v1/scan",
            &admin,
            serde_json::json!({"text": "测试黑话"}),
        )
        .await;
    assert_eq!(v["suggestion"], "block");

    // The language switch returns only to paths on this server (a tab would make `//host`).
    for back in [
        "/%09/evil.example",
        "//evil.example",
        "https://evil.example",
        "/\\evil",
    ] {
        let resp = send(&api, "GET", &format!("/lang/en?back={back}"), "", None).await;
        assert_eq!(location(&resp), "/", "{back}");
    }
    let resp = send(&api, "GET", "/lang/en?back=/queue%3Flane%3Dlow", "", None).await;
    assert_eq!(location(&resp), "/queue?lane=low");

    // Signing out ends the session.
    let resp = send(
        &api,
        "POST",
        "/logout",
        &session,
        Some(form(&[("csrf", &csrf)])),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = send(&api, "GET", "/lexicons", &session, None).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login"));
}
