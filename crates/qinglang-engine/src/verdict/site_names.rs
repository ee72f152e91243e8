//! Where a betting site's name stands: glued to its site's code (`3044am`, `4688美高梅`),
//! or where a school's or a public body's name stood in its cloned news (REV-5, REV-4).

/// The lexicon family of betting platforms' names in their promotion's forms (…官网, …平台,
/// …集团, …体育): `gambling/gambling_promotion`.
pub(super) const PLATFORM_FAMILY: &str = "gambling_promotion";

/// Whether a betting site's code touches the span `start..end` of `line`, directly or across
/// one space: letters and digits together (`3044am`, `tyc234cc`, at least four characters
/// with both); or, written right before the name, the digits of the site's address
/// (`4688美高梅`, `77779193永利`: three or more). A bare number after a name (`澳门2024`), a
/// year before one (`2024永利`) or a number with a space is a date or a count, not a code.
pub(super) fn glued_site_code(line: &str, start: usize, end: usize) -> bool {
    let is_code = |(run, spaced): (&str, bool), before: bool| {
        let letters = run.bytes().any(|b| b.is_ascii_alphabetic());
        let digits = run.bytes().any(|b| b.is_ascii_digit());
        let mixed = run.len() >= 4 && letters && digits;
        let year = run.len() == 4 && matches!(run.parse::<u32>(), Ok(1900..=2099));
        let address = before && !spaced && digits && !letters && run.len() >= 3 && !year;
        mixed || address
    };
    is_code(touching(&line[..start], true), true) || is_code(touching(&line[end..], false), false)
}

/// What only a school, a university or a public body has, written right after its name in
/// its own news: its Party and Youth League committees, its staff and students, its intake
/// (`2014级新生`). A betting site's name there stands where the institution's stood
/// (`澳门蒙特卡罗游戏官网党委书记`, `必威2014级新生开学典礼`, seo-dev and the fresh sets).
const INSTITUTION_WORDS: &[&str] = &[
    "党委",
    "党总支",
    "党支部",
    "团委",
    "教工",
    "师生",
    "学子",
    "新生",
    "本科生",
    "研究生",
    "毕业生",
    "畢業生",
    "领导班子",
    "开学典礼",
    "毕业典礼",
];

/// What an institution does, as its news says it: a website, however official, does none of
/// it (`…官方网站举行第十二届教职工运动会`, `…官网组织了多位教职员工`), so a site's own
/// word there stands where the institution's name stood (seo-fresh4). Simplified and
/// traditional: the line is read as written.
const INSTITUTION_ACTS: &[&str] = &[
    "举行",
    "舉行",
    "举办",
    "舉辦",
    "组织",
    "組織",
    "开展",
    "開展",
    "召开",
    "召開",
    "学生会",
    "學生會",
    "教职工",
    "教職工",
    "教职员工",
    "教職員工",
    "荣获",
    "榮獲",
    "隆重",
];

/// A website's own words among the gambling cues, as the end of a cue (`体育官方网站`,
/// `娱乐官网` are cues of their own).
const WEBSITE_CUES: &[&str] = &["官网", "官方网站", "官方平台", "入口"];

/// What a site's name carries after its website word in a clone (`…官网app在…召开`,
/// `…官网登录入口第一届教职工…`); skipped before the institution's words are looked for.
const SITE_SUFFIXES: &[&str] = &["登录入口", "登錄入口", "入口", "登录", "登錄", "app"];

/// People only an institution has, after a website's name and `的` (`…官方网站的同学们`) or
/// right after it: a website has users, not students.
const INSTITUTION_PEOPLE: &[&str] = &[
    "同学",
    "同學",
    "学生",
    "學生",
    "毕业生",
    "畢業生",
    "校友",
    "教师",
    "教師",
    "老师",
    "老師",
    "教职工",
    "教職工",
    "志愿者",
    "志願者",
    "志愿服务",
    "志願服務",
];

/// What ends the name of a school or a public body, or points back to one (`学校官网`,
/// `教育局官网`, `本网站`, `其官网`): its own site is ordinary news (`学校官网于今日公布`).
const OWN_SITE_BEFORE: &str =
    "校院学學会會局部委厅廳所馆館站心府司处處室科系组組社网網本该該此其我贵貴的";

/// How a school's name ends.
const SCHOOL_NAME_ENDS: &[&str] = &[
    "小学", "小學", "中学", "中學", "大学", "大學", "学院", "學院", "学校", "學校",
];

/// Places among the gambling cues: their own schools and people are ordinary news
/// (`澳门学子`, `金沙师生`).
const PLACE_CUES: &[&str] = &["澳门", "金沙", "威尼斯", "银河"];

