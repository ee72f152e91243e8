//! Character folding tables: what each input character becomes before matching.
//!
//! The tables are built once, when a [`Folder`] is constructed, from a handful of small
//! sources (Unicode ranges written down here, OpenCC's Traditional→Simplified character
//! table shipped in `data/`). After construction a lookup is one array index for the Basic
//! Multilingual Plane and a short range test above it: no allocation, no hashing.

/// What a single input character contributes to the normalised stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// A real character (letter, digit, ideograph), already folded to its canonical form.
    Char(char),
    /// Two real characters from one input character (`⑩` → `10`).
    Pair(char, char),
    /// Invisible: zero-width characters, BOM, soft hyphen, variation selectors, bidi
    /// controls, combining marks. Dropped as if it were not there.
    Skip,
    /// Whitespace, punctuation, symbols, emoji: dropped from the stream, but counted, because
    /// only a small number of them may sit between two characters of one term.
    Noise,
    /// A line break: nothing may match across it.
    Break,
}

// Encoding of one table cell: the low 21 bits carry a char (or an index into `pairs`), the
// bits above carry the kind. Kept in one u32 so the BMP table is 256 KiB and cache friendly
// for the ranges real text uses.
const KIND_SHIFT: u32 = 24;
const KIND_CHAR: u32 = 0;
const KIND_PAIR: u32 = 1;
const KIND_SKIP: u32 = 2;
const KIND_NOISE: u32 = 3;
const KIND_BREAK: u32 = 4;
const PAYLOAD_MASK: u32 = (1 << KIND_SHIFT) - 1;

/// OpenCC's Traditional→Simplified character table (Apache-2.0, see `data/PROVENANCE.md`).
const T2S_SOURCE: &str = include_str!("../data/opencc-TSCharacters.txt");

/// Unicode NFKC single-character mappings of the BMP (`scripts/gen_nfkc_table.py`).
const NFKC_SOURCE: &str = include_str!("../data/nfkc-single.txt");

/// The same for the astral blocks that hide ordinary characters: enclosed ideographs
/// (🈶 有, 🉑 可), segmented digits, CJK compatibility ideographs (`scripts/gen_nfkc_table.py`).
const NFKC_ASTRAL_SOURCE: &str = include_str!("../data/nfkc-astral.txt");

/// Latin letters with diacritics and the ASCII letter they decompose to (`séx` reads like
/// `se\u{301}x`, whose combining mark is dropped anyway; `scripts/gen_nfkc_table.py`).
const LATIN_BASE_SOURCE: &str = include_str!("../data/latin-base.txt");

/// The folding tables. Construct once and share; lookups take `&self`.
#[derive(Clone)]
pub struct Folder {
    bmp: Box<[u32]>,
    pairs: Vec<(char, char)>,
    /// Traditional→Simplified for the few keys outside the BMP, sorted by key.
    astral_t2s: Vec<(char, char)>,
    /// NFKC forms of the astral compatibility characters (`nfkc-astral.txt`), sorted by key.
    astral_nfkc: Vec<(char, char)>,
}

impl std::fmt::Debug for Folder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folder")
            .field("pairs", &self.pairs.len())
            .field("astral_t2s", &self.astral_t2s.len())
            .field("astral_nfkc", &self.astral_nfkc.len())
            .finish_non_exhaustive()
    }
}

impl Default for Folder {
    fn default() -> Self {
        Self::new()
    }
}

