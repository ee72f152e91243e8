//! The shipped spam model in the verdict (issue #19 item 1, REV-5): what it adds to the
//! lexicon and rules on an injected run they do not know, and where it stops — alone it asks
//! for review; it blocks only where the text's own words or contacts bear it out.

use std::sync::Arc;

use qinglang_engine::{
    default_classifier, default_lexicon, default_spam_model, Engine, Policy, PolicyError,
    Suggestion,
};

fn engine(spam_model: bool) -> Engine {
    let mut builder = Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()));
    if spam_model {
        builder = builder.spam_model(Arc::new(default_spam_model()));
    }
    builder.build().expect("the shipped engine builds")
}

#[test]
fn the_shipped_spam_model_loads_under_its_name_and_category() {
    let model = default_spam_model();
    assert_eq!(model.name(), "spam");
    assert_eq!(model.category(), "spam");
}

#[test]
fn an_ad_the_lexicon_only_reviews_is_blocked_where_its_own_terms_bear_the_model_out() {
    // A real escort ad (seo-fresh5, one of the runs the model learned from): its escort terms
    // alone ask for review; with the model's finding beside them it is blocked.
    let text = "约附近100元4小时电话或微信_100元附近学生_300元快餐不限次数加微信好友";
    assert_eq!(engine(false).scan(text).suggestion, Suggestion::Review);
    let with_model = engine(true);
    let verdict = with_model.scan(text);
    assert_eq!(verdict.suggestion, Suggestion::Block, "{verdict:?}");
    // The text's own words name the category first; the model only says it is spam.
    assert_eq!(verdict.labels, ["porn", "spam"]);
    let spam = verdict
        .hits
        .iter()
        .find(|h| h.source() == "model:spam")
        .expect("the model's hit");
    assert!(spam.probability().is_some_and(|p| p >= 0.95));
    assert_eq!(spam.text(text), text, "the model judged the whole text");
}

#[test]
fn ordinary_words_do_not_bear_out_a_block() {
    // A betting brand glued to 官方网站 and an app download: the model is sure, but 官方网站
    // and app are words of any company's site, so a human decides.
    let text = "亚盈体育(中国)官方网站-手机版app下载入口";
    assert_eq!(engine(false).scan(text).suggestion, Suggestion::Pass);
    let engine = engine(true);
    let verdict = engine.scan(text);
    assert_eq!(verdict.suggestion, Suggestion::Review, "{verdict:?}");
    assert_eq!(verdict.labels, ["spam"]);
}

#[test]
fn the_models_doubt_alone_about_sentences_lets_them_pass() {
    // A school's own notice: written in sentences, nothing in it but the model's doubt.
    let text = "家长可登录学校官网在线报名，学校将于下周举行新生入学教育。";
    let engine = engine(true);
    assert_eq!(engine.scan(text).suggestion, Suggestion::Pass);
}

#[test]
fn the_model_alone_asks_for_review_and_does_not_block() {
    // A cloned school notice under a betting brand's name: nothing else in it is evidence.
    let text = "半岛官方网站(中国)股份有限公司开展学雷锋志愿者活动";
    let engine = engine(true);
    let verdict = engine.scan(text);
    assert_eq!(verdict.suggestion, Suggestion::Review, "{verdict:?}");
    assert_eq!(verdict.labels, ["spam"]);
    assert!(verdict.hits.iter().all(|h| h.source() == "model:spam"));
}

#[test]
fn a_messenger_id_bears_the_model_out_in_a_message() {
    // A streamer-recruiting porn ad (seo-train1): it exclaims like a sentence and gives a
    // WeChat id, and names no lexicon term. The model's certainty with the id blocks it.
    let text = "【！招主播高薪！】快加→微信av998828送精品福利";
    assert_ne!(engine(false).scan(text).suggestion, Suggestion::Block);
    let engine = engine(true);
    let verdict = engine.scan(text);
    assert_eq!(verdict.suggestion, Suggestion::Block, "{verdict:?}");
    assert!(verdict.labels.contains(&"spam"), "{verdict:?}");
    assert!(verdict.hits.iter().any(|h| h.term() == "wechat"));
}

#[test]
fn a_shops_ad_with_its_wechat_id_is_reviewed_not_removed() {
    // The model reads a shop's flooded ad as spam (0.95–0.98), but only its near certainty
    // (0.99) lets one WeChat id bear it out: a campaign of such ads goes to review (REV-7).
    let engine = engine(true);
    let verdict = engine.scan("正品名表低价出，加微信 wx9988776 看图");
    assert_eq!(verdict.suggestion, Suggestion::Review, "{verdict:?}");
}

#[test]
fn a_link_alone_does_not_bear_out_a_block() {
    // A developer asks for a payment gateway like one they link to (seo-train1's hard
    // negative): the model doubts the words, a link is no ad's evidence by itself.
    let text = "请问一下能否内置一下usdt的收款方式，类似https://www.188pay.net/回调等全部走本地vps";
    let engine = engine(true);
    let verdict = engine.scan(text);
    assert_ne!(verdict.suggestion, Suggestion::Block, "{verdict:?}");
}

#[test]
fn one_cue_however_often_does_not_bear_out_a_block() {
    // A course page repeats 精品 (a cue of porn runs): the model may doubt it, a human decides.
    let text = "线上精品课程建设赏析：精品课程的在线开放与精品教学";
    let engine = engine(true);
    let verdict = engine.scan(text);
    assert_ne!(verdict.suggestion, Suggestion::Block, "{verdict:?}");
}

#[test]
fn ordinary_messages_and_sentences_are_not_spam() {
    let engine = engine(true);
    for text in [
        "明天下午三点在会议室开会，请大家准时参加。",
        "这家店的牛肉面很好吃，周末一起去吧",
        "2024年本级体育彩票公益金筹集、使用情况公告如下。",
        "学校党委副书记致辞并宣布开园，师生参加了游园活动。",
        "请问官网上的app怎么下载？我找不到入口",
    ] {
        let verdict = engine.scan(text);
        assert!(
            !verdict.hits.iter().any(|h| h.source() == "model:spam"),
            "{text}: {verdict:?}"
        );
    }
}

#[test]
fn the_block_probability_must_be_above_the_review_probability() {
    let policy = Policy {
        spam_model_review: 0.9,
        spam_model_block: 0.8,
        ..Policy::default()
    };
    let err = policy.validate().expect_err("contradictory thresholds");
    assert!(matches!(err, PolicyError::ModelThresholds { .. }));
    assert_eq!(
        err.to_string(),
        "spam_model_block (0.8) must be above spam_model_review (0.9)"
    );
}
