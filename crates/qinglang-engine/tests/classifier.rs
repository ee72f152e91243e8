//! The trained classifier inside the engine (REV-2): its hit joins the verdict with a span,
//! a probability and `source: "model:<name>"`; the policy decides review or block.

use std::sync::Arc;

use qinglang_engine::{
    default_classifier, default_lexicon, Action, Classifier, Engine, FeatureSpec, Label, Lexicon,
    Policy, Suggestion,
};
use qinglang_text::Normalizer;

const INSULT: &str = "你们河南人都是骗子，滚出去";
const NEUTRAL: &str = "今天天气很好，我们一起去公园散步吧";

fn engine(policy: Policy) -> Engine {
    Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .policy(policy)
        .build()
        .expect("engine")
}

#[test]
fn the_shipped_model_reviews_an_attack_on_a_group_and_points_at_it() {
    let engine = engine(Policy::default());
    let verdict = engine.scan(INSULT);
    assert_eq!(verdict.suggestion, Suggestion::Review);
    assert_eq!(verdict.labels, ["discrimination"]);
    let hit = verdict
        .hits
        .iter()
        .find(|h| h.source() == "model:cold")
        .expect("a model hit");
    assert_eq!(hit.action(), Action::Review);
    assert!(hit.probability().expect("probability") > 0.9);
    // The span is a real stretch of the original, inside the text.
    assert!(hit.start < hit.end && hit.end <= INSULT.chars().count());
    assert_eq!(
        hit.text(INSULT),
        INSULT
            .chars()
            .skip(hit.start)
            .take(hit.end - hit.start)
            .collect::<String>()
    );
    // Review scores rise with the probability but stay below block.
    assert!(
        verdict.score >= 40 && verdict.score < 80,
        "{}",
        verdict.score
    );

    assert_eq!(engine.scan(NEUTRAL).suggestion, Suggestion::Pass);
}

#[test]
fn policy_decides_block_and_length_and_the_model_can_be_swapped_out() {
    let blocking = engine(Policy {
        model_block: Some(0.9),
        ..Policy::default()
    });
    let verdict = blocking.scan(INSULT);
    assert_eq!(verdict.suggestion, Suggestion::Block);
    assert!(verdict
        .hits
        .iter()
        .any(|h| h.action() == Action::Block && h.source() == "model:cold"));

    // Too long for a comment model: lexicons only.
    let short_only = engine(Policy {
        model_max_chars: 5,
        ..Policy::default()
    });
    assert_eq!(short_only.scan(INSULT).suggestion, Suggestion::Pass);

    let without = blocking.with_classifier(None);
    assert!(without.classifier().is_none());
    assert_eq!(without.scan(INSULT).suggestion, Suggestion::Pass);
    // Lexicon hits are unaffected by the swap.
    assert_eq!(
        without.scan("免费看成*人*视*频").suggestion,
        Suggestion::Block
    );
}

#[test]
fn inconsistent_model_thresholds_are_refused() {
    let err = Engine::builder()
        .policy(Policy {
            model_review: 0.8,
            model_block: Some(0.6),
            ..Policy::default()
        })
        .build()
        .expect_err("block below review");
    assert!(err
        .to_string()
        .contains("model_block (0.6) must be above model_review (0.8)"));
}

#[test]
fn another_policy_is_applied_without_recompiling_and_checked_like_a_build() {
    let base = engine(Policy::default());
    let strict = Policy {
        model_review: 0.999_9,
        ..Policy::default()
    };
    let swapped = base.with_policy(strict.clone()).expect("valid policy");
    let built = engine(strict);
    for text in [INSULT, NEUTRAL, "你是个傻逼", "免费看成*人*视*频"] {
        let (a, b) = (swapped.scan(text), built.scan(text));
        assert_eq!((a.suggestion, a.score), (b.suggestion, b.score), "{text}");
        assert_eq!(a.hits.len(), b.hits.len(), "{text}");
    }
    // The insult the default policy reviews falls under the stricter threshold.
    let p = base.scan(INSULT).hits.iter().find_map(|h| h.probability());
    assert!(p.is_some_and(|p| p < 0.999_9), "{p:?}");
    assert_eq!(swapped.scan(INSULT).suggestion, Suggestion::Pass);
    assert_eq!(base.scan(INSULT).suggestion, Suggestion::Review);

    let err = base
        .with_policy(Policy {
            model_review: 0.8,
            model_block: Some(0.6),
            ..Policy::default()
        })
        .expect_err("block below review");
    assert!(err
        .to_string()
        .contains("model_block (0.6) must be above model_review (0.8)"));
}

/// A toy model that has learned one insult, so its hits point at known characters.
fn toy_classifier(bias: f32, insult: Option<&str>) -> Classifier {
    let spec = FeatureSpec {
        bits: 12,
        min_n: 1,
        max_n: 3,
        seed: 3,
    };
    let mut model =
        Classifier::from_parts("toy", "abuse", spec, bias, (1.0, 0.0), vec![0.0; 1 << 12])
            .expect("toy model");
    if let Some(insult) = insult {
        model.learn(&Normalizer::new(), insult, Label::Spam);
    }
    model
}

/// (char start, char end, original text) of the model's hit, if any.
fn model_span(engine: &Engine, text: &str) -> Option<(usize, usize, String)> {
    let verdict = engine.scan(text);
    let hit = verdict.hits.iter().find(|h| h.source() == "model:toy")?;
    Some((hit.start, hit.end, hit.text(text).to_owned()))
}

#[test]
fn a_model_only_finding_points_where_it_would_beside_a_lexicon_hit() {
    // A text the model alone flags takes a short path (no position map); with a lexicon
    // term elsewhere in it, the same finding goes through the full map. Both must point at
    // the same original characters, through noise, a pinyin annotation and a character
    // that folds into two (⑩ → 10).
    let model = Arc::new(toy_classifier(-4.0, Some("骗子")));
    let alone = Engine::builder()
        .classifier(model.clone())
        .build()
        .expect("engine");
    let beside = Engine::builder()
        .lexicon(Lexicon::parse("t", "公园\tspam\treview\n").expect("lexicon"))
        .classifier(model)
        .build()
        .expect("engine");
    let text = "⑩年了，你們都是騙*子業(yè)";
    let short = model_span(&alone, text).expect("the model flags the text");
    assert_eq!(short.2, "騙*子");
    assert_eq!(short, model_span(&beside, text).unwrap());
    let with_term = format!("{text}，去公园");
    assert_eq!(
        model_span(&alone, &with_term),
        model_span(&beside, &with_term)
    );
    assert!(beside
        .scan(&with_term)
        .hits
        .iter()
        .any(|h| h.term() == "公园"));
    assert_eq!(model_span(&alone, &with_term).unwrap().2, "騙*子");

    // A model that flags everything without any n-gram weighing in points at the whole
    // text, on both paths; so does a one-character text.
    let everything = Arc::new(toy_classifier(4.0, None));
    let alone = alone.with_classifier(Some(everything.clone()));
    let beside = beside.with_classifier(Some(everything));
    // The annotation after the last character is not part of the text's characters.
    for (text, end) in [("⑩年了，你們(yè)", 6), ("好", 1), ("公园 ⑩", 4)] {
        let span = model_span(&alone, text).expect("flagged");
        assert_eq!(span, model_span(&beside, text).unwrap(), "{text}");
        assert_eq!((span.0, span.1), (0, end), "{text}");
    }
}
