//! Text inside pictures (REV-10): PaddleOCR's PP-OCRv4 detection and PP-OCRv6 (small)
//! recognition networks (Apache-2.0, vendored under
//! `models/`, see its README) run by tract, a pure-Rust ONNX runtime, on the CPU.
//!
//! Two passes, as PaddleOCR does them:
//! 1. **Detection** (DB, "differentiable binarisation"): the picture, scaled so its long side
//!    is at most [`DETECT_LONG_SIDE`], becomes a map of how likely each pixel is to be text.
//!    The map is thresholded, its connected regions become boxes, and each box is grown by
//!    the margin the network was trained to leave out ("unclip").
//! 2. **Recognition** (CTC over 18,708 characters: Chinese in both scripts, Latin, Japanese
//!    kana, symbols and emoji): each box, cut from the full-size picture and
//!    scaled to 48 px high, becomes a sequence of per-column character probabilities; the
//!    best character per column, with repeats and blanks dropped, is the line's text.
//!
//! The networks are compiled into the binary, so a node needs no model files. tract optimises
//! a network for one concrete input shape (these two cannot be optimised for symbolic ones:
//! their reshapes depend on the size), so every input is padded up to one of a few sizes
//! ([`DETECT_SIDES`], [`LINE_WIDTHS`]) and each size's plan is built once (about 0.2 s) and
//! kept; [`Ocr::warm`] builds those a phone screenshot needs ahead of time.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use image::imageops::{self, FilterType};
use image::RgbImage;
use tract_onnx::prelude::*;

static DETECTION_MODEL: &[u8] = include_bytes!("../models/ch_PP-OCRv4_det_infer.onnx");
static RECOGNITION_MODEL: &[u8] = include_bytes!("../models/PP-OCRv6_rec_small.onnx");

/// The long side detection works at. A 1080×1920 screenshot is read at 450×800 (padded to
/// 480×800), where chat text (30–45 px drawn, 14–19 px there) is still found: on the
/// generated screenshots of `examples/ocr_figures` lines were read as well as at 960 within a
/// point or two, in 0.75 s instead of 0.89 s a screenshot (median, one core). Recognition
/// always cuts from the full-size picture.
pub const DETECT_LONG_SIDE: u32 = 800;
/// A pixel is text when the detector's probability is above this (PaddleOCR's default).
const TEXT_THRESHOLD: f32 = 0.3;
/// A region is kept when its mean probability is at least this (RapidOCR's default).
const BOX_THRESHOLD: f32 = 0.5;
/// How far a region is grown, as PaddleOCR's `unclip_ratio`: the detector is trained on
/// boxes shrunk by this much, so its regions are the cores of the text.
const UNCLIP_RATIO: f32 = 1.6;
/// Regions thinner than this in the detector's map are noise.
const MIN_REGION_SIDE: u32 = 3;
/// At most this many regions are recognised; a picture with more is a page of text, and the
/// rest is reported as left undone.
const MAX_REGIONS: usize = 200;
/// Recognition input height.
const LINE_HEIGHT: u32 = 48;
/// The widest line recognised, in the network's input pixels (a 40:1 line); wider ones are
/// cut to this. Bounds one pass's work whatever the picture holds.
const MAX_LINE_WIDTH: u32 = 1920;
/// The sides the detector's input is padded up to (multiples of 32, since the network halves
/// the size five times), so that few plans are built: a phone screenshot read at 450×800 is
/// padded to 480×800.
pub const DETECT_SIDES: [u32; 6] = [160, 320, 480, 544, 640, 800];
/// The widths a line is padded up to for the recogniser. One line per pass: on one core tract
/// recognises six 320-wide lines in one pass more slowly (0.42 s) than one at a time (6 × 40 ms).
/// Steps of 160 px: a line pays for at most 159 px of padding (about 20 ms).
pub const LINE_WIDTHS: [u32; 11] = [320, 480, 640, 800, 960, 1120, 1280, 1440, 1600, 1760, 1920];
/// Plans kept per network; a shape past this is built, used and dropped (about 6 MB each).
const MAX_PLANS: usize = 24;
/// A line whose characters' mean confidence is below this is not reported (RapidOCR's
/// `text_score`): it is usually texture or a face read as characters.
const MIN_LINE_SCORE: f32 = 0.5;

/// The OCR networks failed to load (never expected: they are compiled in).
#[derive(Debug)]
pub struct OcrError(String);

impl std::fmt::Display for OcrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the OCR models failed to load: {}", self.0)
    }
}