/// Whether the text `after` a gambling name (`term`, as the lexicon writes it; `before` is
/// the text before it) begins with an institution's own words ([`INSTITUTION_WORDS`]) or a
/// year's intake (`2014级`, `2017届`); or, for a name ending in a website's words, what only
/// an institution does or has ([`website_heads_an_institution`]).
pub(crate) fn heads_an_institution(term: &str, before: &str, after: &str) -> bool {
    if PLACE_CUES.contains(&term) {
        return false;
    }
    if WEBSITE_CUES.iter().any(|w| term.ends_with(w))
        && website_heads_an_institution(term, before, after)
    {
        return true;
    }
    let after = after.trim_start();
    // Nearly every cue is followed by something else: one look at the next character.
    let next = after.chars().next();
    let begins_one =
        |c: char| c.is_ascii_digit() || INSTITUTION_WORDS.iter().any(|w| w.starts_with(c));
    if !next.is_some_and(begins_one) {
        return false;
    }
    if INSTITUTION_WORDS.iter().any(|w| after.starts_with(w)) {
        return true;
    }
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    digits == 4 && after[4..].starts_with(['级', '届'])
}

/// Whether a cue is only a website's words (`官网`, `官方平台`, `官网入口`), with no name of
/// its own: the name must then stand right before it.
fn is_site_word(term: &str) -> bool {
    const PARTS: &[&str] = &["官方", "官网", "网站", "平台", "入口", "登录", "app"];
    let mut rest = term;
    while let Some(part) = PARTS.iter().find(|p| rest.ends_with(*p)) {
        rest = &rest[..rest.len() - part.len()];
    }
    rest.is_empty()
}

/// A site's name where an institution's stood: a website, however official, holds no
/// meetings, has no students and wins no awards (`…官方网站举行第十二届教职工运动会`,
/// `…官网组织了多位教职员工`, `…官网app在报告厅召开…`, `…官方网站的同学们`;
/// seo-fresh3 and seo-fresh4). A site's own name before it (a school's, a bureau's, `本网站`)
/// is ordinary news: a school's site publishes, and the school acts.
fn website_heads_an_institution(term: &str, before: &str, after: &str) -> bool {
    // A name must stand before a bare website word, and not a school's or a body's.
    let named = before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() && !OWN_SITE_BEFORE.contains(c));
    if is_site_word(term) && !named {
        return false;
    }
    let mut rest = after.trim_start();
    for suffix in SITE_SUFFIXES {
        if rest
            .get(..suffix.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(suffix))
        {
            rest = rest[suffix.len()..].trim_start();
            break;
        }
    }
    // `第一届教职工台球比赛`: the institution's count of its own events.
    if let Some(r) = rest.strip_prefix('第') {
        let count = r
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || "一二三四五六七八九十百".contains(c)))
            .map_or(r.len(), |(i, _)| i);
        if count > 0 && r[count..].starts_with(['届', '屆']) {
            rest = &r[count + '届'.len_utf8()..];
        }
    }
    let starts = |words: &[&str], s: &str| words.iter().any(|w| s.starts_with(w));
    if starts(INSTITUTION_WORDS, rest)
        || starts(INSTITUTION_ACTS, rest)
        || starts(INSTITUTION_PEOPLE, rest)
    {
        return true;
    }
    if let Some(r) = rest.strip_prefix('的') {
        return starts(INSTITUTION_PEOPLE, r) || starts(INSTITUTION_WORDS, r);
    }
    // `…官方平台和平中心小学举办…`: a school's name, then what it does.
    if let Some(school) = rest
        .char_indices()
        .take(10)
        .take_while(|&(_, c)| c.is_alphanumeric())
        .find_map(|(i, _)| {
            SCHOOL_NAME_ENDS
                .iter()
                .find(|e| rest[i..].starts_with(*e))
                .map(|e| i + e.len())
        })
    {
        if starts(INSTITUTION_ACTS, &rest[school..]) {
            return true;
        }
    }
    // `…官网app在致知楼六层报告厅召开…`: where it acts, then the act, within one clause.
    if let Some(r) = rest.strip_prefix(['在', '于', '於']) {
        return r
            .char_indices()
            .take(16)
            .take_while(|&(_, c)| c.is_alphanumeric())
            .any(|(i, _)| starts(INSTITUTION_ACTS, &r[i..]));
    }
    false
}

/// The letters and digits touching a name on one side (`side` is the text before it when
/// `before`, after it otherwise), across at most one space; and whether a space stood between.
fn touching(side: &str, before: bool) -> (&str, bool) {
    let near = if before {
        side.trim_end_matches(' ')
    } else {
        side.trim_start_matches(' ')
    };
    let spaces = side.len() - near.len();
    if spaces > 1 {
        return ("", true);
    }
    let run = if before {
        let from = near
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric())
            .last()
            .map_or(near.len(), |(i, _)| i);
        &near[from..]
    } else {
        let to = near
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(near.len());
        &near[..to]
    };
    (run, spaces == 1)
}
