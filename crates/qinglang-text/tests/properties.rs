//! Properties of the normaliser over arbitrary input: it never panics, normalising twice
//! equals normalising once, and every position maps to a real span of the original.

use proptest::prelude::*;
use qinglang_text::{CharCounter, Normalizer};

fn normalizer() -> &'static Normalizer {
    static N: std::sync::OnceLock<Normalizer> = std::sync::OnceLock::new();
    N.get_or_init(Normalizer::new)
}

/// Text that looks like what evaders write: CJK, Latin, digits, noise, invisibles, pinyin.
fn disguised() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "赌",
                "博",
                "賭",
                "網",
                "站",
                "成",
                "人",
                "视",
                "频",
                "業",
                "(yè)",
                "（dāng）",
                "(",
                ")",
                "*",
                " ",
                "❤",
                "😀",
                "\u{200b}",
                "\u{feff}",
                "\u{00ad}",
                "\u{fe0f}",
                "①",
                "⑩",
                "Ⓕ",
                "ａ",
                "Ａ",
                "а",
                "\n",
                "三",
                "叁",
                "x",
                "Z",
                "9",
                "⁹",
                "₈",
                "é",
                "\u{0301}",
            ])
            .prop_map(str::to_owned),
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn idempotent(s in disguised()) {
        let once = normalizer().normalize_str(&s);
        prop_assert_eq!(normalizer().normalize_str(&once), once);
    }

    #[test]
    fn idempotent_on_any_string(s in any::<String>()) {
        let once = normalizer().normalize_str(&s);
        prop_assert_eq!(normalizer().normalize_str(&once), once);
    }

    #[test]
    fn positions_are_char_boundaries_in_order(s in disguised()) {
        let norm = normalizer().normalize(&s);
        prop_assert_eq!(norm.positions().len(), norm.as_str().chars().count());
        let mut last_end = 0;
        for (p, (byte, _)) in norm.positions().iter().zip(norm.as_str().char_indices()) {
            prop_assert_eq!(p.norm_byte as usize, byte);
            prop_assert!(s.is_char_boundary(p.orig_start as usize));
            prop_assert!(s.is_char_boundary(p.orig_end as usize));
            prop_assert!(p.orig_start < p.orig_end);
            prop_assert!(p.orig_start as usize >= last_end || p.orig_end as usize == last_end);
            last_end = p.orig_end as usize;
        }
    }

    /// `locate` (one pass, no map) agrees with the map for every span of the text, and
    /// refuses spans past its end or backwards.
    #[test]
    fn locate_agrees_with_the_position_map(s in disguised()) {
        let norm = normalizer().normalize(&s);
        let pos = norm.positions();
        for first in 0..=pos.len() {
            for last in first..=pos.len() {
                let expected = (last < pos.len())
                    .then(|| (pos[first].orig_start as usize, pos[last].orig_end as usize));
                prop_assert_eq!(normalizer().locate(&s, first, last), expected);
            }
            prop_assert_eq!(normalizer().locate(&s, first + 1, first), None);
        }
    }

    #[test]
    fn char_counter_matches_chars(s in any::<String>()) {
        let mut counter = CharCounter::new(&s);
        for (i, (byte, _)) in s.char_indices().enumerate() {
            prop_assert_eq!(counter.char_offset(byte), i);
        }
        prop_assert_eq!(counter.char_offset(s.len()), s.chars().count());
    }
}
