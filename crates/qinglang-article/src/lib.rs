//! Public-account articles (REV-8): HTML in, a verdict whose spans point into the HTML out.
//!
//! The page is parsed with a real HTML parser (html5ever, through `scraper`). Its title, its
//! visible text, its hidden text and its link targets become the lines of one review text,
//! each line remembering which part it belongs to, and every character where it came from
//! in the original HTML. Text is hidden when an element or one of its ancestors has the
//! `hidden` attribute, or an inline style or a `<style>` rule on its class or id with
//! `display:none`, `visibility:hidden`, a zero font size, off-screen positioning
//! (`left`/`top`/`text-indent` of -999px or beyond), or a text colour equal to its
//! background. Keyword-stuffed hidden text is strong evidence by itself: a hidden part with
//! a block-level hit, or with two distinct terms, blocks the page.

use std::collections::HashSet;

use qinglang_engine::{Action, Engine, Scratch, Suggestion, Verdict};
use qinglang_text::CharCounter;
use scraper::{Html, Node};

/// Which part of the page a line of the review text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Title,
    Body,
    Hidden,
    Link,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Title => "title",
            Part::Body => "body",
            Part::Hidden => "hidden",
            Part::Link => "link",
        }
    }
}

/// The review text of a page, with the way back to the HTML.
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// One line per title, block of visible text, block of hidden text and link target.
    pub text: String,
    /// Byte range of each line in `text`, with its part.
    pub lines: Vec<(usize, usize, Part)>,
    /// For each character of `text` (by its byte offset): the byte span in the HTML.
    map: Vec<(u32, u32, u32)>,
}

impl Article {
    /// Extracts the parts of an HTML page.
    pub fn parse(html: &str) -> Article {
        let doc = Html::parse_document(html);
        let rules = StyleRules::collect(&doc);
        let mut b = Builder {
            raw: html,
            cursor: 0,
            article: Article::default(),
            line: None,
        };
        b.walk(doc.tree.root(), State::default(), &rules);
        b.end_line();
        b.article
    }

    /// The part the byte `at` of the review text belongs to.
    pub fn part_at(&self, at: usize) -> Part {
        // Lines are in text order: the last one starting at or before `at`.
        let i = self.lines.partition_point(|l| l.0 <= at);
        i.checked_sub(1)
            .map(|i| self.lines[i])
            .filter(|l| at < l.1.max(l.0 + 1))
            .map_or(Part::Body, |l| l.2)
    }

    /// The HTML byte span of the review text's bytes `start..end`.
    pub fn html_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self
            .map
            .binary_search_by_key(&(start as u32), |m| m.0)
            .ok()?;
        let last = match self.map.binary_search_by_key(&(end as u32), |m| m.0) {
            Ok(i) => i.checked_sub(1)?,
            Err(i) => i.checked_sub(1)?,
        };
        let (a, b) = (self.map[first].1, self.map[last].2);
        (a <= b).then_some((a as usize, b as usize))
    }
}

/// An article's verdict: spans are in the HTML; `parts[i]` is where hit `i` was found.
#[derive(Debug)]
pub struct ArticleVerdict<'e> {
    pub verdict: Verdict<'e>,
    pub parts: Vec<Part>,
}

/// Reviews an HTML page with `engine` (REV-8).
pub fn review<'e>(engine: &'e Engine, html: &str, scratch: &mut Scratch) -> ArticleVerdict<'e> {
    let article = Article::parse(html);
    let mut verdict = engine.scan_with(&article.text, scratch);
    let mut parts = Vec::with_capacity(verdict.hits.len());
    let mut hidden_terms: HashSet<&str> = HashSet::new();
    let mut hidden_block = false;
    let mut hidden_labels: Vec<&'e str> = Vec::new();
    for hit in &verdict.hits {
        let part = article.part_at(hit.byte_start);
        if part == Part::Hidden && hit.probability().is_none() && hit.campaign().is_none() {
            hidden_terms.insert(hit.term());
            hidden_block |= hit.action() == Action::Block;
            if !hidden_labels.contains(&hit.category()) {
                hidden_labels.push(hit.category());
            }
        }
        parts.push(part);
    }
    // Hidden text has no reader: keywords stuffed into it are there for search engines and
    // filters, whatever the visible page says.
    if hidden_block || hidden_terms.len() >= 2 {
        verdict.suggestion = Suggestion::Block;
        verdict.score = verdict.score.max(engine.policy().block_hit_score);
        for label in hidden_labels {
            if !verdict.labels.contains(&label) {
                verdict.labels.push(label);
            }
        }
    }
    // Segments describe lines of the review text, not of the page.
    verdict.segments.clear();
    // Spans into the HTML.
    let mut counter = CharCounter::new(html);
    let mut order: Vec<usize> = (0..verdict.hits.len()).collect();
    for hit in &mut verdict.hits {
        let (s, e) = article
            .html_span(hit.byte_start, hit.byte_end)
            .unwrap_or((0, 0));
        hit.byte_start = s;
        hit.byte_end = e;
    }
    // The counter sweeps forward; hidden and link lines may point back into the page.
    order.sort_by_key(|&i| verdict.hits[i].byte_start);
    for i in order {
        let hit = &mut verdict.hits[i];
        hit.start = counter.char_offset(hit.byte_start);
        hit.end = counter.char_offset(hit.byte_end);
    }
    ArticleVerdict { verdict, parts }
}

