//! `qinglang lexicon build`: the default lexicon, rebuilt from the raw houbb word lists and
//! checked against clean text, with a report of everything dropped or demoted and why.
//!
//! The raw list is noisy: matched naively it flags a fifth of encyclopedia sentences. The
//! curation keeps what is specific, demotes what is merely topical, and drops what is
//! ordinary language, politics (operators bring their own) or uncategorised.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use qinglang_engine::{Action, Engine, Entry, Lexicon, Scratch};
use qinglang_text::Normalizer;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Folder with houbb's sensitive_word_tags.txt and sensitive_word_allow.txt.
    #[arg(long, value_name = "DIR")]
    pub houbb: PathBuf,
    /// Clean text the lexicon must not block: a .csv with TEXT and label columns (rows with
    /// label 0 are used) or a text file with one sentence per line. Repeatable.
    #[arg(long = "clean", value_name = "FILE")]
    pub clean: Vec<PathBuf>,
    /// Ordinary words never to ship (one per line, `word<TAB>reason`).
    #[arg(long, value_name = "FILE")]
    pub ordinary: PathBuf,
    /// Topical words to ship as `review`, not `block` (one per line, `word<TAB>reason`).
    #[arg(long, value_name = "FILE")]
    pub review: PathBuf,
    /// A general vocabulary with frequencies (jieba's dict.txt: `word freq tag` per line):
    /// frequent words are ordinary language.
    #[arg(long, value_name = "FILE")]
    pub vocabulary: Option<PathBuf>,
    /// A term that is a vocabulary word at least this frequent is dropped.
    #[arg(long, default_value_t = 300)]
    pub vocabulary_drop: u64,
    /// A term that is a vocabulary word at least this frequent is demoted to review.
    #[arg(long, default_value_t = 30)]
    pub vocabulary_review: u64,
    /// A term that splits entirely into vocabulary words of two or more characters, each at
    /// least this frequent, is ordinary language and is demoted to review.
    #[arg(long, default_value_t = 100)]
    pub common_word_frequency: u64,
    /// A term found in at least this many clean texts is dropped; in fewer (but one or more)
    /// it is demoted to review.
    #[arg(long, default_value_t = 3)]
    pub drop_at: usize,
    /// Hand-curated entries in the lexicon format (cues, profanity, categories corrected),
    /// shipped as written after the generated ones; a generated term with the same
    /// normalised form is left out. Repeatable.
    #[arg(long = "add", value_name = "FILE")]
    pub add: Vec<PathBuf>,
    /// Where to write the lexicon.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Where to write the curation report (Markdown).
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
}

/// Why a raw term is not shipped as a block term.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Decision {
    Politics,
    SingleCharacter,
    Duplicate,
    Ordinary(String),
    Topical(String),
    CleanHits {
        docs: usize,
        example: String,
    },
    ShortLatin,
    Vocabulary(u64),
    DateDay,
    /// A date such as 6月4日: dates are ordinary, and the ones in the raw list are political.
    Date,
    /// Made entirely of common words (each at least this frequent): ordinary language.
    CommonWords(String),
    DigitsOnly,
    /// Count of untagged terms without an unmistakable category (the term field holds it).
    UntaggedDropped,
}