impl std::error::Error for OcrError {}

/// The character a class of the recogniser is read as. `眞` is an old variant of `真` that text
/// written today does not use (Simplified and Traditional both write `真`), but the brush
/// typefaces (楷体, AR PL UKai) draw `真` in its shape, and the recogniser names the variant.
fn read_as(c: char) -> char {
    match c {
        '眞' => '真',
        c => c,
    }
}

/// A line of text read from the picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    /// `[x, y, width, height]` in the picture's pixels.
    pub bbox: [u32; 4],
    /// The mean confidence of its characters, 0 to 1.
    pub score: f32,
}

/// What one picture's OCR found.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Lines in reading order: top to bottom, then left to right.
    pub lines: Vec<Line>,
    /// Regions found but not read, because the time budget ran out or there were more than
    /// the limit.
    pub unread: usize,
    /// The first network pass that failed, if one did (never expected; reported rather
    /// than panicking, and the rest of the picture's review still stands).
    pub failure: Option<String>,
}

type Plan = Arc<TypedRunnableModel>;

/// One network, parsed once, with a plan per input shape it has run at.
#[derive(Debug)]
struct Network {
    model: InferenceModel,
    plans: RwLock<HashMap<[usize; 4], Plan>>,
}

impl Network {
    fn new(model: InferenceModel) -> Network {
        Network {
            model,
            plans: RwLock::new(HashMap::new()),
        }
    }

    /// The plan for `shape`, built on first use.
    fn plan(&self, shape: [usize; 4]) -> TractResult<Plan> {
        // A poisoned lock only means another thread panicked while holding it; the map is
        // still whole (inserts are single calls), so carry on with it.
        if let Some(plan) = self
            .plans
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&shape)
        {
            return Ok(Arc::clone(plan));
        }
        // Built outside the lock: two threads may build the same plan once each, which costs
        // a little time, never a wait behind another picture's build.
        let mut model = self.model.clone();
        model.set_input_fact(0, f32::fact(shape).into())?;
        let plan = model.into_optimized()?.into_runnable()?;
        let mut plans = self.plans.write().unwrap_or_else(|e| e.into_inner());
        if plans.len() < MAX_PLANS {
            plans.insert(shape, Arc::clone(&plan));
        }
        Ok(plan)
    }
}

/// The loaded networks and the recogniser's characters.
#[derive(Debug)]
pub struct Ocr {
    detector: Network,
    recogniser: Network,
    /// Index 0 is the CTC blank; the model's own list follows, then the space.
    characters: Vec<char>,
}

impl Ocr {
    /// The process's OCR, loaded on first use.
    pub fn shared() -> Result<&'static Ocr, &'static OcrError> {
        static SHARED: OnceLock<Result<Ocr, OcrError>> = OnceLock::new();
        SHARED.get_or_init(Ocr::load).as_ref()
    }

    /// Parses the compiled-in networks (plans are built on first use, or by [`Ocr::warm`]).
    pub fn load() -> Result<Ocr, OcrError> {
        let fail = |e: TractError| OcrError(format!("{e:#}"));
        let detector = onnx()
            .model_for_read(&mut &DETECTION_MODEL[..])
            .map_err(fail)?;
        // PP-OCRv6's export declares intermediate shapes with a batch of 1 that tract's
        // inference cannot unify with its own symbols; the shapes are inferred without them.
        let recogniser = onnx()
            .with_ignore_value_info(true)
            .model_for_read(&mut &RECOGNITION_MODEL[..])
            .map_err(fail)?;
        // The recogniser's alphabet travels inside the model, one character per line.
        let listed = recogniser
            .properties
            .get("onnx.metadata_props.character")
            .and_then(|t| {
                t.try_as_plain_ram()
                    .and_then(|v| v.to_scalar::<String>().cloned())
                    .ok()
            })
            .ok_or_else(|| OcrError("the recognition model has no character list".into()))?;
        let mut characters = vec!['\0'];
        for line in listed.lines() {
            let mut chars = line.chars();
            // Every entry is one character; one that is not would shift every index after it.
            match (chars.next(), chars.next()) {
                (Some(c), None) => characters.push(read_as(c)),
                _ => return Err(OcrError(format!("character list entry {line:?}"))),
            }
        }
        characters.push(' ');
        Ok(Ocr {
            detector: Network::new(detector),
            recogniser: Network::new(recogniser),
            characters,
        })
    }

