//! The ephemeral store: sign-in and sign-up attempts, pending verifications, cooldowns and
//! counters. Everything in it has a TTL. Redis when `[redis] url` is set (shared by every
//! instance); otherwise an in-process map, which only a single instance can use.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use redis::aio::ConnectionManager;

/// A failure of the store itself (Redis unreachable), as opposed to a missing key.
#[derive(Debug, thiserror::Error)]
#[error("ephemeral store unavailable: {0:#}")]
pub struct StoreError(#[from] anyhow::Error);

impl From<redis::RedisError> for StoreError {
    fn from(e: redis::RedisError) -> Self {
        StoreError(anyhow::Error::new(e))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One rate limit to hit ([`Ephemeral::gcra_all`]): GCRA, `burst` hits at once, then one
/// every `interval_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub key: &'a str,
    pub interval_ms: i64,
    pub burst: i64,
}

pub enum Ephemeral {
    Redis(RedisStore),
    Memory(MemoryStore),
}

impl Ephemeral {
    pub fn memory() -> Self {
        Ephemeral::Memory(MemoryStore::default())
    }

    pub async fn redis(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("parsing [redis] url")?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client.clone(), config.clone())
            .await
            .context("connecting to Redis")?;
        Ok(Ephemeral::Redis(RedisStore {
            id: NEXT_STORE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            client: Box::new(client),
            config: Box::new(config),
            conn,
            prefix: prefix.to_owned(),
            incr: redis::Script::new(INCR_WITH_TTL),
            gcra: redis::Script::new(GCRA),
        }))
    }

    /// Gives the calling thread a Redis connection of its own, driven by the thread's own
    /// runtime, in the background; until it is up (or if it cannot be made) the thread
    /// shares the first one. A server's worker threads each run a runtime of their own: a
    /// command on the shared connection crossed to the thread driving it and back, two
    /// thread wake-ups per command. Call it on each worker thread as it starts.
    pub fn connect_this_thread(&self) {
        let Ephemeral::Redis(r) = self else { return };
        let has_own = |id: u64| own_connection(id).is_some();
        if has_own(r.id) {
            return;
        }
        let (id, client, config) = (r.id, (*r.client).clone(), (*r.config).clone());
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        rt.spawn(async move {
            match ConnectionManager::new_with_config(client, config).await {
                Ok(conn) if !has_own(id) => {
                    // The connection is good while this task lives: a runtime that shuts
                    // down drops it, and a thread that outlives its runtime (a pool's
                    // thread) goes back to the shared connection.
                    let alive = std::sync::Arc::new(());
                    THREAD_CONNECTIONS.with(|c| {
                        c.borrow_mut()
                            .push((id, conn, std::sync::Arc::downgrade(&alive)));
                    });
                    std::future::pending::<()>().await;
                    drop(alive);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "a worker's own Redis connection failed; it shares the first"),
            }
        });
    }

    /// Which Redis connection the calling thread uses (`CLIENT ID`); `None` without Redis.
    pub async fn connection_id(&self) -> StoreResult<Option<i64>> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                Ok(Some(
                    redis::cmd("CLIENT").arg("ID").query_async(&mut c).await?,
                ))
            }
            Ephemeral::Memory(_) => Ok(None),
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Ephemeral::Redis(_))
    }

    /// Tells every instance subscribed to `channel` (Redis PUBLISH, at most once: a
    /// subscriber that is reconnecting misses it, so what it announces must also be
    /// discoverable by polling). Without Redis there is no other instance to tell.
    pub async fn publish(&self, channel: &str, message: &str) -> StoreResult<()> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                redis::cmd("PUBLISH")
                    .arg(r.key(channel))
                    .arg(message)
                    .query_async::<()>(&mut c)
                    .await?;
                Ok(())
            }
            Ephemeral::Memory(_) => Ok(()),
        }
    }

    /// The messages published on `channel` from now on, until the connection drops (then
    /// the stream ends and the caller subscribes again). `None` without Redis.
    pub async fn subscribe(
        &self,
        channel: &str,
    ) -> StoreResult<Option<futures_util::stream::BoxStream<'static, String>>> {
        use futures_util::StreamExt as _;
        match self {
            Ephemeral::Redis(r) => {
                let mut pubsub = r.client.get_async_pubsub().await?;
                pubsub.subscribe(r.key(channel)).await?;
                let messages = pubsub
                    .into_on_message()
                    .filter_map(|m| async move { m.get_payload::<String>().ok() });
                Ok(Some(messages.boxed()))
            }
            Ephemeral::Memory(_) => Ok(None),
        }
    }

    /// Stores `value` under `key` for `ttl`, replacing what was there.
    pub async fn put(&self, key: &str, value: &str, ttl: Duration) -> StoreResult<()> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                redis::cmd("SET")
                    .arg(r.key(key))
                    .arg(value)
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async::<()>(&mut c)
                    .await?;
                Ok(())
            }
            Ephemeral::Memory(m) => {
                m.with(|map| {
                    map.insert(key.to_owned(), Entry::new(value.to_owned(), ttl));
                });
                Ok(())
            }
        }
    }

    /// Stores `value` only when `key` holds nothing; true when it was stored.
    pub async fn put_if_absent(&self, key: &str, value: &str, ttl: Duration) -> StoreResult<bool> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                let set: Option<String> = redis::cmd("SET")
                    .arg(r.key(key))
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async(&mut c)
                    .await?;
                Ok(set.is_some())
            }
            Ephemeral::Memory(m) => Ok(m.with(|map| {
                if map.get(key).is_some_and(|e| !e.expired()) {
                    false
                } else {
                    map.insert(key.to_owned(), Entry::new(value.to_owned(), ttl));
                    true
                }
            })),
        }
    }

    pub async fn get(&self, key: &str) -> StoreResult<Option<String>> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                Ok(redis::cmd("GET")
                    .arg(r.key(key))
                    .query_async(&mut c)
                    .await?)
            }
            Ephemeral::Memory(m) => Ok(m.with(|map| {
                map.get(key)
                    .filter(|e| !e.expired())
                    .map(|e| e.value.clone())
            })),
        }
    }

    /// Two keys in one round trip (`MGET`).
    pub async fn get_two(&self, a: &str, b: &str) -> StoreResult<(Option<String>, Option<String>)> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                Ok(redis::cmd("MGET")
                    .arg(r.key(a))
                    .arg(r.key(b))
                    .query_async(&mut c)
                    .await?)
            }
            Ephemeral::Memory(m) => Ok(m.with(|map| {
                let get = |k: &str| map.get(k).filter(|e| !e.expired()).map(|e| e.value.clone());
                (get(a), get(b))
            })),
        }
    }

    /// Reads and deletes in one step: of two concurrent takers only one gets the value.
    pub async fn take(&self, key: &str) -> StoreResult<Option<String>> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                Ok(redis::cmd("GETDEL")
                    .arg(r.key(key))
                    .query_async(&mut c)
                    .await?)
            }
            Ephemeral::Memory(m) => {
                Ok(m.with(|map| map.remove(key).filter(|e| !e.expired()).map(|e| e.value)))
            }
        }
    }

    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        self.delete_all(&[key]).await
    }

    /// Deletes several keys in one round trip.
    pub async fn delete_all(&self, keys: &[&str]) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                let mut del = redis::cmd("DEL");
                for k in keys {
                    del.arg(r.key(k));
                }
                del.query_async::<()>(&mut c).await?;
                Ok(())
            }
            Ephemeral::Memory(m) => {
                m.with(|map| {
                    for k in keys {
                        map.remove(*k);
                    }
                });
                Ok(())
            }
        }
    }

    /// Adds one to the counter at `key` and returns the new count. The TTL is set when the
    /// counter is created and not extended, so a window ends `ttl` after its first hit.
    pub async fn incr(&self, key: &str, ttl: Duration) -> StoreResult<i64> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                Ok(r.incr
                    .key(r.key(key))
                    .arg(ttl_ms(ttl))
                    .invoke_async(&mut c)
                    .await?)
            }
            Ephemeral::Memory(m) => Ok(m.with(|map| {
                let entry = map
                    .entry(key.to_owned())
                    .or_insert_with(|| Entry::new("0".into(), ttl));
                if entry.expired() {
                    *entry = Entry::new("0".into(), ttl);
                }
                let n = entry.value.parse::<i64>().unwrap_or(0) + 1;
                entry.value = n.to_string();
                n
            })),
        }
    }

    /// One hit on the rate limit at `key` (GCRA: `burst` hits at once, then one every
    /// `interval_ms`), at time `now_ms` of the flow clock. `None` when allowed, else how
    /// many milliseconds until the next hit would be. Atomic in Redis (one Lua script), so
    /// every instance shares the limit.
    pub async fn gcra(
        &self,
        key: &str,
        now_ms: i64,
        interval_ms: i64,
        burst: i64,
    ) -> StoreResult<Option<i64>> {
        let limit = Limit {
            key,
            interval_ms,
            burst,
        };
        Ok(self.gcra_all(&[limit], now_ms).await?.map(|(_, wait)| wait))
    }

    /// One hit on each of several rate limits, in order, in one round trip: the first that
    /// refuses stops the rest (they are not counted), and the ones before it are counted,
    /// as separate [`Ephemeral::gcra`] calls in the same order would. `None` when every
    /// limit allowed the hit, else the refusing limit's index and its wait in milliseconds.
    pub async fn gcra_all(
        &self,
        limits: &[Limit<'_>],
        now_ms: i64,
    ) -> StoreResult<Option<(usize, i64)>> {
        if limits.is_empty() {
            return Ok(None);
        }
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                let mut call = r.gcra.prepare_invoke();
                call.arg(now_ms);
                for l in limits {
                    call.key(r.key(l.key)).arg(l.interval_ms).arg(l.burst);
                }
                let (at, wait): (usize, i64) = call.invoke_async(&mut c).await?;
                Ok((at > 0).then(|| (at - 1, wait)))
            }
            Ephemeral::Memory(m) => Ok(m.with(|map| {
                for (i, l) in limits.iter().enumerate() {
                    let tat = map
                        .get(l.key)
                        .filter(|e| !e.expired())
                        .and_then(|e| e.value.parse::<i64>().ok())
                        .unwrap_or(now_ms);
                    let (wait, new_tat) = gcra_step(tat, now_ms, l.interval_ms, l.burst);
                    if wait > 0 {
                        return Some((i, wait));
                    }
                    let ttl = Duration::from_millis((new_tat - now_ms).max(1).unsigned_abs());
                    map.insert(l.key.to_owned(), Entry::new(new_tat.to_string(), ttl));
                }
                None
            })),
        }
    }

    /// For `/readyz`.
    pub async fn ping(&self) -> StoreResult<()> {
        match self {
            Ephemeral::Redis(r) => {
                let mut c = r.conn();
                redis::cmd("PING").query_async::<String>(&mut c).await?;
                Ok(())
            }
            Ephemeral::Memory(_) => Ok(()),
        }
    }
}