pub fn run(args: &BuildArgs) -> Result<()> {
    let normalizer = Normalizer::new();
    let tags_path = args.houbb.join("sensitive_word_tags.txt");
    let tags = fs::read_to_string(&tags_path)
        .with_context(|| format!("cannot read {}", tags_path.display()))?;
    let allow_path = args.houbb.join("sensitive_word_allow.txt");
    let allow_text = fs::read_to_string(&allow_path)
        .with_context(|| format!("cannot read {}", allow_path.display()))?;
    let ordinary = read_word_list(&args.ordinary, &normalizer)?;
    let topical = read_word_list(&args.review, &normalizer)?;
    let vocabulary = match &args.vocabulary {
        Some(path) => read_vocabulary(path, &normalizer)?,
        None => HashMap::new(),
    };
    let mut clean = Vec::new();
    for path in &args.clean {
        clean.extend(read_clean(path)?);
    }
    if clean.is_empty() {
        bail!("no clean text given (--clean FILE): the lexicon cannot be checked");
    }

    // term → (category, action); kept in input order for a stable output.
    let mut kept: Vec<(String, &'static str, Action)> = Vec::new();
    let mut raw_count = 0usize;
    let mut screen = Screen {
        args,
        ordinary: &ordinary,
        topical: &topical,
        vocabulary: &vocabulary,
        seen: HashSet::new(),
        pinned: HashSet::new(),
        decisions: Vec::new(),
    };
    for (n, line) in tags.lines().enumerate() {
        let line = line.trim_end_matches('\r').trim_start_matches('\u{FEFF}');
        if line.trim().is_empty() {
            continue;
        }
        let Some((term, tag_field)) = line.rsplit_once(' ') else {
            bail!("{}:{}: expected `term tags`", tags_path.display(), n + 1);
        };
        raw_count += 1;
        let term = term.trim().to_owned();
        let tags: Vec<&str> = tag_field.split(',').map(str::trim).collect();
        if tags.contains(&"0") {
            screen.decisions.push((term, Decision::Politics));
            continue;
        }
        let form = normalizer.normalize_str(&term);
        if let Some(action) = screen.judge(&term, &form, true) {
            kept.push((term, category_of(&tags, &form), action));
        }
    }
    // houbb's untagged dictionary terms carry no category and include politics; only those
    // that name their category unmistakably are taken, the rest are dropped.
    let dict_path = args.houbb.join("sensitive_word_dict.txt");
    let dict = fs::read_to_string(&dict_path)
        .with_context(|| format!("cannot read {}", dict_path.display()))?;
    let tagged: HashSet<&str> = tags
        .lines()
        .filter_map(|l| l.rsplit_once(' ').map(|(t, _)| t.trim()))
        .collect();
    let mut untagged_dropped = 0usize;
    for line in dict.lines() {
        let term = line.trim().trim_start_matches('\u{FEFF}');
        if term.is_empty() || tagged.contains(term) {
            continue;
        }
        raw_count += 1;
        let form = normalizer.normalize_str(term);
        let Some(category) = untagged_category(&form) else {
            untagged_dropped += 1;
            continue;
        };
        if let Some(action) = screen.judge(term, &form, false) {
            kept.push((term.to_owned(), category, action));
        }
    }
    let Screen {
        mut decisions,
        pinned,
        ..
    } = screen;
    decisions.push((untagged_dropped.to_string(), Decision::UntaggedDropped));

    let allow: Vec<String> = allow_text
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{FEFF}').to_owned())
        .filter(|l| !l.is_empty())
        .collect();

    // Check against clean text until nothing more changes: dropping a long term can uncover
    // a shorter one that leftmost-longest matching used to hide.
    let mut rounds = 0;
    loop {
        rounds += 1;
        let engine = compile(&kept, &allow)?;
        let counts = clean_hits(&engine, &clean);
        let mut changed = false;
        let mut next = Vec::with_capacity(kept.len());
        for (term, category, action) in kept {
            if pinned.contains(&term) {
                next.push((term, category, action));
                continue;
            }
            match counts.get(term.as_str()) {
                Some((docs, example)) if *docs >= args.drop_at => {
                    decisions.push((
                        term,
                        Decision::CleanHits {
                            docs: *docs,
                            example: example.clone(),
                        },
                    ));
                    changed = true;
                }
                Some((docs, example)) if action == Action::Block => {
                    decisions.push((
                        term.clone(),
                        Decision::CleanHits {
                            docs: *docs,
                            example: example.clone(),
                        },
                    ));
                    next.push((term, category, Action::Review));
                    changed = true;
                }
                _ => next.push((term, category, action)),
            }
        }
        kept = next;
        if !changed || rounds >= 6 {
            break;
        }
    }

    // Hand-curated entries replace generated ones of the same form (小日本 is a slur, not
    // porn; 日结 alone is ordinary, 刷单 is fraud).
    let mut added: Vec<(String, Lexicon)> = Vec::new();
    let mut added_forms: HashSet<String> = HashSet::new();
    for path in &args.add {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let lexicon = Lexicon::parse(&path.display().to_string(), &text)?;
        for entry in lexicon.entries() {
            added_forms.insert(normalizer.normalize_str(&entry.term));
        }
        added.push((text, lexicon));
    }
    let replaced = kept.len();
    kept.retain(|(term, _, _)| !added_forms.contains(&normalizer.normalize_str(term)));
    let replaced = replaced - kept.len();

    let families = inherit_families(&kept, &added, &normalizer);
    write_lexicon(
        &args.out, &kept, &families, &allow, raw_count, &args.add, &added,
    )?;
    write_report(
        &args.report,
        args,
        &kept,
        &decisions,
        raw_count,
        clean.len(),
        rounds,
    )?;
    let blocks = kept.iter().filter(|k| k.2 == Action::Block).count();
    let added_count: usize = added.iter().map(|(_, l)| l.len()).sum();
    crate::print_stdout(&format!(
        "wrote {}: {} terms ({} block, {} review, {} allow) from {} raw, and {} hand-curated \
         ({} generated terms replaced); report in {}\n",
        args.out.display(),
        kept.len() + allow.len(),
        blocks,
        kept.len() - blocks,
        allow.len(),
        raw_count,
        added_count,
        replaced,
        args.report.display()
    ))
}

/// The rules every raw term goes through, tagged or not, with what they decided.
struct Screen<'a> {
    args: &'a BuildArgs,
    ordinary: &'a HashMap<String, String>,
    topical: &'a HashMap<String, String>,
    vocabulary: &'a HashMap<String, u64>,
    /// Normalised forms already taken.
    seen: HashSet<String>,
    /// Topical words stay as review whatever the clean text says: they name the category.
    pinned: HashSet<String>,
    decisions: Vec<(String, Decision)>,
}

