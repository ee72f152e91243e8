//! Pictures reviewed end to end (REV-10): a QR code in a screenshot is found, decoded and its
//! payload reviewed by the engine with the code's place in the picture; a screenshot without
//! one yields nothing; the text in a screenshot is read and reviewed line by line, a message
//! wrapped across lines as one; a reposted copy keeps its perceptual hash.

mod synth;
#[path = "synth/text.rs"]
mod synth_text;

use image::imageops;
use qinglang_engine::{default_lexicon, Engine, Scratch, Suggestion};
use qinglang_image::{review, Options, Part, PerceptualHash};

/// Everything, with time to spare: the tests run unoptimised.
fn unhurried() -> Options {
    Options {
        budget: std::time::Duration::from_secs(60),
        ..Options::default()
    }
}

/// QR codes only: the QR tests' screenshots carry strokes, not text, for OCR to read.
fn qr_only() -> Options {
    Options {
        ocr: false,
        ..Options::default()
    }
}

fn engine() -> Engine {
    Engine::builder()
        .lexicon(default_lexicon())
        .build()
        .expect("engine")
}

#[test]
fn a_qr_code_in_a_screenshot_is_read_reviewed_and_placed() {
    let engine = engine();
    let mut rng = synth::Rng::new(11);
    let mut scratch = Scratch::default();
    let payload = "加微信 wx8866123 进群看裸聊";
    for (size, angle) in [(300, 0.0), (200, 12.0), (160, -20.0)] {
        let mut shot = synth::screenshot(&mut rng);
        let placed =
            synth::paste_rotated(&mut shot, &synth::qr_code(payload, size), 250, 700, angle);
        let r =
            review(&engine, &synth::jpeg(&shot, 60), &qr_only(), &mut scratch).expect("reviewed");
        assert_eq!((r.width, r.height, r.format), (1080, 1920, "jpeg"));
        let qr: Vec<_> = r.pieces.iter().filter(|p| p.part == Part::Qr).collect();
        assert_eq!(qr.len(), 1, "{size} px at {angle}°: {:?}", r.pieces);
        assert_eq!(qr[0].text, payload);
        // The box lies inside the area the code was pasted into.
        let [x, y, w, h] = qr[0].bbox;
        assert!(
            x >= placed[0] && y >= placed[1],
            "{:?} in {placed:?}",
            qr[0].bbox
        );
        assert!(x + w <= placed[0] + placed[2] + 2 && y + h <= placed[1] + placed[3] + 2);
        assert_eq!(r.verdict.suggestion, Suggestion::Block, "{:?}", r.verdict);
        let hits = r.placed_hits();
        let porn = hits
            .iter()
            .find(|h| h.hit.category() == "porn")
            .expect("the payload's term");
        assert_eq!(porn.part, Part::Qr);
        assert_eq!(porn.bbox, qr[0].bbox);
        assert_eq!(&porn.text[porn.byte_start..porn.byte_end], "裸聊");
        assert_eq!((porn.start, porn.end), (17, 19));
    }
}

#[test]
fn a_screenshot_without_a_code_yields_nothing() {
    let engine = engine();
    let mut rng = synth::Rng::new(12);
    let mut scratch = Scratch::default();
    for _ in 0..5 {
        let shot = synth::screenshot(&mut rng);
        let r = review(&engine, &synth::png(&shot), &qr_only(), &mut scratch).expect("reviewed");
        assert!(r.pieces.is_empty(), "{:?}", r.pieces);
        assert_eq!(r.verdict.suggestion, Suggestion::Pass);
    }
}

#[test]
fn a_reposted_copy_keeps_its_hash_and_another_picture_does_not() {
    let mut rng = synth::Rng::new(13);
    let hash = |img: &image::RgbImage| {
        let (decoded, _) =
            qinglang_image::decode(&synth::jpeg(img, 50), &Default::default()).expect("decoded");
        PerceptualHash::of(&decoded)
    };
    let original = synth::poster(&mut rng, 800, 600);
    let other = synth::poster(&mut rng, 800, 600);
    let smaller = imageops::resize(&original, 400, 300, imageops::FilterType::Triangle);
    let marked = synth::watermark(&original, &mut rng);
    assert!(hash(&original).distance(hash(&smaller)) <= 4);
    assert!(hash(&original).distance(hash(&marked)) <= 10);
    assert!(hash(&original).distance(hash(&other)) > 12);
    let h = hash(&original);
    assert_eq!(PerceptualHash::from_hex(&h.to_hex()), Some(h));
    assert_eq!(PerceptualHash::from_hex("not hex at all!!"), None);
}

