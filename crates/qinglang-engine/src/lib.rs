//! The qinglang review engine: lexicons compiled into one evasion-proof matcher, and a
//! verdict decided from the evidence (REV-1 … REV-5).
//!
//! The engine is pure: no I/O, no locks, no async, and it never fails on text. Build an
//! [`Engine`] once from [`Lexicon`]s and a [`Policy`], share it behind an `Arc`, and rebuild
//! and swap it to change either.
//!
//! ```
//! use qinglang_engine::{Engine, Lexicon, Suggestion};
//! let lexicon = Lexicon::parse("mine", "赌博\tgambling\n").unwrap();
//! let engine = Engine::builder().lexicon(lexicon).build().unwrap();
//! let verdict = engine.scan("来 賭 * 博 吧");
//! assert_eq!(verdict.suggestion, Suggestion::Block);
//! assert_eq!(verdict.hits[0].text("来 賭 * 博 吧"), "賭 * 博");
//! ```

mod contact;
mod engine;
mod fraud;
mod lexicon;
mod model;
mod near_dup;
mod policy;
mod train;
mod verdict;

pub use engine::{BuildError, Engine, EngineBuilder, Hit, Scratch};
pub use lexicon::{Action, Combination, Entry, Lexicon, LexiconError, LexiconErrorKind};
pub use model::{Classifier, FeatureSpec, Label, ModelError, ModelScratch, Score};
pub use near_dup::{
    Campaign, FloodIndex, Signature, BANDS, MAX_PER_BAND, MIN_SHINGLES, SIGNATURE_LEN,
};
pub use policy::{Policy, PolicyError};
pub use train::{train, train_cross_calibrated, CrossReport, Example, TrainOptions, TrainReport};
pub use verdict::{SegmentKind, SegmentScore, Suggestion, Verdict};

/// Name of the shipped default lexicon, reported as `source` of its hits.
pub const DEFAULT_LEXICON_NAME: &str = "default";

/// The shipped default lexicon (`lexicons/default.txt`), compiled into the binary so the
/// product never needs files at run time.
pub const DEFAULT_LEXICON_TEXT: &str = include_str!("../../../lexicons/default.txt");

/// The shipped classifier (`models/cold.qlm`, see `models/README.md`), compiled into the
/// binary like the default lexicon.
pub const DEFAULT_MODEL_BYTES: &[u8] = include_bytes!("../../../models/cold.qlm");

/// Decodes the shipped classifier.
///
/// # Panics
/// Only if the model compiled into the binary is damaged, which a test rules out.
pub fn default_classifier() -> Classifier {
    match Classifier::from_bytes(DEFAULT_MODEL_BYTES) {
        Ok(model) => model,
        Err(e) => panic!("the shipped model is damaged: {e}"),
    }
}

/// The shipped fraud model (`models/fraud.qlm`, see `models/README.md`): one piece of the
/// fraud rule's evidence (REV-11), compiled into the binary like the default lexicon.
pub const DEFAULT_FRAUD_MODEL_BYTES: &[u8] = include_bytes!("../../../models/fraud.qlm");

/// Decodes the shipped fraud model.
///
/// # Panics
/// Only if the model compiled into the binary is damaged, which a test rules out.
pub fn default_fraud_model() -> Classifier {
    match Classifier::from_bytes(DEFAULT_FRAUD_MODEL_BYTES) {
        Ok(model) => model,
        Err(e) => panic!("the shipped fraud model is damaged: {e}"),
    }
}

/// The shipped spam model (`models/spam.qlm`, see `models/README.md`; issue #19): SEO runs
/// and spam posts as hacked pages and spammers write them, compiled into the binary like the
/// default lexicon.
pub const DEFAULT_SPAM_MODEL_BYTES: &[u8] = include_bytes!("../../../models/spam.qlm");

/// Decodes the shipped spam model.
///
/// # Panics
/// Only if the model compiled into the binary is damaged, which a test rules out.
pub fn default_spam_model() -> Classifier {
    match Classifier::from_bytes(DEFAULT_SPAM_MODEL_BYTES) {
        Ok(model) => model,
        Err(e) => panic!("the shipped spam model is damaged: {e}"),
    }
}

/// Parses the shipped default lexicon.
///
/// # Panics
/// Only if the lexicon compiled into the binary is malformed, which a test rules out: a
/// security product must not quietly run with no lexicon.
pub fn default_lexicon() -> Lexicon {
    match Lexicon::parse(DEFAULT_LEXICON_NAME, DEFAULT_LEXICON_TEXT) {
        Ok(lexicon) => lexicon,
        Err(e) => panic!("the shipped default lexicon is malformed: {e}"),
    }
}
