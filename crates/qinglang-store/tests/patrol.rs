//! Patrol state shared through Redis (REV-7, #21 item 2): two nodes see one flood campaign
//! and one rate limit, the shared index links the same copies as the in-process one, and
//! with Redis gone the patrol fails open at once instead of holding messages.

use std::time::Instant;

use qinglang_engine::Signature;
use qinglang_governance::model::Timestamp;
use qinglang_governance::patrol::{LocalPatrol, PatrolState};
use qinglang_governance::policy::PatrolPolicy;
use qinglang_store::{testing, RedisPatrol};

const T0: i64 = 1_795_824_000_000;

/// Two nodes on one Redis, under a prefix no other test uses.
fn nodes(test: &str) -> Option<(RedisPatrol, RedisPatrol)> {
    let url = testing::redis_or_skip(test)?;
    let prefix = format!("qinglang-test:{test}:{}:{}", std::process::id(), T0);
    let node = || {
        RedisPatrol::new(&url, &PatrolPolicy::default())
            .expect("url")
            .with_prefix(&prefix)
    };
    Some((node(), node()))
}

fn signature(text: &str) -> Signature {
    Signature::of_normalized(text).expect("long enough to fingerprint")
}

const FLOOD: [&str; 6] = [
    "加微信领取免费福利红包，名额有限先到先得，过时不候哦亲",
    "加微信领取免费福利红包，名额有限先到先得，过时不候哦亲们",
    "加微信领取免费福利红包啦，名额有限先到先得，过时不候哦亲",
    "快加微信领取免费福利红包，名额有限先到先得，过时不候哦亲",
    "加微信领取免费福利红包，名额有限先到先得！过时不候哦亲",
    "加微信领取免费的福利红包，名额有限先到先得，过时不候哦亲",
];

#[test]
fn a_flood_sent_through_two_nodes_is_one_campaign() {
    let Some((a, b)) = nodes("flood") else {
        return;
    };
    let mut campaigns = Vec::new();
    for (i, text) in FLOOD.iter().enumerate() {
        let node = if i % 2 == 0 { &a } else { &b };
        let c = node.observe(i as u64, &signature(text), Timestamp(T0 + i as i64 * 1000));
        assert_eq!(
            c.copies as usize,
            i + 1,
            "copy {i} counted across both nodes"
        );
        campaigns.push(c.id);
    }
    assert!(
        campaigns.iter().all(|&c| c == campaigns[0]),
        "one campaign: {campaigns:?}"
    );
    // An unrelated message starts its own campaign.
    let other = b.observe(
        99,
        &signature("今天的比赛真精彩，主队在最后一分钟完成了绝杀，球迷们都沸腾了"),
        Timestamp(T0 + 10_000),
    );
    assert_eq!(other.copies, 1);
    assert_ne!(other.id, campaigns[0]);
    // Past the window the flood is forgotten.
    let later = a.observe(
        100,
        &signature(FLOOD[0]),
        Timestamp(T0 + 61 * 60_000 + 10_000),
    );
    assert_eq!(later.copies, 1, "the window has passed");
}

#[test]
fn the_shared_index_links_what_the_in_process_one_links() {
    let Some((a, _)) = nodes("equivalence") else {
        return;
    };
    let local = LocalPatrol::new(&PatrolPolicy::default());
    let texts = FLOOD.iter().copied().chain([
        "周末去公园散步，看到很多人在放风筝，天气真好心情也好",
        "周末去公园散步，看到好多人在放风筝，天气真好心情也好",
        "公司通知下周一全员开会，请大家提前准备好季度工作总结",
    ]);
    for (i, text) in texts.enumerate() {
        let at = Timestamp(T0 + i as i64 * 500);
        let shared = a.observe(i as u64, &signature(text), at);
        let own = local.observe(i as u64, &signature(text), at);
        assert_eq!(shared.copies, own.copies, "{text}");
    }
}

#[test]
fn a_rate_limit_is_shared_by_the_nodes() {
    let Some((a, b)) = nodes("rate") else {
        return;
    };
    let admit = |node: &RedisPatrol, at: i64| node.admit("user:7", Timestamp(T0 + at), 60_000, 3);
    assert!(admit(&a, 0));
    assert!(admit(&b, 1_000));
    assert!(admit(&a, 2_000));
    assert!(
        !admit(&b, 3_000),
        "the fourth in the minute, through the other node"
    );
    assert!(!admit(&a, 4_000));
    assert!(
        b.admit("user:8", Timestamp(T0 + 4_000), 60_000, 3),
        "scopes are apart"
    );
    // The refusals were not recorded: once the first event leaves the window, one more.
    assert!(admit(&b, 60_000));
    assert!(!admit(&a, 60_500));
}

#[test]
fn with_redis_down_the_patrol_fails_open_without_waiting() {
    // Nothing listens on port 1.
    let down = RedisPatrol::new("redis://127.0.0.1:1/", &PatrolPolicy::default()).expect("url");
    assert!(down.ping().is_err());
    let started = Instant::now();
    for i in 0..200 {
        let c = down.observe(i, &signature(FLOOD[0]), Timestamp(T0 + i as i64));
        assert_eq!(c.copies, 1, "no campaign is linked while Redis is away");
        assert_eq!(c.id, i, "the message names its own campaign");
        assert!(down.admit("user:1", Timestamp(T0 + i as i64), 60_000, 1));
    }
    // One connection attempt, then a second of failing fast: not 400 timeouts.
    assert!(
        started.elapsed().as_secs_f32() < 2.0,
        "took {:?}",
        started.elapsed()
    );
    assert!(down.errors() >= 1);
    assert!(RedisPatrol::new("http://example.com", &PatrolPolicy::default()).is_err());
}
