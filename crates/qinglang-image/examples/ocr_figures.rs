//! Text in pictures (#24 figures): chat screenshots drawn in six CJK fonts at 30–45 px, light
//! and dark, saved as JPEG quality 75, carrying text gathered outside the project, read by
//! OCR and reviewed by the shipped engine (default lexicon, classifier and fraud model).
//!
//! - **line exact**: of the rows drawn, how many OCR reads exactly as they can be seen (without
//!   the characters that draw nothing: zero-width spaces, control characters, characters the
//!   font lacks), and after folding full-width forms and spaces, which the engine folds too.
//!   Rows wrap as a phone's text layout wraps them (no row starts with `，` or `。`);
//! - **spam flagged**: screenshots carrying one spam message among ordinary ones, flagged
//!   (not `pass`) because of the text read; counted over messages the engine flags when typed,
//!   so that the figure is OCR's, not the lexicon's (all spam messages reported beside it);
//! - **ordinary passed**: screenshots of ordinary messages, and generated photos and posters
//!   without text, whose verdict is `pass`;
//! - the time per screenshot with OCR, on one core.
//!
//! Spam: the injected keyword runs of `../shared/data/seo-dev` (real hacked pages), the
//! block-level examples of `test_data/real/cases.tsv` (real evasion quoted in #19), the scam
//! texts of `test_data/fraud/messages.jsonl`, and the contacts of `test_data/contacts`.
//! Ordinary: Wikipedia sentences (`wiki-zh-gsd`) and COLD's safe comments (`cold/dev.csv`).
//!
//!   cargo run --release -p qinglang-image --example ocr_figures [-- SCREENSHOTS] [--save DIR] [--all] [--seed N]
//!
//! Misreads are listed, the first 40 or all (`--all`). The figure is the default seed's; tune
//! on another (`--seed`), so that what is reported was not what the tuning looked at.

