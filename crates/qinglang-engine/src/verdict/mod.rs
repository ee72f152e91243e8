//! From hits to a verdict, by evidence rather than by single words (REV-1, REV-4).
//!
//! The text is cut into segments (lines: the title line, each paragraph). Each segment is
//! scored on its own, so that stuffing in a hacked page's title or footer is judged apart
//! from the legitimate article body. A segment that is a separator-joined keyword run
//! (`久久成人-成人毛片-…`, `a | b | c`) with hits in several items is strong evidence; a few
//! terms inside a long sentence of ordinary prose are weak evidence.

mod reporting;
mod site_names;

use crate::engine::Hit;
use crate::lexicon::Action;
use crate::policy::Policy;
use reporting::{is_notice, is_reporting};
pub(crate) use site_names::heads_an_institution;
use site_names::{glued_site_code, PLATFORM_FAMILY};

/// What the platform should do with the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suggestion {
    Pass,
    Review,
    Block,
}

impl Suggestion {
    pub fn as_str(self) -> &'static str {
        match self {
            Suggestion::Pass => "pass",
            Suggestion::Review => "review",
            Suggestion::Block => "block",
        }
    }
}

impl std::fmt::Display for Suggestion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The engine's answer for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict<'e> {
    pub suggestion: Suggestion,
    /// 0–100: the strongest segment's evidence.
    pub score: u8,
    /// Categories of the hits in segments that reached at least `review`, in order of first
    /// appearance.
    pub labels: Vec<&'e str>,
    /// Every hit, in text order (including weak ones that did not change the suggestion).
    pub hits: Vec<Hit<'e>>,
    /// How each segment with hits was judged, for explanations.
    pub segments: Vec<SegmentScore>,
}

/// How one segment of the text was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentScore {
    /// Byte span of the segment (a line) in the original text.
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: SegmentKind,
    pub score: u8,
}

/// The shape of a segment, which decides how much its hits weigh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// A separator-joined keyword run with hits in several items: stuffing.
    Stuffing,
    /// Long ordinary prose where the hits are sparse: diluted.
    Prose,
    /// A short text (message, title, name): hits count fully.
    Short,
    /// A line that sells sex or gambling and says where to buy it: a review-level term of
    /// those categories or two telling cues, beside a contact (REV-6).
    Solicitation,
}

impl SegmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Stuffing => "stuffing",
            SegmentKind::Prose => "prose",
            SegmentKind::Short => "short",
            SegmentKind::Solicitation => "solicitation",
        }
    }
}

/// What joins the items of an SEO keyword run: `-` `_` `|` `/` `,` (and their full-width
/// forms, except the full-width comma, which is ordinary Chinese prose punctuation), the
/// ideograph `丨` that such runs use as a bar, and a capital `I` standing as one between
/// an ideograph and anything but a letter (`熟女网站I91黄版`).
fn run_separators(line: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut prev = ' ';
    let mut chars = line.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            let before = prev;
            prev = c;
            let sep = match c {
                '-' | '_' | '|' | '/' | ',' | '｜' | '－' | '＿' | '／' | '丨' => true,
                'I' => {
                    let after = chars.peek().map_or(' ', |&(_, c)| c);
                    let han = |c: char| qinglang_text::is_han(c);
                    (han(before) || han(after))
                        && !before.is_ascii_alphabetic()
                        && !after.is_ascii_alphabetic()
                        || (han(before) && after.is_ascii_digit())
                }
                _ => false,
            };
            if sep {
                return Some((at, at + c.len_utf8()));
            }
        }
        None
    })
}

/// Sentences: a line that ends clauses like prose is never a keyword run, however short
/// its clauses (a news report listing 黄赌毒 between commas).
fn reads_as_prose(line: &str) -> bool {
    line.contains(['。', '！', '？']) || line.matches('，').nth(1).is_some()
}

/// Whether a line is written in clauses at all: prose, Chinese or not, puts a comma, a stop
/// or a colon within every few dozen characters. A long line with none is a list or a run of
/// words joined by spaces (`最新地址网址导航 草榴社区 91地址 …`), whose terms are not diluted.
fn in_clauses(line: &str) -> bool {
    line.contains([
        '，', '。', '！', '？', '；', '：', '、', ',', '.', ';', ':', '!', '?',
    ])
}

/// Clauses ended with half-width marks: at least two `,` or `;` right after an ideograph
/// and before another or a line's end.
fn half_width_clauses(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    let mut previous = ' ';
    let mut clauses = 0;
    while let Some(c) = chars.next() {
        if matches!(c, ',' | ';')
            && qinglang_text::is_han(previous)
            && chars
                .peek()
                .is_none_or(|&n| qinglang_text::is_han(n) || n == '\n' || n == '\r')
        {
            clauses += 1;
            if clauses >= 2 {
                return true;
            }
        }
        previous = c;
    }
    false
}

