//! `qinglang scan --image` (DESIGN.md contract, REV-10): one verdict per picture, id = the
//! path as given, hits with `part` and `box`, exit codes as for text.

#[path = "../../qinglang-image/tests/synth/mod.rs"]
mod synth;

use std::process::Command;

fn scan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qinglang"))
        .args(["scan", "--image"])
        .args(args)
        .output()
        .expect("run qinglang")
}

#[test]
fn pictures_get_one_verdict_each_with_the_code_placed() {
    let dir = std::env::temp_dir().join(format!("qinglang-cli-image-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut rng = synth::Rng::new(5);
    let mut shot = synth::screenshot(&mut rng);
    synth::paste_rotated(
        &mut shot,
        &synth::qr_code("澳门赌场 https://bet365-vip.cc/reg", 220),
        300,
        800,
        8.0,
    );
    let spam = dir.join("spam.jpg");
    std::fs::write(&spam, synth::jpeg(&shot, 60)).expect("write");
    let clean = dir.join("clean.png");
    std::fs::write(&clean, synth::png(&synth::screenshot(&mut rng))).expect("write");
    let (spam, clean) = (spam.display().to_string(), clean.display().to_string());

    // The policy's largest budget: this test is about what gets decided, beside other test
    // binaries on two cores in a debug build; the budget is tested in the image crate.
    let policy_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/default.toml"),
    )
    .expect("the shipped policy");
    assert!(
        policy_text.contains("budget_ms = 2000"),
        "the shipped policy sets images.budget_ms"
    );
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        policy_text.replace("budget_ms = 2000", "budget_ms = 10000"),
    )
    .expect("write");
    let policy = policy.display().to_string();
    let out = scan(&["--format", "json", "--policy", &policy, &spam, &clean]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    let v = &lines[0];
    assert_eq!(v["id"], spam.as_str());
    assert_eq!(v["suggestion"], "block", "{v}");
    assert_eq!(v["image"]["format"], "jpeg");
    assert_eq!(v["image"]["width"], 1080);
    assert_eq!(v["pieces"][0]["part"], "qr");
    let hit = v["hits"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["category"] == "gambling"))
        .expect("a gambling hit");
    assert_eq!(hit["part"], "qr");
    assert_eq!(hit["text"], "澳门赌场 https://bet365-vip.cc/reg");
    let bbox: Vec<u64> = hit["box"]
        .as_array()
        .expect("box")
        .iter()
        .filter_map(|n| n.as_u64())
        .collect();
    assert_eq!(bbox.len(), 4);
    assert!(bbox[0] >= 300 && bbox[1] >= 800, "{bbox:?}");
    let (start, end) = (
        hit["start"].as_u64().unwrap_or(0) as usize,
        hit["end"].as_u64().unwrap_or(0) as usize,
    );
    let chars: Vec<char> = "澳门赌场 https://bet365-vip.cc/reg".chars().collect();
    assert!(end <= chars.len() && start < end);
    assert_eq!(lines[1]["id"], clean.as_str());
    assert_eq!(lines[1]["suggestion"], "pass", "{}", lines[1]);
    // The clean screenshot's strokes are not text; OCR may read one as a stray digit, never
    // as anything that changes the verdict, and there is no code in it.
    assert!(
        lines[1]["pieces"]
            .as_array()
            .is_some_and(|p| p.iter().all(|p| p["part"] == "ocr")),
        "{}",
        lines[1]
    );
    // --no-ocr: QR codes only.
    let out = scan(&["--format", "json", "--no-ocr", &clean]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["pieces"], serde_json::json!([]), "{v}");
    // …and so does a policy whose `[images]` section turns OCR off, as on the server.
    let no_ocr = dir.join("no-ocr.toml");
    std::fs::write(&no_ocr, policy_text.replace("ocr = true", "ocr = false")).expect("write");
    let out = scan(&[
        "--format",
        "json",
        "--policy",
        &no_ocr.display().to_string(),
        &clean,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["pieces"], serde_json::json!([]), "{v}");

    let out = scan(&[&spam]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(&format!("{spam}: BLOCK")), "{text}");
    assert!(text.contains("  qr ["), "{text}");
    assert!(text.contains("【"), "{text}");

    let out = scan(&["--policy", &policy, &clean]);
    assert_eq!(out.status.code(), Some(0));

    // Not a picture: exit 2, the file and the reason named.
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "just some text").expect("write");
    let out = scan(&[&notes.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("notes.txt") && said.contains("PNG, JPEG, WebP or GIF"),
        "{said}"
    );
    let out = scan(&[]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--image-lists DB`: the deployment's known-bad lists apply as on the server; a resized,
/// recompressed copy of a listed picture is blocked with the list's category, the original
/// scan without the lists passes.
#[test]
fn known_bad_lists_from_the_database_apply() {
    use qinglang_governance::images::{ImageList, ImageListEntry, ListAction, PerceptualHash};
    use qinglang_governance::model::Timestamp;
    use qinglang_governance::Store as _;

    let dir = std::env::temp_dir().join(format!("qinglang-cli-lists-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let original = synth::poster(&mut synth::Rng::new(31), 800, 600);
    let first = dir.join("original.png");
    std::fs::write(&first, synth::png(&original)).expect("write");
    let first = first.display().to_string();
    let out = scan(&["--format", "json", &first]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["suggestion"], "pass", "{v}");
    let hash = PerceptualHash::from_hex(v["image"]["hash"].as_str().expect("hash")).expect("hex");

    let db = dir.join("q.db");
    let store = qinglang_store::Database::open(
        &qinglang_store::Location::Sqlite(db.clone()),
        Default::default(),
    )
    .expect("store");
    store
        .write(|tx| {
            let list = tx.insert_image_list(&ImageList {
                id: 0,
                name: "诈骗截图".into(),
                category: "fraud".into(),
                action: ListAction::Block,
                created_by: "lin".into(),
                created_at: Timestamp(0),
                entries: 0,
            })?;
            tx.insert_image_list_entry(&ImageListEntry {
                id: 0,
                list,
                hash,
                note: String::new(),
                content: None,
                added_by: "lin".into(),
                added_at: Timestamp(0),
            })
        })
        .expect("listed");
    drop(store);

    let (w, h) = original.dimensions();
    let copy = dir.join("copy.jpg");
    std::fs::write(
        &copy,
        synth::jpeg(
            &image::imageops::resize(
                &original,
                w * 3 / 4,
                h * 3 / 4,
                image::imageops::FilterType::Triangle,
            ),
            60,
        ),
    )
    .expect("write");
    let copy = copy.display().to_string();
    let db = db.display().to_string();
    let out = scan(&["--format", "json", "--image-lists", &db, &copy]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["suggestion"], "block", "{v}");
    assert_eq!(v["labels"], serde_json::json!(["fraud"]));
    assert_eq!(v["hits"][0]["part"], "image");
    assert_eq!(v["hits"][0]["source"], "image_list:诈骗截图");
    let out = scan(&["--image-lists", &db, &copy]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("BLOCK") && text.contains("image list 诈骗截图 (fraud, block)"),
        "{text}"
    );
    let out = scan(&[
        "--image-lists",
        &dir.join("none.db").display().to_string(),
        &copy,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such database"));
    let _ = std::fs::remove_dir_all(&dir);
}
