//! Contact details used to pull users off the platform (REV-6, 引流): mobile numbers, QQ
//! numbers, WeChat ids, URLs and bare domains, e-mail addresses, Telegram and LINE ids (the
//! messengers of gambling and escort ads, in Taiwan above all) — also disguised.
//!
//! Extraction runs on the normalised stream, so the folding already undoes most disguises
//! (`壹叁捌`, `①③⑧`, full-width digits, Cyrillic letters, noise between characters); the
//! original text between two normalised characters is consulted where a separator matters
//! (`.` `。` `@` in domains and addresses). A bare number is a contact only when it has the
//! exact shape of a mobile number, or sits right after a QQ or WeChat cue: dates, prices,
//! years and order numbers are not contacts.

use std::ops::RangeInclusive;

use qinglang_text::{Fold, Folder, Pos, GAP_BREAK, GAP_CLAUSE, GAP_COUNT};

/// What kind of contact a hit is; also the `term` reported for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContactKind {
    Mobile,
    Qq,
    Wechat,
    Url,
    Email,
    Telegram,
    Line,
}

impl ContactKind {
    pub(crate) const ALL: [ContactKind; 7] = [
        ContactKind::Mobile,
        ContactKind::Qq,
        ContactKind::Wechat,
        ContactKind::Url,
        ContactKind::Email,
        ContactKind::Telegram,
        ContactKind::Line,
    ];

    pub(crate) fn term(self) -> &'static str {
        match self {
            ContactKind::Mobile => "mobile",
            ContactKind::Qq => "qq",
            ContactKind::Wechat => "wechat",
            ContactKind::Url => "url",
            ContactKind::Email => "email",
            ContactKind::Telegram => "telegram",
            ContactKind::Line => "line",
        }
    }
}

/// The family of a contact hit written in disguise (`Contact::disguised`).
pub(crate) const DISGUISED_CONTACT_FAMILY: &str = "disguised";

/// A contact found: its kind and its span in normalised character indices (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Contact {
    pub kind: ContactKind,
    pub start: usize,
    pub end: usize,
    /// Written so that a filter would miss it: see `Stream::disguised`.
    pub disguised: bool,
}

/// What asks for a contact right before a bare 扣 (`加扣`, `咨询扣`, `联系扣`, `私扣`).
const ASKING_BEFORE_KOU: &str = "加询系私找";
/// Units after a number that make it an amount, not an id (`扣200分`, `扣3000元`).
const AMOUNT_UNITS: &str = "元块分万千百亿个次天点年月日号岁斤克米件张条%";

const QQ_CUES: &[&str] = &[
    "qq号", "qq群", "qq", "扣扣", "企鹅", "抠抠", "蔻蔻", "球球", "q号", "q群", "加q", "q",
];
const WECHAT_CUES: &[&str] = &[
    "微信号",
    "微信",
    "薇信",
    "威信",
    "徽信",
    "维信",
    "v信",
    "vx",
    "wx",
    "weixin",
    "wechat",
    "加v",
    "加微",
    "加薇",
    "加威",
    "加维",
    "卫星",
];
/// WeChat named by its first character alone (`官方微：abc2779`, `微97930511`): only with the
/// id right after it, across nothing but a colon or a bracket, since 微 and 薇 begin many
/// words (`微软以…`); an id of letters must hold a digit too (`微PE` is a tool).
const BARE_WECHAT_CUES: [char; 2] = ['微', '薇'];

/// Cues of the other messengers that ads send users to, the kind each names, and whether a
/// colon, a bracket or `@` must stand between the cue and the id: a word of prose that is
/// also a cue (飞机, 赖 a surname, `line`, `tg`) names an id only so marked or glued to it
/// (`飞机：ty4443`, `Line：relax066`, `賴w8550`), never across a space (`空客飞机 A380`).
/// Telegram is 纸飞机 or 飞机 to its users; LINE is 賴 in Taiwan.
const MESSENGER_CUES: &[(&str, ContactKind, bool)] = &[
    ("纸飞机", ContactKind::Telegram, false),
    ("telegram", ContactKind::Telegram, false),
    ("电报", ContactKind::Telegram, true),
    ("飞机", ContactKind::Telegram, true),
    ("tg", ContactKind::Telegram, true),
    ("加赖", ContactKind::Line, false),
    ("赖", ContactKind::Line, false),
    ("line", ContactKind::Line, true),
];

/// What an ad may write between a messenger's cue and the marked id it names: how to find it
/// (`Telegram搜索@bc8888`, `飞机号：ty4443`, `tg私聊@abc123`). The id must then be marked.
const FIND_WORDS: &[&str] = &[
    "搜索", "搜", "添加", "加", "联系", "私信", "私聊", "账号", "号", "id", "客服",
];

