//! Two `qinglang serve` nodes on one PostgreSQL and one Redis (#21 item 5; OPS-3, REV-7,
//! ENF-3, AUD-1): what one node records the other reads, uniqueness holds across them, a
//! flood and a rate limit are seen whole, an emergency term reaches the other node within
//! seconds, and a node killed in the middle of a burst loses no acknowledged submission.
//!
//! Skips loudly without PostgreSQL or Redis; with `CI=true` it fails instead.

mod common;
#[path = "../../qinglang-image/tests/synth/mod.rs"]
mod synth;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use qinglang_store::testing;
use serde_json::{json, Value};

#[test]
fn two_nodes_on_one_postgresql_and_one_redis_act_as_one_service() {
    let test = "two_nodes_on_one_postgresql_and_one_redis";
    if !testing::postgres_or_skip(test) {
        return;
    }
    let Some(redis) = testing::redis_or_skip(test) else {
        return;
    };
    let scratch = testing::Scratch::new().expect("a PostgreSQL schema");
    let db = scratch.url();
    let dir = temp_dir("cluster");
    // Rate limits per group, not per author, so that the burst below is not refused.
    let policy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/default.toml"),
    )
    .expect("default policy")
    .replace("author_per_minute = 30", "author_per_minute = 0")
    .replace("group_per_minute = 600", "group_per_minute = 6");
    std::fs::write(dir.join("policy.toml"), policy).expect("policy");
    let prefix = format!(
        "qinglang-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let options = ["--redis", redis.as_str(), "--redis-prefix", prefix.as_str()];
    let a = Server::start_on(&dir, &db, &options);
    let b = Server::start_on(&dir, &db, &options);
    let admin = a
        .admin
        .clone()
        .expect("the first node bootstraps the admin");
    let svc = a.service.clone().expect("and a service token");
    assert!(
        b.admin.is_none(),
        "the second node finds the tokens the first made"
    );

    // A user made on one node is read on the other.
    let user = |node: &Server, name: &str| -> i64 {
        let (status, u) = node.call("POST", "/v1/users", &svc, Some(json!({"nickname": name})));
        assert_eq!(status, 201, "{u}");
        u["id"].as_i64().expect("id")
    };
    let u1 = user(&a, "甲");
    let (status, seen) = b.call("GET", &format!("/v1/users/{u1}"), &svc, None);
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["nickname"], "甲");

    // One identity verifies one user, whichever node is asked (ID-1).
    let u2 = user(&b, "乙");
    let verify = |node: &Server, uid: i64, value: &str| {
        node.call(
            "POST",
            &format!("/v1/users/{uid}/identity"),
            &svc,
            Some(json!({"kind": "mobile", "value": value, "name": "王五"})),
        )
    };
    let (status, v) = verify(&a, u1, "13800138000");
    assert_eq!(status, 200, "{v}");
    let (status, v) = verify(&b, u2, "13800138000");
    assert_eq!(v["code"], "identity_in_use", "{status} {v}");
    let (status, v) = verify(&b, u2, "13800138001");
    assert_eq!(status, 200, "{v}");

    // A flood sent alternately through both nodes is one campaign (REV-7).
    let post = |node: &Server, body: Value| node.call("POST", "/v1/content", &svc, Some(body));
    let mut campaign = None;
    for i in 0..6 {
        let (node, author) = if i % 2 == 0 { (&a, u1) } else { (&b, u2) };
        let (status, r) = post(
            node,
            json!({"author": author, "kind": "message",
                   "text": format!("正品名表低价出，加微信 wx{i}9988776 看图，仅限今天，先到先得")}),
        );
        assert_eq!(status, 200, "{r}");
        campaign = r["verdict"]["hits"]
            .as_array()
            .and_then(|h| h.iter().find_map(|h| h["campaign"]["id"].as_u64()))
            .or(campaign);
    }
    let campaign = campaign.expect("the copies through both nodes were linked");
    let (status, c) = a.call("GET", &format!("/v1/campaigns/{campaign}"), &admin, None);
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        c["messages"].as_array().map(Vec::len),
        Some(6),
        "every copy, from both nodes, in one campaign: {c}"
    );

    // A rate limit is shared: six messages a minute into a group, through either node.
    let (status, g) = a.call(
        "POST",
        "/v1/groups",
        &svc,
        Some(json!({"owner": u1, "name": "读书会", "max_members": 200})),
    );
    assert_eq!(status, 201, "{g}");
    let group = g["id"].as_i64().expect("group id");
    let mut refused_at = None;
    for i in 0..8 {
        let node = if i % 2 == 0 { &a } else { &b };
        let (status, r) = post(
            node,
            json!({"author": u1, "group": group, "kind": "message", "text": format!("第{i}次读书会的时间定在周六下午")}),
        );
        if status == 429 {
            assert_eq!(r["code"], "rate_limited", "{r}");
            refused_at.get_or_insert(i);
        } else {
            assert_eq!(status, 200, "{r}");
        }
    }
    assert_eq!(refused_at, Some(6), "the seventh in the minute is refused");

    // An emergency term added through one node blocks on the other within seconds (ENF-3).
    let text = "周末一起喝蓝莓冰沙吧，老地方见";
    let scan = |node: &Server| {
        node.call("POST", "/v1/scan", &svc, Some(json!({"text": text})))
            .1
    };
    assert_eq!(scan(&b)["suggestion"], "pass");
    let lead = {
        let (_, t) = a.call(
            "POST",
            "/v1/tokens",
            &admin,
            Some(json!({"role": "lead", "name": "lead"})),
        );
        t["token"].as_str().expect("lead token").to_owned()
    };
    let (status, v) = a.call(
        "POST",
        "/v1/emergency",
        &lead,
        Some(json!({"name": "slang", "terms": "蓝莓冰沙\tdrugs\tblock\n"})),
    );
    assert_eq!(status, 200, "{v}");
    let added = Instant::now();
    while scan(&b)["suggestion"] != "block" {
        assert!(
            added.elapsed() < Duration::from_secs(10),
            "the other node never applied the change"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "emergency term reached the other node after {:?}",
        added.elapsed()
    );

    // A picture put on a known-bad list through one node is blocked on the other within
    // seconds (REV-10): each node holds the lists in memory and polls their generation.
    let poster = synth::poster(&mut synth::Rng::new(41), 640, 480);
    let picture = json!({
        "image": base64::engine::general_purpose::STANDARD.encode(synth::png(&poster))
    });
    let scan_picture = |node: &Server| {
        node.call("POST", "/v1/scan/image", &svc, Some(picture.clone()))
            .1
    };
    let first = scan_picture(&b);
    assert_eq!(first["suggestion"], "pass", "{first}");
    let (status, list) = a.call(
        "POST",
        "/v1/image-lists",
        &lead,
        Some(json!({"name": "诈骗截图", "category": "fraud", "action": "block"})),
    );
    assert_eq!(status, 201, "{list}");
    let (status, v) = a.call(
        "POST",
        &format!("/v1/image-lists/{}/entries", list["id"]),
        &lead,
        Some(json!({"hash": first["image"]["hash"], "note": "cluster"})),
    );
    assert_eq!(status, 201, "{v}");
    let added = Instant::now();
    while scan_picture(&b)["suggestion"] != "block" {
        assert!(
            added.elapsed() < Duration::from_secs(10),
            "the other node never reloaded the image lists"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "image-list entry reached the other node after {:?}",
        added.elapsed()
    );

    // A burst through both nodes; one is SIGKILLed in the middle of it.
    let clients: Vec<(String, i64)> = [(&a, u1), (&a, u2), (&b, u1), (&b, u2)]
        .iter()
        .map(|(node, author)| (node.addr.clone(), *author))
        .collect();
    let burst = Burst::start(&clients, &svc, 400, |n, k| {
        format!("客户端{n}的第{k}条普通消息，今天天气不错")
    });
    let mut acknowledged = burst.first(150);
    a.kill();
    acknowledged.extend(burst.finish());
    drop(b);
    let unique: HashSet<i64> = acknowledged.iter().copied().collect();
    assert_eq!(unique.len(), acknowledged.len(), "no id given twice");
    assert_none_lost(&dir, &db, &acknowledged);
    let out = qinglang_on(&dir, &db, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records of every kind a deployment makes: users with identities, a blocked message (a
/// strike), published ones, a report. Returns the service token and the users.
fn seed(node: &Server, svc: &str) -> Vec<i64> {
    let mut users = Vec::new();
    for i in 0..3 {
        let (_, u) = node.call(
            "POST",
            "/v1/users",
            svc,
            Some(json!({"nickname": format!("用户{i}")})),
        );
        let uid = u["id"].as_i64().expect("id");
        let (status, v) = node.call(
            "POST",
            &format!("/v1/users/{uid}/identity"),
            svc,
            Some(json!({"kind": "mobile", "value": format!("1390013900{i}"), "name": "赵六"})),
        );
        assert_eq!(status, 200, "{v}");
        users.push(uid);
    }
    for (i, text) in ["今天天气不错", "加微信看裸聊", "周末去爬山吗"]
        .iter()
        .enumerate()
    {
        let (status, r) = node.call(
            "POST",
            "/v1/content",
            svc,
            Some(json!({"author": users[i], "kind": "message", "text": text})),
        );
        assert_eq!(status, 200, "{r}");
    }
    // A picture (REV-10), kept with its record.
    let picture = synth::png(&synth::poster(&mut synth::Rng::new(2), 320, 240));
    let (status, r) = node.call(
        "POST",
        "/v1/content",
        svc,
        Some(json!({"author": users[2], "kind": "image",
                    "image": base64::engine::general_purpose::STANDARD.encode(picture)})),
    );
    assert_eq!(status, 200, "{r}");
    let (status, r) = node.call(
        "POST",
        "/v1/reports",
        svc,
        Some(json!({"target": {"kind": "user", "id": users[1]}, "category": "porn", "reporter": users[0], "note": "私信骚扰"})),
    );
    assert!(status == 200 || status == 201, "{r}");
    users
}

#[test]
fn a_sqlite_deployment_copies_into_postgresql_with_its_audit_chain() {
    let test = "a_sqlite_deployment_copies_into_postgresql";
    if !testing::postgres_or_skip(test) {
        return;
    }
    let dir = temp_dir("copy");
    let sqlite = Server::start(&dir);
    let svc = sqlite.service.clone().expect("service token");
    let users = seed(&sqlite, &svc);
    drop(sqlite);

    let scratch = testing::Scratch::new().expect("a PostgreSQL schema");
    let db = scratch.url();
    let source = dir.join("q.db").display().to_string();
    let key = dir.join("key").display().to_string();
    let copy = |to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_qinglang"))
            .args(["copy", "--from", &source, "--to", to, "--key-file", &key])
            .output()
            .expect("run qinglang copy")
    };
    let out = copy(&db);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("users: 3 row(s)"), "{said}");
    assert!(said.contains("content_images: 1 row(s)"), "{said}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""ok":true"#));

    // The copy serves: the same token, the same users, and new ids after the copied ones.
    let node = Server::start_on(&dir, &db, &[]);
    assert!(node.admin.is_none(), "the copied tokens are there");
    let (status, u) = node.call("GET", &format!("/v1/users/{}", users[1]), &svc, None);
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["nickname"], "用户1");
    assert!(u["strikes_in_window"].as_i64().unwrap_or(0) >= 1, "{u}");
    let (status, fresh) = node.call("POST", "/v1/users", &svc, Some(json!({"nickname": "新人"})));
    assert_eq!(status, 201, "{fresh}");
    assert_eq!(fresh["id"].as_i64(), Some(users[2] + 1));
    drop(node);
    let out = qinglang_on(&dir, &db, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Never into a database that already holds records.
    let out = copy(&db);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already holds"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's PostgreSQL backup: `pg_dump -Fc` of the deployment's schema, `pg_restore`
/// into a new database, and the audit chain verifies there (#23 item 4, AUD-1).
#[test]
fn a_postgresql_dump_restores_to_a_verifying_chain() {
    let test = "a_postgresql_dump_restores_to_a_verifying_chain";
    if !testing::postgres_or_skip(test) {
        return;
    }
    let tools = ["pg_dump", "pg_restore", "psql"].map(|t| {
        std::process::Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if tools.contains(&false) {
        testing::skip(test, "pg_dump, pg_restore or psql is not installed");
        return;
    }
    let dir = temp_dir("pgdump");
    let scratch = testing::Scratch::new().expect("a PostgreSQL schema");
    let db = scratch.url();
    let node = Server::start_on(&dir, &db, &[]);
    let svc = node.service.clone().expect("service token");
    seed(&node, &svc);
    drop(node);

    let base = testing::postgres_base().expect("base URL");
    let schema = scratch.schema();
    let dump = dir.join("q.dump");
    let run = |program: &str, args: &[&str]| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "pg_dump",
        &[
            "--format=custom",
            "--schema",
            schema,
            "--file",
            &dump.display().to_string(),
            "--dbname",
            base,
        ],
    );
    let restored = format!("qinglang_restore_{}", std::process::id());
    let (server, _) = base.rsplit_once('/').expect("a database in the URL");
    let restored_url = format!("{server}/{restored}");
    let sql = |statement: String| run("psql", &["--dbname", base, "-c", &statement]);
    sql(format!("DROP DATABASE IF EXISTS {restored}"));
    sql(format!("CREATE DATABASE {restored}"));
    run(
        "pg_restore",
        &["--dbname", &restored_url, &dump.display().to_string()],
    );
    let url = format!("{restored_url}?options=-c%20search_path%3D{schema}");
    let out = qinglang_on(&dir, &url, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    sql(format!("DROP DATABASE IF EXISTS {restored}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(r#""ok":true"#), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
