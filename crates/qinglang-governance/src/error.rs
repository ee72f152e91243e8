//! Governance errors: each carries a stable snake_case `code` for clients and a message a
//! person can act on. The server maps the variants to HTTP statuses.

/// What went wrong with a governance operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The rules forbid it (unverified, sanctioned, over a cap, wrong role).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The input is malformed or fails validation.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// It collides with existing state (a name in use or tombstoned).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// No or unknown credentials.
    #[error("missing or unknown bearer token")]
    Unauthenticated,
    /// The store failed; details are logged, not shown to clients.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { code, .. }
            | Error::Invalid { code, .. }
            | Error::Conflict { code, .. } => code,
            Error::Unauthenticated => "unauthenticated",
            Error::Storage(_) => "internal",
        }
    }

    pub(crate) fn forbidden(code: &'static str, message: impl Into<String>) -> Error {
        Error::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Error {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
