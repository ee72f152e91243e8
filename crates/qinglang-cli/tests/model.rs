//! The classifier through the real binary (REV-2, REV-9): `qinglang train` is deterministic
//! and its model joins `scan`; `qinglang learn` teaches the deployment's model, `scan
//! --learned` sees it, `--reset` forgets it; the shipped model's quality on COLD dev.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn qinglang(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qinglang"))
        .args(args)
        .output()
        .expect("run qinglang")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qinglang-model-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A temporary directory holding `labelled.jsonl` with these lines; returns both paths.
fn labelled_jsonl(dir_name: &str, lines: &[&str]) -> (PathBuf, PathBuf) {
    let dir = temp_dir(dir_name);
    let data = dir.join("labelled.jsonl");
    std::fs::write(&data, lines.join("\n")).expect("write data");
    (dir, data)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A scan may exit 1 (something flagged); everything else here must exit 0.
fn ok(out: &Output) -> &Output {
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn done(out: &Output) -> &Output {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn verdict(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&ok(out).stdout).into_owned();
    serde_json::from_str(text.lines().next().expect("a verdict")).expect("json verdict")
}

/// `qinglang eval --format json ARGS…`, which must succeed; its report.
fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eval", "--format", "json"];
    all.extend(args);
    serde_json::from_slice(&done(&qinglang(&all)).stdout).expect("eval json")
}

fn model_hits(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| {
            h["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("model:"))
        })
        .cloned()
        .collect()
}

#[test]
fn train_is_deterministic_and_its_model_joins_the_scan() {
    let dir = temp_dir("train");
    let mut data = String::new();
    for insult in ["蠢货", "废物", "垃圾人", "滚出去"] {
        for frame in ["你这个{}", "{}一个", "他们都是{}", "说的就是你{}"] {
            let text = frame.replace("{}", insult);
            data.push_str(&format!("{{\"text\": \"{text}\", \"label\": 1}}\n"));
        }
    }
    for text in [
        "今天天气很好",
        "我们去公园散步",
        "这家店的面很好吃",
        "明天一起开会",
        "谢谢你的帮助",
        "周末去看电影吧",
        "这本书写得不错",
        "火车晚点了半小时",
        "春天的花开了",
        "孩子们在操场上玩",
        "晚饭吃饺子",
        "图书馆九点开门",
        "今年的收成很好",
        "你好，请问几点了",
        "会议推迟到下周",
        "我喜欢听音乐",
    ] {
        data.push_str(&format!("{{\"text\": \"{text}\", \"label\": 0}}\n"));
    }
    let train = dir.join("train.jsonl");
    std::fs::write(&train, data).expect("write");
    let (a, b) = (dir.join("a.qlm"), dir.join("b.qlm"));
    for out in [&a, &b] {
        let args = [
            "train",
            "--train",
            path(&train),
            "--out",
            path(out),
            "--name",
            "toy",
            "--category",
            "abuse",
            "--bits",
            "16",
            "--c",
            "10",
            "--seed",
            "3",
        ];
        done(&qinglang(&args));
    }
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));

    let input = dir.join("input.txt");
    std::fs::write(&input, "你就是个废物").expect("write");
    let v = verdict(&qinglang(&[
        "scan",
        "--format",
        "json",
        "--model",
        path(&a),
        path(&input),
    ]));
    let hits = model_hits(&v);
    assert_eq!(hits.len(), 1, "{v}");
    assert_eq!(hits[0]["source"], "model:toy");
    assert_eq!(hits[0]["category"], "abuse");
    assert!(hits[0]["probability"].as_f64().expect("probability") >= 0.5);
    assert!(v["labels"]
        .as_array()
        .expect("labels")
        .contains(&"abuse".into()));

    // Without a held-out file: calibrated on out-of-fold scores, which it reports.
    let folded = dir.join("folded.qlm");
    let out = qinglang(&[
        "train",
        "--train",
        path(&train),
        "--calibrate-folds",
        "4",
        "--out",
        path(&folded),
        "--bits",
        "16",
        "--c",
        "10",
    ]);
    done(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("out-of-fold accuracy (4 folds, calibrated, at probability 0.5)"),
        "{stderr}"
    );
    assert!(folded.exists());
    let out = qinglang(&[
        "train",
        "--train",
        path(&train),
        "--calibrate",
        path(&train),
        "--calibrate-folds",
        "4",
        "--out",
        path(&folded),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = qinglang(&[
        "train",
        "--train",
        path(&train),
        "--calibrate-folds",
        "1",
        "--out",
        path(&folded),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 is not in 2..=20"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Bad input names the problem.
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"x\", \"label\": 2}\n").expect("write");
    let out = qinglang(&[
        "train",
        "--train",
        path(&bad),
        "--out",
        path(&dir.join("c.qlm")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jsonl: label \"2\" is not binary"));
    let out = qinglang(&["scan", "--model", path(&train), path(&input)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a qinglang model file"));
    // The model loads beside the lexicons' compilation; with both broken the lexicon is the
    // one named, whether it cannot be read (an unknown action) or cannot be compiled (a term
    // with nothing to match), and a missing --learned store is named as such.
    let lexicon = dir.join("broken.txt");
    for (content, expected) in [
        (
            "ok\tspam\treview\nbad\tspam\tnope\n",
            "broken.txt:2: unknown action",
        ),
        (
            "***\tspam\treview\n",
            "broken.txt:1: term \"***\" has nothing to match",
        ),
    ] {
        std::fs::write(&lexicon, content).expect("write");
        let out = qinglang(&[
            "scan",
            "--lexicon",
            path(&lexicon),
            "--model",
            path(&train),
            path(&input),
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("not a qinglang model file"), "{err}");
    }
    let missing = dir.join("nowhere.db");
    let out = qinglang(&["scan", "--learned", path(&missing), path(&input)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nowhere.db: no such database"), "{err}");
}

#[test]
fn learn_changes_later_verdicts_and_reset_forgets() {
    let dir = temp_dir("learn");
    let key = dir.join("key");
    std::fs::write(&key, "cd".repeat(32)).expect("key");
    let db = dir.join("q.db");
    let store = ["--db", path(&db), "--key-file", path(&key)];
    let text = "加我好友领取免费红包，名额有限先到先得";
    let input = dir.join("input.txt");
    std::fs::write(&input, text).expect("write");
    let scan = |learned: bool| {
        let mut args = vec!["scan", "--format", "json"];
        if learned {
            args.extend(["--learned", path(&db)]);
        }
        args.push(path(&input));
        verdict(&qinglang(&args))
    };
    assert!(
        model_hits(&scan(false)).is_empty(),
        "the shipped model passes it"
    );

    let spam = dir.join("spam.txt");
    std::fs::write(&spam, format!("{text}\n\n")).expect("write");
    let mut args = vec!["learn", "--spam", path(&spam)];
    args.extend(store);
    done(&qinglang(&args));
    let v = scan(true);
    assert_eq!(model_hits(&v).len(), 1, "{v}");
    assert_ne!(v["suggestion"], "pass");
    assert!(
        model_hits(&scan(false)).is_empty(),
        "the shipped model is untouched"
    );

    let mut args = vec!["learn", "--status"];
    args.extend(store);
    let status: serde_json::Value =
        serde_json::from_slice(&done(&qinglang(&args)).stdout).expect("status json");
    assert_eq!(
        (status["spam"].as_u64(), status["ham"].as_u64()),
        (Some(1), Some(0))
    );

    // Listed in the order applied; forgetting that one example alone undoes it.
    let ham = dir.join("ham.txt");
    std::fs::write(&ham, "你们地区的人说话都这么直接吗，挺有意思\n").expect("write");
    let mut args = vec!["learn", "--ham", path(&ham)];
    args.extend(store);
    done(&qinglang(&args));
    let mut args = vec!["learn", "--list"];
    args.extend(store);
    let listed: Vec<serde_json::Value> = String::from_utf8_lossy(&done(&qinglang(&args)).stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (&listed[0]["label"], &listed[0]["text"]),
        (&"spam".into(), &text.into())
    );
    assert_eq!(listed[1]["label"], "ham");
    let id = listed[0]["id"].as_i64().expect("id").to_string();
    let mut args = vec!["learn", "--forget", &id];
    args.extend(store);
    done(&qinglang(&args));
    assert!(model_hits(&scan(true)).is_empty(), "forgetting undoes it");
    let out = qinglang(&args);
    assert_eq!(out.status.code(), Some(2), "it is gone");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&spam, format!("{text}\n")).expect("write");
    let mut args = vec!["learn", "--spam", path(&spam)];
    args.extend(store);
    done(&qinglang(&args));
    assert_eq!(model_hits(&scan(true)).len(), 1);

    let mut args = vec!["learn", "--reset"];
    args.extend(store);
    done(&qinglang(&args));
    assert!(model_hits(&scan(true)).is_empty(), "reset forgets");

    // The store's audit chain recorded both and still verifies.
    let mut args = vec!["audit", "verify"];
    args.extend(store);
    assert_eq!(qinglang(&args).status.code(), Some(0));
}

#[test]
fn shipped_model_holds_its_quality_on_cold_dev() {
    // Dev, not test: the test split is for the figures in the notes, never for checks that
    // could steer changes.
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cold/dev.csv");
    let out = qinglang(&["eval", "--format", "json", path(&dev)]);
    let report: serde_json::Value = serde_json::from_slice(&ok(&out).stdout).expect("eval json");
    let accuracy = report["accuracy"].as_f64().expect("accuracy");
    assert!(accuracy >= 0.90, "COLD dev accuracy {accuracy}");
    let out = qinglang(&["eval", "--format", "json", "--no-model", path(&dev)]);
    let lexicon_only: serde_json::Value =
        serde_json::from_slice(&ok(&out).stdout).expect("eval json");
    assert!(lexicon_only["accuracy"].as_f64().expect("accuracy") < 0.6);
}

#[test]
fn eval_ends_quietly_when_its_reader_stops_early() {
    // `qinglang eval … | head -2` must not end in a panic when `head` closes the pipe.
    let (_dir, data) = labelled_jsonl(
        "pipe",
        &[
            r#"{"text": "今天天气很好", "label": 0}"#,
            r#"{"text": "黑人就是低等", "label": 1}"#,
        ],
    );
    for format in ["text", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qinglang"))
            .args(["eval", "--format", format, path(&data)])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run qinglang");
        // The reader is gone before the report is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
}

#[test]
fn eval_lists_its_errors_and_they_teach_the_deployment_model() {
    // REV-9's loop for a content-security lead: measure, read what went wrong, confirm it,
    // teach it. The first text is an anti-bias comment the shipped model flags.
    let (dir, data) = labelled_jsonl(
        "errors",
        &[
            r#"{"text": "骂人家整个省的人有什么意思，我觉得挺没素质的。", "label": 0}"#,
            r#"{"text": "今天天气很好，我们去公园散步吧", "label": 0}"#,
            r#"{"text": "黑人就是低等，滚出中国", "label": 1}"#,
        ],
    );
    let errors = dir.join("errors.jsonl");
    let eval = |learned: Option<&Path>| {
        let mut args = vec!["eval", "--no-default-lexicon", "--format", "json"];
        if let Some(db) = learned {
            args.extend(["--learned", path(db)]);
        }
        args.extend(["--errors", path(&errors), path(&data)]);
        let report: serde_json::Value =
            serde_json::from_slice(&done(&qinglang(&args)).stdout).expect("eval json");
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&errors)
            .expect("errors file")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        (report, lines)
    };

    let (report, lines) = eval(None);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let wrong = &lines[0];
    assert_eq!(wrong["id"], 1, "numbered from 1 in the data");
    assert_eq!(
        (&wrong["gold"], &wrong["predicted"]),
        (&"0".into(), &"1".into())
    );
    assert_eq!(wrong["suggestion"], "review");
    assert_eq!(model_hits(wrong).len(), 1, "its verdict says why: {wrong}");
    assert!((report["accuracy"].as_f64().expect("accuracy") - 2.0 / 3.0).abs() < 1e-9);

    // The errors file is `learn` input as it stands.
    let key = dir.join("key");
    std::fs::write(&key, "cd".repeat(32)).expect("key");
    let db = dir.join("q.db");
    done(&qinglang(&[
        "learn",
        "--ham",
        path(&errors),
        "--db",
        path(&db),
        "--key-file",
        path(&key),
    ]));
    let (report, lines) = eval(Some(&db));
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(report["accuracy"], 1.0);

    // A path that cannot be written fails before the scan; a run that fails (here: a
    // model file that is not one) leaves the last errors file as it was, and no partial one.
    let out = qinglang(&[
        "eval",
        "--errors",
        path(&dir.join("no/such/dir/e.jsonl")),
        path(&data),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    let before = std::fs::read(&errors).expect("errors file");
    let out = qinglang(&[
        "eval",
        "--model",
        path(&data),
        "--errors",
        path(&errors),
        path(&data),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&errors).expect("errors file"), before);
    assert!(!dir.join("errors.jsonl.partial").exists());
}

#[test]
fn eval_reports_other_model_review_thresholds_for_a_lead_to_choose_one() {
    // COLD's layout with its fine-grained label: 3 = anti-bias (safe), 1/2 = attacks.
    let dir = temp_dir("thresholds");
    let data = dir.join("labelled.csv");
    std::fs::write(
        &data,
        "TEXT,label,fine-grained-label\n\
         骂人家整个省的人有什么意思，我觉得挺没素质的。,0,3\n\
         今天天气很好，我们去公园散步吧,0,0\n\
         黑人就是低等，滚出中国,1,2\n\
         你这个人真是个蠢货，滚,1,1\n\
         河南人都是骗子,1,2\n",
    )
    .expect("write csv");
    let report = eval_json(&["--thresholds", path(&data)]);
    let at = &report["thresholds"];
    assert_eq!(at["current"], 0.5);
    let rows = at["rows"].as_array().expect("rows");
    let thresholds: Vec<f64> = rows
        .iter()
        .map(|r| r["model_review"].as_f64().expect("threshold"))
        .collect();
    let grid = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
    assert_eq!(thresholds.len(), grid.len(), "{thresholds:?}");
    for (t, g) in thresholds.iter().zip(grid) {
        assert!((t - g).abs() < 1e-6, "{thresholds:?}");
    }
    // The row at the policy's own threshold is the report above it.
    let current = &rows[4];
    assert_eq!(current["accuracy"], report["accuracy"]);
    assert_eq!(
        current["flagged_by_fine_label"],
        report["flagged_by_fine_label"]
    );
    // A higher threshold never flags more, and the lowest flags every attack here.
    let flagged: Vec<f64> = rows
        .iter()
        .map(|r| r["flagged"].as_f64().expect("flagged"))
        .collect();
    assert!(flagged.windows(2).all(|w| w[0] >= w[1]), "{flagged:?}");
    assert_eq!(rows[0]["recall"], 1.0);
    assert!(flagged[0] > flagged[10], "{flagged:?}");

    // Chosen thresholds, in any order and repeated, come back sorted and once; the text
    // report marks none as current when the policy's is not among them.
    let out = done(&qinglang(&[
        "eval",
        "--thresholds=0.7,0.3,0.7",
        path(&data),
    ]))
    .stdout
    .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("model_review thresholds"), "{text}");
    assert!(text.contains("fine 3"), "{text}");
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("threshold"))
        .skip(1)
        .take_while(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(table.len(), 2, "{text}");
    assert!(table[0].trim_start().starts_with("0.3 ") && table[1].trim_start().starts_with("0.7 "));
    let marked = done(&qinglang(&["eval", "--thresholds", path(&data)]))
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&marked).contains("0.5*"));

    // The deployment's policy file sets the threshold the report is made with.
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policy/default.toml"
    ))
    .expect("shipped policy");
    assert!(shipped.contains("\nmodel_review = 0.5\n"));
    let strict = dir.join("strict.toml");
    std::fs::write(
        &strict,
        shipped.replace("\nmodel_review = 0.5\n", "\nmodel_review = 0.99\n"),
    )
    .expect("write policy");
    let under = eval_json(&["--policy", path(&strict), "--thresholds=0.99", path(&data)]);
    let current = under["thresholds"]["current"].as_f64().expect("current");
    assert!((current - 0.99).abs() < 1e-6, "{current}");
    assert_eq!(under["accuracy"], rows[10]["accuracy"]);
    assert_eq!(
        under["thresholds"]["rows"][0]["accuracy"],
        rows[10]["accuracy"]
    );
    // A policy that blocks from 0.95 on: the default grid stops below it, and a threshold
    // at it is refused by name.
    let blocking = dir.join("blocking.toml");
    std::fs::write(
        &blocking,
        shipped.replace(
            "\nmodel_review = 0.5\n",
            "\nmodel_review = 0.5\nmodel_block = 0.95\n",
        ),
    )
    .expect("write policy");
    let under = eval_json(&["--policy", path(&blocking), "--thresholds", path(&data)]);
    let last = under["thresholds"]["rows"]
        .as_array()
        .and_then(|r| r.last())
        .and_then(|r| r["model_review"].as_f64())
        .expect("rows");
    assert!((last - 0.9).abs() < 1e-6, "{under}");
    let out = qinglang(&[
        "eval",
        "--policy",
        path(&blocking),
        "--thresholds=0.95",
        path(&data),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--thresholds: 0.95"), "{stderr}");
    assert!(stderr.contains("must be above model_review"), "{stderr}");
    let invalid = dir.join("invalid.toml");
    std::fs::write(
        &invalid,
        shipped.replace("\nmodel_review = 0.5\n", "\nmodel_review = 2\n"),
    )
    .expect("write policy");
    let out = qinglang(&["eval", "--policy", path(&invalid), path(&data)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid.toml: review: model_review must be between 0 and 1, got 2"),
        "{stderr}"
    );

    // What cannot be done says why.
    for (args, expected) in [
        (
            vec!["--thresholds=1.5"],
            "--thresholds: 1.5 is not between 0 and 1",
        ),
        (vec!["--thresholds=abc"], "invalid value 'abc'"),
        (
            vec!["--thresholds", "--no-model"],
            "it needs the model (drop --no-model)",
        ),
    ] {
        let mut all = vec!["eval"];
        all.extend(args);
        all.push(path(&data));
        let out = qinglang(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{all:?}: {stderr}");
    }
    let categories = dir.join("categories.jsonl");
    std::fs::write(
        &categories,
        "{\"text\": \"博彩网站\", \"label\": \"gambling\"}\n",
    )
    .expect("write");
    let out = qinglang(&["eval", "--thresholds", path(&categories)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--thresholds needs binary labels"));
}

#[test]
fn eval_names_the_missing_csv_column_and_the_header_it_read() {
    let dir = temp_dir("csv");
    for (name, content, expected) in [
        (
            "no-text.csv",
            "a,b\n1,2\n",
            r#"no text column (TEXT, comment_text or content) in the header row: "a", "b""#,
        ),
        (
            "no-label.csv",
            "TEXT,x\nhello,1\n",
            r#"no label column in the header row: "TEXT", "x""#,
        ),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, content).expect("write csv");
        let out = qinglang(&["eval", path(&file)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(expected),
            "{stderr}"
        );
    }
}