impl Screen<'_> {
    /// The action to ship `term` (normalised `form`) with, or `None` when it is dropped; the
    /// reason is recorded either way. Tagged terms get the extra checks for short Latin,
    /// digit-only and 日 terms (untagged ones are kept only by category keywords anyway).
    fn judge(&mut self, term: &str, form: &str, tagged: bool) -> Option<Action> {
        let mut decide = |d: Decision| self.decisions.push((term.to_owned(), d));
        if form.chars().count() < 2 {
            decide(Decision::SingleCharacter);
            return None;
        }
        if !self.seen.insert(form.to_owned()) {
            decide(Decision::Duplicate);
            return None;
        }
        if let Some(reason) = self.ordinary.get(form) {
            decide(Decision::Ordinary(reason.clone()));
            return None;
        }
        if is_date(form) {
            decide(Decision::Date);
            return None;
        }
        let args = self.args;
        let frequency = self.vocabulary.get(form).copied().unwrap_or(0);
        if frequency >= args.vocabulary_drop && !self.topical.contains_key(form) {
            decide(Decision::Vocabulary(frequency));
            return None;
        }
        let decision = if let Some(reason) = self.topical.get(form) {
            self.pinned.insert(term.to_owned());
            Decision::Topical(reason.clone())
        } else if tagged && form.bytes().all(|b| b.is_ascii_alphanumeric()) && form.len() <= 3 {
            Decision::ShortLatin
        } else if tagged && form.bytes().all(|b| b.is_ascii_digit()) {
            Decision::DigitsOnly
        } else if frequency >= args.vocabulary_review {
            Decision::Vocabulary(frequency)
        } else if let Some(split) = common_words(form, self.vocabulary, args.common_word_frequency)
        {
            Decision::CommonWords(split)
        } else if tagged
            && form.chars().count() <= 3
            && (form.starts_with('日') || form.ends_with('日'))
        {
            // 日 is the vulgar verb in these terms, and the day of every date in prose
            // (`15日他去了`): too short to tell apart.
            Decision::DateDay
        } else {
            return Some(Action::Block);
        };
        self.decisions.push((term.to_owned(), decision));
        Some(Action::Review)
    }
}

/// What names sexual content: an untagged term with one of these is `porn`, and a tagged
/// insult with one stays `porn`.
const SEXUAL: &[&str] = &[
    "毛片",
    "黄片",
    "a片",
    "色情",
    "淫",
    "穴",
    "屄",
    "屌",
    "乱伦",
    "口交",
    "肛交",
    "援交",
    "做爱",
    "性爱",
    "性交",
    "裸聊",
    "裸体",
    "自慰",
    "阴道",
    "阴茎",
    "阴户",
    "阴唇",
    "阴蒂",
    "乳房",
    "乳头",
    "奶子",
    "鸡巴",
    "精液",
    "射精",
    "高潮",
    "嫖",
    "妓",
    "约炮",
    "一夜情",
    "春宫",
    "av女优",
    "无码",
    "三级片",
    "成人电影",
    "成人视频",
    "成人网",
    "情色",
    "调教",
    "强奸",
    "迷奸",
    "轮奸",
    "诱奸",
    "爱液",
    "骚",
    "浪女",
    "龟头",
    "porn",
    "sex",
];

