//! The permission matrix from outside (issue #23 item 7): every API route, as `/openapi.json`
//! lists it, called with every role's token, is refused with `role_forbidden` exactly when
//! `authz.rs` says the role lacks the route's permission. And a revealed identity's clear text
//! never reaches the audit trail (ID-3, AUD-1).

mod common;

use axum::http::StatusCode;
use common::Api;
use qinglang_governance::authz::{allows, Permission, Role};
use serde_json::{json, Value};

/// Each route with a well-formed body and the permission its operation requires.
fn routes() -> Vec<(&'static str, &'static str, Option<Value>, Permission)> {
    use Permission::*;
    vec![
        ("POST", "/v1/scan", Some(json!({"text": "你好"})), Scan),
        // Refused roles are refused before the body is read; allowed ones get 422 here.
        (
            "POST",
            "/v1/scan/image",
            Some(json!({"image": "aGk="})),
            Scan,
        ),
        (
            "POST",
            "/v1/users",
            Some(json!({"nickname": "小明"})),
            ManageSubjects,
        ),
        ("GET", "/v1/users/{id}", None, ReadSubjects),
        (
            "POST",
            "/v1/users/{id}/identity",
            Some(json!({"kind": "mobile", "value": "13800138000", "name": "张三"})),
            ManageSubjects,
        ),
        (
            "POST",
            "/v1/users/{id}/identity/reveal",
            Some(json!({"reason": "公安机关调取"})),
            RevealIdentity,
        ),
        (
            "POST",
            "/v1/accounts",
            Some(
                json!({"owner": 1, "name": "读书", "subject": "individual", "category": "culture"}),
            ),
            ManageSubjects,
        ),
        ("GET", "/v1/accounts/{id}", None, ReadSubjects),
        (
            "PUT",
            "/v1/accounts/{id}/scene",
            Some(json!({"scene": null})),
            ManageSubjects,
        ),
        (
            "POST",
            "/v1/groups",
            Some(json!({"owner": 1, "name": "读书会", "max_members": 100})),
            ManageSubjects,
        ),
        ("GET", "/v1/groups/{id}", None, ReadSubjects),
        (
            "POST",
            "/v1/groups/{id}/members",
            Some(json!({"user": 1})),
            ManageSubjects,
        ),
        (
            "POST",
            "/v1/groups/{id}/members/{user}/actions",
            Some(json!({"by": 1, "action": "mute", "minutes": 10})),
            ManageSubjects,
        ),
        (
            "PUT",
            "/v1/groups/{id}/notice",
            Some(json!({"by": 1, "notice": "群规"})),
            ManageSubjects,
        ),
        (
            "PUT",
            "/v1/groups/{id}/scene",
            Some(json!({"scene": null})),
            ManageSubjects,
        ),
        (
            "POST",
            "/v1/content",
            Some(json!({"author": 1, "kind": "message", "text": "你好"})),
            SubmitContent,
        ),
        ("GET", "/v1/campaigns/{id}", None, ReadSubjects),
        // The console's picture of a record asks the same (REV-10).
        ("GET", "/v1/content/{id}/image", None, ReadCases),
        (
            "POST",
            "/v1/emergency",
            Some(json!({"name": "drill", "terms": ""})),
            ChangePolicy,
        ),
        (
            "POST",
            "/v1/sweep",
            Some(json!({"since_hours": 1})),
            ChangePolicy,
        ),
        ("GET", "/v1/audit", None, ReadAudit),
        ("GET", "/v1/audit/verify", None, ReadAudit),
        (
            "POST",
            "/v1/tokens",
            Some(json!({"role": "service", "name": "matrix-new"})),
            ManageTokens,
        ),
        (
            "POST",
            "/v1/tokens/revoke",
            Some(json!({"name": "nobody-at-all"})),
            ManageTokens,
        ),
        ("GET", "/v1/learn", None, ReadSubjects),
        (
            "POST",
            "/v1/learn",
            Some(json!({"text": "加微信领福利", "label": "spam"})),
            Learn,
        ),
        ("DELETE", "/v1/learn", None, ChangePolicy),
        ("GET", "/v1/learn/examples", None, ReadLearned),
        ("DELETE", "/v1/learn/{id}", None, ChangePolicy),
        (
            "POST",
            "/v1/reports",
            Some(json!({"target": {"kind": "user", "id": 1}, "category": "fraud"})),
            FileCases,
        ),
        ("GET", "/v1/reports", None, ReadCases),
        ("GET", "/v1/reports/{id}", None, ReadCases),
        (
            "POST",
            "/v1/reports/{id}/assign",
            Some(json!({"assignee": "someone"})),
            Supervise,
        ),
        (
            "POST",
            "/v1/reports/{id}/resolve",
            Some(json!({"outcome": "rejected"})),
            Moderate,
        ),
        (
            "POST",
            "/v1/reports/{id}/reopen",
            Some(json!({"reason": "新证据"})),
            Supervise,
        ),
        ("GET", "/v1/reporters/{id}/reputation", None, ReadCases),
        ("GET", "/v1/queue", None, ReadCases),
        ("POST", "/v1/queue/claim", Some(json!({})), Moderate),
        (
            "POST",
            "/v1/queue/decide",
            Some(json!({"items": [1], "decision": "approve"})),
            Moderate,
        ),
        ("GET", "/v1/queue/{id}", None, ReadCases),
        ("POST", "/v1/queue/{id}/claim", None, Moderate),
        ("POST", "/v1/queue/{id}/release", None, Moderate),
        (
            "POST",
            "/v1/appeals",
            Some(json!({"sanction": 1, "appellant": 1, "reason": "误判"})),
            FileCases,
        ),
        ("GET", "/v1/appeals", None, ReadCases),
        ("GET", "/v1/appeals/{id}", None, ReadCases),
        (
            "POST",
            "/v1/appeals/{id}/decide",
            Some(json!({"outcome": "rejected"})),
            Moderate,
        ),
        ("GET", "/v1/outcomes", None, FileCases),
        (
            "POST",
            "/v1/image-lists",
            Some(json!({"name": "matrix", "category": "porn", "action": "block"})),
            ManageImageLists,
        ),
        ("GET", "/v1/image-lists", None, ReadImageLists),
        ("GET", "/v1/image-lists/{id}", None, ReadImageLists),
        (
            "POST",
            "/v1/image-lists/{id}/entries",
            Some(json!({"hash": "0123456789abcdef"})),
            ManageImageLists,
        ),
        (
            "DELETE",
            "/v1/image-lists/{id}/entries/{entry}",
            None,
            ManageImageLists,
        ),
        (
            "POST",
            "/v1/queue/{id}/block-similar",
            Some(json!({"list": 1})),
            Moderate,
        ),
    ]
}

