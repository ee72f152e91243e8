//! Hostile clients (issue #23, OPS-5): a declared body over the limit is refused before it is
//! read, a body that trickles in is cut off, and past the in-flight budget requests are shed
//! with 503 and Retry-After — each in the API's error shape — while the rest keep answering.

mod common;

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use common::Api;
use http_body::Frame;
use http_body_util::BodyExt;
use qinglang_server::Limits;
use tower::ServiceExt;

/// A body that sends one byte and then nothing, as a slow or hostile client does.
struct Trickle {
    sent: bool,
}

impl http_body::Body for Trickle {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.sent {
            Poll::Pending
        } else {
            self.sent = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{")))))
        }
    }
}

fn trickling(token: &str, declared: u64) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/v1/scan")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, declared)
        .body(Body::new(Trickle { sent: false }))
        .expect("request")
}

async fn json(resp: axum::response::Response) -> serde_json::Value {
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("a JSON error")
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_at_once() {
    let api = Api::new();
    let svc = api.token("service").await;
    let resp = tokio::time::timeout(
        Duration::from_secs(2),
        api.router.clone().oneshot(trickling(&svc, 999_999_999)),
    )
    .await
    .expect("answered without waiting for the body")
    .expect("response");
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(resp).await["code"], "payload_too_large");
}

#[tokio::test]
async fn a_trickling_body_is_cut_off_and_past_the_budget_requests_are_shed() {
    let api = Api::with_limits(Limits {
        body_timeout: Duration::from_millis(300),
        max_in_flight: 1,
    });
    let svc = api.token("service").await;
    // One slow client holds the only slot…
    let slow = tokio::spawn(api.router.clone().oneshot(trickling(&svc, 10)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    // …so another request is shed at once, told when to come back.
    let resp = api
        .router
        .clone()
        .oneshot(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()[header::RETRY_AFTER], "1");
    assert_eq!(json(resp).await["code"], "overloaded");
    // The slow body is cut off…
    let resp = slow.await.expect("task").expect("response");
    assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(json(resp).await["code"], "body_timeout");
    // …and the slot is free again.
    let (status, v) = api
        .json(
            "POST",
            "/v1/scan",
            &svc,
            serde_json::json!({"text": "你好"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}
