//! The compiled engine: lexicons folded into one automaton, and the scan that turns text
//! into hits with spans in the original.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use qinglang_text::{
    is_han, CharCounter, Normalized, Normalizer, Pos, GAP_BREAK, GAP_CLAUSE, GAP_COUNT,
};

use crate::contact::{self, Contact, ContactKind, DISGUISED_CONTACT_FAMILY};
use crate::fraud::{self, FraudMatcher};
use crate::lexicon::{Action, Combination, Entry, Lexicon, LexiconError, LexiconErrorKind};
use crate::model::{Classifier, ModelScratch};
use crate::near_dup::{Campaign, Signature};
use crate::policy::{Policy, PolicyError};
use crate::verdict::{self, Verdict};

mod combination;
mod evidence;
mod spam;

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A lexicon entry cannot be compiled (names the lexicon and line).
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    /// The policy is inconsistent.
    #[error("invalid policy: {0}")]
    Policy(#[from] PolicyError),
    /// The automaton could not be built (too many or too long terms).
    #[error("cannot build the matcher: {0}")]
    Automaton(String),
}

/// FNV-1a: the terms are short and trusted (they come from lexicon files), so the
/// DoS-resistant default hasher only costs compile time here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// One distinct normalised term, shared by every entry that normalises to it.
#[derive(Debug, Clone)]
struct Pattern {
    /// Indices into `Engine::entries`, strongest action first (block and review only).
    entries: Box<[u32]>,
    /// The `cue` entries of this form, matched by their own automaton.
    cues: Box<[u32]>,
    /// Only ASCII letters and digits: matches at word boundaries only.
    latin: bool,
    /// The combination entries this form is a part of (issue #25).
    parts: Box<[combination::PartRef]>,
    /// Parts found inside this form (`发票` inside `代开发票`): a longer match hides them
    /// from the leftmost-longest automaton, so a match of this form counts them too, as
    /// (the part's pattern, its first character, its length) in normalised characters.
    implied: Box<[(u32, u32, u32)]>,
    /// For a form that is only a combination part: the terms that are its proper prefixes
    /// (`我们` under the part `我们的`), which its longer match would hide.
    prefix_terms: Box<[(u32, u32)]>,
}

/// A compiled entry: the lexicon line plus the lexicon it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledEntry {
    pub(crate) entry: Entry,
    pub(crate) source: Arc<str>,
}

/// A term found in the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'e> {
    entry: &'e CompiledEntry,
    /// Index of the distinct normalised term (the same for `賭博` and `赌博`).
    pub pattern: u32,
    /// Span in the original text in Unicode scalar values, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The same span in UTF-8 bytes.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Span in normalised characters, for allow-entry containment.
    norm_start: u32,
    norm_end: u32,
    /// Calibrated probability, for hits of a trained model.
    probability: Option<f32>,
    /// The flood campaign, for hits of the near-duplicate check.
    campaign: Option<Campaign>,
}

impl<'e> Hit<'e> {
    /// The lexicon entry as written in its file.
    pub fn term(&self) -> &'e str {
        &self.entry.entry.term
    }

    pub fn category(&self) -> &'e str {
        &self.entry.entry.category
    }

    /// The family within the category (`phishing`, `task_scam`, `escort`, …), where the
    /// entry or the fraud rule names one.
    pub fn subcategory(&self) -> Option<&'e str> {
        self.entry.entry.subcategory.as_deref()
    }

    pub fn action(&self) -> Action {
        self.entry.entry.action
    }

    /// The lexicon (or rule) the entry came from.
    pub fn source(&self) -> &'e str {
        &self.entry.source
    }

    /// Line of the entry in its lexicon.
    pub fn line(&self) -> u32 {
        self.entry.entry.line
    }

    /// For a model's hit, its calibrated probability that the text is in the category.
    pub fn probability(&self) -> Option<f32> {
        self.probability
    }

    /// For a flood hit, the campaign the text was linked to (REV-7).
    pub fn campaign(&self) -> Option<Campaign> {
        self.campaign
    }

    /// Whether the hit judges the whole text (a model, a flood, the fraud rule's evidence)
    /// rather than a term in it: such hits are scored on their own, never diluted as prose.
    pub(crate) fn is_whole_text(&self) -> bool {
        self.probability.is_some() || self.campaign.is_some() || self.is_fraud_evidence()
    }

    /// Whether the contact rule (REV-6) reported the hit (its patterns are the top ones, one per kind).
    pub(crate) fn is_contact(&self) -> bool {
        self.pattern > u32::MAX - ContactKind::ALL.len() as u32
    }

    /// Whether the hit is a contact written so that a filter would miss it (`263613·cc`,
    /// `136乀7027乀0005`), or one on the messengers gambling and escort ads move to
    /// (Telegram, LINE): evidence that its text is evading review.
    pub(crate) fn is_evasive_contact(&self) -> bool {
        self.is_contact()
            && (self.subcategory() == Some(DISGUISED_CONTACT_FAMILY)
                || matches!(self.term(), "telegram" | "line"))
    }

    /// Whether the fraud rule (REV-11) reported the hit: one piece of its evidence, which
    /// weighed with the others into its action.
    pub(crate) fn is_fraud_evidence(&self) -> bool {
        evidence::is_fraud_pattern(self.pattern)
    }

    /// Whether the spam model (issue #19) reported the hit.
    pub(crate) fn is_spam_model(&self) -> bool {
        self.pattern == spam::SPAM_PATTERN
    }

    /// Whether a lexicon entry made the hit (not a rule, a model or the flood check, whose
    /// patterns are numbered down from `u32::MAX`).
    pub(crate) fn is_lexical(&self) -> bool {
        self.pattern < u32::MAX - 64
    }

    /// Length of the hit in normalised characters (`av` and `國產` are 2).
    pub(crate) fn norm_len(&self) -> u32 {
        self.norm_end - self.norm_start
    }

    /// The original text of the hit (the disguise as written).
    pub fn text<'t>(&self, original: &'t str) -> &'t str {
        original.get(self.byte_start..self.byte_end).unwrap_or("")
    }
}

