//! Reports, the review queue and appeals over HTTP (CMP-1, CMP-2, REV-9).

mod common;

use axum::http::StatusCode;
use common::Api;
use serde_json::json;

async fn publish(api: &Api, svc: &str, author: i64, text: &str) -> serde_json::Value {
    let (status, r) = api
        .json(
            "POST",
            "/v1/content",
            svc,
            json!({"author": author, "kind": "comment", "text": text}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    r
}

#[tokio::test]
async fn a_report_is_filed_worked_from_the_queue_and_answered() {
    let api = Api::new();
    let svc = api.token("service").await;
    let alice = api.token_named("moderator", "alice").await;
    let auditor = api.token("auditor").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    let reporter = api.verified_user(&svc, "reporter", "13900139000").await;
    let r = publish(&api, &svc, author, "周末一起去爬山吧").await;
    let content = r["enforcement"]["content_id"].as_i64().expect("id");

    let body = json!({"target": {"kind": "content", "id": content}, "category": "fraud", "note": "骗子", "reporter": reporter});
    let (status, filed) = api.json("POST", "/v1/reports", &svc, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let id = filed["report"]["id"].as_i64().expect("id");
    assert_eq!(filed["merged"], false);
    let (status, merged) = api.json("POST", "/v1/reports", &svc, body).await;
    assert_eq!((status, &merged["merged"]), (StatusCode::OK, &json!(true)));

    // Moderators file nothing; the service reads nothing of the queue it cannot act on.
    let (status, e) = api
        .json(
            "POST",
            "/v1/reports",
            &alice,
            json!({"target": {"kind": "user", "id": author}, "category": "spam"}),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_forbidden"))
    );
    let (status, e) = api
        .json(
            "POST",
            "/v1/reports",
            &svc,
            json!({"target": {"kind": "content", "id": content}, "category": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "unknown_category");

    let (status, claimed) = api
        .json("POST", "/v1/queue/claim", &alice, json!({"count": 5}))
        .await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    let item = &claimed["items"][0];
    assert_eq!(item["target"], json!({"kind": "content", "id": content}));
    assert_eq!(item["claimed_by"], "alice");
    assert_eq!(item["content"]["text"], "周末一起去爬山吧");
    assert_eq!(item["notes"][0], "骗子");
    let item_id = item["id"].as_i64().expect("id");

    let (status, d) = api
        .json(
            "POST",
            "/v1/queue/decide",
            &alice,
            json!({"items": [item_id], "decision": "approve", "feedback": "未发现诈骗信息"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(
        (d["decided"].as_i64(), d["skipped"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(d["items"][0]["reports_resolved"], json!([id]));

    let (status, report) = api.get(&format!("/v1/reports/{id}"), &svc).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["feedback"], "未发现诈骗信息");
    assert_eq!(report["filings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["filing_count"], 1);
    assert_eq!(report["resolved_by"], "alice", "{report}");
    // One key, one meaning: the count and the list once had the same name (#22).
    let (_, raw) = api
        .call("GET", &format!("/v1/reports/{id}"), Some(&svc), None)
        .await;
    assert_eq!(raw.matches("\"filings\"").count(), 1, "{raw}");
    let (status, list) = api.get("/v1/reports?status=rejected", &auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["reports"].as_array().map(Vec::len), Some(1));
    let (status, e) = api.get("/v1/reports?status=whatever", &auditor).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, rep) = api
        .get(&format!("/v1/reporters/{reporter}/reputation"), &alice)
        .await;
    assert_eq!(
        (rep["rejected"].as_i64(), rep["screened"].as_bool()),
        (Some(1), Some(false))
    );
}

#[tokio::test]
async fn decisions_teach_the_model_and_campaigns_are_decided_at_once() {
    let api = Api::new();
    let svc = api.token("service").await;
    let alice = api.token_named("moderator", "alice").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    // The model flags it; the moderator says it is fine: the model learns a `ham`.
    let r = publish(&api, &svc, author, "河南人都是骗子").await;
    assert_eq!(r["enforcement"]["decision"], "held", "{r}");
    let (_, queue) = api.get("/v1/queue", &alice).await;
    let item = queue["items"][0]["id"].as_i64().expect("item");
    let (status, d) = api
        .json(
            "POST",
            "/v1/queue/decide",
            &alice,
            json!({"items": [item], "decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["items"][0]["learned"], "ham");
    let (_, learning) = api.get("/v1/learn", &alice).await;
    assert_eq!(learning["ham"], 1, "{learning}");

    // Five copies of an ad from five authors: one campaign, removed with one call.
    let mut campaign = None;
    for i in 0..5 {
        let a = api
            .verified_user(&svc, &format!("a{i}"), &format!("1370013700{i}"))
            .await;
        let r = publish(
            &api,
            &svc,
            a,
            &format!("正品名表低价出，加微信 wx{i}9988776 看图，仅限今天，先到先得"),
        )
        .await;
        campaign = r["verdict"]["hits"]
            .as_array()
            .and_then(|h| h.iter().find_map(|h| h["campaign"]["id"].as_u64()))
            .or(campaign);
    }
    let campaign = campaign.expect("the copies were linked");
    let (status, d) = api
        .json(
            "POST",
            "/v1/queue/decide",
            &alice,
            json!({"campaign": campaign, "decision": "remove"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["decided"], 5, "{d}");
    // A campaign that does not exist is not found, not "select at least one item" (#22).
    let (status, d) = api
        .json(
            "POST",
            "/v1/queue/decide",
            &alice,
            json!({"campaign": 987654321u64, "decision": "remove"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{d}");
    assert!(
        d["message"].as_str().unwrap_or("").contains("campaign"),
        "{d}"
    );
    let (_, c) = api.get(&format!("/v1/campaigns/{campaign}"), &alice).await;
    assert!(
        c["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .all(|m| m["decision"] == "removed"),
        "{c}"
    );
}

#[tokio::test]
async fn appeals_over_http() {
    let api = Api::new();
    let svc = api.token("service").await;
    let alice = api.token_named("moderator", "alice").await;
    let bob = api.token_named("moderator", "bob").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    publish(&api, &svc, author, "加我微信 wx7654321 领取福利").await;
    let (_, queue) = api.get("/v1/queue", &alice).await;
    let item = queue["items"][0]["id"].as_i64().expect("item");
    let (_, d) = api
        .json(
            "POST",
            "/v1/queue/decide",
            &alice,
            json!({"items": [item], "decision": "remove_and_sanction"}),
        )
        .await;
    let sanction = d["items"][0]["sanctions"][0]["id"]
        .as_i64()
        .expect("sanction");

    let (status, appeal) = api
        .json(
            "POST",
            "/v1/appeals",
            &svc,
            json!({"sanction": sanction, "appellant": author, "reason": "误判"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{appeal}");
    let id = appeal["id"].as_i64().expect("id");
    let (status, e) = api
        .json(
            "POST",
            "/v1/appeals",
            &svc,
            json!({"sanction": sanction, "appellant": author, "reason": "again"}),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_appealed"))
    );
    let (status, e) = api
        .json(
            "POST",
            &format!("/v1/appeals/{id}/decide"),
            &alice,
            json!({"outcome": "upheld"}),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("same_moderator"))
    );
    let (status, a) = api
        .json(
            "POST",
            &format!("/v1/appeals/{id}/decide"),
            &bob,
            json!({"outcome": "rejected", "note": "证据充分"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "rejected");
    // Who acted is named one way everywhere: the person's name (#22).
    assert_eq!(a["decided_by"], "bob", "{a}");
    assert_eq!(a["sanction"]["imposed_by"], "alice", "{a}");
    let (_, list) = api.get("/v1/appeals?status=rejected", &svc).await;
    assert_eq!(list["appeals"][0]["note"], "证据充分");

    // The platform polls what to tell its users, with a cursor.
    let (status, feed) = api.get("/v1/outcomes?after=0", &svc).await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let appeal_outcome = feed["outcomes"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["kind"] == "appeal").cloned())
        .expect("the appeal's outcome");
    assert_eq!(appeal_outcome["notify"], json!([author]));
    assert_eq!(appeal_outcome["status"], "rejected");
    assert_eq!(appeal_outcome["message"], "证据充分");
    let next = feed["next"].as_i64().expect("cursor");
    let (_, later) = api.get(&format!("/v1/outcomes?after={next}"), &svc).await;
    assert_eq!(later["outcomes"], json!([]));
    let (status, refused) = api.get("/v1/outcomes", &alice).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the platform's feed, not a moderator's"
    );
    // The refusal names what was asked for, not filing (#22).
    let message = refused["message"].as_str().unwrap_or("");
    assert!(message.contains("outcome feed"), "{refused}");
    assert!(!message.contains("may not file"), "{refused}");
}
