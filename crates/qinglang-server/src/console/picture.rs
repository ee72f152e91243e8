//! A picture (REV-10) as a moderator sees it: the picture itself, served from the stored
//! bytes by an authenticated route (`/content/{id}/image`), with the boxes of its hits
//! drawn over it in an SVG overlay, and the texts read from it with their hits marked.
//!
//! The overlay is SVG attributes in the picture's own pixel coordinates (`viewBox` is the
//! picture's size), so the boxes stay on their places at any display size, and no inline
//! style is needed (the console's CSP forbids it). Every value drawn comes from the stored
//! verdict and is escaped by maud; the picture is an `<image>` of the same origin, never
//! markup.

use maud::{html, Markup};
use qinglang_governance::model::Id;

use super::html::{highlighted, part_label, Lang};
use super::labels::category_name;

/// A hit's box `[x, y, width, height]`, clamped to the picture.
fn hit_box(h: &serde_json::Value, width: u64, height: u64) -> Option<[u64; 4]> {
    let b = h["box"].as_array()?;
    let v: Vec<u64> = b.iter().filter_map(serde_json::Value::as_u64).collect();
    let [x, y, w, hh] = <[u64; 4]>::try_from(v).ok()?;
    let x = x.min(width);
    let y = y.min(height);
    Some([x, y, w.min(width - x), hh.min(height - y)])
}

/// The picture with its hits' boxes, then the texts read from it.
pub fn picture_view(l: Lang, content: Id, verdict: &serde_json::Value) -> Markup {
    let width = verdict["image"]["width"].as_u64().unwrap_or(0);
    let height = verdict["image"]["height"].as_u64().unwrap_or(0);
    let hits: Vec<&serde_json::Value> = verdict["hits"].as_array().into_iter().flatten().collect();
    // One box per place: several hits in one QR code share its box, and its label.
    let mut boxes: Vec<([u64; 4], Vec<String>)> = Vec::new();
    for h in &hits {
        let Some(b) = hit_box(h, width, height) else {
            continue;
        };
        let label = category_name(l, h["category"].as_str().unwrap_or(""));
        match boxes.iter_mut().find(|(bb, _)| *bb == b) {
            Some((_, labels)) if !labels.contains(&label) => labels.push(label),
            Some(_) => {}
            None => boxes.push((b, vec![label])),
        }
    }
    // Lines and labels in proportion to the picture, so they read the same at any size.
    let stroke = (width.max(height) / 250).max(2);
    let font = (width.max(height) / 40).max(12);
    let pieces = verdict["pieces"].as_array().cloned().unwrap_or_default();
    // Shown at most 640 pixels high (a phone screenshot would be a page of its own), at
    // most the page's width (the stylesheet), the boxes scaling with it.
    let shown_height = height.min(640);
    let shown_width = width * shown_height / height.max(1);
    html! {
        @if width == 0 || height == 0 {
            p.muted { (l.t("未记录图片尺寸，无法显示。", "The picture's size was not recorded; it cannot be shown.")) }
        } @else {
            figure.picture {
                svg #item-picture xmlns="http://www.w3.org/2000/svg"
                    viewBox={ "0 0 " (width) " " (height) }
                    width=(shown_width) height=(shown_height)
                    role="img"
                    aria-label=(l.t("待审图片及命中位置", "The picture and where its hits are")) {
                    image href={ "/content/" (content) "/image" } x="0" y="0" width=(width) height=(height) {}
                    @for (i, (b, labels)) in boxes.iter().enumerate() {
                        g.hitbox {
                            title { (labels.join(l.t("、", ", "))) }
                            rect x=(b[0]) y=(b[1]) width=(b[2]) height=(b[3])
                                fill="none" stroke="#d0021b" stroke-width=(stroke) {}
                            // The label sits inside the box's top edge, so a box at the
                            // picture's top keeps it visible.
                            text x=(b[0] + stroke * 2) y=(b[1] + font + stroke)
                                font-size=(font) fill="#d0021b" stroke="#fff"
                                stroke-width=(stroke / 2 + 1) paint-order="stroke" {
                                (i + 1) ". " (labels.join(l.t("、", ", ")))
                            }
                        }
                    }
                }
                figcaption.muted {
                    (width) " × " (height) " · "
                    (verdict["image"]["format"].as_str().unwrap_or("")) " · "
                    (l.t("感知哈希", "perceptual hash")) " " code { (verdict["image"]["hash"].as_str().unwrap_or("")) }
                }
            }
        }
        h2 { (l.t("图中读出的文字", "Text read from the picture")) }
        @if pieces.is_empty() {
            p.muted { (l.t("未读出文字或二维码。", "No text or QR code was read.")) }
        } @else {
            table.pieces {
                thead {
                    tr {
                        th { (l.t("位置", "Where")) }
                        th { (l.t("文字", "Text")) }
                        th { (l.t("区域", "Box")) }
                    }
                }
                tbody {
                    @for p in &pieces {
                        tr {
                            td { (part_label(l, p["part"].as_str().unwrap_or(""))) }
                            td.text { (piece_text(l, p, &hits)) }
                            td { code { (p["box"].to_string()) } }
                        }
                    }
                }
            }
        }
    }
}

/// A piece's text with the hits that are in it (same part, same box) marked.
fn piece_text(l: Lang, piece: &serde_json::Value, hits: &[&serde_json::Value]) -> Markup {
    let text = piece["text"].as_str().unwrap_or("");
    let inside: Vec<serde_json::Value> = hits
        .iter()
        .filter(|h| h["part"] == piece["part"] && h["box"] == piece["box"])
        .map(|h| (*h).clone())
        .collect();
    highlighted(l, text, &serde_json::json!({ "hits": inside }))
}
