//! Governance rules for public accounts and groups: identity (ID-), accounts (PA-),
//! groups (GRP-), credit (CR-), enforcement (ENF-) and audit (AUD-), as plain functions and
//! state transitions over a [`Store`]. Knows nothing of HTTP or SQL.

pub mod audit;
pub mod authz;
pub mod casework;
pub mod credit;
pub mod crypto;
mod emergency;
mod error;
pub mod identity;
pub mod images;
mod learning;
pub mod model;
pub mod operators;
pub mod patrol;
pub mod policy;
pub mod profile;
pub mod scenes;
mod service;
pub mod stats;
pub mod store;
mod submission;
pub mod tokens;
pub mod wire;

pub use emergency::{
    Caught, EmergencyApplied, EngineRecipe, SweepReport, TermChange, TermEdited, TermView,
    OPERATOR_LEXICON,
};
pub use error::Error;
pub use learning::{replay, Learned, LearningStatus};
pub use service::*;
pub use store::{Store, Tx};
