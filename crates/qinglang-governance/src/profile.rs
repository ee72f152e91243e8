//! Public-account profile rules (PA-1) beyond the lexicon: impersonation of the party,
//! state organs, the military and news media; news claims without a licence; contact
//! details and URLs in names.

use crate::model::AccountSubject;

/// Words that claim to speak for the party or state organs: only government accounts.
const STATE_WORDS: &[&str] = &[
    "中共",
    "共产党",
    "党委",
    "党支部",
    "中央",
    "国务院",
    "人民政府",
    "政府",
    "公安",
    "警方",
    "警察",
    "法院",
    "检察院",
    "纪委",
    "监委",
    "网信办",
    "国家",
    "部委",
    "外交部",
];
/// Words that claim to be the military: no account may use them.
const MILITARY_WORDS: &[&str] = &["解放军", "部队", "军区", "武警", "军委", "国防部", "战区"];
/// Names of state news media: only media accounts.
const MEDIA_WORDS: &[&str] = &[
    "人民日报",
    "新华社",
    "新华网",
    "央视",
    "cctv",
    "中央电视台",
    "中国日报",
    "中新社",
    "光明日报",
    "经济日报",
    "新闻联播",
];
/// News claims: need a news licence (互联网新闻信息服务许可).
const NEWS_WORDS: &[&str] = &["新闻", "报道", "快讯", "时讯", "头条新闻", "通讯社"];
/// Cues for contact details or links in a name.
const CONTACT_WORDS: &[&str] = &[
    "http", "www", ".com", ".cn", ".net", "微信", "weixin", "vx", "wx", "qq", "扣扣", "加v",
    "电话", "手机", "@",
];

/// Reasons a proposed account name breaks the profile rules; empty when it is fine.
///
/// `folded` is the name through the engine's normaliser (Traditional, full-width, spacing
/// and noise folded away), so `新聞快訊`, `ｃｃｔｖ体育` and `解 放 军` are caught too.
pub fn name_problems(
    name: &str,
    folded: &str,
    subject: AccountSubject,
    news_licence: bool,
) -> Vec<String> {
    let lower = name.to_lowercase();
    let has = |words: &[&'static str]| {
        words
            .iter()
            .find(|w| lower.contains(*w) || folded.contains(*w))
            .copied()
    };
    let mut reasons = Vec::new();
    if let Some(w) = has(MILITARY_WORDS) {
        reasons.push(format!(
            "name uses the military word {w:?} (impersonation of the military)"
        ));
    }
    if subject != AccountSubject::Government {
        if let Some(w) = has(STATE_WORDS) {
            reasons.push(format!(
                "name uses {w:?}, reserved for government accounts (impersonation of the party or state organs)"
            ));
        }
    }
    if subject != AccountSubject::Media {
        if let Some(w) = has(MEDIA_WORDS) {
            reasons.push(format!(
                "name uses {w:?}, the name of a news medium (impersonation)"
            ));
        }
    }
    if !news_licence {
        if let Some(w) = has(NEWS_WORDS) {
            reasons.push(format!(
                "name claims news ({w:?}) without a news-service licence"
            ));
        }
    }
    if let Some(w) = has(CONTACT_WORDS) {
        reasons.push(format!("name contains contact details or a link ({w:?})"));
    }
    let longest_digits = name
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_digits >= 5 {
        reasons.push("name contains a long number (phone or QQ number)".into());
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::AccountSubject;

    fn name_problems(name: &str, subject: AccountSubject, licence: bool) -> Vec<String> {
        let folded = qinglang_text::Normalizer::new().normalize_str(name);
        super::name_problems(name, &folded, subject, licence)
    }

    #[test]
    fn profile_rules() {
        use AccountSubject::*;
        assert!(!name_problems("新聞快訊", Enterprise, false).is_empty());
        assert!(!name_problems("ｃｃｔｖ体育", Enterprise, false).is_empty());
        assert!(!name_problems("解 放 军之声", Media, true).is_empty());
        assert!(name_problems("小王的美食日记", Individual, false).is_empty());
        assert!(!name_problems("北京市公安局", Individual, false).is_empty());
        assert!(name_problems("北京市公安局", Government, false).is_empty());
        assert!(!name_problems("人民日报精选", Enterprise, false).is_empty());
        assert!(name_problems("人民日报", Media, true).is_empty());
        assert!(!name_problems("每日新闻", Enterprise, false).is_empty());
        assert!(name_problems("每日新闻", Media, true).is_empty());
        assert!(!name_problems("解放军之声", Media, true).is_empty());
        assert!(!name_problems("好货加微信", Individual, false).is_empty());
        assert!(!name_problems("好货13800138000", Individual, false).is_empty());
        assert!(!name_problems("看这里www.x.cn", Individual, false).is_empty());
    }
}
