//! Tencent Cloud's official TMS and IMS SDKs for Python (`tencentcloud-sdk-python-tms`, `-ims`
//! from PyPI) against the real `qinglang serve` on loopback (issues #22 and #24, OPS-4): a
//! platform's existing client code, with only its endpoint changed, gets our verdicts on text
//! and pictures in the cloud's shape, and every way a call can be refused answers with
//! Tencent's own error code.
//!
//! The SDK is installed by `scripts/install-tms-sdk.sh` (CI runs it). Without it the test
//! says loudly that it skipped, and refuses to skip when `CI=true`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

mod common;
use common::{qinglang, temp_dir, Server};

#[path = "../../qinglang-image/tests/synth/mod.rs"]
mod synth;

fn sdk_python() -> Option<PathBuf> {
    let python = std::env::var_os("QINGLANG_TMS_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tms-sdk-venv/bin/python"),
        PathBuf::from,
    );
    let found = Command::new(&python)
        .args([
            "-c",
            "import tencentcloud.tms.v20201229, tencentcloud.ims.v20201229",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must run the TMS SDK test: scripts/install-tms-sdk.sh installs the SDK"
    );
    eprintln!(
        "SKIPPED: tencentcloud-sdk-python-tms is not installed ({}); run scripts/install-tms-sdk.sh",
        python.display()
    );
    None
}

/// Runs scripts/tms_sdk.py with `spec` on standard input; its JSON output.
fn run_sdk(python: &Path, spec: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/tms_sdk.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the SDK script");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(spec.to_string().as_bytes())
        .expect("write the spec");
    let out = child.wait_with_output().expect("the SDK script ends");
    assert!(
        out.status.success(),
        "the SDK script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the SDK script prints JSON")
}

/// The MD5 of `bytes` in lowercase hex, by Python's `hashlib`.
fn python_md5(python: &Path, bytes: &[u8]) -> String {
    let mut child = Command::new(python)
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write the file");
    let out = child.wait_with_output().expect("python ends");
    assert!(out.status.success(), "hashlib failed");
    let hex = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(hex.len(), 32, "{hex}");
    hex
}

/// `SecretId: …` and `SecretKey: …` from `qinglang token create --tc3`.
fn tc3_key(dir: &Path, name: &str) -> (String, String) {
    let out = qinglang(
        dir,
        &[
            "token", "create", "--role", "service", "--name", name, "--tc3",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut lines = text.lines();
    let id = lines.next().and_then(|l| l.strip_prefix("SecretId: "));
    let key = lines.next().and_then(|l| l.strip_prefix("SecretKey: "));
    match (id, key) {
        (Some(id), Some(key)) if id.starts_with("AKID") && id.len() == 36 && key.len() == 32 => {
            (id.to_owned(), key.to_owned())
        }
        _ => panic!("token create --tc3 printed {text:?}"),
    }
}

#[test]
fn the_official_sdk_gets_verdicts_and_tencents_error_codes() {
    let Some(python) = sdk_python() else {
        return;
    };
    let dir = temp_dir("tms");
    let policy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/default.toml"),
    )
    .expect("the default policy");
    std::fs::write(
        dir.join("policy.toml"),
        format!("{policy}\n[scenes.private_chat]\ncategories_off = [\"ad\"]\n"),
    )
    .expect("policy");
    let server = Server::start(&dir);
    let (secret_id, secret_key) = tc3_key(&dir, "tms-client");
    let (revoked_id, revoked_key) = tc3_key(&dir, "old-client");
    let revoke = qinglang(&dir, &["token", "revoke", "--name", "old-client"]);
    assert!(revoke.status.success());

    let calls = json!([
        {"text": "今天天气不错，我们去公园散步吧。", "data_id": "msg-1"},
        {"text": "想看裸聊的加我微信abc12345", "data_id": "msg-2"},
        {"text": "详情加微信abc12345咨询"},
        {"text": "详情加微信abc12345咨询", "biz_type": "private_chat"},
        {"text": "详情加微信abc12345咨询", "biz_type": "no_such_scene"},
        {"text": "你好", "secret_key": "0".repeat(32)},
        {"text": "你好", "secret_id": "AKIDthisSecretIdWasNeverMintedHere00"},
        {"text": "你好", "secret_id": revoked_id, "secret_key": revoked_key},
        {"text": "你好", "skew": -600},
        {"action": "DescribeTextLib"},
    ]);
    let out = run_sdk(
        &python,
        &json!({
            "endpoint": server.addr,
            "secret_id": secret_id,
            "secret_key": secret_key,
            "calls": calls,
        }),
    );
    let r = out["results"].as_array().expect("results");
    let error = |i: usize| r[i]["Error"].as_str().unwrap_or("").to_owned();

    // Ordinary text: Pass and Normal, the DataId echoed, a request id.
    assert_eq!(r[0]["Suggestion"], "Pass", "{}", r[0]);
    assert_eq!(r[0]["Label"], "Normal");
    assert_eq!(r[0]["DataId"], "msg-1");
    assert_eq!(r[0]["RequestId"].as_str().map(str::len), Some(36));

    // Porn with a contact: blocked, the keyword and its position, the contact a risk.
    let spam = &r[1];
    assert_eq!(spam["Suggestion"], "Block", "{spam}");
    assert_eq!(spam["Label"], "Porn", "{spam}");
    assert!(spam["Score"].as_u64().unwrap_or(0) >= 90, "{spam}");
    assert!(
        spam["Keywords"]
            .as_array()
            .is_some_and(|k| k.iter().any(|w| w == "裸聊")),
        "{spam}"
    );
    let porn = spam["DetailResults"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["Label"] == "Porn"))
        .unwrap_or_else(|| panic!("no Porn detail in {spam}"));
    assert_eq!(porn["Suggestion"], "Block");
    assert_eq!(porn["LibType"], 1);
    let hit = &porn["HitInfos"][0];
    assert_eq!(hit["Keyword"], "裸聊");
    // Positions are in characters: 想看 comes first.
    assert_eq!(hit["Positions"][0]["Start"], 2, "{hit}");
    assert_eq!(hit["Positions"][0]["End"], 4, "{hit}");
    assert!(
        spam["RiskDetails"]
            .as_array()
            .is_some_and(|k| k.iter().any(|r| r["Label"] == "WeChat")),
        "{spam}"
    );

    // BizType is the scene: a contact is reviewed by default, ordinary in private chats.
    assert_eq!(r[2]["Suggestion"], "Review", "{}", r[2]);
    assert_eq!(r[2]["Label"], "Ad");
    assert_eq!(r[3]["Suggestion"], "Pass", "{}", r[3]);
    assert_eq!(r[3]["BizType"], "private_chat");
    assert_eq!(error(4), "InvalidParameterValue.BizType");
    assert!(
        r[4]["Message"]
            .as_str()
            .is_some_and(|m| m.contains("private_chat")),
        "the known scenes are named: {}",
        r[4]
    );

    // Refusals in Tencent's codes.
    assert_eq!(error(5), "AuthFailure.SignatureFailure", "{}", r[5]);
    assert_eq!(error(6), "AuthFailure.SecretIdNotFound", "{}", r[6]);
    assert_eq!(
        error(7),
        "AuthFailure.SecretIdNotFound",
        "revoked: {}",
        r[7]
    );
    assert_eq!(error(8), "AuthFailure.SignatureExpire", "{}", r[8]);
    assert_eq!(error(9), "UnsupportedOperation", "{}", r[9]);

    // The key pair is audited like a token, and its secret is nowhere in the database.
    let db = std::fs::read(dir.join("q.db")).expect("database");
    let wal = std::fs::read(dir.join("q.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes
                .windows(secret_key.len())
                .any(|w| w == secret_key.as_bytes()),
            "the SecretKey is stored in clear"
        );
    }
    server.kill();
}