#[derive(Debug, Clone, Copy, Default)]
struct State {
    hidden: bool,
    skip: bool,
    title: bool,
}

/// Hidden classes and ids from the page's `<style>` elements (simple selectors only:
/// `.a`, `#b`, `p.a`, comma-separated lists).
#[derive(Debug, Default)]
struct StyleRules {
    classes: HashSet<String>,
    ids: HashSet<String>,
}

impl StyleRules {
    fn collect(doc: &Html) -> StyleRules {
        let mut rules = StyleRules::default();
        for node in doc.tree.root().descendants() {
            let Node::Element(e) = node.value() else {
                continue;
            };
            if !e.name().eq_ignore_ascii_case("style") {
                continue;
            }
            let css: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            for rule in css.split('}') {
                let Some((selectors, body)) = rule.split_once('{') else {
                    continue;
                };
                if !hides(body) {
                    continue;
                }
                for selector in selectors.split(',') {
                    let last = selector.split_whitespace().last().unwrap_or("");
                    if let Some((_, id)) = last.split_once('#') {
                        rules
                            .ids
                            .insert(id.split(['.', ':']).next().unwrap_or("").to_owned());
                    } else if let Some((_, class)) = last.split_once('.') {
                        rules
                            .classes
                            .insert(class.split(['.', ':']).next().unwrap_or("").to_owned());
                    }
                }
            }
        }
        rules
    }
}

/// Whether CSS declarations hide their element's text.
fn hides(declarations: &str) -> bool {
    let mut color = None;
    let mut background = None;
    for decl in declarations.split(';') {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim().to_ascii_lowercase();
        let value = value
            .trim()
            .trim_end_matches("!important")
            .trim()
            .to_ascii_lowercase();
        let number = |v: &str| {
            v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%')
                .parse::<f32>()
                .ok()
        };
        match prop.as_str() {
            "display" if value == "none" => return true,
            "visibility" if value == "hidden" || value == "collapse" => return true,
            "font-size" if number(&value) == Some(0.0) => return true,
            "left" | "top" | "text-indent" | "margin-left"
                if number(&value).is_some_and(|n| n <= -999.0) =>
            {
                return true
            }
            "color" => color = Some(value),
            "background-color" | "background" => background = Some(value),
            _ => {}
        }
    }
    matches!((color, background), (Some(c), Some(b)) if c == b)
}

struct Builder<'a> {
    raw: &'a str,
    /// Where the search for the next text node starts in the HTML.
    cursor: usize,
    article: Article,
    /// The part of the line being written, if one is open.
    line: Option<(usize, Part)>,
}

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "title",
    "tr",
    "ul",
];
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "head"];

