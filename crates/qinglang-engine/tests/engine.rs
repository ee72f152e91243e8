//! Engine behaviour that golden files cannot show: several lexicons, errors, sharing.

use std::sync::Arc;

use qinglang_engine::{
    default_lexicon, Action, BuildError, Engine, Lexicon, LexiconErrorKind, Policy, Suggestion,
};

fn lexicon(name: &str, text: &str) -> Lexicon {
    Lexicon::parse(name, text).expect("lexicon parses")
}

#[test]
fn the_same_term_in_two_lexicons_reports_both_sources() {
    let engine = Engine::builder()
        .lexicon(lexicon("ops", "賭博\tgambling\treview\n"))
        .lexicon(lexicon("extra", "赌博\tgambling\tblock\n"))
        .build()
        .expect("builds");
    let verdict = engine.scan("赌博");
    let got: Vec<(&str, &str, Action)> = verdict
        .hits
        .iter()
        .map(|h| (h.term(), h.source(), h.action()))
        .collect();
    // Strongest first; the term is reported as written in each file (REV-5).
    assert_eq!(
        got,
        [
            ("赌博", "extra", Action::Block),
            ("賭博", "ops", Action::Review)
        ]
    );
    assert_eq!(verdict.suggestion, Suggestion::Block);
}

#[test]
fn operator_allow_overrides_a_default_block_term() {
    let engine = Engine::builder()
        .lexicon(lexicon("default", "黄片\tporn\n"))
        .lexicon(lexicon("ops", "三黄片\tcustom\tallow\n"))
        .build()
        .expect("builds");
    assert_eq!(engine.scan("三黄片").suggestion, Suggestion::Pass);
    assert_eq!(engine.scan("黄片").suggestion, Suggestion::Block);
}

