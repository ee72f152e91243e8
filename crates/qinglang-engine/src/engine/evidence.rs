//! The fraud rule's side of a scan (REV-11, issue #20): the evidence `fraud.rs` finds in a
//! text, weighed by the policy, reported as `fraud` hits a moderator can read — which sender
//! was impersonated, which reason was given, which link borrows a name, what the model said —
//! each naming the scam family it points to as its sub-category.

use std::sync::Arc;

use qinglang_text::Pos;

use super::{link_host, CompiledEntry, Engine, Hit};
use crate::contact::{Contact, ContactKind};
use crate::fraud::{self, Evidence, Family, Piece};
use crate::lexicon::{Action, Entry};
use crate::model::{Classifier, ModelScratch};

/// What the fraud rule reports as `term` (source `rule:fraud`): the impersonated sender, the
/// reason to act now, a link that borrows an organisation's name, and a hotline that is not an
/// organisation's own service number. The model's piece is reported as the model's own hit
/// (`source: "model:<name>"`, `term`: its name).
const RULE_TERMS: [&str; 4] = ["impersonation", "pretext", "lookalike_link", "hotline"];

/// Pieces: the three rule terms and the model.
const PIECES: usize = RULE_TERMS.len() + 1;

/// A family, or none (the model alone).
const FAMILIES: usize = Family::ALL.len() + 1;

/// Fraud hits' patterns are numbered down from here, one per piece: the verdict tells them
/// from lexicon, contact and flood hits by it.
pub(crate) const FRAUD_PATTERN: u32 = u32::MAX - 32;

/// Whether a hit's pattern is one of the fraud rule's pieces.
pub(crate) fn is_fraud_pattern(pattern: u32) -> bool {
    (FRAUD_PATTERN - PIECES as u32 + 1..=FRAUD_PATTERN).contains(&pattern)
}

fn slot(piece: usize, block: bool, family: Option<Family>) -> usize {
    let family = family.map_or(0, |f| {
        1 + Family::ALL.iter().position(|&g| g == f).unwrap_or(0)
    });
    (piece * 2 + usize::from(block)) * FAMILIES + family
}

/// Appends the fraud rule's entries (every piece × review/block × family) to `entries` and
/// returns their indices by [`slot`].
pub(super) fn fraud_entries(
    entries: &mut Vec<CompiledEntry>,
    model: Option<&Classifier>,
) -> Vec<u32> {
    let rule: Arc<str> = Arc::from("rule:fraud");
    let model_source: Arc<str> =
        Arc::from(format!("model:{}", model.map_or("fraud", |m| m.name())));
    let mut slots = vec![0u32; PIECES * 2 * FAMILIES];
    for piece in 0..PIECES {
        for block in [false, true] {
            for family in std::iter::once(None).chain(Family::ALL.map(Some)) {
                let (term, source) = match RULE_TERMS.get(piece) {
                    Some(term) => (*term, &rule),
                    None => (model.map_or("fraud", |m| m.name()), &model_source),
                };
                entries.push(CompiledEntry {
                    entry: Entry {
                        term: term.into(),
                        category: "fraud".into(),
                        subcategory: family.map(|f| f.as_str().into()),
                        action: if block { Action::Block } else { Action::Review },
                        line: 0,
                    },
                    source: Arc::clone(source),
                });
                slots[slot(piece, block, family)] = entries.len() as u32 - 1;
            }
        }
    }
    slots
}

impl Engine {
    /// The fraud rule on a text with off-platform contacts `found` and the fraud model's
    /// probability (with the scratch it scored in), when it reached `fraud_model_review`:
    /// the pieces that fired are reported as `fraud` hits when their weights reach review.
    /// A hotline (a 400/800 number or a landline) is an action off the platform too, though
    /// not a contact for the diversion rule: shops and offices print theirs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fraud_evidence<'e>(
        &'e self,
        text: &str,
        norm: &str,
        pos: &[Pos],
        found: &[Contact],
        model: Option<(f32, &ModelScratch)>,
        hits: &mut Vec<Hit<'e>>,
        span: &impl Fn(usize, usize) -> Option<(usize, usize)>,
    ) {
        let lookalike = found
            .iter()
            .find(|c| c.kind == ContactKind::Url && fraud::is_lookalike(&link_host(text, pos, c)));
        let hotline = fraud::hotline(norm).and_then(|(s, e)| span(s, e));
        let action = found.iter().any(|c| c.kind != ContactKind::Email) || hotline.is_some();
        if !action && model.is_none() {
            return;
        }
        let mut evidence = Evidence {
            action,
            lookalike: lookalike.is_some(),
            model: model.map(|m| m.0),
            ..Evidence::default()
        };
        let (mut brand, mut pretext) = (None, None);
        for (piece, s, e) in self.fraud.find(norm) {
            match piece {
                Piece::Brand(f) if brand.is_none() => {
                    brand = span(s, e);
                    evidence.brand = Some(f);
                }
                Piece::Pretext(f) if pretext.is_none() => {
                    pretext = span(s, e);
                    evidence.pretext = Some(f);
                }
                _ => {}
            }
        }
        let score = evidence.score(&self.policy);
        if score < self.policy.review_threshold {
            return;
        }
        let block = score >= self.policy.block_threshold;
        let family = evidence.family();
        // Sender and reason are evidence only beside an action (see `Evidence::score`).
        let (brand, pretext) = if evidence.action {
            (brand, pretext)
        } else {
            (None, None)
        };
        let look = lookalike.map(|c| (c.start, c.end - 1));
        for (piece, at) in [brand, pretext, look, hotline].into_iter().enumerate() {
            if let Some((i, last)) = at {
                let entry = self.fraud_entries[slot(piece, block, family)];
                let pattern = FRAUD_PATTERN - piece as u32;
                hits.push(self.term_hit(entry, pattern, pos, i, last));
            }
        }
        if let (Some((probability, scratch)), Some(classifier)) = (model, &self.fraud_model) {
            // The stretch that weighs most towards fraud, or the whole text.
            let (first, last) = classifier
                .localize(pos.len(), scratch)
                .unwrap_or((0, pos.len().saturating_sub(1)));
            if let (Some(a), Some(b)) = (pos.get(first), pos.get(last)) {
                let entry = self.fraud_entries[slot(RULE_TERMS.len(), block, family)];
                hits.push(Hit {
                    entry: &self.entries[entry as usize],
                    pattern: FRAUD_PATTERN - RULE_TERMS.len() as u32,
                    start: 0,
                    end: 0,
                    byte_start: a.orig_start as usize,
                    byte_end: b.orig_end as usize,
                    norm_start: first as u32,
                    norm_end: last as u32 + 1,
                    probability: Some(probability),
                    campaign: None,
                });
            }
        }
        hits.sort_by_key(|h| h.byte_start);
    }
}
