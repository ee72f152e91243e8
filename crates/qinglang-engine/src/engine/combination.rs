//! Combination entries (issue #25, REV-2, REV-5): `A&B` needs every part within one segment
//! (a line or a sentence) in any order, `A&B~N` within N normalised characters, `A&!C` not
//! with `C` in the same segment.
//!
//! The parts are compiled into the one automaton beside the terms, so they are normalised and
//! disguise-proof like terms and cost nothing where none occurs; a scan notes where parts
//! occur and judges the combinations once the text has been matched, so the cost stays
//! proportional to the parts found.

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use qinglang_text::{Normalizer, Pos, GAP_BREAK, GAP_CLAUSE};

use super::{Engine, Hit, Pattern};
use crate::lexicon::{Combination, Entry, LexiconErrorKind};

/// Keys of combination parts carry this bit in the build's form list (entries do not).
pub(super) const PART: u32 = 1 << 31;

/// `PartRef::part` of an excluded part (`!C`).
const EXCLUDED: u8 = u8::MAX;

/// At most this many parts must occur: their presence is a bit set.
const MAX_REQUIRED: usize = 64;

/// A pattern's role in one combination entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PartRef {
    combo: u32,
    /// Index among the parts that must occur, or [`EXCLUDED`].
    part: u8,
}

/// One combination entry, compiled.
#[derive(Debug, Clone)]
pub(super) struct Compiled {
    /// Its entry (the term as written) in `Engine::entries`.
    pub(super) entry: u32,
    /// The pattern its hits report (outside the automaton).
    pub(super) pattern: u32,
    required: u8,
    window: Option<u32>,
}

/// Where a part occurred, in normalised characters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occurrence {
    combo: u32,
    part: u8,
    first: u32,
    last: u32,
}

/// Adds a combination's parts to the build's forms (`keyed`, flagged with [`PART`]) and
/// returns it compiled; `entry` will be its index in the entries and `combo` its own.
#[allow(clippy::too_many_arguments)]
pub(super) fn compile(
    combination: &Combination,
    entry: &Entry,
    entry_index: u32,
    combo: u32,
    normalizer: &Normalizer,
    forms: &mut String,
    keyed: &mut Vec<(u32, u32, u32)>,
    part_refs: &mut Vec<PartRef>,
) -> Result<Compiled, LexiconErrorKind> {
    if combination.all.len() > MAX_REQUIRED {
        return Err(LexiconErrorKind::InvalidCombination(
            entry.term.to_string(),
            format!("at most {MAX_REQUIRED} parts may be required"),
        ));
    }
    let parts = combination
        .all
        .iter()
        .enumerate()
        .map(|(k, p)| (k as u8, p))
        .chain(combination.none.iter().map(|p| (EXCLUDED, p)));
    let mut form = String::new();
    for (part, text) in parts {
        normalizer.normalize_text_into(text, &mut form);
        if form.is_empty() {
            return Err(LexiconErrorKind::InvalidCombination(
                entry.term.to_string(),
                format!("part {text:?} has nothing to match after normalisation"),
            ));
        }
        let start = forms.len() as u32;
        forms.push_str(&form);
        keyed.push((start, forms.len() as u32, PART | part_refs.len() as u32));
        part_refs.push(PartRef { combo, part });
    }
    Ok(Compiled {
        entry: entry_index,
        pattern: 0,
        required: combination.all.len() as u8,
        window: combination.window,
    })
}

/// Fills every pattern's `implied` parts: the part forms found inside its form, other than
/// itself.
pub(super) fn imply_parts(
    patterns: &mut [Pattern],
    forms: &[&str],
) -> Result<(), daachorse::errors::DaachorseError> {
    let parts: Vec<(&str, u32)> = forms
        .iter()
        .enumerate()
        .filter(|(p, _)| !patterns[*p].parts.is_empty())
        .map(|(p, form)| (*form, p as u32))
        .collect();
    let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build_with_values(parts)?;
    for (p, form) in forms.iter().enumerate() {
        let implied: Vec<(u32, u32, u32)> = automaton
            .find_overlapping_iter(form)
            .filter(|m| m.value() as usize != p)
            .map(|m| {
                let first = form[..m.start()].chars().count() as u32;
                let len = form[m.start()..m.end()].chars().count() as u32;
                (m.value(), first, len)
            })
            .collect();
        if !implied.is_empty() {
            patterns[p].implied = implied.into_boxed_slice();
        }
    }
    Ok(())
}

/// Whether a sentence or a line ends between normalised characters `k - 1` and `k`.
fn ends_segment(text: &str, pos: &[Pos], k: usize) -> bool {
    let gap = pos[k].gap;
    if gap == GAP_BREAK {
        return true;
    }
    gap & GAP_CLAUSE != 0
        && text
            .get(pos[k - 1].orig_end as usize..pos[k].orig_start as usize)
            .is_some_and(|between| between.contains(['。', '！', '？', '；', '!', '?', ';', '\n']))
}

