//! Test support: one test body run on both backends.
//!
//! [`both_backends!`](crate::both_backends) turns a test function into two tests, `sqlite`
//! and `postgres`, in a module named after it. Inside, [`open_store`] gives a fresh, empty
//! store of the backend under test: an in-memory SQLite database, or a new PostgreSQL
//! schema dropped when the test ends. PostgreSQL is found at `QINGLANG_TEST_POSTGRES`
//! (default `postgres://$USER@127.0.0.1:5432/test`); where none answers, the `postgres`
//! test says loudly that it was skipped, and fails instead when `CI=true`.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crate::{Database, Durability, Location, SqliteStore};

/// The backend a test body runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    static CURRENT: RefCell<Option<Backend>> = const { RefCell::new(None) };
    static SCRATCH: RefCell<Vec<Scratch>> = const { RefCell::new(Vec::new()) };
    static SHARED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The PostgreSQL server tests use, if one answers.
pub fn postgres_base() -> Option<&'static str> {
    static FOUND: OnceLock<Option<String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let url = std::env::var("QINGLANG_TEST_POSTGRES").unwrap_or_else(|_| {
                let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
                format!("postgres://{user}@127.0.0.1:5432/test")
            });
            let mut config: postgres::Config = url.parse().ok()?;
            config.connect_timeout(Duration::from_secs(3));
            match config.connect(postgres::NoTls) {
                Ok(_) => Some(url),
                Err(e) => {
                    eprintln!(
                        "PostgreSQL at {} does not answer: {e}",
                        crate::redact_url(&url)
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// Says loudly that `test` is skipped because `missing`; panics instead when `CI=true`,
/// where skipping would hide a failure.
pub fn skip(test: &str, missing: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {missing}, and CI=true: refusing to skip"
    );
    eprintln!("SKIPPED {test}: {missing}");
}

/// Whether the PostgreSQL tests can run here (see [`skip`] for when they cannot).
pub fn postgres_or_skip(test: &str) -> bool {
    if postgres_base().is_some() {
        return true;
    }
    skip(
        test,
        "no PostgreSQL (set QINGLANG_TEST_POSTGRES or start one on 127.0.0.1:5432)",
    );
    false
}

/// The Redis server tests use (`QINGLANG_TEST_REDIS`, default `redis://127.0.0.1:6379`),
/// if it answers; says loudly when it does not, and panics when `CI=true`.
pub fn redis_or_skip(test: &str) -> Option<String> {
    static FOUND: OnceLock<Option<String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let url = std::env::var("QINGLANG_TEST_REDIS")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let answers = redis::Client::open(url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(3)))
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
        match answers {
            Ok(_) => Some(url),
            Err(e) => {
                eprintln!("Redis at {url} does not answer: {e}");
                None
            }
        }
    });
    if found.is_none() {
        skip(
            test,
            "no Redis (set QINGLANG_TEST_REDIS or start one on 127.0.0.1:6379)",
        );
    }
    found.clone()
}

/// A schema of its own in the test database, dropped with everything in it on drop.
#[derive(Debug)]
pub struct Scratch {
    base: String,
    schema: String,
}

impl Scratch {
    /// A new, empty schema; `None` when no PostgreSQL answers.
    pub fn new() -> Option<Scratch> {
        static N: AtomicU32 = AtomicU32::new(0);
        let base = postgres_base()?.to_owned();
        let schema = format!(
            "qlt_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = base
            .parse::<postgres::Config>()
            .ok()?
            .connect(postgres::NoTls)
            .ok()?;
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .ok()?;
        Some(Scratch { base, schema })
    }

    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The URL of a connection whose tables live in this schema.
    pub fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}options=-c%20search_path%3D{}",
            self.base, self.schema
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut client) = self
            .base
            .parse::<postgres::Config>()
            .and_then(|c| c.connect(postgres::NoTls))
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// Runs `body` with `backend` as the backend of [`open_store`]; the schemas it made are
/// dropped afterwards (also when it panics).
pub fn run(backend: Backend, test: &str, body: impl FnOnce()) {
    if backend == Backend::Postgres && !postgres_or_skip(test) {
        return;
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|c| *c.borrow_mut() = None);
            SHARED.with(|s| *s.borrow_mut() = None);
            let made = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
            drop(made);
        }
    }
    let _reset = Reset;
    CURRENT.with(|c| *c.borrow_mut() = Some(backend));
    body();
}

/// The backend the running test body is on (SQLite outside [`run`]).
pub fn current() -> Backend {
    CURRENT.with(|c| c.borrow().unwrap_or(Backend::Sqlite))
}

/// A fresh, empty store of the backend under test.
pub fn open_store() -> Database {
    match current() {
        Backend::Sqlite => Database::Sqlite(SqliteStore::open_in_memory().expect("sqlite store")),
        Backend::Postgres => {
            let location = Location::Postgres(scratch_url());
            Database::open(&location, Durability::Normal).expect("postgres store")
        }
    }
}

/// Where several stores of one test share their records, as several nodes would: a file
/// under `dir` for SQLite, one schema for PostgreSQL (the same for every call in a test).
pub fn shared_location(dir: &Path) -> Location {
    match current() {
        Backend::Sqlite => Location::Sqlite(dir.join("shared.db")),
        Backend::Postgres => Location::Postgres(
            SHARED.with(|s| s.borrow_mut().get_or_insert_with(scratch_url).clone()),
        ),
    }
}

fn scratch_url() -> String {
    let scratch = Scratch::new().expect("a PostgreSQL schema for the test");
    let url = scratch.url();
    SCRATCH.with(|s| s.borrow_mut().push(scratch));
    url
}

/// Turns `fn name() { body }` into the tests `name::sqlite` and `name::postgres`, which run
/// the same body on each backend (see [`open_store`]).
#[macro_export]
macro_rules! both_backends {
    ($(#[$attr:meta])* fn $name:ident() $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$attr])*
            #[test]
            fn sqlite() {
                $crate::testing::run(
                    $crate::testing::Backend::Sqlite,
                    concat!(module_path!(), "::sqlite"),
                    || $body,
                )
            }

            $(#[$attr])*
            #[test]
            fn postgres() {
                $crate::testing::run(
                    $crate::testing::Backend::Postgres,
                    concat!(module_path!(), "::postgres"),
                    || $body,
                )
            }
        }
    };
}
