//! Chinese text drawn into generated pictures, for the OCR tests and figures: chat
//! screenshots whose bubbles carry given messages, in the CJK fonts Debian ships
//! (`scripts/install-fonts.sh`), at several sizes and colours. Each drawn row is returned
//! with its box, so a reading can be checked line by line. A module of its own beside
//! `synth` (which other crates' tests share) so that only this crate's tests need a font
//! rasteriser.
#![allow(dead_code)]

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};
use image::{Rgb, RgbImage};

use crate::synth::{fill, Rng};

/// A CJK font file found on this machine.
#[derive(Debug)]
pub struct Font {
    pub name: &'static str,
    data: Vec<u8>,
    index: u32,
}

impl Font {
    fn face(&self) -> Option<FontRef<'_>> {
        FontRef::try_from_slice_and_index(&self.data, self.index).ok()
    }
}

/// Debian's CJK fonts, as `scripts/install-fonts.sh` installs them: sans (WenQuanYi Zen Hei
/// and Micro Hei, Noto Sans CJK), serif (Noto Serif CJK, AR PL UMing) and brush (AR PL UKai).
const FONT_FILES: [(&str, &str, u32); 6] = [
    (
        "wqy-zenhei",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        0,
    ),
    (
        "wqy-microhei",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        0,
    ),
    (
        "noto-sans-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        2, // the SC face
    ),
    (
        "noto-serif-cjk",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        2,
    ),
    (
        "ar-pl-uming",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        0,
    ),
    ("ar-pl-ukai", "/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
];

/// The CJK fonts installed here (none on a machine without them: callers skip loudly).
pub fn cjk_fonts() -> Vec<Font> {
    FONT_FILES
        .iter()
        .filter_map(|&(name, path, index)| {
            let data = std::fs::read(path).ok()?;
            let font = Font { name, data, index };
            font.face()?;
            Some(font)
        })
        .collect()
}

/// The fonts, or a loud skip; under `CI=true` a missing font fails instead, since CI
/// installs them.
pub fn cjk_fonts_or_skip(test: &str) -> Option<Vec<Font>> {
    let fonts = cjk_fonts();
    if !fonts.is_empty() {
        return Some(fonts);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: no CJK font installed, and CI must have them (scripts/install-fonts.sh)"
    );
    eprintln!("SKIPPED {test}: no CJK font installed (run scripts/install-fonts.sh)");
    None
}

/// One row of text as drawn.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub text: String,
    /// The row as it can be seen: without the characters that draw nothing (a zero-width
    /// space, a control character, one the font lacks), which no reader can read back.
    pub visible: String,
    /// `[x, y, width, height]`: the row's advance and the font's line height.
    pub bbox: [u32; 4],
}

/// Draws `text` with its top-left at (x, y), `px` pixels high; returns its width.
pub fn draw(
    img: &mut RgbImage,
    font: &Font,
    px: f32,
    x: u32,
    y: u32,
    text: &str,
    ink: [u8; 3],
) -> u32 {
    let Some(face) = font.face() else { return 0 };
    let scaled = face.as_scaled(PxScale::from(px));
    let baseline = y as f32 + scaled.ascent();
    let mut pen = x as f32;
    for c in text.chars() {
        let id = face.glyph_id(c);
        let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(pen, baseline));
        pen += scaled.h_advance(id);
        let Some(outline) = face.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let (px_x, px_y) = (
                bounds.min.x as i64 + gx as i64,
                bounds.min.y as i64 + gy as i64,
            );
            if px_x < 0 || px_y < 0 || px_x >= img.width() as i64 || px_y >= img.height() as i64 {
                return;
            }
            let p = img.get_pixel_mut(px_x as u32, px_y as u32);
            let a = coverage.clamp(0.0, 1.0);
            *p = Rgb([0, 1, 2].map(|i| (ink[i] as f32 * a + p.0[i] as f32 * (1.0 - a)) as u8));
        });
    }
    (pen - x as f32).ceil() as u32
}

/// `text` without the characters `font` draws nothing for. Spaces stay: they draw nothing but
/// move the pen, which is seen.
pub fn visible(font: &Font, text: &str) -> String {
    let Some(face) = font.face() else {
        return String::new();
    };
    text.chars()
        .filter(|&c| {
            let id = face.glyph_id(c);
            c == ' ' || (id.0 != 0 && face.outline(id).is_some())
        })
        .collect()
}

/// The width of `text` at `px`.
pub fn measure(font: &Font, px: f32, text: &str) -> f32 {
    let Some(face) = font.face() else { return 0.0 };
    let scaled = face.as_scaled(PxScale::from(px));
    text.chars()
        .map(|c| scaled.h_advance(face.glyph_id(c)))
        .sum()
}

