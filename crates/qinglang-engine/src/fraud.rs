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

use crate::policy::Policy;
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

/// The scam and illegal-service families a `fraud` (or `gambling`, `porn`, `contraband`) hit
/// can name as its sub-category (issue #20): the fraud rule gives the family its evidence
/// points to; lexicon entries give theirs as `category/family` (`刷单\tfraud/task_scam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Bank, carrier, platform, ETC or social-insurance phishing: an account about to lapse.
    Phishing,
    /// Refund, compensation and customer-service impersonation.
    Refund,
    /// Prizes and points redemption.
    Prize,
    /// Loans without checks, credit-record repair, deposit-before-loan.
    Loan,
    /// Police, procuratorate or court impersonation: a "safe account", money laundering.
    PoliceImpersonation,
}

impl Family {
    /// Every family, in the order of their indices.
    pub const ALL: [Family; 5] = [
        Family::Phishing,
        Family::Refund,
        Family::Prize,
        Family::Loan,
        Family::PoliceImpersonation,
    ];

    /// The sub-category as hits report it.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Phishing => "phishing",
            Family::Refund => "refund",
            Family::Prize => "prize",
            Family::Loan => "loan",
            Family::PoliceImpersonation => "police_impersonation",
        }
    }
}

/// An organisation whose name scams borrow: how messages name it, and its own domains.
struct Brand {
    names: &'static [&'static str],
    domains: &'static [&'static str],
    /// The scam family a message in its name belongs to when no reason says otherwise.
    family: Family,
}

