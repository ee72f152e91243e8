//! Pictures reviewed end to end (REV-10): a QR code in a screenshot is found, decoded and its
//! payload reviewed by the engine with the code's place in the picture; a screenshot without
//! one yields nothing; a reposted copy keeps its perceptual hash.

mod synth;

use image::imageops;
use qinglang_engine::{default_lexicon, Engine, Scratch, Suggestion};
use qinglang_image::{review, Options, Part, PerceptualHash};

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
        let r = review(
            &engine,
            &synth::jpeg(&shot, 60),
            &Options::default(),
            &mut scratch,
        )
        .expect("reviewed");
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
        assert_eq!(porn.piece.part, Part::Qr);
        assert_eq!(&porn.piece.text[porn.byte_start..porn.byte_end], "裸聊");
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
        let r = review(
            &engine,
            &synth::png(&shot),
            &Options::default(),
            &mut scratch,
        )
        .expect("reviewed");
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