/// Lists written as Chinese prose writes them: items joined by the enumeration comma `、`
/// (`色情：色情传播、x用品、av女优、…`), at least four of them. Keyword runs join their items
/// with `_`, `|`, `-` or spaces, not with the mark of a sentence's series.
fn enumerates(text: &str) -> bool {
    text.matches('、').nth(3).is_some()
}

/// Counts letters, digits and ideographs: what a reader would call the characters.
fn real_chars(s: &str) -> u32 {
    s.chars().filter(|&c| is_real(c)).count() as u32
}

/// `char::is_alphanumeric` with fast paths for ASCII and ideographs, which are nearly all
/// of the text this runs on.
#[inline]
fn is_real(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        // Prose's punctuation (general punctuation, CJK marks, full-width signs) is the
        // rest of nearly every text: ranges that hold no letter or digit, decided without
        // the Unicode tables.
        qinglang_text::is_han(c)
            || !matches!(c as u32, 0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3020
                | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
                && c.is_alphanumeric()
    }
}

/// Score of a hit on the whole text. A trained model's rises through the review band as its
/// probability goes from `model_review` to 1; a flood campaign's is a review-level hit's.
/// Block-level ones score as a block-level term.
fn whole_text_score(hit: &Hit<'_>, policy: &Policy) -> u8 {
    if hit.action() == Action::Block {
        return policy.block_hit_score.max(policy.block_threshold);
    }
    let Some(p) = hit.probability() else {
        return policy
            .review_hit_score
            .clamp(policy.review_threshold, policy.block_threshold - 1);
    };
    let band = f32::from(policy.block_threshold - 1 - policy.review_threshold);
    let share = ((p - policy.model_review) / (1.0 - policy.model_review).max(1e-6)).clamp(0.0, 1.0);
    policy.review_threshold + (share * band).round() as u8
}

pub(crate) fn decide<'e>(text: &str, mut hits: Vec<Hit<'e>>, policy: &Policy) -> Verdict<'e> {
    if !policy.categories_off.is_empty() {
        hits.retain(|h| !policy.categories_off.iter().any(|c| **c == *h.category()));
    }
    let mut verdict = decide_hits(text, hits, policy);
    // Strict categories: any of their lexicon or rule hits (a cue only where it made
    // stuffing) blocks. A model's finding stays a finding: alone it never blocks.
    let strict = |h: &Hit<'_>| {
        h.probability().is_none() && policy.categories_block.iter().any(|c| **c == *h.category())
    };
    if !policy.categories_block.is_empty()
        && verdict.score < policy.block_threshold
        && verdict.hits.iter().any(strict)
    {
        verdict.score = policy.block_threshold.max(policy.block_hit_score);
        verdict.suggestion = Suggestion::Block;
        for h in &verdict.hits {
            if strict(h) && !verdict.labels.contains(&h.category()) {
                verdict.labels.push(h.category());
            }
        }
    }
    verdict
}