/// A 1080 × 1920 chat screenshot whose bubbles carry `messages`, each wrapped to the bubble's
/// width, in one font at a size and in colours drawn from `rng`. Returns the picture and every
/// row drawn; messages that do not fit on the screen are left out of both.
pub fn chat(rng: &mut Rng, font: &Font, messages: &[&str]) -> (RgbImage, Vec<Drawn>) {
    let (w, h) = (1080u32, 1920u32);
    let dark = rng.next().is_multiple_of(4);
    let (bg, header, ink_other, ink_mine, other, mine) = if dark {
        (
            [25, 25, 25],
            [38, 38, 38],
            [220, 220, 220],
            [20, 20, 20],
            [44, 44, 44],
            [89, 178, 105],
        )
    } else {
        (
            [237, 237, 237],
            [246, 246, 246],
            [25, 25, 25],
            [25, 25, 25],
            [255, 255, 255],
            [149, 236, 105],
        )
    };
    let mut img = RgbImage::from_pixel(w, h, Rgb(bg));
    fill(&mut img, 0, 0, w, 160, header);
    let title_px = 40.0;
    let title = "群聊";
    let tw = measure(font, title_px, title) as u32;
    draw(&mut img, font, title_px, (w - tw) / 2, 60, title, ink_other);
    let px = rng.range(30, 46) as f32;
    let row_h = (px * 1.45) as u32;
    let max_text_w = rng.range(560, 760) as f32;
    let mut drawn = Vec::new();
    let mut y = 200;
    for message in messages {
        let rows = wrap(font, px, message, max_text_w);
        let text_w = rows
            .iter()
            .map(|r| measure(font, px, r).ceil() as u32)
            .max()
            .unwrap_or(0);
        let (bubble_w, bubble_h) = (text_w + 56, rows.len() as u32 * row_h + 40);
        if y + bubble_h > h - 120 {
            break;
        }
        let is_mine = rng.next().is_multiple_of(3);
        let x = if is_mine { w - 140 - bubble_w } else { 140 };
        fill(
            &mut img,
            x,
            y,
            bubble_w,
            bubble_h,
            if is_mine { mine } else { other },
        );
        let avatar = [rng.range(60, 220) as u8, rng.range(60, 220) as u8, 180];
        fill(
            &mut img,
            if is_mine { w - 120 } else { 20 },
            y,
            100,
            100,
            avatar,
        );
        let mut ty = y + 20 + (row_h - px as u32) / 2;
        for row in rows {
            let rw = draw(
                &mut img,
                font,
                px,
                x + 28,
                ty,
                &row,
                if is_mine { ink_mine } else { ink_other },
            );
            drawn.push(Drawn {
                visible: visible(font, &row),
                text: row,
                bbox: [x + 28, ty, rw, px as u32],
            });
            ty += row_h;
        }
        y += bubble_h + rng.range(40, 90);
    }
    (img, drawn)
}

/// `text` split into rows no wider than `width`, as a phone's text layout breaks Chinese
/// (the line-breaking rules of UAX #14, which Android and iOS follow): between any two
/// ideographs, but never before a closing mark (a row does not start with `，` or `。`), never
/// after an opening one, and not inside a run of Latin letters and digits unless the run
/// alone is wider than a row. A row that would break the rule takes the characters before
/// the break with it, as the renderer does.
fn wrap(font: &Font, px: f32, text: &str, width: f32) -> Vec<String> {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let mut used = 0.0;
    let advance = |c: char| measure(font, px, c.encode_utf8(&mut [0; 4]));
    for c in text.chars() {
        let cw = advance(c);
        let row = rows.last_mut().expect("rows starts non-empty");
        if used + cw > width && !row.is_empty() {
            let keep = kept_on_row(row, c);
            let carried = row.split_off(keep);
            used = carried.iter().map(|&c| advance(c)).sum();
            rows.push(carried);
        }
        if let Some(row) = rows.last_mut() {
            row.push(c);
        }
        used += cw;
    }
    rows.into_iter()
        .map(|r| r.into_iter().collect::<String>().trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// How many characters of a full `row` stay on it when `next` does not fit: all of them,
/// unless the break before `next` is not allowed, in which case the characters that must go
/// with `next` move down (at least one character always stays).
fn kept_on_row(row: &[char], next: char) -> usize {
    let mut keep = row.len();
    let word = |c: char| c.is_ascii_alphanumeric();
    if word(next) {
        // The Latin word or number being broken moves down whole.
        while keep > 0 && word(row[keep - 1]) {
            keep -= 1;
        }
    } else if closes(next) {
        // A closing mark stays with the character before it (and marks before that).
        while keep > 0 && closes(row[keep - 1]) {
            keep -= 1;
        }
        keep = keep.saturating_sub(1);
    }
    // An opening mark never ends a row.
    while keep > 0 && opens(row[keep - 1]) {
        keep -= 1;
    }
    if keep == 0 {
        row.len()
    } else {
        keep
    }
}

/// Marks a row may not start with: closing punctuation and brackets, and the iteration and
/// prolonged-sound marks (UAX #14 classes CL, CP, EX, IS, NS).
fn closes(c: char) -> bool {
    "，。、；：！？）」』】〕》〉”’…‥·～ー々,.;:!?)]}%".contains(c)
}

/// Marks a row may not end with: opening brackets and quotation marks (class OP).
fn opens(c: char) -> bool {
    "（「『【〔《〈([{“‘".contains(c)
}