/// Insults and oaths. houbb tags many of them porn (他奶奶的, 去他妈, 你妈逼); without
/// sexual content they are `abuse` (ECO Art. 6(10), REV-2): a moderator reading the
/// verdict sees an insult as an insult.
const INSULTS: &[&str] = &[
    "你娘",
    "你老母",
    "妳老母",
    "祖宗",
    "妈逼",
    "妈b",
    "妈比",
    "操蛋",
    "贱逼",
    "2逼",
    "二逼",
    "白痴",
    "他妈",
    "她妈",
    "你妈",
    "妈的",
    "奶奶的",
    "傻逼",
    "傻b",
    "煞笔",
    "逼样",
    "王八蛋",
    "王8蛋",
    "狗日",
    "贱人",
    "尼玛",
    "特么",
    "滚蛋",
    "混蛋",
    "操你",
    "日你",
    "草泥马",
    "我操",
    "我日",
];

/// houbb tags: 0 politics, 1 drugs, 2 porn, 3 gambling, 4 illegal goods and services. The
/// specific tags win over the generic 4, which is refined by what the term names.
fn category_of(tags: &[&str], form: &str) -> &'static str {
    let has = |list: &[&str]| list.iter().any(|w| form.contains(w));
    if tags.contains(&"2") {
        // Beyond SEXUAL: words that are sexual next to an oath (妈妈的花心, 内射, 想日你),
        // the marks of a pirated erotic novel or site (风流史txt下载, 综合), and 生日 (生日你…
        // is no oath). 插 alone is an oath's verb too (插你妈); only its sexual uses count.
        const NOT_AN_INSULT: &[&str] = &[
            "插入",
            "插满",
            "插到",
            "插在",
            "插的",
            "插得",
            "插进",
            "想日",
            "没够",
            "综合",
            "肉棒",
            "奸",
            "乳",
            "性",
            "婊",
            "鸡",
            "射",
            "花心",
            "爽",
            "主人",
            "美丽",
            "风流",
            "txt",
            "小说",
            "下载",
            "电子书",
            "qq",
            "生日",
        ];
        // 屄 is 逼 in an oath (操你妈屄); read it so before asking whether the term is sexual.
        let oath = form.replace('屄', "逼");
        let sexual = SEXUAL.iter().chain(NOT_AN_INSULT).any(|w| oath.contains(w));
        return if has(INSULTS) && !sexual {
            "abuse"
        } else {
            "porn"
        };
    }
    if tags.contains(&"3") {
        return "gambling";
    }
    if tags.contains(&"1") {
        return "drugs";
    }
    const WEAPONS: &[&str] = &[
        "枪", "弩", "气狗", "手狗", "步狗", "子弹", "弹药", "手雷", "炸药", "雷管", "qiang", "猎",
        "军刺", "砍刀", "匕首", "电击", "催泪", "麻醉",
    ];
    const FRAUD: &[&str] = &[
        "假币",
        "假钞",
        "假证",
        "办证",
        "证件",
        "发票",
        "代考",
        "替考",
        "答案",
        "试题",
        "作弊",
        "文凭",
        "学历",
        "身份证",
        "驾照",
        "证书",
        "假",
        "代开",
        "套现",
        "洗钱",
        "高仿",
    ];
    const PRIVACY: &[&str] = &[
        "数据", "资料", "监听", "定位", "窃听", "查询", "信息", "短信",
    ];
    if has(WEAPONS) {
        "weapons"
    } else if has(FRAUD) {
        "fraud"
    } else if has(PRIVACY) {
        "privacy"
    } else {
        "contraband"
    }
}

/// jieba's dict.txt: `word frequency part-of-speech` per line.
/// `6月4日`, `5月35`, `12月`: a date once numerals are folded.
fn is_date(form: &str) -> bool {
    let chars: Vec<char> = form.chars().collect();
    chars
        .iter()
        .enumerate()
        .any(|(i, &c)| (c == '月' || c == '年') && i > 0 && chars[i - 1].is_ascii_digit())
        && chars
            .iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, '月' | '日' | '号' | '年'))
}

