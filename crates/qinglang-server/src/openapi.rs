//! The OpenAPI 3.1 description, built from one table of the routes this crate serves. The
//! table sits beside the router; a test checks that every routed path is described.

use serde_json::{json, Value};

/// (method, path, summary, required role(s), request schema)
pub(crate) const ROUTES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "post",
        "/",
        "Tencent Cloud TMS TextModeration (2020-12-29): X-TC-* headers, TC3-HMAC-SHA256 \
         signature by a key from `token create --tc3`; answers in TMS's envelope (README)",
        "service, moderator, lead, admin (TC3 key pair)",
        None,
    ),
    (
        "post",
        "/v1/scan",
        "Verdict for a text, as in the scan contract",
        "service, moderator, lead, admin",
        Some("ScanRequest"),
    ),
    (
        "post",
        "/v1/users",
        "Create a user",
        "service",
        Some("NewUser"),
    ),
    (
        "get",
        "/v1/users/{id}",
        "A user: credit, active sanctions, masked identity",
        "any",
        None,
    ),
    (
        "post",
        "/v1/users/{id}/identity",
        "Verify a real-name identity (422 invalid_identity)",
        "service",
        Some("Identity"),
    ),
    (
        "post",
        "/v1/users/{id}/identity/reveal",
        "The clear identity (audited)",
        "lead",
        Some("Reveal"),
    ),
    (
        "post",
        "/v1/accounts",
        "Open a public account",
        "service",
        Some("NewAccount"),
    ),
    (
        "get",
        "/v1/accounts/{id}",
        "A public account with its tier",
        "any",
        None,
    ),
    (
        "post",
        "/v1/groups",
        "Create a group (403 with a code saying why not)",
        "service",
        Some("NewGroup"),
    ),
    (
        "get",
        "/v1/groups/{id}",
        "A group with its members count and sanctions",
        "any",
        None,
    ),
    (
        "post",
        "/v1/groups/{id}/members",
        "Add a member (pending above the approval threshold)",
        "service",
        Some("NewMember"),
    ),
    (
        "put",
        "/v1/groups/{id}/scene",
        "Set or clear the scene the group's messages are judged in (audited; 422 unknown_scene)",
        "service",
        Some("Scene"),
    ),
    (
        "put",
        "/v1/accounts/{id}/scene",
        "Set or clear the scene the account's posts are judged in (audited; 422 unknown_scene)",
        "service",
        Some("Scene"),
    ),
    (
        "post",
        "/v1/content",
        "Submit content: verdict and enforcement",
        "service",
        Some("Content"),
    ),
    (
        "get",
        "/v1/audit",
        "Audit entries from..to as JSON Lines",
        "lead, auditor, admin",
        None,
    ),
    (
        "get",
        "/v1/audit/verify",
        "Check the audit hash chain",
        "lead, auditor, admin",
        None,
    ),
    (
        "post",
        "/v1/tokens",
        "Create a bearer token for a principal",
        "admin",
        Some("NewToken"),
    ),
    (
        "post",
        "/v1/tokens/revoke",
        "Revoke every token of a principal",
        "admin",
        Some("Revoke"),
    ),
    (
        "post",
        "/v1/learn",
        "Teach the deployment's model a confirmed violation (spam) or false positive (ham)",
        "moderator, lead, admin",
        Some("Learn"),
    ),
    (
        "get",
        "/v1/learn",
        "What the deployment's model has learned",
        "service, moderator, lead, auditor, admin",
        None,
    ),
    (
        "delete",
        "/v1/learn",
        "Forget everything learned; back to the shipped model",
        "lead, admin",
        None,
    ),
    (
        "get",
        "/v1/learn/examples",
        "The learned examples, newest first (limit 1..=1000, default 100; before = the previous page's next)",
        "moderator, lead, auditor, admin",
        None,
    ),
    (
        "delete",
        "/v1/learn/{id}",
        "Forget one learned example (taught by mistake); the rest are replayed",
        "lead, admin",
        None,
    ),
    (
        "get",
        "/v1/campaigns/{id}",
        "Every stored copy of a flood campaign (REV-7)",
        "service, moderator, lead, auditor, admin",
        None,
    ),
    (
        "post",
        "/v1/emergency",
        "Emergency change (ENF-3): add terms and tighten thresholds, live at once",
        "lead, admin",
        Some("Emergency"),
    ),
    (
        "post",
        "/v1/sweep",
        "Re-scan recent content with the current engine; report or act (ENF-3)",
        "lead, admin",
        Some("Sweep"),
    ),
    (
        "post",
        "/v1/reports",
        "File a report on content, a user, an account or a group; merged into the target's open report (CMP-1)",
        "service",
        Some("NewReport"),
    ),
    (
        "get",
        "/v1/reports",
        "Reports, newest first; filters status, lane, target_kind (+ target_id), reporter, limit",
        "any",
        None,
    ),
    (
        "get",
        "/v1/reports/{id}",
        "A report with its outcome, feedback for the reporters and filings",
        "any",
        None,
    ),
    (
        "post",
        "/v1/reports/{id}/assign",
        "Assign an open report (lead), or take it oneself (moderator)",
        "moderator, lead",
        Some("Assign"),
    ),
    (
        "post",
        "/v1/reports/{id}/resolve",
        "Resolve: upheld (action remove or remove_and_sanction) or rejected",
        "moderator, lead",
        Some("Resolve"),
    ),
    (
        "post",
        "/v1/reports/{id}/reopen",
        "Reopen a resolved report; it returns to the queue",
        "lead",
        Some("Reason"),
    ),
    (
        "get",
        "/v1/reporters/{id}/reputation",
        "A reporter's upheld share and whether they are screened",
        "any",
        None,
    ),
    (
        "get",
        "/v1/queue",
        "Open review items by priority; lane, mine, limit",
        "any",
        None,
    ),
    (
        "post",
        "/v1/queue/claim",
        "Claim the most urgent unclaimed items (claims lapse)",
        "moderator, lead",
        Some("Claim"),
    ),
    (
        "post",
        "/v1/queue/decide",
        "Decide items, a selection or a campaign's: approve, remove, remove_and_sanction",
        "moderator, lead",
        Some("Decide"),
    ),
    (
        "get",
        "/v1/queue/{id}",
        "A review item with its text, hits and reports",
        "any",
        None,
    ),
    (
        "post",
        "/v1/queue/{id}/claim",
        "Claim one item (409 claimed while someone else holds it)",
        "moderator, lead",
        None,
    ),
    (
        "post",
        "/v1/queue/{id}/release",
        "Give a claimed item back",
        "moderator, lead",
        None,
    ),
    (
        "post",
        "/v1/appeals",
        "Appeal a sanction: once, by the sanctioned user, within the window (CMP-2)",
        "service",
        Some("NewAppeal"),
    ),
    (
        "get",
        "/v1/appeals",
        "Appeals, pending first; filter status",
        "any",
        None,
    ),
    (
        "get",
        "/v1/appeals/{id}",
        "An appeal with its sanction and outcome",
        "any",
        None,
    ),
    (
        "post",
        "/v1/appeals/{id}/decide",
        "Decide an appeal (not by whoever imposed the sanction); upheld revokes it",
        "moderator, lead",
        Some("AppealDecision"),
    ),
    (
        "get",
        "/v1/outcomes",
        "Report feedback and appeal outcomes to tell users, after a cursor (?after=seq)",
        "service",
        None,
    ),
    ("get", "/healthz", "Liveness", "none", None),
    ("get", "/metrics", "Prometheus metrics", "none", None),
    ("get", "/openapi.json", "This document", "none", None),
];

