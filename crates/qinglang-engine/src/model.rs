//! The trained text classifier (REV-2 `discrimination` / `abuse`, REV-9 learning).
//!
//! A linear model over hashed character n-grams of the **normalised** text: the classifier
//! reads exactly what the matcher reads, so `賭 * 博`-style disguises reach it already folded.
//! Features are binary (an n-gram is present or not); the weights of a Naive-Bayes-scaled
//! logistic regression (NB-LR, Wang & Manning 2012) are folded into one table, so a score is
//! `bias + Σ level(table[bucket])` over the distinct buckets of the text (one byte per
//! bucket, a code into a log-scale codebook): a few hundred table
//! look-ups for a 100-character message, no allocation once the scratch buffer has grown.
//! A Platt scaling fitted on held-out data turns the score into a calibrated probability.
//!
//! Learning from moderators (REV-9) nudges the same table: a passive-aggressive step moves
//! a confirmed violation above, or a confirmed false positive below, a safe margin, and so
//! moves texts that share its n-grams the same way. The step is shared out by how little the
//! training data says about each n-gram (its *support*, the number of training texts that
//! had it): a phrase particular to the text moves, an n-gram thousands of training texts
//! vouched for barely does, so a few hundred decisions cannot drag every text with them.
//! The shipped model stays untouched; a deployment replays its learned examples onto a copy.

use std::sync::Arc;

use qinglang_text::Normalizer;

/// Longest n-gram a model may use.
pub const MAX_NGRAM: usize = 5;

/// Version 2 stores each weight's support after it; version 1 files (no support) still load.
const MAGIC: &[u8; 8] = b"QLMODEL2";
const MAGIC_V1: &[u8; 8] = b"QLMODEL1";

/// How many training texts' worth of evidence one moderator's decision outweighs: an n-gram
/// seen in `d` training texts takes `1 / (1 + d / DECISION_WEIGHT)` of a learning step's
/// share, relative to one the training data never saw. Chosen on COLD dev with the first
/// support-weighted step (the moderator loop in `models/README.md`: 3, 10 and 30 kept 0.900,
/// 0.905 and 0.904 of unseen dev texts, the model alone).
const DECISION_WEIGHT: f32 = 10.0;

/// Why a model file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a qinglang model file (bad magic bytes)")]
    Magic,
    #[error("model file truncated at byte {0}")]
    Truncated(usize),
    #[error("{0}")]
    Invalid(String),
}

/// What a moderator confirmed about a text (REV-9). Named after Rspamd's learn-spam /
/// learn-ham.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// A confirmed violation.
    Spam,
    /// A confirmed false positive: the text is fine.
    Ham,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Spam => "spam",
            Label::Ham => "ham",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s {
            "spam" => Some(Label::Spam),
            "ham" => Some(Label::Ham),
            _ => None,
        }
    }
}

/// How the text becomes features: n-gram lengths, table size and hash seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// log2 of the table size.
    pub bits: u8,
    pub min_n: u8,
    pub max_n: u8,
    pub seed: u64,
}

impl FeatureSpec {
    fn validate(&self) -> Result<(), ModelError> {
        if !(8..=24).contains(&self.bits) {
            return Err(ModelError::Invalid(format!(
                "bits must be 8..=24, got {}",
                self.bits
            )));
        }
        if self.min_n == 0 || self.min_n > self.max_n || usize::from(self.max_n) > MAX_NGRAM {
            return Err(ModelError::Invalid(format!(
                "n-gram range {}..={} must lie within 1..={MAX_NGRAM}",
                self.min_n, self.max_n
            )));
        }
        Ok(())
    }

    /// Calls `f(bucket, last_char_index)` for every n-gram of `norm`: for each character,
    /// the n-grams ending there by increasing length.
    #[inline(always)]
    pub(crate) fn for_each_ngram(&self, norm: &str, mut f: impl FnMut(u32, usize)) {
        let shift = 64 - u32::from(self.bits);
        let (min_n, max_n) = (usize::from(self.min_n), usize::from(self.max_n));
        let start = self.chain_start();
        if (min_n, max_n) == (1, 3) {
            // The shipped shape, unrolled: the same hashes as the general loop below.
            let (mut p1, mut p2) = (0u32, 0u32);
            for (i, c) in norm.chars().enumerate() {
                let h1 = chain_step(start, c as u32);
                f((h1 >> shift) as u32, i);
                if i >= 1 {
                    let h2 = chain_step(h1.rotate_left(23), p1);
                    f((h2 >> shift) as u32, i);
                    if i >= 2 {
                        f((chain_step(h2.rotate_left(23), p2) >> shift) as u32, i);
                    }
                }
                p2 = p1;
                p1 = c as u32;
            }
            return;
        }
        // The previous characters, most recent first; a small array the compiler keeps in
        // registers.
        let mut previous = [0u32; MAX_NGRAM - 1];
        for (i, c) in norm.chars().enumerate() {
            // Hash backwards from the current character: the chain after k steps is the
            // hash of the k-gram ending here, so every length costs one step. The top bits
            // of a multiplicative hash are well mixed (Fibonacci hashing).
            let mut h = chain_step(start, c as u32);
            if min_n == 1 {
                f((h >> shift) as u32, i);
            }
            for (k, &p) in previous.iter().enumerate().take(max_n.min(i + 1) - 1) {
                h = chain_step(h.rotate_left(23), p);
                if k + 2 >= min_n {
                    f((h >> shift) as u32, i);
                }
            }
            previous.copy_within(..MAX_NGRAM - 2, 1);
            previous[0] = c as u32;
        }
    }

    /// Where every n-gram's hash chain starts (depends on the seed only).
    fn chain_start(&self) -> u64 {
        (self.seed ^ 0x51_6c_69_6e_67_6c_61_6e).rotate_left(23)
    }

    /// Appends the bucket of every n-gram of `norm` to `out` (with repeats, in text order).
    pub(crate) fn ngrams(&self, norm: &str, out: &mut Vec<u32>) {
        self.for_each_ngram(norm, |b, _| out.push(b));
    }

    /// The distinct buckets of `norm`, sorted.
    pub(crate) fn features(&self, norm: &str, out: &mut Vec<u32>) {
        out.clear();
        self.ngrams(norm, out);
        out.sort_unstable();
        out.dedup();
    }
}