const BRANDS: &[Brand] = &[
    Brand {
        names: &["工商银行", "工行", "icbc"],
        domains: &["icbc.com.cn", "icbc.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["建设银行", "建行"],
        domains: &["ccb.com", "ccb.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["农业银行", "农行"],
        domains: &["abchina.com", "abchina.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中国银行", "中行"],
        domains: &["boc.cn", "bankofchina.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["交通银行", "交行"],
        domains: &["bankcomm.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["招商银行", "招行"],
        domains: &["cmbchina.com", "cmbchina.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["邮储银行", "邮政储蓄"],
        domains: &["psbc.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["浦发银行"],
        domains: &["spdb.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["民生银行"],
        domains: &["cmbc.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["兴业银行"],
        domains: &["cib.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["光大银行"],
        domains: &["cebbank.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中信银行"],
        domains: &["citicbank.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["平安银行"],
        domains: &["pingan.com", "pingan.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中国移动", "移动公司"],
        domains: &["10086.cn", "chinamobile.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中国联通", "联通公司"],
        domains: &["10010.com", "chinaunicom.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中国电信", "电信公司"],
        domains: &["189.cn", "chinatelecom.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["支付宝"],
        domains: &["alipay.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["微信支付", "财付通"],
        domains: &["tenpay.com", "weixin.qq.com", "qq.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["淘宝", "天猫"],
        domains: &["taobao.com", "tmall.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["京东"],
        domains: &["jd.com", "jd.hk"],
        family: Family::Phishing,
    },
    Brand {
        names: &["拼多多"],
        domains: &["pinduoduo.com", "yangkeduo.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["顺丰"],
        domains: &["sf-express.com"],
        family: Family::Phishing,
    },
    Brand {
        names: &["中国邮政", "邮政快递"],
        domains: &["chinapost.com.cn", "ems.com.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["社保", "人社局"],
        domains: &["mohrss.gov.cn", "gov.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["医保"],
        domains: &["nhsa.gov.cn", "gov.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["etc卡", "etc账户", "etc认证", "etc服务"],
        domains: &["gov.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["12306", "铁路"],
        domains: &["12306.cn"],
        family: Family::Phishing,
    },
    Brand {
        names: &["公安局", "派出所", "公安机关"],
        domains: &["gov.cn"],
        family: Family::PoliceImpersonation,
    },
];

/// Reasons to act now, as scams give them (and as many real notices do: never enough alone),
/// each with the scam family it belongs to.
const PRETEXTS: &[(&str, Family)] = &[
    ("失效", Family::Phishing),
    ("冻结", Family::Phishing),
    ("过期", Family::Phishing),
    ("将到期", Family::Phishing),
    ("清零", Family::Phishing),
    ("升级", Family::Phishing),
    ("补录", Family::Phishing),
    ("实名认证", Family::Phishing),
    ("实名制", Family::Phishing),
    ("异常", Family::Phishing),
    ("停用", Family::Phishing),
    ("注销", Family::Phishing),
    ("积分兑换", Family::Phishing),
    ("积分即将", Family::Phishing),
    ("兑换现金", Family::Phishing),
    ("退款", Family::Refund),
    ("退费", Family::Refund),
    ("理赔", Family::Refund),
    ("赔付", Family::Refund),
    ("中奖", Family::Prize),
    ("领取", Family::Prize),
    ("逾期", Family::Loan),
    ("征信", Family::Loan),
    ("修复", Family::Loan),
    ("解冻", Family::Phishing),
    ("身份验证", Family::Phishing),
    ("重新认证", Family::Phishing),
    ("认证失败", Family::Phishing),
    ("验证失败", Family::Phishing),
    ("扣费", Family::Phishing),
    ("自动扣", Family::Phishing),
    ("盗刷", Family::Phishing),
    ("涉嫌", Family::PoliceImpersonation),
    ("洗钱", Family::PoliceImpersonation),
    ("安全账户", Family::PoliceImpersonation),
    ("资金核查", Family::PoliceImpersonation),
    ("补贴", Family::Phishing),
    ("补助金", Family::Phishing),
    ("保证金", Family::Loan),
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
    /// An organisation named.
    Brand(Family),
    /// A reason to act now.
    Pretext(Family),
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
                .map(|(i, (p, _))| (*p, PRETEXT_BASE + i as u32)),
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
            let v = m.value();
            let piece = match v.checked_sub(PRETEXT_BASE) {
                Some(i) => Piece::Pretext(PRETEXTS[i as usize].1),
                None => Piece::Brand(BRANDS[v as usize].family),
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

/// The first hotline in normalised text `norm` that is not an organisation's short service
/// number, as a byte range: a 400/800 number (10 digits) or a landline (0, an area code and
/// the number: 10 to 12 digits, the second digit not 0). Scams give such numbers to call;
/// the banks', carriers' and platforms' own numbers are short (95588, 10086, 12306), and the
/// short numbers are licensed, so they are never an action here. Mobile numbers are
/// contacts (`contact.rs`).
pub(crate) fn hotline(norm: &str) -> Option<(usize, usize)> {
    let b = norm.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let run = &b[start..i];
        let service = run.len() == 10 && (run.starts_with(b"400") || run.starts_with(b"800"));
        let landline = (10..=12).contains(&run.len()) && run[0] == b'0' && run[1] != b'0';
        if service || landline {
            return Some((start, i));
        }
    }
    None
}

/// The evidence found in one text, as the fraud rule weighs it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Evidence {
    /// An organisation named (its family).
    pub(crate) brand: Option<Family>,
    /// A reason to act now (its family).
    pub(crate) pretext: Option<Family>,
    /// An action off the platform: a link that is not the organisation's own, a mobile
    /// number, a QQ or WeChat id.
    pub(crate) action: bool,
    /// A link whose host borrows an organisation's name without being its own.
    pub(crate) lookalike: bool,
    /// The fraud model's calibrated probability, when it reached `fraud_model_review`.
    pub(crate) model: Option<f32>,
}

impl Evidence {
    /// The fraud score on the verdict's 0–100 scale, from the policy's weights. Sender,
    /// reason and look-alike link count only beside an action off the platform: a bank's own
    /// notice names the bank and a reason, and leaves the reader nothing to follow but its
    /// own site. The model's finding counts alone: it learned whole calls and messages.
    pub(crate) fn score(&self, policy: &Policy) -> u8 {
        let mut score = 0u32;
        if self.action {
            score += u32::from(policy.fraud_action_weight);
            if self.brand.is_some() {
                score += u32::from(policy.fraud_sender_weight);
            }
            if self.pretext.is_some() {
                score += u32::from(policy.fraud_reason_weight);
            }
            if self.lookalike {
                score += u32::from(policy.fraud_lookalike_weight);
            }
        }
        if self.model.is_some() {
            score += u32::from(policy.fraud_model_weight);
        }
        score.min(100) as u8
    }

    /// The family the evidence points to: a police sender's, else the reason's, else the
    /// sender's; `None` when only the model spoke (it knows fraud, not which kind).
    pub(crate) fn family(&self) -> Option<Family> {
        match (self.brand, self.pretext) {
            (Some(Family::PoliceImpersonation), _) => Some(Family::PoliceImpersonation),
            (_, Some(f)) | (Some(f), None) => Some(f),
            (None, None) if self.lookalike => Some(Family::Phishing),
            (None, None) => None,
        }
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

    fn evidence(brand: bool, pretext: bool, action: bool, lookalike: bool) -> Evidence {
        Evidence {
            brand: brand.then_some(Family::Phishing),
            pretext: pretext.then_some(Family::Refund),
            action,
            lookalike,
            model: None,
        }
    }

    #[test]
    fn pieces_add_up_only_together() {
        let p = Policy::default();
        let block = |e: Evidence| e.score(&p) >= p.block_threshold;
        let review = |e: Evidence| (p.review_threshold..p.block_threshold).contains(&e.score(&p));
        // Sender, reason and somewhere to go: the shape of phishing.
        assert!(block(evidence(true, true, true, false)));
        // A look-alike link with a sender or a reason.
        assert!(block(evidence(true, false, true, true)));
        assert!(block(evidence(false, true, true, true)));
        assert!(review(evidence(false, true, true, false)));
        assert!(review(evidence(false, false, true, true)));
        // A courier's notice with the courier's number: sender and action, no reason.
        assert!(evidence(true, false, true, false).score(&p) < p.review_threshold);
        // A bank's own notice: sender and reason, no action off the platform.
        assert_eq!(evidence(true, true, false, false).score(&p), 0);
        // A contact alone is the contact rule's business, not fraud.
        assert!(evidence(false, false, true, false).score(&p) < p.review_threshold);
        // The model alone asks a human; with a sender and an action it blocks.
        let model = Evidence {
            model: Some(0.9),
            ..Evidence::default()
        };
        assert!(review(model));
        assert!(block(Evidence {
            brand: Some(Family::Phishing),
            action: true,
            ..model
        }));
    }

    #[test]
    fn hotlines_are_long_service_numbers_and_landlines() {
        assert_eq!(hotline("请致电4008201234核实"), Some((9, 19)));
        assert!(hotline("电话075512345678").is_some());
        assert!(hotline("电话01088886666").is_some());
        // Short service numbers, mobiles, dates and amounts are not hotlines.
        for text in [
            "请致电95588",
            "10086",
            "13912345678",
            "20231205",
            "金额0.00",
            "00861234567890",
        ] {
            assert_eq!(hotline(text), None, "{text}");
        }
    }

    #[test]
    fn the_family_follows_the_evidence() {
        assert_eq!(
            evidence(true, true, true, false).family(),
            Some(Family::Refund)
        );
        assert_eq!(
            evidence(true, false, true, false).family(),
            Some(Family::Phishing)
        );
        assert_eq!(
            evidence(false, false, true, true).family(),
            Some(Family::Phishing)
        );
        let police = Evidence {
            brand: Some(Family::PoliceImpersonation),
            pretext: Some(Family::Phishing),
            ..Evidence::default()
        };
        assert_eq!(police.family(), Some(Family::PoliceImpersonation));
        assert_eq!(Evidence::default().family(), None);
    }
}