fn decide_hits<'e>(text: &str, hits: Vec<Hit<'e>>, policy: &Policy) -> Verdict<'e> {
    if hits.is_empty() {
        return Verdict {
            suggestion: Suggestion::Pass,
            score: 0,
            labels: Vec::new(),
            hits,
            segments: Vec::new(),
        };
    }
    let mut segments = Vec::new();
    let mut labels: Vec<&'e str> = Vec::new();
    let mut score = 0u8;
    // A model or the flood check judged the whole text, so their hits are scored on their
    // own, never diluted as prose; the segments below weigh lexicon and rule hits.
    let model_hits = hits.iter().filter(|h| h.is_whole_text()).count();
    // An article: at least `article_min_chars` real characters, written in sentences.
    // Messages and comments are shorter; a keyword run is not written in sentences. A news
    // report or a police notice is one from three fifths of that length on: a news item's
    // lead is shorter than the comments the length rule keeps out. Cheapest tests first
    // (a character is at least one byte): most texts with a hit are short messages.
    let short_report = policy.article_min_chars * 3 / 5;
    let long_enough = text.len() >= short_report as usize;
    let prose = long_enough && reads_as_prose(text);
    // A regulation or a technical document copied as plain text may end its clauses with
    // half-width marks (`…申請相關許可;`), or list its items between `、`: enough to be
    // read as reporting, which two of its own markers must still confirm; only prose makes
    // an article of any other text.
    let real = if prose || (long_enough && (half_width_clauses(text) || enumerates(text))) {
        real_chars(text)
    } else {
        0
    };
    let reports = real >= short_report && is_reporting(text);
    let article = reports || (prose && real >= policy.article_min_chars);
    let reporting = reports;
    // In an article, what its sentences and headings name is reporting (a regulation lists
    // 侮辱谩骂, a police notice names 裸聊): such evidence counts `article_factor` as much.
    let in_article = |score: u8| {
        if article {
            (f32::from(score) * policy.article_factor) as u8
        } else {
            score
        }
    };
    let mut spam_block = false;
    let mut spam_label = None;
    let owned: Vec<Hit<'e>>;
    let lexical: &[Hit<'e>] = if model_hits == 0 {
        &hits
    } else {
        for hit in hits.iter().filter(|h| h.is_whole_text()) {
            let mut s = whole_text_score(hit, policy);
            spam_block |= hit.is_spam_model() && hit.action() == Action::Block;
            // The abuse model learned from comments; a flood is about other messages, and
            // the fraud rule (its model included) weighed whole calls and messages: kept whole.
            if hit.probability().is_some()
                && !hit.is_fraud_evidence()
                && hit.action() != Action::Block
            {
                s = in_article(s);
            }
            // The spam model learned keyword runs and titles: its doubt alone about a text
            // written in sentences (`家长可登录学校官网在线报名，…。`) counts as in an article.
            // Not where the text gives a contact (an ad exclaims too: `【！招主播高薪！】快加
            // →微信…`), nor where a line of it is no sentence (a shop's keyword list over
            // its sentences: `飞机号购买, 苹果ID发卡网, 谷歌邮箱批发, …`).
            if hit.is_spam_model()
                && hit.action() != Action::Block
                && !article
                && text
                    .lines()
                    .filter(|l| real_chars(l) > 0)
                    .all(reads_as_prose)
                && !hits.iter().any(Hit::is_contact)
            {
                s = (f32::from(s) * policy.article_factor) as u8;
            }
            if s >= policy.review_threshold {
                // The spam model's label comes after what the text's own words name
                // (`porn`, `gambling`): it says only that the text is spam.
                if hit.is_spam_model() {
                    spam_label = Some(hit.category());
                } else if !labels.contains(&hit.category()) {
                    labels.push(hit.category());
                }
            }
            score = score.max(s);
        }
        owned = hits
            .iter()
            .filter(|h| !h.is_whole_text())
            .copied()
            .collect();
        &owned
    };
    // A message of a few lines is one ad: its title sells, its last line gives the number.
    // An article's contacts are its own.
    let contact_in_message = !article && lexical.iter().any(Hit::is_contact);
    let evasive_contact_in_message = !article && lexical.iter().any(Hit::is_evasive_contact);
    // …and its telling cues of a sold trade, wherever they stand: its title names the film,
    // a later line the show (`深夜福利` … `嫩模直播`).
    let message_cues = if contact_in_message {
        distinct_patterns(lexical.iter().filter(is_telling_sold_cue))
    } else {
        0
    };
    let written = reports || (prose && real >= short_report);
    // Every line with a hit, judged on its own first.
    let mut lines: Vec<JudgedLine> = Vec::new();
    let mut i = 0;
    while i < lexical.len() {
        // The line holding hit i, and every hit that starts in it.
        let line_start = text[..lexical[i].byte_start]
            .rfind('\n')
            .map_or(0, |p| p + 1);
        let line_end = text[lexical[i].byte_start..]
            .find('\n')
            .map_or(text.len(), |p| lexical[i].byte_start + p);
        let mut j = i;
        while j < lexical.len() && lexical[j].byte_start < line_end {
            j += 1;
        }
        let seg = score_segment(
            &text[line_start..line_end],
            line_start,
            &lexical[i..j],
            Context {
                reporting,
                written,
                contact_in_message,
                evasive_contact_in_message,
                message_cues,
            },
            policy,
        );
        lines.push(JudgedLine {
            start: line_start,
            end: line_end,
            hits: i..j,
            seg,
        });
        i = j;
    }
    // What a written text's own sentences discuss: the block terms of its lines read as
    // prose. A heading that names one of them is the article's subject
    // (`《揭开网上打胎药的神秘面纱》` over paragraphs on 打胎药), not a hacked page's title,
    // whose cloned body never names its words.
    let mut discussed: Vec<u32> = Vec::new();
    if written && !reporting {
        for line in &lines {
            if line.seg.0 == SegmentKind::Prose {
                discussed.extend(
                    lexical[line.hits.clone()]
                        .iter()
                        .filter(|h| h.action() == Action::Block)
                        .map(|h| h.pattern),
                );
            }
        }
    }
    let mut stuffing_lines: Vec<(usize, usize)> = Vec::new();
    for line in lines {
        let (line_start, line_end, mut seg) = (line.start, line.end, line.seg);
        let (i, j) = (line.hits.start, line.hits.end);
        if seg.0 == SegmentKind::Short && seg.1 >= policy.block_threshold && !discussed.is_empty() {
            let mut blocks = lexical[i..j]
                .iter()
                .filter(|h| h.action() == Action::Block)
                .peekable();
            if blocks.peek().is_some() && blocks.all(|h| discussed.contains(&h.pattern)) {
                seg.1 = (f32::from(seg.1) * policy.article_factor) as u8;
            }
        }
        // Prose, and headings that name a category without a block-level term.
        if seg.0 == SegmentKind::Prose
            || (seg.0 == SegmentKind::Short
                && (reporting || !lexical[i..j].iter().any(|h| h.action() == Action::Block)))
        {
            seg.1 = in_article(seg.1);
        }
        // A notice's own hotline or shop link (REV-11 item 4): contacts alone, in a text
        // signed `【…】` or carrying an opt-out, weigh `notice_contact_factor`; a line that
        // sells sex or gambling beside them is no notice's (`【2026官方发布】` heads ads).
        if seg.0 != SegmentKind::Solicitation
            && lexical[i..j]
                .iter()
                .all(|h| h.is_contact() || h.action() == Action::Cue)
            && is_notice(text)
        {
            seg.1 = (f32::from(seg.1) * policy.notice_contact_factor) as u8;
        }
        if matches!(seg.0, SegmentKind::Stuffing | SegmentKind::Solicitation) {
            stuffing_lines.push((line_start, line_end));
        }
        // A line with nothing but cues that did not add up says nothing.
        if seg.1 > 0 || lexical[i..j].iter().any(|h| h.action() != Action::Cue) {
            segments.push(SegmentScore {
                byte_start: line_start,
                byte_end: line_end,
                kind: seg.0,
                score: seg.1,
            });
        }
        if seg.1 >= policy.review_threshold {
            // Cues name a category only where they made the line stuffing.
            let cues_count = matches!(seg.0, SegmentKind::Stuffing | SegmentKind::Solicitation);
            for hit in lexical[i..j]
                .iter()
                .filter(|h| cues_count || h.action() != Action::Cue)
            {
                if !labels.contains(&hit.category()) {
                    labels.push(hit.category());
                }
            }
        }
        score = score.max(seg.1);
    }
    // Where the spam model blocked, its cues bore it out: they are reported, and name their
    // categories.
    if spam_block {
        for hit in lexical.iter().filter(|h| h.action() == Action::Cue) {
            if !labels.contains(&hit.category()) {
                labels.push(hit.category());
            }
        }
    }
    if let Some(label) = spam_label.filter(|l| !labels.contains(l)) {
        labels.push(label);
    }
    // Elsewhere cues are reported only where they made a line stuffing: beyond it they are
    // ordinary words.
    let mut hits = hits;
    hits.retain(|h| {
        h.action() != Action::Cue
            || spam_block
            || stuffing_lines
                .iter()
                .any(|&(a, b)| a <= h.byte_start && h.byte_start < b)
    });
    let suggestion = if score >= policy.block_threshold {
        Suggestion::Block
    } else if score >= policy.review_threshold {
        Suggestion::Review
    } else {
        Suggestion::Pass
    };
    Verdict {
        suggestion,
        score,
        labels,
        hits,
        segments,
    }
}

