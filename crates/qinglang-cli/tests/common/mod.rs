//! What the CLI's end-to-end tests share: a temporary directory with a data key, the real
//! `qinglang serve` on an ephemeral port, a minimal HTTP client, and the CLI itself.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qinglang-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("key"), "ab".repeat(32)).expect("key file");
    dir
}

pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The first-start admin token, when this start printed one.
    pub admin: Option<String>,
    /// The first-start service token, printed with it.
    pub service: Option<String>,
    /// Everything the server wrote to stderr so far (its log).
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts on `dir`'s database, with `dir/policy.toml` when the test wrote one.
    pub fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// The same with more `serve` options.
    pub fn start_with(dir: &Path, options: &[&str]) -> Server {
        Server::start_on(dir, &dir.join("q.db").display().to_string(), options)
    }

    /// A node on the database `db` (a path or a PostgreSQL URL), with `dir`'s key.
    pub fn start_on(dir: &Path, db: &str, options: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qinglang"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
            .arg("--key-file")
            .arg(dir.join("key"))
            .args(options);
        if dir.join("policy.toml").exists() {
            command.arg("--policy").arg(dir.join("policy.toml"));
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn qinglang serve");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(("addr", addr.to_owned()));
                }
            }
        });
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let log_writer = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .inspect(|l| {
                    if let Ok(mut log) = log_writer.lock() {
                        log.push_str(l);
                        log.push('\n');
                    }
                });
            while let Some(line) = lines.next() {
                for kind in ["admin", "service"] {
                    if line.contains(&format!("{kind} token")) {
                        if let Some(token) = lines.next() {
                            let _ = tx2.send((kind, token));
                        }
                    }
                }
            }
        });
        let (mut addr, mut admin, mut service) = (None, None, None);
        let mut take = |(kind, value): (&str, String)| match kind {
            "addr" => addr = Some(value),
            "admin" => admin = Some(value),
            _ => service = Some(value),
        };
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(found) => {
                    let is_addr = found.0 == "addr";
                    take(found);
                    if is_addr {
                        break;
                    }
                }
                Err(_) => panic!("qinglang serve did not report its address"),
            }
        }
        // The token lines come before the address line when they are printed.
        while let Ok(found) = rx.recv_timeout(Duration::from_millis(200)) {
            take(found);
        }
        Server {
            child,
            addr: addr.expect("address"),
            admin,
            service,
            log,
        }
    }

    pub fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        http(&self.addr, method, path, token, body).expect("HTTP exchange")
    }

    pub fn kill(mut self) {
        // SIGKILL: no chance to flush or shut down cleanly.
        self.child.kill().expect("kill");
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 exchange (one request per connection).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let value = serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()));
    Ok((status, value))
}

pub fn qinglang(dir: &Path, args: &[&str]) -> std::process::Output {
    qinglang_on(dir, &dir.join("q.db").display().to_string(), args)
}

/// The CLI on the database `db` (a path or a PostgreSQL URL), with `dir`'s key.
pub fn qinglang_on(dir: &Path, db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qinglang"))
        .args(args)
        .args(["--db", db])
        .arg("--key-file")
        .arg(dir.join("key"))
        .output()
        .expect("run qinglang")
}

/// A burst of submissions: one client thread per `(address, author)`, each posting
/// `text(client, k)` for k = 0, 1, … until its node stops answering. Acknowledged content
/// ids arrive on the receiver.
pub struct Burst {
    pub acks: mpsc::Receiver<i64>,
    clients: Vec<std::thread::JoinHandle<()>>,
}

impl Burst {
    pub fn start(
        clients: &[(String, i64)],
        token: &str,
        per_client: usize,
        text: fn(usize, usize) -> String,
    ) -> Burst {
        let (tx, acks) = mpsc::channel::<i64>();
        let clients = clients
            .iter()
            .enumerate()
            .map(|(n, (addr, author))| {
                let (addr, author, token, tx) =
                    (addr.clone(), *author, token.to_owned(), tx.clone());
                std::thread::spawn(move || {
                    for k in 0..per_client {
                        let body = serde_json::json!({"author": author, "kind": "message",
                            "text": text(n, k)});
                        match http(&addr, "POST", "/v1/content", &token, Some(body)) {
                            Ok((200, r)) => {
                                let id =
                                    r["enforcement"]["content_id"].as_i64().expect("content id");
                                let _ = tx.send(id);
                            }
                            _ => break, // the node is gone
                        }
                    }
                })
            })
            .collect();
        Burst { acks, clients }
    }

    /// Waits for `n` acknowledgements.
    pub fn first(&self, n: usize) -> Vec<i64> {
        (0..n)
            .map(|_| {
                self.acks
                    .recv_timeout(Duration::from_secs(60))
                    .expect("acknowledgements")
            })
            .collect()
    }

    /// Waits for the clients to stop; returns the acknowledgements not yet taken.
    pub fn finish(self) -> Vec<i64> {
        for c in self.clients {
            let _ = c.join();
        }
        self.acks.try_iter().collect()
    }
}

/// Asserts that every acknowledged submission has its decision in the audit trail of `db`
/// (published, or held or rejected: a burst's lines are near copies, a flood).
pub fn assert_none_lost(dir: &Path, db: &str, acknowledged: &[i64]) {
    let out = qinglang_on(
        dir,
        db,
        &[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2200-01-01",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded: std::collections::HashSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            ["content.publish", "content.hold", "content.reject"]
                .contains(&e["action"].as_str().unwrap_or(""))
        })
        .filter_map(|e| e["target"].as_str().map(str::to_owned))
        .collect();
    let missing: Vec<&i64> = acknowledged
        .iter()
        .filter(|id| !recorded.contains(&format!("content:{id}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged submissions lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
}
