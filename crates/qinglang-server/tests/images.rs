//! `POST /v1/scan/image` (REV-10, #24 item 3): a picture as its raw bytes or as base64 in
//! JSON gets the picture's verdict, each hit with its part and box; what is not a picture is
//! refused with a reason; a picture may be far larger than other bodies. A picture submitted
//! as content comes back from `GET /v1/content/{id}/image` byte for byte.

#[path = "../../qinglang-image/tests/synth/mod.rs"]
mod synth;

mod common;

use axum::http::StatusCode;
use base64::Engine as _;
use common::Api;
use serde_json::json;

/// The server under the default policy with the largest per-picture budget it allows: these
/// tests are about what is decided, and a debug build reading pictures beside other tests on
/// two cores can outrun the default 2 s (an unfinished picture goes to review by design).
fn picture_api() -> Api {
    use qinglang_governance::policy::{LoadedPolicy, DEFAULT_POLICY_TOML};
    let text = DEFAULT_POLICY_TOML.replace("budget_ms = 2000", "budget_ms = 10000");
    assert_ne!(
        text, DEFAULT_POLICY_TOML,
        "the default policy sets images.budget_ms"
    );
    Api::with_policy(LoadedPolicy::parse("test-policy.toml", &text).expect("policy"))
}

/// A noisy poster with a code in it: its PNG is larger than the 256 KiB any other body may
/// be.
fn spam_picture() -> Vec<u8> {
    let mut rng = synth::Rng::new(21);
    let mut shot = synth::poster(&mut rng, 1400, 1400);
    synth::paste_rotated(
        &mut shot,
        &synth::qr_code("加微信 wx5201314 看裸聊", 240),
        400,
        600,
        -6.0,
    );
    synth::png(&shot)
}

#[tokio::test]
async fn a_picture_is_reviewed_raw_or_in_base64() {
    let api = picture_api();
    let svc = api.token("service").await;
    let picture = spam_picture();
    assert!(picture.len() > 256 * 1024, "{} bytes", picture.len());
    let (status, v) = api
        .bytes("/v1/scan/image", &svc, "image/png", picture.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["suggestion"], "block", "{v}");
    assert_eq!(v["image"]["format"], "png");
    assert!(v["policy_version"]
        .as_str()
        .is_some_and(|s| s.starts_with("sha256:")));
    let hit = v["hits"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["category"] == "porn"))
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(hit["part"], "qr");
    assert_eq!(hit["text"], "加微信 wx5201314 看裸聊");
    assert_eq!(hit["box"].as_array().map(Vec::len), Some(4));

    let b64 = base64::engine::general_purpose::STANDARD.encode(&picture);
    let (status, w) = api
        .json("POST", "/v1/scan/image", &svc, json!({"image": b64}))
        .await;
    assert_eq!(status, StatusCode::OK, "{w}");
    assert_eq!(w["hits"], v["hits"]);
}