/// Link hosts of the messengers themselves: a link to `t.me/name` is a Telegram id as
/// surely as `TG：@name` (`[点✈这里联系](https://t.me/liadings88899)`).
const MESSENGER_LINK_HOSTS: &[(&str, ContactKind)] = &[
    ("t.me", ContactKind::Telegram),
    ("telegram.me", ContactKind::Telegram),
    ("line.me", ContactKind::Line),
    ("lin.ee", ContactKind::Line),
];

/// The first characters of the words that end in 赖 (信赖 依赖 抵赖 耍赖 无赖 百无聊赖 仰赖).
const WORDS_ENDING_IN_LAI: &str = "信依抵耍无聊仰";

/// What marks an id after a messenger's cue: a colon, an opening bracket, an at sign.
const ID_MARKS: &[char] = &[':', '：', '@', '＠', '【', '[', '(', '（', '「'];

/// What closes a cue written as a label and leads to its id (`『微』——774398`): a closing
/// bracket or an em dash. Allowed between a cue and its id, but no mark of an id by itself.
const LABEL_CLOSERS: &[char] = &['】', '』', '」', ']', ')', '）', '—'];

/// Whether what stands between a cue and an id is only marks and spaces (`：`, `【@`,
/// `』——`).
fn only_marks(between: &str) -> bool {
    between
        .chars()
        .all(|c| ID_MARKS.contains(&c) || LABEL_CLOSERS.contains(&c) || c == ' ')
}

/// The top-level domains of most links in Chinese spam: a bare `name.tld` is a link.
const TLDS: &[&str] = &[
    "com", "cn", "net", "org", "top", "xyz", "vip", "cc", "io", "me", "info", "shop", "club",
    "site", "online", "app", "co", "tv", "hk", "tw", "live", "fun", "ink", "link",
];

/// Hosts of link shorteners, which hide where a link leads: a link even without a path.
const SHORT_LINK_HOSTS: &[&str] = &[
    "t.cn",
    "url.cn",
    "dwz.cn",
    "dwz.cz",
    "suo.im",
    "suo.nz",
    "bit.ly",
    "tinyurl.com",
    "is.gd",
    "t.co",
    "goo.gl",
    "ow.ly",
    "w.url.cn",
    "u.nu",
    "v.gd",
    "0x3.me",
    "dwz.mk",
    "rb.gy",
];

/// Whether `label` is a top-level domain of the Public Suffix List that `TLDS` leaves out
/// (`.ch`, `.pw`, `.cz`). Many of them are also file extensions (`main.rs`, `readme.md`),
/// so a name under one is a link only with more to show for it: a scheme, `www.`, a path,
/// three labels, or a short-link host.
fn other_tld(label: &str) -> bool {
    let mut probe = [0u8; 16];
    let name = b"x.";
    if label.len() < 2 || label.len() + name.len() > probe.len() {
        return false;
    }
    probe[..2].copy_from_slice(name);
    probe[2..2 + label.len()].copy_from_slice(label.as_bytes());
    psl::suffix(&probe[..2 + label.len()])
        .is_some_and(|sfx| sfx.is_known() && sfx.as_bytes() == label.as_bytes())
}

/// Ideographs that begin a QQ or WeChat cue (or 点 of `abc点com`).
const CUE_INITIALS: [char; 18] = [
    '扣', '企', '抠', '蔻', '球', '微', '薇', '威', '徽', '维', '加', '卫', '点', '号', '纸', '电',
    '飞', '赖',
];

/// A 64-bit filter over `CUE_INITIALS` and 幺, by the low six bits of their code points
/// (the last byte of a three-byte character): most ideographs are rejected by one AND.
const THREE_BYTE_FILTER: u64 = {
    let mut mask = 1 << ('幺' as u32 & 63);
    let mut i = 0;
    while i < CUE_INITIALS.len() {
        mask |= 1 << (CUE_INITIALS[i] as u32 & 63);
        i += 1;
    }
    mask
};

fn cue_at(rest: &str) -> bool {
    rest.starts_with('点')
        || rest.starts_with("dot")
        || QQ_CUES.iter().any(|cue| rest.starts_with(cue))
        || WECHAT_CUES.iter().any(|cue| rest.starts_with(cue))
        || BARE_WECHAT_CUES.iter().any(|&cue| rest.starts_with(cue))
        || MESSENGER_CUES.iter().any(|(cue, ..)| rest.starts_with(cue))
}

