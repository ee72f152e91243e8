//! QR codes in screenshots (#24 figure): 1080 × 1920 chat screenshots with a code pasted in at
//! sizes 110–300 px and angles up to 25°, saved as JPEG quality 60; how many decode, by size,
//! how long a picture takes (decode + QR + hash), and how many screenshots without a code
//! yield one (none may).
//!
//!   cargo run --release -p qinglang-image --example qr_figures [-- PER_SIZE]

#[path = "../tests/synth/mod.rs"]
mod synth;

use std::time::Instant;

use qinglang_engine::{Engine, Lexicon, Scratch};
use qinglang_image::{review, Options, Part};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let per_size: u32 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(24);
    let engine = Engine::builder()
        .lexicon(Lexicon::parse("bench", "赌博\tgambling\n")?)
        .build()?;
    // QR codes only: this measures decode + QR + hash; OCR has its own figures (ocr_figures).
    let options = Options {
        ocr: false,
        ..Options::default()
    };
    let mut scratch = Scratch::default();
    let mut rng = synth::Rng::new(2026);
    let mut times = Vec::new();
    println!("size  decoded  (of {per_size}; angles 0–25°, JPEG q60)");
    for size in [110, 130, 150, 200, 250, 300] {
        let mut decoded = 0;
        for i in 0..per_size {
            let mut shot = synth::screenshot(&mut rng);
            let payload = match i % 3 {
                0 => format!("https://weixin.qq.com/g/A{}", rng.range(100_000, 999_999)),
                1 => format!(
                    "http://bet{}.vip/reg?code={}",
                    rng.range(10, 99),
                    rng.range(1000, 9999)
                ),
                _ => format!("加微信 wx{} 领红包", rng.range(100_000, 999_999)),
            };
            let code = synth::qr_code(&payload, size);
            let angle = rng.range(0, 26) as f32 * if i % 2 == 0 { 1.0 } else { -1.0 };
            let x = rng.range(40, 1080 - size * 3 / 2 - 40);
            let y = rng.range(200, 1920 - size * 3 / 2 - 40);
            synth::paste_rotated(&mut shot, &code, x, y, angle);
            let bytes = synth::jpeg(&shot, 60);
            let started = Instant::now();
            let r = review(&engine, &bytes, &options, &mut scratch)?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            if r.pieces
                .iter()
                .any(|p| p.part == Part::Qr && p.text == payload.replace('\n', " "))
            {
                decoded += 1;
            }
        }
        println!(
            "{size:>4}  {decoded:>7}  {:5.1}%",
            100.0 * f64::from(decoded) / f64::from(per_size)
        );
    }
    let mut false_decodes = 0;
    let negatives = 100;
    for _ in 0..negatives {
        let shot = synth::screenshot(&mut rng);
        let r = review(&engine, &synth::jpeg(&shot, 60), &options, &mut scratch)?;
        false_decodes += r.pieces.iter().filter(|p| p.part == Part::Qr).count();
    }
    // Where the time goes, on the last screenshot with a 200 px code.
    let mut shot = synth::screenshot(&mut rng);
    synth::paste_rotated(
        &mut shot,
        &synth::qr_code("https://weixin.qq.com/g/A123456", 200),
        300,
        900,
        10.0,
    );
    let bytes = synth::jpeg(&shot, 60);
    let mut stages = [0.0f64; 4];
    let rounds = 20;
    for _ in 0..rounds {
        let t = Instant::now();
        let (img, _) = qinglang_image::decode(&bytes, &options.limits)?;
        stages[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let gray = img.to_luma8();
        stages[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let found = qinglang_image::qr::find(&gray, Instant::now() + options.budget);
        stages[2] += t.elapsed().as_secs_f64();
        assert_eq!(found.len(), 1);
        let t = Instant::now();
        let _ = qinglang_image::PerceptualHash::of(&img);
        stages[3] += t.elapsed().as_secs_f64();
    }
    let ms = |s: f64| s * 1e3 / f64::from(rounds);
    println!(
        "stages: decode {:.1} ms, grey {:.1} ms, QR {:.1} ms, hash {:.1} ms",
        ms(stages[0]),
        ms(stages[1]),
        ms(stages[2]),
        ms(stages[3])
    );
    times.sort_by(f64::total_cmp);
    println!("screenshots without a code: {negatives}, codes found in them: {false_decodes}");
    println!(
        "per picture (decode + QR + hash, one thread): median {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        times[times.len() / 2],
        times[times.len() * 9 / 10],
        times[times.len() - 1]
    );
    Ok(())
}