    /// Builds the plans a phone screenshot needs (the detector at 480×800 both ways, the
    /// recogniser at the narrower widths), so that the first pictures a node reviews are
    /// not slowed by building them. About 1.5 s of one core.
    pub fn warm(&self) -> Result<(), OcrError> {
        let fail = |e: TractError| OcrError(format!("{e:#}"));
        for shape in [[1, 3, 800, 480], [1, 3, 480, 800]] {
            self.detector.plan(shape).map_err(fail)?;
        }
        for w in &LINE_WIDTHS[..5] {
            self.recogniser
                .plan([1, 3, LINE_HEIGHT as usize, *w as usize])
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Reads the text in `picture`, stopping before a network pass that would start after
    /// `deadline`.
    pub fn read(&self, picture: &RgbImage, deadline: Instant) -> Reading {
        let regions = match self.detect(picture) {
            Ok(regions) => regions,
            Err(e) => {
                return Reading {
                    failure: Some(format!("{e:#}")),
                    ..Reading::default()
                }
            }
        };
        let mut unread = regions.len().saturating_sub(MAX_REGIONS);
        let mut read: Vec<Option<(String, f32)>> = vec![None; regions.len().min(MAX_REGIONS)];
        let mut failure = None;
        for (i, region) in regions.iter().take(MAX_REGIONS).enumerate() {
            if Instant::now() >= deadline {
                unread += 1;
                continue;
            }
            // Cut when it is read: past the deadline no line is cut for nothing.
            match self.recognise(&line_crop(picture, region)) {
                Ok(text) => read[i] = Some(text),
                Err(e) => {
                    failure.get_or_insert_with(|| format!("{e:#}"));
                    unread += 1;
                }
            }
        }
        let lines = regions
            .into_iter()
            .zip(read)
            .filter_map(|(bbox, text)| {
                let (text, score) = text?;
                let text = text.trim().to_string();
                (score >= MIN_LINE_SCORE && !text.is_empty()).then_some(Line { text, bbox, score })
            })
            .collect();
        Reading {
            lines,
            unread,
            failure,
        }
    }

    /// The text regions of `picture`, in its pixels, in reading order.
    fn detect(&self, picture: &RgbImage) -> TractResult<Vec<[u32; 4]>> {
        let (w, h) = picture.dimensions();
        let scale = (DETECT_LONG_SIDE as f32 / w.max(h) as f32).min(1.0);
        let (dw, dh) = (
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        let scaled = imageops::resize(picture, dw, dh, FilterType::Triangle);
        // Padded up to the next detector size (all multiples of 32, since the network
        // halves the size five times); the padding is mid grey, where nothing is text.
        let pad = |v: u32| {
            DETECT_SIDES
                .iter()
                .copied()
                .find(|&s| s >= v)
                .unwrap_or(DETECT_LONG_SIDE)
        };
        let (cw, ch) = (pad(dw), pad(dh));
        let input = normalised(&scaled, cw as usize, ch as usize)?;
        let plan = self.detector.plan([1, 3, ch as usize, cw as usize])?;
        let out = plan.run(tvec!(input.into()))?;
        let map = out[0].try_as_plain_ram()?;
        let map = map.as_slice::<f32>()?;
        let (mw, mh) = (cw as usize, ch as usize);
        if map.len() != mw * mh {
            return Err(TractError::msg(format!(
                "the detector's map has {} values for {mw}×{mh}",
                map.len()
            )));
        }
        // Regions in the padding cannot occur past the picture's edge: clamped below.
        let (sx, sy) = (w as f32 / dw as f32, h as f32 / dh as f32);
        let mut boxes: Vec<[u32; 4]> = regions(map, mw, mh)
            .into_iter()
            .filter_map(|r| {
                let (rw, rh) = (r.x1 - r.x0 + 1, r.y1 - r.y0 + 1);
                if rw.min(rh) < MIN_REGION_SIDE || r.sum / (r.pixels as f32) < BOX_THRESHOLD {
                    return None;
                }
                // Grown by area × ratio / perimeter on every side, as PaddleOCR's unclip
                // does for the region's rectangle.
                let (fw, fh) = (rw as f32, rh as f32);
                let d = fw * fh * UNCLIP_RATIO / (2.0 * (fw + fh));
                let x0 = ((r.x0 as f32 - d) * sx).max(0.0);
                let y0 = ((r.y0 as f32 - d) * sy).max(0.0);
                let x1 = ((r.x1 as f32 + 1.0 + d) * sx).min(w as f32);
                let y1 = ((r.y1 as f32 + 1.0 + d) * sy).min(h as f32);
                let (bw, bh) = ((x1 - x0) as u32, (y1 - y0) as u32);
                (bw >= 4 && bh >= 4).then_some([x0 as u32, y0 as u32, bw, bh])
            })
            .collect();
        // Reading order: rows top to bottom (a row is boxes whose tops are within half a
        // line of each other), left to right within a row.
        boxes.sort_by_key(|b| (b[1], b[0]));
        for i in 1..boxes.len() {
            let mut j = i;
            while j > 0 {
                let (a, b) = (boxes[j - 1], boxes[j]);
                let same_row = b[1].abs_diff(a[1]) < a[3].min(b[3]) / 2;
                if same_row && b[0] < a[0] {
                    boxes.swap(j - 1, j);
                    j -= 1;
                } else {
                    break;
                }
            }
        }
        Ok(boxes)
    }

    /// The text and mean confidence of one line crop (48 px high).
    fn recognise(&self, crop: &RgbImage) -> TractResult<(String, f32)> {
        let width = LINE_WIDTHS
            .iter()
            .copied()
            .find(|&w| w >= crop.width())
            .unwrap_or(MAX_LINE_WIDTH) as usize;
        let input = normalised(crop, width, LINE_HEIGHT as usize)?;
        let plan = self.recogniser.plan([1, 3, LINE_HEIGHT as usize, width])?;
        let out = plan.run(tvec!(input.into()))?;
        let shape = out[0].shape().to_vec();
        let (steps, classes) = match shape.as_slice() {
            &[1, steps, classes] if classes == self.characters.len() => (steps, classes),
            _ => {
                return Err(TractError::msg(format!(
                    "the recogniser's output has shape {shape:?}, expected [1, steps, {}]",
                    self.characters.len()
                )))
            }
        };
        let probs = out[0].try_as_plain_ram()?;
        let probs = probs.as_slice::<f32>()?;
        let (mut read, score) = ctc_read(&probs[..steps * classes], classes, &self.characters);
        restore_bars(&mut read, crop, width as f32 / steps.max(1) as f32);
        Ok((read.into_iter().map(|(c, _)| c).collect(), score))
    }
}

/// Best path CTC decoding: the likeliest class per step, repeats merged, blanks dropped; then
/// the width of clause punctuation is read from where the characters stand
/// ([`restore_widths`]).
#[cfg(test)]
fn ctc_greedy(line: &[f32], classes: usize, characters: &[char]) -> (String, f32) {
    let (read, score) = ctc_read(line, classes, characters);
    (read.into_iter().map(|(c, _)| c).collect(), score)
}

/// [`ctc_greedy`]'s characters, each with its centre in recogniser steps.
fn ctc_read(line: &[f32], classes: usize, characters: &[char]) -> (Vec<(char, f32)>, f32) {
    // Each character with the steps its run covered: where it stands in the line.
    let mut read: Vec<(char, f32)> = Vec::new();
    let (mut total, mut kept) = (0f32, 0usize);
    let mut previous = 0usize;
    let mut run_start = 0usize;
    // The likeliest the space was at any step since the last character read.
    let space = characters.len().saturating_sub(1);
    let mut space_seen = 0f32;
    for (at, step) in line.chunks_exact(classes).enumerate() {
        space_seen = space_seen.max(step.get(space).copied().unwrap_or(0.0));
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, p)| if p > a.1 { (i, p) } else { a });
        if best != previous {
            close_run(&mut read, previous, run_start, at);
            run_start = at;
            if best != 0 {
                if let Some(&c) = characters.get(best) {
                    // A space the blank outvoted (see SPACE_BELIEVED), midway between.
                    if let Some(&(last, centre)) = read.last() {
                        if last != ' '
                            && c != ' '
                            && !opens_with_blank(c)
                            && space_seen >= SPACE_BELIEVED
                        {
                            read.push((' ', (centre + at as f32) / 2.0));
                        }
                    }
                    space_seen = 0.0;
                    read.push((c, f32::NAN));
                    total += p;
                    kept += 1;
                }
            }
        }
        previous = best;
    }
    close_run(&mut read, previous, run_start, line.len() / classes.max(1));
    restore_widths(&mut read);
    let score = if kept == 0 { 0.0 } else { total / kept as f32 };
    (read, score)
}

/// The recogniser, trained mostly on Chinese set solid, seldom lets the space win a step
/// between two ideographs: the blank outvotes it, and `哈哈 着实有趣` is read as `哈哈着实有趣`.
/// But the space's own probability still rises where one was drawn, so between two characters
/// where it reached this at some step a space is read. Measured with PP-OCRv6 on generated
/// chat screenshots (`examples/ocr_figures -- 100 --seed 7`, not the reported figure's seed):
/// of 11,827 neighbours drawn without a space, the only ones at 0.1 or more stood before an
/// opening bracket (see [`opens_with_blank`]) or after a closing one (`），`, at 0.1), while
/// 10 of the 24 spaces the blank outvoted reached it. No pair of ideographs drawn solid passed
/// 0.03. (The blank columns of the crop were tried as a second signal and left out: a space
/// adds 0.22 to 0.37 em of blank between ideographs, but narrow brush-face pairs such as 自己
/// leave as much without one.)
const SPACE_BELIEVED: f32 = 0.1;

/// A full-width opening bracket's ink sits at the right of its advance, so the blank before
/// it looks like a space to the recogniser (`脚（` reached 0.28): no space is read from the
/// space's probability alone before one.
fn opens_with_blank(c: char) -> bool {
    matches!(
        c,
        '（' | '【' | '《' | '〈' | '「' | '『' | '〔' | '“' | '‘'
    )
}

/// Sets the centre of the last character read when the run of its class (`class`, 0 the
/// blank) over steps `start..end` ends.
fn close_run(read: &mut [(char, f32)], class: usize, start: usize, end: usize) {
    if class != 0 {
        if let Some(last) = read.last_mut().filter(|l| l.1.is_nan()) {
            last.1 = (start + end) as f32 / 2.0;
        }
    }
}

/// Clause punctuation in both widths, half-width first. Brackets are left as read: their ink
/// sits at one side of a full-width advance, which puts the recogniser's step off its centre.
/// A bar an em wide is `丨`, the separator spam writes (`网丨午夜`), which some faces draw
/// exactly as `|` and the recogniser reads so.
const PUNCTUATION_WIDTHS: [(char, char); 6] = [
    (',', '，'),
    (':', '：'),
    (';', '；'),
    ('!', '！'),
    ('?', '？'),
    ('|', '丨'),
];

/// The half-width and full-width forms of a clause mark `c` is one of.
fn widths_of(c: char) -> Option<(char, char)> {
    PUNCTUATION_WIDTHS
        .iter()
        .copied()
        .find(|&(half, full)| c == half || c == full)
}

/// A mark's own advance, in ems, below which it was drawn half-width and above which
/// full-width (about 0.3 and 1); in between, the recogniser's reading stands.
const HALF_WIDTH_BELOW: f32 = 0.45;
const FULL_WIDTH_ABOVE: f32 = 0.8;

/// The recogniser tells a comma from a comma, not its width: trained mostly on Chinese, it
/// reads `,` and `:` between ideographs as `，` and `：` whatever was drawn. The drawing says
/// which: a full-width mark takes an ideograph's advance, a half-width one about a third of
/// it. So each such mark with a character on either side gets the width its neighbours'
/// spacing shows clearly ([`HALF_WIDTH_BELOW`], [`FULL_WIDTH_ABOVE`]), measured against the
/// line's own ideograph advance (the median distance
/// between neighbouring ideographs, in recogniser steps). Lines with fewer than two
/// neighbouring ideograph pairs, and marks at a line's ends, are left as read.
fn restore_widths(read: &mut [(char, f32)]) {
    if read.len() < 3 || !read.iter().any(|&(c, _)| widths_of(c).is_some()) {
        return;
    }
    let Some(em) = ideograph_advance(read) else {
        return;
    };
    for k in 1..read.len() - 1 {
        let c = read[k].0;
        let Some((half, full)) = widths_of(c) else {
            continue;
        };
        let (before, after) = (read[k - 1], read[k + 1]);
        let gap = (after.1 - before.1) / em;
        if !gap.is_finite() {
            continue;
        }
        // The mark's own advance, in ems: about 1 full-width, about 0.3 half-width.
        let own = gap - half_advance(before.0) - half_advance(after.0);
        if own < HALF_WIDTH_BELOW {
            read[k].0 = half;
        } else if own > FULL_WIDTH_ABOVE {
            read[k].0 = full;
        }
    }
}

/// The line's ideograph advance in recogniser steps: the median distance between neighbouring
/// ideographs, when there are at least two such pairs to measure.
fn ideograph_advance(read: &[(char, f32)]) -> Option<f32> {
    let mut advances: Vec<f32> = read
        .windows(2)
        .filter(|w| is_ideograph(w[0].0) && is_ideograph(w[1].0))
        .map(|w| w[1].1 - w[0].1)
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    if advances.len() < 2 {
        return None;
    }
    advances.sort_by(f32::total_cmp);
    Some(advances[advances.len() / 2])
}

/// Half the advance of `c`, in ems: an ideograph's or a full-width form's is half an em, a
/// Latin letter's or a digit's about a quarter.
fn half_advance(c: char) -> f32 {
    if is_ideograph(c)
        || ('\u{FF01}'..='\u{FF5E}').contains(&c)
        || ('\u{3000}'..='\u{303F}').contains(&c)
    {
        0.5
    } else {
        0.28
    }
}

/// How much wider than its neighbours' own advances a gap with nothing read must be, in ems,
/// for a character to have stood there (丨 takes a whole em; a space in a CJK face about 0.3).
const GAP_FOR_A_CHARACTER: f32 = 0.7;

/// `丨`, a vertical stroke an em high, is how spam most often separates its keywords
/// (`自拍丨久久爽丨av`), but the recogniser has no such class and reads nothing there, which
/// glues the words on either side. So where two characters read stand a character's width
/// further apart than their advances explain (`GAP_FOR_A_CHARACTER`), and the crop
/// (`step_px` pixels a recogniser step) shows one narrow stroke at least 0.6 em tall there and
/// nothing else within its em, `丨` is read in the gap. A blank (an ideographic space) or a
/// dot (丶) is not.
fn restore_bars(read: &mut Vec<(char, f32)>, crop: &RgbImage, step_px: f32) {
    let Some(em) = ideograph_advance(read) else {
        return;
    };
    let em_px = em * step_px;
    // Measured once per line, and only when a gap asks for it.
    let mut background = None;
    let mut found = Vec::new();
    for (k, w) in read.windows(2).enumerate() {
        let ((a, at_a), (b, at_b)) = (w[0], w[1]);
        if a == ' ' || b == ' ' || !(at_a.is_finite() && at_b.is_finite()) {
            continue;
        }
        let spare = (at_b - at_a) / em - half_advance(a) - half_advance(b);
        if spare < GAP_FOR_A_CHARACTER {
            continue;
        }
        let from = (at_a * step_px + half_advance(a) * em_px).max(0.0) as u32;
        let to = (at_b * step_px - half_advance(b) * em_px).max(0.0) as u32;
        let background = *background.get_or_insert_with(|| background_shade(crop));
        if let Some(x) = lone_stroke(crop, background, from, to.min(crop.width()), em_px) {
            found.push((k + 1, x / step_px));
        }
    }
    for (shift, (k, at)) in found.into_iter().enumerate() {
        read.insert(k + shift, ('丨', at));
    }
}

/// The shade of a pixel, 0 (black) to 255.
fn shade(p: &image::Rgb<u8>) -> i32 {
    (p[0] as i32 * 299 + p[1] as i32 * 587 + p[2] as i32 * 114) / 1000
}

/// The crop's commonest shade (the bubble behind the text): ink is what differs from it.
fn background_shade(crop: &RgbImage) -> i32 {
    let mut histogram = [0u32; 32];
    for p in crop.pixels() {
        histogram[(shade(p) / 8) as usize] += 1;
    }
    (0..32).max_by_key(|&i| histogram[i]).unwrap_or(0) as i32 * 8 + 4
}

/// The centre of the one narrow column run in `from..to` whose ink is at least 0.6 em tall,
/// when the rest of that span is blank.
fn lone_stroke(crop: &RgbImage, background: i32, from: u32, to: u32, em_px: f32) -> Option<f32> {
    if to <= from + 1 {
        return None;
    }
    let ink_in = |x: u32| {
        (0..crop.height())
            .filter(|&y| (shade(crop.get_pixel(x, y)) - background).abs() > 64)
            .count() as f32
    };
    let columns: Vec<f32> = (from..to).map(ink_in).collect();
    let tall = 0.6 * em_px;
    let strokes: Vec<usize> = (0..columns.len()).filter(|&i| columns[i] >= tall).collect();
    let (&first, &last) = (strokes.first()?, strokes.last()?);
    let stroke_width = (last - first + 1) as f32;
    if stroke_width > 0.2 * em_px || strokes.len() != last - first + 1 {
        return None;
    }
    // Other ink within the stroke's own em (beyond its antialiased edges) means another
    // character stood here; the neighbours' edges, further out, do not count.
    let centre = (first + last) as f32 / 2.0;
    let stray: f32 = columns
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            (i + 1 < first || i > last + 1) && (i as f32 - centre).abs() <= 0.4 * em_px
        })
        .map(|(_, &n)| n)
        .sum();
    (stray <= 0.3 * em_px).then_some(from as f32 + centre + 0.5)
}

