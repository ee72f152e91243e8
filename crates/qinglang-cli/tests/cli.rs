//! The `qinglang scan` contract (DESIGN.md) through the real binary: fields, offsets,
//! exit codes 0/1/2 and error messages that name the bad line or file.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn qinglang(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qinglang"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn qinglang");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A command refused for its arguments exits before reading its input: a closed pipe
    // is its answer, not a test failure (the exit status says what happened).
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qinglang-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path.display().to_string()
}

/// `scan --jsonl --floods`, a message flagged from its third copy on (REV-7).
const FLOOD_SCAN: &[&str] = &[
    "scan",
    "--jsonl",
    "--format",
    "json",
    "--no-model",
    "--floods",
    "--flood-min-copies",
    "3",
];

/// A verdict's flood hit, if any.
fn flood_hit(v: &serde_json::Value) -> Option<serde_json::Value> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["source"] == "rule:flood")
        .cloned()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

#[test]
fn jsonl_verdicts_follow_the_contract() {
    let dir = temp_dir("contract");
    let lexicon = write(&dir, "ops.txt", "成人视频\tporn\n赌博\tgambling\treview\n");
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"免费看成*人*视*频\"}\n",
        "{\"id\": 7, \"text\": \"今天天气很好\"}\n",
        "{\"text\": \"去赌博\"}\n",
    );
    let out = qinglang(
        &[
            "scan",
            "--jsonl",
            "--format",
            "json",
            "--no-default-lexicon",
            "--lexicon",
            &lexicon,
        ],
        input,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["id"], "a");
    assert_eq!(v[0]["suggestion"], "block");
    assert_eq!(v[0]["labels"], serde_json::json!(["porn"]));
    let hit = &v[0]["hits"][0];
    assert_eq!(hit["term"], "成人视频");
    assert_eq!(hit["category"], "porn");
    assert_eq!(hit["action"], "block");
    assert_eq!(hit["source"], lexicon.as_str());
    assert_eq!(hit["text"], "成*人*视*频");
    // Scalar-value and byte offsets into the original text, end exclusive.
    assert_eq!(
        (hit["start"].as_u64(), hit["end"].as_u64()),
        (Some(3), Some(10))
    );
    assert_eq!(
        (hit["byte_start"].as_u64(), hit["byte_end"].as_u64()),
        (Some(9), Some(24))
    );
    assert!(v[0]["score"].as_u64().is_some_and(|s| s <= 100));

    assert_eq!(v[1]["id"], 7);
    assert_eq!(v[1]["suggestion"], "pass");
    assert_eq!(v[1]["hits"], serde_json::json!([]));
    assert!(v[2].get("id").is_none());
    assert_eq!(v[2]["suggestion"], "review");
}

#[test]
fn exit_status_is_zero_when_everything_passes() {
    let out = qinglang(
        &["scan", "--format", "json"],
        "今天天气很好，我们去公园散步。",
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_lines(&out);
    assert_eq!(v[0]["suggestion"], "pass");
}

#[test]
fn default_lexicon_blocks_stdin_and_files() {
    let out = qinglang(&["scan", "--format", "json"], "免费毛片在线看");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out)[0]["suggestion"], "block");

    let dir = temp_dir("files");
    let clean = write(&dir, "clean.txt", "你好");
    let dirty = write(&dir, "dirty.txt", "免费毛片在线看");
    let out = qinglang(&["scan", "--format", "json", &clean, &dirty], "");
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out);
    assert_eq!(v[0]["id"], clean.as_str());
    assert_eq!(v[0]["suggestion"], "pass");
    assert_eq!(v[1]["suggestion"], "block");
}

#[test]
fn malformed_jsonl_line_is_named_and_earlier_verdicts_are_kept() {
    let input = "{\"id\": 1, \"text\": \"你好\"}\n{\"id\": 2, \"text\": \n";
    let out = qinglang(&["scan", "--jsonl", "--format", "json"], input);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:2: malformed JSONL line"),
        "{stderr}"
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["id"], 1);
}

