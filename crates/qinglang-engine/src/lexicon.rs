//! Lexicon files in the contract format (DESIGN.md): `term[<TAB>category[<TAB>action]]`.

use std::fmt;

/// What a lexicon entry asks for when its term is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A weak cue (REV-5): nothing on its own, decisive only where cues make up most of a
    /// line (`国产精品_久久_一区二区`, SEO keyword stuffing). Reported only when they decide.
    Cue,
    /// An exception: block and review terms inside a matched allow term are not reported.
    Allow,
    /// Send to a human.
    Review,
    /// Reject.
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Cue => "cue",
            Action::Allow => "allow",
            Action::Review => "review",
            Action::Block => "block",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        match s {
            "block" => Some(Action::Block),
            "review" => Some(Action::Review),
            "allow" => Some(Action::Allow),
            "cue" => Some(Action::Cue),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a lexicon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The term as written in its file (reported back in hits, un-normalised).
    pub term: Box<str>,
    /// A lowercase identifier (`porn`, `gambling`, …); `custom` when the line gives none.
    pub category: Box<str>,
    /// The family within the category, written `category/family` (`fraud/task_scam`,
    /// `porn/escort`): an additive form, since `/` was never valid in a category.
    pub subcategory: Option<Box<str>>,
    pub action: Action,
    /// 1-based line number in the lexicon source.
    pub line: u32,
}

/// A combination entry's term (issue #25, DESIGN.md): `A&B` needs every part within one
/// segment (a line or a sentence) in any order, `A&B~N` within N characters (normalised: noise
/// between characters does not count), `A&!C` not with `C` in the same segment. `\&` and
/// `\!` write the characters themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// The parts that must all occur, as written (escapes resolved).
    pub all: Vec<String>,
    /// The parts that must not occur in the same segment.
    pub none: Vec<String>,
    /// At most this many normalised characters from the first part's first character to the
    /// last part's last.
    pub window: Option<u32>,
}

impl Combination {
    /// The combination a term field writes, `None` for a single term (no unescaped `&`).
    pub fn parse(term: &str) -> Result<Option<Combination>, LexiconErrorKind> {
        // Nearly every line of a large list is a single term.
        if !term.contains('&') {
            return Ok(None);
        }
        // Split on unescaped `&`, keeping escapes for the second look at each part.
        let mut raw: Vec<String> = vec![String::new()];
        let mut chars = term.chars().peekable();
        let mut combined = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some('&') | Some('!')) => {
                    raw.last_mut().expect("one part").push('\\');
                    raw.last_mut()
                        .expect("one part")
                        .push(chars.next().expect("peeked"));
                }
                '&' => {
                    combined = true;
                    raw.push(String::new());
                }
                c => raw.last_mut().expect("one part").push(c),
            }
        }
        if !combined {
            return Ok(None);
        }
        let bad = |why: &str| LexiconErrorKind::InvalidCombination(term.to_owned(), why.to_owned());
        // `~N` after the last part sets the window.
        let mut window = None;
        if let Some(last) = raw.last_mut() {
            if let Some((part, n)) = last.rsplit_once('~') {
                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                    let n: u32 = n
                        .parse()
                        .map_err(|_| bad("the window after ~ is too large"))?;
                    if n == 0 {
                        return Err(bad("the window after ~ must be at least 1"));
                    }
                    window = Some(n);
                    *last = part.to_owned();
                }
            }
        }
        let mut combination = Combination {
            all: Vec::new(),
            none: Vec::new(),
            window,
        };
        for part in raw {
            let (excluded, part) = match part.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, part.as_str()),
            };
            let part = part.replace("\\&", "&").replace("\\!", "!");
            if part.trim().is_empty() {
                return Err(bad("a part is empty (write \\& for the character &)"));
            }
            if excluded {
                combination.none.push(part.trim().to_owned());
            } else {
                combination.all.push(part.trim().to_owned());
            }
        }
        if combination.all.is_empty() {
            return Err(bad(
                "it needs at least one part that must occur, not only !exclusions",
            ));
        }
        if combination.all.len() == 1 && combination.none.is_empty() {
            return Err(bad("it needs two parts (write \\& for the character &)"));
        }
        Ok(Some(combination))
    }
}