/// Reusable buffers for scanning; keep one per thread to scan without allocating.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    norm: Normalized,
    model: ModelScratch,
    fraud_model: ModelScratch,
    spam_model: ModelScratch,
    /// Where combination parts occurred in the text being scanned.
    parts: Vec<combination::Occurrence>,
}

/// The compiled review engine. Immutable: rebuild and swap (`Arc<Engine>`) to change lexicons
/// or policy; scans in flight keep the engine they started with.
///
/// The compiled parts are shared (`Arc`): an engine with another classifier
/// ([`Engine::with_classifier`]) or policy ([`Engine::with_policy`]) shares the automata,
/// patterns and entries of the one it came from, so a model that learned from a moderator is
/// swapped in for the cost of a pointer copy.
#[derive(Clone)]
pub struct Engine {
    normalizer: Arc<Normalizer>,
    /// Block and review terms, leftmost-longest.
    automaton: Option<Arc<CharwiseDoubleArrayAhoCorasick<u32>>>,
    /// Allow terms, all matches (overlapping), consulted only when there are hits.
    allow_automaton: Option<Arc<CharwiseDoubleArrayAhoCorasick<u32>>>,
    /// Weak cues (SEO stuffing vocabulary), leftmost-longest. Their own automaton, so that a
    /// cue never hides a block term that starts inside it.
    cue_automaton: Option<Arc<CharwiseDoubleArrayAhoCorasick<u32>>>,
    /// Entries standing for the contact rules (REV-6), by `ContactKind` order: as written
    /// plainly, then disguised (family `disguised`).
    contact_entries: [[u32; ContactKind::ALL.len()]; 2],
    patterns: Arc<[Pattern]>,
    entries: Arc<[CompiledEntry]>,
    /// Two-ideograph words of ordinary Chinese (normalised pairs, sorted): a short term
    /// whose first character ends one and whose last begins another straddles two words.
    common_words: Arc<[u64]>,
    /// Combination entries (`A&B`, `A&B~N`, `A&!C`), their parts in the one automaton.
    combinations: Arc<[combination::Compiled]>,
    policy: Policy,
    /// The trained classifier, if any, and its review and block entries.
    classifier: Option<Arc<Classifier>>,
    model_entries: Vec<CompiledEntry>,
    /// The flood rule's review and block entries (REV-7).
    flood_entries: [u32; 2],
    /// Brands and pretexts of phishing (REV-11), and the fraud rule's entries by
    /// `FRAUD_TERMS` × (review, block).
    fraud: Arc<FraudMatcher>,
    fraud_entries: Arc<[u32]>,
    /// The trained fraud model, one piece of the fraud rule's evidence (REV-11).
    fraud_model: Option<Arc<Classifier>>,
    /// The trained spam model (issue #19) and its review and block entries.
    spam_model: Option<Arc<Classifier>>,
    spam_entries: Arc<[CompiledEntry]>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("patterns", &self.patterns.len())
            .field("entries", &self.entries.len())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Collects lexicons and a policy, then compiles them.
#[derive(Debug, Default)]
pub struct EngineBuilder {
    lexicons: Vec<Lexicon>,
    policy: Policy,
    normalizer: Option<Normalizer>,
    classifier: Option<Arc<Classifier>>,
    fraud_model: Option<Arc<Classifier>>,
    spam_model: Option<Arc<Classifier>>,
}

impl EngineBuilder {
    pub fn lexicon(mut self, lexicon: Lexicon) -> Self {
        self.lexicons.push(lexicon);
        self
    }

    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Adds a trained classifier whose hits join the verdict (`source: "model:<name>"`).
    pub fn classifier(mut self, classifier: Arc<Classifier>) -> Self {
        self.classifier = Some(classifier);
        self
    }

    /// Adds the trained fraud model: its finding is one piece of the fraud rule's evidence,
    /// weighed by `Policy::fraud_model_weight` (`source: "model:<name>"`, category `fraud`).
    pub fn fraud_model(mut self, model: Arc<Classifier>) -> Self {
        self.fraud_model = Some(model);
        self
    }

    /// Adds the trained spam model (issue #19): from `Policy::spam_model_review` its finding
    /// asks for review, from `Policy::spam_model_block` it blocks where the text's own words
    /// or contacts bear it out (`source: "model:<name>"`, the model's category).
    pub fn spam_model(mut self, model: Arc<Classifier>) -> Self {
        self.spam_model = Some(model);
        self
    }

    /// Reuses an existing normaliser (its tables take a millisecond to build).
    pub fn normalizer(mut self, normalizer: Normalizer) -> Self {
        self.normalizer = Some(normalizer);
        self
    }

