//! IMS `ImageModeration` (2020-12-29): the picture in `FileContent` is reviewed exactly as
//! `POST /v1/scan/image` reviews it (same permits, same verdict), and the verdict told in
//! IMS's terms: QR codes as `ObjectResults` (scene `QrCode`), text read from the picture as
//! `OcrResults` (scene `OCR`, a detail per line with its location and keywords), known-bad
//! list matches as `LibResults` (scene `Similar`). There is no visual classifier, so
//! `LabelResults` is empty. `FileMD5` is the MD5 of the bytes decoded from `FileContent`, as
//! IMS answers it, so a platform that files verdicts by it finds ours under the same key.

use std::sync::Arc;

use base64::Engine as _;
use qinglang_governance::model::Principal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{hit_suggestion, suggestion, tms_label, worse, TmsError};
use crate::AppState;

/// IMS's request fields as the SDKs send them; `Interval`, `MaxFrames` (for GIFs: we review
/// the first frame), `User`, `Device`, `Type` and `BizTag` are accepted and ignored.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImageModerationRequest {
    #[serde(default)]
    file_content: Option<String>,
    #[serde(default)]
    file_url: Option<String>,
    #[serde(default)]
    biz_type: Option<String>,
    #[serde(default)]
    data_id: Option<String>,
}

pub(super) async fn answer(
    s: &AppState,
    principal: Principal,
    body: &[u8],
) -> Result<Value, TmsError> {
    let request: ImageModerationRequest = serde_json::from_slice(body).map_err(|e| {
        TmsError::new(
            "InvalidParameter",
            format!("the request body is not an ImageModeration request: {e}"),
        )
    })?;
    let picture = match (request.file_content, request.file_url) {
        (Some(content), _) => base64::engine::general_purpose::STANDARD
            .decode(content.trim())
            .map_err(|e| {
                TmsError::new(
                    "InvalidParameterValue",
                    format!("FileContent must be the picture's bytes in base64 ({e})"),
                )
            })?,
        // The server fetches nothing: a self-hosted node reaching out to URLs its callers
        // name would be a way into the platform's own network.
        (None, Some(_)) => {
            return Err(TmsError::new(
                "UnsupportedOperation",
                "FileUrl is not fetched by this server: send the picture in FileContent",
            ))
        }
        (None, None) => {
            return Err(TmsError::new(
                "MissingParameter",
                "the parameter FileContent is missing",
            ))
        }
    };
    let scene = request
        .biz_type
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned);
    let permit = crate::images::permit().await.map_err(|_| {
        TmsError::new(
            "ResourceUnavailable",
            "the picture reviewers are shutting down",
        )
    })?;
    let gov = Arc::clone(&s.gov);
    let scene_for_scan = scene.clone();
    let (verdict, file_md5) = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        // On the blocking pool with the review: a 20 MiB picture is tens of milliseconds
        // of hashing, which an async worker must not spend.
        let file_md5 = md5_hex(&picture);
        gov.scan_image(&principal, &picture, scene_for_scan.as_deref())
            .map(|v| (v, file_md5))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "IMS worker task failed");
        TmsError::new("InternalError", "internal error; see the server log")
    })??;
    crate::count_verdict(&verdict);
    let mut response = ims_response(&verdict, &file_md5);
    response["BizType"] = scene.unwrap_or_default().into();
    response["DataId"] = request.data_id.unwrap_or_default().into();
    Ok(response)
}

/// The MD5 of `bytes` in lowercase hex, as IMS writes `FileMD5`. It only names the file for
/// the client, which needs no collision resistance; pictures are matched by their
/// perceptual hash.
fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest as _;
    qinglang_governance::crypto::hex(&md5::Md5::digest(bytes))
}

fn location(bbox: &Value) -> Value {
    let at = |i: usize| bbox.get(i).and_then(Value::as_u64).unwrap_or(0);
    json!({"X": at(0), "Y": at(1), "Width": at(2), "Height": at(3), "Rotate": 0})
}