/// Cheap pre-check, one pass over the bytes of each text (it runs on every text): is there
/// anything contact-like at all?
pub(crate) fn may_contain(folded: &str, original: &str, folder: &Folder) -> bool {
    let b = folded.as_bytes();
    // Digits in a row, and digits of groups of three or more that at most three other
    // characters part (`136乀7027乀0005`, a number written in groups; see
    // `grouped_number_end`).
    let mut digits = 0;
    let mut grouped = 0;
    let mut apart = 0;
    let other = |digits: &mut u32, grouped: &mut u32, apart: &mut u32| {
        if (1..3).contains(digits) {
            *grouped = 0;
        }
        *digits = 0;
        *apart += 1;
        if *apart > 3 {
            *grouped = 0;
        }
    };
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if (0xE0..=0xEF).contains(&x) {
            // A three-byte character (nearly all of Chinese text): its last byte's low six
            // bits are the code point's, so one AND rejects most before any decoding.
            let (Some(&y), Some(&z)) = (b.get(i + 1), b.get(i + 2)) else {
                break;
            };
            if THREE_BYTE_FILTER & (1 << (z & 63)) == 0 {
                other(&mut digits, &mut grouped, &mut apart);
                i += 3;
                continue;
            }
            let c = (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
            // 幺 is the digit 1 read out.
            if c == u32::from('幺') {
                digits += 1;
                if digits >= 5 {
                    return true;
                }
            } else {
                other(&mut digits, &mut grouped, &mut apart);
                if CUE_INITIALS.iter().any(|&k| k as u32 == c) && cue_at(&folded[i..]) {
                    return true;
                }
            }
            i += 3;
            continue;
        }
        if x.is_ascii_digit() {
            digits += 1;
            grouped += 1;
            apart = 0;
            if digits >= 5 || grouped >= 9 {
                return true;
            }
            i += 1;
            continue;
        }
        other(&mut digits, &mut grouped, &mut apart);
        if matches!(x, b'q' | b'v' | b'w' | b'd' | b't' | b'l') && cue_at(&folded[i..]) {
            return true;
        }
        i += 1;
    }
    // A dot (. 。 ． ｡ ·) right before a letter, as in `.org` or `。cn`, or an at sign: one
    // pass over the bytes, since this runs on every text. Between the dot and the letter may
    // stand spaces, the bracket of a "defanged" `example[.]com`, and whatever the folding
    // skips; the letter is one as the folding reads it (`。ＣＮ`, a Cyrillic `.сom`), since
    // `find` decides on the folded text.
    let bytes = original.as_bytes();
    let letter_after = |from: usize| {
        original.get(from..).is_some_and(|rest| {
            rest.chars()
                .map(|n| (n, folder.fold(n)))
                .find(|&(n, fold)| {
                    !(n.is_whitespace()
                        || matches!(n, ']' | ')' | '}' | '】' | '）')
                        || fold == Fold::Skip)
                })
                .is_some_and(|(n, fold)| {
                    matches!(fold, Fold::Char(l) if l.is_ascii_lowercase()) || n == '匚'
                })
        })
    };
    let mut i = 0;
    while i < bytes.len() {
        let dot_len = match bytes[i] {
            b'@' => return true,
            b'.' => 1,
            0xE3 if bytes.get(i + 1..i + 3) == Some(&[0x80, 0x82]) => 3, // 。
            0xEF if bytes.get(i + 1..i + 3) == Some(&[0xBC, 0xA0]) => return true, // ＠
            0xEF if bytes.get(i + 1..i + 3) == Some(&[0xBC, 0x8E]) => 3, // ．
            0xEF if bytes.get(i + 1..i + 3) == Some(&[0xBD, 0xA1]) => 3, // ｡
            0xC2 if bytes.get(i + 1) == Some(&0xB7) => 2,                // ·
            _ => 0,
        };
        if dot_len > 0 && letter_after(i + dot_len) {
            return true;
        }
        i += dot_len.max(1);
    }
    false
}

struct Stream<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: &'a [Pos],
}

