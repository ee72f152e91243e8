//! The real `qinglang serve` on an ephemeral port: the governance walk-through end to end,
//! and crash safety under SIGKILL (ENF-1, ENF-2, AUD-1).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

mod common;
use common::{assert_none_lost, http, qinglang, temp_dir, Burst, Server};

#[test]
fn spam_in_a_group_climbs_the_ladder_until_the_author_is_suspended() {
    let dir = temp_dir("walk");
    let server = Server::start(&dir);
    let admin = server
        .admin
        .clone()
        .expect("first start prints an admin token");
    let (status, v) = server.call(
        "POST",
        "/v1/tokens",
        &admin,
        Some(json!({"role": "service", "name": "platform"})),
    );
    assert_eq!(status, 201, "{v}");
    let svc = v["token"].as_str().expect("token").to_owned();
    // The first start also prints a service token, which the README's examples use (#22).
    let first_service = server
        .service
        .clone()
        .expect("first start prints a service token");
    let (status, v) = server.call(
        "POST",
        "/v1/scan",
        &first_service,
        Some(json!({"text": "你好"})),
    );
    assert_eq!(status, 200, "{v}");

    let (status, user) = server.call(
        "POST",
        "/v1/users",
        &svc,
        Some(json!({"nickname": "推广员"})),
    );
    assert_eq!(status, 201, "{user}");
    let uid = user["id"].as_i64().expect("id");
    let (status, v) = server.call(
        "POST",
        &format!("/v1/users/{uid}/identity"),
        &svc,
        Some(json!({"kind": "mobile", "value": "13800138000", "name": "李四"})),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["identity"]["masked"], "138****8000");

    let (status, group) = server.call(
        "POST",
        "/v1/groups",
        &svc,
        Some(json!({"owner": uid, "name": "同城交友", "max_members": 200})),
    );
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_i64().expect("group id");

    let spam =
        json!({"author": uid, "group": gid, "kind": "message", "text": "免费毛片在线看，加群"});
    let mut last = Value::Null;
    for strike in 1..=3 {
        let (status, r) = server.call("POST", "/v1/content", &svc, Some(spam.clone()));
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["enforcement"]["decision"], "rejected");
        assert_eq!(r["enforcement"]["strike"], true, "strike {strike}");
        last = r;
    }
    assert_eq!(
        last["enforcement"]["sanctions"][0]["kind"],
        "suspend_updates"
    );
    let (status, r) = server.call("POST", "/v1/content", &svc, Some(spam));
    assert_eq!(
        (status, r["code"].as_str()),
        (403, Some("publishing_suspended")),
        "{r}"
    );

    let (status, u) = server.call("GET", &format!("/v1/users/{uid}"), &svc, None);
    assert_eq!(status, 200);
    let kinds: Vec<&str> = u["sanctions"]
        .as_array()
        .expect("sanctions")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"suspend_updates"), "{u}");
    // -10 per violation, and -5 as the creator of the group the spam went into.
    assert_eq!(u["credit"]["score"], 65);

    let (status, v) = server.call("GET", "/v1/audit/verify", &admin, None);
    assert_eq!((status, v["ok"].as_bool()), (200, Some(true)), "{v}");
    let log = std::sync::Arc::clone(&server.log);
    server.kill();

    let out = qinglang(&dir, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // AUD-3: the year's report, as HTML with charts, from the same store.
    let year = &qinglang_now_year();
    let report = dir.join("report.html");
    let out = qinglang(
        &dir,
        &[
            "report",
            "--year",
            year,
            "--out",
            report.to_str().expect("path"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).expect("report written");
    assert!(
        html.contains("年度内容治理报告") && html.contains("<svg"),
        "{html}"
    );
    // Sanctions by type, named in Chinese for the regulator (#22 item 3), not by code.
    assert!(
        html.contains("暂停更新") && !html.contains("suspend_updates"),
        "sanctions by type are in the report"
    );
    let out = qinglang(&dir, &["report", "--year", year, "--json"]);
    let figures: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(
        figures["submissions"], 3,
        "the refused fourth is not a submission"
    );
    assert_eq!(figures["by_decision"]["rejected"], 3);

    // Console operators: passwords are checked and names unique.
    std::fs::write(dir.join("short.pw"), "short\n").expect("pw");
    std::fs::write(dir.join("good.pw"), "a long enough password\n").expect("pw");
    let create = |pw: &str| {
        qinglang(
            &dir,
            &[
                "user",
                "create",
                "--name",
                "alice",
                "--role",
                "moderator",
                "--password-file",
                dir.join(pw).to_str().expect("path"),
            ],
        )
    };
    let out = create("short.pw");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10"));
    assert_eq!(create("good.pw").status.code(), Some(0));
    let out = create("good.pw");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists"));
    // Whatever the server logged, never an identity in clear (ID-3; #23 item 7).
    let log = log.lock().expect("log").clone();
    for clear in ["13800138000", "李四"] {
        assert!(!log.contains(clear), "{clear} in the server log:\n{log}");
    }
}

/// The current year (UTC), as `qinglang report` counts it.
fn qinglang_now_year() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days since 1970 to a civil year (proleptic Gregorian).
    let days = (secs / 86_400) as i64;
    let mut year = 1970;
    let mut left = days;
    loop {
        let len = if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
            366
        } else {
            365
        };
        if left < len {
            return year.to_string();
        }
        left -= len;
        year += 1;
    }
}

