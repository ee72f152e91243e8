//! The spam model's side of a scan (issue #19 item 1, REV-5): a classifier trained on what
//! hacked pages and spam posts inject — SEO keyword runs, gambling and porn promotions — read
//! as hashed character n-grams, so that a run made of words no lexicon lists
//! (`乐竞首页…`, `亚盈-(中国)科技公司`) still reads as the spam it is.
//!
//! Its finding judges the whole text. From `spam_model_review` it asks for review; from
//! `spam_model_block` it blocks, but only where the text's own words or contacts bear it out
//! (a lexicon term, two cues that are not ordinary words, a contact written to evade review,
//! two contacts): a statistical model alone sends text to a human, it does not remove it.

use std::sync::Arc;

use super::{model_entries, whole_text, CompiledEntry, Engine, Hit};
use crate::lexicon::Action;
use crate::model::Classifier;
use crate::verdict::COMMON_WORD_FAMILY;

/// The spam model's hits carry this pattern: the verdict tells them from the other models'
/// (whose finding an article's reporting context weighs down) by it.
pub(crate) const SPAM_PATTERN: u32 = u32::MAX - 9;

/// The spam model's review and block entries, in that order (`source: "model:<name>"`,
/// category the model's own, `spam` for the shipped one).
pub(super) fn spam_entries(model: Option<&Classifier>) -> Vec<CompiledEntry> {
    model.map_or_else(Vec::new, |m| {
        let source: Arc<str> = Arc::from(format!("model:{}", m.name()));
        model_entries(m, m.category(), &source).into()
    })
}

/// The longest text in which one messenger id bears out the spam model: a message or a
/// post (`快加→微信av998828送精品福利`, a surrogacy ad's `电话/微信136-…`). A page's
/// contacts are its own: its footer gives the office's QQ group.
const MESSAGE_MAX_CHARS: usize = 300;

/// How sure the model must be for one messenger id to bear it out. A shop's ad with its
/// WeChat id reads as spam to it too (`正品名表低价出，加微信 wx9988776 看图` scores 0.95 to
/// 0.98): such an ad, flooded into groups, is a campaign for review (REV-7), not a removal.
/// The recruiting porn ad above scores 0.999.
const MESSENGER_PROBABILITY: f32 = 0.99;

/// Whether `hits` (everything else the scan found in `text`) bear out a spam model's
/// finding: a lexicon term, two different cues outside the `common_word` family, a contact
/// written to evade review, two contacts, or, in a message the model is all but certain of
/// (`probability`), an id on a messenger (QQ, WeChat; Telegram and LINE are evasive
/// anyway), where ads send their buyers. Cues of ordinary words do not: a
/// school's notice names its 官网 and 登录, a sports line 日本, 韩国 and 在线观看, a course
/// page repeats 精品; nor does a link alone (an issue asking for a payment gateway's).
pub(super) fn borne_out(hits: &[Hit<'_>], text: &str, probability: f32) -> bool {
    let mut contacts = 0;
    let mut cue = None;
    let message =
        probability >= MESSENGER_PROBABILITY && text.chars().nth(MESSAGE_MAX_CHARS).is_none();
    for h in hits {
        if h.is_evasive_contact() || (h.is_lexical() && h.action() != Action::Cue) {
            return true;
        }
        if message && h.is_contact() && matches!(h.term(), "qq" | "wechat") {
            return true;
        }
        if h.is_lexical() && h.subcategory() != Some(COMMON_WORD_FAMILY) {
            match cue {
                Some(pattern) if pattern != h.pattern => return true,
                _ => cue = Some(h.pattern),
            }
        }
        contacts += usize::from(h.is_contact());
    }
    contacts >= 2
}

impl Engine {
    /// The spam model's hit over the whole of `text` (without surrounding whitespace) at
    /// `probability`; `block` where it reached `spam_model_block` and the text bears it out.
    pub(super) fn spam_hit(&self, text: &str, probability: f32, block: bool) -> Hit<'_> {
        let (byte_start, byte_end) = whole_text(text);
        Hit {
            entry: &self.spam_entries[usize::from(block)],
            pattern: SPAM_PATTERN,
            start: 0,
            end: 0,
            byte_start,
            byte_end,
            norm_start: 0,
            norm_end: 0,
            probability: Some(probability),
            campaign: None,
        }
    }
}
