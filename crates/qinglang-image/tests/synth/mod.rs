#![allow(dead_code)]
//! Generated test pictures (tests and the measuring examples only): phone screenshots with a
//! chat's colours and noise, QR codes pasted in at a size and an angle, recompressed as JPEG.
//! Deterministic from a seed, so a figure can be measured again.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgb, RgbImage};

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `lo..hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from((hi - lo).max(1))) as u32
    }
}

/// A 1080 × 1920 chat screenshot: a background, message bubbles in a few colours, a header
/// bar, and noise.
pub fn screenshot(rng: &mut Rng) -> RgbImage {
    let (w, h) = (1080, 1920);
    let bg = [237, 237, 237];
    let mut img = RgbImage::from_pixel(w, h, Rgb(bg));
    fill(&mut img, 0, 0, w, 160, [246, 246, 246]);
    let mut y = 200;
    while y < h - 200 {
        let bubble_h = rng.range(90, 260);
        let bubble_w = rng.range(300, 820);
        let mine = rng.next().is_multiple_of(2);
        let x = if mine { w - 140 - bubble_w } else { 140 };
        let colour = if mine {
            [149, 236, 105]
        } else {
            [255, 255, 255]
        };
        fill(&mut img, x, y, bubble_w, bubble_h, colour);
        // Avatars and lines of "text" (dark strokes) inside the bubble.
        fill(
            &mut img,
            if mine { w - 120 } else { 20 },
            y,
            100,
            100,
            [rng.range(60, 200) as u8, 120, 180],
        );
        let mut ty = y + 24;
        while ty + 30 < y + bubble_h {
            let len = rng.range(bubble_w / 3, bubble_w - 40);
            let mut tx = x + 24;
            while tx < x + 24 + len {
                let glyph = rng.range(18, 34);
                fill(&mut img, tx, ty, glyph - 4, 30, [40, 40, 40]);
                tx += glyph;
            }
            ty += 48;
        }
        y += bubble_h + rng.range(40, 120);
    }
    for _ in 0..20_000 {
        let (px, py) = (rng.range(0, w), rng.range(0, h));
        let p = img.get_pixel_mut(px, py);
        let d = rng.range(0, 24) as u8;
        *p = Rgb(p.0.map(|c| c.saturating_sub(d)));
    }
    img
}

pub fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Rgb(colour));
        }
    }
}

/// The QR code of `payload` as a picture `size` pixels wide, with its quiet zone.
pub fn qr_code(payload: &str, size: u32) -> GrayImage {
    let Ok(code) = qrcode::QrCode::new(payload.as_bytes()) else {
        return GrayImage::from_pixel(size, size, Luma([255]));
    };
    let modules = code.width() as u32;
    let colours = code.to_colors();
    // Four modules of quiet zone on each side.
    let total = modules + 8;
    GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (x * total / size, y * total / size);
        if mx < 4 || my < 4 || mx >= modules + 4 || my >= modules + 4 {
            return Luma([255]);
        }
        let i = ((my - 4) * modules + (mx - 4)) as usize;
        Luma([if colours[i] == qrcode::Color::Dark {
            0
        } else {
            255
        }])
    })
}

/// Pastes `code` rotated by `degrees` into `img` with its top-left corner near (x, y);
/// returns the box it covers.
pub fn paste_rotated(
    img: &mut RgbImage,
    code: &GrayImage,
    x: u32,
    y: u32,
    degrees: f32,
) -> [u32; 4] {
    let (cw, ch) = code.dimensions();
    let (s, c) = degrees.to_radians().sin_cos();
    let half = (cw.max(ch) as f32) * 0.75;
    let (cx, cy) = (x as f32 + half, y as f32 + half);
    let side = (2.0 * half) as u32;
    for oy in 0..side {
        for ox in 0..side {
            // Inverse rotation about the centre, bilinear sample.
            let (dx, dy) = (ox as f32 - half, oy as f32 - half);
            let sx = c * dx + s * dy + cw as f32 / 2.0;
            let sy = -s * dx + c * dy + ch as f32 / 2.0;
            if sx < 0.0 || sy < 0.0 || sx >= (cw - 1) as f32 || sy >= (ch - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx as u32, sy as u32);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let p = |x: u32, y: u32| f32::from(code.get_pixel(x, y).0[0]);
            let v = p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + p(x0 + 1, y0) * fx * (1.0 - fy)
                + p(x0, y0 + 1) * (1.0 - fx) * fy
                + p(x0 + 1, y0 + 1) * fx * fy;
            let (px, py) = ((cx + dx) as u32, (cy + dy) as u32);
            if px < img.width() && py < img.height() {
                img.put_pixel(px, py, Rgb([v as u8; 3]));
            }
        }
    }
    [x, y, side, side]
}

/// The picture as JPEG at `quality`.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    let _ = DynamicImage::ImageRgb8(img.clone()).write_with_encoder(encoder);
    out
}

/// The picture as PNG.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ =
        DynamicImage::ImageRgb8(img.clone()).write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
    out
}

/// A "photo" or poster: overlapping gradients, shapes and noise in random colours.
pub fn poster(rng: &mut Rng, w: u32, h: u32) -> RgbImage {
    let a = [
        rng.range(0, 256) as f32,
        rng.range(0, 256) as f32,
        rng.range(0, 256) as f32,
    ];
    let b = [
        rng.range(0, 256) as f32,
        rng.range(0, 256) as f32,
        rng.range(0, 256) as f32,
    ];
    let angle = rng.range(0, 360) as f32;
    let (s, c) = angle.to_radians().sin_cos();
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let t = ((x as f32 * c + y as f32 * s) / (w + h) as f32 + 0.5).clamp(0.0, 1.0);
        Rgb([0, 1, 2].map(|i| (a[i] * (1.0 - t) + b[i] * t) as u8))
    });
    for _ in 0..rng.range(3, 12) {
        let (bw, bh) = (rng.range(w / 10, w / 2), rng.range(h / 10, h / 2));
        let (x, y) = (rng.range(0, w - bw), rng.range(0, h - bh));
        let colour = [
            rng.range(0, 256) as u8,
            rng.range(0, 256) as u8,
            rng.range(0, 256) as u8,
        ];
        if rng.next().is_multiple_of(2) {
            fill(&mut img, x, y, bw, bh, colour);
        } else {
            // A disc.
            let (cx, cy, r) = (x + bw / 2, y + bh / 2, bw.min(bh) / 2);
            for yy in y..y + bh {
                for xx in x..x + bw {
                    let (dx, dy) = (xx as i64 - cx as i64, yy as i64 - cy as i64);
                    if dx * dx + dy * dy <= i64::from(r) * i64::from(r) {
                        img.put_pixel(xx, yy, Rgb(colour));
                    }
                }
            }
        }
    }
    for _ in 0..(w * h / 20) {
        let (px, py) = (rng.range(0, w), rng.range(0, h));
        let p = img.get_pixel_mut(px, py);
        let d = rng.range(0, 40) as u8;
        *p = Rgb(p.0.map(|c| c.saturating_add(d)));
    }
    img
}

/// A semi-transparent watermark: a band of strokes across the lower part.
pub fn watermark(img: &RgbImage, rng: &mut Rng) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = out.dimensions();
    let y0 = h * 3 / 4;
    let mut x = w / 10;
    while x < w * 9 / 10 {
        let glyph = rng.range(w / 60 + 2, w / 30 + 4);
        for yy in y0..(y0 + h / 20).min(h) {
            for xx in x..(x + glyph * 3 / 4).min(w) {
                let p = out.get_pixel_mut(xx, yy);
                *p = Rgb(p.0.map(|c| ((u16::from(c) + 255) / 2) as u8));
            }
        }
        x += glyph;
    }
    out
}
