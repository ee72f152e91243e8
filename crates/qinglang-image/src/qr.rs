//! QR codes in pictures: a code pasted into a screenshot or a poster leads to a WeChat group or
//! a gambling site, the commonest diversion in groups (REV-10).
//!
//! One pass over the picture (at most [`WORK_SIDE`] on a side, so a tall screenshot costs
//! what a screen does); a code that was located but did not decode (small, blurred, tilted)
//! is tried again on a crop around it at a larger scale — never the whole picture enlarged.

use std::time::Instant;

use image::imageops::{self, FilterType};
use image::GrayImage;

/// The longest side the first pass works on.
const WORK_SIDE: u32 = 2048;
/// Crops tried again, at most.
const MAX_RETRIES: usize = 8;
/// A retried crop is enlarged until its longer side is about this.
const RETRY_SIDE: f32 = 480.0;

/// A decoded code: its payload and where it is, `[x, y, width, height]` in the picture's
/// pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub payload: String,
    pub bbox: [u32; 4],
}

/// Every QR code that decodes in `gray`, stopping the retries at `deadline`.
pub fn find(gray: &GrayImage, deadline: Instant) -> Vec<Found> {
    let (w, h) = gray.dimensions();
    let side = w.max(h).max(1);
    let mut found = Vec::new();
    let mut retry = Vec::new();
    if side > WORK_SIDE {
        let scale = WORK_SIDE as f32 / side as f32;
        let work = imageops::resize(
            gray,
            ((w as f32 * scale) as u32).max(1),
            ((h as f32 * scale) as u32).max(1),
            FilterType::Triangle,
        );
        pass(&work, 1.0 / scale, [0, 0], &mut found, &mut retry);
    } else {
        pass(gray, 1.0, [0, 0], &mut found, &mut retry);
    }
    for region in retry.into_iter().take(MAX_RETRIES) {
        if Instant::now() >= deadline {
            break;
        }
        if found.iter().any(|f| overlap(&f.bbox, &region)) {
            continue;
        }
        // A margin of a quarter of the code on each side: the quiet zone and the corners
        // a skewed location estimate cut off.
        let margin = region[2].max(region[3]) / 4 + 4;
        let x = region[0].saturating_sub(margin);
        let y = region[1].saturating_sub(margin);
        let cw = (region[2] + 2 * margin).min(w - x.min(w));
        let ch = (region[3] + 2 * margin).min(h - y.min(h));
        if cw < 8 || ch < 8 {
            continue;
        }
        let crop = imageops::crop_imm(gray, x, y, cw, ch).to_image();
        let factor = (RETRY_SIDE / cw.max(ch) as f32).clamp(1.0, 4.0);
        let larger = imageops::resize(
            &crop,
            (cw as f32 * factor) as u32,
            (ch as f32 * factor) as u32,
            FilterType::CatmullRom,
        );
        let mut again = Vec::new();
        pass(&larger, 1.0 / factor, [x, y], &mut found, &mut again);
    }
    found.dedup_by(|a, b| a.payload == b.payload && overlap(&a.bbox, &b.bbox));
    found
}

/// Locates and decodes the codes of `img`, whose pixel (x, y) is the picture's
/// (offset + (x, y) · scale); locations that do not decode go to `retry`.
fn pass(
    img: &GrayImage,
    scale: f32,
    offset: [u32; 2],
    found: &mut Vec<Found>,
    retry: &mut Vec<[u32; 4]>,
) {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    for grid in prepared.detect_grids() {
        let xs = grid.bounds.map(|p| p.x.max(0) as f32);
        let ys = grid.bounds.map(|p| p.y.max(0) as f32);
        let min = |v: [f32; 4]| v.iter().copied().fold(f32::MAX, f32::min);
        let max = |v: [f32; 4]| v.iter().copied().fold(0.0, f32::max);
        let bbox = [
            offset[0] + (min(xs) * scale) as u32,
            offset[1] + (min(ys) * scale) as u32,
            ((max(xs) - min(xs)) * scale).ceil() as u32,
            ((max(ys) - min(ys)) * scale).ceil() as u32,
        ];
        match grid.decode() {
            Ok((_, payload)) => found.push(Found { payload, bbox }),
            Err(_) => retry.push(bbox),
        }
    }
}

fn overlap(a: &[u32; 4], b: &[u32; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}