/// A named list of entries, e.g. one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexicon {
    name: String,
    entries: Vec<Entry>,
}

/// A lexicon line that cannot be used. Displays as `name:line: problem`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{lexicon}:{line}: {kind}")]
pub struct LexiconError {
    /// The lexicon's name (its file path when read from a file).
    pub lexicon: String,
    pub line: u32,
    pub kind: LexiconErrorKind,
}

/// What is wrong with a lexicon line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexiconErrorKind {
    /// The term field is empty.
    #[error("empty term")]
    EmptyTerm,
    /// The term has no letter, digit or ideograph left after normalisation (`***`).
    #[error("term {0:?} has nothing to match after normalisation (only spaces, punctuation or invisible characters)")]
    NothingToMatch(String),
    /// The category is not a lowercase identifier.
    #[error("invalid category {0:?} (expected a lowercase identifier such as porn or gambling, or category/family such as fraud/task_scam)")]
    InvalidCategory(String),
    /// The action is not one of block, review, allow, cue.
    #[error("unknown action {0:?} (expected block, review, allow or cue)")]
    UnknownAction(String),
    /// A combination term (`A&B`, `A&B~N`, `A&!C`) that cannot be used.
    #[error("combination {0:?}: {1}")]
    InvalidCombination(String, String),
    /// A combination entry whose action is allow or cue.
    #[error("combination {0:?}: only block and review entries may combine parts")]
    CombinationAction(String),
    /// More than three tab-separated fields.
    #[error("too many fields ({0}); expected term<TAB>category<TAB>action")]
    TooManyFields(usize),
    /// A term that reads as fields separated by spaces (`lexicon check` only).
    #[error("term {0:?} looks like fields separated by spaces; separate term, category and action with tabs (as written, the whole line is one term that never matches)")]
    SpacesForTabs(String),
    /// A category a letter or two from a shipped one (`lexicon check` only).
    #[error("category {0:?} is not a shipped category; did you mean {1:?}? (an operator's own category is allowed, but this looks like a typo)")]
    MisspeltCategory(String, String),
}

/// The categories of the taxonomy (REQUIREMENTS.md REV-2) and the default lexicon's
/// `custom`. Operators may add their own; these are the ones a typo is measured against.
pub const KNOWN_CATEGORIES: &[&str] = &[
    "politics",
    "terror",
    "discrimination",
    "cult",
    "rumor",
    "porn",
    "gambling",
    "drugs",
    "weapons",
    "violence",
    "abuse",
    "privacy",
    "fraud",
    "contraband",
    "sexual_innuendo",
    "gore",
    "vulgar",
    "ad",
    "spam",
    "custom",
];

/// What `qinglang lexicon check` reports of a lexicon text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LexiconCheck {
    /// Lines that parse.
    pub entries: usize,
    /// Every unusable or most likely mistaken line, in order.
    pub problems: Vec<LexiconError>,
    /// Categories outside the taxonomy, in the order first seen (allowed).
    pub new_categories: Vec<String>,
}

/// The lines that hold entries: `(line number, line)`, skipping blanks and comments; a BOM
/// at the start of a file written by a Windows editor is not part of a term.
fn lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.lines().enumerate().filter_map(|(n, raw)| {
        let line = raw.trim_end_matches('\r');
        let skip = line.trim().is_empty() || line.trim_start().starts_with('#');
        (!skip).then_some((n as u32 + 1, line))
    })
}