/// The IMS response fields for one of our picture verdicts (`/v1/scan/image`'s JSON), for
/// the file whose MD5 is `file_md5`.
pub(super) fn ims_response(verdict: &Value, file_md5: &str) -> Value {
    let ours = verdict["suggestion"].as_str().unwrap_or("pass");
    let score = verdict["score"].as_u64().unwrap_or(0);
    let labels: Vec<&str> = verdict["labels"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let hits: &[Value] = verdict["hits"].as_array().map_or(&[], Vec::as_slice);
    let pieces: &[Value] = verdict["pieces"].as_array().map_or(&[], Vec::as_slice);
    // The label a platform files the picture under: the first category that blocks, else
    // the first counted (a diversion contact before a porn term is still porn).
    let primary = labels
        .iter()
        .copied()
        .find(|c| {
            hits.iter()
                .any(|h| h["category"] == *c && h["action"] == "block")
        })
        .or(labels.first().copied())
        .filter(|_| ours != "pass");
    let label = primary.map_or("Normal", tms_label);
    let sub_label = primary
        .and_then(|c| hits.iter().find(|h| h["category"] == c))
        .map(|h| {
            h["subcategory"]
                .as_str()
                .or(h["category"].as_str())
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default();

    // QR codes: one detail per code, with its payload and whatever was found in it.
    let mut qr = json!({"Scene": "QrCode", "Suggestion": "Pass", "Label": "Normal",
        "SubLabel": "", "Score": 0, "Names": [], "Details": []});
    for (i, piece) in pieces.iter().filter(|p| p["part"] == "qr").enumerate() {
        if let Some(names) = qr["Names"].as_array_mut() {
            names.push("QrCode".into());
        }
        if let Some(details) = qr["Details"].as_array_mut() {
            details.push(
                json!({"Id": i, "Name": "QrCode", "Value": piece["text"], "Score": 100,
                "Location": location(&piece["box"]), "SubLabel": "", "ObjectId": ""}),
            );
        }
    }
    // Text read from the picture: one detail per line that carries a hit.
    let mut ocr = json!({"Scene": "OCR", "Suggestion": "Pass", "Label": "Normal",
        "SubLabel": "", "Score": 0, "Details": [],
        "Text": pieces.iter().filter(|p| p["part"] == "ocr")
            .filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n")});
    let mut listed = json!({"Scene": "Similar", "Suggestion": "Pass", "Label": "Normal",
        "SubLabel": "", "Score": 0, "Details": []});
    for hit in hits {
        let category = hit["category"].as_str().unwrap_or("");
        let hs = hit_suggestion(hit, ours, labels.contains(&category));
        let hit_label = tms_label(category);
        let sub = hit["subcategory"].as_str().unwrap_or(category);
        let hit_score = if hs == "Pass" {
            hit["probability"]
                .as_f64()
                .map_or(0, |p| (p * 100.0).round() as u64)
        } else {
            score
        };
        let result = match hit["part"].as_str() {
            Some("qr") => &mut qr,
            Some("ocr") => &mut ocr,
            Some("image") => &mut listed,
            _ => continue,
        };
        let before = result["Suggestion"].as_str().unwrap_or("Pass").to_owned();
        let now = worse(&before, hs);
        if now != before || (result["Label"] == "Normal" && hs != "Pass") {
            result["Suggestion"] = now.into();
            result["Label"] = hit_label.into();
            result["SubLabel"] = sub.into();
        }
        if hit_score > result["Score"].as_u64().unwrap_or(0) {
            result["Score"] = hit_score.into();
        }
        let source = hit["source"].as_str().unwrap_or("");
        let (lib_id, lib_name) = if source == "default" {
            ("", "")
        } else {
            (source, source)
        };
        let details = result["Details"].as_array_mut();
        match hit["part"].as_str() {
            Some("ocr") => {
                let line = hit["text"].as_str().unwrap_or("");
                let keyword = hit["term"].clone();
                let Some(details) = details else { continue };
                match details.iter_mut().find(|d| d["Text"] == line) {
                    Some(d) => {
                        if let Some(k) = d["Keywords"].as_array_mut() {
                            if !k.contains(&keyword) {
                                k.push(keyword);
                            }
                        }
                    }
                    None => details.push(json!({"Text": line, "Label": hit_label,
                        "LibId": lib_id, "LibName": lib_name, "Keywords": [keyword],
                        "Score": hit_score, "Location": location(&hit["box"]), "Rate": hit_score,
                        "SubLabel": sub})),
                }
            }
            Some("image") => {
                let Some(details) = details else { continue };
                let list = &hit["listed"];
                let name = source.strip_prefix("image_list:").unwrap_or(source);
                details.push(
                    json!({"Id": details.len(), "LibId": list["list"].to_string(),
                    "LibName": name, "ImageId": list["entry"].to_string(),
                    "Label": hit_label, "Tag": sub, "Score": hit_score}),
                );
            }
            _ => {}
        }
    }
    let mut object_results = Vec::new();
    if qr["Details"].as_array().is_some_and(|d| !d.is_empty()) {
        object_results.push(qr);
    }
    let mut ocr_results = Vec::new();
    if ocr["Text"].as_str().is_some_and(|t| !t.is_empty()) {
        ocr_results.push(ocr);
    }
    let mut lib_results = Vec::new();
    if listed["Details"].as_array().is_some_and(|d| !d.is_empty()) {
        lib_results.push(listed);
    }
    json!({
        "Suggestion": suggestion(ours),
        "Label": label,
        "SubLabel": sub_label,
        "Score": score,
        "LabelResults": [],
        "ObjectResults": object_results,
        "OcrResults": ocr_results,
        "LibResults": lib_results,
        "RecognitionResults": [],
        "Extra": "",
        "FileMD5": file_md5,
        "StoreUrl": "",
        "Reason": if verdict["incomplete"] == true { "incomplete" } else { "" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_md5_is_the_lowercase_hex_of_rfc_1321() {
        // The test suite of RFC 1321 (appendix A.5).
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
        let v = json!({"suggestion": "pass", "score": 0, "labels": [], "hits": [], "pieces": []});
        assert_eq!(
            ims_response(&v, &md5_hex(b"abc"))["FileMD5"],
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }
}