impl Stream<'_> {
    /// The original text between normalised characters `k - 1` and `k`.
    fn between(&self, k: usize) -> &str {
        if k == 0 || k >= self.pos.len() {
            return "";
        }
        let a = self.pos[k - 1].orig_end as usize;
        let b = self.pos[k].orig_start as usize;
        self.text.get(a..b).unwrap_or("")
    }

    /// The Latin letters written together from `k` (a label or a TLD), and where they end.
    fn letters_from(&self, k: usize) -> (String, usize) {
        let mut end = k;
        while end < self.chars.len()
            && self.chars[end].is_ascii_lowercase()
            && (end == k || self.pos[end].gap == 0)
        {
            end += 1;
        }
        (self.chars[k..end].iter().collect(), end)
    }

    /// Whether `k` continues the previous character closely enough to be one token: no line
    /// break or clause punctuation, at most `max` noise characters.
    fn joined(&self, k: usize, max: u8) -> bool {
        let g = self.pos[k].gap;
        g != GAP_BREAK && g & GAP_CLAUSE == 0 && g & GAP_COUNT <= max
    }

    /// Whether the dot before `k` (the word `k..end` follows it) reads as the end of a
    /// sentence rather than a domain's dot: a line break, or a space after the dot with a
    /// capital starting the word or another word following it, as in `Good. Me too`.
    fn sentence_break_before(&self, k: usize, end: usize) -> bool {
        if self.pos[k].gap == GAP_BREAK {
            return true;
        }
        let between = self.between(k);
        let spaced = between
            .rsplit(DOTS)
            .next()
            .is_some_and(|after_dot| after_dot.contains(char::is_whitespace));
        if !spaced {
            return false;
        }
        // A capitalised word (`Me`, `In`), not a TLD in capitals (`COM`, `ＣＮ`).
        let original = |at: usize| {
            self.text
                .get(self.pos[at].orig_start as usize..)
                .and_then(|t| t.chars().next())
        };
        let capital = original(k).is_some_and(char::is_uppercase)
            && k + 1 < end
            && original(k + 1).is_some_and(char::is_lowercase);
        let word_follows = end < self.chars.len()
            && self.chars[end].is_ascii_alphabetic()
            && self.pos[end].gap != GAP_BREAK;
        capital || word_follows
    }

    /// The host name from normalised characters `from..to`, dots and hyphens put back.
    fn host(&self, from: usize, to: usize) -> String {
        let mut host = String::new();
        for k in from..to {
            if k > from {
                let between = self.between(k);
                if is_dot(between) {
                    host.push('.');
                } else if between == "-" {
                    host.push('-');
                }
            }
            host.push(self.chars[k]);
        }
        host
    }

    /// The end of a messenger id that starts at `id`, right after a cue: letters and digits
    /// (one `_`, `.` or `-` between them allowed), `len` of them, at least one a digit unless
    /// `@` introduced it (`@fcfc1111`, `relax066`; a word alone is prose). With `marked`, a
    /// colon, bracket or `@` must stand between the cue and the id; without, the id may also
    /// touch the cue (`賴w8550`, `纸飞机sts1780tw`).
    fn id_after(&self, id: usize, len: RangeInclusive<usize>, marked: bool) -> Option<usize> {
        if id >= self.chars.len() || !is_label_char(self.chars[id]) || !self.joined(id, 3) {
            return None;
        }
        let between = self.between(id);
        // A label closed and led on to its id (`』——`) marks it as well as a colon does.
        let mark = between.contains(ID_MARKS)
            || (between.contains(LABEL_CLOSERS) && between.contains('—'));
        if !only_marks(between) || (marked && !mark) || (!mark && !between.is_empty()) {
            return None;
        }
        let mut end = id + 1;
        while end < self.chars.len() && is_label_char(self.chars[end]) && self.joined(end, 1) {
            end += 1;
        }
        let digit = self.chars[id..end].iter().any(char::is_ascii_digit);
        let letter = self.chars[id..end].iter().any(char::is_ascii_lowercase);
        if end - id < 5 && !letter {
            return None;
        }
        let at = between.contains(['@', '＠']);
        // The id ends the word: `飞机：abc123的` is fine, `tg：abc1234567890…` of a hash is
        // cut by the length.
        (len.contains(&(end - id)) && (digit || at)).then_some(end)
    }

    /// Where a number split into groups by one separator repeated ends (`136乀7027乀0005`,
    /// `188x1887x9571`, `158...1717...2008`), given the digit run `start..end` that opens it:
    /// spammers put a mark, a letter or a rare ideograph between the groups so that a filter
    /// reading digit runs sees short numbers. Three groups or more of three or four digits,
    /// the same separator of at most three characters each time, no line break; `end` when
    /// the run opens no such number. A measurement (`150x1000x2000mm`) is not one.
    fn grouped_number_end(&self, start: usize, end: usize, taken: &[bool]) -> usize {
        const GROUP: RangeInclusive<usize> = 3..=4;
        if !GROUP.contains(&(end - start)) {
            return end;
        }
        let n = self.chars.len();
        let mut separator: Option<&str> = None;
        let (mut groups, mut last) = (1, end);
        loop {
            // Up to three characters of the normalised stream, and any noise, stand between.
            let mut next = last;
            while next < n && next < last + 3 && !self.chars[next].is_ascii_digit() {
                next += 1;
            }
            if next >= n || !self.chars[next].is_ascii_digit() || taken[next] {
                break;
            }
            if (last..=next).any(|k| self.pos[k].gap == GAP_BREAK) {
                break;
            }
            let between = self
                .text
                .get(self.pos[last - 1].orig_end as usize..self.pos[next].orig_start as usize)
                .unwrap_or("");
            if between.is_empty()
                || between.chars().count() > 3
                || between
                    .chars()
                    .any(|c| c.is_ascii_digit() || c.is_whitespace())
                || separator.is_some_and(|s| s != between)
            {
                break;
            }
            let mut group_end = next + 1;
            while group_end < n
                && self.chars[group_end].is_ascii_digit()
                && self.pos[group_end].gap == 0
                && !taken[group_end]
            {
                group_end += 1;
            }
            if !GROUP.contains(&(group_end - next)) {
                break;
            }
            separator = Some(between);
            groups += 1;
            last = group_end;
        }
        let times = separator.is_some_and(|s| matches!(s, "x" | "X" | "×" | "*" | "＊" | "ｘ"));
        let unit = ["mm", "cm", "m", "毫米", "厘米", "米", "px"]
            .iter()
            .any(|u| last < n && self.starts_with_at(last, u));
        if groups >= 3 && !(times && unit) {
            last
        } else {
            end
        }
    }

    /// Whether the number, id or address `body..end` is written so that a filter would miss
    /// it: an address whose dot is no `.` (`·`, `。`, 点), with spaces or look-alikes in it
    /// (`８ １ ９ ６ · Ｃ Ｃ`); a number spelt out (壹, 幺, ①) or cut by anything but a
    /// space, a hyphen or an id's `_`/`.` (`136乀7027乀0005`, `158...1717...2008`). Full-width
    /// digits are how an input method in full-width mode types a number; in an address,
    /// where nobody types them, full-width forms are a disguise too. Ordinary text gives its
    /// numbers and links plainly, so a disguised one is evidence of evasion (REV-6).
    fn disguised(&self, kind: ContactKind, body: usize, end: usize) -> bool {
        let address = matches!(kind, ContactKind::Url | ContactKind::Email);
        let number = matches!(kind, ContactKind::Mobile | ContactKind::Qq)
            || (kind == ContactKind::Wechat && self.chars[body].is_ascii_digit());
        let plain: &[char] = if address {
            &[
                '.', '-', '/', ':', '_', '@', '?', '=', '&', '%', '#', '~', '+', '[', ']',
            ]
        } else {
            &[' ', '-', '_', '.']
        };
        for k in body..end {
            let c = self.chars[k];
            if !is_label_char(c) || (number && !c.is_ascii_digit()) {
                return true;
            }
            // A host name in punycode (`cnzw.xn--8mr619f.chat`): no block list holds it.
            if address
                && k >= body + 2
                && self.chars[k - 2..k] == ['x', 'n']
                && self.between(k) == "--"
            {
                return true;
            }
            let written = self
                .text
                .get(self.pos[k].orig_start as usize..)
                .and_then(|t| t.chars().next())
                .unwrap_or(c);
            let full_width = ('\u{FF10}'..='\u{FF5A}').contains(&written);
            if !written.is_ascii() && (address || !full_width) {
                return true;
            }
            if k > body {
                // One plain mark, or spaces (`138 1234 5678`), but not `158...1717`.
                let between = self.between(k);
                let spaces = between.chars().all(|c| c == ' ');
                let mut marks = between.chars();
                let one_mark = marks.next().is_none_or(|c| plain.contains(&c))
                    && (address || marks.next().is_none());
                if !(spaces || one_mark) {
                    return true;
                }
            }
        }
        false
    }

    fn starts_with_at(&self, at: usize, word: &str) -> bool {
        for (k, c) in (at..).zip(word.chars()) {
            if k >= self.chars.len() || self.chars[k] != c || (k > at && !self.joined(k, 2)) {
                return false;
            }
        }
        true
    }
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// The dots of a domain, as people write them.
const DOTS: [char; 5] = ['.', '。', '．', '｡', '·'];

