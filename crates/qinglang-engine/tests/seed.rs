//! The seed page end to end (REV-4): a real news article on the 2017 CAC provisions, on a
//! hacked site whose title and footer were stuffed with pornographic SEO keywords.
//! It must be blocked as `porn`, with hits in the title and in the 主站蜘蛛池模板 footer,
//! and no block-level hit in the article body.

use std::sync::Arc;

use qinglang_engine::{
    default_classifier, default_lexicon, default_spam_model, Action, Engine, Suggestion,
};

const SEED: &str = "../../../shared/data/seed/000_7f364233b292498b.txt";

#[test]
fn seed_page_is_blocked_for_its_title_and_footer_not_its_body() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {} (../shared/data beside the checkout): {e}",
            path.display()
        )
    });
    let engine = Engine::builder()
        .lexicon(default_lexicon())
        // As shipped: the trained model reviews too, and must not change the outcome.
        .classifier(Arc::new(default_classifier()))
        .spam_model(Arc::new(default_spam_model()))
        .build()
        .expect("default lexicon compiles");
    let verdict = engine.scan(&text);

    assert_eq!(verdict.suggestion, Suggestion::Block);
    assert!(
        verdict.labels.contains(&"porn"),
        "labels: {:?}",
        verdict.labels
    );

    let title_end = text.find('\n').expect("title line");
    let footer_start = text.find("主站蜘蛛池模板").expect("footer present");
    let title_hits = verdict
        .hits
        .iter()
        .filter(|h| h.byte_end <= title_end)
        .count();
    let footer_hits = verdict
        .hits
        .iter()
        .filter(|h| h.byte_start >= footer_start)
        .count();
    assert!(title_hits >= 2, "title hits: {title_hits}");
    assert!(footer_hits >= 5, "footer hits: {footer_hits}");

    let body_blocks: Vec<&str> = verdict
        .hits
        .iter()
        .filter(|h| h.byte_start > title_end && h.byte_end <= footer_start)
        .filter(|h| h.action() == Action::Block)
        .map(|h| h.text(&text))
        .collect();
    assert!(
        body_blocks.is_empty(),
        "block-level hits in the body: {body_blocks:?}"
    );

    // Every hit's text is the original substring at its scalar-value span.
    let chars: Vec<char> = text.chars().collect();
    for hit in &verdict.hits {
        let by_chars: String = chars[hit.start..hit.end].iter().collect();
        assert_eq!(by_chars, hit.text(&text));
    }
}

#[test]
fn seed_body_alone_passes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let text = std::fs::read_to_string(path).expect("seed page");
    let title_end = text.find('\n').expect("title line");
    let footer_start = text.find("主站蜘蛛池模板").expect("footer present");
    let body = &text[title_end..footer_start];
    let engine = Engine::builder()
        .lexicon(default_lexicon())
        // As shipped: the trained model reviews too, and must not change the outcome.
        .classifier(Arc::new(default_classifier()))
        .spam_model(Arc::new(default_spam_model()))
        .build()
        .expect("default lexicon compiles");
    let verdict = engine.scan(body);
    assert_eq!(
        verdict.suggestion,
        Suggestion::Pass,
        "score {}",
        verdict.score
    );
}