const INCR_WITH_TTL: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
";

/// The generic cell rate algorithm: the stored value is the theoretical arrival time (TAT)
/// of the next hit; a hit is allowed while TAT is at most `interval * (burst - 1)` ahead of
/// now. Returns `(wait_ms, new_tat)`; `wait_ms > 0` means refused (and nothing changes).
fn gcra_step(tat: i64, now: i64, interval: i64, burst: i64) -> (i64, i64) {
    let tat = tat.max(now);
    let tolerance = interval * (burst - 1).max(0);
    if tat - now > tolerance {
        (tat - tolerance - now, tat)
    } else {
        (0, tat + interval)
    }
}

/// [`gcra_step`] over each key in turn (ARGV: now, then interval and burst per key); stops
/// at the first that refuses and answers `{its 1-based index, wait}`, or `{0, 0}`.
const GCRA: &str = r"
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local tolerance = interval * math.max(burst - 1, 0)
  if tat - now > tolerance then
    return {i, tat - tolerance - now}
  end
  local new_tat = tat + interval
  redis.call('SET', key, new_tat, 'PX', math.max(new_tat - now, 1))
end
return {0, 0}
";

fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Numbers the Redis stores of the process (tests run many), so a thread's own connections
/// are told apart.
static NEXT_STORE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// This thread's own connections, by store ([`Ephemeral::connect_this_thread`]).
    #[allow(clippy::type_complexity, reason = "a private list of three plain parts")]
    static THREAD_CONNECTIONS: std::cell::RefCell<Vec<(u64, ConnectionManager, std::sync::Weak<()>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The calling thread's own connection to store `id`, if it has a live one; forgets those
/// whose runtime has shut down.
fn own_connection(id: u64) -> Option<ConnectionManager> {
    THREAD_CONNECTIONS.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|(_, _, alive)| alive.strong_count() > 0);
        c.iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, conn, _)| conn.clone())
    })
}

