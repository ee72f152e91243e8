//! Emergency operations (ENF-3): add terms and tighten the review thresholds in one audited
//! change that takes effect at once, then sweep the content stored in the last hours with
//! the new engine and report — and optionally hold or reject — what it now catches.

use std::collections::HashMap;
use std::sync::Arc;

use qinglang_engine::{Engine, EngineBuilder, Lexicon, Policy, Scratch, Suggestion};

use serde::Serialize;

use crate::authz::Permission;
use crate::error::Error;
use crate::model::{ContentKind, Decision, EmergencyChange, Id, LexiconEdit, Principal, Timestamp};
use crate::service::{lock, mark_parts, review_content, Governance};
use crate::store::Store;
use crate::wire;

/// What the engine is built from before any emergency change: the lexicons and the review
/// policy the service started with.
#[derive(Debug, Clone)]
pub struct EngineRecipe {
    pub lexicons: Vec<Lexicon>,
    pub policy: Policy,
}

impl EngineRecipe {
    /// A builder holding the recipe's lexicons and policy.
    pub fn builder(&self) -> EngineBuilder {
        self.lexicons
            .iter()
            .fold(Engine::builder().policy(self.policy.clone()), |b, l| {
                b.lexicon(l.clone())
            })
    }
}

/// Where the console's lexicon edits live: hits of the terms it added report this source.
pub const OPERATOR_LEXICON: &str = "operator";

/// A term in force and the lexicon it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermView {
    pub term: String,
    pub category: String,
    pub action: &'static str,
    pub source: String,
}

/// What an operator does to a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermChange {
    /// Add the term, or set its category and action (`block`, `review`, `allow`).
    Add {
        category: String,
        action: String,
    },
    /// A block term becomes a review term.
    Demote,
    Remove,
}

/// An applied edit, and the term as it was before.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermEdited {
    pub edit: LexiconEdit,
    pub before: Option<TermView>,
}

/// The change as applied.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmergencyApplied {
    pub id: Id,
    pub source: String,
    pub terms: usize,
    pub review_threshold: u8,
    pub block_threshold: u8,
}

/// One stored message the sweep now judges more severely than when it was decided.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caught {
    pub content: Id,
    pub author: Id,
    pub group: Option<Id>,
    pub at: String,
    /// The stored decision, and the new verdict's suggestion.
    pub was: String,
    pub now: &'static str,
    /// The new verdict, in the scan contract's shape.
    pub verdict: serde_json::Value,
}

/// What a sweep found (and did).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweepReport {
    pub since: String,
    pub scanned: usize,
    pub caught: Vec<Caught>,
    /// Messages whose decision the sweep changed (with `act`).
    pub acted: usize,
}

fn severity_of_decision(d: &str) -> u8 {
    match d {
        "published" => 0,
        "held" => 1,
        _ => 2,
    }
}

fn severity(s: Suggestion) -> u8 {
    match s {
        Suggestion::Pass => 0,
        Suggestion::Review => 1,
        Suggestion::Block => 2,
    }
}

impl<S: Store> Governance<S> {
    fn recipe(&self) -> Result<&EngineRecipe, Error> {
        self.recipe.as_ref().ok_or_else(|| {
            Error::invalid(
                "no_recipe",
                "this service was started without its engine recipe; engine changes need it",
            )
        })
    }

    /// The lexicons the engine is built from: the recipe's, every emergency change's, and
    /// the operators' edits replayed over them (the latest edit of a term wins; its entry
    /// moves to the `operator` lexicon, or is gone when removed).
    /// The lexicon a scene of the policy brings (none for the main engine); an unknown scene
    /// is refused with the known ones listed.
    fn scene_policy_lexicon(&self, scene: Option<&str>) -> Result<Option<Lexicon>, Error> {
        let Some(name) = scene else {
            return Ok(None);
        };
        let policy = &self.policy().policy;
        let Some(s) = policy.scenes.get(name) else {
            // The same refusal as a scan in an unknown scene.
            return self.scene_engines().get(policy, name).map(|_| None);
        };
        let lexicon = s
            .lexicon(name)
            .map_err(|e| Error::invalid("invalid_scene", e.to_string()))?;
        Ok((!lexicon.is_empty()).then_some(lexicon))
    }