/// One line of a text with the hits that start in it (`hits`, indices into the lexical
/// hits) and how the line was judged on its own.
struct JudgedLine {
    start: usize,
    end: usize,
    hits: std::ops::Range<usize>,
    seg: (SegmentKind, u8),
}

fn score_segment(
    line: &str,
    line_start: usize,
    hits: &[Hit<'_>],
    context: Context,
    policy: &Policy,
) -> (SegmentKind, u8) {
    let mut block_terms: Vec<u32> = Vec::new();
    let mut review_terms: Vec<u32> = Vec::new();
    // Terms alone, and terms and cues together (the evidence a keyword run is made of).
    let whole_line = (line_start, line_start + line.len());
    let mut covered = Coverage::within(whole_line);
    let mut evidence = Coverage::within(whole_line);
    // A keyword run made by permuting one stem (`97在线精品视频-97在线看视频-…`,
    // `操碰久久-操碰国产-…`): the repeated stem is the site's, evidence with the cues.
    // Where the items of a keyword run end (the line's end closes the last).
    let mut seps: Vec<(usize, usize)> = run_separators(line).collect();
    seps.push((line.len(), line.len()));
    let stems = if hits.iter().any(|h| h.action() == Action::Cue) {
        repeated_stems(line, &seps)
    } else {
        Vec::new()
    };
    let mut stem_spans = stems
        .iter()
        .map(|&(a, b)| (line_start + a, line_start + b))
        .peekable();
    let mut cues = Cues::default();
    for hit in hits {
        while let Some(&(a, b)) = stem_spans.peek().filter(|s| s.0 <= hit.byte_start) {
            evidence.add_span(a, b, line, line_start);
            stem_spans.next();
        }
        evidence.add(hit, line, line_start);
        if hit.action() == Action::Cue {
            cues.add(hit);
            continue;
        }
        let list = match hit.action() {
            Action::Block => &mut block_terms,
            _ => &mut review_terms,
        };
        if !list.contains(&hit.pattern) {
            list.push(hit.pattern);
        }
        covered.add(hit, line, line_start);
    }
    for (a, b) in stem_spans {
        evidence.add_span(a, b, line, line_start);
    }
    review_terms.retain(|p| !block_terms.contains(p));
    let distinct = (block_terms.len() + review_terms.len()) as u32;
    let clamp = |v: u32| v.min(100) as u8;

    // Keyword run: items between separators, short on average.
    let mut items = 0u32;
    let mut item_chars = 0u32;
    let mut evidence_items = 0u32;
    // Items that are themselves mostly cues (`日韩精品人妻`), whatever the rest of the line.
    let mut stuffed_items = 0u32;
    let mut stuffed_item = false;
    let mut item_start = 0usize;
    let mut next_hit = 0usize;
    for &(sep_start, sep_end) in &seps {
        let item = &line[item_start..sep_start];
        let n = real_chars(item);
        if n > 0 {
            items += 1;
            item_chars += n;
            let (lo, hi) = (line_start + item_start, line_start + sep_start);
            let mut has_evidence = false;
            let mut in_item = Coverage::within((lo, hi));
            let mut item_cues = Cues::default();
            while next_hit < hits.len() && hits[next_hit].byte_start < hi {
                let hit = &hits[next_hit];
                if hit.byte_start >= lo {
                    has_evidence = true;
                    in_item.add(hit, line, line_start);
                    match hit.action() {
                        Action::Cue => item_cues.add(hit),
                        Action::Block => {
                            item_cues.distinct += 1;
                            item_cues.telling += 1;
                        }
                        _ => {}
                    }
                }
                next_hit += 1;
            }
            evidence_items += u32::from(has_evidence);
            let mostly_cues =
                item_cues.telling > 0 && in_item.chars as f32 >= policy.cue_min_coverage * n as f32;
            stuffed_items += u32::from(item_cues.distinct >= 2 && mostly_cues);
            // One item that is a whole keyword run by itself, joined to an ordinary headline
            // (`…典型案例|99久久精品国产一区二区三区`).
            stuffed_item |= mostly_cues && item_cues.distinct >= policy.cue_min_distinct;
        }
        item_start = sep_end;
    }
    let is_run = items >= policy.run_min_items
        && item_chars <= policy.run_max_item_chars * items
        && !reads_as_prose(line);
    if is_run && evidence_items >= policy.run_min_hit_items && !block_terms.is_empty() {
        let extra =
            u32::from(policy.extra_term_score) * (evidence_items - policy.run_min_hit_items);
        return (
            SegmentKind::Stuffing,
            clamp(u32::from(policy.stuffing_score) + extra),
        );
    }
    // Cues: ordinary words alone (精品, 久久, 国产), unmistakable as most of a line, or as
    // most of two items of a keyword run.
    // Review-level terms and rules' findings (contacts, fraud evidence) cover a line but
    // never count as its words: review terms alone never add up to a block (REV-2).
    let lexical_blocks = hits
        .iter()
        .filter(|h| h.is_lexical() && h.action() == Action::Block)
        .map(|h| h.pattern);
    let mut seen_blocks: Vec<u32> = Vec::new();
    for p in lexical_blocks {
        if !seen_blocks.contains(&p) {
            seen_blocks.push(p);
        }
    }
    let words = cues.distinct + seen_blocks.len() as u32;
    let telling = cues.telling > 0 || !seen_blocks.is_empty();
    let cue_line = cues.distinct > 0
        && telling
        && words >= policy.cue_min_distinct
        && evidence.chars as f32 >= policy.cue_min_coverage * item_chars.max(1) as f32;
    let cue_run = items >= policy.run_min_items
        && stuffed_items >= policy.run_min_hit_items
        && cues.distinct > 0
        && telling
        && words >= policy.cue_min_distinct;
    // A hacked page's cloned article puts a casino's name where the institution's stood, with
    // the betting site's code glued to it (`3044am永利集团`): the brand is a gambling cue.
    // A review-level name of a trade's family counts too (`买球网站毕业生`): a category
    // noun (博彩) does not.
    let site_code = hits.iter().any(|h| {
        (matches!(h.action(), Action::Cue | Action::Block)
            || h.subcategory().is_some_and(|f| f != COMMON_WORD_FAMILY))
            && h.category() == "gambling"
            && (glued_site_code(line, h.byte_start - line_start, h.byte_end - line_start)
                || heads_an_institution(
                    h.term(),
                    &line[..h.byte_start - line_start],
                    &line[h.byte_end - line_start..],
                ))
    });
    // The same clone without a code: a betting platform's name in the form its promotion
    // uses (`太阳成集团`, `易游平台`) stands where an institution's name stood. Such names
    // are never diluted as prose or as an article's reporting, unless the line itself
    // names gambling as such (`赌博`, `博彩` at review level): that is a police notice or
    // a news report about the platform.
    let platform_named = hits.iter().any(|h| {
        h.action() == Action::Block
            && h.category() == "gambling"
            && h.subcategory() == Some(PLATFORM_FAMILY)
    }) && !hits
        .iter()
        .any(|h| h.action() == Action::Review && h.category() == "gambling");
    // Sentences quote a site's name and call it a gambling site (a police report); a run's
    // item is no clause.
    let stuffed_item = stuffed_item && !reads_as_prose(line);
    if cue_line || cue_run || stuffed_item || site_code || platform_named {
        let extra = u32::from(policy.extra_term_score)
            * evidence_items.saturating_sub(policy.run_min_hit_items);
        return (
            SegmentKind::Stuffing,
            clamp(u32::from(policy.stuffing_score) + extra),
        );
    }
    if !context.reporting && solicits(line, hits, context) {
        return (
            SegmentKind::Solicitation,
            clamp(u32::from(policy.stuffing_score)),
        );
    }
    if distinct == 0 {
        // Cues that did not add up to stuffing are no evidence at all.
        return (SegmentKind::Short, 0);
    }

    let base = if block_terms.is_empty() {
        policy.review_hit_score
    } else {
        policy.block_hit_score
    };
    let raw = u32::from(base) + u32::from(policy.extra_term_score) * distinct.saturating_sub(1);
    // Separators are not real characters, so the items add up to the whole line.
    let chars = item_chars;
    let coverage = covered.chars as f32 / chars.max(1) as f32;
    // Many block terms on a long line are a list, unless the line is written in sentences
    // (an encyclopedia paragraph on Macau names 百家乐, 轮盘 and 老虎机 among its games):
    // spam written as sentences packs its terms closer than `prose_max_coverage`.
    // Sentences that sell are still an ad: several block terms, one of them a trade's own
    // (`学生妹` of `porn/escort` among 冰火, 颜射 and 制服诱惑 in an escort ad's paragraph),
    // in a text that does not report. A health page's acts are no trade's words, and an
    // encyclopedia names the games of a casino (百家乐, 轮盘): the platforms' family has its
    // own rule above.
    let sells = !context.reporting
        && block_terms.len() as u32 >= policy.prose_undiluted_block_terms
        && hits.iter().any(is_trade_block_word);
    let prose = chars >= policy.prose_min_chars
        && coverage < policy.prose_max_coverage
        && ((block_terms.len() as u32) < policy.prose_undiluted_block_terms
            || (reads_as_prose(line) && !sells))
        && in_clauses(line);
    // One of an article's sentences shorter than prose's lines (`三级片就是色情片。`, a
    // health page's `这包括口交、肛交…。`) names what the article is about: a human reads it,
    // it is not blocked. A title or a run is no sentence, and an escort ad's sentences sell.
    let article_sentence = context.written
        && !context.reporting
        && chars < policy.prose_min_chars
        && coverage < policy.prose_max_coverage
        && (block_terms.len() as u32) < policy.prose_undiluted_block_terms
        && !sells
        && reads_as_prose(line);
    let (kind, score) = if prose {
        (
            SegmentKind::Prose,
            clamp((raw as f32 * policy.prose_factor) as u32),
        )
    } else if article_sentence {
        (
            SegmentKind::Short,
            clamp((raw as f32 * policy.article_factor) as u32),
        )
    } else {
        (SegmentKind::Short, clamp(raw))
    };
    // Review-level terms ask for a human, however many of them there are (REV-2).
    if block_terms.is_empty() {
        (kind, score.min(policy.block_threshold.saturating_sub(1)))
    } else {
        (kind, score)
    }
}
/// What a segment's score depends on beyond its own hits.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// The whole text reports on what it names (two reporting markers).
    reporting: bool,
    /// The whole text is written in sentences and is as long as a news item's lead at
    /// least (`article_min_chars` three fifths), or reports.
    written: bool,
    /// The text is a message, not an article, and gives a contact in some line.
    contact_in_message: bool,
    /// …and one of its contacts is disguised or on a messenger ads move to
    /// (`Hit::is_evasive_contact`).
    evasive_contact_in_message: bool,
    /// Distinct telling cues of a sold trade in the whole message, when it has a contact.
    message_cues: usize,
}

