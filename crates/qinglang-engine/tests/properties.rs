//! Properties of scanning over arbitrary and disguised input: no panic, spans are char
//! boundaries that select the original text, hits are ordered by their start and nest or are
//! disjoint (a term inside a contact, `sex` in `sex@三.sex`, is reported inside it; no two
//! hits cross), and a term disguised with noise, case and Traditional forms is still found.

use std::sync::OnceLock;

use proptest::prelude::*;
use qinglang_engine::{Engine, Lexicon};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let lexicon = Lexicon::parse(
            "props",
            "赌博\tgambling\n赌博网站\tgambling\n成人视频\tporn\nsex\tporn\nk粉\tdrugs\n三黄片\tcustom\tallow\n黄片\tporn\n",
        )
        .expect("lexicon");
        Engine::builder().lexicon(lexicon).build().expect("engine")
    })
}

fn messy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "赌",
                "博",
                "賭",
                "網",
                "网",
                "站",
                "成",
                "人",
                "視",
                "视",
                "频",
                "黄",
                "片",
                "三",
                "叁",
                "sex",
                "SEX",
                "ｓｅｘ",
                "k",
                "粉",
                "*",
                " ",
                "❤",
                "\u{200b}",
                "\u{feff}",
                "(dǔ)",
                "\n",
                "，",
                "的",
                "a",
                "😀",
            ])
            .prop_map(str::to_owned),
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..60,
    )
    .prop_map(|p| p.concat())
}

fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let verdict = engine().scan(text);
    let mut last_start = 0;
    for (k, hit) in verdict.hits.iter().enumerate() {
        prop_assert!(text.is_char_boundary(hit.byte_start));
        prop_assert!(text.is_char_boundary(hit.byte_end));
        prop_assert!(hit.byte_start < hit.byte_end);
        prop_assert!(
            hit.byte_start >= last_start,
            "hits are ordered by their start"
        );
        last_start = hit.byte_start;
        // No two hits cross: each earlier one either ends before this one starts or holds
        // it, or lies inside it.
        for earlier in &verdict.hits[..k] {
            let crossing = earlier.byte_start < hit.byte_start
                && hit.byte_start < earlier.byte_end
                && earlier.byte_end < hit.byte_end;
            prop_assert!(
                !crossing,
                "{:?} crosses {:?}",
                earlier.text(text),
                hit.text(text)
            );
        }
        let by_chars: String = text
            .chars()
            .skip(hit.start)
            .take(hit.end - hit.start)
            .collect();
        prop_assert_eq!(by_chars.as_str(), hit.text(text));
        // A span starts and ends on real characters, never on noise.
        let first = hit.text(text).chars().next().unwrap_or(' ');
        let last = hit.text(text).chars().last().unwrap_or(' ');
        prop_assert!(
            first.is_alphanumeric() && last.is_alphanumeric(),
            "{:?}",
            hit.text(text)
        );
    }
    prop_assert!(verdict.score <= 100);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn spans_are_exact_on_messy_text(text in messy()) {
        check_spans(&text)?;
    }

    #[test]
    fn never_panics_on_any_string(text in any::<String>()) {
        check_spans(&text)?;
    }

    #[test]
    fn disguised_term_is_found(
        noise in prop::collection::vec(prop::sample::select(vec!["", "*", " ", "❤", "\u{200b}", "~~", "-_"]), 3),
        traditional in any::<bool>(),
        prefix in "[0-9xyz]{0,3}[ 。]",
    ) {
        let chars: [&str; 4] = if traditional { ["賭", "博", "網", "站"] } else { ["赌", "博", "网", "站"] };
        let disguise = format!("{}{}{}{}{}{}{}", chars[0], noise[0], chars[1], noise[1], chars[2], noise[2], chars[3]);
        let text = format!("{prefix}{disguise}好");
        let verdict = engine().scan(&text);
        prop_assert_eq!(verdict.hits.len(), 1, "{:?}", text);
        prop_assert_eq!(verdict.hits[0].term(), "赌博网站");
        prop_assert_eq!(verdict.hits[0].text(&text), disguise.as_str());
    }
}