#[test]
fn a_term_with_nothing_to_match_names_its_line() {
    let err = Engine::builder()
        .lexicon(lexicon("ops.txt", "赌博\n***\tcustom\n"))
        .build()
        .expect_err("*** cannot be matched");
    match &err {
        BuildError::Lexicon(e) => {
            assert_eq!(e.line, 2);
            assert!(matches!(e.kind, LexiconErrorKind::NothingToMatch(_)));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().starts_with("ops.txt:2: "), "{err}");
}

#[test]
fn inconsistent_policy_is_refused() {
    let policy = Policy {
        review_threshold: 90,
        block_threshold: 80,
        ..Policy::default()
    };
    let err = Engine::builder()
        .policy(policy)
        .build()
        .expect_err("refused");
    assert!(err.to_string().contains("review_threshold"), "{err}");
}

#[test]
fn policy_thresholds_change_the_verdict() {
    // One block-level term in a long sentence of prose is diluted to review by default…
    let prose = "据报道，警方近日破获一起通过社交平台传播毛片的案件，涉案人员已被依法刑事拘留，案件正在进一步审理之中。";
    let lexicon = || lexicon("ops", "毛片\tporn\n");
    let default = Engine::builder()
        .lexicon(lexicon())
        .build()
        .expect("builds");
    assert_eq!(default.scan(prose).suggestion, Suggestion::Review);
    // …and a stricter policy (ENF-3 style tightening) blocks it.
    let strict = Policy {
        block_threshold: 45,
        review_threshold: 30,
        ..Policy::default()
    };
    let engine = Engine::builder()
        .lexicon(lexicon())
        .policy(strict)
        .build()
        .expect("builds");
    assert_eq!(engine.scan(prose).suggestion, Suggestion::Block);
}

#[test]
fn an_empty_engine_passes_everything() {
    let engine = Engine::builder().build().expect("builds");
    let verdict = engine.scan("任何文本");
    assert_eq!(verdict.suggestion, Suggestion::Pass);
    assert!(verdict.hits.is_empty());
}

#[test]
fn engine_is_shareable_across_threads_and_swappable() {
    let first = Arc::new(
        Engine::builder()
            .lexicon(lexicon("v1", "赌博\tgambling\n"))
            .build()
            .expect("builds"),
    );
    let in_flight = Arc::clone(&first);
    let handle = std::thread::spawn(move || in_flight.scan("赌博").suggestion);
    // A rebuilt engine replaces the old one; a scan that holds the old Arc is unaffected.
    let second = Arc::new(
        Engine::builder()
            .lexicon(lexicon("v2", "赌博\tgambling\tallow\n"))
            .build()
            .expect("builds"),
    );
    assert_eq!(handle.join().expect("thread"), Suggestion::Block);
    assert_eq!(second.scan("赌博").suggestion, Suggestion::Pass);
}

#[test]
fn the_shipped_default_lexicon_parses_and_has_no_politics() {
    let lexicon = Lexicon::parse("default", qinglang_engine::DEFAULT_LEXICON_TEXT)
        .expect("shipped lexicon parses");
    assert!(lexicon.len() > 30_000, "only {} entries", lexicon.len());
    assert_eq!(lexicon.len(), default_lexicon().len());
    assert!(lexicon.entries().iter().all(|e| &*e.category != "politics"
        && &*e.category != "custom"
        || e.action == Action::Allow));
    // The raw list's known failures on ordinary words are gone.
    let engine = Engine::builder()
        .lexicon(lexicon)
        .build()
        .expect("compiles");
    for ordinary in ["生日快乐", "日本", "种子", "电影", "美女"] {
        assert_eq!(
            engine.scan(ordinary).suggestion,
            Suggestion::Pass,
            "{ordinary}"
        );
    }
}

#[test]
fn contact_rules_report_ad_hits_and_can_be_turned_off() {
    let text = "兼职日结，加我薇信 abc_12345 或 壹叁捌零零壹叁捌零零零";
    let engine = Engine::builder().build().expect("builds");
    let verdict = engine.scan(text);
    let got: Vec<(&str, &str, &str)> = verdict
        .hits
        .iter()
        .map(|h| (h.term(), h.source(), h.text(text)))
        .collect();
    assert_eq!(
        got,
        [
            ("wechat", "rule:contact", "薇信 abc_12345"),
            ("mobile", "rule:contact", "壹叁捌零零壹叁捌零零零")
        ]
    );
    assert_eq!(verdict.suggestion, Suggestion::Review);
    assert_eq!(verdict.labels, ["ad"]);

    let quiet = Engine::builder()
        .policy(Policy {
            detect_contacts: false,
            ..Policy::default()
        })
        .build()
        .expect("builds");
    assert!(quiet.scan(text).hits.is_empty());
}

/// A number or a link written so that a filter would miss it carries the family `disguised`
/// (REV-6, #19): numbers cut into groups by an odd separator, a spaced `·` for the dot, a name
/// spaced out letter by letter, 匚 for C, digits spelt out. What a shop or a bank writes
/// plainly does not, and a measurement is no number.
#[test]
fn disguised_contacts_carry_their_family() {
    let engine = Engine::builder().build().expect("builds");
    let contacts = |text: &str| -> Vec<(String, String, Option<String>)> {
        engine
            .scan(text)
            .hits
            .iter()
            .map(|h| {
                let family = h.subcategory().map(str::to_owned);
                (h.term().to_owned(), h.text(text).to_owned(), family)
            })
            .collect()
    };
    let disguised = |term: &str, text: &str| {
        (
            term.to_owned(),
            text.to_owned(),
            Some("disguised".to_owned()),
        )
    };
    let plain = |term: &str, text: &str| (term.to_owned(), text.to_owned(), None);
    for (text, want) in [
        (
            "代孕【１３６乀７０２７乀０００５電話】",
            disguised("mobile", "１３６乀７０２７乀０００５"),
        ),
        (
            "+微/电 158...1717...2008",
            disguised("mobile", "158...1717...2008"),
        ),
        (
            "上门【188x1887x9571娜娜】",
            disguised("mobile", "188x1887x9571"),
        ),
        (
            "╋薇:781乄372乄524▋",
            disguised("wechat", "薇:781乄372乄524"),
        ),
        ("【网: 263613·cc】", disguised("url", "263613·cc")),
        (
            "《網芷—— ８ １ ９ ６ · Ｃ Ｃ ——》",
            disguised("url", "８ １ ９ ６ · Ｃ Ｃ"),
        ),
        ("【誷―DF518·匚匚―】", disguised("url", "DF518·匚匚")),
        ("网址abc点com", disguised("url", "abc点com")),
        ("网址 abc dot com 速来", disguised("url", "abc dot com")),
        (
            "幺三八幺二三四五六七八",
            disguised("mobile", "幺三八幺二三四五六七八"),
        ),
        (
            "打开 https://cnzw.xn--8mr619f.chat/yv 观看",
            disguised("url", "https://cnzw.xn--8mr619f.chat/yv"),
        ),
        ("电话 138 1234 5678", plain("mobile", "138 1234 5678")),
        ("电话 138-1234-5678", plain("mobile", "138-1234-5678")),
        (
            "电话１３８１２３４５６７８",
            plain("mobile", "１３８１２３４５６７８"),
        ),
        (
            "网址 https://www.abc123.cn/a?b=1 查看",
            plain("url", "https://www.abc123.cn/a?b=1"),
        ),
        ("加微信 abcd12345", plain("wechat", "微信 abcd12345")),
    ] {
        assert_eq!(contacts(text), [want], "{text:?}");
    }
    assert_eq!(contacts("板材尺寸150x1000x2000mm"), []);
    assert_eq!(contacts("价格100元200元300元"), []);
}

/// A domain's dot is not a sentence's: `Good. Me too` is English, not the site `good.me`, and
/// no contact crosses a line break (ARCHITECTURE: a line break is never crossed). A spaced
/// dot before a lone TLD is still a disguise (REV-6).
#[test]
fn a_sentence_break_is_not_a_domain_dot() {
    let engine = Engine::builder().build().expect("builds");
    let urls = |text: &str| -> Vec<String> {
        engine
            .scan(text)
            .hits
            .iter()
            .filter(|h| h.term() == "url")
            .map(|h| h.text(text).to_owned())
            .collect()
    };
    for text in [
        "Good. Me too",
        "That was good. me too, thanks",
        "I see. In the end it worked",
        "联系abc\n.com的人",
        "abc.\ncom",
        "first line ends here.\nco-workers agree",
    ] {
        assert_eq!(urls(text), Vec::<String>::new(), "{text:?}");
    }
    assert_eq!(urls("看片去 abc . com 详聊"), ["abc . com"]);
    assert_eq!(urls("看片去example.com"), ["example.com"]);
    assert_eq!(urls("网址 www.abc123.cn，速来"), ["www.abc123.cn"]);
    assert_eq!(urls("网址abc。cn"), ["abc。cn"]);
    // Disguises the pre-check used to let through (nothing else in these texts is
    // contact-like, so the URL alone must open the contact pass).
    assert_eq!(urls("看片 example[.]com"), ["example[.]com"]);
    assert_eq!(urls("看片 example.\u{200B}com"), ["example.\u{200B}com"]);
    assert_eq!(urls("看片 example.\u{0441}om"), ["example.\u{0441}om"]);
    assert_eq!(urls("网址abc。ＣＮ"), ["abc。ＣＮ"]);
    assert_eq!(urls("看片 example.\u{AD}com"), ["example.\u{AD}com"]);
    assert_eq!(urls("看片 example.\u{2066}com"), ["example.\u{2066}com"]);
    // A TLD in capitals after a spaced dot is a domain; a capitalised word is a sentence.
    assert_eq!(urls("看片 abc. COM"), ["abc. COM"]);
    assert_eq!(urls("网址 abc。 ＣＮ"), ["abc。 ＣＮ"]);
}

/// One visible emoji is one separator, however many code points draw it (a skin tone, a
/// family joined by ZWJ, a flag's two letters); enclosed ideographs read as the ideograph
/// (🈶 有, 🉑 可); tone marks written as combining characters still mark a pinyin
/// annotation (REV-1: up to three separators between a term's characters).
#[test]
fn emoji_clusters_enclosed_ideographs_and_combining_tones_do_not_hide_a_term() {
    let engine = Engine::builder()
        .lexicon(lexicon(
            "ops",
            "赌博\tgambling\n有偿买肾\tillegal\n6合彩\tgambling\n可以约\tporn\n",
        ))
        .build()
        .expect("builds");
    let terms = |text: &str| -> Vec<(String, String)> {
        engine
            .scan(text)
            .hits
            .iter()
            .map(|h| (h.term().to_owned(), h.text(text).to_owned()))
            .collect()
    };
    let hit = |term: &str, text: &str| vec![(term.to_owned(), text.to_owned())];
    for text in [
        "赌👍🏻👍🏻博",
        "赌👨\u{200D}👩\u{200D}👧\u{200D}👦博",
        "赌🏳\u{FE0F}\u{200D}🌈博",
        "赌🇨🇳🇺🇸博",
    ] {
        assert_eq!(terms(text), hit("赌博", text), "{text:?}");
    }
    let annotated = "賭(du\u{030C})博(bo\u{0301})";
    assert_eq!(terms(annotated), hit("赌博", "賭(du\u{030C})博"));
    assert_eq!(terms("🈶偿买肾"), hit("有偿买肾", "🈶偿买肾"));
    assert_eq!(terms("6🈴彩"), hit("6合彩", "6🈴彩"));
    assert_eq!(terms("🉑以约"), hit("可以约", "🉑以约"));
    // A joiner after a letter joins nothing visible: the emoji after it still separates
    // the letters, so a spaced-out Latin term keeps noise between every letter.
    let engine_latin = Engine::builder()
        .lexicon(lexicon("ops", "casino\tgambling\n"))
        .build()
        .expect("builds");
    let spaced = "远离 c★a\u{200D}❤s★i★n★o 吧";
    assert_eq!(engine_latin.scan(spaced).hits.len(), 1, "{spaced:?}");
    // An accented letter is its base letter, precomposed or not (séx as se\u{301}x).
    let porn = Engine::builder()
        .lexicon(lexicon("ops", "sex\tporn\nporn\tporn\n"))
        .build()
        .expect("builds");
    for text in [
        "free séx here",
        "free se\u{0301}x here",
        "PÖRN site",
        "free śęx",
    ] {
        assert_eq!(porn.scan(text).hits.len(), 1, "{text:?}");
    }
    // No term crosses a line end, whichever character ends the line, nor clause punctuation
    // after a joiner (between words; a two-character term, or one next to a lone character
    // between commas, may cross one: that is how `约！炮` is written).
    for text in [
        "赌\r博",
        "赌\u{0B}博",
        "赌\u{0C}博",
        "赌\r\n博",
        "我可😀\u{200D}，以约他",
        "我可 \u{200D}，以约他",
    ] {
        assert!(terms(text).is_empty(), "{text:?}");
    }
    // Four separate emoji are four separators: past the limit, as before.
    assert!(terms("赌😀😀😀😀博").is_empty());
    assert!(terms("赌🇨🇳🇺🇸🇯🇵🇰🇷博").is_empty());
}