/// CJK ideographs (the unified blocks and extension A), which have an em's advance.
fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// `[1, 3, h, w]` in BGR (as PaddleOCR feeds OpenCV's pictures), scaled to −1..1, with
/// `picture` at the top left and the rest 0 (mid grey), as PaddleOCR pads.
fn normalised(picture: &RgbImage, w: usize, h: usize) -> TractResult<Tensor> {
    let plane = w * h;
    let mut data = vec![0f32; 3 * plane];
    for (x, y, px) in picture.enumerate_pixels() {
        let (x, y) = (x as usize, y as usize);
        if x >= w || y >= h {
            continue;
        }
        let i = y * w + x;
        data[i] = px[2] as f32 / 127.5 - 1.0;
        data[plane + i] = px[1] as f32 / 127.5 - 1.0;
        data[2 * plane + i] = px[0] as f32 / 127.5 - 1.0;
    }
    Tensor::from_shape(&[1, 3, h, w], &data)
}

/// A connected region of the thresholded map.
#[derive(Debug, Clone, Copy)]
struct Region {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    pixels: u32,
    /// Sum of the probabilities of its pixels.
    sum: f32,
}

/// The 8-connected regions of pixels above [`TEXT_THRESHOLD`], after a 2×2 dilation (which
/// joins characters the detector left a pixel apart, as PaddleOCR's `use_dilation`).
fn regions(map: &[f32], w: usize, h: usize) -> Vec<Region> {
    let on: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            // Dilation with a 2×2 kernel anchored at the top left: a pixel is on when it or
            // its left, upper or upper-left neighbour is.
            let at = |dx: usize, dy: usize| {
                x >= dx && y >= dy && map[(y - dy) * w + (x - dx)] > TEXT_THRESHOLD
            };
            at(0, 0) || at(1, 0) || at(0, 1) || at(1, 1)
        })
        .collect();
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..w * h {
        if !on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (sx, sy) = ((start % w) as u32, (start / w) as u32);
        let mut r = Region {
            x0: sx,
            y0: sy,
            x1: sx,
            y1: sy,
            pixels: 0,
            sum: 0.0,
        };
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            r.x0 = r.x0.min(x as u32);
            r.x1 = r.x1.max(x as u32);
            r.y0 = r.y0.min(y as u32);
            r.y1 = r.y1.max(y as u32);
            r.pixels += 1;
            r.sum += map[i].max(0.0);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if on[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(r);
    }
    out
}

