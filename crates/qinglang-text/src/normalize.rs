//! The normaliser: one pass from original text to the stream the matcher sees, with a map
//! from every normalised character back to where it came from.

use crate::fold::{Fold, Folder};

/// Marks a line break in [`Pos::gap`]: no term may span it.
pub const GAP_BREAK: u8 = u8::MAX;
/// Set in [`Pos::gap`] when the noise includes clause punctuation (`，。；！？、` and ASCII
/// `,;!?`): ordinary prose puts it between words, so the matcher is stricter across it.
pub const GAP_CLAUSE: u8 = 0x80;
/// The noise count part of [`Pos::gap`].
pub const GAP_COUNT: u8 = 0x7F;

/// Where one normalised character came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Byte offset of this character in [`Normalized::text`].
    pub norm_byte: u32,
    /// Byte span of the original character(s) that produced it.
    pub orig_start: u32,
    pub orig_end: u32,
    /// Noise characters between the previous normalised character and this one
    /// (count in [`GAP_COUNT`] bits, saturating; [`GAP_CLAUSE`] set when one of them is
    /// clause punctuation; [`GAP_BREAK`] when a line break lies between them).
    pub gap: u8,
}

/// The normalised form of one input: real characters only, folded, with their origins.
///
/// Reuse one value across inputs with [`Normalizer::normalize_into`]: the buffers keep their
/// capacity, so steady-state scanning allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    text: String,
    pos: Vec<Pos>,
}

impl Normalized {
    /// The normalised characters: folded, with noise, invisible characters and pinyin
    /// annotations removed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// One entry per character of [`Normalized::as_str`].
    pub fn positions(&self) -> &[Pos] {
        &self.pos
    }

    /// Index into [`Normalized::positions`] of the character starting at `norm_byte`.
    pub fn index_of_byte(&self, norm_byte: usize) -> Option<usize> {
        self.pos
            .binary_search_by_key(&(norm_byte as u32), |p| p.norm_byte)
            .ok()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.pos.clear();
    }
}

/// Folds text for matching. Cheap to share (`&self` everywhere); build one per engine.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    folder: Folder,
}

impl Normalizer {
    pub fn new() -> Normalizer {
        Normalizer {
            folder: Folder::new(),
        }
    }

    /// The underlying character table.
    pub fn folder(&self) -> &Folder {
        &self.folder
    }

    /// Normalises `input` into a fresh value.
    pub fn normalize(&self, input: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(input, &mut out);
        out
    }

    /// Normalised text only (used for lexicon terms and tests).
    pub fn normalize_str(&self, input: &str) -> String {
        let mut text = String::new();
        self.normalize_text_into(input, &mut text);
        text
    }

    /// Normalises `input` into `out`, replacing its contents.
    ///
    /// Inputs longer than `u32::MAX` bytes are truncated at that length: offsets are stored
    /// as `u32` to keep the map small, and no single message is anywhere near 4 GiB.
    pub fn normalize_into(&self, input: &str, out: &mut Normalized) {
        out.clear();
        let input = truncate_to_u32(input);
        out.text.reserve(input.len());
        out.pos.reserve(input.len() / 2);
        self.run(input, out);
    }

    /// Normalises `input` into `text` without the position map: the fast first pass when
    /// only the question "is there any candidate at all?" matters.
    pub fn normalize_text_into(&self, input: &str, text: &mut String) {
        text.clear();
        let input = truncate_to_u32(input);
        text.reserve(input.len());
        self.run(input, text);
    }

    /// The original byte span of normalised characters `first..=last` (indices into what
    /// [`Normalizer::normalize_into`] would write for `input`): from the start of the
    /// character that produced `first` to the end of the one that produced `last`.
    ///
    /// One pass that stops at `last` and writes nothing: for a text that needs one span of
    /// its normalised form pointed at (a classifier's finding) and no position map.
    /// `None` when `last` is past the end or before `first`.
    pub fn locate(&self, input: &str, first: usize, last: usize) -> Option<(usize, usize)> {
        if last < first {
            return None;
        }
        let mut sink = Locate {
            next: 0,
            first,
            last,
            start: None,
            end: None,
        };
        self.run(truncate_to_u32(input), &mut sink);
        Some((sink.start?, sink.end?))
    }