/// The text in a chat screenshot (REV-10, #24): a diversion message among ordinary ones is
/// read, reviewed and placed on its line; the ordinary lines are read as drawn.
#[test]
fn the_text_in_a_screenshot_is_read_reviewed_and_placed() {
    let Some(fonts) = synth_text::cjk_fonts_or_skip("the_text_in_a_screenshot_is_read") else {
        return;
    };
    let engine = engine();
    let mut scratch = Scratch::default();
    let mut rng = synth::Rng::new(21);
    let spam = "兼职刷单日结300加我薇信";
    let ordinary = ["今天下午三点开会，记得带材料", "好的，收到"];
    let (shot, drawn) = synth_text::chat(&mut rng, &fonts[0], &[ordinary[0], spam, ordinary[1]]);
    let r = review(&engine, &synth::jpeg(&shot, 75), &unhurried(), &mut scratch).expect("reviewed");
    let read: Vec<&str> = r.lines.iter().map(|l| l.text.as_str()).collect();
    for d in &drawn {
        assert!(
            read.contains(&d.text.as_str()),
            "{:?} not read exactly: {read:?}",
            d.text
        );
    }
    assert_ne!(r.verdict.suggestion, Suggestion::Pass, "{read:?}");
    let spam_row = drawn
        .iter()
        .find(|d| d.text == spam)
        .expect("drawn in one row");
    let fraud = r
        .placed_hits()
        .into_iter()
        .find(|h| h.part == Part::Ocr && h.text == spam)
        .expect("a hit on the spam line");
    // The hit's box is the line's, around where the row was drawn.
    let ([x, y, w, h], [dx, dy, dw, dh]) = (fraud.bbox, spam_row.bbox);
    assert!(
        x <= dx + 4 && y <= dy + 4,
        "{:?} vs {:?}",
        fraud.bbox,
        spam_row.bbox
    );
    assert!(
        x + w + 4 >= dx + dw && y + h + 4 >= dy + dh,
        "{:?} vs {:?}",
        fraud.bbox,
        spam_row.bbox
    );
    assert_eq!(
        &fraud.text[fraud.byte_start..fraud.byte_end],
        &r.text[fraud.hit.byte_start..fraud.hit.byte_end]
    );
}

/// A message wrapped by the chat's bubble is one text to the engine: a term split by the wrap
/// is still found, and placed on the paragraph it runs across.
#[test]
fn a_term_split_by_a_wrapped_line_is_found() {
    let Some(fonts) = synth_text::cjk_fonts_or_skip("a_term_split_by_a_wrapped_line") else {
        return;
    };
    let engine = engine();
    let mut scratch = Scratch::default();
    let font = &fonts[0];
    let filler: Vec<char> = "我们这个周末一起去公园散步吧顺便看看花开了没有然后再去吃饭好不好呀"
        .chars()
        .collect();
    for seed in 40..43 {
        // Where this seed's bubble wraps (every CJK character has the same advance), then the
        // same bubble with 裸 last on the first row and 聊 first on the second.
        let (_, drawn) = synth_text::chat(
            &mut synth::Rng::new(seed),
            font,
            &[&filler.iter().collect::<String>()],
        );
        let row = drawn[0].text.chars().count();
        let message: String = filler[..row - 1]
            .iter()
            .chain(['裸', '聊'].iter())
            .chain(&filler[row..])
            .collect();
        let (shot, drawn) = synth_text::chat(&mut synth::Rng::new(seed), font, &[&message]);
        assert!(
            drawn[0].text.ends_with('裸') && drawn[1].text.starts_with('聊'),
            "{drawn:?}"
        );
        let r =
            review(&engine, &synth::jpeg(&shot, 75), &unhurried(), &mut scratch).expect("reviewed");
        let hit = r
            .placed_hits()
            .into_iter()
            .find(|h| h.hit.category() == "porn");
        let hit = hit.unwrap_or_else(|| panic!("裸聊 across the wrap: {:?}", r.pieces));
        assert_eq!(&hit.text[hit.byte_start..hit.byte_end], "裸聊");
        assert!(
            hit.bbox[3] > drawn[0].bbox[3] * 3 / 2,
            "the paragraph's box: {:?}",
            hit.bbox
        );
    }
}

/// Ordinary screenshots pass, OCR can be turned off, and a picture whose review runs out of
/// time goes to review rather than passing.
#[test]
fn ordinary_text_passes_and_an_unfinished_review_is_not_a_pass() {
    let Some(fonts) = synth_text::cjk_fonts_or_skip("ordinary_text_passes") else {
        return;
    };
    let engine = engine();
    let mut scratch = Scratch::default();
    let mut rng = synth::Rng::new(31);
    let (shot, _) = synth_text::chat(
        &mut rng,
        &fonts[fonts.len() - 1],
        &[
            "明天的会议改到上午十点",
            "收到，我通知大家",
            "北京今天有小雨，出门记得带伞",
        ],
    );
    let bytes = synth::jpeg(&shot, 75);
    let r = review(&engine, &bytes, &unhurried(), &mut scratch).expect("reviewed");
    assert!(r.lines.len() >= 3, "{:?}", r.lines);
    assert_eq!(
        r.verdict.suggestion,
        Suggestion::Pass,
        "{:?}",
        r.verdict.hits
    );
    assert!(!r.incomplete);

    let r = review(&engine, &bytes, &qr_only(), &mut scratch).expect("reviewed");
    assert!(r.lines.is_empty() && r.pieces.is_empty());

    let hurried = Options {
        budget: std::time::Duration::from_millis(1),
        ..Options::default()
    };
    let r = review(&engine, &bytes, &hurried, &mut scratch).expect("reviewed");
    assert!(r.incomplete);
    assert_eq!(r.verdict.suggestion, Suggestion::Review);
}