impl Folder {
    /// Builds the tables. Takes about a millisecond; do it once per process or engine.
    pub fn new() -> Folder {
        let mut raw: Vec<Raw> = (0u32..0x10000)
            .map(|cp| match char::from_u32(cp) {
                Some(c) => classify_bmp(c),
                None => Raw::Noise, // surrogate code points never occur in a &str
            })
            .collect();
        // Compatibility characters (Kangxi radicals ⾊, enclosed ideographs ㊥, letterlike ℍ)
        // take their NFKC form unless a rule above already decided what they are.
        for (from, to) in nfkc_pairs() {
            let cell = &mut raw[from as usize];
            let undecided = match *cell {
                Raw::Noise => true,
                Raw::Map(c) => c == from || c.to_lowercase().eq(from.to_lowercase()),
                _ => false,
            };
            if undecided && invisible(from as u32).is_none() {
                *cell = Raw::Map(to);
            }
        }
        // Accented Latin letters read as their base letter, where nothing above decided
        // otherwise (a look-alike rule, a compatibility form).
        for (from, to) in parse_hex_pairs(LATIN_BASE_SOURCE) {
            let cell = &mut raw[from as usize];
            if let Raw::Map(c) = *cell {
                if c == from || c.to_lowercase().eq(from.to_lowercase()) {
                    *cell = Raw::Map(to);
                }
            }
        }
        let mut astral_t2s = Vec::new();
        for (from, to) in t2s_pairs() {
            if (from as u32) < 0x10000 {
                if matches!(raw[from as usize], Raw::Map(_)) {
                    raw[from as usize] = Raw::Map(to);
                }
            } else {
                astral_t2s.push((from, to));
            }
        }
        astral_t2s.sort_unstable();
        astral_t2s.dedup_by_key(|p| p.0);

        // Close the mapping under itself so that folding is idempotent: `Ａ` → `A` → `a`,
        // `貳` → `贰` → `2`. Chains are short; the bound only guards against a cycle in data.
        let resolve = |mut c: char, raw: &[Raw]| -> Raw {
            for _ in 0..8 {
                if (c as u32) >= 0x10000 {
                    return Raw::Map(c);
                }
                match raw[c as usize] {
                    Raw::Map(next) if next == c => return Raw::Map(c),
                    Raw::Map(next) => c = next,
                    other => return other,
                }
            }
            Raw::Map(c)
        };
        let mut bmp = vec![0u32; 0x10000].into_boxed_slice();
        let mut pairs: Vec<(char, char)> = Vec::new();
        for cp in 0..0x10000usize {
            let cell = match raw[cp] {
                Raw::Map(c) => match resolve(c, &raw) {
                    Raw::Map(r) => (KIND_CHAR << KIND_SHIFT) | r as u32,
                    Raw::Pair(a, b) => pair_cell(&mut pairs, a, b),
                    Raw::Skip => KIND_SKIP << KIND_SHIFT,
                    Raw::Noise => KIND_NOISE << KIND_SHIFT,
                    Raw::Break => KIND_BREAK << KIND_SHIFT,
                },
                Raw::Pair(a, b) => pair_cell(&mut pairs, a, b),
                Raw::Skip => KIND_SKIP << KIND_SHIFT,
                Raw::Noise => KIND_NOISE << KIND_SHIFT,
                Raw::Break => KIND_BREAK << KIND_SHIFT,
            };
            bmp[cp] = cell;
        }
        let mut astral_nfkc: Vec<(char, char)> = parse_hex_pairs(NFKC_ASTRAL_SOURCE).collect();
        astral_nfkc.sort_unstable();
        Folder {
            bmp,
            pairs,
            astral_t2s,
            astral_nfkc,
        }
    }

    /// Folds one character.
    #[inline]
    pub fn fold(&self, c: char) -> Fold {
        let cp = c as u32;
        if cp < 0x10000 {
            let cell = self.bmp[cp as usize];
            let payload = cell & PAYLOAD_MASK;
            match cell >> KIND_SHIFT {
                KIND_CHAR => Fold::Char(char::from_u32(payload).unwrap_or(c)),
                KIND_PAIR => {
                    let (a, b) = self.pairs[payload as usize];
                    Fold::Pair(a, b)
                }
                KIND_SKIP => Fold::Skip,
                KIND_BREAK => Fold::Break,
                _ => Fold::Noise,
            }
        } else {
            self.fold_astral(c)
        }
    }

    #[cold]
    fn fold_astral(&self, c: char) -> Fold {
        let cp = c as u32;
        match cp {
            // Tags and variation selectors supplement: invisible.
            0xE0000..=0xE007F | 0xE0100..=0xE01EF => Fold::Skip,
            // Mathematical alphanumeric symbols: 𝐀 𝒂 𝟏 … are letters and digits in disguise.
            0x1D400..=0x1D7FF => math_alnum(cp).map_or(Fold::Noise, Fold::Char),
            // Enclosed alphanumeric supplement: 🄰 🅐 🅰 are boxed Latin letters.
            0x1F130..=0x1F149 => letter(cp - 0x1F130),
            0x1F150..=0x1F169 => letter(cp - 0x1F150),
            0x1F170..=0x1F189 => letter(cp - 0x1F170),
            0x1F110..=0x1F129 => letter(cp - 0x1F110),
            0x1F100 => Fold::Char('0'),
            0x1F101..=0x1F10A => digit(cp - 0x1F101),
            // Skin-tone modifiers change the emoji before them: not a character of their own.
            0x1F3FB..=0x1F3FF => Fold::Skip,
            // Enclosed ideographs (🈶 有), segmented digits, compatibility ideographs: their
            // NFKC form, folded like any other character (無 → 无).
            0x1F200..=0x1F2FF | 0x1FBF0..=0x1FBF9 | 0x2F800..=0x2FA1F => {
                // Targets lie outside these blocks, so this recurses once at most.
                match self.astral_nfkc.binary_search_by_key(&c, |p| p.0) {
                    Ok(i) => self.fold(self.astral_nfkc[i].1),
                    Err(_) => Fold::Noise,
                }
            }
            // Everything else in the emoji and symbol blocks is noise.
            0x1F000..=0x1FBFF => Fold::Noise,
            _ => match self.astral_t2s.binary_search_by_key(&c, |p| p.0) {
                Ok(i) => Fold::Char(self.astral_t2s[i].1),
                Err(_) if c.is_alphanumeric() => Fold::Char(c),
                Err(_) => Fold::Noise,
            },
        }
    }
}