/// Categories whose trade is sold by a contact in spam: sex (escorts included), gambling,
/// illegal services (surrogacy, private game servers, VPNs) and fraud's services (fake
/// invoices, cash-out, bought engagement). Of the last, only the curated families' words
/// count: a scam's own vocabulary has no family of its trade there.
const SOLD_CATEGORIES: &[&str] = &["porn", "gambling", "contraband", "fraud"];

/// Whether a line sells sex or gambling and gives the way to buy it: a contact (REV-6) in
/// it, or anywhere in a message that is not an article, and, of those categories, a
/// review-level term of a trade's family (`网赌被黑…+微97930511`, `外送茶+Line：…`) or two
/// distinct telling cues (`买球…人妻…` with a QQ number). One cue beside a number is not
/// enough (`萝莉裙 加微信`, a shop), and a line written in sentences may be a warning that
/// quotes a scammer's id; a text that reports never gets here. Ads ask and exclaim
/// (`被黑怎么办？`): one sentence's end is still an ad's.
fn solicits(line: &str, hits: &[Hit<'_>], context: Context) -> bool {
    let contact_here = hits.iter().any(Hit::is_contact);
    if !(context.contact_in_message || contact_here) {
        return false;
    }
    // A block-level word of a trade's own family with the number in the same line is an ad
    // however many clauses it runs to (`…花呗取现，…白条取现【132-0571-9740微信】服务于：…`):
    // a warning that quotes a scammer's number reports, and never gets here.
    if contact_here && hits.iter().any(is_trade_block_word) {
        return true;
    }
    let sold = |h: &&Hit<'_>| h.is_lexical() && SOLD_CATEGORIES.contains(&h.category());
    let ends = line.matches(['。', '！', '？']).count();
    // Clauses ended with half-width commas are clauses too (a news site's
    // `12月2日,…收到一條…短信:“…,諮詢QQ:…”,李小姐…`).
    if ends >= 2 || line.matches('，').nth(1).is_some() || half_width_clauses(line) {
        return false;
    }
    // A trade's own words are curated with their family (`porn/escort`,
    // `gambling/withdrawal_recovery`); a review-level word without one is a category noun
    // (色情, 博彩: a moderation API's documentation names them beside its URL) or a word
    // the generated lists tag loosely (文胸, 夜总会: shops and clubs give numbers too).
    if hits.iter().filter(sold).any(|h| {
        h.action() == Action::Review && h.subcategory().is_some_and(|f| f != COMMON_WORD_FAMILY)
    }) {
        return true;
    }
    let telling = distinct_patterns(hits.iter().filter(is_telling_sold_cue));
    let common = distinct_patterns(hits.iter().filter(|h| {
        sold(h)
            && h.action() == Action::Cue
            && h.norm_len() >= 2
            && h.subcategory() == Some(COMMON_WORD_FAMILY)
    }));
    // A number or a link written in disguise (`網紙:95536 · CC`, `136乀7027乀0005`), or an
    // id on Telegram or LINE, is evasion already: one word of the trade beside it is an ad
    // (`麻将胡了爆分` with a disguised link, `竞彩足球` with a Telegram id), or two of the
    // words its runs are made of (`国产在线` before `202277點Cc`). A plain number beside
    // them is a shop's (`国产手机 加微信`).
    let evasive = context.evasive_contact_in_message || hits.iter().any(Hit::is_evasive_contact);
    let traded = hits.iter().filter(sold).any(|h| {
        h.action() != Action::Cue && h.subcategory().is_some_and(|f| f != COMMON_WORD_FAMILY)
    });
    if evasive && (telling >= 1 || common >= 2 || traded) {
        return true;
    }
    telling >= 2 || (telling >= 1 && context.message_cues >= 2)
}

/// A block-level word of a sold trade's own family (`porn/escort` 学生妹, `fraud/loan`
/// 花呗取现): not the words its runs are made of (`common_word`) nor a platform's name,
/// which has its own rule.
fn is_trade_block_word(h: &Hit<'_>) -> bool {
    h.is_lexical()
        && h.action() == Action::Block
        && SOLD_CATEGORIES.contains(&h.category())
        && h.subcategory()
            .is_some_and(|f| f != COMMON_WORD_FAMILY && f != PLATFORM_FAMILY)
}

/// How many distinct terms (normalised patterns) the hits are of.
fn distinct_patterns<'h, 'e: 'h>(hits: impl Iterator<Item = &'h Hit<'e>>) -> usize {
    let mut seen: Vec<u32> = Vec::new();
    for h in hits {
        if !seen.contains(&h.pattern) {
            seen.push(h.pattern);
        }
    }
    seen.len()
}

