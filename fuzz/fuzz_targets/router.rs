//! The HTTP router with arbitrary bodies on every JSON route: never a panic, never a 5xx other
//! than 503 (shedding).
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use qinglang_engine::{default_lexicon, Engine};
use qinglang_governance::crypto::DataKey;
use qinglang_governance::model::Timestamp;
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::Governance;
use qinglang_server::{app, AppState};
use qinglang_store::{Database, SqliteStore};
use tower::ServiceExt;

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/scan"),
    ("POST", "/v1/users"),
    ("POST", "/v1/content"),
    ("POST", "/v1/groups"),
    ("POST", "/v1/accounts"),
    ("POST", "/v1/reports"),
    ("POST", "/v1/emergency"),
    ("PUT", "/v1/groups/1/scene"),
    ("POST", "/v1/users/1/identity"),
    ("POST", "/login"),
];

struct World {
    router: axum::Router,
    token: String,
    runtime: tokio::runtime::Runtime,
}

fuzz_target!(|data: &[u8]| {
    static W: OnceLock<World> = OnceLock::new();
    let w = W.get_or_init(|| {
        let engine = Engine::builder()
            .lexicon(default_lexicon())
            .build()
            .expect("engine");
        let gov = Governance::new(
            Database::Sqlite(SqliteStore::open_in_memory().expect("store")),
            Arc::new(engine),
            LoadedPolicy::default_policy(),
            DataKey::from_hex(&"07".repeat(32)).expect("key"),
        );
        let token = gov
            .bootstrap_admin(Timestamp::now())
            .expect("bootstrap")
            .expect("token");
        World {
            router: app(AppState::new(Arc::new(gov))),
            token,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
        }
    });
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (method, uri) = ROUTES[usize::from(pick) % ROUTES.len()];
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {}", w.token))
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .expect("request");
    let status = w
        .runtime
        .block_on(w.router.clone().oneshot(request))
        .expect("infallible")
        .status();
    assert!(
        !status.is_server_error() || status.as_u16() == 503,
        "{method} {uri}: {status}"
    );
});