fn letter(offset: u32) -> Fold {
    Fold::Char(char::from(b'a' + offset as u8))
}

fn digit(value: u32) -> Fold {
    Fold::Char(char::from(b'0' + value as u8))
}

fn pair_cell(pairs: &mut Vec<(char, char)>, a: char, b: char) -> u32 {
    let index = pairs.iter().position(|&p| p == (a, b)).unwrap_or_else(|| {
        pairs.push((a, b));
        pairs.len() - 1
    });
    (KIND_PAIR << KIND_SHIFT) | index as u32
}

/// Construction-time classification of one BMP character.
#[derive(Clone, Copy)]
enum Raw {
    Map(char),
    Pair(char, char),
    Skip,
    Noise,
    Break,
}

fn number(n: u32) -> Raw {
    let d = |v: u32| char::from(b'0' + v as u8);
    if n < 10 {
        Raw::Map(d(n))
    } else {
        Raw::Pair(d(n / 10), d(n % 10))
    }
}

fn classify_bmp(c: char) -> Raw {
    let cp = c as u32;
    if let Some(r) = invisible(cp) {
        return r;
    }
    // A lone carriage return (old Mac line ends), vertical tab and form feed end a line on
    // screen too.
    if matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}' | '\u{85}'
    ) {
        return Raw::Break;
    }
    if let Some(r) = compatibility(cp) {
        return r;
    }
    if let Some(r) = numeral(c) {
        return r;
    }
    if let Some(l) = lookalike(c).or_else(|| disguised_ideograph(c)) {
        return Raw::Map(l);
    }
    if (0xFF01..=0xFF5E).contains(&cp) {
        // Full-width ASCII: fold to ASCII, then the closure folds case.
        return char::from_u32(cp - 0xFEE0).map_or(Raw::Noise, classify_bmp_ascii);
    }
    if !c.is_alphanumeric() {
        return Raw::Noise;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Raw::Map(l),
        _ => Raw::Map(c),
    }
}

fn classify_bmp_ascii(c: char) -> Raw {
    if c.is_ascii_alphanumeric() {
        Raw::Map(c.to_ascii_lowercase())
    } else {
        Raw::Noise
    }
}

fn invisible(cp: u32) -> Option<Raw> {
    let skip = matches!(cp,
        0x00..=0x08 | 0x0E..=0x1F | 0x7F..=0x84 | 0x86..=0x9F
        | 0x00AD            // soft hyphen
        | 0x034F            // combining grapheme joiner
        | 0x0300..=0x036F   // combining diacritical marks
        | 0x061C            // Arabic letter mark
        | 0x115F | 0x1160 | 0x3164 | 0xFFA0 // Hangul fillers render as nothing
        | 0x17B4 | 0x17B5
        | 0x180B..=0x180F   // Mongolian variation selectors and vowel separator
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x200B..=0x200F   // zero-width space, non-joiner, joiner, LRM, RLM
        | 0x202A..=0x202E   // bidi embeddings and overrides
        | 0x2060..=0x2064   // word joiner, invisible operators
        | 0x2066..=0x206F   // bidi isolates, deprecated format characters
        | 0xFE00..=0xFE0F   // variation selectors
        | 0xFEFF            // byte order mark / zero-width no-break space
        | 0xFFF9..=0xFFFB);
    skip.then_some(Raw::Skip)
}

