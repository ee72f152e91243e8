//! The normaliser: idempotent, and every normalised character points at a span of the input
//! that lies on character boundaries, in order (one input character may give several, `⑲` →
//! `19`: they share its span).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglang_text::Normalizer;

fuzz_target!(|text: &str| {
    static N: std::sync::OnceLock<Normalizer> = std::sync::OnceLock::new();
    let n = N.get_or_init(Normalizer::new);
    let once = n.normalize_str(text);
    assert_eq!(n.normalize_str(&once), once, "normalising is idempotent");
    let norm = n.normalize(text);
    let mut last = (0, 0);
    for p in norm.positions() {
        let (s, e) = (p.orig_start as usize, p.orig_end as usize);
        assert!(s < e && e <= text.len(), "span within the input");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        assert!(
            s >= last.1 || (s, e) == last,
            "spans in order, not overlapping"
        );
        last = (s, e);
        assert!(norm.as_str().is_char_boundary(p.norm_byte as usize));
    }
});
