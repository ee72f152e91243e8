//! Evidence for fraud beyond single words (REV-11, issue #20): the shape of a phishing
//! message is an impersonated sender (a bank, carrier or platform), a reason to act now
//! (the account expires, points lapse, a refund waits) and an action that leaves the platform
//! (a link that is not the sender's own site, a mobile number, a QQ or WeChat id). Each piece
//! alone is ordinary — banks do write about expiring cards, with their own site and hotline —
//! so the rule reports them only together, as hits with spans a moderator can read.
//!
//! The table of official sites is a fact table (the organisations' published domains); a
//! link to one of them is never diversion, and a host that borrows a brand's name or a bank's
//! word (`abc-yh.net`, `icbc-vip.top`) without being one is a look-alike: strong evidence.

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

/// An organisation whose name scams borrow: how messages name it, and its own domains.
struct Brand {
    names: &'static [&'static str],
    domains: &'static [&'static str],
}

const BRANDS: &[Brand] = &[
    Brand {
        names: &["工商银行", "工行", "icbc"],
        domains: &["icbc.com.cn", "icbc.com"],
    },
    Brand {
        names: &["建设银行", "建行"],
        domains: &["ccb.com", "ccb.cn"],
    },
    Brand {
        names: &["农业银行", "农行"],
        domains: &["abchina.com", "abchina.com.cn"],
    },
    Brand {
        names: &["中国银行", "中行"],
        domains: &["boc.cn", "bankofchina.com"],
    },
    Brand {
        names: &["交通银行", "交行"],
        domains: &["bankcomm.com"],
    },
    Brand {
        names: &["招商银行", "招行"],
        domains: &["cmbchina.com", "cmbchina.cn"],
    },
    Brand {
        names: &["邮储银行", "邮政储蓄"],
        domains: &["psbc.com"],
    },
    Brand {
        names: &["浦发银行"],
        domains: &["spdb.com.cn"],
    },
    Brand {
        names: &["民生银行"],
        domains: &["cmbc.com.cn"],
    },
    Brand {
        names: &["兴业银行"],
        domains: &["cib.com.cn"],
    },
    Brand {
        names: &["光大银行"],
        domains: &["cebbank.com"],
    },
    Brand {
        names: &["中信银行"],
        domains: &["citicbank.com"],
    },
    Brand {
        names: &["平安银行"],
        domains: &["pingan.com", "pingan.com.cn"],
    },
    Brand {
        names: &["中国移动", "移动公司"],
        domains: &["10086.cn", "chinamobile.com"],
    },
    Brand {
        names: &["中国联通", "联通公司"],
        domains: &["10010.com", "chinaunicom.com"],
    },
    Brand {
        names: &["中国电信", "电信公司"],
        domains: &["189.cn", "chinatelecom.com.cn"],
    },
    Brand {
        names: &["支付宝"],
        domains: &["alipay.com"],
    },
    Brand {
        names: &["微信支付", "财付通"],
        domains: &["tenpay.com", "weixin.qq.com", "qq.com"],
    },
    Brand {
        names: &["淘宝", "天猫"],
        domains: &["taobao.com", "tmall.com"],
    },
    Brand {
        names: &["京东"],
        domains: &["jd.com", "jd.hk"],
    },
    Brand {
        names: &["拼多多"],
        domains: &["pinduoduo.com", "yangkeduo.com"],
    },
    Brand {
        names: &["顺丰"],
        domains: &["sf-express.com"],
    },
    Brand {
        names: &["中国邮政", "邮政快递"],
        domains: &["chinapost.com.cn", "ems.com.cn"],
    },
    Brand {
        names: &["社保", "人社局"],
        domains: &["mohrss.gov.cn", "gov.cn"],
    },
    Brand {
        names: &["医保"],
        domains: &["nhsa.gov.cn", "gov.cn"],
    },
    Brand {
        names: &["etc卡", "etc账户", "etc认证", "etc服务"],
        domains: &["gov.cn"],
    },
    Brand {
        names: &["12306", "铁路"],
        domains: &["12306.cn"],
    },
    Brand {
        names: &["公安局", "派出所", "公安机关"],
        domains: &["gov.cn"],
    },
];

/// Reasons to act now, as scams give them (and as many real notices do: never enough alone).
const PRETEXTS: &[&str] = &[
    "失效",
    "冻结",
    "过期",
    "将到期",
    "清零",
    "升级",
    "补录",
    "实名认证",
    "实名制",
    "异常",
    "停用",
    "注销",
    "积分兑换",
    "积分即将",
    "兑换现金",
    "退款",
    "退费",
    "理赔",
    "赔付",
    "中奖",
    "领取",
    "逾期",
    "征信",
    "修复",
    "解冻",
    "身份验证",
    "重新认证",
    "认证失败",
    "验证失败",
    "扣费",
    "自动扣",
    "盗刷",
    "涉嫌",
    "洗钱",
    "安全账户",
    "资金核查",
    "补贴",
    "补助金",
    "保证金",
];

/// Words of a host name that lend it an organisation's voice: a bank (`yh`, `bank`), a brand
/// abbreviation, a service number. In a host that is not on the official list: a look-alike.
const LOOKALIKE_WORDS: &[&str] = &[
    "icbc", "ccb", "abc", "boc", "bankcomm", "cmb", "psbc", "yh", "yinhang", "bank", "95588",
    "95533", "95599", "95566", "95555", "10086", "10010", "alipay", "zfb", "tenpay", "taobao",
    "jd", "pdd", "etc", "ems", "sf", "12306", "kefu", "tuikuan", "jifen", "shebao", "yibao", "gov",
];