    /// Compiles every term with the text pipeline into one leftmost-longest automaton.
    pub fn build(self) -> Result<Engine, BuildError> {
        self.policy.validate()?;
        let normalizer = self.normalizer.unwrap_or_default();
        let mut entries = Vec::new();
        // Every normalised form lives in one buffer; `keyed` holds (range, entry) pairs that
        // are sorted by form so equal forms group together without a hash map, and the
        // automaton is built from sorted input.
        let mut forms_buf = String::new();
        let mut keyed: Vec<(u32, u32, u32)> = Vec::new();
        let mut term_buf = String::new();
        let mut combinations: Vec<combination::Compiled> = Vec::new();
        let mut part_refs: Vec<combination::PartRef> = Vec::new();
        for lexicon in self.lexicons {
            let source: Arc<str> = lexicon.name().into();
            let (name, lexicon_entries) = lexicon.into_parts();
            entries.reserve(lexicon_entries.len());
            for entry in lexicon_entries {
                let line = entry.line;
                let parsed = Combination::parse(&entry.term).map_err(|kind| LexiconError {
                    lexicon: name.clone(),
                    line,
                    kind,
                })?;
                if let Some(parsed) = parsed {
                    let combo = combination::compile(
                        &parsed,
                        &entry,
                        entries.len() as u32,
                        combinations.len() as u32,
                        &normalizer,
                        &mut forms_buf,
                        &mut keyed,
                        &mut part_refs,
                    )
                    .map_err(|kind| LexiconError {
                        lexicon: name.clone(),
                        line,
                        kind,
                    })?;
                    combinations.push(combo);
                    entries.push(CompiledEntry {
                        entry,
                        source: source.clone(),
                    });
                    continue;
                }
                normalizer.normalize_text_into(&entry.term, &mut term_buf);
                if term_buf.is_empty() {
                    return Err(LexiconError {
                        lexicon: name,
                        line: entry.line,
                        kind: LexiconErrorKind::NothingToMatch(entry.term.to_string()),
                    }
                    .into());
                }
                let start = forms_buf.len() as u32;
                forms_buf.push_str(&term_buf);
                keyed.push((start, forms_buf.len() as u32, entries.len() as u32));
                entries.push(CompiledEntry {
                    entry,
                    source: source.clone(),
                });
            }
        }
        // Group entries by normalised form in first-appearance order (hashing is linear;
        // sorting 100k CJK strings cost a sizeable share of start-up).
        let form = |k: &(u32, u32, u32)| &forms_buf[k.0 as usize..k.1 as usize];
        let mut group_of: HashMap<&str, usize, BuildHasherDefault<Fnv>> =
            HashMap::with_capacity_and_hasher(keyed.len(), BuildHasherDefault::default());
        let mut groups: Vec<(&str, Vec<u32>)> = Vec::new();
        for k in &keyed {
            let f = form(k);
            let g = *group_of.entry(f).or_insert_with(|| {
                groups.push((f, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(k.2);
        }
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut match_forms: Vec<(&str, u32)> = Vec::new();
        let mut allow_forms: Vec<(&str, u32)> = Vec::new();
        let mut cue_forms: Vec<(&str, u32)> = Vec::new();
        let mut pattern_forms: Vec<&str> = Vec::new();
        for (text, mut ids) in groups {
            // Combination parts are keyed with a flag bit; the rest are entries.
            let parts: Vec<combination::PartRef> = ids
                .iter()
                .filter(|&&i| i & combination::PART != 0)
                .map(|&i| part_refs[(i & !combination::PART) as usize])
                .collect();
            ids.retain(|&i| i & combination::PART == 0);
            // Strongest first so that a term listed twice reports the block entry before
            // the review one; allow entries go to their own automaton.
            ids.sort_by_key(|&i| std::cmp::Reverse(entries[i as usize].entry.action));
            let allow = ids
                .iter()
                .any(|&i| entries[i as usize].entry.action == Action::Allow);
            let cues: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&i| entries[i as usize].entry.action == Action::Cue)
                .collect();
            ids.retain(|&i| {
                !matches!(
                    entries[i as usize].entry.action,
                    Action::Allow | Action::Cue
                )
            });
            let id = patterns.len() as u32;
            if !ids.is_empty() || !parts.is_empty() {
                match_forms.push((text, id));
            }
            if allow {
                allow_forms.push((text, id));
            }
            if !cues.is_empty() {
                cue_forms.push((text, id));
            }
            patterns.push(Pattern {
                entries: ids.into_boxed_slice(),
                cues: cues.into_boxed_slice(),
                latin: text.bytes().all(|b| b.is_ascii_alphanumeric()),
                parts: parts.into_boxed_slice(),
                implied: Box::new([]),
                prefix_terms: Box::new([]),
            });
            pattern_forms.push(text);
        }
        if !combinations.is_empty() {
            combination::imply_parts(&mut patterns, &pattern_forms)
                .map_err(|e| BuildError::Automaton(e.to_string()))?;
            // A part must not hide a term: the terms a parts-only form starts with.
            for (p, form) in pattern_forms.iter().enumerate() {
                if !patterns[p].entries.is_empty() || patterns[p].parts.is_empty() {
                    continue;
                }
                let prefixes: Vec<(u32, u32)> = form
                    .char_indices()
                    .enumerate()
                    .skip(1)
                    .filter_map(|(n, (cut, _))| {
                        group_of.get(&form[..cut]).map(|&q| (q as u32, n as u32))
                    })
                    .filter(|&(q, _)| !patterns[q as usize].entries.is_empty())
                    .collect();
                patterns[p].prefix_terms = prefixes.into_boxed_slice();
            }
            // Each combination reports through a pattern of its own, outside the automaton.
            for combo in &mut combinations {
                combo.pattern = patterns.len() as u32;
                patterns.push(Pattern {
                    entries: Box::new([combo.entry]),
                    cues: Box::new([]),
                    latin: false,
                    parts: Box::new([]),
                    implied: Box::new([]),
                    prefix_terms: Box::new([]),
                });
            }
        }
        let build = |forms: Vec<(&str, u32)>, kind: MatchKind| {
            if forms.is_empty() {
                return Ok(None);
            }
            CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(kind)
                .build_with_values(forms)
                .map(Some)
                .map_err(|e| BuildError::Automaton(e.to_string()))
        };
        let automaton = build(match_forms, MatchKind::LeftmostLongest)?;
        // The contact rules report like lexicon entries: term = kind, category `ad`, review.
        let rule: Arc<str> = Arc::from("rule:contact");
        let contact_entries = [None, Some(DISGUISED_CONTACT_FAMILY)].map(|family| {
            ContactKind::ALL.map(|kind| {
                entries.push(CompiledEntry {
                    entry: Entry {
                        term: kind.term().into(),
                        category: "ad".into(),
                        subcategory: family.map(Into::into),
                        action: Action::Review,
                        line: 0,
                    },
                    source: Arc::clone(&rule),
                });
                entries.len() as u32 - 1
            })
        });
        let flood_rule: Arc<str> = Arc::from("rule:flood");
        let flood_entries = [Action::Review, Action::Block].map(|action| {
            entries.push(CompiledEntry {
                entry: Entry {
                    term: "campaign".into(),
                    category: "spam".into(),
                    subcategory: None,
                    action,
                    line: 0,
                },
                source: Arc::clone(&flood_rule),
            });
            entries.len() as u32 - 1
        });
        let fraud_entries = evidence::fraud_entries(&mut entries, self.fraud_model.as_deref());
        let allow_automaton = build(allow_forms, MatchKind::Standard)?;
        let common_words = common_words(&normalizer);
        let cue_automaton = build(cue_forms, MatchKind::LeftmostLongest)?;
        let mut engine = Engine {
            normalizer: Arc::new(normalizer),
            automaton: automaton.map(Arc::new),
            allow_automaton: allow_automaton.map(Arc::new),
            cue_automaton: cue_automaton.map(Arc::new),
            contact_entries,
            patterns: patterns.into(),
            entries: entries.into(),
            common_words,
            combinations: combinations.into(),
            policy: self.policy,
            classifier: None,
            model_entries: Vec::new(),
            flood_entries,
            fraud: Arc::new(FraudMatcher::new()),
            fraud_entries: fraud_entries.into(),
            fraud_model: self.fraud_model,
            spam_entries: spam::spam_entries(self.spam_model.as_deref()).into(),
            spam_model: self.spam_model,
        };
        engine.set_classifier(self.classifier);
        Ok(engine)
    }
}

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// The trained fraud model in use, if any.
    pub fn fraud_model(&self) -> Option<&Arc<Classifier>> {
        self.fraud_model.as_ref()
    }

    /// The trained spam model in use, if any.
    pub fn spam_model(&self) -> Option<&Arc<Classifier>> {
        self.spam_model.as_ref()
    }

    /// The trained classifier in use, if any.
    pub fn classifier(&self) -> Option<&Arc<Classifier>> {
        self.classifier.as_ref()
    }

    /// The same engine with another classifier (or none): lexicons are not recompiled, so
    /// swapping in a model that learned from a moderator's decision costs a copy, not a build.
    pub fn with_classifier(&self, classifier: Option<Arc<Classifier>>) -> Engine {
        let mut engine = self.clone();
        engine.set_classifier(classifier);
        engine
    }

    /// The same engine without the fraud model (the fraud rule keeps its other evidence).
    pub fn without_fraud_model(&self) -> Engine {
        let mut engine = self.clone();
        engine.fraud_model = None;
        engine
    }

    /// The same engine without the spam model.
    pub fn without_spam_model(&self) -> Engine {
        let mut engine = self.clone();
        engine.spam_model = None;
        engine.spam_entries = Arc::from([]);
        engine
    }

    /// The same engine under another policy: thresholds only decide what the hits add up
    /// to, so nothing is recompiled (`qinglang eval --thresholds` scans once per threshold).
    pub fn with_policy(&self, policy: Policy) -> Result<Engine, PolicyError> {
        policy.validate()?;
        let mut engine = self.clone();
        engine.policy = policy;
        Ok(engine)
    }

    fn set_classifier(&mut self, classifier: Option<Arc<Classifier>>) {
        // The model's review and block entries, in that order; a discrimination model also
        // has them as `abuse`, for offensive text that names no group (see `model_hit`).
        self.model_entries = classifier
            .iter()
            .flat_map(|c| {
                let source: Arc<str> = Arc::from(format!("model:{}", c.name()));
                let mut categories = vec![c.category()];
                if c.category() == "discrimination" {
                    categories.push("abuse");
                }
                categories
                    .into_iter()
                    .flat_map(move |category| model_entries(c, category, &source))
            })
            .collect();
        self.classifier = classifier;
    }

    /// The near-duplicate fingerprint of the text last scanned with `scratch` (REV-7), or
    /// `None` when it is too short to fingerprint. Reuses the scan's normalised text.
    pub fn signature(&self, scratch: &Scratch) -> Option<Signature> {
        Signature::of_normalized(&scratch.text)
    }

    /// The verdict once the text is known to be a copy in a flood campaign the caller's
    /// policy acts on (it holds the cross-message state, REV-7): a `spam` hit over the whole
    /// text (`term: "campaign"`, `source: "rule:flood"`, review or `block`), decided again.
    pub fn with_campaign<'e>(
        &'e self,
        text: &str,
        verdict: Verdict<'e>,
        campaign: Campaign,
        block: bool,
    ) -> Verdict<'e> {
        let (byte_start, byte_end) = whole_text(text);
        let mut counter = CharCounter::new(text);
        let start = counter.char_offset(byte_start);
        let end = counter.char_offset(byte_end);
        let mut hits = verdict.hits;
        let at = hits.partition_point(|h| h.byte_start < byte_start);
        hits.insert(
            at,
            Hit {
                entry: &self.entries[self.flood_entries[usize::from(block)] as usize],
                pattern: u32::MAX - 16,
                start,
                end,
                byte_start,
                byte_end,
                norm_start: 0,
                norm_end: 0,
                probability: None,
                campaign: Some(campaign),
            },
        );
        verdict::decide(text, hits, &self.policy)
    }

