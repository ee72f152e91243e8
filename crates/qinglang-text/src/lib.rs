//! Text folding for qinglang: turns disguised text into the canonical stream the matcher
//! reads, and keeps a map back to the original so every finding points at real characters.
//!
//! Requirement REV-3: full-width/half-width, case, Traditional→Simplified, compatibility
//! forms (① ⑴ ⒈ Ⓕ ⁹ ₈), Chinese and financial numerals, Cyrillic/Greek look-alikes,
//! invisible characters and converters' pinyin annotations (`業(yè)`) are all folded here.
//! Whitespace, punctuation, symbols and emoji are removed from the stream but counted per
//! position ([`Pos::gap`]), so the matcher can allow a small bounded number of them inside a
//! term while a real character in between still breaks it.
//!
//! This crate does no I/O and never fails on text.

mod fold;
mod normalize;

pub use fold::{Fold, Folder};
pub use normalize::{is_han, Normalized, Normalizer, Pos, GAP_BREAK, GAP_CLAUSE, GAP_COUNT};

/// Converts increasing byte offsets into offsets in Unicode scalar values, in one forward
/// sweep over the text. Offsets must be char boundaries; they should mostly increase.
#[derive(Debug)]
pub struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    pub fn new(text: &'a str) -> CharCounter<'a> {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// Scalar-value offset of `byte`. Going backwards is allowed and costs the distance.
    pub fn char_offset(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        // Counting UTF-8 lead bytes is exact for valid UTF-8 and avoids decoding.
        let leads = |s: &[u8]| s.iter().filter(|&&b| (b as i8) >= -0x40).count();
        if byte >= self.byte {
            self.chars += leads(&self.text.as_bytes()[self.byte..byte]);
        } else {
            self.chars -= leads(&self.text.as_bytes()[byte..self.byte]);
        }
        self.byte = byte;
        self.chars
    }
}
