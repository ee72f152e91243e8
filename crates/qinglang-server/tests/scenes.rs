//! Scenes over HTTP (issue #25; REV-2, REV-5, OPS-2): the same text judged differently in two
//! scenes, each verdict naming its scene and the rules version; an unknown scene refused with
//! the known ones listed.

mod common;

use axum::http::StatusCode;
use common::Api;
use qinglang_governance::policy::{LoadedPolicy, DEFAULT_POLICY_TOML};
use serde_json::json;

const SCENES: &str = r#"
[scenes.children]
description = "children's education groups"
review_threshold = 30
categories_block = ["porn", "abuse"]
lexicon = """
游戏充值	custom	review
"""

[scenes.private_chat]
description = "one-to-one chats: contacts are expected"
categories_off = ["ad"]
classifier = false
"#;

fn api() -> Api {
    let text = format!("{DEFAULT_POLICY_TOML}\n{SCENES}");
    Api::with_policy(LoadedPolicy::parse("scenes.toml", &text).expect("the policy parses"))
}

async fn scan(api: &Api, svc: &str, text: &str, scene: Option<&str>) -> serde_json::Value {
    let mut body = json!({"text": text});
    if let Some(scene) = scene {
        body["scene"] = json!(scene);
    }
    let (status, v) = api.json("POST", "/v1/scan", svc, body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn the_same_text_is_judged_by_its_scene_with_the_reason() {
    let api = api();
    let svc = api.token("service").await;
    // A contact: diversion in a group, expected in a private chat.
    let text = "加我微信 abc12345 聊";
    let main = scan(&api, &svc, text, None).await;
    assert_eq!(main["suggestion"], "review");
    assert!(main.get("scene").is_none());
    let version = main["policy_version"].as_str().expect("version").to_owned();
    let private = scan(&api, &svc, text, Some("private_chat")).await;
    assert_eq!(
        (
            &private["suggestion"],
            &private["scene"],
            &private["policy_version"]
        ),
        (&json!("pass"), &json!("private_chat"), &json!(version))
    );
    // An insult term: reviewed in the main policy, blocked for children by the strict
    // category, with the term that made it so.
    let text = "你真是个白痴";
    assert_eq!(scan(&api, &svc, text, None).await["suggestion"], "review");
    let children = scan(&api, &svc, text, Some("children")).await;
    assert_eq!(children["suggestion"], "block", "{children}");
    assert!(children["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .any(|h| h["term"] == "白痴" && h["category"] == "abuse"));
    // The scene's own lexicon applies only there.
    let text = "帮我游戏充值";
    assert_eq!(scan(&api, &svc, text, None).await["suggestion"], "pass");
    let children = scan(&api, &svc, text, Some("children")).await;
    assert_eq!(children["suggestion"], "review");
    assert_eq!(children["hits"][0]["source"], "scene:children");
    // The classifier does not judge in the private chat.
    let insult = "你这个废物真恶心";
    assert_eq!(scan(&api, &svc, insult, None).await["suggestion"], "review");
    assert_eq!(
        scan(&api, &svc, insult, Some("private_chat")).await["suggestion"],
        "pass"
    );
}

#[tokio::test]
async fn an_unknown_scene_is_refused_with_the_known_ones() {
    let api = api();
    let svc = api.token("service").await;
    let (status, e) = api
        .json(
            "POST",
            "/v1/scan",
            &svc,
            json!({"text": "你好", "scene": "kids"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "unknown_scene");
    let message = e["message"].as_str().unwrap_or_default();
    assert!(message.contains("children, private_chat"), "{message}");
}

#[tokio::test]
async fn a_decision_names_its_scene() {
    let api = api();
    let svc = api.token("service").await;
    let author = api.verified_user(&svc, "author", "13800138000").await;
    let publish = |scene: Option<&str>| {
        let mut body = json!({"author": author, "kind": "comment", "text": "加我微信 abc12345 聊"});
        if let Some(scene) = scene {
            body["scene"] = json!(scene);
        }
        body
    };
    let (_, held) = api.json("POST", "/v1/content", &svc, publish(None)).await;
    assert_eq!(held["enforcement"]["decision"], "held", "{held}");
    let (_, passed) = api
        .json("POST", "/v1/content", &svc, publish(Some("private_chat")))
        .await;
    assert_eq!(passed["enforcement"]["decision"], "published", "{passed}");
    assert_eq!(passed["verdict"]["scene"], "private_chat", "{passed}");
    assert!(passed["verdict"]["policy_version"].is_string(), "{passed}");
    let (status, e) = api
        .json("POST", "/v1/content", &svc, publish(Some("kids")))
        .await;
    assert_eq!(
        (status, &e["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("unknown_scene"))
    );
}

#[tokio::test]
async fn a_group_carries_a_default_scene() {
    // Posts in a group assigned to a scene are judged there unless the request names another;
    // assigning is audited and only scenes of the policy are accepted.
    let api = api();
    let svc = api.token("service").await;
    let owner = api.verified_user(&svc, "owner", "13800138000").await;
    let (status, group) = api
        .json(
            "POST",
            "/v1/groups",
            &svc,
            json!({"owner": owner, "name": "一对一客服", "max_members": 100}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let gid = group["id"].as_i64().expect("group id");
    let post = |text: &str| json!({"author": owner, "group": gid, "kind": "message", "text": text});
    let text = "加我微信 abc12345 聊";
    let (_, r) = api.json("POST", "/v1/content", &svc, post(text)).await;
    assert_eq!(r["enforcement"]["decision"], "held", "{r}");

    let uri = format!("/v1/groups/{gid}/scene");
    let (status, e) = api.json("PUT", &uri, &svc, json!({"scene": "kids"})).await;
    assert_eq!(
        (status, &e["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("unknown_scene"))
    );
    let (status, v) = api
        .json("PUT", &uri, &svc, json!({"scene": "private_chat"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, r) = api.json("POST", "/v1/content", &svc, post(text)).await;
    assert_eq!(r["enforcement"]["decision"], "published", "{r}");
    assert_eq!(r["verdict"]["scene"], "private_chat");
    // The request's own scene wins over the group's.
    let mut body = post(text);
    body["scene"] = json!("children");
    let (_, r) = api.json("POST", "/v1/content", &svc, body).await;
    assert_eq!(r["verdict"]["scene"], "children", "{r}");
    // Cleared: the main policy again.
    let (status, _) = api.json("PUT", &uri, &svc, json!({"scene": null})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, r) = api.json("POST", "/v1/content", &svc, post(text)).await;
    assert_eq!(r["enforcement"]["decision"], "held", "{r}");
    let (_, audit) = api.call("GET", "/v1/audit", Some(&api.admin), None).await;
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"scene.assign\"") && l.contains("private_chat")),
        "{audit}"
    );
}