    /// The one normalisation pass; `sink` decides what is kept of each character written
    /// (the text, the map, or just where two of them came from) and may stop it early.
    #[inline]
    fn run<S: Sink>(&self, input: &str, sink: &mut S) {
        let bytes = input.as_bytes();
        let mut gap: u8 = 0;
        let mut i = 0usize;
        // Whether the last real character was an ideograph directly followed by what we are
        // looking at now: only then can `(yè)` be a converter's pinyin annotation.
        let mut after_han_end: Option<usize> = None;
        // Where noise would continue the emoji before it rather than start a new one: right
        // after a zero-width joiner that follows an emoji (👨‍👩‍👧 is one emoji), or after
        // the first regional indicator of a flag. One visible emoji counts as one noise
        // character. A joiner after a letter joins nothing visible: what follows it counts.
        let mut cluster_at = usize::MAX;
        let mut cluster_flag = false;
        // The end of the last noise character and the invisible ones right after it.
        let mut noise_end = usize::MAX;
        while i < bytes.len() {
            let b = bytes[i];
            let (c, len) = if b < 0x80 {
                (b as char, 1)
            } else {
                // `input` is a &str and `i` is always a char boundary.
                match input[i..].chars().next() {
                    Some(c) => (c, c.len_utf8()),
                    None => break,
                }
            };
            let start = i;
            i += len;
            // A numeric character reference (`&#x4EBA;&#x59BB;`, `&#20154;`) is the character
            // it names: pages and posts carry text escaped that way, and spam escapes its
            // words on purpose. The whole reference maps back to the one character.
            let c = if b == b'&' {
                match numeric_reference(&bytes[i..]) {
                    Some((named, used)) => {
                        i += used;
                        named
                    }
                    None => c,
                }
            } else {
                c
            };
            match self.folder.fold(c) {
                Fold::Char(f) => {
                    if !sink.push(f, start, i, gap) {
                        return;
                    }
                    gap = 0;
                    after_han_end = is_han(c).then_some(i);
                }
                Fold::Pair(a, b2) => {
                    if !(sink.push(a, start, i, gap) && sink.push(b2, start, i, 0)) {
                        return;
                    }
                    gap = 0;
                    after_han_end = None;
                }
                Fold::Skip => {
                    // Invisible characters do not separate an ideograph from its annotation.
                    if after_han_end == Some(start) {
                        after_han_end = Some(i);
                    }
                    if S::GAPS && noise_end == start {
                        noise_end = i;
                        if c == '\u{200D}' {
                            cluster_at = i;
                            cluster_flag = false;
                        }
                    }
                }
                Fold::Noise => {
                    if (c == '(' || c == '（') && after_han_end == Some(start) {
                        if let Some(end) = pinyin_annotation(&input[i..]) {
                            // The annotation vanishes; the ideograph before it may still be
                            // followed by another annotation-free character.
                            i += end;
                            after_han_end = Some(i);
                            continue;
                        }
                    }
                    // Only the map counts gaps (a constant: the other passes skip this).
                    let counted = S::GAPS && {
                        let flag_half = ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
                        // Only a pictograph continues an emoji: a comma or a space after a
                        // joiner is a separator of its own (and a comma keeps its clause mark).
                        let continues = start == cluster_at
                            && if cluster_flag {
                                flag_half
                            } else {
                                is_pictograph(c)
                            };
                        noise_end = i;
                        if continues {
                            cluster_at = usize::MAX;
                        } else if flag_half {
                            cluster_at = i;
                            cluster_flag = true;
                        }
                        !continues && gap != GAP_BREAK
                    };
                    if counted {
                        // Saturate one below the mask so that count|clause never equals
                        // GAP_BREAK.
                        let count = (gap & GAP_COUNT).saturating_add(1).min(GAP_COUNT - 1);
                        let clause = if is_clause_punctuation(c) {
                            GAP_CLAUSE
                        } else {
                            gap & GAP_CLAUSE
                        };
                        gap = count | clause;
                    }
                    after_han_end = None;
                }
                Fold::Break => {
                    gap = GAP_BREAK;
                    after_han_end = None;
                }
            }
        }
    }
}

/// What one normalisation pass keeps of each character it writes.
trait Sink {
    /// Whether the noise between characters is worth counting (only the map keeps it).
    const GAPS: bool;
    /// Takes normalised character `c`, made from original bytes `start..end`, after `gap`
    /// noise; `false` stops the pass.
    fn push(&mut self, c: char, start: usize, end: usize, gap: u8) -> bool;
}