/// One step of an n-gram's hash chain: the chain so far (rotated for every step after the
/// first) takes in one more character.
#[inline(always)]
fn chain_step(h: u64, c: u32) -> u64 {
    (h ^ u64::from(c)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Where the n-gram at position `k` of [`FeatureSpec::ngrams`]' output lies: for each
/// character `i`, the n-grams ending there by increasing length, so the first `max_n - 1`
/// characters have fewer and every later one has the same number.
#[derive(Clone, Copy)]
struct NgramLayout {
    min_n: usize,
    max_n: usize,
    /// N-grams ending on each character from `max_n - 1` on.
    per_char: usize,
    /// N-grams ending on the first `max_n - 1` characters.
    head: usize,
}

impl NgramLayout {
    fn new(spec: FeatureSpec) -> NgramLayout {
        let (min_n, max_n) = (usize::from(spec.min_n), usize::from(spec.max_n));
        let head = (0..max_n - 1).map(|i| (i + 2).saturating_sub(min_n)).sum();
        NgramLayout {
            min_n,
            max_n,
            per_char: max_n + 1 - min_n,
            head,
        }
    }

    /// The span (first, last character) of the `k`-th n-gram.
    fn span(self, k: usize) -> (usize, usize) {
        let (i, rank) = if k >= self.head {
            let rest = k - self.head;
            (self.max_n - 1 + rest / self.per_char, rest % self.per_char)
        } else {
            // Short head: walk it (at most MAX_NGRAM - 1 characters).
            let (mut i, mut rest): (usize, usize) = (0, k);
            loop {
                let here = (i + 2).saturating_sub(self.min_n);
                if rest < here {
                    break (i, rest);
                }
                rest -= here;
                i += 1;
            }
        };
        let n = self.min_n + rank;
        (i + 1 - n, i)
    }
}

/// Reusable buffers for scoring and localising; one per thread (inside the engine's
/// `Scratch`), so that steady-state scoring allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct ModelScratch {
    /// Open-addressing set of the buckets seen in the current text, each slot
    /// `stamp << bits | bucket`: stamping each text avoids clearing the set between texts,
    /// and 32-bit slots sized by the text's n-gram count keep it a few KiB, in L1 next to
    /// the matcher's working set.
    seen: Vec<u32>,
    stamp: u32,
    /// The bucket width the slots were written with: a scratch used with another model
    /// starts afresh, so no old slot reads as a current one, nor (a wider model's slot, above
    /// any narrower base) as occupied for good, which would leave `insert` probing forever.
    bits: u8,
    /// The weight codes of the last scored text's n-grams, in text order.
    weights: Vec<i8>,
    /// The buckets of the last scored text's n-grams, in text order.
    buckets: Vec<u32>,
}

impl ModelScratch {
    /// Prepares the set for a text of `ngrams` n-grams, buckets of `bits` bits; returns
    /// the probe mask.
    fn begin(&mut self, ngrams: usize, bits: u8) -> usize {
        // At most half full, so probe runs stay short.
        let want = (ngrams * 2).next_power_of_two().max(64);
        // `bits` is at most 24 (FeatureSpec::validate): at least 255 stamps per clearing.
        let last_stamp = (1u32 << (32 - u32::from(bits))) - 1;
        self.stamp += 1;
        if self.seen.len() < want || self.stamp > last_stamp || self.bits != bits {
            let len = want.max(self.seen.len());
            self.seen.clear();
            self.seen.resize(len, 0);
            self.stamp = 1;
            self.bits = bits;
        }
        // Only the prefix a text needs: a short text after a long one stays in L1.
        want - 1
    }
}

/// Whether `bucket` is new in the current text (and records it).
#[inline(always)]
fn insert(seen: &mut [u32], stamp: u32, bits: u32, bucket: u32, mask: usize) -> bool {
    // Stamps only grow until the set is cleared, so a slot below this text's first tag is
    // empty or left by an earlier text: one comparison, no shift.
    let base = stamp << bits;
    let tag = base | bucket;
    // A bucket is already the top bits of a multiplicative hash: its low bits index the
    // set as they are.
    let mut i = bucket as usize & mask;
    loop {
        let slot = seen[i];
        if slot == tag {
            return false;
        }
        if slot < base {
            seen[i] = tag;
            return true;
        }
        i = (i + 1) & mask;
    }
}

#[inline]
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// A trained classifier: one category, one weight table.
#[derive(Clone, PartialEq)]
pub struct Classifier {
    name: Arc<str>,
    category: Arc<str>,
    spec: FeatureSpec,
    bias: f32,
    /// Platt scaling: probability = sigmoid(calib_a · score + calib_b).
    calib_a: f32,
    calib_b: f32,
    /// One byte per bucket: a code into [`Codebook`]. The table is read at random, a few
    /// hundred times per message, next to the lexicon automaton; at a byte an entry it is a
    /// quarter of f32 (1 MiB at 2^20), so far more of it stays in cache.
    table: Box<[i8]>,
    /// The process-wide [`CODEBOOK`], held by reference so the hot loop has it at hand.
    codebook: &'static Codebook,
    /// Per bucket, how many training texts had an n-gram that falls in it, as a
    /// [`support_code`]; only learning reads it. Shared: a learning copy never changes it.
    /// `None` for a model that carries no support (version 1 files, [`Classifier::from_parts`],
    /// or one whose every bucket is unsupported): learning then shares a step evenly, and no
    /// 2^bits table is held for nothing.
    support: Option<Arc<[u8]>>,
    /// Examples learned on top of the shipped weights (REV-9).
    learned: usize,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("name", &self.name)
            .field("category", &self.category)
            .field("spec", &self.spec)
            .field("learned", &self.learned)
            .finish_non_exhaustive()
    }
}

/// A classifier's opinion of one text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Calibrated probability that the text belongs to the category.
    pub probability: f32,
    /// The raw linear score (before calibration).
    pub logit: f32,
}

impl Classifier {
    /// Assembles a classifier from trained parts; `table` must have `2^bits` entries.
    pub fn from_parts(
        name: &str,
        category: &str,
        spec: FeatureSpec,
        bias: f32,
        calibration: (f32, f32),
        table: Vec<f32>,
    ) -> Result<Classifier, ModelError> {
        spec.validate()?;
        if table.len() != 1 << spec.bits {
            return Err(ModelError::Invalid(format!(
                "table has {} entries, 2^{} expected",
                table.len(),
                spec.bits
            )));
        }
        let table: Box<[i8]> = table.iter().map(|&w| CODEBOOK.encode(w)).collect();
        Classifier::from_codes(name, category, spec, bias, calibration, table, None)
    }

    /// Assembles a classifier from a table already held as codebook codes and its
    /// [`support_code`]s, if any; both have `2^bits` entries (the callers check it).
    fn from_codes(
        name: &str,
        category: &str,
        spec: FeatureSpec,
        bias: f32,
        (calib_a, calib_b): (f32, f32),
        table: Box<[i8]>,
        support: Option<Arc<[u8]>>,
    ) -> Result<Classifier, ModelError> {
        check_name("name", name)?;
        check_name("category", category)?;
        Ok(Classifier {
            name: name.into(),
            category: category.into(),
            spec,
            bias,
            calib_a,
            calib_b,
            codebook: &CODEBOOK,
            support,
            table,
            learned: 0,
        })
    }