/// Circled, parenthesised, full-stop, super- and subscript letters and digits.
fn compatibility(cp: u32) -> Option<Raw> {
    let letter = |o: u32| Raw::Map(char::from(b'a' + o as u8));
    Some(match cp {
        0x2460..=0x2473 => number(cp - 0x2460 + 1),  // ① … ⑳
        0x2474..=0x2487 => number(cp - 0x2474 + 1),  // ⑴ … ⒇
        0x2488..=0x249B => number(cp - 0x2488 + 1),  // ⒈ … ⒛
        0x249C..=0x24B5 => letter(cp - 0x249C),      // ⒜ … ⒵
        0x24B6..=0x24CF => letter(cp - 0x24B6),      // Ⓐ … Ⓩ
        0x24D0..=0x24E9 => letter(cp - 0x24D0),      // ⓐ … ⓩ
        0x24EA | 0x24FF => number(0),                // ⓪ ⓿
        0x24EB..=0x24F4 => number(cp - 0x24EB + 11), // ⓫ … ⓴
        0x24F5..=0x24FE => number(cp - 0x24F5 + 1),  // ⓵ … ⓾
        0x2776..=0x277F => number(cp - 0x2776 + 1),  // ❶ … ❿
        0x2780..=0x2789 => number(cp - 0x2780 + 1),  // ➀ … ➉
        0x278A..=0x2793 => number(cp - 0x278A + 1),  // ➊ … ➓
        0x3251..=0x325F => number(cp - 0x3251 + 21), // ㉑ … ㉟
        0x32B1..=0x32BF => number(cp - 0x32B1 + 36), // ㊱ … ㊿
        0x3220..=0x3229 => number(cp - 0x3220 + 1),  // ㈠ … ㈩
        0x3280..=0x3289 => number(cp - 0x3280 + 1),  // ㊀ … ㊉
        0x2070 | 0x2080 => number(0),
        0x00B9 | 0x2081 => number(1),
        0x00B2 | 0x2082 => number(2),
        0x00B3 | 0x2083 => number(3),
        0x2074..=0x2079 => number(cp - 0x2070),
        0x2084..=0x2089 => number(cp - 0x2080),
        0x2071 | 0x1D62 => Raw::Map('i'),
        0x207F => Raw::Map('n'),
        0x2090 | 0x1D43 => Raw::Map('a'),
        0x2091 | 0x1D49 => Raw::Map('e'),
        0x2092 | 0x1D52 => Raw::Map('o'),
        0x2093 | 0x02E3 => Raw::Map('x'),
        0x2095 | 0x02B0 => Raw::Map('h'),
        0x2096 | 0x1D4F => Raw::Map('k'),
        0x2097 | 0x02E1 => Raw::Map('l'),
        0x2098 | 0x1D50 => Raw::Map('m'),
        0x2099 => Raw::Map('n'),
        0x209A | 0x1D56 => Raw::Map('p'),
        0x209B | 0x02E2 => Raw::Map('s'),
        0x209C | 0x1D57 => Raw::Map('t'),
        0x1D47 => Raw::Map('b'),
        0x1D48 => Raw::Map('d'),
        0x1D4D => Raw::Map('g'),
        0x02B2 => Raw::Map('j'),
        0x02B3 => Raw::Map('r'),
        0x1D58 => Raw::Map('u'),
        0x1D5B => Raw::Map('v'),
        0x02B7 => Raw::Map('w'),
        0x02B8 => Raw::Map('y'),
        0x3000 => Raw::Noise, // ideographic space
        _ => return None,
    })
}

/// Chinese and financial numerals (大写数字) fold to ASCII digits, in text and terms alike,
/// so `叁` and `三` and `3` are one character to the matcher. Positional words (十, 百, 千,
/// 万) are not digits and stay as they are.
fn numeral(c: char) -> Option<Raw> {
    let v = match c {
        '〇' | '零' => 0,
        '一' | '壹' | '弌' => 1,
        '二' | '贰' | '貳' | '弍' | '两' | '兩' => 2,
        '三' | '叁' | '弎' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    };
    Some(number(v))
}

/// Cyrillic and Greek letters that render like Latin ones. The choice follows what renders
/// alike in common CJK UI fonts, not phonetics (`р` is `p`, `у` is `y`).
fn lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'Β' | 'β' | 'ь' | 'Ь' => 'b',
        'с' | 'С' | 'ϲ' | 'Ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'ё' | 'Ё' | 'ε' | 'Ε' => 'e',
        'ғ' => 'f',
        'һ' | 'Һ' | 'н' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ї' | 'Ї' | 'ι' | 'Ι' | 'ӏ' | 'Ӏ' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'п' | 'η' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' | 'σ' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' | 'Ԛ' => 'q',
        'г' | 'Г' => 'r',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        // Ze is the digit three in a number typed to dodge a filter (`1З00█507█З60`).
        'З' | 'з' => '3',
        'υ' | 'μ' => 'u',
        'ν' | 'ѵ' | 'Ѵ' => 'v',
        'ԝ' | 'Ԝ' | 'ω' | 'ш' | 'Ш' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'γ' | 'Υ' | 'Ү' | 'ү' => 'y',
        'Ζ' => 'z',
        _ => return None,
    })
}

