//! The one SQL the governance records are kept with, run on either backend.
//!
//! Every query of the store is written once, with SQLite's `?N` placeholders, against a
//! [`Conn`]: the SQLite driver runs it as written, the PostgreSQL driver numbers the
//! placeholders `$N` and binds each value as the type the server inferred. Where the two
//! dialects differ (a handful of functions), the query asks [`Conn::dialect`]. Rows are read
//! through [`Row`], which borrows each driver's own row, so nothing is copied on the way.

use qinglang_governance::model::Id;
use qinglang_governance::Error;

/// Which SQL the connection speaks, for the few queries that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Something that can be bound to a placeholder.
pub(crate) trait ToParam {
    fn param(&self) -> Param<'_>;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn param(&self) -> Param<'_> {
                Param::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, bool);

impl ToParam for f64 {
    fn param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for str {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToParam for Vec<u8> {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn param(&self) -> Param<'_> {
        (**self).param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn param(&self) -> Param<'_> {
        match self {
            Some(v) => v.param(),
            None => Param::Null,
        }
    }
}

/// The values of a query's placeholders, in order: `params![a, b.0, c]`.
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$(&($p) as &dyn $crate::sql::ToParam),*] as &[&dyn $crate::sql::ToParam]
    };
}
pub(crate) use params;

/// A value read from a row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A column of a row: its position or its name.
pub(crate) trait Column: Copy + std::fmt::Display {
    fn sqlite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>>;
    fn postgres(self, row: &postgres::Row) -> Option<usize>;
}

impl Column for usize {
    fn sqlite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
    fn postgres(self, row: &postgres::Row) -> Option<usize> {
        (self < row.len()).then_some(self)
    }
}

impl Column for &str {
    fn sqlite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
    fn postgres(self, row: &postgres::Row) -> Option<usize> {
        row.columns().iter().position(|c| c.name() == self)
    }
}

/// One row of a result, borrowed from the driver.
pub(crate) enum Row<'r, 's> {
    Sqlite(&'r rusqlite::Row<'s>),
    Postgres(&'r postgres::Row),
}

impl Row<'_, '_> {
    /// The value in column `col`, converted: `r.get::<_, i64>("id")?`.
    pub(crate) fn get<C: Column, T: FromValue>(&self, col: C) -> Result<T, Error> {
        let value = self.value(col)?;
        T::from_value(value).map_err(|want| {
            Error::Storage(format!(
                "column {col} holds {}, not {want}",
                describe(value)
            ))
        })
    }

    fn value<C: Column>(&self, col: C) -> Result<Value<'_>, Error> {
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef as V;
                let v = col
                    .sqlite(r)
                    .map_err(|e| Error::Storage(format!("column {col}: {e}")))?;
                Ok(match v {
                    V::Null => Value::Null,
                    V::Integer(i) => Value::Int(i),
                    V::Real(f) => Value::Real(f),
                    V::Text(t) => Value::Text(
                        std::str::from_utf8(t)
                            .map_err(|_| Error::Storage(format!("column {col} is not UTF-8")))?,
                    ),
                    V::Blob(b) => Value::Blob(b),
                })
            }
            Row::Postgres(r) => crate::postgres::value(r, col),
        }
    }
}

fn describe(v: Value<'_>) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a real number",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
    }
}

/// A Rust value a column converts to; the error names what was wanted.
pub(crate) trait FromValue: Sized {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str>;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
                match v {
                    Value::Int(i) => <$t>::try_from(i).map_err(|_| concat!("a ", stringify!($t))),
                    _ => Err(concat!("a ", stringify!($t))),
                }
            }
        }
    )*};
}
int_value!(i64, i32, u32, u64, u8);

impl FromValue for bool {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(i != 0),
            _ => Err("a boolean"),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            _ => Err("a real number"),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
        match v {
            Value::Text(t) => Ok(t.to_owned()),
            _ => Err("text"),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
        match v {
            Value::Blob(b) => Ok(b.to_vec()),
            _ => Err("bytes"),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value<'_>) -> Result<Self, &'static str> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A connection inside one transaction, on either backend.
pub(crate) trait Conn {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the rows it changed.
    fn execute(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<u64, Error>;
    /// Runs a query and hands each row to `each`, in order.
    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        each: &mut dyn FnMut(&Row<'_, '_>) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

impl dyn Conn + '_ {
    /// Every row of a query, mapped.
    pub(crate) fn rows<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        mut f: impl FnMut(&Row<'_, '_>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        self.each(sql, params, &mut |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, mapped, if there is one.
    pub(crate) fn first<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, params, &mut |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query that always returns one (an aggregate).
    pub(crate) fn one<T>(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.first(sql, params, f)?
            .ok_or_else(|| Error::Storage("a query that returns one row returned none".into()))
    }

    /// The first column of a query's one row.
    pub(crate) fn scalar<T: FromValue>(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
    ) -> Result<T, Error> {
        self.one(sql, params, |r| r.get(0))
    }

    /// Whether a query returns any row.
    pub(crate) fn exists(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<bool, Error> {
        Ok(self.first(sql, params, |_| Ok(()))?.is_some())
    }

    /// Runs an `INSERT … RETURNING id` and returns the new row's id.
    pub(crate) fn insert(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<Id, Error> {
        self.scalar(sql, params)
    }
}
