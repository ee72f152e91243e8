//! Storage for qinglang governance, on two backends behind one SQL ([`sql`]):
//!
//! - [`SqliteStore`], the embedded default: one file, nothing to install;
//! - [`PgStore`], PostgreSQL, for several `qinglang serve` nodes sharing one database;
//!
//! and [`RedisPatrol`], the patrol state (floods, rate limits) those nodes share.
//!
//! [`Database::open`] picks the backend from what the operator wrote after `--db`: a
//! `postgres://` or `postgresql://` URL is PostgreSQL, anything else (a path or
//! `sqlite://path`) is SQLite.

use std::path::{Path, PathBuf};

use qinglang_governance::{Error, Store, Tx};

mod copy;
mod postgres;
mod redis_patrol;
mod sql;
mod sqlite;
#[doc(hidden)]
pub mod testing;
mod tx;

pub use copy::{copy_into, CopyReport};
pub use postgres::PgStore;
pub use redis_patrol::RedisPatrol;
pub use sqlite::{backup, restore, Durability, SqliteStore};

pub(crate) fn storage(e: impl std::fmt::Display) -> Error {
    Error::Storage(e.to_string())
}

/// `url` (PostgreSQL's or Redis's) with any password replaced, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Where the records are kept, as the operator names it after `--db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://path` or a bare path is
    /// a SQLite file.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(s.strip_prefix("sqlite://").unwrap_or(s)))
        }
    }

    /// The SQLite file, if this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            // Never print a password the URL may carry.
            Location::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

/// Either backend, chosen at start-up.
#[derive(Debug)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Database {
    /// Opens the store at `location` and applies pending migrations.
    pub fn open(location: &Location, durability: Durability) -> Result<Database, Error> {
        Ok(match location {
            Location::Sqlite(path) => Database::Sqlite(SqliteStore::open_with(path, durability)?),
            Location::Postgres(url) => Database::Postgres(PgStore::open(url)?),
        })
    }

    /// Test and tool support: runs raw SQL outside any governance transaction (to simulate
    /// tampering, for example).
    pub fn execute_raw(&self, sql: &str) -> Result<u64, Error> {
        match self {
            Database::Sqlite(s) => s.execute_raw(sql).map(|n| n as u64),
            Database::Postgres(s) => s.execute_raw(sql),
        }
    }

    /// Test and tool support: the first column of the first row of a query, as an integer.
    pub fn query_i64(&self, sql: &str) -> Result<i64, Error> {
        match self {
            Database::Sqlite(s) => s.query_i64(sql),
            Database::Postgres(s) => s.query_i64(sql),
        }
    }

    /// Which backend this is, for logs and `/health`.
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
}

impl Store for Database {
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        match self {
            Database::Sqlite(s) => s.write(f),
            Database::Postgres(s) => s.write(f),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        match self {
            Database::Sqlite(s) => s.read(f),
            Database::Postgres(s) => s.read(f),
        }
    }
}
