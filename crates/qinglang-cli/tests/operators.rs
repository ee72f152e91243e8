//! `qinglang user list|disable|password` (issue #22): operators are not only created.

use std::path::Path;

mod common;
use common::{qinglang, temp_dir};

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = qinglang(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn operators_are_listed_disabled_and_given_new_passwords() {
    let dir = temp_dir("operators");
    let pw = dir.join("pw");
    std::fs::write(&pw, "correct horse battery\n").expect("password file");
    let pw = pw.to_str().expect("path");
    ok(
        &dir,
        &[
            "user",
            "create",
            "--name",
            "lin",
            "--role",
            "lead",
            "--password-file",
            pw,
        ],
    );
    ok(
        &dir,
        &[
            "user",
            "create",
            "--name",
            "wu",
            "--role",
            "moderator",
            "--password-file",
            pw,
        ],
    );
    std::fs::write(dir.join("pw2"), "a brand new passphrase\n").expect("password file");
    let pw2 = dir.join("pw2");
    ok(
        &dir,
        &[
            "user",
            "password",
            "--name",
            "lin",
            "--password-file",
            pw2.to_str().expect("path"),
        ],
    );
    ok(&dir, &["user", "disable", "--name", "wu"]);
    let list = ok(&dir, &["user", "list"]);
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert_eq!(
        (rows[0][0], rows[0][1], rows[0][3]),
        ("lin", "lead", "active")
    );
    assert_eq!(
        (rows[1][0], rows[1][1], rows[1][3]),
        ("wu", "moderator", "disabled")
    );
    let missing = qinglang(
        &dir,
        &[
            "user",
            "password",
            "--name",
            "nobody",
            "--password-file",
            pw,
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
    let audit = ok(
        &dir,
        &[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
        ],
    );
    assert!(audit.contains("\"operator.password\""), "{audit}");
}
