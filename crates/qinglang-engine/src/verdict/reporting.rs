//! What a text says about itself: a notice signed like a carrier's message, an article that
//! reports on or warns against what it names (REV-8). Either lowers what the words it
//! names weigh; neither ever excuses a keyword run.

/// Opt-out instructions of commercial messages (`退订回T`, `拒收请回复R`).
const OPT_OUTS: &[&str] = &["退订", "回复t", "回t", "拒收"];

/// Whether the text reads as a notice or a promotion rather than a chat message: signed
/// with the sender's name in `【…】` at its start or end (the form of carrier-delivered
/// notices), or carrying an opt-out.
pub(super) fn is_notice(text: &str) -> bool {
    let t = text.trim();
    // A sender's name has ideographs: `【97930511】` is an id put in brackets, not a signature,
    // and `【１３６乀７０２７乀０００５電話/微信】` or `【网: 263613·cc】` a contact under a label.
    let name = |inside: &str| {
        inside.chars().any(qinglang_text::is_han)
            && !inside.contains([':', '：'])
            && inside.chars().filter(|c| c.is_numeric()).count() < 7
    };
    let signed = t
        .strip_prefix('【')
        .and_then(|r| r.split_once('】'))
        .is_some_and(|(inside, _)| name(inside))
        || t.strip_suffix('】')
            .and_then(|r| r.rsplit_once('【'))
            .is_some_and(|(_, inside)| name(inside));
    signed || {
        let lower = t.to_lowercase();
        OPT_OUTS.iter().any(|o| lower.contains(o))
    }
}

/// Words with which a warning, a police notice or a news report speaks *about* a harm
/// (simplified and traditional): an article that uses two of them is reporting (REV-8).
const REPORTING_MARKERS: &[&str] = &[
    "反诈",
    "反詐",
    "诈骗",
    "詐騙",
    "警惕",
    "谨防",
    "謹防",
    "警方",
    "公安",
    "打击",
    "打擊",
    "查处",
    "查處",
    "破获",
    "破獲",
    "违法",
    "違法",
    "犯罪",
    "举报",
    "舉報",
    "扫黄打非",
    "掃黃打非",
    "取缔",
    "取締",
    "专项行动",
    "專項行動",
    "依法",
    "提醒",
    "侦破",
    "偵破",
    "刑事案件",
    // A news report's own words: its reporter and its source.
    "记者",
    "記者",
    "来源",
    "來源",
    // Health education and a doctor's answer name sexual acts and organs to prevent harm.
    "艾滋病",
    "性病",
    "患者",
    "医生",
    "醫生",
    "医师",
    "醫師",
    "医院",
    "醫院",
    "病情",
    "症状",
    "症狀",
    "预防",
    "預防",
    // A regulation's or a moderation service's own words: it names what it rules on or
    // looks for (`《百家樂法定規章》`, `检测图片是否包含违规内容`).
    "法规",
    "法規",
    "规章",
    "規章",
    "条例",
    "條例",
    "批示",
    "审核",
    "審核",
    "违规",
    "違規",
    "检测",
    "檢測",
    // A definition: a law, an encyclopedia or a textbook says what a word means.
    "是指",
    // Moderation's own work: a sensitive-word library's README lists its categories
    // (`色情：…、av女优、…`), a blocklist's maintainer rules on an appeal over a flagged
    // `成人游戏` link, a forum's cleanup names the keywords it deleted. Spam says none of
    // these (`防屏蔽`, `免审核` are an ad's: 屏蔽 is not here, and one marker never makes a
    // report).
    "敏感词",
    "敏感詞",
    "关键词",
    "關鍵詞",
    "复核",
    "複核",
    "申诉",
    "申訴",
    "过滤",
    "過濾",
];

/// Whether an article warns against or reports on what it names: two distinct reporting
/// markers. Then even its headings' block terms weigh `article_factor` (a police notice is
/// titled 警惕裸聊陷阱); keyword runs and betting sites' codes never do, being stuffing.
pub(super) fn is_reporting(text: &str) -> bool {
    let article_number = usize::from(numbers_an_article(text));
    REPORTING_MARKERS
        .iter()
        .filter(|m| text.contains(*m))
        .take(2)
        .count()
        + article_number
        >= 2
}

/// Whether a line opens with a regulation's article number (`第二条`, `第12條`): a law or
/// its draft defines what it forbids (`第二条 淫秽出版物是指…`), one marker of reporting.
fn numbers_an_article(text: &str) -> bool {
    text.lines().any(|line| {
        let Some(rest) = line.trim_start().strip_prefix('第') else {
            return false;
        };
        let digits = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十百零".contains(*c))
            .count();
        (1..=4).contains(&digits)
            && rest
                .chars()
                .nth(digits)
                .is_some_and(|c| c == '条' || c == '條')
    })
}
