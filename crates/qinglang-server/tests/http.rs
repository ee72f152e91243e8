//! The HTTP API through `oneshot` (no socket): fixed routes, auth, the error body, limits.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Api;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

#[tokio::test]
async fn scan_answers_the_contract_verdict() {
    let api = Api::new();
    let svc = api.token("service").await;
    let (status, v) = api
        .json(
            "POST",
            "/v1/scan",
            &svc,
            json!({"text": "免费看成*人*视*频"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["suggestion"], "block");
    assert_eq!(v["labels"], json!(["porn"]));
    let hit = &v["hits"][0];
    for field in [
        "term",
        "category",
        "action",
        "source",
        "start",
        "end",
        "byte_start",
        "byte_end",
        "text",
    ] {
        assert!(hit.get(field).is_some(), "hit lacks {field}: {hit}");
    }
    assert_eq!(hit["text"], "成*人*视*频");
    assert_eq!(
        (hit["start"].as_u64(), hit["end"].as_u64()),
        (Some(3), Some(10))
    );
}

#[tokio::test]
async fn auth_is_required_and_errors_have_one_body() {
    let api = Api::new();
    let (status, text) = api
        .call(
            "POST",
            "/v1/scan",
            None,
            Some(json!({"text": "x"}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let v: Value = serde_json::from_str(&text).expect("json error body");
    assert_eq!(v["code"], "unauthenticated");
    let (status, _) = api
        .call(
            "POST",
            "/v1/scan",
            Some("qlt_forged"),
            Some(json!({"text": "x"}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let auditor = api.token("auditor").await;
    let (status, v) = api
        .json("POST", "/v1/users", &auditor, json!({"nickname": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "role_forbidden");

    let svc = api.token("service").await;
    let (status, v) = api
        .json("POST", "/v1/users", &svc, json!({"nick": "x"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "invalid_json");
    assert!(v["message"].as_str().unwrap_or("").contains("nick"), "{v}");

    let (status, v) = api.get("/v1/users/999", &svc).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, v) = api.get("/v1/users/abc", &svc).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_id"))
    );
}

/// A wrong type or range names the field it is in, in bodies and query strings, and an
/// unknown query parameter is refused instead of ignored (a misspelt `from` exported the
/// whole trail).
#[tokio::test]
async fn type_errors_name_the_field() {
    let api = Api::new();
    let svc = api.token("service").await;
    let (status, v) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": 1, "name": "g", "max_members": -1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "invalid_json");
    let message = v["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("invalid request body: max_members: invalid value: integer `-1`"),
        "{v}"
    );
    let (status, v) = api
        .call(
            "POST",
            "/v1/scan",
            Some(&svc),
            Some("{\"text\": \"x\"} trailing".into()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // Messages in the request's own terms, not serde's or Rust's (#22).
    for (body, says) in [
        ("{\"nickname\": ", "the JSON ends before it is complete"),
        ("[1, 2]", "expected a JSON object"),
        ("\"小明\"", "expected a JSON object"),
    ] {
        let (status, v) = api
            .call("POST", "/v1/users", Some(&svc), Some(body.into()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.contains(says), "{body}: {v}");
        for internal in ["?:", "NewUserRequest", "struct"] {
            assert!(!v.contains(internal), "{body}: {v}");
        }
    }
    let (_, v) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": "张三", "name": "g", "max_members": 10}),
        )
        .await;
    let message = v["message"].as_str().unwrap_or("");
    assert!(
        message.contains("owner: invalid type: string \"张三\", expected an integer"),
        "{v}"
    );

    let moderator = api.token("moderator").await;
    let (status, v) = api.get("/v1/queue?limit=abc", &moderator).await;
    // One status for a request whose values are wrong, in the body or the query.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "invalid_query");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("invalid query string: limit: "),
        "{v}"
    );
    let auditor = api.token("auditor").await;
    let (status, v) = api.get("/v1/audit?form=2026-01-01", &auditor).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap_or("").contains("form"), "{v}");
}

#[tokio::test]
async fn request_limits_answer_413_and_422() {
    let api = Api::new();
    let svc = api.token("service").await;
    let big = json!({"text": "好".repeat(100_000)}).to_string();
    let (status, text) = api.call("POST", "/v1/scan", Some(&svc), Some(big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.contains("payload_too_large"), "{text}");
    let (status, v) = api
        .json(
            "POST",
            "/v1/scan",
            &svc,
            json!({"text": "好".repeat(10_001)}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text_too_long"))
    );
}

#[tokio::test]
async fn identity_groups_content_and_audit_over_http() {
    let api = Api::new();
    let svc = api.token("service").await;
    let (status, user) = api
        .json("POST", "/v1/users", &svc, json!({"nickname": "小明"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = user["id"].as_i64().expect("id");

    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity"),
            &svc,
            json!({"kind": "resident_id", "value": "110105194912310029", "name": "张三"}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_identity"))
    );

    // Unverified: no group.
    let (status, v) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": id, "name": "读书会", "max_members": 100}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("identity_unverified"))
    );

    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity"),
            &svc,
            json!({"kind": "resident_id", "value": "11010519491231002X", "name": "张三"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["identity"]["masked"], "1101**********002X");

    let (status, group) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": id, "name": "读书会", "max_members": 100}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let gid = group["id"].as_i64().expect("group id");

    let (status, r) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": id, "group": gid, "kind": "message", "text": "免费毛片在线看"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["verdict"]["suggestion"], "block");
    assert_eq!(r["enforcement"]["decision"], "rejected");
    assert_eq!(r["enforcement"]["strike"], true);
    assert!(r["enforcement"]["policy_version"]
        .as_str()
        .unwrap_or("")
        .starts_with("sha256:"));

    let (status, u) = api.get(&format!("/v1/users/{id}"), &svc).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(u["credit"]["score"], 90);
    assert_eq!(u["sanctions"][0]["kind"], "warning");

    // Only the lead reveals; auditors read and verify the audit trail.
    let (status, _) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity/reveal"),
            &svc,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let lead = api.token("lead").await;
    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity/reveal"),
            &lead,
            json!({"reason": "complaint 42"}),
        )
        .await;
    assert_eq!(
        (status, v["value"].as_str()),
        (StatusCode::OK, Some("11010519491231002X"))
    );

    let auditor = api.token("auditor").await;
    let (status, v) = api.get("/v1/audit/verify", &auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ok"], true);
    let (status, text) = api
        .call(
            "GET",
            "/v1/audit?from=2000-01-01&to=2100-01-01",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json line")["action"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    for want in [
        "user.create",
        "identity.verify",
        "group.create",
        "content.reject",
        "credit.change",
        "sanction.apply",
        "identity.reveal",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing from {actions:?}"
        );
    }
    let (status, v) = api.get("/v1/audit?from=yesterday", &auditor).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_time"))
    );

    // An article is a page: its hits say which part they are in, as `scan --html` does (#22).
    let page = "<html><head><title>国产精品久久久久久_亚洲一区二区三区在线观看_日韩精品人妻</title></head>\
                <body><p>本周六上午九点在三楼会议室召开读书分享会，欢迎大家参加。</p></body></html>";
    let (status, r) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": id, "group": gid, "kind": "article", "text": page}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["verdict"]["suggestion"], "block", "{r}");
    let hits = r["verdict"]["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["part"] == "title"), "{r}");
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let api = Api::new();
    let (status, text) = api.call("GET", "/healthz", None, None).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "{\"ok\":true}"));
    let (status, text) = api.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&text).expect("openapi json");
    for path in [
        "/v1/scan",
        "/v1/users",
        "/v1/users/{id}",
        "/v1/users/{id}/identity",
        "/v1/accounts",
        "/v1/accounts/{id}",
        "/v1/groups",
        "/v1/groups/{id}/members",
        "/v1/content",
        "/v1/audit",
        "/v1/audit/verify",
    ] {
        assert!(doc["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    let svc = api.token("service").await;
    api.json("POST", "/v1/scan", &svc, json!({"text": "你好"}))
        .await;
    let (status, text) = api.call("GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("qinglang_http_requests_total"), "{text}");
}

#[tokio::test]
async fn every_error_has_the_json_body() {
    let api = Api::new();
    let svc = api.token("service").await;
    for (method, uri, want) in [
        ("DELETE", "/v1/users/1", 405),
        ("GET", "/v1/content", 405),
        ("GET", "/v1/users/%FF", 400),
        ("GET", "/v1/audit?from=1&from=2", 422),
        ("GET", "/v1/nothing", 404),
    ] {
        let (status, text) = api.call(method, uri, Some(&svc), None).await;
        assert_eq!(status.as_u16(), want, "{method} {uri}: {text}");
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {uri}: {e}: {text}"));
        assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
    }
}

#[tokio::test]
async fn lowercase_bearer_revocation_and_group_refusals() {
    let api = Api::new();
    let svc = api.token("service").await;
    let req = Request::builder()
        .method("POST")
        .uri("/v1/scan")
        .header("authorization", format!("bearer {svc}"))
        .header("content-type", "application/json")
        .body(Body::from(json!({"text": "x"}).to_string()))
        .expect("request");
    let resp = api.router.clone().oneshot(req).await.expect("response");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the scheme is case-insensitive"
    );

    let id = api.verified_user(&svc, "群主", "13800138000").await;
    let (status, v) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": id, "name": "大群", "max_members": 501}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("group_too_large"))
    );

    let admin = api.admin.clone();
    let (status, v) = api
        .json(
            "POST",
            "/v1/tokens/revoke",
            &admin,
            json!({"name": "service"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, _) = api
        .json("POST", "/v1/scan", &svc, json!({"text": "x"}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token stops working"
    );
}

/// REV-9: a moderator's confirmation changes the next verdict at once; only a lead or admin
/// resets it; both are audited.
#[tokio::test]
async fn learning_from_moderators_changes_later_verdicts() {
    let api = Api::new();
    let svc = api.token("service").await;
    let moderator = api.token("moderator").await;
    let lead = api.token("lead").await;
    let text = "加我好友领取免费红包，名额有限先到先得";
    let model_hits = |v: &Value| {
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .filter(|h| h["source"] == "model:cold")
            .count()
    };
    let (_, v) = api
        .json("POST", "/v1/scan", &svc, json!({"text": text}))
        .await;
    assert_eq!(model_hits(&v), 0, "{v}");

    let (status, v) = api
        .json(
            "POST",
            "/v1/learn",
            &svc,
            json!({"text": text, "label": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    let (status, v) = api
        .json(
            "POST",
            "/v1/learn",
            &moderator,
            json!({"text": text, "label": "spamm"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "invalid_label");

    let (status, v) = api
        .json(
            "POST",
            "/v1/learn",
            &moderator,
            json!({"text": text, "label": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // The margin: one calibrated logit past the boundary (73%).
    assert!(v["probability_after"].as_f64() > Some(0.7), "{v}");
    assert!(
        v["id"].as_i64() > Some(0),
        "the example's id, for forgetting it: {v}"
    );
    assert_eq!(v["examples"], 1);

    let (_, v) = api
        .json("POST", "/v1/scan", &svc, json!({"text": text}))
        .await;
    assert_eq!(model_hits(&v), 1, "{v}");
    assert_eq!(v["suggestion"], "review");
    // A near copy moves with it.
    let (_, v) = api
        .json(
            "POST",
            "/v1/scan",
            &svc,
            json!({"text": format!("快{text}！")}),
        )
        .await;
    assert_eq!(model_hits(&v), 1, "{v}");

    let (status, v) = api.get("/v1/learn", &moderator).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["spam"].as_u64(), v["ham"].as_u64()), (Some(1), Some(0)));

    let (status, _) = api
        .call("DELETE", "/v1/learn", Some(&moderator), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api.call("DELETE", "/v1/learn", Some(&lead), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"removed\":1"), "{body}");
    let (_, v) = api
        .json("POST", "/v1/scan", &svc, json!({"text": text}))
        .await;
    assert_eq!(model_hits(&v), 0, "{v}");

    let (status, body) = api
        .call(
            "GET",
            "/v1/audit?from=2000-01-01&to=2100-01-01",
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("model.learn") && body.contains("model.reset"),
        "{body}"
    );
}

/// REV-7: near copies from different authors form one campaign; the 5th copy (policy) is
/// held as `spam` and the campaign lists every copy; rate limits answer 429.
#[tokio::test]
async fn flood_campaigns_link_authors_and_rate_limits_answer_429() {
    let api = Api::new();
    let svc = api.token("service").await;
    let mut users = Vec::new();
    for i in 0..6 {
        let mobile = format!("1380013800{i}");
        users.push(api.verified_user(&svc, &format!("用户{i}"), &mobile).await);
    }
    let flood_hit = |r: &Value| {
        r["verdict"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["source"] == "rule:flood")
            .cloned()
    };
    // A greeting many people send is not a campaign at five copies: it pulls no one away.
    let greeting = "新年快乐，祝大家身体健康，万事如意，阖家幸福";
    for &user in &users[..5] {
        let (status, r) = api
            .json(
                "POST",
                "/v1/content",
                &svc,
                json!({"author": user, "kind": "message", "text": greeting}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert!(flood_hit(&r).is_none(), "{r}");
    }
    // An advertisement with a phone number (an `ad` hit) is, with each copy's number changed.
    let ad = "新店开业全场八折，欢迎大家周末来店里品尝招牌牛肉面，订座电话";
    let edits = ["", "！", "哦", "，不见不散", "啦"];
    let mut last = Value::Null;
    for (i, edit) in edits.iter().enumerate() {
        let text = format!("{ad}1391234567{i}{edit}");
        let (status, r) = api
            .json(
                "POST",
                "/v1/content",
                &svc,
                json!({"author": users[i], "kind": "post", "text": text}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        if i < 4 {
            assert!(flood_hit(&r).is_none(), "copy {i}: {r}");
        }
        last = r;
    }
    assert_eq!(last["enforcement"]["decision"], "held", "{last}");
    assert!(last["verdict"]["labels"]
        .as_array()
        .expect("labels")
        .contains(&json!("spam")));
    let hit = flood_hit(&last).expect("a flood hit");
    assert_eq!(hit["campaign"]["copies"], 5);
    let id = hit["campaign"]["id"].as_u64().expect("campaign id");

    let (status, c) = api.get(&format!("/v1/campaigns/{id}"), &svc).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["copies"], 5);
    let authors: Vec<i64> = c["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["author"].as_i64().expect("author"))
        .collect();
    assert_eq!(authors, users[..5]);
    // Times in RFC 3339, as everywhere else in the API (#22).
    let at = c["messages"][0]["at"].as_str().unwrap_or("");
    assert!(
        at.len() == 24 && at.ends_with('Z') && at.contains('T'),
        "{c}"
    );
    let (status, _) = api.get("/v1/campaigns/12345", &svc).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // 30 submissions a minute per author (policy/default.toml), then 429.
    for i in 0..30 {
        let (status, r) = api
            .json(
                "POST",
                "/v1/content",
                &svc,
                json!({"author": users[5], "kind": "message", "text": format!("第{i}条")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let req = Request::builder()
        .method("POST")
        .uri("/v1/content")
        .header("authorization", format!("Bearer {svc}"))
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"author": users[5], "kind": "message", "text": "再来一条"}).to_string(),
        ))
        .expect("request");
    let resp = api.router.clone().oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(v["code"], "rate_limited");
}

/// ENF-3: an emergency change is live at once and audited; a sweep finds what was published
/// before it and, asked to act, rejects it.
#[tokio::test]
async fn emergency_terms_take_effect_and_the_sweep_acts_on_stored_content() {
    let api = Api::new();
    let svc = api.token("service").await;
    let lead = api.token("lead").await;
    let moderator = api.token("moderator").await;
    let uid = api.verified_user(&svc, "小周", "13900139000").await;
    let text = "周末一起喝蓝莓冰沙吧，老地方见";
    let (_, r) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": uid, "kind": "message", "text": text}),
        )
        .await;
    assert_eq!(r["enforcement"]["decision"], "published", "{r}");

    let change = json!({"name": "slang-2026", "terms": "蓝莓冰沙\tdrugs\tblock\n"});
    let (status, _) = api
        .json("POST", "/v1/emergency", &moderator, change.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = api
        .json(
            "POST",
            "/v1/emergency",
            &lead,
            json!({"name": "bad", "terms": "x\tdrugs\tblok\n"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains("emergency:bad:1"),
        "{v}"
    );
    let (status, v) = api.json("POST", "/v1/emergency", &lead, change).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["terms"], 1);

    // Live at once.
    let (_, v) = api
        .json("POST", "/v1/scan", &svc, json!({"text": text}))
        .await;
    assert_eq!(v["suggestion"], "block", "{v}");
    assert_eq!(v["hits"][0]["source"], "emergency:slang-2026");

    // The sweep reports, then acts.
    let (status, v) = api
        .json("POST", "/v1/sweep", &lead, json!({"since_hours": 24}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["caught"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["caught"][0]["was"], "published");
    assert_eq!(v["caught"][0]["now"], "block");
    assert_eq!(v["acted"], 0);
    let (_, v) = api
        .json(
            "POST",
            "/v1/sweep",
            &lead,
            json!({"since_hours": 24, "act": true}),
        )
        .await;
    assert_eq!(v["acted"], 1, "{v}");
    // Once acted on, it is no longer more severe than its decision.
    let (_, v) = api
        .json("POST", "/v1/sweep", &lead, json!({"since_hours": 24}))
        .await;
    assert_eq!(v["caught"].as_array().map(Vec::len), Some(0), "{v}");

    let (_, body) = api
        .call(
            "GET",
            "/v1/audit?from=2000-01-01&to=2100-01-01",
            Some(&lead),
            None,
        )
        .await;
    for action in ["policy.emergency", "content.sweep", "policy.sweep"] {
        assert!(body.contains(action), "{action} missing");
    }
}