/// Splits `form` into vocabulary words of two or more characters, each at least `min_freq`
/// frequent; returns the split (`2个 妈妈`) when one exists.
///
/// Only terms with a digit are considered: those are where folding numerals (`两个妈妈` →
/// `2个妈妈`, `一千一夜` → `1千1夜`) turns ordinary phrases into matches. Phrases of
/// common words without digits (`买卖婴儿`, `个人身份信息出售`) are what the list is for.
fn common_words(form: &str, vocabulary: &HashMap<String, u64>, min_freq: u64) -> Option<String> {
    let chars: Vec<char> = form.chars().collect();
    let n = chars.len();
    if n < 4 || !chars.iter().any(char::is_ascii_digit) {
        return None;
    }
    // best[i]: a split of chars[..i], as the start of its last word.
    let mut best: Vec<Option<usize>> = vec![None; n + 1];
    best[0] = Some(0);
    for end in 2..=n {
        for start in (0..=end - 2).rev() {
            if best[start].is_none() {
                continue;
            }
            let word: String = chars[start..end].iter().collect();
            if vocabulary.get(&word).is_some_and(|&f| f >= min_freq) {
                best[end] = Some(start);
                break;
            }
        }
    }
    best[n]?;
    let mut words = Vec::new();
    let mut end = n;
    while end > 0 {
        let start = best[end]?;
        words.push(chars[start..end].iter().collect::<String>());
        end = start;
    }
    words.reverse();
    // Longer phrases of common words are deliberate (`出售最新1手女性数据`).
    (words.len() <= 2).then(|| words.join(" "))
}

/// The category of an untagged term, only when the term names it unmistakably: porn,
/// gambling and drug vocabulary, or weapons and forged documents offered for sale.
fn untagged_category(form: &str) -> Option<&'static str> {
    const GAMBLING: &[&str] = &[
        "赌",
        "博彩",
        "六合彩",
        "6合彩",
        "时时彩",
        "百家乐",
        "娱乐城",
        "老虎机",
        "特码",
        "下注",
        "投注",
        "赌球",
        "牌九",
        "21点",
        "轮盘",
    ];
    const DRUGS: &[&str] = &[
        "冰毒",
        "海洛因",
        "k粉",
        "摇头丸",
        "麻古",
        "可卡因",
        "氯胺酮",
        "苯丙胺",
        "迷药",
        "迷幻",
        "催情",
        "春药",
        "迷魂",
        "听话水",
        "三唑仑",
        "ghb",
        "大麻",
        "鸦片",
        "吗啡",
        "杜冷丁",
        "毒品",
    ];
    const WEAPONS: &[&str] = &["枪", "弩", "子弹", "炸药", "雷管", "手雷", "气狗"];
    const FORGED: &[&str] = &["假币", "假钞", "假证", "办证", "代开发票", "代考", "替考"];
    const TRADE: &[&str] = &[
        "出售", "售", "买", "卖", "供应", "批发", "销售", "订购", "价格", "专卖", "直销", "提供",
        "qq", "网购", "代",
    ];
    let has = |list: &[&str]| list.iter().any(|w| form.contains(w));
    if has(SEXUAL) {
        Some("porn")
    } else if has(GAMBLING) {
        Some("gambling")
    } else if has(DRUGS) {
        Some("drugs")
    } else if has(WEAPONS) && has(TRADE) {
        Some("weapons")
    } else if has(FORGED) {
        Some("fraud")
    } else {
        None
    }
}

fn read_vocabulary(path: &Path, normalizer: &Normalizer) -> Result<HashMap<String, u64>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut words: HashMap<String, u64> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split(' ');
        let (Some(word), Some(freq)) = (fields.next(), fields.next()) else {
            bail!(
                "{}:{}: expected `word frequency tag`",
                path.display(),
                n + 1
            );
        };
        let freq: u64 = freq
            .parse()
            .with_context(|| format!("{}:{}: bad frequency {freq:?}", path.display(), n + 1))?;
        let e = words.entry(normalizer.normalize_str(word)).or_default();
        *e = (*e).max(freq);
    }
    Ok(words)
}