fn is_dot(between: &str) -> bool {
    between.contains(DOTS)
}

/// Finds contacts in a normalised text (`norm` with its positions) of the original `text`.
pub(crate) fn find(text: &str, norm: &str, pos: &[Pos], out: &mut Vec<Contact>) {
    let mut chars: Vec<char> = norm.chars().collect();
    // Digits as they are read out over a radio or a phone: 幺 is 1, and after a digit 两 is
    // 2, 拐 7, 勾 9, 洞 0 (`幺三八幺…`).
    for k in 0..chars.len() {
        let after_digit = k > 0 && chars[k - 1].is_ascii_digit();
        chars[k] = match chars[k] {
            '幺' => '1',
            '两' if after_digit => '2',
            '拐' if after_digit => '7',
            '勾' if after_digit => '9',
            '洞' if after_digit => '0',
            // The radical 匚 is drawn like a C (`DF518·匚匚` for `.cc`); prose hardly uses it.
            '匚' => 'c',
            c => c,
        };
    }
    let s = Stream { text, chars, pos };
    let n = s.chars.len();
    let mut taken = vec![false; n];
    // `body` is where the number, id or address itself starts, after its cue.
    let push = |out: &mut Vec<Contact>,
                taken: &mut Vec<bool>,
                kind,
                (start, body): (usize, usize),
                end: usize| {
        if taken[start..end].iter().any(|&t| t) {
            return;
        }
        taken[start..end].iter_mut().for_each(|t| *t = true);
        let disguised = s.disguised(kind, body, end);
        out.push(Contact {
            kind,
            start,
            end,
            disguised,
        });
    };

    // URLs, bare domains and e-mail addresses: a TLD after a dot (or 点 / dot), preceded by
    // a label.
    for k in 1..n {
        // Only where a dot, 点 or `dot` comes right before a letter can a TLD start.
        if !s.chars[k].is_ascii_lowercase()
            || !(is_dot(s.between(k)) || s.chars[k - 1] == '点' || s.chars[k - 1] == 't')
        {
            continue;
        }
        // The listed TLDs, then any other of the Public Suffix List (with more evidence).
        let (word, _) = s.letters_from(k);
        let other = (!TLDS.contains(&word.as_str()) && other_tld(&word)).then_some(word.as_str());
        for (tld, strict) in TLDS
            .iter()
            .map(|t| (*t, false))
            .chain(other.map(|t| (t, true)))
        {
            if !s.starts_with_at(k, tld) {
                continue;
            }
            let end = k + tld.chars().count();
            if end < n && is_label_char(s.chars[end]) && s.joined(end, 0) {
                continue; // `.community`, `.cnn`: not this TLD
            }
            // The name goes on past this label: a hyphen inside it (`www.sex-av.com`) or a
            // further top-level label (`app.cn`, `shop.com.cn`); a later TLD ends it.
            if end < n && is_label_char(s.chars[end]) && s.pos[end].gap != GAP_BREAK {
                let between = s.between(end);
                if between == "-" {
                    continue;
                }
                if is_dot(between) && between.chars().count() == 1 {
                    let (next, next_end) = s.letters_from(end);
                    let whole_label = next_end == n
                        || !is_label_char(s.chars[next_end])
                        || s.pos[next_end].gap != 0;
                    if whole_label
                        && (TLDS.contains(&next.as_str()) || other_tld(&next))
                        && !s.sentence_break_before(end, next_end)
                    {
                        continue;
                    }
                }
            }
            // The separator before the TLD: a dot in the original, or 点 / dot in the stream.
            let (label_end, ok) = if k > 0 && is_dot(s.between(k)) {
                (k, true)
            } else if k > 0 && s.chars[k - 1] == '点' && s.joined(k, 2) {
                (k - 1, true)
            } else if k >= 3 && s.starts_with_at(k - 3, "dot") {
                (k - 3, true)
            } else {
                (k, false)
            };
            if !ok || label_end == 0 {
                continue;
            }
            if label_end == k && s.sentence_break_before(k, end) {
                continue;
            }
            // The label(s) before: letters and digits, dots between labels allowed.
            if !(is_label_char(s.chars[label_end - 1]) && s.joined(label_end, 2)) && label_end != k
            {
                continue;
            }
            let spaced_dot = label_end == k && {
                let before_tld = s.between(k);
                before_tld.starts_with(' ') && before_tld.ends_with(' ')
            };
            let mut start = label_end;
            let mut labels = 1;
            while start > 0 && is_label_char(s.chars[start - 1]) {
                // Within a label characters touch or stand either side of a hyphen
                // (`wx-qq.xyz`); between labels stands a dot.
                if start < label_end {
                    let dot = is_dot(s.between(start));
                    // Written out with spaces around its dot, a name may be spaced out
                    // letter by letter too (`８ １ ９ ６ · Ｃ Ｃ`).
                    let spaced = spaced_dot
                        && s.between(start).chars().count() <= 2
                        && s.between(start).chars().all(|c| c == ' ');
                    // Punycode puts two hyphens after its `xn` (`xn--8mr619f`).
                    let punycode = s.between(start) == "--"
                        && start >= 2
                        && s.chars[start - 2..start] == ['x', 'n'];
                    if !(s.pos[start].gap == 0
                        || s.between(start) == "-"
                        || punycode
                        || spaced
                        || (dot && !s.sentence_break_before(start, label_end)))
                    {
                        break;
                    }
                    labels += usize::from(dot);
                }
                start -= 1;
            }
            if start == label_end {
                continue;
            }
            let mut kind = ContactKind::Url;
            // `name@domain`: extend back over the local part.
            if start > 0 && s.between(start).contains(['@', '＠']) {
                let mut local = start;
                while local > 0
                    && is_label_char(s.chars[local - 1])
                    && (local == start || s.joined(local, 1))
                {
                    local -= 1;
                }
                if local < start {
                    start = local;
                    kind = ContactKind::Email;
                }
            }
            let host_start = start;
            // `http://`, `https://`, `www.` before the label belong to the URL.
            let mut prefixed = false;
            for prefix in ["https", "http", "www"] {
                let len = prefix.len();
                if kind == ContactKind::Url && start >= len && s.starts_with_at(start - len, prefix)
                {
                    start -= len;
                    prefixed = true;
                    break;
                }
            }
            prefixed |= s.chars[host_start..label_end].starts_with(&['w', 'w', 'w']);
            // The port, path and query belong to it too (`wx-qq.xyz/accnc9?a=1`).
            let mut end = end;
            let mut path = false;
            if kind == ContactKind::Url {
                while end < n && is_label_char(s.chars[end]) && s.pos[end].gap != GAP_BREAK {
                    let between = s.between(end);
                    let url_punct = |c: char| "/?=&%#.:_-~+".contains(c);
                    let step = if path {
                        between.is_empty() || (between.len() <= 3 && between.chars().all(url_punct))
                    } else {
                        // `?` right after a name is more often a question than a query
                        // (`A.sex?A`); a query follows a path.
                        between.starts_with(['/', ':'])
                            && between.len() <= 3
                            && between.chars().all(url_punct)
                    };
                    if !step {
                        break;
                    }
                    path = true;
                    end += 1;
                }
            }
            if strict && kind == ContactKind::Url {
                let host = s.host(host_start, k + tld.len());
                let short = SHORT_LINK_HOSTS.iter().any(|h| {
                    host.strip_suffix(h)
                        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
                });
                // Three labels with the TLD: `10860.pt5jf.pw`.
                if !(prefixed || path || labels >= 2 || short) {
                    continue;
                }
            }
            if kind == ContactKind::Url {
                let host = s.host(host_start, k + tld.len());
                if let Some(&(_, messenger)) = MESSENGER_LINK_HOSTS.iter().find(|(h, _)| {
                    host.strip_suffix(h)
                        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
                }) {
                    kind = messenger;
                }
            }
            let before = out.len();
            push(out, &mut taken, kind, (start, start), end);
            // `abc dot com` spells its dot out in letters, which `disguised` reads as a label.
            if label_end + 3 == k && out.len() > before {
                out[before].disguised = true;
            }
        }
    }

    // Digit runs: maximal runs of digits joined by at most two noise characters.
    let mut k = 0;
    while k < n {
        if !s.chars[k].is_ascii_digit() || taken[k] {
            k += 1;
            continue;
        }
        let start = k;
        let mut end = k + 1;
        while end < n && s.chars[end].is_ascii_digit() && s.joined(end, 2) && !taken[end] {
            end += 1;
        }
        let end = s.grouped_number_end(start, end, &taken);
        // A digit glued to letters (`a1234567b`) belongs to a word, not a number.
        let glued = |i: usize| s.chars[i].is_ascii_lowercase();
        let glued_before = start > 0 && glued(start - 1) && s.joined(start, 0);
        let glued_after = end < n && glued(end) && s.joined(end, 0);
        let digits: String = s.chars[start..end]
            .iter()
            .filter(|c| c.is_ascii_digit())
            .collect();
        let len = digits.len();
        let cue_before = |cues: &[&str]| -> Option<usize> {
            // A cue ending at most two characters (号, 是, 码) before the run.
            (0..=2).find_map(|skip| {
                let cue_end = start.checked_sub(skip)?;
                // What stands between is a word (号, 是, 码), not the rest of an id
                // (`b7qkn26003` holds no QQ cue).
                if s.chars[cue_end..start]
                    .iter()
                    .any(char::is_ascii_alphanumeric)
                {
                    return None;
                }
                cues.iter().find_map(|c| {
                    let cue_start = cue_end.checked_sub(c.chars().count())?;
                    // A Latin cue starts a word: `Q3004962175`, not `faq 12345`.
                    let word_start = !c.starts_with(|l: char| l.is_ascii_lowercase())
                        || cue_start == 0
                        || !s.chars[cue_start - 1].is_ascii_lowercase()
                        || !s.joined(cue_start, 0);
                    (word_start && s.starts_with_at(cue_start, c)).then_some(cue_start)
                })
            })
        };
        let mobile =
            (len == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9'))
                || (len == 13
                    && digits.starts_with("861")
                    && matches!(digits.as_bytes()[3], b'3'..=b'9'));
        let bare_wechat = start > 0
            && BARE_WECHAT_CUES.contains(&s.chars[start - 1])
            && s.joined(start, 2)
            && only_marks(s.between(start));
        if let Some(cue) = cue_before(WECHAT_CUES).filter(|_| len >= 6) {
            push(out, &mut taken, ContactKind::Wechat, (cue, start), end);
        } else if mobile && !glued_before && !glued_after {
            push(out, &mut taken, ContactKind::Mobile, (start, start), end);
        } else if bare_wechat && (6..=12).contains(&len) && !glued_after {
            push(
                out,
                &mut taken,
                ContactKind::Wechat,
                (start - 1, start),
                end,
            );
        } else if let Some(cue) = cue_before(QQ_CUES).filter(|_| (5..=11).contains(&len)) {
            push(out, &mut taken, ContactKind::Qq, (cue, start), end);
        } else if start > 0
            && s.chars[start - 1] == '扣'
            && (5..=11).contains(&len)
            && s.joined(start, 3)
            && (s.between(start).contains(['-', '—', '―', ':', '：', '【'])
                || (s.joined(start, 0)
                    && (len >= 8 || start > 1 && ASKING_BEFORE_KOU.contains(s.chars[start - 2]))
                    && !(end < n && s.joined(end, 0) && AMOUNT_UNITS.contains(s.chars[end]))))
        {
            // 扣 alone is QQ only with a mark before the number (`【扣--618223】`), or glued to
            // it when the number is no amount: as long as a QQ number (`咨询扣3432279257`) or
            // after a verb of asking (`加扣618223`), and no unit after it. 扣 is also a
            // deduction (`扣100000元`, `加扣10分`).
            push(out, &mut taken, ContactKind::Qq, (start - 1, start), end);
        }
        k = end;
    }

    // WeChat ids after a cue: a letter, then 5–19 letters or digits.
    for k in 0..n {
        if !matches!(
            s.chars[k],
            '微' | '薇' | '威' | '徽' | '维' | 'v' | 'w' | '加' | '卫'
        ) {
            continue;
        }
        for cue in WECHAT_CUES {
            if !s.starts_with_at(k, cue) {
                continue;
            }
            let mut id = k + cue.chars().count();
            // Fillers between the cue and the id: 号, 是, 码, ：
            while id < n && matches!(s.chars[id], '号' | '是' | '码') {
                id += 1;
            }
            if id >= n || !s.chars[id].is_ascii_lowercase() || !s.joined(id, 3) {
                continue;
            }
            let mut end = id + 1;
            while end < n && is_label_char(s.chars[end]) && s.joined(end, 1) {
                end += 1;
            }
            if (6..=20).contains(&(end - id)) {
                push(out, &mut taken, ContactKind::Wechat, (k, id), end);
            }
        }
    }

    // Ids after a marked 微 or 薇 alone, and after the other messengers' cues.
    for k in 0..n {
        if BARE_WECHAT_CUES.contains(&s.chars[k]) {
            // Glued to it or after a mark (`薇87O9.55I8`, `微：abc2779`), not across a space.
            if let Some(end) = s.id_after(k + 1, 6..=20, false) {
                push(out, &mut taken, ContactKind::Wechat, (k, k + 1), end);
            }
            continue;
        }
        for &(cue, kind, marked) in MESSENGER_CUES {
            if !s.starts_with_at(k, cue) {
                continue;
            }
            // A Latin cue is a word of its own: not the end of `dialogline`.
            let latin = cue.starts_with(|c: char| c.is_ascii_lowercase());
            if latin && k > 0 && s.chars[k - 1].is_ascii_lowercase() && s.joined(k, 0) {
                continue;
            }
            // 赖 ends words too (信赖, 依赖): `值得信赖10000家企业` names no LINE id.
            if cue == "赖" && k > 0 && WORDS_ENDING_IN_LAI.contains(s.chars[k - 1]) {
                break;
            }
            // Telegram names have 5 characters or more; LINE ids 4, but 4 digits are a year.
            let range = if kind == ContactKind::Telegram {
                5..=32
            } else {
                4..=20
            };
            let id = k + cue.chars().count();
            let found = s.id_after(id, range.clone(), marked).map(|end| (id, end));
            let found = found.or_else(|| {
                let word = FIND_WORDS.iter().find(|w| s.starts_with_at(id, w))?;
                let id = id + word.chars().count();
                s.id_after(id, range, true).map(|end| (id, end))
            });
            if let Some((id, end)) = found {
                push(out, &mut taken, kind, (k, id), end);
            }
            break;
        }
    }
    out.sort_by_key(|c| c.start);
}