/// IMS `ImageModeration` through the official IMS SDK (#24, REV-10): a screenshot with a QR
/// code to a porn diversion is blocked with the code's payload and place as an object result;
/// a picture without text passes; each answers the MD5 of the file it was sent as `FileMD5`;
/// what the endpoint does not do is refused in Tencent's codes.
#[test]
fn the_official_ims_sdk_gets_picture_verdicts() {
    use base64::Engine as _;
    let Some(python) = sdk_python() else {
        return;
    };
    let dir = temp_dir("ims");
    let server = Server::start(&dir);
    let (secret_id, secret_key) = tc3_key(&dir, "ims-client");
    let mut rng = synth::Rng::new(24);
    let payload = "加微信 wx8866123 进群看裸聊";
    let mut shot = synth::screenshot(&mut rng);
    let placed = synth::paste_rotated(&mut shot, &synth::qr_code(payload, 300), 300, 800, 0.0);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let (spam_file, clean_file) = (
        synth::jpeg(&shot, 80),
        synth::jpeg(&synth::poster(&mut rng, 640, 480), 80),
    );
    let calls = json!([
        {"image": b64(&spam_file), "data_id": "pic-1"},
        {"image": b64(&clean_file), "data_id": "pic-2"},
        {"file_url": "http://10.0.0.1/internal.png"},
        {"image": "not base64!"},
    ]);
    let out = run_sdk(
        &python,
        &json!({
            "endpoint": server.addr,
            "secret_id": secret_id,
            "secret_key": secret_key,
            "calls": calls,
        }),
    );
    let r = out["results"].as_array().expect("results");
    let spam = &r[0];
    assert_eq!(spam["Suggestion"], "Block", "{spam}");
    assert_eq!(spam["Label"], "Porn", "{spam}");
    assert_eq!(spam["DataId"], "pic-1");
    let code = &spam["ObjectResults"][0];
    assert_eq!(code["Scene"], "QrCode", "{spam}");
    assert_eq!(code["Suggestion"], "Block", "{spam}");
    let detail = &code["Details"][0];
    assert_eq!(detail["Value"], payload, "{spam}");
    let (x, y) = (
        detail["Location"]["X"].as_u64(),
        detail["Location"]["Y"].as_u64(),
    );
    assert!(
        x >= Some(u64::from(placed[0])) && y >= Some(u64::from(placed[1])),
        "the code's place: {detail} in {placed:?}"
    );
    assert_eq!(r[1]["Suggestion"], "Pass", "{}", r[1]);
    assert_eq!(r[1]["Label"], "Normal");
    // FileMD5 is the MD5 of the bytes sent, as Python's hashlib computes it: another
    // implementation than the server's, over the files as this test made them.
    assert_eq!(spam["FileMD5"], python_md5(&python, &spam_file), "{spam}");
    assert_eq!(
        r[1]["FileMD5"],
        python_md5(&python, &clean_file),
        "{}",
        r[1]
    );
    assert_ne!(spam["FileMD5"], r[1]["FileMD5"]);
    assert_eq!(r[2]["Error"], "UnsupportedOperation", "{}", r[2]);
    assert_eq!(r[3]["Error"], "InvalidParameterValue", "{}", r[3]);
    server.kill();
}