    /// Number of lexicon entries compiled in (the built-in contact and flood rules, stored
    /// after them, are not lexicon entries).
    pub fn entry_count(&self) -> usize {
        self.contact_entries[0][0] as usize
    }

    /// Number of distinct normalised terms in the automaton.
    pub fn term_count(&self) -> usize {
        self.patterns.len()
    }

    /// Reviews one text.
    pub fn scan(&self, text: &str) -> Verdict<'_> {
        self.scan_with(text, &mut Scratch::default())
    }

    /// Reviews one text, reusing `scratch`'s buffers.
    pub fn scan_with(&self, text: &str, scratch: &mut Scratch) -> Verdict<'_> {
        let hits = self.find_hits(text, scratch);
        verdict::decide(text, hits, &self.policy)
    }

    /// All hits in `text`, in order, with original spans; no verdict.
    pub fn find_hits(&self, text: &str, scratch: &mut Scratch) -> Vec<Hit<'_>> {
        let mut hits = Vec::new();
        // Most texts hold no candidate at all: find that out on the folded text alone and
        // build the position map only for texts that need it.
        self.normalizer.normalize_text_into(text, &mut scratch.text);
        let terms = self.automaton.as_ref().is_some_and(|a| {
            if self.combinations.is_empty() {
                a.leftmost_find_iter(&scratch.text).next().is_some()
            } else {
                self.may_match(a, &scratch.text, &mut scratch.parts)
            }
        });
        let contacts = self.policy.detect_contacts
            && contact::may_contain(&scratch.text, text, self.normalizer.folder());
        // Cues decide only together (with block terms, which take the slow path anyway), or
        // one glued to a site code (`3044am永利`) or heading an institution's news (`必威2014级
        // 新生`): without terms, a text whose cues add up to
        // fewer than `cue_min_distinct` units, none touching a letter or digit, cannot be
        // stuffing. Ordinary text has a cue or two (日本, 亚洲): decided here, no map built.
        let cues = self.cue_automaton.as_ref().is_some_and(|a| {
            let folded = &scratch.text;
            let touches = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            let mut units = 0;
            a.leftmost_find_iter(folded).any(|m| {
                units += (folded[m.start()..m.end()].chars().count() / 2).min(3);
                let word = &folded[m.start()..m.end()];
                // A Latin cue touching letters or digits is part of a longer word.
                units >= self.policy.cue_min_distinct as usize
                    || (!word.starts_with(|c: char| c.is_ascii_alphanumeric())
                        && (touches(folded[..m.start()].chars().next_back())
                            || touches(folded[m.end()..].chars().next())))
                    || verdict::heads_an_institution(word, &folded[..m.start()], &folded[m.end()..])
            })
        });
        let model = match &self.classifier {
            Some(c) if !scratch.text.is_empty() && self.within_model_length(&scratch.text) => {
                let score = c.score_normalized(&scratch.text, &mut scratch.model);
                Some((c, score.probability)).filter(|m| m.1 >= self.policy.model_review)
            }
            _ => None,
        };
        let fraud_model = self
            .beside_classifier(
                self.fraud_model.as_deref(),
                self.policy.fraud_model_max_chars,
                &scratch.text,
                &scratch.model,
                &mut scratch.fraud_model,
            )
            .filter(|&p| p >= self.policy.fraud_model_review);
        let spam_model = self
            .beside_classifier(
                self.spam_model.as_deref(),
                self.policy.spam_model_max_chars,
                &scratch.text,
                &scratch.model,
                &mut scratch.spam_model,
            )
            .filter(|&p| p >= self.policy.spam_model_review);
        if !terms && !contacts && !cues && fraud_model.is_none() && spam_model.is_none() {
            let Some((classifier, probability)) = model else {
                return hits;
            };
            // Only the model has something to say: its span needs where two normalised
            // characters came from, not the whole position map.
            let chars = scratch.text.chars().count();
            let (first, last) = classifier
                .localize(chars, &scratch.model)
                .unwrap_or((0, chars.saturating_sub(1)));
            if let Some((byte_start, byte_end)) = self.normalizer.locate(text, first, last) {
                let bytes = (byte_start, byte_end);
                hits.push(self.model_hit(&scratch.text, probability, (first, last), bytes));
                set_char_offsets(text, &mut hits);
            }
            return hits;
        }
        self.normalizer.normalize_into(text, &mut scratch.norm);
        let norm = scratch.norm.as_str();
        let pos = scratch.norm.positions();
        let span = |s: usize, e: usize| -> Option<(usize, usize)> {
            let i = scratch.norm.index_of_byte(s)?;
            let j = if e == norm.len() {
                pos.len()
            } else {
                scratch.norm.index_of_byte(e)?
            };
            Some((i, j - 1))
        };
        let mut offset = 0usize;
        let has_combinations = !self.combinations.is_empty();
        scratch.parts.clear();
        if let Some(automaton) = self.automaton.as_ref().filter(|_| terms) {
            'restart: while offset < norm.len() {
                for m in automaton.leftmost_find_iter(&norm[offset..]) {
                    let (s, e) = (offset + m.start(), offset + m.end());
                    let Some((i, last)) = span(s, e) else {
                        // Matches always start and end on characters the normaliser wrote.
                        debug_assert!(false, "match {s}..{e} off the position map");
                        continue;
                    };
                    let mut found = Some((m.value(), i, last, e));
                    if !self.acceptable(m.value(), text, norm, pos, i, last) {
                        // The longest term failed its checks (a line break, too much noise, a
                        // word boundary); a shorter one from the same character may still hold.
                        found = None;
                        let mut end = e;
                        // Drop the failed match's last character and look again from `s`.
                        while let Some((cut, _)) = norm[s..end].char_indices().next_back() {
                            let Some(shorter) = automaton
                                .leftmost_find_iter(&norm[s..s + cut])
                                .next()
                                .filter(|x| x.start() == 0)
                            else {
                                break;
                            };
                            end = s + shorter.end();
                            let Some((_, l)) = span(s, end) else { break };
                            if self.acceptable(shorter.value(), text, norm, pos, i, l) {
                                found = Some((shorter.value(), i, l, end));
                                break;
                            }
                        }
                    }
                    let Some((value, i, last, end)) = found else {
                        let step = norm[s..].chars().next().map_or(1, char::len_utf8);
                        offset = s + step;
                        continue 'restart;
                    };
                    for &entry in self.patterns[value as usize].entries.iter() {
                        hits.push(self.term_hit(entry, value, pos, i, last));
                    }
                    if has_combinations {
                        let pattern = &self.patterns[value as usize];
                        self.note_parts(value, i, last, &mut scratch.parts);
                        if pattern.entries.is_empty() {
                            // Only a part: the terms it starts with, and (from the next
                            // character on) those that start inside it, are still found.
                            for &(q, len) in pattern.prefix_terms.iter() {
                                let len = len as usize;
                                if self.acceptable(q, text, norm, pos, i, i + len - 1) {
                                    for &entry in self.patterns[q as usize].entries.iter() {
                                        hits.push(self.term_hit(entry, q, pos, i, i + len - 1));
                                    }
                                }
                            }
                            let step = norm[s..].chars().next().map_or(1, char::len_utf8);
                            offset = s + step;
                            continue 'restart;
                        }
                    }
                    if end != e {
                        offset = end;
                        continue 'restart;
                    }
                }
                break;
            }
        }
        // Cues are evidence beside a term too (a keyword run with one block term among
        // cue items), however few, and beside a contact (one sells beside a disguised link:
        // `竟彩足球 TG：…`): once the map is built, they are looked for.
        if let Some(automaton) = self
            .cue_automaton
            .as_ref()
            .filter(|_| cues || terms || contacts || spam_model.is_some())
        {
            let before = hits.len();
            for m in automaton.leftmost_find_iter(norm) {
                let Some((i, last)) = span(m.start(), m.end()) else {
                    continue;
                };
                // A cue is a word of a keyword run as written: nothing between its characters,
                // so that it never joins two items (`欧美-日韩` is two cues, not 欧美日韩).
                if pos[i + 1..=last].iter().any(|p| p.gap != 0)
                    || !self.acceptable(m.value(), text, norm, pos, i, last)
                {
                    continue;
                }
                for &entry in self.patterns[m.value() as usize].cues.iter() {
                    hits.push(self.term_hit(entry, m.value(), pos, i, last));
                }
            }
            if before > 0 && hits.len() > before {
                hits.sort_by_key(|h| h.byte_start);
            }
        }
        if !scratch.parts.is_empty() {
            let before = hits.len();
            self.combination_hits(text, pos, &mut scratch.parts, &mut hits);
            if hits.len() > before {
                hits.sort_by_key(|h| h.byte_start);
            }
        }
        if !hits.is_empty() {
            self.apply_allow(text, norm, pos, &mut hits, span);
        }
        let mut found = Vec::new();
        if contacts {
            contact::find(text, norm, pos, &mut found);
            // A link to a bank's, carrier's or platform's own site is not diversion.
            found.retain(|c| {
                c.kind != ContactKind::Url || !fraud::is_official(&link_host(text, pos, c))
            });
        }
        if contacts || fraud_model.is_some() {
            let model = fraud_model.map(|p| (p, &scratch.fraud_model));
            self.fraud_evidence(text, norm, pos, &found, model, &mut hits, &span);
        }
        if contacts {
            for c in found {
                let index = c.kind as usize;
                hits.push(Hit {
                    entry: &self.entries
                        [self.contact_entries[usize::from(c.disguised)][index] as usize],
                    pattern: u32::MAX - index as u32,
                    start: 0,
                    end: 0,
                    byte_start: pos[c.start].orig_start as usize,
                    byte_end: pos[c.end - 1].orig_end as usize,
                    norm_start: c.start as u32,
                    norm_end: c.end as u32,
                    probability: None,
                    campaign: None,
                });
            }
            hits.sort_by_key(|h| h.byte_start);
        }
        if let Some(probability) = spam_model {
            let block = probability >= self.policy.spam_model_block
                && spam::borne_out(&hits, text, probability);
            hits.push(self.spam_hit(text, probability, block));
            hits.sort_by_key(|h| h.byte_start);
        }
        if let Some((classifier, probability)) = model {
            // The whole text was scored; point at the stretch that weighs most towards the
            // category, or at all of it when no single stretch does.
            // The fold pass and the mapped pass write the same characters, so the n-grams
            // scored on the former index the latter's positions.
            debug_assert_eq!(norm, scratch.text);
            let (first, last) = classifier
                .localize(pos.len(), &scratch.model)
                .unwrap_or((0, pos.len().saturating_sub(1)));
            if let (Some(a), Some(b)) = (pos.get(first), pos.get(last)) {
                let bytes = (a.orig_start as usize, b.orig_end as usize);
                hits.push(self.model_hit(norm, probability, (first, last), bytes));
                hits.sort_by_key(|h| h.byte_start);
            }
        }
        set_char_offsets(text, &mut hits);
        hits
    }

    /// A lexicon entry's hit on normalised characters `i..=last` (character offsets are
    /// filled in once all hits are known).
    fn term_hit(&self, entry: u32, pattern: u32, pos: &[Pos], i: usize, last: usize) -> Hit<'_> {
        Hit {
            entry: &self.entries[entry as usize],
            pattern,
            start: 0,
            end: 0,
            byte_start: pos[i].orig_start as usize,
            byte_end: pos[last].orig_end as usize,
            norm_start: i as u32,
            norm_end: last as u32 + 1,
            probability: None,
            campaign: None,
        }
    }

    /// The classifier's hit: normalised characters `first..=last`, original bytes `bytes`;
    /// `block` or `review` by the policy's thresholds.
    /// A discrimination model's finding on a normalised text `norm` that names no group of
    /// people is plain abuse (`你这个废物`), and is labelled so.
    fn model_hit(
        &self,
        norm: &str,
        probability: f32,
        (first, last): (usize, usize),
        bytes: (usize, usize),
    ) -> Hit<'_> {
        let block = self.policy.model_block.is_some_and(|b| probability >= b);
        let plain = self.model_entries.len() == 4 && !names_a_group(norm);
        Hit {
            entry: &self.model_entries[usize::from(block) + 2 * usize::from(plain)],
            pattern: u32::MAX - 8,
            start: 0,
            end: 0,
            byte_start: bytes.0,
            byte_end: bytes.1,
            norm_start: first as u32,
            norm_end: last as u32 + 1,
            probability: Some(probability),
            campaign: None,
        }
    }

    /// `model`'s probability for the normalised text `norm`, scored into `own`, when there is
    /// a model and `norm` has 1 to `max_chars` characters. The abuse classifier has just
    /// hashed the same text into `classifier_scratch` (when it judged it): its n-grams are
    /// this model's too when the features agree, so the text is not hashed twice.
    fn beside_classifier(
        &self,
        model: Option<&Classifier>,
        max_chars: u32,
        norm: &str,
        classifier_scratch: &ModelScratch,
        own: &mut ModelScratch,
    ) -> Option<f32> {
        let model = model.filter(|_| !norm.is_empty() && at_most_chars(norm, max_chars))?;
        let score = self
            .classifier
            .as_ref()
            .filter(|_| self.within_model_length(norm))
            .and_then(|c| model.score_narrowed(c.spec(), classifier_scratch, own))
            .unwrap_or_else(|| model.score_normalized(norm, own));
        Some(score.probability)
    }

    /// Whether the model should judge a text this long (`Policy::model_max_chars`).
    fn within_model_length(&self, norm: &str) -> bool {
        at_most_chars(norm, self.policy.model_max_chars)
    }

    /// Whether a candidate match may be reported: no line break inside, clause punctuation
    /// only next to a character that stands alone between clause marks ([`stands_alone`]), at most `max_noise_gap` noise characters between two characters, and for
    /// Latin-only terms word boundaries and either no noise or noise between every letter
    /// (`s e x`, not `S ex-wife`).
    fn acceptable(
        &self,
        pattern: u32,
        text: &str,
        norm: &str,
        pos: &[Pos],
        i: usize,
        last: usize,
    ) -> bool {
        let inner = &pos[i + 1..=last];
        let gaps_ok = (i + 1..=last).all(|k| {
            let gap = pos[k].gap;
            gap != GAP_BREAK
                && gap & GAP_COUNT <= self.policy.max_noise_gap
                && (gap & GAP_CLAUSE == 0
                    || (last == i + 1 && !prose_mark(text, pos, k))
                    || stands_alone(pos, k - 1)
                    || stands_alone(pos, k))
        });
        if !gaps_ok {
            return false;
        }
        if !self.patterns[pattern as usize].latin {
            return !self.straddles_words(norm, pos, i, last);
        }
        let spaced = inner.iter().filter(|p| p.gap > 0).count();
        (spaced == 0 || spaced == inner.len())
            && is_boundary(text, norm, pos, i, Side::Before)
            && is_boundary(text, norm, pos, last, Side::After)
    }

    /// Whether a two-character term written without disguise is the end of one ordinary word
    /// and the start of the next (`前面路口交通拥堵`: 路口|交通 holds 口交), which is how prose
    /// produces it by chance. A disguised term (noise inside or around it) is meant.
    fn straddles_words(&self, norm: &str, pos: &[Pos], i: usize, last: usize) -> bool {
        if last != i + 1 || i == 0 || last + 1 >= pos.len() {
            return false;
        }
        if pos[i].gap != 0 || pos[last].gap != 0 || pos[last + 1].gap != 0 {
            return false;
        }
        let at = |k: usize| {
            norm[pos[k].norm_byte as usize..]
                .chars()
                .next()
                .unwrap_or(' ')
        };
        let word = |a: char, b: char| self.common_words.binary_search(&pair(a, b)).is_ok();
        word(at(i - 1), at(i)) && word(at(last), at(last + 1))
    }

    /// Drops hits that lie inside a matched allow term (DESIGN.md: allow `三黄片` keeps
    /// `黄片` in `三黄片黄片` from hitting at 0–3 but not at 3–5). Terms that merely overlap
    /// an allow term are still reported.
    fn apply_allow(
        &self,
        text: &str,
        norm: &str,
        pos: &[Pos],
        hits: &mut Vec<Hit<'_>>,
        span: impl Fn(usize, usize) -> Option<(usize, usize)>,
    ) {
        let Some(allow) = &self.allow_automaton else {
            return;
        };
        let mut allowed: Vec<(u32, u32)> = Vec::new();
        for m in allow.find_overlapping_iter(norm) {
            if let Some((i, last)) = span(m.start(), m.end()) {
                if self.acceptable(m.value(), text, norm, pos, i, last) {
                    allowed.push((i as u32, last as u32 + 1));
                }
            }
        }
        if !allowed.is_empty() {
            hits.retain(|h| {
                !allowed
                    .iter()
                    .any(|&(a, b)| a <= h.norm_start && h.norm_end <= b)
            });
        }
    }
}