/// One entry line (its `line` field is set by the caller).
fn parse_line(line: &str) -> Result<Entry, LexiconErrorKind> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() > 3 {
        return Err(LexiconErrorKind::TooManyFields(fields.len()));
    }
    let term = fields[0].trim();
    if term.is_empty() {
        return Err(LexiconErrorKind::EmptyTerm);
    }
    let (category, subcategory) = match fields.get(1).map(|s| s.trim()) {
        None | Some("") => ("custom", None),
        Some(c) => match c.split_once('/') {
            None if is_identifier(c) => (c, None),
            Some((c, sub)) if is_identifier(c) && is_identifier(sub) => (c, Some(sub)),
            _ => return Err(LexiconErrorKind::InvalidCategory(c.to_owned())),
        },
    };
    let action = match fields.get(2).map(|s| s.trim()) {
        None | Some("") => Action::Block,
        Some(a) => Action::parse(a).ok_or_else(|| LexiconErrorKind::UnknownAction(a.to_owned()))?,
    };
    if Combination::parse(term)?.is_some() && matches!(action, Action::Allow | Action::Cue) {
        return Err(LexiconErrorKind::CombinationAction(term.to_owned()));
    }
    Ok(Entry {
        term: term.into(),
        category: category.into(),
        subcategory: subcategory.map(Into::into),
        action,
        line: 0,
    })
}

/// Levenshtein distance of two short identifiers (categories), in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

impl Lexicon {
    /// Parses lexicon text. `name` is used in errors and reported as each hit's `source`.
    /// The first unusable line is the error; [`Lexicon::check`] lists them all.
    pub fn parse(name: &str, text: &str) -> Result<Lexicon, LexiconError> {
        let mut entries = Vec::new();
        for (line_no, line) in lines(text) {
            match parse_line(line) {
                Ok(entry) => entries.push(Entry {
                    line: line_no,
                    ..entry
                }),
                Err(kind) => {
                    return Err(LexiconError {
                        lexicon: name.to_owned(),
                        line: line_no,
                        kind,
                    })
                }
            }
        }
        Ok(Lexicon {
            name: name.to_owned(),
            entries,
        })
    }

    /// Every problem of a lexicon text, for `qinglang lexicon check`: each unusable line,
    /// and each line that parses but is most likely a mistake — a term that reads as fields
    /// separated by spaces instead of tabs (the whole line would be one term that never
    /// matches), or a category one or two letters from a shipped one (`gamblng`). A new
    /// category is no problem (the taxonomy is data); it is listed in `new_categories`.
    pub fn check(name: &str, text: &str) -> LexiconCheck {
        let mut check = LexiconCheck::default();
        for (line_no, line) in lines(text) {
            let problem = |kind| LexiconError {
                lexicon: name.to_owned(),
                line: line_no,
                kind,
            };
            let entry = match parse_line(line) {
                Ok(entry) => entry,
                Err(kind) => {
                    check.problems.push(problem(kind));
                    continue;
                }
            };
            check.entries += 1;
            let words: Vec<&str> = entry.term.split_whitespace().collect();
            if words.len() >= 2
                && words[1..].iter().any(|w| {
                    Action::parse(w).is_some()
                        || KNOWN_CATEGORIES.contains(w)
                        || w.split_once('/')
                            .is_some_and(|(c, _)| KNOWN_CATEGORIES.contains(&c))
                })
            {
                check.problems.push(problem(LexiconErrorKind::SpacesForTabs(
                    entry.term.to_string(),
                )));
                continue;
            }
            let category = &*entry.category;
            if !KNOWN_CATEGORIES.contains(&category) {
                match KNOWN_CATEGORIES
                    .iter()
                    .find(|known| edit_distance(known, category) <= 2)
                {
                    Some(known) => {
                        check
                            .problems
                            .push(problem(LexiconErrorKind::MisspeltCategory(
                                category.to_owned(),
                                (*known).into(),
                            )))
                    }
                    None => {
                        if !check.new_categories.iter().any(|c| c == category) {
                            check.new_categories.push(category.to_owned());
                        }
                    }
                }
            }
        }
        check
    }