/// A cue of a sold trade that ordinary titles do not use: not of the `common_word` family,
/// two characters or more.
fn is_telling_sold_cue(h: &&Hit<'_>) -> bool {
    h.is_lexical()
        && SOLD_CATEGORIES.contains(&h.category())
        && h.action() == Action::Cue
        && h.subcategory() != Some(COMMON_WORD_FAMILY)
        && h.norm_len() >= 2
}

/// The stem a keyword run repeats at the start of its items (`seps`: where they end, as
/// [`run_separators`] finds them, the line's end last), as byte spans of `line`: the
/// longest beginning of two to six characters that at least three items, and at least half
/// of them, share. Ordinary titles repeat a stem too (`欧洲杯_欧洲杯直播_欧洲杯赛程`): a stem
/// is evidence only beside cues, never alone.
fn repeated_stems(line: &str, seps: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for &(a, b) in seps {
        let item = &line[from..a];
        let lead = item.len() - item.trim_start().len();
        if !item.trim().is_empty() {
            items.push((from + lead, a));
        }
        from = b;
    }
    if items.len() < 3 {
        return Vec::new();
    }
    for chars in (2..=6).rev() {
        let stem_of = |&(a, b): &(usize, usize)| {
            let item = &line[a..b];
            let end = item.char_indices().nth(chars).map(|(i, _)| i)?;
            // A stem is followed by more: an item that is only the stem is its own word.
            Some(&item[..end]).filter(|s| s.chars().all(|c| !c.is_whitespace()))
        };
        let mut best: Option<(&str, usize)> = None;
        for item in &items {
            let Some(stem) = stem_of(item) else { continue };
            if best.is_some_and(|(s, _)| s == stem) {
                continue;
            }
            let count = items.iter().filter(|i| stem_of(i) == Some(stem)).count();
            if best.is_none_or(|(_, n)| count > n) {
                best = Some((stem, count));
            }
        }
        if let Some((stem, _)) = best.filter(|&(_, n)| n >= 3 && 2 * n >= items.len()) {
            return items
                .iter()
                .filter(|i| stem_of(i) == Some(stem))
                .map(|&(a, _)| (a, a + stem.len()))
                .collect();
        }
    }
    Vec::new()
}