/// Whether normalised character `j` stands alone between clause marks (or the ends of the
/// text): `加我看黄，色，视，频`. Prose puts clause punctuation between words, so a term may
/// cross a comma only where one side of it is a single character, or where it is a
/// two-character term split by anything but prose's own `，` `。` (`想约！炮的加我`, see
/// [`prose_mark`]): that is how a spammer splits a term to get past filters that stop at
/// punctuation.
#[inline]
fn stands_alone(pos: &[Pos], j: usize) -> bool {
    // GAP_BREAK has the clause bit set: a line's edge is a clause's edge.
    let before = j == 0 || pos[j].gap & GAP_CLAUSE != 0;
    let after = j + 1 >= pos.len() || pos[j + 1].gap & GAP_CLAUSE != 0;
    before && after
}

/// Whether the clause punctuation before normalised character `k` includes the marks of
/// written prose, `，` or `。` (`1988年11月15日，他于伦敦病逝` must not read 日他); a spammer
/// splitting a two-character term reaches for `！` `、` `,` and their kin as often.
fn prose_mark(text: &str, pos: &[Pos], k: usize) -> bool {
    text.get(pos[k - 1].orig_end as usize..pos[k].orig_start as usize)
        .is_some_and(|between| between.contains(['，', '。']))
}