fn read_word_list(path: &Path, normalizer: &Normalizer) -> Result<HashMap<String, String>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut words = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, reason) = line.split_once('\t').unwrap_or((line, ""));
        let form = normalizer.normalize_str(word.trim());
        if form.is_empty() {
            bail!(
                "{}:{}: {:?} has nothing to match",
                path.display(),
                n + 1,
                word
            );
        }
        words.insert(form, reason.trim().to_owned());
    }
    Ok(words)
}

/// Clean texts from a COLD-style CSV (label 0 rows) or a one-sentence-per-line file.
pub fn read_clean(path: &Path) -> Result<Vec<String>> {
    if path.extension().is_some_and(|e| e == "csv") {
        let rows = crate::data::read_labelled_csv(path)?;
        Ok(rows
            .into_iter()
            .filter(|r| r.label == "0")
            .map(|r| r.text)
            .collect())
    } else {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect())
    }
}

fn compile(kept: &[(String, &'static str, Action)], allow: &[String]) -> Result<Engine> {
    let mut entries: Vec<Entry> = kept
        .iter()
        .enumerate()
        .map(|(i, (term, category, action))| Entry {
            term: term.as_str().into(),
            category: (*category).into(),
            subcategory: None,
            action: *action,
            line: i as u32 + 1,
        })
        .collect();
    entries.extend(allow.iter().map(|t| Entry {
        term: t.as_str().into(),
        category: "custom".into(),
        subcategory: None,
        action: Action::Allow,
        line: 0,
    }));
    Ok(Engine::builder()
        .lexicon(Lexicon::from_entries("candidate", entries))
        .build()?)
}

/// Per term: how many clean texts it hits, and the first such text.
fn clean_hits<'e>(engine: &'e Engine, clean: &[String]) -> HashMap<&'e str, (usize, String)> {
    let mut counts: HashMap<&str, (usize, String)> = HashMap::new();
    let mut scratch = Scratch::default();
    for text in clean {
        let mut terms: Vec<&str> = engine
            .find_hits(text, &mut scratch)
            .iter()
            .map(|h| h.term())
            .collect();
        terms.sort_unstable();
        terms.dedup();
        for term in terms {
            let e = counts.entry(term).or_insert_with(|| (0, text.clone()));
            e.0 += 1;
        }
    }
    counts
}

/// The illegal-service categories whose generated terms may inherit a family.
const FAMILY_CATEGORIES: &[&str] = &["fraud", "gambling", "porn", "contraband"];

