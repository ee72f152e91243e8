//! Pictures (REV-10): bytes in, verdict out, pure like the engine.
//!
//! A picture is decoded within hard limits ([`Limits`]), its QR codes found and decoded
//! ([`qr`]), its text read ([`ocr`]), and every payload and paragraph reviewed by the text engine as one text, a line each, so that
//! contacts, links, lexicon terms, fraud evidence and the classifier all apply; each hit
//! says which piece of the picture it is in (`part`: `qr`, `ocr`, `image`) and where (`bbox`
//! in the picture's pixels). Its perceptual hash ([`PerceptualHash`]) is what known-bad
//! lists match.

use std::time::{Duration, Instant};

use qinglang_engine::{Engine, Hit, Scratch, Suggestion, Verdict};

mod decode;
mod hash;
pub mod ocr;
pub mod qr;

pub use decode::{decode, ImageError, Limits};
pub use hash::PerceptualHash;
pub use ocr::{Line, Ocr, OcrError};

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

/// A text found in the picture and where: a QR code's payload, or a paragraph of OCR lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub part: Part,
    pub text: String,
    /// `[x, y, width, height]` in the picture's pixels.
    pub bbox: [u32; 4],
    /// The OCR lines the paragraph was joined from (empty for other parts).
    pub lines: Vec<LineSpan>,
}

/// Where one OCR line lies in its paragraph's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSpan {
    /// Byte and character offsets of the line's start in the paragraph, and its length in
    /// bytes.
    pub byte: usize,
    pub chars: usize,
    pub len: usize,
    pub bbox: [u32; 4],
}

/// How a picture is reviewed.
#[derive(Debug, Clone)]
pub struct Options {
    pub limits: Limits,
    /// Time for everything after decoding; what is left undone past it is reported.
    pub budget: Duration,
    pub qr: bool,
    /// Read the text in the picture (the costly step: about half a second a screenshot).
    pub ocr: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            budget: Duration::from_millis(2000),
            qr: true,
            ocr: true,
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
    /// Every line OCR read, before lines were joined into paragraphs (empty without OCR).
    pub lines: Vec<Line>,
    /// The budget ran out (or a limit was reached) before every step was done.
    pub incomplete: bool,
    /// OCR was asked for but could not run; the rest of the review stands.
    pub ocr_failure: Option<String>,
}

/// A hit placed in the picture: the narrowest text it lies in (the OCR line when it lies in
/// one, else its piece), that text's box, and the hit's span in that text.
#[derive(Debug, Clone, Copy)]
pub struct PlacedHit<'r, 'e> {
    pub hit: &'r Hit<'e>,
    pub piece: &'r Piece,
    pub part: Part,
    /// The OCR line's text, or the piece's.
    pub text: &'r str,
    pub bbox: [u32; 4],
    /// Character and byte span in `text`.
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    /// Byte span in the piece's text.
    pub piece_bytes: (usize, usize),
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
                let piece = self.pieces.get(i)?;
                let (start, end) = (hit.start - chars, hit.end - chars);
                let (byte_start, byte_end) = (hit.byte_start - byte, hit.byte_end - byte);
                let line = piece
                    .lines
                    .iter()
                    .find(|l| l.byte <= byte_start && byte_end <= l.byte + l.len);
                Some(match line {
                    Some(l) => PlacedHit {
                        hit,
                        piece,
                        part: piece.part,
                        text: piece.text.get(l.byte..l.byte + l.len)?,
                        bbox: l.bbox,
                        start: start - l.chars,
                        end: end - l.chars,
                        byte_start: byte_start - l.byte,
                        byte_end: byte_end - l.byte,
                        piece_bytes: (byte_start, byte_end),
                    },
                    None => PlacedHit {
                        hit,
                        piece,
                        part: piece.part,
                        text: &piece.text,
                        bbox: piece.bbox,
                        start,
                        end,
                        byte_start,
                        byte_end,
                        piece_bytes: (byte_start, byte_end),
                    },
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
    // Loading the networks is the process's cost, paid once, not this picture's: a node
    // that was not warmed must not send its first picture to review for running out of time.
    let ocr = options.ocr.then(Ocr::shared);
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
            lines: Vec::new(),
        }));
    }
    let mut incomplete = false;
    let mut lines = Vec::new();
    let mut ocr_failure = None;
    if let Some(ocr) = ocr {
        match ocr {
            Ok(ocr) if Instant::now() < deadline => {
                let reading = ocr.read(&image.to_rgb8(), deadline);
                incomplete |= reading.unread > 0;
                ocr_failure = reading.failure;
                pieces.extend(paragraphs(&reading.lines));
                lines = reading.lines;
            }
            Ok(_) => incomplete = true,
            Err(e) => ocr_failure = Some(e.to_string()),
        }
    }
    incomplete |= Instant::now() >= deadline;
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
    let mut verdict = engine.scan_with(&text, scratch);
    // A picture whose review did not finish is not known to be clean: a spammer could fill
    // one with text to outrun the budget. It goes to a person rather than passing.
    if (incomplete || ocr_failure.is_some()) && verdict.suggestion == Suggestion::Pass {
        verdict.suggestion = Suggestion::Review;
    }
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
        lines,
        incomplete,
        ocr_failure,
    })
}

/// OCR lines joined into the paragraphs they were wrapped from: a line that starts just below
/// another, at the same left edge and in the same size of type, continues it. A message
/// wrapped in a chat bubble (`加微信 wx88` / `66123 进群`) is one text to the engine, so a
/// term or a number split by the wrap is still found; each hit is still placed on its line
/// when it lies in one.
fn paragraphs(lines: &[Line]) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for line in lines {
        let [x, y, w, h] = line.bbox;
        let continues = out.last().and_then(|p| p.lines.last()).is_some_and(|last| {
            let [lx, ly, _, lh] = last.bbox;
            let gap = y.saturating_sub(ly + lh);
            let same_size = h.max(lh) * 10 <= h.min(lh) * 13;
            y > ly && gap * 5 < lh * 4 && x.abs_diff(lx) * 2 < lh && same_size
        });
        match out.last_mut() {
            Some(p) if continues => {
                // Chinese wraps between characters; words in Latin script between words.
                let joins_words = p
                    .text
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && line.text.starts_with(|c: char| c.is_ascii_alphanumeric());
                if joins_words {
                    p.text.push(' ');
                }
                p.lines.push(LineSpan {
                    byte: p.text.len(),
                    chars: p.text.chars().count(),
                    len: line.text.len(),
                    bbox: line.bbox,
                });
                p.text.push_str(&line.text);
                let right = (p.bbox[0] + p.bbox[2]).max(x + w);
                let bottom = (p.bbox[1] + p.bbox[3]).max(y + h);
                p.bbox[0] = p.bbox[0].min(x);
                p.bbox[2] = right - p.bbox[0];
                p.bbox[3] = bottom - p.bbox[1];
            }
            _ => out.push(Piece {
                part: Part::Ocr,
                text: line.text.clone(),
                bbox: line.bbox,
                lines: vec![LineSpan {
                    byte: 0,
                    chars: 0,
                    len: line.text.len(),
                    bbox: line.bbox,
                }],
            }),
        }
    }
    out
}