/// The region cut from the picture and scaled to the recogniser's height; a region taller
/// than wide (vertical text) is turned a quarter left first, as RapidOCR does.
fn line_crop(picture: &RgbImage, bbox: &[u32; 4]) -> RgbImage {
    let [x, y, w, h] = *bbox;
    let crop = imageops::crop_imm(picture, x, y, w.max(1), h.max(1)).to_image();
    let crop = if crop.height() as f32 >= crop.width() as f32 * 1.5 {
        imageops::rotate270(&crop)
    } else {
        crop
    };
    let (cw, ch) = crop.dimensions();
    let width = ((LINE_HEIGHT as f32 * cw as f32 / ch.max(1) as f32).ceil() as u32)
        .clamp(1, MAX_LINE_WIDTH);
    imageops::resize(&crop, width, LINE_HEIGHT, FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters read at the given centres (in recogniser steps): ideographs 5 steps apart.
    fn restored(read: &[(char, f32)]) -> String {
        let mut read = read.to_vec();
        restore_widths(&mut read);
        read.into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn a_mark_takes_the_width_its_spacing_shows() {
        // A half-width comma adds about a third of an em between two ideographs: read as
        // full-width, it is put back.
        let half = [
            ('我', 2.5),
            ('们', 7.5),
            ('，', 11.0),
            ('你', 14.0),
            ('好', 19.0),
        ];
        assert_eq!(restored(&half), "我们,你好");
        // A full-width one takes an em of its own.
        let full = [
            ('我', 2.5),
            ('们', 7.5),
            (',', 10.0),
            ('你', 17.5),
            ('好', 22.5),
        ];
        assert_eq!(restored(&full), "我们，你好");
        // In between, the recogniser's reading stands.
        let unclear = [
            ('我', 2.5),
            ('们', 7.5),
            (':', 10.5),
            ('你', 15.5),
            ('好', 20.5),
        ];
        assert_eq!(restored(&unclear), "我们:你好");
    }

    #[test]
    fn lines_too_short_to_measure_are_left_as_read() {
        // One ideograph pair gives no advance to trust; a mark at a line's end has no
        // neighbour after it.
        assert_eq!(restored(&[('好', 2.5), ('，', 5.0), ('的', 9.0)]), "好，的");
        let end = [('我', 2.5), ('们', 7.5), ('你', 12.5), ('，', 15.0)];
        assert_eq!(restored(&end), "我们你，");
    }

    /// Classes as the recogniser has them: 0 the blank, then characters, the space last.
    const CLASSES: [char; 4] = ['\0', '我', '，', ' '];

    /// A step where class `c` is certain, except that the space has `space` of the mass.
    fn step(c: usize, space: f32) -> [f32; 4] {
        let mut p = [0.0f32; 4];
        p[3] = space;
        p[c] += 1.0 - space;
        p
    }

    #[test]
    fn ctc_merges_repeats_and_places_each_character() {
        // Steps: 我 我 _ ， _ 我 → "我，我".
        let line: Vec<f32> = [1, 1, 0, 2, 0, 1]
            .iter()
            .flat_map(|&c| step(c, 0.0))
            .collect();
        let (text, score) = ctc_greedy(&line, 4, &CLASSES);
        assert_eq!(text, "我，我");
        assert!((score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_space_the_blank_outvoted_is_read_where_it_was_likely() {
        // 我 _ _ 我: the blank wins both steps between, the space reaching 0.3 in one.
        let read = |space: f32| {
            let line: Vec<f32> =
                [step(1, 0.0), step(0, 0.01), step(0, space), step(1, 0.0)].concat();
            ctc_greedy(&line, 4, &CLASSES).0
        };
        assert_eq!(read(0.3), "我 我");
        // Below SPACE_BELIEVED the blank's reading stands: characters set solid.
        assert_eq!(read(0.05), "我我");
    }

    /// A 48 px line crop, white, with ink squares where 我们 and 你好 stand (centres 2, 6, 14
    /// and 18 steps of 8 px: an em is 4 steps) and whatever `mark` draws in the gap between.
    fn line_with_gap(mark: impl Fn(&mut RgbImage)) -> (Vec<(char, f32)>, RgbImage) {
        let mut crop = RgbImage::from_pixel(160, 48, image::Rgb([255, 255, 255]));
        for centre in [16u32, 48, 112, 144] {
            for x in centre - 14..centre + 14 {
                for y in 10..38 {
                    crop.put_pixel(x, y, image::Rgb([20, 20, 20]));
                }
            }
        }
        mark(&mut crop);
        let read = vec![('我', 2.0), ('们', 6.0), ('你', 14.0), ('好', 18.0)];
        (read, crop)
    }

    fn with_bars(mark: impl Fn(&mut RgbImage)) -> String {
        let (mut read, crop) = line_with_gap(mark);
        restore_bars(&mut read, &crop, 8.0);
        read.into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn a_stroke_an_em_high_alone_in_a_gap_is_the_separator_the_recogniser_cannot_name() {
        let bar = |crop: &mut RgbImage| {
            for x in 79..82 {
                for y in 9..39 {
                    crop.put_pixel(x, y, image::Rgb([20, 20, 20]));
                }
            }
        };
        assert_eq!(with_bars(bar), "我们丨你好");
        // A blank em (an ideographic space) and a dot (丶) are not a stroke.
        assert_eq!(with_bars(|_| {}), "我们你好");
        let dot = |crop: &mut RgbImage| {
            for x in 78..84 {
                for y in 14..20 {
                    crop.put_pixel(x, y, image::Rgb([20, 20, 20]));
                }
            }
        };
        assert_eq!(with_bars(dot), "我们你好");
        // Nor is a stroke beside other ink: some other character stood there.
        let bar_and_more = |crop: &mut RgbImage| {
            bar(crop);
            for x in 86..92 {
                for y in 20..30 {
                    crop.put_pixel(x, y, image::Rgb([20, 20, 20]));
                }
            }
        };
        assert_eq!(with_bars(bar_and_more), "我们你好");
    }

    #[test]
    fn the_blank_before_an_opening_bracket_is_not_a_space() {
        // 我 _ （: a full-width bracket's ink stands at the right of its advance.
        let classes = ['\0', '我', '（', ' '];
        let line: Vec<f32> = [step(1, 0.0), step(0, 0.3), step(2, 0.0)].concat();
        assert_eq!(ctc_greedy(&line, 4, &classes).0, "我（");
    }
}