fn schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required, "additionalProperties": false});
    json!({
        "ScanRequest": s(json!({"text": {"type": "string", "maxLength": 10000}, "scene": {"type": "string", "description": "a scene of the policy ([scenes.NAME]); unknown: 422 unknown_scene"}}), &["text"]),
        "NewUser": s(json!({"nickname": {"type": "string", "maxLength": 64}}), &["nickname"]),
        "Identity": s(json!({
            "kind": {"enum": ["resident_id", "mobile", "uscc"]},
            "value": {"type": "string"}, "name": {"type": "string"}}), &["kind", "value", "name"]),
        "Reveal": s(json!({"reason": {"type": "string"}}), &["reason"]),
        "NewAccount": s(json!({
            "owner": {"type": "integer"}, "name": {"type": "string", "maxLength": 30},
            "bio": {"type": "string", "maxLength": 500},
            "subject": {"enum": ["individual", "enterprise", "government", "media"]},
            "category": {"type": "string"}, "news_licence": {"type": "boolean"},
            "followers": {"type": "integer"}, "monthly_reads": {"type": "integer"}}),
            &["owner", "name", "subject", "category"]),
        "NewGroup": s(json!({"owner": {"type": "integer"}, "name": {"type": "string"}, "max_members": {"type": "integer"}}), &["owner", "name", "max_members"]),
        "NewMember": s(json!({"user": {"type": "integer"}, "role": {"enum": ["member", "manager"]}, "approved_by": {"type": "integer"}}), &["user"]),
        "MemberAction": s(json!({"by": {"type": "integer"}, "action": {"enum": ["remove", "mute", "unmute", "promote", "demote"]}, "minutes": {"type": "integer", "maximum": 43200}}), &["by", "action"]),
        "Notice": s(json!({"by": {"type": "integer"}, "notice": {"type": "string", "maxLength": 1000}}), &["by", "notice"]),
        "Scene": s(json!({"scene": {"type": ["string", "null"], "description": "a scene of the policy ([scenes.NAME]); null clears the default"}}), &["scene"]),
        "Content": s(json!({
            "author": {"type": "integer"}, "group": {"type": "integer"}, "account": {"type": "integer"},
            "kind": {"enum": ["message", "post", "comment", "article", "nickname", "group_name", "bio"]},
            "text": {"type": "string", "maxLength": 10000},
            "scene": {"type": "string", "description": "a scene of the policy ([scenes.NAME])"}}), &["author", "kind", "text"]),
        "NewToken": s(json!({"role": {"enum": ["service", "moderator", "lead", "auditor", "admin"]}, "name": {"type": "string"}}), &["role", "name"]),
        "Revoke": s(json!({"name": {"type": "string"}}), &["name"]),
        "Emergency": s(json!({"name": {"type": "string"}, "terms": {"type": "string"}, "review_threshold": {"type": "integer", "maximum": 100}, "block_threshold": {"type": "integer", "maximum": 100}}), &["name"]),
        "Sweep": s(json!({"since_hours": {"type": "integer", "minimum": 1, "maximum": 720}, "act": {"type": "boolean"}}), &["since_hours"]),
        "Learn": s(json!({"text": {"type": "string", "maxLength": 10000}, "label": {"enum": ["spam", "ham"]}}), &["text", "label"]),
        "NewReport": s(json!({
            "target": {"type": "object", "properties": {"kind": {"enum": ["content", "user", "account", "group"]}, "id": {"type": "integer"}}, "required": ["kind", "id"]},
            "category": {"enum": qinglang_governance::casework::REPORT_CATEGORIES},
            "note": {"type": "string", "maxLength": 2000}, "reporter": {"type": "integer"}}), &["target", "category"]),
        "Assign": s(json!({"assignee": {"type": "string"}}), &["assignee"]),
        "Resolve": s(json!({"outcome": {"enum": ["upheld", "rejected"]}, "action": {"enum": ["remove", "remove_and_sanction"]}, "feedback": {"type": "string", "maxLength": 2000}}), &["outcome"]),
        "Reason": s(json!({"reason": {"type": "string", "maxLength": 2000}}), &["reason"]),
        "Claim": s(json!({"count": {"type": "integer", "minimum": 1, "maximum": 100}, "lane": {"enum": ["normal", "low"]}}), &[]),
        "Decide": s(json!({"items": {"type": "array", "items": {"type": "integer"}, "maxItems": 500}, "campaign": {"type": "integer"}, "decision": {"enum": ["approve", "remove", "remove_and_sanction"]}, "note": {"type": "string"}, "feedback": {"type": "string"}}), &["decision"]),
        "NewAppeal": s(json!({"sanction": {"type": "integer"}, "appellant": {"type": "integer"}, "reason": {"type": "string", "maxLength": 2000}}), &["sanction", "appellant", "reason"]),
        "AppealDecision": s(json!({"outcome": {"enum": ["upheld", "rejected"]}, "note": {"type": "string", "maxLength": 2000}}), &["outcome"]),
        "Error": s(json!({"code": {"type": "string"}, "message": {"type": "string"}}), &["code", "message"]),
    })
}

pub(crate) fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, roles, body) in ROUTES {
        let mut op = json!({
            "summary": summary,
            "description": format!("Roles: {roles}."),
            "responses": {
                "200": {"description": "OK"},
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if *roles != "none" {
            op["security"] = json!([{"bearer": []}]);
        }
        if let Some(schema) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let params: Vec<Value> = ["id", "user"]
            .iter()
            .filter(|p| path.contains(&format!("{{{p}}}")))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "integer"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "qinglang", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}