impl Builder<'_> {
    fn walk(&mut self, node: ego_tree::NodeRef<'_, Node>, state: State, rules: &StyleRules) {
        match node.value() {
            Node::Text(t) => {
                if !state.skip || state.title {
                    let part = if state.title {
                        Part::Title
                    } else if state.hidden {
                        Part::Hidden
                    } else {
                        Part::Body
                    };
                    self.push_text(t, part);
                }
            }
            Node::Element(e) => {
                let name = e.name().to_ascii_lowercase();
                let mut inner = state;
                if name == "title" {
                    inner.title = true;
                } else if SKIPPED.contains(&name.as_str()) {
                    inner.skip = true;
                }
                let hidden = e.attr("hidden").is_some()
                    || e.attr("style").is_some_and(hides)
                    || e.attr("id").is_some_and(|id| rules.ids.contains(id))
                    || e.classes().any(|c| rules.classes.contains(c))
                    || (name == "input"
                        && e.attr("type")
                            .is_some_and(|t| t.eq_ignore_ascii_case("hidden")));
                inner.hidden |= hidden;
                let block = BLOCKS.contains(&name.as_str());
                if block || hidden != state.hidden {
                    self.end_line();
                }
                for child in node.children() {
                    self.walk(child, inner, rules);
                }
                if block || hidden != state.hidden {
                    self.end_line();
                }
                if let Some(href) = e.attr("href").filter(|_| name == "a" && !inner.skip) {
                    self.end_line();
                    self.push_attr(href);
                    self.end_line();
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child, state, rules);
                }
            }
        }
    }

    fn end_line(&mut self) {
        if let Some((start, part)) = self.line.take() {
            let end = self.article.text.len();
            if end > start {
                self.article.lines.push((start, end, part));
                self.article.text.push('\n');
            }
        }
    }

    fn open(&mut self, part: Part) {
        if self.line.is_some_and(|l| l.1 != part) {
            self.end_line();
        }
        if self.line.is_none() {
            self.line = Some((self.article.text.len(), part));
        }
    }

    /// Appends a text node, mapping each character to its source in the HTML.
    fn push_text(&mut self, text: &str, part: Part) {
        if text.trim().is_empty() {
            return;
        }
        self.open(part);
        let spans = locate(self.raw, &mut self.cursor, text);
        for (k, c) in text.chars().enumerate() {
            let (a, b) = spans
                .as_ref()
                .and_then(|s| s.get(k).copied())
                .unwrap_or((self.cursor as u32, self.cursor as u32));
            self.article
                .map
                .push((self.article.text.len() as u32, a, b));
            // Line breaks inside a text node are spaces in the review text: lines are
            // the page's blocks.
            self.article
                .text
                .push(if c == '\n' || c == '\r' { ' ' } else { c });
        }
    }

    /// Appends a link target, found in the HTML by value.
    fn push_attr(&mut self, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        self.open(Part::Link);
        let base = self.raw[..self.cursor.min(self.raw.len())]
            .rfind(value)
            .or_else(|| self.raw.find(value));
        let mut at = base.unwrap_or(self.cursor);
        for c in value.chars() {
            let end = if base.is_some() {
                at + c.len_utf8()
            } else {
                at
            };
            self.article
                .map
                .push((self.article.text.len() as u32, at as u32, end as u32));
            self.article.text.push(c);
            at = end;
        }
    }
}

