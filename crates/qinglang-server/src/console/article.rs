//! A public-account article (REV-8) as a moderator reads it: the page's title, visible text,
//! hidden text and links as text, with the hits marked, instead of its HTML source (#22).
//!
//! The stored verdict's hits point into the HTML (`byte_start`..`byte_end`); the article is
//! parsed again with the same parser the review used, and each character of its text is
//! marked when the HTML it came from lies inside a hit.

use maud::{html, Markup};
use qinglang_article::{Article, Part};

use super::html::{highlighted, hit_note, marked, part_label, Lang};

/// The hits of a verdict as (HTML byte span, note).
fn hit_spans(lang: Lang, verdict: &serde_json::Value) -> Vec<(usize, usize, String)> {
    verdict["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let start = usize::try_from(h["byte_start"].as_u64()?).ok()?;
            let end = usize::try_from(h["byte_end"].as_u64()?).ok()?;
            Some((start, end, hit_note(lang, h)))
        })
        .collect()
}

/// One line of the article's text with its hits marked.
fn line(article: &Article, text: &str, from: usize, spans: &[(usize, usize, String)]) -> Markup {
    let chars: Vec<char> = text.chars().collect();
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); chars.len()];
    let mut at = from;
    for (i, c) in chars.iter().enumerate() {
        let next = at + c.len_utf8();
        if let Some((hs, he)) = article.html_span(at, next) {
            for (s, e, note) in spans {
                if *s <= hs && he <= *e && hs < *e && !notes[i].contains(note) {
                    notes[i].push(note.clone());
                }
            }
        }
        at = next;
    }
    marked(&chars, &notes)
}

/// The article as text, part by part, with the HTML source folded away beneath it.
pub fn article_view(lang: Lang, source: &str, verdict: &serde_json::Value) -> Markup {
    let article = Article::parse(source);
    let spans = hit_spans(lang, verdict);
    html! {
        div.article #item-text {
            @if article.lines.is_empty() {
                p.muted { (lang.t("（页面没有可读文本）", "(the page has no readable text)")) }
            }
            @for (start, end, part) in &article.lines {
                @let text = article.text.get(*start..*end).unwrap_or("");
                @match part {
                    Part::Title => h3.article-title { (line(&article, text, *start, &spans)) },
                    Part::Body => p { (line(&article, text, *start, &spans)) },
                    Part::Hidden => p.article-hidden {
                        span.part { (part_label(lang, "hidden")) }
                        (line(&article, text, *start, &spans))
                    },
                    Part::Link => p.article-link {
                        span.part { (part_label(lang, "link")) }
                        (line(&article, text, *start, &spans))
                    },
                }
            }
        }
        details.source {
            summary { (lang.t("查看 HTML 源码", "Show the HTML source")) }
            div.text { (highlighted(lang, source, verdict)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader sees the words of the page, not its tags, and the hit is marked in them.
    #[test]
    fn an_article_reads_as_text_with_its_hit_marked() {
        let source = "<html><head><title>周末好去处</title></head><body><p>欢迎&amp;光临</p>\
                      <p style=\"display:none\">加微信领红包</p></body></html>";
        let start = source.find("加微信").expect("term");
        let end = start + "加微信".len();
        let verdict = serde_json::json!({"hits": [{
            "term": "加微信", "category": "ad", "action": "review", "source": "rule:contact",
            "byte_start": start, "byte_end": end, "start": 0, "end": 0, "part": "hidden"
        }]});
        let out = article_view(Lang::Zh, source, &verdict).into_string();
        let reading = out.split("<details").next().unwrap_or("");
        assert!(reading.contains("周末好去处") && reading.contains("欢迎&amp;光临"));
        assert!(!reading.contains("&lt;p"), "{reading}");
        assert!(reading.contains("隐藏文本"), "{reading}");
        assert!(
            reading
                .contains("<mark title=\"加微信 · 广告引流 · 人审 · rule:contact\">加微信</mark>"),
            "{reading}"
        );
    }
}