/// Real characters of a window (a line, an item of a run; byte offsets in the text) covered
/// by hits, each counted once however many hits overlap it (hits come in text order).
struct Coverage {
    chars: u32,
    end: usize,
    window: (usize, usize),
}

impl Coverage {
    fn within(window: (usize, usize)) -> Coverage {
        Coverage {
            chars: 0,
            end: window.0,
            window,
        }
    }

    /// Counts what `hit` adds; `line` is the text from byte `line_start`, holding the window.
    fn add(&mut self, hit: &Hit<'_>, line: &str, line_start: usize) {
        self.add_span(hit.byte_start, hit.byte_end, line, line_start);
    }

    /// Counts what bytes `start..end` of the text add (spans come in order of their start).
    fn add_span(&mut self, start: usize, end: usize, line: &str, line_start: usize) {
        let from = self.end.max(start);
        let to = end.min(self.window.1);
        if from < to {
            self.chars += real_chars(&line[from - line_start..to - line_start]);
        }
        self.end = self.end.max(end);
    }
}

/// Distinct cues, counted in units of two characters (a single character says little; a
/// four-character cue such as 精品国产 is two words of a run, 一区二区三区 three).
/// `telling` counts the units of cues that ordinary titles do not use (一区二区, 人妻,
/// 国产精品), apart from those of the family [`COMMON_WORD_FAMILY`] (日本, 草莓, 官网).
#[derive(Default)]
struct Cues {
    seen: Vec<u32>,
    distinct: u32,
    telling: u32,
}

impl Cues {
    fn add(&mut self, hit: &Hit<'_>) {
        if hit.norm_len() >= 2 && !self.seen.contains(&hit.pattern) {
            self.seen.push(hit.pattern);
            let units = (hit.norm_len() / 2).min(3);
            self.distinct += units;
            if hit.subcategory() != Some(COMMON_WORD_FAMILY) {
                self.telling += units;
            }
        }
    }
}

/// The lexicon family of cues that are common words of ordinary titles as well as of
/// keyword runs (places: 日本 韩国 欧美; fruit: 草莓 蜜桃; a site's words: 官网 登录 app):
/// any number of them is a travel guide, a fruit price list, a film site's menu or an app's
/// download page (`韩国电影-日本电影-欧美电影`). They count towards stuffing only beside a
/// cue outside the family or a block term: `porn/common_word`, `gambling/common_word`.
pub(crate) const COMMON_WORD_FAMILY: &str = "common_word";
