//! `POST /v1/scan/image` (REV-10, #24 item 3): a picture as its raw bytes or as base64 in
//! JSON gets the picture's verdict, each hit with its part and box; what is not a picture is
//! refused with a reason; a picture may be far larger than other bodies.

#[path = "../../qinglang-image/tests/synth/mod.rs"]
mod synth;

mod common;

use axum::http::StatusCode;
use base64::Engine as _;
use common::Api;
use serde_json::json;

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
    let api = Api::new();
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
    let api = Api::new();
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