    /// The lexicons of `scene` (the main engine for `None`): the main edits, and the scene's
    /// own replayed after them, over the recipe and emergency changes; a scene's policy
    /// lexicon comes on top (`SceneEngines::build`).
    pub(crate) fn scene_lexicons(
        &self,
        changes: &[EmergencyChange],
        edits: &[LexiconEdit],
        scene: Option<&str>,
    ) -> Result<Vec<Lexicon>, Error> {
        let edits: Vec<LexiconEdit> = edits
            .iter()
            .filter(|e| e.scene.is_none() || e.scene.as_deref() == scene)
            .cloned()
            .collect();
        self.effective_lexicons(changes, &edits)
    }

    fn effective_lexicons(
        &self,
        changes: &[EmergencyChange],
        edits: &[LexiconEdit],
    ) -> Result<Vec<Lexicon>, Error> {
        // Each lexicon with the time it came into force: the recipe's always were.
        let mut lexicons: Vec<(Timestamp, Lexicon)> = self
            .recipe()?
            .lexicons
            .iter()
            .map(|l| (Timestamp(i64::MIN), l.clone()))
            .collect();
        for c in changes {
            let lexicon = Lexicon::parse(&format!("emergency:{}", c.name), &c.lexicon)
                .map_err(|e| Error::invalid("invalid_lexicon", e.to_string()))?;
            lexicons.push((c.at, lexicon));
        }
        if edits.is_empty() {
            return Ok(lexicons.into_iter().map(|(_, l)| l).collect());
        }
        let mut last: HashMap<&str, &LexiconEdit> = HashMap::new();
        for e in edits {
            last.insert(e.term.as_str(), e);
        }
        // An edit overrides the term where it stood when the edit was made; an emergency
        // change made later adds it again (replayed in time order).
        let mut lexicons: Vec<Lexicon> = lexicons
            .into_iter()
            .map(|(since, l)| {
                let (name, entries) = l.into_parts();
                let kept = entries
                    .into_iter()
                    .filter(|e| last.get(&*e.term).is_none_or(|edit| since > edit.at))
                    .collect();
                Lexicon::from_entries(&name, kept)
            })
            .collect();
        let mut kept: Vec<&&LexiconEdit> = last.values().filter(|e| e.action.is_some()).collect();
        kept.sort_by_key(|e| e.id);
        let text: String = kept
            .iter()
            .map(|e| {
                format!(
                    "{}\t{}\t{}\n",
                    e.term,
                    e.category.as_deref().unwrap_or("custom"),
                    e.action.as_deref().unwrap_or("review")
                )
            })
            .collect();
        lexicons.push(
            Lexicon::parse(OPERATOR_LEXICON, &text)
                .map_err(|e| Error::invalid("invalid_lexicon", e.to_string()))?,
        );
        Ok(lexicons)
    }

    /// Builds the engine from the recipe plus every emergency change (newest thresholds
    /// win) and lexicon edit, keeping the running classifier (and what it learned) and the
    /// fraud model.
    fn engine_with_changes(
        &self,
        changes: &[EmergencyChange],
        edits: &[LexiconEdit],
    ) -> Result<(Engine, Vec<Lexicon>), Error> {
        let recipe = self.recipe()?;
        let mut policy = recipe.policy.clone();
        let mut builder = Engine::builder();
        let lexicons = self.scene_lexicons(changes, edits, None)?;
        for lexicon in &lexicons {
            builder = builder.lexicon(lexicon.clone());
        }
        for c in changes {
            if let Some(t) = c.review_threshold {
                policy.review_threshold = t;
            }
            if let Some(t) = c.block_threshold {
                policy.block_threshold = t;
            }
        }
        if let Some(classifier) = self.engine().classifier() {
            builder = builder.classifier(Arc::clone(classifier));
        }
        if let Some(model) = self.engine().fraud_model() {
            builder = builder.fraud_model(Arc::clone(model));
        }
        if let Some(model) = self.engine().spam_model() {
            builder = builder.spam_model(Arc::clone(model));
        }
        let engine = builder
            .policy(policy)
            .build()
            .map_err(|e| Error::invalid("invalid_emergency_change", e.to_string()))?;
        Ok((engine, lexicons))
    }

