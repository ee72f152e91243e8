//! Pictures (REV-10): bytes in, verdict out, pure like the engine.
//!
//! A picture is decoded within hard limits ([`Limits`]), its QR codes found and decoded
//! ([`qr`]), and every payload reviewed by the text engine as one text, a line each, so that
//! contacts, links, lexicon terms, fraud evidence and the classifier all apply; each hit
//! says which piece of the picture it is in (`part`: `qr`, `ocr`, `image`) and where (`bbox`
//! in the picture's pixels). Its perceptual hash ([`PerceptualHash`]) is what known-bad
//! lists match.

use std::time::{Duration, Instant};

use qinglang_engine::{Engine, Hit, Scratch, Verdict};

mod decode;
mod hash;
pub mod qr;

pub use decode::{decode, ImageError, Limits};
pub use hash::PerceptualHash;

/// Where in the picture a piece of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A decoded QR code's payload.
    Qr,
    /// A line of text read from the picture.
    Ocr,
    /// The picture as a whole (a known-bad list's match).
    Image,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Qr => "qr",
            Part::Ocr => "ocr",
            Part::Image => "image",
        }
    }
}

/// A text found in the picture and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub part: Part,
    pub text: String,
    /// `[x, y, width, height]` in the picture's pixels.
    pub bbox: [u32; 4],
}

/// How a picture is reviewed.
#[derive(Debug, Clone)]
pub struct Options {
    pub limits: Limits,
    /// Time for everything after decoding; what is left undone past it is reported.
    pub budget: Duration,
    pub qr: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            budget: Duration::from_millis(1500),
            qr: true,
        }
    }
}

/// The review of one picture.
#[derive(Debug, Clone)]
pub struct ImageReview<'e> {
    pub width: u32,
    pub height: u32,
    /// `png`, `jpeg`, `webp` or `gif`.
    pub format: &'static str,
    pub pieces: Vec<Piece>,
    /// The pieces' texts, one line each, as the engine read them.
    pub text: String,
    /// Where each piece starts in `text`: (byte, character).
    starts: Vec<(usize, usize)>,
    pub verdict: Verdict<'e>,
    pub hash: PerceptualHash,
    /// The budget ran out before every step was done.
    pub incomplete: bool,
}

/// A hit placed in the picture: its piece and its character span in the piece's text.
#[derive(Debug, Clone, Copy)]
pub struct PlacedHit<'r, 'e> {
    pub hit: &'r Hit<'e>,
    pub piece: &'r Piece,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

impl<'e> ImageReview<'e> {
    /// Each hit with the piece it is in and its span in that piece's text.
    pub fn placed_hits(&self) -> Vec<PlacedHit<'_, 'e>> {
        self.verdict
            .hits
            .iter()
            .filter_map(|hit| {
                // The last piece that starts at or before the hit: a hit never crosses a
                // line, and every piece is one line.
                let i = self
                    .starts
                    .partition_point(|&(byte, _)| byte <= hit.byte_start)
                    .checked_sub(1)?;
                let (byte, chars) = self.starts[i];
                Some(PlacedHit {
                    hit,
                    piece: self.pieces.get(i)?,
                    start: hit.start - chars,
                    end: hit.end - chars,
                    byte_start: hit.byte_start - byte,
                    byte_end: hit.byte_end - byte,
                })
            })
            .collect()
    }
}

/// Reviews the picture in `bytes` with `engine`.
pub fn review<'e>(
    engine: &'e Engine,
    bytes: &[u8],
    options: &Options,
    scratch: &mut Scratch,
) -> Result<ImageReview<'e>, ImageError> {
    let (image, format) = decode(bytes, &options.limits)?;
    let started = Instant::now();
    let deadline = started + options.budget;
    let gray = image.to_luma8();
    let hash = PerceptualHash::of(&image);
    let mut pieces = Vec::new();
    if options.qr {
        pieces.extend(qr::find(&gray, deadline).into_iter().map(|f| Piece {
            part: Part::Qr,
            // A payload is one line to the engine, whatever it holds.
            text: f.payload.replace(['\n', '\r'], " "),
            bbox: f.bbox,
        }));
    }
    let incomplete = Instant::now() >= deadline;
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pieces.len());
    let mut chars = 0;
    for piece in &pieces {
        if !text.is_empty() {
            text.push('\n');
            chars += 1;
        }
        starts.push((text.len(), chars));
        text.push_str(&piece.text);
        chars += piece.text.chars().count();
    }
    let verdict = engine.scan_with(&text, scratch);
    Ok(ImageReview {
        width: image.width(),
        height: image.height(),
        format: match format {
            image::ImageFormat::Png => "png",
            image::ImageFormat::Jpeg => "jpeg",
            image::ImageFormat::WebP => "webp",
            _ => "gif",
        },
        pieces,
        text,
        starts,
        verdict,
        hash,
        incomplete,
    })
}