#[tokio::test]
async fn what_is_not_a_picture_is_refused_with_its_reason() {
    let api = picture_api();
    let svc = api.token("service").await;
    let (status, v) = api
        .bytes(
            "/v1/scan/image",
            &svc,
            "image/png",
            b"not a picture".to_vec(),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_image"))
    );
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("PNG, JPEG, WebP or GIF")),
        "{v}"
    );
    let (status, v) = api
        .json("POST", "/v1/scan/image", &svc, json!({"image": "***"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("base64")),
        "{v}"
    );
    let (status, v) = api
        .bytes("/v1/scan/image", &svc, "text/plain", b"hello".to_vec())
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    // Without a token, nothing is read.
    let (status, _) = api
        .call("POST", "/v1/scan/image", None, Some("{}".into()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A poster with nothing to read in it (`seed` picks its colours and shapes).
fn clean_picture(seed: u64) -> image::RgbImage {
    synth::poster(&mut synth::Rng::new(seed), 800, 800)
}

#[tokio::test]
async fn a_picture_submitted_as_content_is_enforced_like_text() {
    let api = picture_api();
    let svc = api.token("service").await;
    let author = api.verified_user(&svc, "发图的人", "13800138000").await;
    let picture = spam_picture();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&picture);
    // Far over the 256 KiB of a text's body: a picture's body may be larger.
    assert!(b64.len() > 256 * 1024);
    let (status, v) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": author, "kind": "image", "image": b64}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["enforcement"]["decision"], "rejected", "{v}");
    assert_eq!(v["enforcement"]["strike"], true);
    assert!(v["verdict"]["hits"]
        .as_array()
        .is_some_and(|h| h.iter().any(|h| h["part"] == "qr")));
    let (_, user) = api.get(&format!("/v1/users/{author}"), &svc).await;
    assert_eq!(user["strikes_in_window"], 1, "{user}");

    let clean = base64::engine::general_purpose::STANDARD.encode(synth::png(&clean_picture(4)));
    let (status, v) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": author, "kind": "image", "image": clean}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["enforcement"]["decision"], "published", "{v}");
}

#[tokio::test]
async fn content_refuses_what_does_not_fit_its_kind() {
    let api = picture_api();
    let svc = api.token("service").await;
    let author = api.verified_user(&svc, "写字的人", "13800138001").await;
    let cases = [
        (json!({"author": author, "kind": "image"}), "image_required"),
        (
            json!({"author": author, "kind": "message", "text": "你好", "image": "AAAA"}),
            "image_not_expected",
        ),
        (json!({"author": author, "kind": "message"}), "invalid_json"),
        (
            json!({"author": author, "kind": "image", "image": "***"}),
            "invalid_image",
        ),
        (
            json!({"author": author, "kind": "image", "image": "aGVsbG8="}),
            "invalid_image",
        ),
        (
            json!({"author": author, "kind": "image", "text": "配图说明", "image": "aGVsbG8="}),
            "text_not_expected",
        ),
    ];
    for (body, code) in cases {
        let (status, v) = api.json("POST", "/v1/content", &svc, body.clone()).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{body}: {v}"
        );
    }
    // A text's body stays held to 256 KiB.
    let long = "好".repeat(100_000);
    let (status, v) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": author, "kind": "message", "text": long}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    // Other routes too, declared or not.
    let (status, _) = api
        .call(
            "POST",
            "/v1/scan",
            Some(&svc),
            Some(json!({"text": "好".repeat(100_000)}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn lists_are_the_leads_and_block_similar_is_the_moderators() {
    let api = picture_api();
    let svc = api.token("service").await;
    let lead = api.token("lead").await;
    let moderator = api.token("moderator").await;
    let new_list = json!({"name": "赌博推广图", "category": "gambling", "action": "block"});
    for token in [&svc, &moderator] {
        let (status, v) = api
            .json("POST", "/v1/image-lists", token, new_list.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    }
    let (status, list) = api
        .json("POST", "/v1/image-lists", &lead, new_list.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    let list_id = list["id"].as_i64().expect("id");
    let (status, _) = api.get("/v1/image-lists", &svc).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = api
        .json("POST", "/v1/image-lists", &lead, new_list.clone())
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("name_taken"))
    );

    // A published picture is reported; the moderator removes it and blocks similar ones.
    let author = api.verified_user(&svc, "发图者", "13800138002").await;
    let original = clean_picture(7);
    let b64 = base64::engine::general_purpose::STANDARD.encode(synth::png(&original));
    let (_, posted) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": author, "kind": "image", "image": b64}),
        )
        .await;
    let cid = posted["enforcement"]["content_id"].as_i64().expect("id");
    let (status, v) = api
        .json(
            "POST",
            "/v1/reports",
            &svc,
            json!({"target": {"kind": "content", "id": cid}, "category": "gambling"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (_, queue) = api.get("/v1/queue", &moderator).await;
    let item = queue["items"][0]["id"].as_i64().expect("queued");
    let (status, done) = api
        .json(
            "POST",
            &format!("/v1/queue/{item}/block-similar"),
            &moderator,
            json!({"list": list_id, "sanction": true, "note": "赌场二维码海报"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["outcome"]["ok"], true);
    assert_eq!(done["entry"]["content"], cid);
    // Twice is refused: the item is decided.
    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/queue/{item}/block-similar"),
            &moderator,
            json!({"list": list_id}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_decided"))
    );

    // A resized, recompressed copy is blocked with the list's category, scanned or posted.
    let (w, h) = original.dimensions();
    let copy = synth::jpeg(
        &image::imageops::resize(
            &original,
            w * 3 / 4,
            h * 3 / 4,
            image::imageops::FilterType::Triangle,
        ),
        60,
    );
    let (status, v) = api
        .bytes("/v1/scan/image", &svc, "image/jpeg", copy.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (v["suggestion"].as_str(), v["labels"].clone()),
        (Some("block"), json!(["gambling"])),
        "{v}"
    );
    let other = api.verified_user(&svc, "转发者", "13800138003").await;
    let (_, v) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": other, "kind": "image", "image": base64::engine::general_purpose::STANDARD.encode(&copy)}),
        )
        .await;
    assert_eq!(v["enforcement"]["decision"], "rejected", "{v}");

    // The list shows its entry; the lead removes it, and the copy passes again.
    let (status, detail) = api
        .get(&format!("/v1/image-lists/{list_id}"), &moderator)
        .await;
    assert_eq!(status, StatusCode::OK);
    let entry = detail["entries"][0]["id"].as_i64().expect("entry");
    assert_eq!(detail["list"]["entries"], 1);
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/v1/image-lists/{list_id}/entries/{entry}"),
            Some(&moderator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/v1/image-lists/{list_id}/entries/{entry}?reason=%E8%AF%AF%E5%8A%A0"),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = api.bytes("/v1/scan/image", &svc, "image/jpeg", copy).await;
    assert_eq!(v["suggestion"], "pass", "{v}");
    // An entry by hash, by a lead.
    let (status, v) = api
        .json(
            "POST",
            &format!("/v1/image-lists/{list_id}/entries"),
            &lead,
            json!({"hash": "not-hex"}),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_hash"))
    );
}

/// `GET /v1/content/{id}/image` (#24, REV-10): a picture submitted as content comes back
/// byte for byte, typed as the decoder found it (not as the client sent it) and kept by no
/// cache; a text record and a missing one are not found; without a token nothing is read.
/// Every role reads cases (`authz.rs`), so none is refused here: the permission matrix
/// (`tests/permissions.rs`) holds the route to `ReadCases` for each role.
#[tokio::test]
async fn a_stored_picture_is_downloaded_as_it_was_submitted() {
    let api = picture_api();
    let svc = api.token("service").await;
    let author = api.verified_user(&svc, "相册", "13800138009").await;
    let png = synth::png(&clean_picture(31));
    let jpeg = synth::jpeg(&clean_picture(32), 80);
    let mut ids = Vec::new();
    for bytes in [&png, &jpeg] {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let (status, v) = api
            .json(
                "POST",
                "/v1/content",
                &svc,
                json!({"author": author, "kind": "image", "image": b64}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        ids.push(v["enforcement"]["content_id"].as_i64().expect("content id"));
    }
    let (_, text) = api
        .json(
            "POST",
            "/v1/content",
            &svc,
            json!({"author": author, "kind": "message", "text": "今天去公园拍了几张照片"}),
        )
        .await;
    let text_id = text["enforcement"]["content_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{text}"));

    for (role, id, bytes, media_type) in [
        ("moderator", ids[0], &png, "image/png"),
        ("auditor", ids[1], &jpeg, "image/jpeg"),
    ] {
        let token = api.token(role).await;
        let (status, headers, body) = api
            .download(&format!("/v1/content/{id}/image"), Some(&token))
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{role}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            body == *bytes,
            "{role}: the bytes differ from those submitted"
        );
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("content-type"), Some(media_type));
        assert_eq!(header("cache-control"), Some("private, no-store"));
        assert_eq!(header("x-content-type-options"), Some("nosniff"));
    }

    // A text record has no picture; a record that does not exist neither: 404 with the
    // error body, alike.
    let lead = api.token("lead").await;
    for id in [text_id, 987_654] {
        let (status, v) = api.get(&format!("/v1/content/{id}/image"), &lead).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{id}: {v}"
        );
    }
    let (status, v) = api.get("/v1/content/abc/image", &lead).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_id"))
    );
    let (status, _, _) = api
        .download(&format!("/v1/content/{}/image", ids[0]), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