#[path = "../tests/synth/mod.rs"]
mod synth;
#[path = "../tests/synth/text.rs"]
mod synth_text;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use qinglang_engine::{
    default_classifier, default_fraud_model, default_lexicon, default_spam_model, Engine, Scratch,
    Suggestion,
};
use qinglang_image::{review, Options, Part};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let mut shots = 100usize;
    let mut save: Option<PathBuf> = None;
    let mut shown = 40usize;
    let mut seed = 2412u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--save" => save = args.next().map(PathBuf::from),
            "--all" => shown = usize::MAX,
            "--seed" => seed = args.next().ok_or("--seed needs a number")?.parse()?,
            n => shots = n.parse()?,
        }
    }
    let fonts = synth_text::cjk_fonts();
    if fonts.is_empty() {
        return Err("no CJK font installed: run scripts/install-fonts.sh".into());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spam = spam_texts(&root)?;
    let ordinary = ordinary_texts(&root)?;
    let engine = Engine::builder()
        .lexicon(default_lexicon())
        .fraud_model(Arc::new(default_fraud_model()))
        .spam_model(Arc::new(default_spam_model()))
        .classifier(Arc::new(default_classifier()))
        .build()?;
    let mut scratch = Scratch::default();
    let typed_flagged: Vec<&String> = spam
        .iter()
        .filter(|t| engine.scan(t).suggestion != Suggestion::Pass)
        .collect();
    let ordinary: Vec<&String> = ordinary
        .iter()
        .filter(|t| engine.scan(t).suggestion == Suggestion::Pass)
        .collect();
    println!(
        "texts: {} spam ({} flagged when typed), {} ordinary that pass when typed; fonts: {}",
        spam.len(),
        typed_flagged.len(),
        ordinary.len(),
        fonts.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
    );
    // Warm the networks so the first screenshot's time is not the load's.
    let started = Instant::now();
    let ocr = qinglang_image::Ocr::shared().map_err(|e| e.to_string())?;
    ocr.warm()?;
    println!(
        "OCR models loaded in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let options = Options {
        budget: Duration::from_secs(10),
        ..Options::default()
    };
    let mut rng = synth::Rng::new(seed);
    let (mut rows, mut exact, mut folded) = (0usize, 0usize, 0usize);
    let (mut spam_shots, mut spam_flagged) = (0usize, 0usize);
    let (mut plain_shots, mut plain_passed) = (0usize, 0usize);
    let mut times = Vec::new();
    let mut misreads = Vec::new();
    for i in 0..shots {
        let font = &fonts[i % fonts.len()];
        let mut messages: Vec<&str> = (0..rng.range(2, 5))
            .map(|_| ordinary[rng.range(0, ordinary.len() as u32) as usize].as_str())
            .collect();
        let with_spam = i % 2 == 0;
        if with_spam {
            let s = typed_flagged[(i / 2) % typed_flagged.len()];
            let at = rng.range(0, messages.len() as u32 + 1) as usize;
            messages.insert(at, s.as_str());
        }
        let messages: Vec<String> = messages.iter().map(|m| clip(m, 60)).collect();
        let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
        let (shot, drawn) = synth_text::chat(&mut rng, font, &messages);
        let bytes = synth::jpeg(&shot, 75);
        if let Some(dir) = &save {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("shot-{i:03}.jpg")), &bytes)?;
        }
        let started = Instant::now();
        let r = review(&engine, &bytes, &options, &mut scratch)?;
        times.push(started.elapsed());
        for d in &drawn {
            rows += 1;
            let read = r.lines.iter().find(|l| inside(l.bbox, d.bbox));
            let got = read.map_or("", |l| l.text.as_str());
            if got == d.visible {
                exact += 1;
            } else {
                misreads.push(format!("[{}] {:?} → {:?}", font.name, d.visible, got));
            }
            if fold(got) == fold(&d.visible) {
                folded += 1;
            }
        }
        let flagged_by_text = r.verdict.suggestion != Suggestion::Pass
            && r.placed_hits().iter().any(|h| h.part == Part::Ocr);
        if with_spam {
            spam_shots += 1;
            spam_flagged += usize::from(flagged_by_text);
        } else {
            plain_shots += 1;
            if r.verdict.suggestion == Suggestion::Pass {
                plain_passed += 1;
            } else {
                misreads.push(format!(
                    "ordinary screenshot {i} flagged: {:?}",
                    r.verdict
                        .hits
                        .iter()
                        .map(|h| (h.term(), h.category()))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    // Photos and posters without text.
    let photos = (shots / 2).max(10);
    let mut photos_passed = 0;
    for _ in 0..photos {
        let (w, h) = (rng.range(600, 1600), rng.range(600, 1600));
        let picture = synth::poster(&mut rng, w, h);
        let r = review(&engine, &synth::jpeg(&picture, 80), &options, &mut scratch)?;
        if r.verdict.suggestion == Suggestion::Pass {
            photos_passed += 1;
        } else {
            misreads.push(format!("photo flagged: {:?}", r.lines));
        }
    }
    for m in misreads.iter().take(shown) {
        println!("  {m}");
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "line exact: {exact}/{rows} = {:.1}% (folding full-width forms and spaces: {folded}/{rows} = {:.1}%)",
        pct(exact, rows),
        pct(folded, rows)
    );
    println!(
        "spam flagged by its text: {spam_flagged}/{spam_shots} = {:.1}%",
        pct(spam_flagged, spam_shots)
    );
    println!(
        "ordinary passed: screenshots {plain_passed}/{plain_shots} = {:.1}%, photos {photos_passed}/{photos} = {:.1}%, together {:.1}%",
        pct(plain_passed, plain_shots),
        pct(photos_passed, photos),
        pct(plain_passed + photos_passed, plain_shots + photos)
    );
    println!(
        "time per 1080×1920 screenshot with OCR: median {:.0} ms, 90th percentile {:.0} ms, max {:.0} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1])
    );
    Ok(())
}

/// The OCR line's centre lies in the drawn row.
fn inside(line: [u32; 4], row: [u32; 4]) -> bool {
    let (cx, cy) = (line[0] + line[2] / 2, line[1] + line[3] / 2);
    cx >= row[0] && cx <= row[0] + row[2] && cy >= row[1] && cy <= row[1] + row[3]
}

/// Full-width ASCII forms as ASCII, spaces dropped: what the engine's normalisation makes of
/// a line anyway.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn spam_texts(root: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let seo = std::fs::read_to_string(root.join("../shared/data/seo-dev/seo_dev.jsonl"))?;
    for line in seo.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v["kind"] == "injected" {
            if let Some(s) = v["spam"].as_str() {
                out.push(s.to_string());
            }
        }
    }
    let real = std::fs::read_to_string(root.join("test_data/real/cases.tsv"))?;
    for line in real.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.split('\t');
        if let (Some("block"), Some(text)) = (f.next(), f.next()) {
            out.push(text.to_string());
        }
    }
    let fraud = std::fs::read_to_string(root.join("test_data/fraud/messages.jsonl"))?;
    for line in fraud.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v["label"] == "scam" {
            if let Some(s) = v["text"].as_str() {
                out.push(s.to_string());
            }
        }
    }
    let contacts = std::fs::read_to_string(root.join("test_data/contacts/cases.jsonl"))?;
    for line in contacts.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(s) = v["text"].as_str() {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

fn ordinary_texts(root: &Path) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> =
        std::fs::read_to_string(root.join("../shared/data/wiki-zh-gsd/sentences.txt"))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
    let mut reader = csv::Reader::from_path(root.join("../shared/data/cold/dev.csv"))?;
    let headers = reader.headers()?.clone();
    let text = headers
        .iter()
        .position(|h| h == "TEXT")
        .ok_or("cold: no TEXT column")?;
    let label = headers
        .iter()
        .position(|h| h == "label")
        .ok_or("cold: no label column")?;
    for row in reader.records() {
        let row = row?;
        if row.get(label) == Some("0") {
            if let Some(t) = row.get(text) {
                out.push(t.to_string());
            }
        }
    }
    Ok(out)
}
