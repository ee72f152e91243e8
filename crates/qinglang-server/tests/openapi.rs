//! The OpenAPI document is derived from the handlers (issue #22): every documented operation
//! is routed, every API operation says what it takes and what it answers, and the routes the
//! hand-kept table once missed are there.

mod common;

use axum::http::StatusCode;
use common::Api;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

#[tokio::test]
async fn every_documented_operation_is_routed_and_typed() {
    let api = Api::new();
    let (status, text) = api.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&text).expect("OpenAPI JSON");
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
    let paths = doc["paths"].as_object().expect("paths");
    for required in [
        "/",
        "/v1/scan",
        "/v1/groups/{id}/members/{user}/actions",
        "/v1/groups/{id}/notice",
        "/v1/groups/{id}/scene",
        "/v1/reports/{id}",
        "/v1/queue/decide",
        "/v1/appeals/{id}/decide",
        "/v1/outcomes",
        "/v1/learn/{id}",
        "/v1/content/{id}/image",
        "/healthz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(required), "{required} is not documented");
    }
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            operations += 1;
            // Routed: not the router's "no such endpoint" nor "does not take that method".
            let uri = path.replace("{id}", "1").replace("{user}", "1");
            let (status, body) = api
                .call(&method.to_uppercase(), &uri, None, Some("{}".into()))
                .await;
            assert!(
                !body.contains("no such endpoint") && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed: {status} {body}"
            );
            let responses = op["responses"].as_object().expect("responses");
            let ok = responses
                .iter()
                .find(|(code, _)| code.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path} documents no success"));
            if path.starts_with("/v1/") {
                // A stored picture is answered as itself, in each type the decoder takes.
                let picture = ["image/png", "image/jpeg", "image/webp", "image/gif"]
                    .iter()
                    .all(|t| ok.1["content"][t]["schema"].is_object());
                assert!(
                    ok.1["content"]["application/json"]["schema"].is_object()
                        || ok.1["content"]["application/x-ndjson"].is_object()
                        || ok.1["content"].is_null() && path == "/v1/audit"
                        || picture && path == "/v1/content/{id}/image",
                    "{method} {path}: no response schema: {ok:?}"
                );
                for refusal in ["401", "403", "422"] {
                    assert!(
                        responses.contains_key(refusal),
                        "{method} {path} lacks {refusal}"
                    );
                }
                assert!(
                    op["security"].is_array(),
                    "{method} {path} names no security"
                );
                if method == "post" || method == "put" {
                    let takes_body =
                        op["requestBody"]["content"]["application/json"]["schema"].is_object();
                    let bodiless = path.ends_with("/claim") && path.contains("{id}")
                        || path.ends_with("/release");
                    assert!(takes_body || bodiless, "{method} {path}: no request schema");
                }
            }
        }
    }
    assert!(operations >= 49, "only {operations} operations");
    // Request schemas are the handlers' own types: their fields and required ones.
    let scan = &doc["components"]["schemas"]["ScanRequest"];
    assert!(scan["properties"]["text"].is_object(), "{scan}");
    assert_eq!(scan["required"], serde_json::json!(["text"]));
}
