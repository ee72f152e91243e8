//! Combination entries (issue #25; REV-2, REV-5): `A&B` within one segment (a line or a
//! sentence) in any order, `A&B~N` within N characters, `A&!C` not with C in the segment.
//! Golden cases for order, window, exclusion, disguise and spans.

use qinglang_engine::{Engine, Lexicon, Suggestion};

const LEXICON: &str = "\
代开&发票\tfraud/fake_documents\tblock
死人&刺杀~10\tviolence\treview
赌&!禁赌&!戒赌\tgambling\treview
M\\&M豆&过期\tfraud\treview
专业代开\tfraud\tblock
";

fn engine() -> Engine {
    Engine::builder()
        .lexicon(Lexicon::parse("combos", LEXICON).expect("the lexicon parses"))
        .build()
        .expect("the lexicon compiles")
}

/// (suggestion, [(term as written, original text of the hit)]).
fn scan(engine: &Engine, text: &str) -> (Suggestion, Vec<(String, String)>) {
    let v = engine.scan(text);
    let hits = v
        .hits
        .iter()
        .map(|h| (h.term().to_owned(), h.text(text).to_owned()))
        .collect();
    (v.suggestion, hits)
}

fn hit(term: &str, text: &str) -> (String, String) {
    (term.to_owned(), text.to_owned())
}

#[test]
fn every_part_in_one_segment_in_any_order() {
    let e = engine();
    assert_eq!(
        scan(&e, "我们可以代开各类发票"),
        (Suggestion::Block, vec![hit("代开&发票", "代开各类发票")])
    );
    // Any order; the span runs from the first part to the last.
    assert_eq!(
        scan(&e, "发票可以代开，价格优惠"),
        (Suggestion::Block, vec![hit("代开&发票", "发票可以代开")])
    );
    // A sentence end or a line break separates segments; a comma does not.
    assert_eq!(scan(&e, "我们代开。发票另说").0, Suggestion::Pass);
    assert_eq!(scan(&e, "我们代开\n发票另说").0, Suggestion::Pass);
    assert_eq!(scan(&e, "我们代开，发票另说").0, Suggestion::Block);
    // One part alone is nothing.
    assert_eq!(scan(&e, "请开具发票").0, Suggestion::Pass);
}

#[test]
fn parts_are_disguise_proof_like_terms() {
    let e = engine();
    let (s, hits) = scan(&e, "代 開 增 值 稅 發*票");
    assert_eq!(s, Suggestion::Block);
    assert_eq!(hits, vec![hit("代开&发票", "代 開 增 值 稅 發*票")]);
}

#[test]
fn a_part_inside_a_longer_term_still_counts() {
    // 专业代开 is a term of its own; the leftmost-longest match must not hide 代开.
    let e = engine();
    let (s, hits) = scan(&e, "专业代开发票");
    assert_eq!(s, Suggestion::Block);
    assert!(hits.contains(&hit("专业代开", "专业代开")), "{hits:?}");
    assert!(hits.contains(&hit("代开&发票", "代开发票")), "{hits:?}");
}

#[test]
fn the_window_counts_characters() {
    let e = engine();
    assert_eq!(
        scan(&e, "死人了，有人要刺杀他"),
        (
            Suggestion::Review,
            vec![hit("死人&刺杀~10", "死人了，有人要刺杀")]
        )
    );
    // 死人 … 刺杀 spans 20 characters: the same segment, outside the window.
    assert_eq!(
        scan(&e, "死人这件事和很久以后才发生的那次刺杀无关").0,
        Suggestion::Pass
    );
}

#[test]
fn an_excluded_part_in_the_segment_cancels_it() {
    let e = engine();
    assert_eq!(scan(&e, "政府严厉禁赌，赌是违法的").0, Suggestion::Pass);
    assert_eq!(scan(&e, "他戒赌三年了，再也不赌").0, Suggestion::Pass);
    assert_eq!(
        scan(&e, "来赌一把"),
        (Suggestion::Review, vec![hit("赌&!禁赌&!戒赌", "赌")])
    );
    // The exclusion reaches only its own segment.
    assert_eq!(
        scan(&e, "政府严厉禁赌。来赌一把").1,
        vec![hit("赌&!禁赌&!戒赌", "赌")]
    );
}

#[test]
fn escaped_characters_are_part_of_a_part() {
    let e = engine();
    assert_eq!(
        scan(&e, "这包M&M豆已过期").1,
        vec![hit("M\\&M豆&过期", "M&M豆已过期")]
    );
}

#[test]
fn the_hit_names_the_entry_as_written_with_its_category() {
    let e = engine();
    let v = e.scan("发票代开");
    let h = &v.hits[0];
    assert_eq!(
        (h.term(), h.category(), h.subcategory(), h.source()),
        ("代开&发票", "fraud", Some("fake_documents"), "combos")
    );
    assert_eq!((h.start, h.end), (0, 4));
}

#[test]
fn many_occurrences_cost_proportionally() {
    // A long text repeating one part many times is judged without quadratic work.
    let e = engine();
    let text = "发票".repeat(20_000) + "代开";
    let v = e.scan(&text);
    assert!(v.hits.iter().any(|h| h.term() == "代开&发票"));
}

#[test]
fn a_part_never_hides_a_term() {
    // Parts share the automaton with terms (leftmost-longest): a part that starts before a
    // term, or a longer part that starts with one, must not swallow it.
    let lexicon =
        "赌博\tgambling\tblock\n大赌&游戏\tgambling\treview\n赌博游戏&下载\tgambling\treview\n";
    let e = Engine::builder()
        .lexicon(Lexicon::parse("t", lexicon).expect("parses"))
        .build()
        .expect("compiles");
    let (s, hits) = scan(&e, "大赌博游戏");
    assert_eq!(s, Suggestion::Block);
    assert!(hits.contains(&hit("赌博", "赌博")), "{hits:?}");
    assert!(hits.contains(&hit("大赌&游戏", "大赌博游戏")), "{hits:?}");
    let (s, hits) = scan(&e, "赌博游戏");
    assert_eq!(s, Suggestion::Block);
    assert!(hits.contains(&hit("赌博", "赌博")), "{hits:?}");
    // Parts alone that make up no combination are nothing.
    assert_eq!(scan(&e, "大赌一场").0, Suggestion::Pass);
}