/// The text alone: the fast first pass.
impl Sink for String {
    const GAPS: bool = false;
    #[inline(always)]
    fn push(&mut self, c: char, _: usize, _: usize, _: u8) -> bool {
        String::push(self, c);
        true
    }
}

/// The text and the map back to the original.
impl Sink for Normalized {
    const GAPS: bool = true;
    #[inline(always)]
    fn push(&mut self, c: char, start: usize, end: usize, gap: u8) -> bool {
        let norm_byte = self.text.len() as u32;
        self.text.push(c);
        self.pos.push(Pos {
            norm_byte,
            orig_start: start as u32,
            orig_end: end as u32,
            gap,
        });
        true
    }
}

/// Where normalised characters `first` and `last` came from; stops at `last`.
struct Locate {
    next: usize,
    first: usize,
    last: usize,
    start: Option<usize>,
    end: Option<usize>,
}

impl Sink for Locate {
    const GAPS: bool = false;
    #[inline(always)]
    fn push(&mut self, _: char, start: usize, end: usize, _: u8) -> bool {
        if self.next == self.first {
            self.start = Some(start);
        }
        if self.next == self.last {
            self.end = Some(end);
            return false;
        }
        self.next += 1;
        true
    }
}

fn truncate_to_u32(input: &str) -> &str {
    let max = u32::MAX as usize;
    if input.len() <= max {
        return input;
    }
    let mut end = max;
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    &input[..end]
}

/// The character named by a numeric character reference whose `&` came right before
/// `rest` (`#x4EBA;`, `#20154;`), and how many bytes of `rest` the reference takes.
/// At most 7 digits, a scalar value, and the closing `;`: anything else stays as written.
fn numeric_reference(rest: &[u8]) -> Option<(char, usize)> {
    let (radix, digits_at) = match rest {
        [b'#', b'x' | b'X', ..] => (16, 2),
        [b'#', ..] => (10, 1),
        _ => return None,
    };
    let digits = rest[digits_at..]
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_hexdigit() && (radix == 16 || b.is_ascii_digit()))
        .count();
    if digits == 0 || digits > 7 || rest.get(digits_at + digits) != Some(&b';') {
        return None;
    }
    let text = std::str::from_utf8(&rest[digits_at..digits_at + digits]).ok()?;
    let named = char::from_u32(u32::from_str_radix(text, radix).ok()?)?;
    Some((named, digits_at + digits + 1))
}

/// Symbols and emoji that a zero-width joiner can join into one picture (❤, ★, 👩, 🌈).
fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF)
}

fn is_clause_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '！' | '？' | '、' | ',' | ';' | '!' | '?' | '｡' | '､'
    )
}

/// CJK Unified Ideographs (and extension A, compatibility ideographs).
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Recognises the rest of a pinyin annotation after its opening parenthesis: one syllable
/// of Latin letters (with tone marks, or a tone digit), then a closing parenthesis. Returns
/// the byte length up to and including the closing parenthesis.
///
/// A tone mark or tone digit is required, so that ordinary parenthesised words such as
/// `(apple)` or `(ok)` are left alone.
fn pinyin_annotation(rest: &str) -> Option<usize> {
    let mut letters = 0;
    let mut toned = false;
    for (at, c) in rest.char_indices() {
        match c {
            ')' | '）' => {
                return (letters > 0 && toned).then_some(at + c.len_utf8());
            }
            'a'..='z' | 'A'..='Z' | 'ü' | 'ê' => letters += 1,
            // Tone marks written as combining characters after the vowel (NFD): `dǔ` as
            // `du` + U+030C; the diaeresis of `ü` likewise.
            '\u{0300}' | '\u{0301}' | '\u{0304}' | '\u{030C}' if letters > 0 => toned = true,
            '\u{0308}' if letters > 0 => {}
            'ā' | 'á' | 'ǎ' | 'à' | 'ē' | 'é' | 'ě' | 'è' | 'ī' | 'í' | 'ǐ' | 'ì' | 'ō' | 'ó'
            | 'ǒ' | 'ò' | 'ū' | 'ú' | 'ǔ' | 'ù' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ń' | 'ň' | 'ǹ' | 'ḿ' =>
            {
                letters += 1;
                toned = true;
            }
            '1'..='5' if letters > 0 && !toned => toned = true,
            _ => return None,
        }
        if letters > 7 {
            return None;
        }
    }
    None
}