#[tokio::test]
async fn every_route_refuses_exactly_the_roles_authz_refuses() {
    let api = Api::new();
    // The table covers every documented /v1 operation, and nothing undocumented.
    let (_, doc) = api.call("GET", "/openapi.json", None, None).await;
    let doc: Value = serde_json::from_str(&doc).expect("OpenAPI");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete"] {
            if path.starts_with("/v1/") && item.get(method).is_some() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let table = routes();
    let mut listed: Vec<(String, String)> = table
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    documented.sort();
    listed.sort();
    assert_eq!(
        documented, listed,
        "the table and the documented routes differ"
    );

    let roles = [
        Role::Service,
        Role::Moderator,
        Role::Lead,
        Role::Auditor,
        Role::Admin,
    ];
    let mut checked = 0;
    for role in roles {
        let token = api.token(role.as_str()).await;
        for (method, path, body, permission) in &table {
            let uri = path
                .replace("{id}", "1")
                .replace("{user}", "2")
                .replace("{entry}", "3");
            let (status, text) = api
                .call(
                    method,
                    &uri,
                    Some(&token),
                    body.as_ref().map(Value::to_string),
                )
                .await;
            let refused = status == StatusCode::FORBIDDEN && text.contains("\"role_forbidden\"");
            assert_eq!(
                refused,
                !allows(role, *permission),
                "{} {method} {path}: {status} {text}",
                role.as_str()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * table.len());
}

#[tokio::test]
async fn a_revealed_identity_never_reaches_the_audit_trail_in_clear() {
    let api = Api::new();
    let svc = api.token("service").await;
    let lead = api.token("lead").await;
    let auditor = api.token("auditor").await;
    let (_, user) = api
        .json("POST", "/v1/users", &svc, json!({"nickname": "实名用户"}))
        .await;
    let id = user["id"].as_i64().expect("id");
    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity"),
            &svc,
            json!({"kind": "resident_id", "value": "11010519491231002X", "name": "张三丰"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/users/{id}/identity/reveal"),
            &lead,
            json!({"reason": "公安机关依法调取"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v.to_string().contains("11010519491231002X"),
        "the lead sees it: {v}"
    );
    let (status, trail) = api.call("GET", "/v1/audit", Some(&auditor), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(trail.contains("identity.reveal"), "{trail}");
    for clear in ["11010519491231002X", "张三丰"] {
        assert!(
            !trail.contains(clear),
            "{clear} is in the audit trail: {trail}"
        );
    }
}
