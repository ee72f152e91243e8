//! Patrol state shared by every node through Redis (`serve --redis`, REV-7): the flood
//! campaign index and the per-author and per-group rate limits.
//!
//! Each operation is one Lua script, so it is atomic across nodes: two nodes observing near
//! copies at the same moment still link them to one campaign, and a limit admits exactly
//! `limit` events per window however the requests are spread. Everything expires with the
//! window (`PEXPIRE`), so Redis holds at most a window's worth of messages.
//!
//! **When Redis is down** the patrol fails open and the node keeps serving: a message counts
//! as the first of its campaign and every rate limit admits. Content review, enforcement and
//! the records do not depend on Redis; only the cross-message checks pause. Each failure is
//! counted (`qinglang_patrol_redis_errors_total`) and logged at most every ten seconds, and
//! after a failure the node waits a second before it tries to connect again, so an outage
//! does not add a connection timeout to every message.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use qinglang_engine::{Campaign, Signature, MAX_PER_BAND, SIGNATURE_LEN};
use qinglang_governance::model::Timestamp;
use qinglang_governance::patrol::PatrolState;
use qinglang_governance::policy::PatrolPolicy;
use qinglang_governance::Error;

/// Links a message to the campaign of its near copies inside the window.
///
/// ARGV: prefix, at, window (ms), equal values needed, signature (64 bytes), the band
/// keys. Returns {campaign, copies}. Message ids come from the time and one counter, so
/// they are unique across nodes; a campaign is named after its first message, and when a message is a near
/// copy of several campaigns they merge into the oldest (the smallest id), as in process.
const OBSERVE: &str = r#"
local prefix = ARGV[1]
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local sig = ARGV[5]
local per_band = tonumber(ARGV[6])
local cutoff = at - window
-- The time and a counter, as the in-process key: unique across nodes, and still unique
-- after Redis restarts empty (ids are kept with the content in the database).
local id = string.format('%d', at * 4096 + redis.call('INCR', prefix .. 'seq') % 4096)
local function same(a, b)
  local n = 0
  for i = 1, #a - 1, 2 do
    if string.byte(a, i) == string.byte(b, i) and string.byte(a, i + 1) == string.byte(b, i + 1) then
      n = n + 1
    end
  end
  return n
end
local function resolve(c)
  for _ = 1, 16 do
    local a = redis.call('GET', prefix .. 'alias:' .. c)
    if not a then return c end
    c = a
  end
  return c
end
local near = {}
for b = 7, #ARGV do
  local members = redis.call('LRANGE', prefix .. 'band:' .. ARGV[b], 0, per_band - 1)
  for _, m in ipairs(members) do
    local e = redis.call('HMGET', prefix .. 'msg:' .. m, 'sig', 'campaign', 'at')
    if e[1] and tonumber(e[3]) >= cutoff and same(sig, e[1]) >= need then
      near[resolve(e[2])] = true
    end
  end
end
local campaign = nil
for c, _ in pairs(near) do
  if campaign == nil or tonumber(c) < tonumber(campaign) then campaign = c end
end
campaign = campaign or id
local copies = prefix .. 'copies:' .. campaign
for c, _ in pairs(near) do
  if c ~= campaign then
    redis.call('SET', prefix .. 'alias:' .. c, campaign, 'PX', window)
    redis.call('ZUNIONSTORE', copies, 2, copies, prefix .. 'copies:' .. c, 'AGGREGATE', 'MAX')
    redis.call('DEL', prefix .. 'copies:' .. c)
  end
end
redis.call('ZADD', copies, at, id)
redis.call('ZREMRANGEBYSCORE', copies, '-inf', '(' .. cutoff)
redis.call('PEXPIRE', copies, window)
local n = redis.call('ZCARD', copies)
redis.call('HSET', prefix .. 'msg:' .. id, 'sig', sig, 'campaign', campaign, 'at', at)
redis.call('PEXPIRE', prefix .. 'msg:' .. id, window)
for b = 7, #ARGV do
  local band = prefix .. 'band:' .. ARGV[b]
  redis.call('LPUSH', band, id)
  redis.call('LTRIM', band, 0, per_band - 1)
  redis.call('PEXPIRE', band, window)
end
return {tonumber(campaign), n}
"#;

/// Admits an event when fewer than `limit` were admitted in the window, and records it.
///
/// ARGV: key, at, window (ms), limit. Returns 1 (admitted) or 0. As in process, an event at
/// exactly `at - window` has left the window, and a refused event is not recorded.
const ADMIT: &str = r#"
local key = ARGV[1]
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', at - window)
if redis.call('ZCARD', key) >= limit then return 0 end
local n = redis.call('INCR', key .. ':n')
redis.call('ZADD', key, at, n)
redis.call('PEXPIRE', key, window)
redis.call('PEXPIRE', key .. ':n', window)
return 1
"#;

/// How long a node waits after a failure before it tries Redis again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Connect, read and write timeouts: the patrol is on every message's path.
const TIMEOUT: Duration = Duration::from_millis(500);

