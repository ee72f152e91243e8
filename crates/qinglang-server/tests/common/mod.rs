//! The test client shared by the HTTP test files: a router over an in-memory store, driven
//! with `oneshot` (no socket).
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use qinglang_engine::{
    default_classifier, default_fraud_model, default_lexicon, default_spam_model, Engine, Policy,
};
use qinglang_governance::crypto::DataKey;
use qinglang_governance::model::Timestamp;
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::{EngineRecipe, Governance};
use qinglang_server::AppState;
use qinglang_store::{Database, SqliteStore};
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct Api {
    pub router: axum::Router,
    pub admin: String,
    /// The service behind the router, for what has no route (console operators).
    pub gov: Arc<Governance<Database>>,
}

impl Api {
    pub fn new() -> Api {
        Api::with_policy(LoadedPolicy::default_policy())
    }

    /// The same server under another policy (scenes, thresholds).
    pub fn with_policy(policy: LoadedPolicy) -> Api {
        Api::with(policy, qinglang_server::Limits::default())
    }

    /// The same server with other limits on clients (#23).
    pub fn with_limits(limits: qinglang_server::Limits) -> Api {
        Api::with(LoadedPolicy::default_policy(), limits)
    }

    fn with(policy: LoadedPolicy, limits: qinglang_server::Limits) -> Api {
        let engine = Arc::new(
            Engine::builder()
                .lexicon(default_lexicon())
                .classifier(Arc::new(default_classifier()))
                .fraud_model(Arc::new(default_fraud_model()))
                .spam_model(Arc::new(default_spam_model()))
                .build()
                .expect("engine"),
        );
        let gov = Governance::new(
            Database::Sqlite(SqliteStore::open_in_memory().expect("store")),
            engine,
            policy,
            DataKey::from_hex(&"07".repeat(32)).expect("key"),
        )
        .with_recipe(EngineRecipe {
            lexicons: vec![default_lexicon()],
            policy: Policy::default(),
        });
        let admin = gov
            .bootstrap_admin(Timestamp::now())
            .expect("bootstrap")
            .expect("token");
        let gov = Arc::new(gov);
        Api {
            router: qinglang_server::app_with_limits(AppState::new(Arc::clone(&gov)), limits),
            gov,
            admin,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A GET whose answer is not JSON: its status, headers and bytes as sent.
    pub async fn download(
        &self,
        uri: &str,
        token: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method("GET").uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req.body(Body::empty()).expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// A request with raw bytes of the given content type.
    pub async fn bytes(
        &self,
        uri: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type)
            .body(Body::from(body))
            .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")),
        )
    }

    pub async fn json(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let (status, text) = self
            .call(method, uri, Some(token), Some(body.to_string()))
            .await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")),
        )
    }

    pub async fn get(&self, uri: &str, token: &str) -> (StatusCode, Value) {
        let (status, text) = self.call("GET", uri, Some(token), None).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")),
        )
    }

    /// A user verified by mobile number: the precondition for publishing.
    pub async fn verified_user(&self, svc: &str, nickname: &str, mobile: &str) -> i64 {
        let (status, user) = self
            .json("POST", "/v1/users", svc, json!({"nickname": nickname}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_i64().expect("id");
        let (status, v) = self
            .json(
                "POST",
                &format!("/v1/users/{id}/identity"),
                svc,
                json!({"kind": "mobile", "value": mobile, "name": "王五"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        id
    }

    pub async fn token(&self, role: &str) -> String {
        self.token_named(role, role).await
    }

    /// A token for a principal with its own name (two moderators are two people).
    pub async fn token_named(&self, role: &str, name: &str) -> String {
        let (status, v) = self
            .json(
                "POST",
                "/v1/tokens",
                &self.admin.clone(),
                json!({"role": role, "name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }
}