pub struct RedisStore {
    id: u64,
    /// For subscriptions, which need a connection of their own, and for each worker
    /// thread's own (boxed: it is large and seldom used).
    client: Box<redis::Client>,
    config: Box<redis::aio::ConnectionManagerConfig>,
    /// The connection every thread without one of its own shares.
    conn: ConnectionManager,
    prefix: String,
    incr: redis::Script,
    gcra: redis::Script,
}

impl RedisStore {
    /// The calling thread's own connection, or the shared one.
    fn conn(&self) -> ConnectionManager {
        own_connection(self.id).unwrap_or_else(|| self.conn.clone())
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

struct Entry {
    value: String,
    expires: Instant,
}

impl Entry {
    fn new(value: String, ttl: Duration) -> Self {
        Self {
            value,
            expires: Instant::now() + ttl,
        }
    }

    fn expired(&self) -> bool {
        Instant::now() >= self.expires
    }
}

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    map: HashMap<String, Entry>,
    ops: u32,
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update of a cache whose
        // entries are each written whole; carrying on is safe.
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.ops = inner.ops.wrapping_add(1);
        if inner.ops.is_multiple_of(1024) {
            let now = Instant::now();
            inner.map.retain(|_, e| e.expires > now);
        }
        f(&mut inner.map)
    }
}
