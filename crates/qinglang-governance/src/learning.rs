//! Learning from moderators' decisions (REV-9): confirmed violations (`spam`) and confirmed
//! false positives (`ham`) are stored, audited, and replayed in order onto the shipped
//! classifier, so every deployment ends up with its own model. Resetting forgets them all.

use std::sync::Arc;

use qinglang_engine::{Classifier, Label};
use qinglang_text::Normalizer;
use serde::Serialize;

use crate::authz::Permission;
use crate::error::Error;
use crate::model::{Id, LearnedExample, Principal, Timestamp};
use crate::service::{check_text, lock, Governance};
use crate::store::Store;

/// What one learned example did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Learned {
    /// The example's id: what `DELETE /v1/learn/{id}` and `learn --forget` take.
    pub id: Id,
    pub model: String,
    pub label: &'static str,
    /// The model's probability for the text before and after learning it.
    pub probability_before: f32,
    pub probability_after: f32,
    /// Examples the deployment's model has learned, this one included.
    pub examples: u64,
}

/// The state of a deployment's learning.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearningStatus {
    pub model: String,
    pub category: String,
    pub spam: u64,
    pub ham: u64,
}

impl<S: Store> Governance<S> {
    fn base_model(&self) -> Result<&Arc<Classifier>, Error> {
        self.base_classifier.as_ref().ok_or_else(|| {
            Error::invalid(
                "no_model",
                "the engine runs without a trained model; there is nothing to learn",
            )
        })
    }

    /// Records a moderator's confirmation and applies it to the running model at once.
    pub fn learn(
        &self,
        actor: &Principal,
        text: &str,
        label: Label,
        now: Timestamp,
    ) -> Result<Learned, Error> {
        self.require(actor, Permission::Learn)?;
        check_text(text)?;
        if text.trim().is_empty() {
            return Err(Error::invalid("empty_text", "text is empty"));
        }
        let name = self.base_model()?.name().to_owned();
        let max = self.engine().policy().model_max_chars as usize;
        if text.chars().count() > max {
            return Err(Error::invalid(
                "too_long_for_model",
                format!("the model judges texts of up to {max} characters; this one would teach it nothing it uses"),
            ));
        }
        // One learner at a time: each step starts from the model the previous one left.
        let mut generation = lock(&self.learned_generation);
        let engine = self.engine();
        let mut model = match engine.classifier() {
            Some(c) => Classifier::clone(c),
            None => Classifier::clone(self.base_model()?),
        };
        let before = model.score(engine.normalizer(), text).probability;
        let after = model.learn(engine.normalizer(), text, label);
        let (previous, stored, id) = self.store.write(|tx| {
            // What the store held before this example: the fast path below is only right
            // when that is exactly what the running model reflects.
            let previous = tx.learned_generation(&name)?;
            let id = tx.insert_learned(&LearnedExample {
                id: 0,
                model: name.clone(),
                label,
                text: text.to_owned(),
                actor: actor.label(),
                at: now,
            })?;
            let stored = tx.learned_generation(&name)?;
            self.audit(
                tx,
                actor,
                now,
                "model.learn",
                &format!("model:{name}"),
                "",
                serde_json::json!({
                    "example": id,
                    "label": label.as_str(),
                    "chars": text.chars().count(),
                    "probability_before": round4(before),
                    "probability_after": round4(after),
                }),
            )?;
            Ok((previous, stored, id))
        })?;
        if previous == *generation {
            self.swap_engine(Arc::new(engine.with_classifier(Some(Arc::new(model)))));
            *generation = stored;
        } else {
            // Someone else (`qinglang learn` on the same store) changed the examples
            // meanwhile: replay them all so that every node converges on the same model.
            drop(generation);
            self.reload_learned()?;
        }
        Ok(Learned {
            id,
            model: name,
            label: label.as_str(),
            probability_before: before,
            probability_after: after,
            examples: stored.0,
        })
    }