/// Rare ideographs that ordinary text all but never uses, written in spam for the common one
/// they look like: 媺, 嶶 and 溦 for 微 (`119.11.562媺`, `1 З 5-电-ЗЗ45-嶶-З429` in seo-fresh10,
/// `「『溦』——７７４３９８——」` in seo-fresh11).
/// A common character that resembles a cue (徽 in 安徽) is never folded; the contact rules
/// read it as a cue only where an id follows.
fn disguised_ideograph(c: char) -> Option<char> {
    match c {
        '媺' | '嶶' | '溦' => Some('微'),
        _ => None,
    }
}

/// Mathematical alphanumeric symbols (U+1D400–U+1D7FF) back to ASCII.
fn math_alnum(cp: u32) -> Option<char> {
    if (0x1D7CE..=0x1D7FF).contains(&cp) {
        return char::from_u32('0' as u32 + (cp - 0x1D7CE) % 10);
    }
    if (0x1D400..=0x1D6A3).contains(&cp) {
        // 13 alphabets of 52 letters (A–Z then a–z); holes in the block are unassigned.
        let i = (cp - 0x1D400) % 52;
        return char::from_u32('a' as u32 + i % 26);
    }
    None
}

/// Parses `nfkc-single.txt`: `XXXX<TAB>YYYY` hex code points, `#` comments.
fn nfkc_pairs() -> impl Iterator<Item = (char, char)> {
    parse_hex_pairs(NFKC_SOURCE)
}

/// `XXXX<TAB>YYYY` hex code points per line, `#` comments.
fn parse_hex_pairs(source: &'static str) -> impl Iterator<Item = (char, char)> {
    source
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let (a, b) = line.split_once('\t')?;
            let a = char::from_u32(u32::from_str_radix(a, 16).ok()?)?;
            let b = char::from_u32(u32::from_str_radix(b, 16).ok()?)?;
            Some((a, b))
        })
}

/// Parses OpenCC's `TSCharacters.txt`: `traditional<TAB>simplified[ alternative…]`. The
/// first alternative is OpenCC's default; single characters only.
fn t2s_pairs() -> impl Iterator<Item = (char, char)> {
    T2S_SOURCE.lines().filter_map(|line| {
        let (from, to) = line.split_once('\t')?;
        let mut f = from.chars();
        let from = f.next().filter(|_| f.next().is_none())?;
        let to = to.split(' ').next()?;
        let mut t = to.chars();
        let to = t.next().filter(|_| t.next().is_none())?;
        (from != to).then_some((from, to))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_is_a_fixpoint_on_every_bmp_output() {
        let f = Folder::new();
        for cp in 0..0x10000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let outs = match f.fold(c) {
                Fold::Char(a) => vec![a],
                Fold::Pair(a, b) => vec![a, b],
                _ => continue,
            };
            for o in outs {
                assert_eq!(f.fold(o), Fold::Char(o), "{c:?} U+{cp:04X} folds to {o:?}");
            }
        }
    }

    #[test]
    fn representative_folds() {
        let f = Folder::new();
        let cases = [
            ('Ａ', Fold::Char('a')),
            ('賭', Fold::Char('赌')),
            ('叁', Fold::Char('3')),
            ('貳', Fold::Char('2')),
            ('①', Fold::Char('1')),
            ('⑩', Fold::Pair('1', '0')),
            ('Ⓕ', Fold::Char('f')),
            ('⁹', Fold::Char('9')),
            ('₈', Fold::Char('8')),
            ('а', Fold::Char('a')),
            ('\u{200B}', Fold::Skip),
            ('\u{FEFF}', Fold::Skip),
            ('\u{FE0F}', Fold::Skip),
            ('❤', Fold::Noise),
            ('😀', Fold::Noise),
            ('\n', Fold::Break),
            ('𝐀', Fold::Char('a')),
            ('⾊', Fold::Char('色')),
            ('㊥', Fold::Char('中')),
            ('ℍ', Fold::Char('h')),
            ('ſ', Fold::Char('s')),
            ('嶶', Fold::Char('微')),
            ('媺', Fold::Char('微')),
            ('溦', Fold::Char('微')),
        ];
        for (c, want) in cases {
            assert_eq!(f.fold(c), want, "{c:?}");
        }
    }
}
