//! A bounded HTTP load generator for the API on loopback (used by `scripts/load.sh`).
//!
//! `load ADDR TOKEN PATH BODIES_JSONL CONNECTIONS SECONDS`: keeps CONNECTIONS keep-alive
//! connections busy posting the bodies (one JSON object per line, cycled) to PATH for
//! SECONDS, then prints throughput, latency percentiles and the status counts as JSON.

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Outcome {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
}

async fn connection(
    addr: String,
    requests: Arc<Vec<Vec<u8>>>,
    start_at: usize,
    deadline: Instant,
) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::new(),
        statuses: BTreeMap::new(),
        errors: 0,
    };
    let Ok(stream) = TcpStream::connect(&addr).await else {
        out.errors += 1;
        return out;
    };
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut i = start_at;
    let mut line = String::new();
    while Instant::now() < deadline {
        let request = &requests[i % requests.len()];
        i += 1;
        let started = Instant::now();
        if write.write_all(request).await.is_err() {
            out.errors += 1;
            break;
        }
        // Status line, headers, then Content-Length bytes of body.
        line.clear();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            out.errors += 1;
            break;
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                out.errors += 1;
                return out;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        if read.read_exact(&mut body).await.is_err() {
            out.errors += 1;
            break;
        }
        out.latencies_us
            .push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        *out.statuses.entry(status).or_default() += 1;
    }
    out
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        return Err("usage: load ADDR TOKEN PATH BODIES_JSONL CONNECTIONS SECONDS".into());
    }
    let (addr, token, path) = (&args[1], &args[2], &args[3]);
    let bodies = std::fs::read_to_string(&args[4])?;
    let connections: usize = args[5].parse()?;
    let seconds: u64 = args[6].parse()?;
    let requests: Vec<Vec<u8>> = bodies
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|body| {
            format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        })
        .collect();
    if requests.is_empty() {
        return Err("no request bodies".into());
    }
    let requests = Arc::new(requests);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let outcomes: Vec<Outcome> = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|c| {
                tokio::spawn(connection(
                    addr.clone(),
                    Arc::clone(&requests),
                    c * 7919,
                    deadline,
                ))
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            if let Ok(o) = t.await {
                all.push(o);
            }
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies: Vec<u32> = outcomes
        .iter()
        .flat_map(|o| o.latencies_us.iter().copied())
        .collect();
    latencies.sort_unstable();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for o in &outcomes {
        for (s, n) in &o.statuses {
            *statuses.entry(*s).or_default() += n;
        }
    }
    let errors: u64 = outcomes.iter().map(|o| o.errors).sum();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };
    let report = serde_json::json!({
        "path": path,
        "connections": connections,
        "seconds": elapsed,
        "requests": latencies.len(),
        "requests_per_second": latencies.len() as f64 / elapsed,
        "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        "statuses": statuses,
        "errors": errors,
    });
    println!("{report}");
    Ok(())
}