impl Engine {
    /// Notes the combination parts of pattern `value`, matched at normalised characters
    /// `i..=last`, and those found inside it.
    #[inline]
    pub(super) fn note_parts(&self, value: u32, i: usize, last: usize, out: &mut Vec<Occurrence>) {
        let pattern = &self.patterns[value as usize];
        for r in pattern.parts.iter() {
            out.push(Occurrence {
                combo: r.combo,
                part: r.part,
                first: i as u32,
                last: last as u32,
            });
        }
        for &(q, first, len) in pattern.implied.iter() {
            let first = i as u32 + first;
            for r in self.patterns[q as usize].parts.iter() {
                out.push(Occurrence {
                    combo: r.combo,
                    part: r.part,
                    first,
                    last: first + len - 1,
                });
            }
        }
    }

    /// The first, fast look (on the folded text, no position map): whether the automaton
    /// finds a term, or parts that could make up a combination. A part never hides a term:
    /// after a match that is only a part the search goes on from its next character, and the
    /// terms it starts with count. `seen` is scratch space.
    pub(super) fn may_match(
        &self,
        automaton: &CharwiseDoubleArrayAhoCorasick<u32>,
        folded: &str,
        seen: &mut Vec<Occurrence>,
    ) -> bool {
        seen.clear();
        let mut offset = 0;
        while let Some(m) = automaton.leftmost_find_iter(&folded[offset..]).next() {
            let pattern = &self.patterns[m.value() as usize];
            if !pattern.entries.is_empty() || !pattern.prefix_terms.is_empty() {
                return true;
            }
            self.note_parts(m.value(), 0, 0, seen);
            let s = offset + m.start();
            offset = s + folded[s..].chars().next().map_or(1, char::len_utf8);
        }
        if seen.is_empty() {
            return false;
        }
        // Could any combination hold: every part it needs found somewhere?
        seen.sort_unstable_by_key(|o| o.combo);
        seen.chunk_by(|a, b| a.combo == b.combo).any(|group| {
            let combo = &self.combinations[group[0].combo as usize];
            let present = group
                .iter()
                .filter(|o| o.part != EXCLUDED)
                .fold(0u64, |m, o| m | 1 << o.part);
            present == required_mask(combo.required)
        })
    }

    /// The hits of the combinations whose parts `found` (in any order) satisfy them: every
    /// required part within one segment, within the window if any, and no excluded part in
    /// that segment. One hit per segment, from the first part's first character to the last
    /// part's last.
    pub(super) fn combination_hits<'e>(
        &'e self,
        text: &str,
        pos: &[Pos],
        found: &mut [Occurrence],
        hits: &mut Vec<Hit<'e>>,
    ) {
        found.sort_unstable_by_key(|o| (o.combo, o.first, o.last));
        // Where segments end, once for the text: a character's segment is the number of ends
        // at or before it.
        let ends: Vec<u32> = (1..pos.len())
            .filter(|&k| pos[k].gap & GAP_CLAUSE != 0 && ends_segment(text, pos, k))
            .map(|k| k as u32)
            .collect();
        let segment_of = |c: u32| ends.partition_point(|&e| e <= c);
        for group in found.chunk_by(|a, b| a.combo == b.combo) {
            let combo = &self.combinations[group[0].combo as usize];
            // Split the combination's occurrences (in text order) into segments.
            let mut start = 0;
            for k in 1..=group.len() {
                let split = k == group.len()
                    || segment_of(group[k - 1].first) != segment_of(group[k].first);
                if split {
                    if let Some((first, last)) = satisfied(combo, &group[start..k]) {
                        hits.push(self.term_hit(combo.entry, combo.pattern, pos, first, last));
                    }
                    start = k;
                }
            }
        }
    }
}

/// The bit set of `required` parts all present.
fn required_mask(required: u8) -> u64 {
    if usize::from(required) >= MAX_REQUIRED {
        u64::MAX
    } else {
        (1u64 << required) - 1
    }
}

/// The span of the tightest run of `segment` (one segment's occurrences, in text order)
/// that holds every required part, if the combination holds there.
fn satisfied(combo: &Compiled, segment: &[Occurrence]) -> Option<(usize, usize)> {
    if segment.iter().any(|o| o.part == EXCLUDED) {
        return None;
    }
    let full = required_mask(combo.required);
    let present = segment.iter().fold(0u64, |m, o| m | 1 << o.part);
    if present != full {
        return None;
    }
    // Two pointers over the occurrences: the shortest run from `s` holding every part.
    let mut counts = [0u32; MAX_REQUIRED];
    let mut have = 0u64;
    let mut best: Option<(u32, u32)> = None;
    let mut s = 0;
    for e in 0..segment.len() {
        let part = usize::from(segment[e].part);
        counts[part] += 1;
        have |= 1 << part;
        while have == full {
            // The run ends at the later end of its two outer parts (a part nested inside a
            // longer one in between is rare enough not to track).
            let (first, last) = (segment[s].first, segment[e].last.max(segment[s].last));
            if best.is_none_or(|(f, l)| last - first < l - f) {
                best = Some((first, last));
            }
            let gone = usize::from(segment[s].part);
            counts[gone] -= 1;
            if counts[gone] == 0 {
                have &= !(1 << gone);
            }
            s += 1;
        }
    }
    let (first, last) = best?;
    if combo.window.is_some_and(|n| last - first + 1 > n) {
        return None;
    }
    Some((first as usize, last as usize))
}