    /// Builds a lexicon from entries made in code (the console, tests).
    pub fn from_entries(name: &str, entries: Vec<Entry>) -> Lexicon {
        Lexicon {
            name: name.to_owned(),
            entries,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name and the entries, by value.
    pub fn into_parts(self) -> (String, Vec<Entry>) {
        (self.name, self.entries)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_comments_and_blank_lines() {
        let lex = Lexicon::parse("t", "# c\n\n赌博\n黄片\tporn\n三黄片\tporn\tallow\r\n").unwrap();
        let got: Vec<_> = lex
            .entries()
            .iter()
            .map(|e| (&*e.term, &*e.category, e.action, e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("赌博", "custom", Action::Block, 3),
                ("黄片", "porn", Action::Block, 4),
                ("三黄片", "porn", Action::Allow, 5),
            ]
        );
    }

    #[test]
    fn a_category_may_name_its_family() {
        let lex = Lexicon::parse("t", "刷单\tfraud/task_scam\n赌博\tgambling\n").unwrap();
        let e = &lex.entries()[0];
        assert_eq!(
            (&*e.category, e.subcategory.as_deref()),
            ("fraud", Some("task_scam"))
        );
        assert_eq!(lex.entries()[1].subcategory, None);
        for bad in ["fraud/", "/task", "fraud/Task", "a/b/c"] {
            let e = Lexicon::parse("x", &format!("刷单\t{bad}\n")).unwrap_err();
            assert_eq!(
                e.kind,
                LexiconErrorKind::InvalidCategory(bad.into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn combination_terms() {
        let c = |t: &str| Combination::parse(t);
        assert_eq!(c("代开发票"), Ok(None));
        assert_eq!(
            c("代开&发票"),
            Ok(Some(Combination {
                all: vec!["代开".into(), "发票".into()],
                none: vec![],
                window: None
            }))
        );
        let w = c("死人&刺杀~10").unwrap().unwrap();
        assert_eq!((w.all.len(), w.window), (2, Some(10)));
        let x = c("赌&!赌博史&!禁赌").unwrap().unwrap();
        assert_eq!(
            (x.all, x.none),
            (
                vec!["赌".to_owned()],
                vec!["赌博史".to_owned(), "禁赌".to_owned()]
            )
        );
        // Escapes write the characters; a term with only escaped & is a single term.
        assert_eq!(c("AT\\&T"), Ok(None));
        let e = c("AT\\&T&\\!x").unwrap().unwrap();
        assert_eq!(e.all, vec!["AT&T".to_owned(), "!x".to_owned()]);
        // A ~ that is not a window stays part of the term.
        assert_eq!(c("a~b&c").unwrap().unwrap().all[0], "a~b");
        for bad in ["a&", "&a", "a&&b", "!a&!b", "a&b~0", "a&!"] {
            assert!(
                matches!(c(bad), Err(LexiconErrorKind::InvalidCombination(..))),
                "{bad}"
            );
        }
        let e = Lexicon::parse("x.txt", "ok\n代开&\tfraud\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string()
                .starts_with("x.txt:2: combination \"代开&\": a part is empty"),
            "{e}"
        );
        let e = Lexicon::parse("x", "a&b\tcustom\tallow\n").unwrap_err();
        assert_eq!(e.kind, LexiconErrorKind::CombinationAction("a&b".into()));
    }

    #[test]
    fn errors_name_the_line() {
        let e = Lexicon::parse("lexicon.txt", "a\nb\tporn\tblok\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "lexicon.txt:2: unknown action \"blok\" (expected block, review, allow or cue)"
        );
        let e = Lexicon::parse("x", "a\tPorn\n").unwrap_err();
        assert!(e.to_string().starts_with("x:1: invalid category \"Porn\""));
        let e = Lexicon::parse("x", "\tporn\n").unwrap_err();
        assert_eq!(e.to_string(), "x:1: empty term");
        let e = Lexicon::parse("x", "a\tb\tblock\textra\n").unwrap_err();
        assert_eq!(e.kind, LexiconErrorKind::TooManyFields(4));
    }
}