#[test]
fn missing_text_field_is_an_error_naming_the_line() {
    let dir = temp_dir("fields");
    let file = write(
        &dir,
        "in.jsonl",
        "{\"id\": 1, \"text\": \"a\"}\n\n{\"id\": 2}\n",
    );
    let out = qinglang(&["scan", "--jsonl", &file], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{file}:3:")), "{stderr}");
    assert!(stderr.contains("text"), "{stderr}");
}

/// A lexicon saved in GBK by mistake is named with the line of its first bad byte.
#[test]
fn non_utf8_lexicon_is_named_with_its_line() {
    let dir = temp_dir("gbk");
    let path = dir.join("gbk.txt");
    std::fs::write(&path, b"ok\n# \xe8\xb5\x8c\n\xb6\xc4\xb2\xa9\n").expect("write");
    let path = path.display().to_string();
    let out = qinglang(&["scan", "--lexicon", &path], "hi");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "{path}:3: not UTF-8 text (invalid byte at offset 9)"
        )),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_lexicon_line_is_named() {
    let dir = temp_dir("lexicon");
    let lexicon = write(&dir, "bad.txt", "赌博\tgambling\n黄片\tporn\tblok\n");
    let out = qinglang(&["scan", "--lexicon", &lexicon], "x");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{lexicon}:2: unknown action \"blok\"")),
        "{stderr}"
    );
}

