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

/// The sign-in page shows fixed messages only, never text a link carries; a name paused after
/// too many failures is told so and for how long (#22).
#[tokio::test]
async fn sign_in_messages_are_fixed_and_a_pause_is_said() {
    let api = Api::new();
    let planted = "账户异常，请拨打4008123123转账解冻";
    let page = send(
        &api,
        "GET",
        &format!(
            "/login?err={}",
            form_urlencoded::byte_serialize(planted.as_bytes()).collect::<String>()
        ),
        "",
        None,
    )
    .await;
    let html = body(page).await;
    assert!(!html.contains("4008123123"), "{html}");
    let html = body(send(&api, "GET", "/login?err=wrong", "", None).await).await;
    assert!(html.contains("用户名、密码或令牌不正确"), "{html}");

    api.gov
        .create_operator(
            &qinglang_governance::model::Principal::system(),
            "mod1",
            qinglang_governance::authz::Role::Moderator,
            "a long enough password",
            qinglang_governance::model::Timestamp::now(),
        )
        .expect("operator");
    let page = send(&api, "GET", "/login", "", None).await;
    let pre = cookie_value(&set_cookie(&page, "ql_login").expect("pre-session cookie"));
    let cookie = format!("ql_login={pre}");
    let mut last = String::new();
    for _ in 0..11 {
        let wrong = form(&[
            ("csrf", &pre),
            ("name", "mod1"),
            ("password", "not it at all"),
        ]);
        let resp = send(&api, "POST", "/login", &cookie, Some(wrong)).await;
        last = location(&resp).to_owned();
    }
    assert!(last.contains("err=paused&wait="), "{last}");
    let html = body(send(&api, "GET", &last, "", None).await).await;
    assert!(
        html.contains("已暂停登录") && html.contains("秒后再试"),
        "{html}"
    );

    // Signed in, a page shows only the flashes its own forms' redirects signed.
    let admin = api.admin.clone();
    let good = form(&[("csrf", &pre), ("token", &admin), ("next", "/")]);
    let resp = send(&api, "POST", "/login", &cookie, Some(good)).await;
    let session = format!(
        "ql_session={}",
        cookie_value(&set_cookie(&resp, "ql_session").expect("session"))
    );
    let planted_q = form_urlencoded::byte_serialize(planted.as_bytes()).collect::<String>();
    for uri in [
        format!("/lexicons?err={planted_q}"),
        format!("/lexicons?ok={planted_q}&fs=00112233445566778899aabbccddeeff"),
    ] {
        let html = body(send(&api, "GET", &uri, &session, None).await).await;
        assert!(html.contains("<main") || html.contains("<nav"), "{html}");
        assert!(!html.contains("class=\"flash"), "{uri}: {html}");
    }
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

/// Signs in with an API token: (session cookie, the session's CSRF token).
async fn sign_in(api: &Api, token: &str) -> (String, String) {
    let page = send(api, "GET", "/login", "", None).await;
    let pre = cookie_value(&set_cookie(&page, "ql_login").expect("pre-session cookie"));
    let resp = send(
        api,
        "POST",
        "/login",
        &format!("ql_login={pre}"),
        Some(form(&[("csrf", &pre), ("token", token), ("next", "/")])),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = format!(
        "ql_session={}",
        cookie_value(&set_cookie(&resp, "ql_session").expect("session cookie"))
    );
    let html = body(send(api, "GET", "/learning", &session, None).await).await;
    let csrf = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf field")
        .to_owned();
    (session, csrf)
}

/// The number in the element with this id (`<strong id="…">N</strong>`).
fn count_of(html: &str, id: &str) -> u64 {
    html.split(&format!(r#"id="{id}">"#))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {id} in the page"))
}

/// Posts a console form; the answer (a redirect with `ok=` or `err=`, or a refusal).
async fn post(api: &Api, uri: &str, cookie: &str, pairs: &[(&str, &str)]) -> Response<Body> {
    send(api, "POST", uri, cookie, Some(form(pairs))).await
}

#[tokio::test]
async fn moderators_teach_the_model_from_the_console_and_only_a_lead_resets_it() {
    // REV-9 in the console: a moderator teaches a confirmed violation, the next scan sees it,
    // the page lists it; resetting is for leads (and admins) and must be confirmed.
    let api = Api::new();
    let svc = api.token("service").await;
    let text = "加我好友领取免费红包，名额有限先到先得";
    let model_hit = |v: &serde_json::Value| {
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["source"] == "model:cold")
            .and_then(|h| h["probability"].as_f64())
    };
    let scan = || async {
        api.json("POST", "/v1/scan", &svc, serde_json::json!({"text": text}))
            .await
            .1
    };
    assert_eq!(model_hit(&scan().await), None);

    let moderator = api.token("moderator").await;
    let (session, csrf) = sign_in(&api, &moderator).await;
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert_eq!(count_of(&html, "learned-spam"), 0);
    assert!(html.contains("id=\"teach-form\""));
    assert!(
        html.contains("maxlength=\"500\""),
        "the policy's model_max_chars"
    );
    assert!(
        !html.contains("id=\"reset-form\""),
        "moderators do not reset"
    );

    // Every learning form needs the session's CSRF token.
    for (uri, fields) in [
        ("/learning", vec![("text", text), ("label", "spam")]),
        ("/learning/reset", vec![("confirm", "yes")]),
        ("/learning/1/forget", vec![]),
    ] {
        let mut pairs = vec![("csrf", "forged")];
        pairs.extend(fields);
        let resp = send(&api, "POST", uri, &session, Some(form(&pairs))).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{uri}");
    }
    // A label that is neither spam nor ham is refused with a message, and nothing is learned.
    let resp = post(
        &api,
        "/learning",
        &session,
        &[("csrf", &csrf), ("text", text), ("label", "spamm")],
    )
    .await;
    assert!(location(&resp).contains("err="), "{}", location(&resp));
    let resp = post(
        &api,
        "/learning",
        &session,
        &[("csrf", &csrf), ("text", text), ("label", "spam")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    let p = model_hit(&scan().await).expect("a model hit after learning");
    assert!(p > 0.7, "{p}");
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert_eq!(count_of(&html, "learned-spam"), 1);
    assert!(html.contains(text), "the example is listed");

    // A moderator's reset is refused and changes nothing.
    let resp = post(
        &api,
        "/learning/reset",
        &session,
        &[("csrf", &csrf), ("confirm", "yes")],
    )
    .await;
    assert!(location(&resp).contains("err="), "{}", location(&resp));
    assert!(model_hit(&scan().await).is_some());

    // A second example, a false positive on another text; then the lead forgets the first
    // one alone (taught by mistake): its effect goes, the other example stays.
    let other = "你们地区的人说话都这么直接吗，挺有意思";
    let resp = post(
        &api,
        "/learning",
        &session,
        &[("csrf", &csrf), ("text", other), ("label", "ham")],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    let forget_id = |html: &str| -> i64 {
        html.split(r#"id="forget-"#)
            .nth(3)
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.parse().ok())
            .expect("the first example's forget button")
    };
    // Texts are shown as written: escaped once, not twice.
    let marked = "<b>&\"试试看";
    let resp = post(
        &api,
        "/learning",
        &session,
        &[("csrf", &csrf), ("text", marked), ("label", "ham")],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert!(html.contains("&lt;b&gt;&amp;&quot;试试看"), "escaped once");
    assert!(!html.contains("&amp;lt;") && !html.contains("<b>&"));

    // An auditor reads the page but is offered nothing to change.
    let auditor = api.token("auditor").await;
    let (audit_session, _) = sign_in(&api, &auditor).await;
    let html = body(send(&api, "GET", "/learning", &audit_session, None).await).await;
    assert_eq!(count_of(&html, "learned-spam"), 1);
    assert!(!html.contains("teach-form") && !html.contains("reset-form"));
    assert!(!html.contains("forget-"));

    // Over the API, a page at a time, newest first.
    let (status, page) = api.get("/v1/learn/examples?limit=2", &auditor).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ids: Vec<i64> = page["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > ids[1]);
    let (_, older) = api
        .get(
            &format!("/v1/learn/examples?limit=2&before={}", ids[1]),
            &auditor,
        )
        .await;
    assert_eq!(older["examples"][0]["text"], text);
    assert_eq!(older["examples"].as_array().map(Vec::len), Some(1));
    assert!(older["next"].is_null(), "the last page");
    assert_eq!(page["next"], ids[1]);
    // The texts are for people who teach or audit, not the platform's service token.
    let service = api.token("service").await;
    let (status, _) = api.get("/v1/learn/examples", &service).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for bad in ["limit=0", "limit=1001", "before=abc"] {
        let (status, _) = api
            .call(
                "GET",
                &format!("/v1/learn/examples?{bad}"),
                Some(&auditor),
                None,
            )
            .await;
        assert!(status.is_client_error(), "{bad}: {status}");
    }

    let lead = api.token("lead").await;
    let (session, csrf) = sign_in(&api, &lead).await;
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert!(html.contains("id=\"reset-form\""));
    let first = forget_id(&html);
    let (status, _) = api.call("DELETE", "/v1/learn/abc", Some(&lead), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Over the API, forgetting is for leads and admins, and names a real example.
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/v1/learn/{first}"),
            Some(&moderator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .call("DELETE", "/v1/learn/999999", Some(&lead), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let resp = post(
        &api,
        &format!("/learning/{first}/forget"),
        &session,
        &[("csrf", &csrf)],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    assert_eq!(
        model_hit(&scan().await),
        None,
        "the forgotten example's effect is gone"
    );
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert_eq!(count_of(&html, "learned-spam"), 0);
    assert_eq!(count_of(&html, "learned-ham"), 2);
    assert!(!html.contains(text) && html.contains(other));
    // The audit trail says who forgot which example.
    let (status, audit) = api.call("GET", "/v1/audit", Some(&api.admin), None).await;
    assert_eq!(status, StatusCode::OK);
    for action in ["model.learn", "model.forget"] {
        assert!(
            audit.lines().any(|l| l.contains(&format!("\"{action}\""))
                && l.contains(&format!("\"example\":{first}"))),
            "{action}: {audit}"
        );
    }
    // Teach the violation again for the reset below.
    let resp = post(
        &api,
        "/learning",
        &session,
        &[("csrf", &csrf), ("text", text), ("label", "spam")],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));

    // A lead's reset needs the confirmation, then returns to the shipped model.
    let resp = post(&api, "/learning/reset", &session, &[("csrf", &csrf)]).await;
    assert!(location(&resp).contains("err="), "{}", location(&resp));
    assert!(model_hit(&scan().await).is_some());
    let resp = post(
        &api,
        "/learning/reset",
        &session,
        &[("csrf", &csrf), ("confirm", "yes")],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    assert_eq!(model_hit(&scan().await), None);
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert_eq!(count_of(&html, "learned-spam"), 0);
    assert_eq!(count_of(&html, "learned-ham"), 0);
    assert!(!html.contains(text));
}

#[tokio::test]
async fn the_learning_page_shows_the_newest_200_and_links_to_older_ones() {
    let api = Api::new();
    let lead = api.token("lead").await;
    for i in 0..201 {
        let (status, v) = api
            .json(
                "POST",
                "/v1/learn",
                &lead,
                serde_json::json!({"text": format!("第{i}号示例文本"), "label": "ham"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let (session, _) = sign_in(&api, &lead).await;
    let html = body(send(&api, "GET", "/learning", &session, None).await).await;
    assert_eq!(count_of(&html, "learned-ham"), 201);
    assert!(html.contains("第200号示例文本") && html.contains("第1号示例文本"));
    assert!(
        !html.contains("第0号示例文本"),
        "the 201st newest is on the next page"
    );
    let older = html
        .split(r#"<a href="/learning?before="#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older examples")
        .to_owned();
    let page = send(
        &api,
        "GET",
        &format!("/learning?before={older}"),
        &session,
        None,
    )
    .await;
    let html = body(page).await;
    assert!(html.contains("第0号示例文本") && !html.contains("第1号示例文本"));
    assert!(html.contains("id=\"newest\"") && !html.contains("id=\"older\""));
}

#[tokio::test]
async fn a_scam_is_held_with_its_family_and_the_console_names_it() {
    // REV-11 / issue #20: the hits of a phishing message name their family in the API, and the
    // moderator's queue page shows it in Chinese beside the category.
    let api = Api::new();
    let svc = api.token("service").await;
    let alice = api.token_named("moderator", "alice").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    let text = "中国联通提醒：您的话费积分即将清零，请点击 http://10010-jf.cc/a8 兑换";
    let (_, v) = api
        .json("POST", "/v1/scan", &svc, serde_json::json!({"text": text}))
        .await;
    assert_eq!(v["suggestion"], "block", "{v}");
    let families: Vec<(&str, &str)> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| Some((h["term"].as_str()?, h["subcategory"].as_str()?)))
        .collect();
    assert!(families.contains(&("impersonation", "phishing")), "{v}");
    assert!(families.contains(&("lookalike_link", "phishing")), "{v}");
    // A review-level scam (a reason and a number, no sender) is held for a moderator.
    let (_, r) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            serde_json::json!({"author": author, "kind": "comment",
                               "text": "您的包裹理赔已通过，请联系 13912345678 办理"}),
        )
        .await;
    assert_eq!(r["enforcement"]["decision"], "held", "{r}");
    let (_, queue) = api.get("/v1/queue", &alice).await;
    let item = queue["items"][0]["id"].as_i64().expect("item");
    let (session, _) = sign_in(&api, &alice).await;
    let html = body(send(&api, "GET", &format!("/queue/{item}"), &session, None).await).await;
    assert!(html.contains("诈骗 · 冒充客服退款"), "{html}");
}

#[tokio::test]
async fn a_held_item_names_the_scene_it_was_judged_in() {
    // issue #25: the moderator sees in which scene the verdict was given.
    use qinglang_governance::policy::{LoadedPolicy, DEFAULT_POLICY_TOML};
    let text = format!("{DEFAULT_POLICY_TOML}\n[scenes.children]\nreview_threshold = 30\n");
    let api = Api::with_policy(LoadedPolicy::parse("p.toml", &text).expect("policy"));
    let svc = api.token("service").await;
    let alice = api.token_named("moderator", "alice").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    let (_, r) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            serde_json::json!({"author": author, "kind": "comment", "scene": "children",
                               "text": "加我微信 abc12345 聊"}),
        )
        .await;
    assert_eq!(r["enforcement"]["decision"], "held", "{r}");
    let (_, queue) = api.get("/v1/queue", &alice).await;
    let item = queue["items"][0]["id"].as_i64().expect("item");
    let (session, _) = sign_in(&api, &alice).await;
    let html = body(send(&api, "GET", &format!("/queue/{item}"), &session, None).await).await;
    assert!(
        html.contains(r#"场景 <code class="scene">children</code>"#),
        "{html}"
    );
}

#[tokio::test]
async fn a_lead_edits_one_scenes_lexicon_in_the_console() {
    // issue #25: the console shows each scene's terms and edits one scene's lexicon with the
    // same audit as the main one; the term applies in that scene only.
    use qinglang_governance::policy::{LoadedPolicy, DEFAULT_POLICY_TOML};
    let text = format!(
        "{DEFAULT_POLICY_TOML}\n[scenes.children]\nlexicon = \"\"\"\n游戏充值\tcustom\treview\n\"\"\"\n[scenes.comments]\n"
    );
    let api = Api::with_policy(LoadedPolicy::parse("p.toml", &text).expect("policy"));
    let svc = api.token("service").await;
    let lead = api.token("lead").await;
    let (session, csrf) = sign_in(&api, &lead).await;
    let html = body(send(&api, "GET", "/lexicons?scene=children", &session, None).await).await;
    assert!(
        html.contains(r#"id="scenes""#) && html.contains("comments"),
        "{html}"
    );
    assert!(
        html.contains("游戏充值") && html.contains("scene:children"),
        "{html}"
    );
    assert!(html.contains(r#"name="scene" value="children""#));
    let resp = post(
        &api,
        "/lexicons",
        &session,
        &[
            ("csrf", &csrf),
            ("scene", "children"),
            ("term", "氪金"),
            ("op", "add"),
            ("category", "custom"),
            ("action", "block"),
            ("reason", "未成年人充值"),
        ],
    )
    .await;
    assert!(location(&resp).contains("ok="), "{}", location(&resp));
    let scan = |scene: Option<&str>| {
        let mut body = serde_json::json!({"text": "一起氪金吧"});
        if let Some(scene) = scene {
            body["scene"] = serde_json::json!(scene);
        }
        body
    };
    let (_, v) = api
        .json("POST", "/v1/scan", &svc, scan(Some("children")))
        .await;
    assert_eq!(v["suggestion"], "block", "{v}");
    for other in [None, Some("comments")] {
        let (_, v) = api.json("POST", "/v1/scan", &svc, scan(other)).await;
        assert_eq!(v["suggestion"], "pass", "{other:?}: {v}");
    }
    // An edit in an unknown scene is refused; the audit names the scene of the one made.
    let resp = post(
        &api,
        "/lexicons",
        &session,
        &[
            ("csrf", &csrf),
            ("scene", "kids"),
            ("term", "x1"),
            ("op", "add"),
        ],
    )
    .await;
    assert!(location(&resp).contains("err="), "{}", location(&resp));
    let (_, audit) = api.call("GET", "/v1/audit", Some(&api.admin), None).await;
    assert!(
        audit.lines().any(|l| l.contains("\"lexicon.add\"")
            && l.contains("氪金")
            && l.contains("\"scene\":\"children\"")),
        "{audit}"
    );
}

/// A moderator who opens the emergency page by its address is refused in Chinese, before any
/// form is shown, and its forms refuse the same way (#22; ENF-3 is for leads and admins).
#[tokio::test]
async fn the_emergency_page_refuses_a_moderator_in_their_language() {
    let api = Api::new();
    let moderator = api.token("moderator").await;
    let (session, csrf) = sign_in(&api, &moderator).await;
    let resp = send(&api, "GET", "/emergency", &session, None).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let html = body(resp).await;
    assert!(html.contains("仅限内容安全负责人和管理员"), "{html}");
    assert!(!html.contains("emergency-form"), "{html}");
    let resp = send(
        &api,
        "POST",
        "/emergency",
        &session,
        Some(form(&[
            ("csrf", &csrf),
            ("name", "x"),
            ("terms", "蓝莓冰沙\tdrugs\tblock"),
        ])),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let lead = api.token("lead").await;
    let (session, _) = sign_in(&api, &lead).await;
    let resp = send(&api, "GET", "/emergency", &session, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Times on console pages are local to the deployment's zone (Asia/Shanghai by default), and
/// the page says which zone (#22).
#[tokio::test]
async fn console_times_are_local_and_the_zone_is_shown() {
    let api = Api::new();
    let svc = api.token("service").await;
    let lead = api.token("lead").await;
    api.json(
        "POST",
        "/v1/users",
        &svc,
        serde_json::json!({"nickname": "时区测试"}),
    )
    .await;
    let (_, trail) = api.call("GET", "/v1/audit", Some(&lead), None).await;
    let last: serde_json::Value =
        serde_json::from_str(trail.lines().last().expect("an entry")).expect("JSON line");
    let at: jiff::Timestamp = last["at"].as_str().expect("at").parse().expect("RFC 3339");
    let local = at
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone"))
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let utc = at.strftime("%Y-%m-%d %H:%M").to_string();
    let (session, _) = sign_in(&api, &lead).await;
    let html = body(send(&api, "GET", "/audit", &session, None).await).await;
    assert!(html.contains(&local), "{local} not on the page: {html}");
    assert!(!html.contains(&utc), "the UTC time {utc} is shown: {html}");
    assert!(
        html.contains(r#"id="time-zone""#) && html.contains("Asia/Shanghai"),
        "{html}"
    );
}