/// For each kept (generated) term of an illegal-service category, the category and family
/// of the longest hand-curated family term it contains (`qq专业代开发票` holds 代开发票,
/// `fraud/fake_documents`): the family vocabulary is written once, and houbb's thousands of
/// variants of it are labelled alike. The family's category wins (houbb files many gambling
/// terms under contraband).
fn inherit_families(
    kept: &[(String, &'static str, Action)],
    added: &[(String, Lexicon)],
    normalizer: &Normalizer,
) -> Vec<Option<(String, String)>> {
    let mut keys: Vec<(String, &str, &str)> = added
        .iter()
        .flat_map(|(_, l)| l.entries())
        .filter(|e| matches!(e.action, Action::Block | Action::Review))
        .filter_map(|e| {
            let family = e.subcategory.as_deref()?;
            Some((normalizer.normalize_str(&e.term), &*e.category, family))
        })
        .filter(|(form, _, _)| form.chars().count() >= 2)
        .collect();
    // Longest first, so that the most specific family term decides.
    keys.sort_by_key(|k| std::cmp::Reverse(k.0.chars().count()));
    kept.iter()
        .map(|(term, category, _)| {
            if !FAMILY_CATEGORIES.contains(category) {
                return None;
            }
            let form = normalizer.normalize_str(term);
            keys.iter()
                .find(|(key, _, _)| form.contains(key.as_str()))
                .map(|(_, c, f)| ((*c).to_owned(), (*f).to_owned()))
        })
        .collect()
}

fn write_lexicon(
    path: &Path,
    kept: &[(String, &'static str, Action)],
    families: &[Option<(String, String)>],
    allow: &[String],
    raw_count: usize,
    add_paths: &[PathBuf],
    added: &[(String, Lexicon)],
) -> Result<()> {
    // By the category written: `fraud/fake_documents` where a family was inherited.
    let mut by_category: BTreeMap<String, Vec<(&str, Action)>> = BTreeMap::new();
    for (k, family) in kept.iter().zip(families) {
        let category = match family {
            Some((category, family)) => format!("{category}/{family}"),
            None => k.1.to_owned(),
        };
        by_category.entry(category).or_default().push((&k.0, k.2));
    }
    let mut s = String::new();
    s.push_str("# qinglang default lexicon. GENERATED by scripts/build-default-lexicon.sh; do not edit by hand.\n");
    s.push_str("# Source: houbb/sensitive-word v0.26.1 word lists (Apache-2.0), see lexicons/PROVENANCE.md.\n");
    let _ = writeln!(
        s,
        "# {} raw tagged terms in, {} shipped; what was dropped or demoted and why: lexicons/CURATION.md",
        raw_count,
        kept.len() + allow.len()
    );
    s.push_str("# Format: term<TAB>category[/family]<TAB>action (DESIGN.md, README).\n");
    for (category, list) in by_category {
        let _ = writeln!(s, "\n# {category}");
        for (term, action) in list {
            let _ = writeln!(s, "{term}\t{category}\t{action}");
        }
    }
    s.push_str("\n# allow: exceptions from houbb's sensitive_word_allow.txt\n");
    for term in allow {
        let _ = writeln!(s, "{term}\tcustom\tallow");
    }
    for (path, (text, _)) in add_paths.iter().zip(added) {
        let _ = writeln!(
            s,
            "\n# Hand-curated: {} (written for this project), as written",
            path.display()
        );
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if !line.trim().is_empty() {
                s.push_str(line);
                s.push('\n');
            }
        }
    }
    fs::write(path, s).with_context(|| format!("cannot write {}", path.display()))
}

fn write_report(
    path: &Path,
    args: &BuildArgs,
    kept: &[(String, &'static str, Action)],
    decisions: &[(String, Decision)],
    raw_count: usize,
    clean_docs: usize,
    rounds: usize,
) -> Result<()> {
    let mut s = String::new();
    s.push_str("# Curation of the default lexicon\n\n");
    s.push_str("GENERATED by `scripts/build-default-lexicon.sh` (`qinglang lexicon build`); do not edit by hand.\n\n");
    let _ = writeln!(s, "- raw tagged terms: {raw_count}");
    let _ = writeln!(
        s,
        "- clean texts checked: {clean_docs} from {}",
        args.clean
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s, "- check rounds until stable: {rounds}; a term in ≥ {} clean texts is dropped, in fewer it is demoted to review", args.drop_at);
    let mut by_category: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for k in kept {
        *by_category.entry((k.1, k.2.as_str())).or_default() += 1;
    }
    s.push_str("\n## Shipped\n\n| category | action | terms |\n| --- | --- | --- |\n");
    for ((c, a), n) in &by_category {
        let _ = writeln!(s, "| {c} | {a} | {n} |");
    }
    let count = |f: &dyn Fn(&Decision) -> bool| decisions.iter().filter(|d| f(&d.1)).count();
    s.push_str("\n## Dropped in bulk\n\n");
    let _ = writeln!(
        s,
        "- politics (houbb tag 0; operators supply their own `politics` lexicons): {}",
        count(&|d| matches!(d, Decision::Politics))
    );
    let _ = writeln!(
        s,
        "- single character after normalisation (matches everywhere): {}",
        count(&|d| matches!(d, Decision::SingleCharacter))
    );
    let _ = writeln!(
        s,
        "- duplicates after normalisation (same term in Traditional, full-width, …): {}",
        count(&|d| matches!(d, Decision::Duplicate))
    );
    let untagged = decisions
        .iter()
        .find(|d| matches!(d.1, Decision::UntaggedDropped))
        .map_or("0", |d| d.0.as_str());
    let _ = writeln!(
        s,
        "- houbb's untagged dictionary terms (`sensitive_word_dict.txt` minus the tagged list) without an unmistakable category (they include politics): {untagged}; the rest are taken by the keyword rules in `untagged_category` (src/curate.rs)"
    );
    s.push_str("\n## Dropped: ordinary words (`lexicons/curation/ordinary.txt`)\n\n");
    for (term, d) in decisions {
        if let Decision::Ordinary(reason) = d {
            let _ = writeln!(s, "- {term}: {reason}");
        }
    }
    s.push_str("\n## Demoted to review: topical words (`lexicons/curation/review.txt`)\n\n");
    for (term, d) in decisions {
        if let Decision::Topical(reason) = d {
            let _ = writeln!(s, "- {term}: {reason}");
        }
    }
    s.push_str("\n## Ordinary vocabulary (jieba dict.txt frequency): dropped at ≥ ");
    let _ = writeln!(
        s,
        "{}, demoted to review at ≥ {}\n",
        args.vocabulary_drop, args.vocabulary_review
    );
    let kept_actions: HashMap<&str, Action> = kept.iter().map(|k| (k.0.as_str(), k.2)).collect();
    for (term, d) in decisions {
        if let Decision::Vocabulary(freq) = d {
            let outcome = kept_actions
                .get(term.as_str())
                .map_or("dropped", |a| a.as_str());
            let _ = writeln!(s, "- {term}: frequency {freq}, {outcome}");
        }
    }
    s.push_str("\n## Dropped: dates (often political anniversaries)\n\n");
    let dates: Vec<&str> = decisions
        .iter()
        .filter(|d| matches!(d.1, Decision::Date))
        .map(|d| d.0.as_str())
        .collect();
    let _ = writeln!(s, "{}", dates.join(", "));
    let _ = writeln!(
        s,
        "\n## Demoted to review: numeral phrases made entirely of common words (jieba frequency ≥ {} each)\n",
        args.common_word_frequency
    );
    for (term, d) in decisions {
        if let Decision::CommonWords(split) = d {
            let _ = writeln!(s, "- {term}: {split}");
        }
    }
    s.push_str("\n## Demoted to review: digits only\n\n");
    let digits: Vec<&str> = decisions
        .iter()
        .filter(|d| matches!(d.1, Decision::DigitsOnly))
        .map(|d| d.0.as_str())
        .collect();
    let _ = writeln!(s, "{}", digits.join(", "));
    s.push_str(
        "\n## Demoted to review: short terms that begin or end with 日 (the day of a date)\n\n",
    );
    let days: Vec<&str> = decisions
        .iter()
        .filter(|d| matches!(d.1, Decision::DateDay))
        .map(|d| d.0.as_str())
        .collect();
    let _ = writeln!(s, "{}", days.join(", "));
    s.push_str("\n## Demoted to review: Latin-only terms of three characters or fewer\n\n");
    let short: Vec<&str> = decisions
        .iter()
        .filter(|d| matches!(d.1, Decision::ShortLatin))
        .map(|d| d.0.as_str())
        .collect();
    let _ = writeln!(s, "{}", short.join(", "));
    s.push_str("\n## Found in clean text: dropped (≥ threshold) or demoted to review\n\n| term | clean texts | action | example |\n| --- | --- | --- | --- |\n");
    let kept_terms: HashMap<&str, Action> = kept.iter().map(|k| (k.0.as_str(), k.2)).collect();
    for (term, d) in decisions {
        if let Decision::CleanHits { docs, example } = d {
            let outcome = match kept_terms.get(term.as_str()) {
                Some(a) => a.as_str(),
                None => "dropped",
            };
            let example: String = example.chars().take(40).collect();
            let example = example.replace('|', "\\|");
            let _ = writeln!(s, "| {term} | {docs} | {outcome} | {example} |");
        }
    }
    fs::write(path, s).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porn_tagged_insults_are_abuse_and_sexual_ones_stay_porn() {
        let normalizer = Normalizer::new();
        let category = |term: &str| category_of(&["2"], &normalizer.normalize_str(term));
        for insult in [
            "他奶奶的",
            "去他妈",
            "你妈逼",
            "操你祖宗",
            "草泥马",
            "傻逼靠",
            "干你娘",
            "插你妈",
            "日你妈啦屄",
            "操你妈屄",
            "操蛋",
        ] {
            assert_eq!(category(insult), "abuse", "{insult}");
        }
        for sexual in [
            "妈妈的花心",
            "你把妈的穴穴插满了",
            "要干我操内射",
            "混蛋神风流史txt小说下载",
            "你追求的女孩子马上要过生日你怎办装不知道",
            "援交婊子qq",
            "想日你",
            "我操啦综合",
        ] {
            assert_eq!(category(sexual), "porn", "{sexual}");
        }
        // Other tags are untouched by the insult rule.
        assert_eq!(category_of(&["3"], "他妈的赌场"), "gambling");
    }
}