    /// Records, per bucket, how many training texts had it (see [`Classifier::learn`]).
    pub(crate) fn set_support(&mut self, texts_per_bucket: &[u32]) {
        assert_eq!(
            texts_per_bucket.len(),
            self.table.len(),
            "one count per bucket"
        );
        let codes: Arc<[u8]> = texts_per_bucket.iter().map(|&d| support_code(d)).collect();
        self.support = codes.iter().any(|&c| c != 0).then_some(codes);
    }

    /// A bucket's [`support_code`] (0 where the model carries none).
    #[inline]
    fn support_of(&self, bucket: u32) -> u8 {
        self.support.as_ref().map_or(0, |s| s[bucket as usize])
    }

    pub(crate) fn set_calibration(&mut self, (a, b): (f32, f32)) {
        self.calib_a = a;
        self.calib_b = b;
    }

    /// The model's name; its hits report `source: "model:<name>"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The category its hits carry.
    pub fn category(&self) -> &str {
        &self.category
    }

    pub fn spec(&self) -> FeatureSpec {
        self.spec
    }

    /// Number of examples learned on top of the shipped weights.
    pub fn learned(&self) -> usize {
        self.learned
    }

    /// A bucket's weight (the tests read single weights; scoring decodes codes inline).
    #[cfg(test)]
    fn weight(&self, bucket: u32) -> f32 {
        self.codebook.weight(self.table[bucket as usize])
    }

    /// Scores a text that has already been normalised.
    pub fn score_normalized(&self, norm: &str, scratch: &mut ModelScratch) -> Score {
        // Count every distinct n-gram once (a set stamped per text instead of sorting). Each
        // n-gram's weight code is kept, so localising a flagged text needs no second look-up.
        // Three passes rather than one: hashing first, then a tight loop of independent
        // table loads, lets the CPU keep many cache misses in flight at once; the table
        // competes with the lexicon automaton for cache, so those misses are the cost.
        scratch.buckets.clear();
        self.spec.ngrams(norm, &mut scratch.buckets);
        self.score_buckets(scratch)
    }

    /// Scores the text another model with the same n-grams and seed but at least as many
    /// bits (`wide`) just scored into `source`: its buckets, narrowed, are this model's (a
    /// bucket is the top bits of the same hash), so the text is not hashed twice. `None`
    /// when the features differ and the text must be scored with
    /// [`Classifier::score_normalized`].
    pub(crate) fn score_narrowed(
        &self,
        wide: FeatureSpec,
        source: &ModelScratch,
        scratch: &mut ModelScratch,
    ) -> Option<Score> {
        let spec = self.spec;
        if (spec.seed, spec.min_n, spec.max_n) != (wide.seed, wide.min_n, wide.max_n)
            || spec.bits > wide.bits
        {
            return None;
        }
        let shift = wide.bits - spec.bits;
        scratch.buckets.clear();
        scratch
            .buckets
            .extend(source.buckets.iter().map(|&b| b >> shift));
        Some(self.score_buckets(scratch))
    }

    /// Scores the n-gram buckets in `scratch.buckets`, each distinct one once.
    fn score_buckets(&self, scratch: &mut ModelScratch) -> Score {
        let mask = scratch.begin(scratch.buckets.len(), self.spec.bits);
        let ModelScratch {
            seen,
            stamp,
            weights,
            buckets,
            ..
        } = scratch;
        weights.clear();
        weights.extend(buckets.iter().map(|&b| self.table[b as usize]));
        let bits = u32::from(self.spec.bits);
        let mut sum = 0f32;
        for (&b, &q) in buckets.iter().zip(weights.iter()) {
            if insert(seen, *stamp, bits, b, mask) {
                sum += self.codebook.weight(q);
            }
        }
        let logit = self.bias + sum;
        Score {
            probability: sigmoid(self.calib_a * logit + self.calib_b),
            logit,
        }
    }

    /// Scores an original text.
    pub fn score(&self, normalizer: &Normalizer, text: &str) -> Score {
        let norm = normalizer.normalize_str(text);
        self.score_normalized(&norm, &mut ModelScratch::default())
    }

    /// The stretch of normalised characters (first, last) that pushes the score up the most:
    /// the highest-weighted n-gram, widened over the overlapping or adjacent n-grams that
    /// weigh at least a third as much. `None` when no n-gram weighs towards the category.
    ///
    /// Works on the n-grams the last [`Classifier::score_normalized`] left in `scratch`, so
    /// call it right after scoring the same text.
    pub(crate) fn localize(&self, chars: usize, scratch: &ModelScratch) -> Option<(usize, usize)> {
        let weights = &scratch.weights;
        // Levels grow with their codes, so the heaviest n-gram is the largest code: a plain
        // (vectorised) scan over bytes, no decoding; the first one wins a tie.
        let best = weights.iter().fold(i8::MIN, |a, &q| a.max(q));
        if best <= 0 {
            return None;
        }
        let best_at = weights.iter().position(|&q| q == best)?;
        let strong_code = self.codebook.strong_code(best);
        // Grow the best n-gram's span over the strong ones that overlap or touch it, looking
        // only near it. N-grams are listed by last character, so going forward only `last`
        // can hold them back, and once one ends more than `max_n` characters past it none
        // after it can start in reach; going backward (`last` is settled: nothing there
        // ends later) the first one that ends before `first - 1` closes the span.
        let layout = NgramLayout::new(self.spec);
        let reach = usize::from(self.spec.max_n);
        let (mut first, mut last) = layout.span(best_at);
        for (k, &q) in weights.iter().enumerate().skip(best_at + 1) {
            let (f, l) = layout.span(k);
            if l > last + reach {
                break;
            }
            if q >= strong_code && f <= last + 1 {
                first = first.min(f);
                last = last.max(l);
            }
        }
        for (k, &q) in weights[..best_at].iter().enumerate().rev() {
            let (f, l) = layout.span(k);
            if l + 1 < first {
                break;
            }
            if q >= strong_code {
                first = first.min(f);
            }
        }
        Some((first, last.min(chars.saturating_sub(1))))
    }