    /// Replays the store's learned examples onto the shipped model when they changed since
    /// the last replay (start-up, or examples added by another process). Returns whether the
    /// engine was rebuilt.
    pub fn reload_learned(&self) -> Result<bool, Error> {
        let Some(base) = self.base_classifier.as_ref() else {
            return Ok(false);
        };
        let mut generation = lock(&self.learned_generation);
        let stored = self.store.read(|tx| tx.learned_generation(base.name()))?;
        if stored == *generation {
            return Ok(false);
        }
        // The examples and their generation from one snapshot: a change in between would
        // otherwise be replayed under the older generation and noticed again next time, or
        // (the other way round) recorded as applied when it was not.
        let (stored, examples) = self.store.read(|tx| {
            Ok((
                tx.learned_generation(base.name())?,
                tx.learned_examples(base.name())?,
            ))
        })?;
        let engine = self.engine();
        let model = replay(base, &examples, engine.normalizer());
        self.swap_engine(Arc::new(engine.with_classifier(Some(Arc::new(model)))));
        *generation = stored;
        Ok(true)
    }

    /// Forgets everything the deployment learned and returns to the shipped model.
    pub fn reset_learning(&self, actor: &Principal, now: Timestamp) -> Result<u64, Error> {
        self.require(actor, Permission::ChangePolicy)?;
        let base = Arc::clone(self.base_model()?);
        let mut generation = lock(&self.learned_generation);
        let removed = self.store.write(|tx| {
            let n = tx.clear_learned(base.name())?;
            self.audit(
                tx,
                actor,
                now,
                "model.reset",
                &format!("model:{}", base.name()),
                "",
                serde_json::json!({ "examples_removed": n }),
            )?;
            Ok(n)
        })?;
        let engine = self.engine();
        self.swap_engine(Arc::new(engine.with_classifier(Some(base))));
        *generation = (0, 0);
        Ok(removed)
    }

    /// The deployment's learned examples with an id below `before` (the newest when
    /// `None`), newest first, at most `limit`: what the console and `GET /v1/learn/examples`
    /// show before someone forgets one or resets them all.
    pub fn recent_learned(
        &self,
        actor: &Principal,
        limit: usize,
        before: Option<Id>,
    ) -> Result<Vec<LearnedExample>, Error> {
        self.require(actor, Permission::ReadLearned)?;
        let base = self.base_model()?;
        self.store
            .read(|tx| tx.recent_learned(base.name(), limit, before))
    }

    /// Forgets one learned example (a decision taught by mistake) and replays the rest onto
    /// the shipped model, so the running model is as if it had never been taught.
    pub fn forget_learned(&self, actor: &Principal, id: Id, now: Timestamp) -> Result<(), Error> {
        self.require(actor, Permission::ChangePolicy)?;
        let name = self.base_model()?.name().to_owned();
        self.store.write(|tx| {
            let gone = tx
                .delete_learned(&name, id)?
                .ok_or_else(|| Error::not_found("learned example", id))?;
            self.audit(
                tx,
                actor,
                now,
                "model.forget",
                &format!("model:{name}"),
                "",
                serde_json::json!({
                    "example": id,
                    "label": gone.label.as_str(),
                    "chars": gone.text.chars().count(),
                    "taught_by": gone.actor,
                }),
            )
        })?;
        self.reload_learned()?;
        Ok(())
    }

    /// How many examples of each kind the deployment's model has learned.
    pub fn learning_status(&self, actor: &Principal) -> Result<LearningStatus, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        let base = self.base_model()?;
        let (spam, ham) = self.store.read(|tx| tx.learned_counts(base.name()))?;
        Ok(LearningStatus {
            model: base.name().to_owned(),
            category: base.category().to_owned(),
            spam,
            ham,
        })
    }
}

/// The deployment's model: the shipped one with its learned examples applied in order.
pub fn replay(
    base: &Classifier,
    examples: &[LearnedExample],
    normalizer: &Normalizer,
) -> Classifier {
    let mut model = base.clone();
    for e in examples {
        model.learn(normalizer, &e.text, e.label);
    }
    model
}

fn round4(p: f32) -> f64 {
    (f64::from(p) * 10_000.0).round() / 10_000.0
}