    /// Adds terms (lexicon file format) and optionally tightens the thresholds, in one
    /// audited change that the running engine takes at once (ENF-3).
    pub fn emergency_change(
        &self,
        actor: &Principal,
        name: &str,
        lexicon: &str,
        review_threshold: Option<u8>,
        block_threshold: Option<u8>,
        now: Timestamp,
    ) -> Result<EmergencyApplied, Error> {
        self.require(actor, Permission::ChangePolicy)?;
        let ok_name = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok_name {
            return Err(Error::invalid(
                "invalid_name",
                format!("name {name:?} must be 1-64 characters of a-z, 0-9, _ or -"),
            ));
        }
        let source = format!("emergency:{name}");
        if lexicon.trim().is_empty() && review_threshold.is_none() && block_threshold.is_none() {
            return Err(Error::invalid(
                "empty_change",
                "an emergency change needs terms, a threshold, or both",
            ));
        }
        // Emergencies tighten: a threshold may only go down from what the engine uses now.
        let current = self.engine();
        for (field, asked, now_at) in [
            (
                "review_threshold",
                review_threshold,
                current.policy().review_threshold,
            ),
            (
                "block_threshold",
                block_threshold,
                current.policy().block_threshold,
            ),
        ] {
            if let Some(t) = asked.filter(|&t| t > now_at) {
                return Err(Error::invalid(
                    "not_tighter",
                    format!("{field} {t} would loosen the current {now_at}; emergency changes only tighten"),
                ));
            }
        }
        let parsed = Lexicon::parse(&source, lexicon)
            .map_err(|e| Error::invalid("invalid_lexicon", e.to_string()))?;
        // Engine changes are serialised with learning, so neither undoes the other.
        let _guard = lock(&self.learned_generation);
        let (mut changes, edits) = self
            .store
            .read(|tx| Ok((tx.emergency_changes()?, tx.lexicon_edits()?)))?;
        changes.push(EmergencyChange {
            id: 0,
            name: name.to_owned(),
            lexicon: lexicon.to_owned(),
            review_threshold,
            block_threshold,
            actor: actor.label(),
            at: now,
        });
        // Build first: a change that does not compile is refused before anything is stored.
        let (engine, _) = self.engine_with_changes(&changes, &edits)?;
        let scenes = self.build_scenes(&engine, &changes, &edits)?;
        let (review, block) = (
            engine.policy().review_threshold,
            engine.policy().block_threshold,
        );
        let change = changes
            .last()
            .cloned()
            .ok_or_else(|| Error::Storage("empty".into()))?;
        let generation = self.store.write(|tx| {
            tx.insert_emergency(&change)?;
            self.audit(
                tx,
                actor,
                now,
                "policy.emergency",
                &source,
                "",
                serde_json::json!({
                    "terms": parsed.len(),
                    "review_threshold": review,
                    "block_threshold": block,
                }),
            )?;
            tx.emergency_generation()
        })?;
        self.swap_rules(Arc::new(engine), scenes, generation.0);
        *lock(&self.emergency_generation) = generation;
        Ok(EmergencyApplied {
            id: generation.1,
            source,
            terms: parsed.len(),
            review_threshold: review,
            block_threshold: block,
        })
    }

    /// Rebuilds the engine when the stored emergency changes differ from the ones it was
    /// built with (start-up; changes made by `qinglang sweep` in another process).
    pub fn reload_emergency(&self) -> Result<bool, Error> {
        if self.recipe.is_none() {
            return Ok(false);
        }
        let _guard = lock(&self.learned_generation);
        let mut generation = lock(&self.emergency_generation);
        // The cheap question first: this runs every few seconds.
        let stored = self.store.read(|tx| tx.emergency_generation())?;
        if stored == *generation {
            return Ok(false);
        }
        let (changes, edits) = self
            .store
            .read(|tx| Ok((tx.emergency_changes()?, tx.lexicon_edits()?)))?;
        let (engine, _) = self.engine_with_changes(&changes, &edits)?;
        let scenes = self.build_scenes(&engine, &changes, &edits)?;
        self.swap_rules(Arc::new(engine), scenes, stored.0);
        *generation = stored;
        Ok(true)
    }

    /// The terms in force whose text contains `query` (all when empty), with the lexicon
    /// each comes from: what the console's lexicon page lists.
    pub fn lexicon_terms(
        &self,
        actor: &Principal,
        query: &str,
        limit: usize,
    ) -> Result<Vec<TermView>, Error> {
        self.scene_lexicon_terms(actor, None, query, limit)
    }