#[test]
fn acknowledged_submissions_survive_sigkill() {
    let dir = temp_dir("crash");
    // A burst from four authors is far over the default rate limits (REV-7): lift them.
    let policy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/default.toml"),
    )
    .expect("default policy")
    .replace("author_per_minute = 30", "author_per_minute = 0");
    std::fs::write(dir.join("policy.toml"), policy).expect("policy");
    let server = Server::start(&dir);
    let admin = server.admin.clone().expect("admin token");
    let (_, v) = server.call(
        "POST",
        "/v1/tokens",
        &admin,
        Some(json!({"role": "service", "name": "platform"})),
    );
    let svc = v["token"].as_str().expect("token").to_owned();
    let mut authors = Vec::new();
    for i in 0..4 {
        let (_, u) = server.call(
            "POST",
            "/v1/users",
            &svc,
            Some(json!({"nickname": format!("用户{i}")})),
        );
        let uid = u["id"].as_i64().expect("id");
        let (status, _) = server.call(
            "POST",
            &format!("/v1/users/{uid}/identity"),
            &svc,
            Some(json!({"kind": "mobile", "value": format!("1380013800{i}"), "name": "王五"})),
        );
        assert_eq!(status, 200);
        authors.push(uid);
    }

    // A burst from four clients; the server is killed in the middle of it.
    let clients: Vec<(String, i64)> = authors
        .iter()
        .map(|&uid| (server.addr.clone(), uid))
        .collect();
    let burst = Burst::start(&clients, &svc, 10_000, |_, k| {
        format!("第{k}条普通消息，今天天气不错")
    });
    let mut acknowledged = burst.first(200);
    server.kill();
    acknowledged.extend(burst.finish());

    // After a restart: every acknowledged submission has its audit record, and the chain
    // verifies.
    let server = Server::start(&dir);
    assert!(server.admin.is_none(), "no second bootstrap token");
    drop(server);
    assert_none_lost(&dir, &dir.join("q.db").display().to_string(), &acknowledged);
    let out = qinglang(&dir, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // ENF-3 drill on the same store: an emergency term for those messages, a report, then
    // the act; afterwards nothing is left to catch and the chain still verifies.
    let terms = dir.join("terms.txt");
    std::fs::write(&terms, "普通消息\tspam\treview\n").expect("terms");
    let terms = terms.to_str().expect("utf-8 path");
    let out = qinglang(
        &dir,
        &[
            "sweep", "--since", "1h", "--name", "drill", "--terms", terms,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let caught: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(
        caught.len() >= acknowledged.len(),
        "{} caught",
        caught.len()
    );
    assert!(caught
        .iter()
        .all(|c| c["was"] == "published" && c["now"] == "review"));
    // The stored change applies to later sweeps without repeating the terms.
    let out = qinglang(&dir, &["sweep", "--since", "1h", "--act"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("{} held or rejected", caught.len())));
    let out = qinglang(&dir, &["sweep", "--since", "1h"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = qinglang(&dir, &["sweep", "--since", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
    assert_eq!(qinglang(&dir, &["audit", "verify"]).status.code(), Some(0));
}

#[test]
fn slow_and_idle_clients_do_not_hold_the_server() {
    // #23 (OPS-5): 200 connections that start their headers and stop; the API and the
    // console's sign-in page keep answering; past the connection cap the next client is told
    // 503 with Retry-After; the header timeout closes the slow ones and frees their places.
    let dir = temp_dir("hostile");
    let server = Server::start_with(&dir, &["--max-connections", "250", "--client-timeout", "3"]);
    let admin = server.admin.clone().expect("admin token");
    let open_slow = |n: usize| -> Vec<TcpStream> {
        (0..n)
            .map(|_| {
                let mut s = TcpStream::connect(&server.addr).expect("connect");
                s.write_all(b"POST /v1/scan HTTP/1.1\r\nHost: x\r\n")
                    .expect("partial headers");
                s
            })
            .collect()
    };
    let slow = open_slow(200);
    let started = std::time::Instant::now();
    let (status, _) = server.call("GET", "/healthz", &admin, None);
    assert_eq!(status, 200);
    let (status, v) = server.call("POST", "/v1/scan", &admin, Some(json!({"text": "你好"})));
    assert_eq!((status, &v["suggestion"]), (200, &json!("pass")), "{v}");
    let (status, _) = server.call("GET", "/login", &admin, None);
    assert_eq!(status, 200, "the console's sign-in page");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Fill the cap; the next connection is turned away at once.
    let more = open_slow(50);
    std::thread::sleep(Duration::from_millis(300));
    let mut turned = TcpStream::connect(&server.addr).expect("connect");
    turned
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = turned.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    assert!(
        answer.contains("retry-after: 1") && answer.contains("\"overloaded\""),
        "{answer}"
    );

    // The header timeout closes the slow connections…
    let mut first = slow.into_iter().next().expect("a slow connection");
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut rest = Vec::new();
    let closed_at = std::time::Instant::now();
    let _ = first.read_to_end(&mut rest);
    assert!(
        closed_at.elapsed() < Duration::from_secs(8),
        "{:?}",
        closed_at.elapsed()
    );
    // …and their places are free again.
    std::thread::sleep(Duration::from_millis(300));
    let (status, _) = server.call("GET", "/healthz", &admin, None);
    assert_eq!(status, 200);
    drop(more);
}

#[test]
fn a_backup_taken_under_load_restores_to_a_verifying_chain() {
    // #23 item 4 (AUD-1, AUD-2): `qinglang backup` copies the database while the server
    // writes; `qinglang restore` puts it back; the audit chain verifies on the copy.
    let dir = temp_dir("backup");
    let server = Server::start(&dir);
    let admin = server.admin.clone().expect("admin token");
    let (status, v) = server.call(
        "POST",
        "/v1/tokens",
        &admin,
        Some(json!({"role": "service", "name": "platform"})),
    );
    assert_eq!(status, 201, "{v}");
    let svc = v["token"].as_str().expect("token").to_owned();
    // Writers: users created (each an audited decision) as fast as the server takes them.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (addr, svc, stop) = (server.addr.clone(), svc.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body = json!({"nickname": format!("用户{w}-{n}")});
                    if let Ok((201, _)) = http(&addr, "POST", "/v1/users", &svc, Some(body)) {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let out = qinglang(
        &dir,
        &["backup", "--out", dir.join("b.db").to_str().expect("path")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written: u32 = writers.into_iter().map(|w| w.join().expect("writer")).sum();
    assert!(written > 0, "the server was writing during the backup");
    // A backup never overwrites a file.
    let again = qinglang(
        &dir,
        &["backup", "--out", dir.join("b.db").to_str().expect("path")],
    );
    assert_eq!(again.status.code(), Some(2));
    drop(server);

    // Restored as a new database, its chain verifies and it holds what was committed then.
    let restored = dir.join("r.db");
    let restore = || {
        Command::new(env!("CARGO_BIN_EXE_qinglang"))
            .args(["restore", "--from"])
            .arg(dir.join("b.db"))
            .arg("--db")
            .arg(&restored)
            .arg("--key-file")
            .arg(dir.join("key"))
            .output()
            .expect("restore")
    };
    let out = restore();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("chain report");
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["entries"].as_u64().unwrap_or(0) > 2, "{report}");
    // Restoring over an existing database needs --force.
    let out = restore();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}