/// The shipped word list (`data/common-words.txt`, from jieba's MIT dictionary), normalised
/// like the text, as sorted character pairs.
fn common_words(normalizer: &Normalizer) -> Arc<[u64]> {
    let mut form = String::new();
    let mut words: Vec<u64> = COMMON_WORDS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|word| {
            normalizer.normalize_text_into(word, &mut form);
            let mut chars = form.chars();
            match (chars.next(), chars.next(), chars.next()) {
                (Some(a), Some(b), None) => Some(pair(a, b)),
                _ => None,
            }
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    words.into()
}

const COMMON_WORDS: &str = include_str!("../../data/common-words.txt");

fn pair(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Words that name a group of people by region, ethnicity, race, religion, sex or sexuality
/// (normalised: simplified, lower case): COLD's offensive comments, which the shipped model
/// learned, attack such groups (92% of COLD dev's offensive comments name one of these);
/// one that names none is an insult, not discrimination.
const GROUP_WORDS: &[&str] = &[
    "男",
    "女",
    "黑人",
    "白人",
    "黄种人",
    "黄皮",
    "老外",
    "外国人",
    "中国人",
    "日本人",
    "韩国人",
    "美国人",
    "印度人",
    "非洲人",
    "洋人",
    "亚裔",
    "白左",
    "黑命",
    "河南",
    "东北",
    "上海",
    "北京",
    "广东",
    "新疆",
    "西藏",
    "四川",
    "湖南",
    "湖北",
    "山东",
    "江苏",
    "浙江",
    "福建",
    "江西",
    "安徽",
    "河北",
    "山西",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "内蒙",
    "辽宁",
    "吉林",
    "黑龙江",
    "广西",
    "云南",
    "贵州",
    "海南",
    "重庆",
    "天津",
    "台湾",
    "香港",
    "澳门",
    "民族",
    "种族",
    "汉族",
    "回族",
    "维族",
    "藏族",
    "基佬",
    "同性恋",
    "同志",
    "穆斯林",
    "绿绿",
    "黑鬼",
    "鬼子",
    "阿三",
    "棒子",
    "支那",
    "蝗虫",
    "乡巴佬",
    "农村",
    "外地",
    "南方",
    "北方",
    "地域",
    "拳",
    "默",
];

fn names_a_group(norm: &str) -> bool {
    GROUP_WORDS.iter().any(|w| norm.contains(w))
}

/// The host of a link contact, from the original text.
fn link_host(text: &str, pos: &[Pos], c: &Contact) -> String {
    let (a, b) = (
        pos[c.start].orig_start as usize,
        pos[c.end - 1].orig_end as usize,
    );
    fraud::host_of(text.get(a..b).unwrap_or(""))
}

/// Fills in the hits' character offsets from their byte offsets. Hits are ordered by start;
/// entries sharing a span repeat it, which the counter handles by stepping back a little.
fn set_char_offsets(text: &str, hits: &mut [Hit<'_>]) {
    let mut counter = CharCounter::new(text);
    for hit in hits {
        hit.start = counter.char_offset(hit.byte_start);
        hit.end = counter.char_offset(hit.byte_end);
    }
}

#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

/// Whether a Latin-only term ending (or starting) at normalised index `at` stands at a word
/// boundary: no Latin letter or digit touches it without a space or symbol in between.
/// A neighbour that was an ideograph before folding (`三` → `3`) is not part of a word.
fn is_boundary(text: &str, norm: &str, pos: &[Pos], at: usize, side: Side) -> bool {
    let (neighbour, gap) = match side {
        Side::Before if at == 0 => return true,
        Side::Before => (at - 1, pos[at].gap),
        Side::After if at + 1 >= pos.len() => return true,
        Side::After => (at + 1, pos[at + 1].gap),
    };
    if gap > 0 {
        return true;
    }
    let p = pos[neighbour];
    let folded = norm[p.norm_byte as usize..].chars().next().unwrap_or(' ');
    let original = text[p.orig_start as usize..].chars().next().unwrap_or(' ');
    !folded.is_ascii_alphanumeric() || is_han(original)
}

/// Whether `text` has at most `max` characters. A character is at least one byte: most texts
/// are decided without counting.
fn at_most_chars(text: &str, max: u32) -> bool {
    let max = max as usize;
    text.len() <= max || text.chars().nth(max).is_none()
}

/// The byte span of the whole of `text` without surrounding whitespace: where a hit that
/// judges the whole text (a flood, the spam model) stands.
fn whole_text(text: &str) -> (usize, usize) {
    let byte_start = text.len() - text.trim_start().len();
    (byte_start, text.trim_end().len().max(byte_start))
}

/// A trained model's review and block entries, in that order, under `category`.
fn model_entries(model: &Classifier, category: &str, source: &Arc<str>) -> [CompiledEntry; 2] {
    [Action::Review, Action::Block].map(|action| CompiledEntry {
        entry: Entry {
            term: model.name().into(),
            category: category.into(),
            subcategory: None,
            action,
            line: 0,
        },
        source: Arc::clone(source),
    })
}