    /// Learns one confirmed example (REV-9): a passive-aggressive step that puts the text's
    /// calibrated score at least one logit past the decision boundary on the right side.
    /// Returns the probability after the step.
    ///
    /// The step is the smallest change, measured against the training data, that does it:
    /// each n-gram's weight moves in proportion to `1 / (1 + d / DECISION_WEIGHT)`, `d` the
    /// training texts that had it (a diagonal Laplace approximation of what retraining with
    /// the example would do). An even share over every n-gram would move `的` and `是` as
    /// much as the phrase that matters, and a few hundred decisions would then shift every
    /// text (the model alone, after learning the 285 errors on half of COLD dev: the other
    /// half went from 0.917 to 0.565 that way. See `models/README.md`).
    ///
    /// Weights move by whole codebook levels, never past their share of the step (rounding
    /// up a share just over half a level would move every tied n-gram a whole level and could
    /// double the step). Whatever that leaves, the n-grams make up one level each,
    /// least-supported first, until the gap closes: the text ends at the margin or past it
    /// by at most one level of one n-gram (at most 1.1 logits, near ±16). N-grams already at
    /// the codebook's end take no share; the text stays short only when every one of them is
    /// there (or the calibration slope is so small that no finite step closes the gap).
    pub fn learn(&mut self, normalizer: &Normalizer, text: &str, label: Label) -> f32 {
        // One logit past the boundary: a calibrated 73% (27% for a false positive), clear of
        // the default review threshold (0.5). In the moderator loop of `models/README.md` a
        // 3-logit margin (95%) did worse on the unseen half than this one.
        const MARGIN: f32 = 1.0;
        // One round closes the gap unless weights saturate. A round that does not close it
        // has moved every n-gram that can still move by at least a level (or nothing could
        // move, which ends the loop), so this many rounds can take any n-gram across the
        // whole codebook: the bound is only a guard.
        const ROUNDS: usize = 256;
        let norm = normalizer.normalize_str(text);
        let mut scratch = ModelScratch::default();
        let mut score = self.score_normalized(&norm, &mut scratch);
        let mut buckets = Vec::new();
        self.spec.features(&norm, &mut buckets);
        self.learned += 1;
        // A NaN slope (a model assembled by `from_parts`) is refused too.
        let slope_ok = self.calib_a.is_finite() && self.calib_a > 0.0;
        if buckets.is_empty() || !slope_ok || !score.logit.is_finite() {
            return score.probability;
        }
        let y = match label {
            Label::Spam => 1.0,
            Label::Ham => -1.0,
        };
        // The code one level further towards the label, if there is one.
        let further = |code: i8| -> Option<i8> {
            let code = code.max(-127);
            match y > 0.0 {
                true => (code < 127).then(|| code + 1),
                false => (code > -127).then(|| code - 1),
            }
        };
        let shares: Vec<f32> = buckets
            .iter()
            .map(|&b| 1.0 / (1.0 + support_texts(self.support_of(b)) / DECISION_WEIGHT))
            .collect();
        // The order in which n-grams make up what rounding left: largest share first, ties
        // in bucket order, so the same decisions always give the same weights.
        let mut order: Vec<usize> = (0..buckets.len()).collect();
        order.sort_by(|&i, &j| shares[j].total_cmp(&shares[i]).then(i.cmp(&j)));
        for _ in 0..ROUNDS {
            let z = self.calib_a * score.logit + self.calib_b;
            let loss = MARGIN - y * z;
            if loss <= 0.0 {
                break;
            }
            // The change of the raw score that closes the gap, shared by the n-grams that
            // can still move.
            let needed = loss / self.calib_a;
            let total: f32 = buckets
                .iter()
                .zip(&shares)
                .filter(|(&b, _)| further(self.table[b as usize]).is_some())
                .map(|(_, &share)| share)
                .sum();
            let step = y * needed / total;
            if !step.is_finite() {
                break;
            }
            // How far the weights have moved the score so far, towards the label.
            let mut achieved = 0f32;
            for (&b, &share) in buckets.iter().zip(&shares) {
                let current = self.table[b as usize];
                let before = self.codebook.weight(current);
                let target = before + step * share;
                // Saturates at the codebook's range: a learned example can outweigh any
                // shipped n-gram, which is what learning is for.
                let mut code = self.codebook.encode(target);
                if code != current && y * (self.codebook.weight(code) - target) > 0.0 {
                    // Rounded past the target: the level before it (still at or beyond
                    // the current one, as the target lies between them).
                    code = if y > 0.0 { code - 1 } else { code + 1 };
                }
                self.table[b as usize] = code;
                achieved += y * (self.codebook.weight(code) - before);
            }
            for &i in &order {
                if achieved >= needed {
                    break;
                }
                let b = buckets[i];
                let current = self.table[b as usize];
                if let Some(code) = further(current) {
                    achieved += y * (self.codebook.weight(code) - self.codebook.weight(current));
                    self.table[b as usize] = code;
                }
            }
            score = self.score_normalized(&norm, &mut scratch);
            if achieved <= 0.0 {
                // Every n-gram is at the codebook's end.
                break;
            }
        }
        score.probability
    }

    /// Serialises the model (little-endian; only buckets with a weight or a support are
    /// stored).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(MAGIC);
        for s in [&*self.name, &*self.category] {
            out.extend_from_slice(&(s.len() as u16).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&[self.spec.bits, self.spec.min_n, self.spec.max_n, 0]);
        out.extend_from_slice(&self.spec.seed.to_le_bytes());
        for v in [self.bias, self.calib_a, self.calib_b] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // An entry for every bucket with a weight or a support: a common n-gram whose weight
        // rounds to zero is the one learning must move least, so its support is kept too.
        let stored = |bucket: usize| self.table[bucket] != 0 || self.support_of(bucket as u32) != 0;
        let entries = (0..self.table.len()).filter(|&b| stored(b)).count() as u32;
        out.extend_from_slice(&entries.to_le_bytes());
        let mut previous = 0u32;
        for (bucket, &q) in self.table.iter().enumerate() {
            if stored(bucket) {
                let w = self.codebook.weight(q);
                // Buckets ascend: store the distance to the previous one as a varint.
                let mut delta = bucket as u32 - previous;
                previous = bucket as u32;
                while delta >= 0x80 {
                    out.push((delta as u8) | 0x80);
                    delta >>= 7;
                }
                out.push(delta as u8);
                out.extend_from_slice(&w.to_le_bytes());
                out.push(self.support_of(bucket as u32));
            }
        }
        out
    }