#[test]
fn unreadable_file_and_bad_arguments_exit_two() {
    let out = qinglang(&["scan", "/nonexistent/qinglang-input.txt"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/qinglang-input.txt"));

    let out = qinglang(&["scan", "--format", "xml"], "");
    assert_eq!(out.status.code(), Some(2));

    let out = qinglang(&["scan", "--no-default-lexicon"], "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lexicon"));
}

#[test]
fn text_output_shows_each_hit_in_context() {
    let dir = temp_dir("text");
    let lexicon = write(&dir, "ops.txt", "赌博网站\tgambling\n");
    let out = qinglang(
        &["scan", "--no-default-lexicon", "--lexicon", &lexicon],
        "第一行\n推荐一个賭*博網站给你",
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("<stdin>: BLOCK  score 90  labels gambling\n"),
        "{stdout}"
    );
    // line:column, the disguise marked in its context, and where the term came from.
    assert!(
        stdout.contains("2:5  推荐一个【賭*博網站】给你"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("赌博网站 → gambling block ({lexicon}:1)")),
        "{stdout}"
    );
}

/// A page's link target is reviewed after the link's words but sits before them in the
/// page: the text output lists the hits in page order with their page lines, instead of
/// cutting a context backwards (a panic, exit 101, before the fix) (REV-8).
#[test]
fn html_text_output_lists_a_link_target_before_the_words_it_follows() {
    let dir = temp_dir("html-text");
    let lexicon = write(&dir, "ops.txt", "赌博\tgambling\n成人视频\tporn\n");
    let page = write(
        &dir,
        "page.html",
        "<p><a href=\"/赌博\">\n成人视频</a></p>\n",
    );
    let out = qinglang(
        &[
            "scan",
            "--html",
            "--no-default-lexicon",
            "--lexicon",
            &lexicon,
            &page,
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let target = stdout.find("1:14").expect("the link target on line 1");
    let words = stdout
        .find("2:1  【成人视频】")
        .expect("the link's words on line 2");
    assert!(target < words, "{stdout}");

    // The same page through --jsonl: every verdict comes back, none is lost to a panic.
    let input = serde_json::json!({"id": "p", "text": std::fs::read_to_string(&page).unwrap()});
    let out = qinglang(
        &[
            "scan",
            "--jsonl",
            "--html",
            "--no-default-lexicon",
            "--lexicon",
            &lexicon,
        ],
        &format!("{input}\n{{\"id\": \"q\", \"text\": \"<p>你好</p>\"}}\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("p: BLOCK"), "{stdout}");
    assert!(stdout.contains("q: PASS"), "{stdout}");
}

/// `lexicon check` counts the file's entries, not the engine's built-in rules with them.
#[test]
fn lexicon_check_counts_the_files_entries() {
    let dir = temp_dir("check");
    let one = write(&dir, "one.txt", "赌博\n");
    let two = write(
        &dir,
        "two.txt",
        "# 注释\n成人视频\tporn\n成人 视频\tporn\treview\n",
    );
    let out = qinglang(&["lexicon", "check", &one, &two], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 3 entries, 2 distinct terms\n"
    );
}

/// `lexicon check` lists every problem line, warns of fields separated by spaces and of a
/// misspelt shipped category, and accepts an operator's own category (#22).
#[test]
fn lexicon_check_lists_every_problem_line() {
    let dir = temp_dir("check-problems");
    let file = write(
        &dir,
        "ops.txt",
        "葡京 gambling block\n澳门赌场\tgamblng\n好词\tporn\tblok\n游戏代练\tgame_boost\treview\n\tporn\n",
    );
    let out = qinglang(&["lexicon", "check", &file], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ok"));
    for (line, says) in [
        (1, "separated by spaces"),
        (2, "did you mean \"gambling\""),
        (3, "unknown action \"blok\""),
        (5, "empty term"),
    ] {
        assert!(
            stderr.contains(&format!("ops.txt:{line}: ")) && stderr.contains(says),
            "line {line} ({says}): {stderr}"
        );
    }
    assert!(!stderr.contains("ops.txt:4:"), "{stderr}");
    assert!(
        stderr.contains("game_boost"),
        "the new category is noted: {stderr}"
    );
    assert!(stderr.contains("4 problem lines"), "{stderr}");
}

#[test]
fn large_jsonl_keeps_order_across_threads() {
    let mut input = String::new();
    for i in 0..5000 {
        let text = if i % 7 == 0 {
            "免费毛片"
        } else {
            "今天天气很好"
        };
        input.push_str(&format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n"));
    }
    let out = qinglang(
        &["scan", "--jsonl", "--format", "json", "--threads", "3"],
        &input,
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out);
    assert_eq!(v.len(), 5000);
    for (i, verdict) in v.iter().enumerate() {
        assert_eq!(verdict["id"], i);
        let want = if i % 7 == 0 { "block" } else { "pass" };
        assert_eq!(verdict["suggestion"], want, "line {i}");
    }
}

/// A malformed line deep in a large input (many chunks, read ahead and scanned out of
/// order): every verdict before it is written, none after, and the error names its line.
#[test]
fn malformed_line_far_into_a_large_input_stops_there() {
    let mut input = String::new();
    for i in 0..3000 {
        if i == 2345 {
            input.push_str("{\"id\": 2345, \"text\": \n");
        } else {
            input.push_str(&format!(
                "{{\"id\": {i}, \"text\": \"今天天气很好 {i}\"}}\n"
            ));
        }
    }
    for threads in ["1", "2", "4"] {
        let out = qinglang(
            &["scan", "--jsonl", "--format", "json", "--threads", threads],
            &input,
        );
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("<stdin>:2346: malformed JSONL line"),
            "{stderr}"
        );
        let v = json_lines(&out);
        assert_eq!(v.len(), 2345, "threads {threads}");
        assert_eq!(v[2344]["id"], 2344);
    }
}

/// REV-7 across files: a campaign's copies in a second input link with those in the first
/// (time runs on across inputs), while each file's lines are numbered from 1 in errors.
#[test]
fn floods_link_across_inputs_and_lines_are_numbered_per_file() {
    let dir = temp_dir("floods-files");
    let ad = "新店开业全场八折欢迎大家周末来店里品尝招牌牛肉面地址在人民路一百号";
    let first = write(
        &dir,
        "a.jsonl",
        &format!(
            "{{\"id\": \"a1\", \"text\": \"{ad}\"}}\n{{\"id\": \"a2\", \"text\": \"{ad}！\"}}\n"
        ),
    );
    let second = write(
        &dir,
        "b.jsonl",
        &format!("{{\"id\": \"b1\", \"text\": \"{ad}哦\"}}\n{{\"id\": \"b2\", \"text\": \n"),
    );
    let out = qinglang(
        &[FLOOD_SCAN, &[first.as_str(), second.as_str()]].concat(),
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b.jsonl:2: malformed JSONL line"),
        "{stderr}"
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    let hit = flood_hit(&v[2]).unwrap_or_else(|| panic!("the third copy is flagged: {}", v[2]));
    assert_eq!(hit["campaign"]["copies"], 3);
    assert_eq!(
        hit["campaign"]["id"], 1,
        "named after the first file's line 1"
    );
}

#[test]
fn ids_are_echoed_byte_for_byte_and_a_bom_is_ignored() {
    let input = "\u{feff}{\"id\": 1e2, \"text\": \"a\"}\n{\"id\": 123456789012345678901234567890, \"text\": \"b\"}\n{\"id\": \"x\\u00e9\", \"text\": \"c\"}\n";
    let out = qinglang(&["scan", "--jsonl", "--format", "json"], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = stdout
        .lines()
        .map(|l| &l[6..l.find(",\"suggestion\"").expect("suggestion follows id")])
        .collect();
    assert_eq!(
        ids,
        ["1e2", "123456789012345678901234567890", "\"x\\u00e9\""]
    );

    let out = qinglang(&["scan", "--jsonl"], "[7, \"赌博\"]\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("<stdin>:1: malformed JSONL line (not a JSON object)"));

    // Not a string or a number: refused and named, null too (it used to read as no id, and
    // the verdict went out without one).
    for id in ["[1]", "null", "true"] {
        let input = format!("{{\"id\": 1, \"text\": \"a\"}}\n{{\"id\": {id}, \"text\": \"a\"}}\n");
        let out = qinglang(&["scan", "--jsonl", "--format", "json"], &input);
        assert_eq!(out.status.code(), Some(2), "{id}");
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("<stdin>:2: \"id\" must be a string or a number"),
            "{id}"
        );
        assert_eq!(json_lines(&out).len(), 1, "the verdict before is kept");
    }
}

#[test]
fn long_one_line_input_with_many_hits_in_text_format() {
    // Regression: context, line numbers and char offsets were recomputed from the line
    // start per hit, which made this input take minutes.
    let text = "赌博 ".repeat(50_000);
    let dir = temp_dir("long");
    let lexicon = write(&dir, "ops.txt", "赌博\tgambling\n賭博\tgambling\treview\n");
    let out = qinglang(
        &["scan", "--no-default-lexicon", "--lexicon", &lexicon],
        &text,
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().count(),
        1 + 100_000,
        "two entries per occurrence"
    );
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("  1:149998  ")),
        "{:?}",
        stdout.lines().last()
    );
}

#[test]
fn eval_reports_precision_recall_and_confusion() {
    let dir = temp_dir("eval");
    let data = write(
        &dir,
        "set.jsonl",
        concat!(
            "{\"text\": \"免费毛片在线看\", \"label\": 1}\n",
            "{\"text\": \"今天天气很好\", \"label\": 0}\n",
            "{\"text\": \"你真是个好人\", \"label\": 1}\n",
            "{\"text\": \"出售冰毒\", \"label\": \"0\"}\n",
        ),
    );
    let out = qinglang(&["eval", "--format", "json", &data], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(v["texts"], 4);
    assert_eq!(v["accuracy"], 0.5);
    assert_eq!(v["confusion"]["1"]["1"], 1);
    assert_eq!(v["confusion"]["1"]["0"], 1);
    assert_eq!(v["confusion"]["0"]["1"], 1);
    assert_eq!(v["classes"]["1"]["precision"], 0.5);
    assert_eq!(v["classes"]["1"]["recall"], 0.5);

    let bad = write(
        &dir,
        "bad.jsonl",
        "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\"}\n",
    );
    let out = qinglang(&["eval", &bad], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jsonl:2: missing field \"label\""));
}

/// REV-7: `scan --jsonl --floods` links near copies across lines in input order; the Nth
/// copy gets a `spam` hit naming its campaign (the line of its first copy).
#[test]
fn floods_link_near_copies_in_input_order() {
    let ad = "新店开业全场八折欢迎大家周末来店里品尝招牌牛肉面地址在人民路一百号";
    let mut input = String::new();
    let ordinary = [
        "今天讨论的问题是城市交通规划和公共绿地的分配方式",
        "这本小说的结尾出人意料但细想之下又合情合理",
        "明天上午九点在三楼会议室开项目进度评审会",
        "周末带孩子去植物园看了郁金香展拍了很多照片",
    ];
    for (i, (edit, other)) in ["", "！", "哦", "啦"].iter().zip(ordinary).enumerate() {
        input.push_str(&format!("{{\"id\": {i}, \"text\": \"{ad}{edit}\"}}\n"));
        input.push_str(&format!("{{\"id\": \"n{i}\", \"text\": \"{other}\"}}\n"));
    }
    let scan = |threads: &str| qinglang(&[FLOOD_SCAN, &["--threads", threads]].concat(), &input);
    let out = scan("2");
    let verdicts = json_lines(&out);
    // Linking is done in input order: the thread count changes nothing.
    let one = scan("1");
    assert_eq!(one.stdout, out.stdout);
    assert_eq!(
        verdicts.len(),
        8,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Copies 1 and 2 are linked but below the threshold; 3 and 4 are flagged.
    for (line, copies) in [(0, None), (2, None), (4, Some(3)), (6, Some(4))] {
        let hit = flood_hit(&verdicts[line]);
        assert_eq!(
            hit.as_ref().map(|h| h["campaign"]["copies"].clone()),
            copies.map(serde_json::Value::from),
            "{}",
            verdicts[line]
        );
        if let Some(hit) = hit {
            assert_eq!(
                hit["campaign"]["id"], 1,
                "the campaign is named after line 1"
            );
            assert_eq!(hit["category"], "spam");
            assert_eq!(verdicts[line]["suggestion"], "review");
        }
    }
    // The ordinary lines are not copies of anything.
    for line in [1, 3, 5, 7] {
        assert!(flood_hit(&verdicts[line]).is_none(), "{}", verdicts[line]);
    }
    let out = qinglang(&["scan", "--floods"], "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--floods"));
}

#[test]
fn scan_judges_in_the_scene_of_a_policy() {
    // issue #25: `qinglang scan --scene NAME --policy FILE`; the same message passes in a
    // private chat (contacts expected) and is held in a group; an unknown scene names the
    // known ones.
    let dir = temp_dir("scenes");
    let policy = format!(
        "{}\n[scenes.private_chat]\ncategories_off = [\"ad\"]\n",
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/default.toml")
        )
        .expect("the shipped policy")
    );
    let policy = write(&dir, "scenes.toml", &policy);
    let text = "加我微信 abc12345 聊";
    let out = qinglang(&["scan", "--format", "json", "--policy", &policy], text);
    assert_eq!(out.status.code(), Some(1));
    let out = qinglang(
        &[
            "scan",
            "--format",
            "json",
            "--policy",
            &policy,
            "--scene",
            "private_chat",
        ],
        text,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = qinglang(&["scan", "--policy", &policy, "--scene", "kids"], text);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("its scenes: private_chat"), "{err}");
    // A scene needs a policy to be defined in.
    let out = qinglang(&["scan", "--scene", "private_chat"], text);
    assert_eq!(out.status.code(), Some(2));
}

/// A command without `--dev` does not suggest it when the data key is missing (#22); `serve`,
/// which has it, does.
#[test]
fn a_missing_key_suggests_only_what_the_command_takes() {
    let dir = temp_dir("no-key");
    let db = dir.join("q.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qinglang"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .current_dir(&dir)
            .env_remove("QINGLANG_KEY")
            .output()
            .expect("run qinglang")
    };
    let report = run(&["report", "--year", "2026"]);
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert_eq!(report.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("key init"), "{stderr}");
    assert!(!stderr.contains("--dev"), "{stderr}");
    let serve = run(&["serve", "--listen", "127.0.0.1:0"]);
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert!(stderr.contains("--dev"), "{stderr}");
}