/// Which piece of evidence a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// An organisation named (index into `BRANDS`).
    Brand(usize),
    Pretext,
}

/// The brand and pretext vocabulary in one automaton over the normalised text.
pub(crate) struct FraudMatcher {
    automaton: CharwiseDoubleArrayAhoCorasick<u32>,
}

impl std::fmt::Debug for FraudMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FraudMatcher").finish_non_exhaustive()
    }
}

/// Values below this are brands; from it on, pretexts.
const PRETEXT_BASE: u32 = 1 << 16;

impl FraudMatcher {
    /// Built from the tables above; their terms are already in normal form (simplified,
    /// lower case), as the normaliser writes text.
    pub(crate) fn new() -> FraudMatcher {
        let mut forms: Vec<(&str, u32)> = Vec::new();
        for (b, brand) in BRANDS.iter().enumerate() {
            forms.extend(brand.names.iter().map(|n| (*n, b as u32)));
        }
        forms.extend(
            PRETEXTS
                .iter()
                .enumerate()
                .map(|(i, p)| (*p, PRETEXT_BASE + i as u32)),
        );
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(forms)
            // The tables are constants without duplicates or empty terms: a failure here is a
            // programming error that every test run would show.
            .expect("the fraud vocabulary compiles");
        FraudMatcher { automaton }
    }

    /// Every brand and pretext in `norm`, as (piece, byte start, byte end) in `norm`.
    pub(crate) fn find<'a>(
        &'a self,
        norm: &'a str,
    ) -> impl Iterator<Item = (Piece, usize, usize)> + 'a {
        self.automaton.leftmost_find_iter(norm).map(|m| {
            let piece = if m.value() >= PRETEXT_BASE {
                Piece::Pretext
            } else {
                Piece::Brand(m.value() as usize)
            };
            (piece, m.start(), m.end())
        })
    }
}

/// The host of a link as written (`http://Wx-QQ.xyz:80/a` → `wx-qq.xyz`): scheme, port,
/// path and query removed, ASCII lower-cased, full-width folded, dots as people write them
/// read as dots.
pub(crate) fn host_of(link: &str) -> String {
    let mut host = String::with_capacity(link.len());
    let lower: String = link
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' | '｡' | '·' => '.',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    for c in rest.chars() {
        if matches!(c, '/' | ':' | '?' | '#') {
            break;
        }
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            host.push(c);
        }
    }
    host
}

fn under(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// Whether the host is (under) an official domain of a listed organisation.
pub(crate) fn is_official(host: &str) -> bool {
    BRANDS
        .iter()
        .flat_map(|b| b.domains.iter())
        .any(|d| under(host, d))
}

/// Whether a host that is not official borrows an organisation's word (`abc-yh.net`,
/// `icbc95588.top`): a short word (`yh`, `jd`) only as a whole part between dots and
/// hyphens, a longer one anywhere in it.
pub(crate) fn is_lookalike(host: &str) -> bool {
    !is_official(host)
        && host.split(['.', '-']).any(|part| {
            LOOKALIKE_WORDS
                .iter()
                .any(|w| part == *w || (w.len() >= 4 && part.contains(w)))
        })
}

/// What the pieces add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finding {
    /// Sender, reason and an action off the platform; or a look-alike link with a sender or
    /// a reason.
    Block,
    /// A reason with an off-platform action, or a sender with a foreign link: a human looks.
    Review,
}

/// The rule: `brand` and `pretext` found, `action` (a non-official link, a mobile number, a
/// QQ or WeChat id), `foreign_link` (a non-official link), `lookalike` (a look-alike link).
pub(crate) fn judge(
    brand: bool,
    pretext: bool,
    action: bool,
    foreign_link: bool,
    lookalike: bool,
) -> Option<Finding> {
    if (brand && pretext && action) || (lookalike && (brand || pretext)) {
        Some(Finding::Block)
    } else if (pretext && action) || (brand && foreign_link) {
        Some(Finding::Review)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_lookalikes() {
        assert_eq!(host_of("http://Wx-QQ.xyz:80/a?b=1"), "wx-qq.xyz");
        assert_eq!(host_of("ｗｗｗ．ICBC．com．cn"), "www.icbc.com.cn");
        assert!(is_official("www.icbc.com.cn"));
        assert!(is_official("m.jd.com"));
        assert!(!is_official("jd.com.cn.xyz"));
        assert!(is_lookalike("abc-yh.net"));
        assert!(is_lookalike("icbc-vip.top"));
        assert!(!is_lookalike("www.icbc.com.cn"));
        assert!(!is_lookalike("example.com"));
        assert!(!is_lookalike("abcshop.com"));
        assert!(is_lookalike("icbc95588.top"));
    }

    #[test]
    fn pieces_add_up_only_together() {
        assert_eq!(judge(true, true, true, true, false), Some(Finding::Block));
        assert_eq!(judge(true, false, false, true, true), Some(Finding::Block));
        assert_eq!(judge(false, true, true, true, false), Some(Finding::Review));
        // A bank's own notice: sender and reason, no action off the platform.
        assert_eq!(judge(true, true, false, false, false), None);
        assert_eq!(judge(false, false, true, true, false), None);
    }
}