    /// Reads a model written by [`Classifier::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        let with_support = match r.take(MAGIC.len())? {
            m if m == MAGIC => true,
            m if m == MAGIC_V1 => false,
            _ => return Err(ModelError::Magic),
        };
        let name = r.string()?;
        let category = r.string()?;
        let head = r.take(4)?;
        let seed = u64::from_le_bytes(r.array()?);
        let spec = FeatureSpec {
            bits: head[0],
            min_n: head[1],
            max_n: head[2],
            seed,
        };
        spec.validate()?;
        let bias = f32::from_le_bytes(r.array()?);
        let calib_a = f32::from_le_bytes(r.array()?);
        let calib_b = f32::from_le_bytes(r.array()?);
        let count = u32::from_le_bytes(r.array()?);
        // Straight into codes: no 2^bits f32 table on the way (4 MiB to zero and re-read at
        // 2^20), and the stored weights are levels, found by a search instead of a logarithm.
        let mut table = vec![0i8; 1 << spec.bits].into_boxed_slice();
        let mut support = if with_support {
            vec![0u8; 1 << spec.bits]
        } else {
            Vec::new()
        };
        let mut bucket = 0u32;
        for k in 0..count {
            let mut delta = 0u32;
            let mut shift = 0;
            loop {
                let b = r.take(1)?[0];
                if shift > 28 {
                    return Err(ModelError::Invalid(format!("bad bucket in entry {k}")));
                }
                delta |= u32::from(b & 0x7F) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            bucket = bucket
                .checked_add(delta)
                .filter(|&b| (b as usize) < table.len())
                .ok_or_else(|| ModelError::Invalid(format!("bucket out of range in entry {k}")))?;
            let w = f32::from_le_bytes(r.array()?);
            if !w.is_finite() {
                return Err(ModelError::Invalid(format!(
                    "weight of entry {k} is not finite"
                )));
            }
            table[bucket as usize] = CODEBOOK.encode_stored(w);
            if with_support {
                support[bucket as usize] = r.take(1)?[0];
            }
        }
        if r.at != bytes.len() {
            return Err(ModelError::Invalid(format!(
                "{} bytes after the last entry",
                bytes.len() - r.at
            )));
        }
        if !(bias.is_finite() && calib_a.is_finite() && calib_b.is_finite() && calib_a > 0.0) {
            return Err(ModelError::Invalid(
                "bias or calibration not finite, or a calibration slope that is not positive"
                    .into(),
            ));
        }
        Classifier::from_codes(
            &name,
            &category,
            spec,
            bias,
            (calib_a, calib_b),
            table,
            support.iter().any(|&c| c != 0).then(|| support.into()),
        )
    }
}

/// A bucket's support (training texts that had it) in one byte: 8 codes per doubling,
/// within 5% up to about 2^31 texts, and 0 for a bucket no training text had.
fn support_code(texts: u32) -> u8 {
    ((f64::from(texts) + 1.0).log2() * 8.0).round().min(255.0) as u8
}

/// The number of training texts a [`support_code`] stands for.
fn support_texts(code: u8) -> f32 {
    (f32::from(code) / 8.0).exp2() - 1.0
}

/// The weights a table entry can hold: code `k` in −127..=127 stands for
/// `sign(k) · C · (R^|k| − 1)`, levels spaced evenly in log scale (each about 7% above the
/// one below), from 0.00015 up to ±16 logits. A trained table's weights span four orders of
/// magnitude (median |w| 0.003, largest 3.4 for the shipped model) and a score sums a few
/// hundred of them, so an error of ±3.7% of `|w| + C` per weight moves no decision that
/// matters (COLD dev accuracy 0.9126 against 0.9128 with i16 weights: one text);
/// the ±16 range leaves headroom for what a deployment learns (REV-9).
#[derive(PartialEq)]
struct Codebook {
    /// Indexed by the code as a byte: a 1 KiB table that stays in L1.
    levels: [f32; 256],
    /// ln R.
    ln_ratio: f64,
}

/// Built once per process: every classifier shares it.
static CODEBOOK: std::sync::LazyLock<Codebook> = std::sync::LazyLock::new(Codebook::new);

impl Codebook {
    const C: f64 = 0.002;
    const MAX: f64 = 16.0;

    fn new() -> Codebook {
        let ln_ratio = (Self::MAX / Self::C + 1.0).ln() / 127.0;
        let mut levels = [0f32; 256];
        for code in -127i8..=127 {
            let k = f64::from(code.unsigned_abs());
            let w = Self::C * ((k * ln_ratio).exp() - 1.0);
            levels[usize::from(code as u8)] = (f64::from(code.signum()) * w) as f32;
        }
        levels[usize::from(i8::MIN as u8)] = levels[usize::from((-127i8) as u8)];
        Codebook { levels, ln_ratio }
    }

    #[inline(always)]
    fn weight(&self, code: i8) -> f32 {
        self.levels[usize::from(code as u8)]
    }

    /// The smallest positive code that weighs at least a third of `best` (> 0): the n-grams
    /// [`Classifier::localize`] grows a span over. Levels grow with their codes, so a binary
    /// search; `best` itself always qualifies.
    fn strong_code(&self, best: i8) -> i8 {
        debug_assert!(best > 0);
        let third = self.weight(best) / 3.0;
        let positive = &self.levels[1..=best as usize];
        1 + positive.partition_point(|&w| w < third) as i8
    }

    /// [`Codebook::encode`] for a weight read from a model file, which stores levels: seven
    /// comparisons find one exactly, where the logarithm would cost several times that for
    /// each of the half a million weights loaded. Anything else takes the logarithm.
    fn encode_stored(&self, w: f32) -> i8 {
        let magnitude = w.abs();
        let positive = &self.levels[1..=127];
        let k = positive.partition_point(|&level| level < magnitude);
        if positive.get(k) == Some(&magnitude) {
            let k = (k + 1) as i8;
            return if w < 0.0 { -k } else { k };
        }
        self.encode(w)
    }

    /// The code of the level nearest to `w` in log scale (saturating).
    fn encode(&self, w: f32) -> i8 {
        if w == 0.0 {
            // Most of a table: the buckets no training n-gram fell into.
            return 0;
        }
        let k = ((f64::from(w.abs()) / Self::C + 1.0).ln() / self.ln_ratio).round();
        let k = if k.is_nan() { 0.0 } else { k.min(127.0) } as i8;
        if w < 0.0 {
            -k
        } else {
            k
        }
    }
}