    /// The terms in force in `scene` (the main engine for `None`) that contain `query`: the
    /// scene's own policy lexicon and edits first.
    pub fn scene_lexicon_terms(
        &self,
        actor: &Principal,
        scene: Option<&str>,
        query: &str,
        limit: usize,
    ) -> Result<Vec<TermView>, Error> {
        self.require(actor, Permission::ReadCases)?;
        let policy_lexicon = self.scene_policy_lexicon(scene)?;
        let (changes, edits) = self
            .store
            .read(|tx| Ok((tx.emergency_changes()?, tx.lexicon_edits()?)))?;
        let mut out = Vec::new();
        // Operators' and emergency terms first: they are what people look for here.
        let mut lexicons = self.scene_lexicons(&changes, &edits, scene)?;
        lexicons.extend(policy_lexicon);
        lexicons.reverse();
        for l in &lexicons {
            for e in l.entries() {
                if out.len() == limit {
                    return Ok(out);
                }
                if query.is_empty() || e.term.contains(query) {
                    out.push(TermView {
                        term: e.term.to_string(),
                        category: e.category.to_string(),
                        action: e.action.as_str(),
                        source: l.name().to_owned(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every lexicon edit, newest first.
    pub fn lexicon_edits(&self, actor: &Principal) -> Result<Vec<LexiconEdit>, Error> {
        self.require(actor, Permission::ReadCases)?;
        let mut edits = self.store.read(|tx| tx.lexicon_edits())?;
        edits.reverse();
        Ok(edits)
    }

    /// Adds, demotes (block → review) or removes one term, with immediate effect: the engine
    /// is rebuilt and swapped atomically (scans in flight keep the engine they started
    /// with), and the change is audited.
    pub fn edit_lexicon(
        &self,
        actor: &Principal,
        term: &str,
        change: TermChange,
        reason: &str,
        now: Timestamp,
    ) -> Result<TermEdited, Error> {
        self.edit_scene_lexicon(actor, None, term, change, reason, now)
    }

    /// [`Governance::edit_lexicon`] for one scene of the policy only (`None`: the main
    /// engine, and every scene with it); audited with the scene.
    pub fn edit_scene_lexicon(
        &self,
        actor: &Principal,
        scene: Option<&str>,
        term: &str,
        change: TermChange,
        reason: &str,
        now: Timestamp,
    ) -> Result<TermEdited, Error> {
        self.require(actor, Permission::ChangePolicy)?;
        let policy_lexicon = self.scene_policy_lexicon(scene)?;
        let term = term.trim();
        let n = term.chars().count();
        if n == 0 || n > 64 || term.contains(['\t', '\n', '\r']) {
            return Err(Error::invalid(
                "invalid_term",
                "a term is 1-64 characters on one line, without tabs",
            ));
        }
        if reason.chars().count() > 2_000 {
            return Err(Error::invalid(
                "note_too_long",
                "reason is over 2000 characters",
            ));
        }
        let _guard = lock(&self.learned_generation);
        let (changes, mut edits) = self
            .store
            .read(|tx| Ok((tx.emergency_changes()?, tx.lexicon_edits()?)))?;
        let mut in_force = self.scene_lexicons(&changes, &edits, scene)?;
        in_force.extend(policy_lexicon);
        let before = in_force
            .iter()
            .flat_map(|l| {
                l.entries()
                    .iter()
                    .filter(|e| &*e.term == term)
                    .map(|e| TermView {
                        term: e.term.to_string(),
                        category: e.category.to_string(),
                        action: e.action.as_str(),
                        source: l.name().to_owned(),
                    })
                    .collect::<Vec<_>>()
            })
            .max_by_key(|t| match t.action {
                "block" => 2,
                "review" => 1,
                _ => 0,
            });
        let (category, action, verb) = match change {
            TermChange::Add { category, action } => {
                if before
                    .as_ref()
                    .is_some_and(|b| b.category == category && b.action == action)
                {
                    return Err(Error::Conflict {
                        code: "unchanged",
                        message: format!("{term:?} is already {action} as {category}"),
                    });
                }
                (Some(category), Some(action), "lexicon.add")
            }
            TermChange::Demote => match &before {
                Some(b) if b.action == "block" => (
                    Some(b.category.clone()),
                    Some("review".to_owned()),
                    "lexicon.demote",
                ),
                Some(b) => {
                    return Err(Error::Conflict {
                        code: "not_blocking",
                        message: format!(
                            "{term:?} is {} already; only block terms are demoted",
                            b.action
                        ),
                    })
                }
                None => return Err(Error::not_found("term", term)),
            },
            TermChange::Remove => match &before {
                Some(_) => (None, None, "lexicon.remove"),
                None => return Err(Error::not_found("term", term)),
            },
        };
        let mut edit = LexiconEdit {
            id: edits.last().map_or(1, |e| e.id + 1),
            term: term.to_owned(),
            category,
            action,
            reason: reason.to_owned(),
            actor: actor.label(),
            at: now,
            scene: scene.map(str::to_owned),
        };
        edits.push(edit.clone());
        // Build first: an edit that does not compile is refused before anything is stored.
        let (engine, _) = self.engine_with_changes(&changes, &edits)?;
        let scenes = self.build_scenes(&engine, &changes, &edits)?;
        let generation = self.store.write(|tx| {
            edit.id = tx.insert_lexicon_edit(&edit)?;
            self.audit(
                tx,
                actor,
                now,
                verb,
                &format!("term:{term}"),
                reason,
                serde_json::json!({"before": before, "category": edit.category, "action": edit.action, "scene": edit.scene}),
            )?;
            tx.emergency_generation()
        })?;
        self.swap_rules(Arc::new(engine), scenes, generation.0);
        *lock(&self.emergency_generation) = generation;
        Ok(TermEdited { edit, before })
    }

    /// Re-scans what was stored since `since` with the engine as it is now and reports every
    /// message it judges more severely than its stored decision; with `act`, holds (review)
    /// or rejects (block) them. Every change and the sweep itself are audited (ENF-3).
    pub fn sweep(
        &self,
        actor: &Principal,
        since: Timestamp,
        act: bool,
        now: Timestamp,
    ) -> Result<SweepReport, Error> {
        self.require(actor, Permission::ChangePolicy)?;
        let stored = self.store.read(|tx| tx.content_since(since))?;
        // Pictures are also matched against the known-bad lists as they are now: a copy of a
        // picture listed after it was posted is caught (REV-10).
        let pictures: HashMap<Id, (crate::images::PerceptualHash, u32, u32)> =
            if stored.iter().any(|c| c.kind == ContentKind::Image) {
                self.store
                    .read(|tx| tx.content_image_hashes_since(since))?
                    .into_iter()
                    .map(|(id, hash, w, h)| (id, (hash, w, h)))
                    .collect()
            } else {
                Default::default()
            };
        let known = match pictures.is_empty() {
            true => None,
            false => Some(self.known_images()?),
        };
        let engine = self.engine();
        let mut scratch = Scratch::default();
        let mut caught = Vec::new();
        for c in &stored {
            // Reviewed as at submission: an article as a page, not as raw HTML; a picture
            // as the texts read from it, one a line.
            let (verdict, parts) = review_content(&engine, c.kind, &c.text, &mut scratch);
            let mut value = wire::verdict_value(&c.text, &verdict);
            mark_parts(&mut value, &parts);
            let mut now = verdict.suggestion;
            if let (Some(known), Some(&(hash, w, h))) = (&known, pictures.get(&c.id)) {
                let matches = known.matches(hash);
                crate::images::apply_matches(&mut value, &matches, w, h, engine.policy());
                now = crate::images::parse_suggestion(value["suggestion"].as_str().unwrap_or(""));
            }
            if severity(now) > severity_of_decision(&c.decision) {
                caught.push(Caught {
                    content: c.id,
                    author: c.author,
                    group: c.group,
                    at: c.at.to_rfc3339(),
                    was: c.decision.clone(),
                    now: now.as_str(),
                    verdict: value,
                });
            }
        }
        let acted = self.store.write(|tx| {
            let mut acted = 0;
            if act {
                for c in &caught {
                    let decision = if c.now == "block" {
                        Decision::Rejected
                    } else {
                        Decision::Held
                    };
                    // The scan ran outside this transaction: a moderator may have decided the
                    // content since (or retention removed it). Only a decision still milder
                    // than the new verdict changes; a takedown is never undone here.
                    let Some(current) = tx.content(c.content)? else {
                        continue;
                    };
                    if severity_of_decision(current.decision.as_str())
                        >= severity_of_decision(decision.as_str())
                    {
                        continue;
                    }
                    tx.set_content_decision(c.content, decision)?;
                    if decision == Decision::Held {
                        let score = c.verdict["score"].as_u64().unwrap_or(0).min(100) as u8;
                        self.enqueue_held(tx, c.content, score, now)?;
                    }
                    self.audit(
                        tx,
                        actor,
                        now,
                        "content.sweep",
                        &format!("content:{}", c.content),
                        &format!(
                            "emergency sweep: {} → {}",
                            current.decision.as_str(),
                            decision.as_str()
                        ),
                        serde_json::json!({"verdict": c.verdict}),
                    )?;
                    acted += 1;
                }
            }
            self.audit(
                tx,
                actor,
                now,
                "policy.sweep",
                "content",
                "",
                serde_json::json!({
                    "since": since.to_rfc3339(),
                    "scanned": stored.len(),
                    "caught": caught.len(),
                    "acted": acted,
                }),
            )?;
            Ok(acted)
        })?;
        Ok(SweepReport {
            since: since.to_rfc3339(),
            scanned: stored.len(),
            caught,
            acted,
        })
    }
}