/// Finds the HTML source of a decoded text node at or after `cursor`: for each character,
/// its byte span (an entity or `\r\n` may be longer than the character). Advances `cursor`
/// past it. `None` when it cannot be found (the parser moved or invented the text).
fn locate(raw: &str, cursor: &mut usize, text: &str) -> Option<Vec<(u32, u32)>> {
    let first = text.chars().next()?;
    let mut from = *cursor;
    // Text nodes follow each other in source order; look a bounded distance ahead.
    let limit = raw.len().min(from.saturating_add(1 << 20));
    while from < limit {
        let candidate = raw[from..limit]
            .char_indices()
            .find(|&(_, c)| c == first || c == '&' || (c == '\r' && first == '\n'))
            .map(|(i, _)| from + i)?;
        if let Some(spans) = match_at(raw, candidate, text) {
            *cursor = spans.last().map_or(candidate, |s| s.1 as usize);
            return Some(spans);
        }
        from = candidate + raw[candidate..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

fn match_at(raw: &str, mut at: usize, text: &str) -> Option<Vec<(u32, u32)>> {
    let mut spans = Vec::with_capacity(text.len());
    for c in text.chars() {
        let rest = raw.get(at..)?;
        let r = rest.chars().next()?;
        let len = if r == '&' {
            let (decoded, len) = entity(rest)?;
            if decoded != c {
                return None;
            }
            len
        } else if r == '\r' && c == '\n' {
            if rest.as_bytes().get(1) == Some(&b'\n') {
                2
            } else {
                1
            }
        } else if r == c {
            r.len_utf8()
        } else {
            return None;
        };
        spans.push((at as u32, (at + len) as u32));
        at += len;
    }
    Some(spans)
}

/// Decodes the character reference at the start of `s` (`&amp;`, `&#38;`, `&#x26;`).
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';').filter(|&e| e <= 32)?;
    let name = &s[1..end];
    let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = name.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            "ensp" => '\u{2002}',
            "emsp" => '\u{2003}',
            "thinsp" => '\u{2009}',
            "zwnj" => '\u{200c}',
            "zwj" => '\u{200d}',
            "shy" => '\u{ad}',
            "middot" => '·',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            "ldquo" => '“',
            "rdquo" => '”',
            "lsquo" => '‘',
            "rsquo" => '’',
            "copy" => '©',
            "reg" => '®',
            "times" => '×',
            "yen" => '¥',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "<p>本市今年新建了三座社区图书馆，周末开放时间延长到晚上九点。</p>\
        <p>馆内设有儿童阅读区和自习室，市民可以凭身份证免费办理借阅卡。</p>";

    fn page(extra: &str) -> String {
        format!("<html><head><title>社区图书馆延长开放时间</title></head><body>{BODY}{extra}</body></html>")
    }

    fn engine() -> Engine {
        Engine::builder()
            .lexicon(qinglang_engine::default_lexicon())
            .classifier(std::sync::Arc::new(qinglang_engine::default_classifier()))
            .build()
            .expect("engine")
    }

    /// Issue #5's article figure: the stuffed hidden block blocks the page and the hits
    /// point into it; the same page without it passes.
    #[test]
    fn a_hidden_keyword_block_blocks_the_page_and_is_pointed_at() {
        let engine = engine();
        let mut scratch = Scratch::default();
        let clean = page("");
        assert_eq!(
            review(&engine, &clean, &mut scratch).verdict.suggestion,
            Suggestion::Pass
        );

        let hidden = "<div style=\"display:none\">成人视频 免费毛片 在线av 色情电影</div>";
        let html = page(hidden);
        let r = review(&engine, &html, &mut scratch);
        assert_eq!(r.verdict.suggestion, Suggestion::Block);
        assert!(r.verdict.labels.contains(&"porn"), "{:?}", r.verdict.labels);
        let block_start = html.find(hidden).expect("hidden block");
        let block_end = block_start + hidden.len();
        let lexical: Vec<_> = r
            .verdict
            .hits
            .iter()
            .zip(&r.parts)
            .filter(|(h, _)| h.probability().is_none())
            .collect();
        assert!(lexical.len() >= 2);
        for (hit, part) in lexical {
            assert_eq!(*part, Part::Hidden);
            assert!(block_start <= hit.byte_start && hit.byte_end <= block_end);
            let by_chars: String = html
                .chars()
                .skip(hit.start)
                .take(hit.end - hit.start)
                .collect();
            assert_eq!(by_chars, hit.text(&html));
        }
    }

    #[test]
    fn hidden_by_class_off_screen_or_same_colour_count_too() {
        let engine = engine();
        let mut scratch = Scratch::default();
        for (style, tag) in [
            (
                "<style>.seo { font-size: 0 }</style>",
                "<span class=\"seo\">",
            ),
            ("", "<div style=\"position:absolute; left:-10000px\">"),
            ("", "<div style=\"color:#fff;background-color:#fff\">"),
        ] {
            let close = if tag.starts_with("<span") {
                "</span>"
            } else {
                "</div>"
            };
            let html = format!(
                "<html><head>{style}</head><body>{BODY}{tag}成人视频 免费毛片{close}</body></html>"
            );
            let r = review(&engine, &html, &mut scratch);
            assert_eq!(r.verdict.suggestion, Suggestion::Block, "{tag}");
            assert!(r.parts.contains(&Part::Hidden), "{tag}");
        }
    }

    #[test]
    fn parts_and_spans_come_from_the_html() {
        let html =
            "<html><head><title>标题 &amp; 副标题</title><style>.x{display:none}</style></head>\
            <body><p>第一段<b>加粗</b>文字</p><div class=\"x\">藏起来的字</div>\
            <a href=\"http://a.example/\">链接</a></body></html>";
        let a = Article::parse(html);
        let lines: Vec<(&str, Part)> = a
            .lines
            .iter()
            .map(|&(s, e, p)| (&a.text[s..e], p))
            .collect();
        assert_eq!(
            lines,
            [
                ("标题 & 副标题", Part::Title),
                ("第一段加粗文字", Part::Body),
                ("藏起来的字", Part::Hidden),
                ("链接", Part::Body),
                ("http://a.example/", Part::Link),
            ]
        );
        let at = a.text.find("藏起来").expect("hidden text");
        let (s, e) = a.html_span(at, at + "藏起来".len()).expect("span");
        assert_eq!(&html[s..e], "藏起来");
        let amp = a.text.find('&').expect("amp");
        let (s, e) = a.html_span(amp, amp + 1).expect("span");
        assert_eq!(&html[s..e], "&amp;");
        let bold = a.text.find("段加粗").expect("bold");
        let (s, e) = a.html_span(bold, bold + "段加粗".len()).expect("span");
        assert_eq!(&html[s..e], "段<b>加粗");
    }

    #[test]
    fn hiding_styles() {
        for style in [
            "display: none",
            "visibility:hidden",
            "font-size:0px",
            "position:absolute;left:-9999px",
            "text-indent:-1000em",
            "color:#fff;background-color:#fff",
        ] {
            assert!(hides(style), "{style}");
        }
        for style in [
            "display:block",
            "font-size:12px",
            "left:10px",
            "color:#000;background:#fff",
        ] {
            assert!(!hides(style), "{style}");
        }
    }
}