fn check_name(field: &str, s: &str) -> Result<(), ModelError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ModelError::Invalid(format!(
            "{field} {s:?} must be 1-64 characters of a-z, 0-9, _ or -"
        )))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(ModelError::Truncated(self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn string(&mut self) -> Result<String, ModelError> {
        let n = u16::from_le_bytes(self.array()?);
        let s = self.take(usize::from(n))?;
        String::from_utf8(s.to_vec()).map_err(|_| ModelError::Invalid("name is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> FeatureSpec {
        FeatureSpec {
            bits: 12,
            min_n: 1,
            max_n: 3,
            seed: 7,
        }
    }

    #[test]
    fn the_unrolled_shape_hashes_like_the_general_loop() {
        // The shipped 1–3 shape has its own loop; the general one (here 1–4) must give the
        // same hash for every 1-, 2- and 3-gram, in the same order.
        let text = "今天他说你们都是骗子吧 abc";
        let mut fast = Vec::new();
        spec().ngrams(text, &mut fast);
        let mut all = Vec::new();
        FeatureSpec { max_n: 4, ..spec() }.ngrams(text, &mut all);
        let chars = text.chars().count();
        let mut expected = Vec::new();
        let mut k = 0;
        for i in 0..chars {
            // The general loop writes the n-grams ending at i by increasing length.
            let lengths = (i + 1).min(4);
            expected.extend_from_slice(&all[k..k + lengths.min(3)]);
            k += lengths;
        }
        assert_eq!(fast.len(), 3 * chars - 3);
        assert_eq!(fast, expected);
    }

    #[test]
    fn ngram_counts_follow_the_range() {
        let mut out = Vec::new();
        spec().ngrams("abcd", &mut out);
        // 4 unigrams + 3 bigrams + 2 trigrams.
        assert_eq!(out.len(), 9);
        // The same n-gram hashes the same wherever it stands.
        let mut a = Vec::new();
        let mut b = Vec::new();
        spec().features("黑人", &mut a);
        spec().features("你好黑人", &mut b);
        assert!(a.iter().all(|x| b.contains(x)));
    }

    #[test]
    fn localize_points_at_the_heaviest_stretch() {
        let mut table = vec![0f32; 1 << 12];
        let mut b = Vec::new();
        spec().features("骗子", &mut b);
        for &x in &b {
            table[x as usize] = 1.0;
        }
        let c = Classifier::from_parts("t", "abuse", spec(), 0.0, (1.0, 0.0), table).unwrap();
        let mut scratch = ModelScratch::default();
        let norm = "今天他说你们都是骗子吧";
        // Three n-grams of weight 1 (stored to within the codebook's ±3.7%).
        let once = c.score_normalized(norm, &mut scratch).logit;
        assert!((once - 3.0).abs() < 0.12, "{once}");
        assert_eq!(c.localize(11, &scratch), Some((8, 9)));
        // Repeats count once: 骗, 子 and 骗子 (子骗 weighs nothing).
        let twice = c.score_normalized("骗子骗子", &mut scratch).logit;
        assert_eq!(twice, once);
        // Nothing weighs towards the category: nothing to point at.
        c.score_normalized("今天天气很好", &mut scratch);
        assert_eq!(c.localize(6, &scratch), None);
    }

    #[test]
    fn reused_scratch_scores_like_a_fresh_one_past_the_stamp_wrap() {
        // At 24 bits a slot leaves 8 bits of stamp: the set is cleared every 255 texts. Texts
        // of every length in turn (the set grows and a short one uses only a prefix) must
        // score exactly as with a fresh scratch, each repeated n-gram counted once.
        let wide = FeatureSpec { bits: 24, ..spec() };
        let table = (0..1u32 << 24)
            .map(|i| f32::from(i.wrapping_mul(2_654_435_761) as u16) / 65_536.0 - 0.5)
            .collect();
        let c = Classifier::from_parts("t", "abuse", wide, 0.1, (1.0, 0.0), table).unwrap();
        let mut reused = ModelScratch::default();
        for k in 0..700usize {
            let text: String = "骗子今天黑人天气"
                .chars()
                .cycle()
                .skip(k % 8)
                .take(1 + k % 97)
                .collect();
            let expected = c.score_normalized(&text, &mut ModelScratch::default());
            assert_eq!(c.score_normalized(&text, &mut reused), expected, "text {k}");
        }
        let mut b = Vec::new();
        wide.features("骗子骗子骗子", &mut b);
        let sum: f32 = b.iter().map(|&x| c.weight(x)).sum();
        let logit = c.score_normalized("骗子骗子骗子", &mut reused).logit;
        assert!(
            (logit - (0.1 + sum)).abs() < 1e-5,
            "{logit} vs {}",
            0.1 + sum
        );
    }

    #[test]
    fn a_scratch_reused_across_models_of_other_widths_scores_like_a_fresh_one() {
        // The engine's per-thread scratch outlives a model swap, and a 24-bit model's slots
        // sit above any 12-bit text's base: texts scored in turn by both must score exactly
        // as with a fresh scratch.
        let narrow = spec();
        let wide = FeatureSpec { bits: 24, ..spec() };
        let model = |spec: FeatureSpec| {
            let table = (0..1u32 << spec.bits)
                .map(|i| f32::from(i.wrapping_mul(2_654_435_761) as u16) / 65_536.0 - 0.5)
                .collect();
            Classifier::from_parts("t", "abuse", spec, 0.1, (1.0, 0.0), table).unwrap()
        };
        let (a, b) = (model(wide), model(narrow));
        let mut reused = ModelScratch::default();
        for k in 0..40usize {
            let text: String = "骗子今天黑人天气".chars().cycle().take(5 + k).collect();
            for c in [&a, &b] {
                let expected = c.score_normalized(&text, &mut ModelScratch::default());
                assert_eq!(c.score_normalized(&text, &mut reused), expected, "text {k}");
            }
        }
    }

    #[test]
    fn the_layout_gives_every_ngram_its_span() {
        // Spans written out in the order `ngrams` emits them, for several shapes.
        for (min_n, max_n) in [(1, 3), (1, 1), (2, 4), (1, 5), (3, 3), (2, 2)] {
            let layout = NgramLayout::new(FeatureSpec {
                min_n,
                max_n,
                ..spec()
            });
            let mut k = 0;
            for i in 0..40usize {
                for n in usize::from(min_n)..=usize::from(max_n).min(i + 1) {
                    assert_eq!(layout.span(k), (i + 1 - n, i), "{min_n}-{max_n} k={k}");
                    k += 1;
                }
            }
            // And the emitter agrees on the last character of every n-gram it writes.
            let shape = FeatureSpec {
                min_n,
                max_n,
                ..spec()
            };
            let mut k = 0;
            shape.for_each_ngram("今天他说你们都是骗子吧，abc⑩好", |_, i| {
                assert_eq!(layout.span(k).1, i, "{min_n}-{max_n} k={k}");
                k += 1;
            });
            assert!(k > 0);
        }
    }

    /// The span rule written the plain way: mark every character a strong n-gram covers,
    /// then take the covered run around the heaviest n-gram.
    fn localize_by_marking(
        shape: FeatureSpec,
        weights: &[i8],
        chars: usize,
        strong_code: i8,
    ) -> (usize, usize) {
        let layout = NgramLayout::new(shape);
        let best_at = (0..weights.len())
            .max_by_key(|&k| (weights[k], std::cmp::Reverse(k)))
            .unwrap();
        let mut covered = vec![false; chars];
        for (k, &q) in weights.iter().enumerate() {
            if q >= strong_code {
                let (f, l) = layout.span(k);
                covered[f..=l].iter_mut().for_each(|x| *x = true);
            }
        }
        let (mut f, mut l) = layout.span(best_at);
        while f > 0 && covered[f - 1] {
            f -= 1;
        }
        while l + 1 < chars && covered[l + 1] {
            l += 1;
        }
        (f, l)
    }

    #[test]
    fn localize_grows_the_best_span_like_marking_the_covered_characters() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for round in 0..3000 {
            // The shipped shape, and two whose reach is longer or whose head is empty.
            let shape = match round % 3 {
                0 => spec(),
                1 => FeatureSpec {
                    min_n: 2,
                    max_n: 5,
                    ..spec()
                },
                _ => FeatureSpec {
                    min_n: 1,
                    max_n: 1,
                    ..spec()
                },
            };
            let c =
                Classifier::from_parts("t", "abuse", shape, 0.0, (1.0, 0.0), vec![0.0; 1 << 12])
                    .unwrap();
            // From one character: texts shorter than the head (where fewer n-grams end) too.
            let chars = 1 + round % 44;
            let mut count = 0;
            shape.for_each_ngram(&"字".repeat(chars), |_, _| count += 1);
            let weights = (0..count)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Mostly light weights, now and then a heavy one.
                    let q = (state % 40) as i8 - 20;
                    if state.is_multiple_of(7) {
                        q * 5
                    } else {
                        q
                    }
                })
                .collect();
            let scratch = ModelScratch {
                weights,
                ..ModelScratch::default()
            };
            let got = c.localize(chars, &scratch);
            // A text shorter than the shortest n-gram has none.
            let Some(&best) = scratch.weights.iter().max() else {
                assert_eq!(got, None);
                continue;
            };
            if best <= 0 {
                assert_eq!(got, None);
                continue;
            }
            let third = c.codebook.weight(best) / 3.0;
            let strong_code = (1..=best).find(|&q| c.codebook.weight(q) >= third).unwrap();
            let expected = localize_by_marking(shape, &scratch.weights, chars, strong_code);
            assert_eq!(got, Some(expected), "round {round}");
        }
    }

    #[test]
    fn the_strong_code_is_the_first_level_at_least_a_third_of_the_best() {
        for best in 1..=127i8 {
            let third = CODEBOOK.weight(best) / 3.0;
            let linear = (1..=best).find(|&q| CODEBOOK.weight(q) >= third);
            assert_eq!(Some(CODEBOOK.strong_code(best)), linear, "best {best}");
        }
        assert_eq!(CODEBOOK.strong_code(1), 1);
        // About 7% a level: a third of the weight lies some 16 levels down.
        assert!((14..=18).contains(&(127 - CODEBOOK.strong_code(127))));
    }

    #[test]
    fn the_codebook_keeps_weights_within_four_percent_and_saturates() {
        let book = Codebook::new();
        for w in [
            0.0005f32, 0.003, 0.026, 0.136, 0.42, 1.0, 3.37, -0.003, -1.0, -3.37,
        ] {
            let back = book.weight(book.encode(w));
            assert!(
                (back - w).abs() <= 0.04 * (w.abs() + 0.002),
                "{w} -> {back}"
            );
            // A stored weight reads back to the same code (files round-trip).
            assert_eq!(book.encode(back), book.encode(w));
        }
        assert_eq!(book.weight(book.encode(0.0)), 0.0);
        assert_eq!(book.encode(1e9), 127);
        assert_eq!(book.encode(f32::NEG_INFINITY), -127);
        assert_eq!(book.encode(f32::NAN), 0);
        // Codes order like their weights (`localize` relies on it).
        assert!((-127i8..127).all(|q| book.weight(q) < book.weight(q + 1)));
        // Every level reads back as its own code, by the search a loading model takes and
        // by the logarithm training and learning take; off the levels the two agree.
        for q in -127i8..=127 {
            let level = book.weight(q);
            assert_eq!((book.encode_stored(level), book.encode(level)), (q, q));
            let off = level * (1.0 + 1e-6) + if q == 0 { 0.0 } else { 1e-9 };
            assert_eq!(book.encode(off), q, "{level} nudged to {off}");
        }
        let mut w = -20.0f32;
        while w < 20.0 {
            assert_eq!(book.encode_stored(w), book.encode(w), "{w}");
            w += 0.000_37;
        }
        for w in [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            1e-30,
            1e30,
        ] {
            assert_eq!(book.encode_stored(w), book.encode(w), "{w}");
        }
    }

    #[test]
    fn learning_reaches_the_margin_when_the_even_share_is_below_a_level() {
        // Heavy n-grams (±2 logits, levels ~0.14 apart there) and a text already on the
        // right side: the even share of the remaining loss is far below half a level, so
        // rounding alone would leave every weight where it was.
        let normalizer = Normalizer::new();
        let text = "今天他说你们都是骗子吧大家小心";
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(text), &mut buckets);
        let mut table = vec![0f32; 1 << 12];
        let mut sum = 0.0;
        for (k, &b) in buckets.iter().enumerate() {
            let w = if k % 2 == 0 { 2.0 } else { -2.0 };
            table[b as usize] = w;
            sum += w;
        }
        let mut c =
            Classifier::from_parts("t", "abuse", spec(), 0.5 - sum, (1.0, 0.0), table).unwrap();
        let before = c.score(&normalizer, text).probability;
        assert!((0.6..0.7).contains(&before), "{before}");
        let after = c.learn(&normalizer, text, Label::Spam);
        // The margin, one logit past the boundary, and not much more: the tied shares do
        // not all take a level at once (that went to a logit of 5.5).
        assert!((0.731..0.76).contains(&after), "{after}");
    }

    #[test]
    fn learning_reaches_the_margin_when_one_light_ngram_moves_and_heavy_ones_round_away() {
        // One n-gram at zero, where the levels are finest, takes its share; the ±2 ones'
        // shares round away. The rounds must not creep along on the light one and stop short.
        let normalizer = Normalizer::new();
        let text = "今天他说你们都是骗子吧大家小心";
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(text), &mut buckets);
        let mut table = vec![0f32; 1 << 12];
        let mut sum = 0.0;
        for (k, &b) in buckets.iter().enumerate().skip(1) {
            let w = if k % 2 == 0 { 2.0 } else { -2.0 };
            table[b as usize] = w;
            sum += w;
        }
        let mut c =
            Classifier::from_parts("t", "abuse", spec(), 0.5 - sum, (1.0, 0.0), table).unwrap();
        let after = c.learn(&normalizer, text, Label::Spam);
        assert!((0.731..0.76).contains(&after), "{after}");
        // And back: a confirmed false positive ends one logit below the boundary.
        let after = c.learn(&normalizer, text, Label::Ham);
        assert!((0.24..0.269).contains(&after), "{after}");
    }

    /// A model in which every n-gram of `TIED_TEXT` weighs `weight` and the text scores
    /// `logit`.
    fn tied_model(weight: f32, logit: f32) -> Classifier {
        let normalizer = Normalizer::new();
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(TIED_TEXT), &mut buckets);
        let mut table = vec![0f32; 1 << 12];
        for &b in &buckets {
            table[b as usize] = weight;
        }
        // What the table holds: the level nearest to `weight`.
        let sum = CODEBOOK.weight(CODEBOOK.encode(weight)) * buckets.len() as f32;
        let c =
            Classifier::from_parts("t", "abuse", spec(), logit - sum, (1.0, 0.0), table).unwrap();
        let before = c.score(&normalizer, TIED_TEXT).logit;
        assert!((before - logit).abs() < 0.1, "{before}");
        c
    }

    const TIED_TEXT: &str = "今天他说你们都是骗子吧大家小心";

    #[test]
    fn tied_shares_just_over_half_a_level_do_not_all_take_one() {
        // Every n-gram at −3 (levels about 0.22 apart there) and a gap of 5 logits over
        // ~40 n-grams: each share is just over half a level, so rounding to the nearest
        // level would move every one of them a whole level, twice the step (to 0.995).
        let mut c = tied_model(-3.0, -4.0);
        let after = c.learn(&Normalizer::new(), TIED_TEXT, Label::Spam);
        assert!((0.731..0.78).contains(&after), "{after}");
    }

    #[test]
    fn a_false_positive_on_tied_shares_ends_just_below_the_margin() {
        // The mirror of the case above: every n-gram at +3, a 5-logit gap towards ham.
        let mut c = tied_model(3.0, 4.0);
        let after = c.learn(&Normalizer::new(), TIED_TEXT, Label::Ham);
        assert!((0.22..0.269).contains(&after), "{after}");
    }

    #[test]
    fn learning_closes_a_gap_that_saturates_one_support_tier_per_round() {
        // Seven tiers of support (shares 1, 1/10, 1/100, …) and a gap of 500 logits: each
        // round the largest remaining tier reaches +16 and the next takes over, so closing
        // it needs more rounds than one or a few.
        let normalizer = Normalizer::new();
        let text = "今天他说你们都是骗子吧大家小心";
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(text), &mut buckets);
        let table = vec![0f32; 1 << 12];
        let mut c =
            Classifier::from_parts("t", "abuse", spec(), -500.0, (1.0, 0.0), table).unwrap();
        let mut texts = vec![0u32; 1 << 12];
        for (k, &b) in buckets.iter().enumerate() {
            texts[b as usize] = 10u32.pow((k % 7) as u32 + 1) - 10;
        }
        c.set_support(&texts);
        let after = c.learn(&normalizer, text, Label::Spam);
        assert!(after >= 0.731, "{after}");
    }

    #[test]
    fn learning_goes_on_past_ngrams_that_reach_the_codebooks_end() {
        // One n-gram the training data never saw and the rest well attested, far on the
        // wrong side: the unseen one reaches +16 in the first round, and the rest must then
        // share the whole remaining gap instead of a sliver of it.
        let normalizer = Normalizer::new();
        let text = "今天他说你们都是骗子吧大家小心";
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(text), &mut buckets);
        let table = vec![0f32; 1 << 12];
        let mut c = Classifier::from_parts("t", "abuse", spec(), -40.0, (1.0, 0.0), table).unwrap();
        let mut texts = vec![0u32; 1 << 12];
        for &b in &buckets[1..] {
            texts[b as usize] = 3000;
        }
        c.set_support(&texts);
        let after = c.learn(&normalizer, text, Label::Spam);
        assert!(after >= 0.731, "{after}");
        assert_eq!(c.weight(buckets[0]), CODEBOOK.weight(127));
    }

    #[test]
    fn bytes_round_trip_and_reject_damage() {
        let mut table = vec![0f32; 1 << 12];
        table[5] = 1.5;
        table[4000] = -0.25;
        let c = Classifier::from_parts("t", "abuse", spec(), -0.5, (1.2, 0.1), table).unwrap();
        let bytes = c.to_bytes();
        assert_eq!(Classifier::from_bytes(&bytes).unwrap(), c);
        assert_eq!(
            Classifier::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Truncated(bytes.len() - 1))
        );
        assert_eq!(Classifier::from_bytes(b"nonsense"), Err(ModelError::Magic));
        // The support survives the round trip.
        let mut supported = c.clone();
        let mut texts = vec![0u32; 1 << 12];
        (texts[5], texts[4000]) = (2500, 3);
        supported.set_support(&texts);
        let back = Classifier::from_bytes(&supported.to_bytes()).unwrap();
        assert_eq!(back, supported);
        assert_ne!(back, c);
        // So does the support of a bucket whose weight is zero: a common, class-neutral
        // n-gram is the one learning must move least.
        texts[77] = 9000;
        supported.set_support(&texts);
        let back = Classifier::from_bytes(&supported.to_bytes()).unwrap();
        assert_eq!(back.support_of(77), support_code(9000));
        assert_eq!(back.weight(77), 0.0);
        assert_eq!(back, supported);
        // A version 1 file (each entry without its support byte) still loads, with none.
        let mut v1 = bytes.clone();
        v1[..8].copy_from_slice(MAGIC_V1);
        // The entries at the end: bucket 5 (1-byte varint), bucket 4000 (2-byte varint),
        // each followed by four weight bytes and then the support byte.
        let end = v1.len();
        v1.remove(end - 1);
        v1.remove(end - 8);
        assert_eq!(Classifier::from_bytes(&v1).unwrap(), c);
    }

    #[test]
    fn learning_moves_what_the_training_data_vouched_for_least() {
        // The same text, once with 的's buckets seen in 5,000 training texts and once with
        // no support anywhere: a confirmed false positive must move 的 far less when the
        // data vouched for it, or a few hundred decisions would shift every text that has
        // 的 in it.
        let normalizer = Normalizer::new();
        let text = "你说的那个地方的人";
        let mut common = Vec::new();
        spec().features(&normalizer.normalize_str("的"), &mut common);
        let mut table = vec![0f32; 1 << 12];
        let mut buckets = Vec::new();
        spec().features(&normalizer.normalize_str(text), &mut buckets);
        for &b in &buckets {
            table[b as usize] = 0.5;
        }
        let plain = Classifier::from_parts("t", "abuse", spec(), 0.0, (1.0, 0.0), table).unwrap();
        let mut supported = plain.clone();
        let mut texts = vec![0u32; 1 << 12];
        for &b in &common {
            texts[b as usize] = 5000;
        }
        supported.set_support(&texts);
        let moved = |mut c: Classifier| {
            let p = c.learn(&normalizer, text, Label::Ham);
            assert!(p <= 0.27, "{p}");
            0.5 - c.weight(common[0])
        };
        let (even, weighted) = (moved(plain), moved(supported));
        assert!(even > 0.1, "{even}");
        assert!(weighted < even / 20.0, "{weighted} vs {even}");
    }

    #[test]
    fn learning_moves_a_text_across_the_boundary_and_its_neighbours_with_it() {
        let normalizer = Normalizer::new();
        let table = vec![0f32; 1 << 12];
        let mut c = Classifier::from_parts("t", "abuse", spec(), -2.0, (1.0, 0.0), table).unwrap();
        let text = "加我好友领取免费红包";
        assert!(c.score(&normalizer, text).probability < 0.5);
        let p = c.learn(&normalizer, text, Label::Spam);
        assert!(p > 0.7, "{p}");
        // A lightly edited copy shares most n-grams.
        assert!(c.score(&normalizer, "快加我好友领取免费红包啊").probability > 0.5);
        let p = c.learn(&normalizer, text, Label::Ham);
        assert!(p < 0.3, "{p}");
        assert_eq!(c.learned(), 2);
    }
}