/// Patrol state in Redis, shared by every node pointed at the same server and prefix.
pub struct RedisPatrol {
    client: redis::Client,
    shown: String,
    prefix: String,
    window_ms: i64,
    /// Equal MinHash values needed for two signatures to be near copies.
    need: usize,
    observe: redis::Script,
    admit: redis::Script,
    idle: Mutex<Vec<redis::Connection>>,
    /// When the last failure happened (ms since `started`), or -1.
    failed_at: AtomicI64,
    last_logged: AtomicI64,
    errors: AtomicU64,
    started: Instant,
}

impl std::fmt::Debug for RedisPatrol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPatrol")
            .field("url", &self.shown)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisPatrol {
    /// Patrol state at `url` (`redis://host:port/db`) under the policy's window and
    /// similarity. The URL is checked here; whether Redis answers is not (see the module
    /// documentation for what happens while it does not).
    pub fn new(url: &str, policy: &PatrolPolicy) -> Result<RedisPatrol, Error> {
        let shown = crate::redact_url(url);
        let client = redis::Client::open(url)
            .map_err(|e| Error::Storage(format!("--redis {shown}: {e}")))?;
        let need = (0..=SIGNATURE_LEN)
            .find(|&n| n as f32 / SIGNATURE_LEN as f32 >= policy.flood_similarity)
            .unwrap_or(SIGNATURE_LEN);
        Ok(RedisPatrol {
            client,
            shown,
            prefix: "qinglang:patrol:".into(),
            window_ms: i64::from(policy.flood_window_minutes) * 60_000,
            need,
            observe: redis::Script::new(OBSERVE),
            admit: redis::Script::new(ADMIT),
            idle: Mutex::new(Vec::new()),
            failed_at: AtomicI64::new(-1),
            last_logged: AtomicI64::new(-1),
            errors: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    /// Keys under another prefix: deployments (or tests) sharing one Redis keep apart.
    pub fn with_prefix(mut self, prefix: &str) -> RedisPatrol {
        self.prefix = format!("{prefix}:");
        self
    }

    /// Whether Redis answers now (for start-up and health checks).
    pub fn ping(&self) -> Result<(), Error> {
        self.call(|c| redis::cmd("PING").query::<String>(c).map(|_| ()))
    }

    /// Failures since start.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    fn now_ms(&self) -> i64 {
        self.started.elapsed().as_millis() as i64
    }

    fn call<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Error> {
        let failed = self.failed_at.load(Ordering::Relaxed);
        if failed >= 0 && self.now_ms() - failed < RETRY_AFTER.as_millis() as i64 {
            return Err(Error::Storage(format!(
                "Redis at {} failed less than a second ago",
                self.shown
            )));
        }
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match pooled {
            Some(c) => c,
            None => {
                let c = self
                    .client
                    .get_connection_with_timeout(TIMEOUT)
                    .map_err(|e| self.failure(e))?;
                c.set_read_timeout(Some(TIMEOUT))
                    .map_err(|e| self.failure(e))?;
                c.set_write_timeout(Some(TIMEOUT))
                    .map_err(|e| self.failure(e))?;
                c
            }
        };
        match f(&mut conn) {
            Ok(v) => {
                self.failed_at.store(-1, Ordering::Relaxed);
                if let Ok(mut idle) = self.idle.lock() {
                    if idle.len() < 16 {
                        idle.push(conn);
                    }
                }
                Ok(v)
            }
            // A connection that failed is dropped; the next call opens a new one.
            Err(e) => Err(self.failure(e)),
        }
    }

    fn failure(&self, e: redis::RedisError) -> Error {
        let now = self.now_ms();
        self.failed_at.store(now, Ordering::Relaxed);
        self.errors.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("qinglang_patrol_redis_errors_total").increment(1);
        let last = self.last_logged.load(Ordering::Relaxed);
        if last < 0 || now - last >= 10_000 {
            self.last_logged.store(now, Ordering::Relaxed);
            tracing::warn!(
                redis = %self.shown,
                error = %e,
                "patrol state unavailable: floods are not linked and rate limits admit until Redis answers"
            );
        }
        Error::Storage(format!("Redis at {}: {e}", self.shown))
    }
}

impl PatrolState for RedisPatrol {
    fn observe(&self, key: u64, signature: &Signature, at: Timestamp) -> Campaign {
        let mut bytes = Vec::with_capacity(SIGNATURE_LEN * 2);
        for v in signature.0 {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let result = self.call(|c| {
            let mut invocation = self.observe.prepare_invoke();
            invocation
                .arg(&self.prefix)
                .arg(at.0)
                .arg(self.window_ms)
                .arg(self.need)
                .arg(bytes.as_slice())
                .arg(MAX_PER_BAND);
            for band in signature.band_keys() {
                invocation.arg(format!("{band:016x}"));
            }
            invocation.invoke::<(u64, u32)>(c)
        });
        match result {
            Ok((id, copies)) => Campaign { id, copies },
            // Fail open: the first of its campaign.
            Err(_) => Campaign { id: key, copies: 1 },
        }
    }

    fn admit(&self, scope: &str, at: Timestamp, window_ms: i64, limit: u32) -> bool {
        let key = format!("{}rate:{scope}", self.prefix);
        self.call(|c| {
            self.admit
                .prepare_invoke()
                .arg(&key)
                .arg(at.0)
                .arg(window_ms)
                .arg(limit)
                .invoke::<i64>(c)
        })
        // Fail open: a rate limit never refuses because Redis is away.
        .map_or(true, |admitted| admitted == 1)
    }
}
