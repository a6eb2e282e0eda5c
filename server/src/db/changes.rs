//! Caches of rows that are read all the time and changed rarely (sessions,
//! families, sites), kept honest by PostgreSQL's change notices.
//!
//! Triggers on the cached tables (migration `m20261206_000014_change_notices`)
//! send a notice on the channel [`CHANNEL`] with the table's name whenever a
//! transaction changes them, any process and any code path alike; PostgreSQL
//! delivers it to every listener once that transaction commits. Each process
//! keeps one listening connection: a notice moves its table's topic to a new
//! epoch, and a cached entry counts only while its topic is at the epoch it was
//! read under.
//!
//! What makes that safe:
//! - An entry is filed only if its topic's epoch is still the one taken
//!   *before* the read, so a read that raced a change is never kept.
//! - While the listener is not known to be listening (starting, reconnecting,
//!   or its heartbeat not heard back), nothing is served from the caches: every
//!   read goes to the database. Reconnecting moves every topic on, since
//!   notices sent meanwhile were lost.
//! - The listener sends itself a heartbeat notice through the pool every
//!   [`HEARTBEAT`]; a connection that stopped delivering without an error is
//!   given up after two unanswered beats.
//! - Every entry expires after [`TTL`] in any case.
//!
//! A change made in another process is seen here once its notice arrives
//! (milliseconds); this process's own changes to sessions move the topic at
//! once (see [`Changes::bump`]). On SQLite there is no listener and the caches
//! stay off: its reads are in-process and cheap.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgListener, PgPool};

/// The notice channel the triggers send on.
pub const CHANNEL: &str = "hagukumi_changes";
/// How often the listener checks that it still hears its own notices.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// The longest any entry is served.
pub const TTL: Duration = Duration::from_secs(60);
/// Entries per cache before it starts over.
const MAX_ENTRIES: usize = 20_000;
const HEARTBEAT_NOTICE: &str = "heartbeat";

/// What a cache depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Sessions, their users and municipalities (who is asking).
    Sessions = 0,
    /// Households and children (a booking's family facts).
    Families = 1,
    /// Sites, their shares and municipality codes (a booking's places).
    Sites = 2,
    /// A municipality's rules (what a booking is checked against).
    Rules = 3,
}

const TOPICS: usize = 4;

impl Topic {
    /// The topics a changed table moves; an unknown table moves them all.
    fn of_table(table: &str) -> &'static [Topic] {
        match table {
            "sessions" | "users" => &[Topic::Sessions],
            "municipalities" => &[Topic::Sessions, Topic::Sites, Topic::Rules],
            "households" | "children" => &[Topic::Families],
            "sites" | "site_shares" | "services" => &[Topic::Sites],
            "rule_sets" => &[Topic::Rules],
            _ => &[Topic::Sessions, Topic::Families, Topic::Sites, Topic::Rules],
        }
    }
}

/// Whether this process hears change notices, and each topic's epoch.
#[derive(Debug, Default)]
pub struct Changes {
    live: AtomicBool,
    epochs: [AtomicU64; TOPICS],
}

impl Changes {
    /// Caches that are never used (SQLite).
    pub fn off() -> Arc<Changes> {
        Arc::new(Changes::default())
    }

    /// Starts listening on `pool`'s database in the background.
    pub fn listen(pool: PgPool) -> Arc<Changes> {
        let changes = Arc::new(Changes::default());
        tokio::spawn(supervise(changes.clone(), pool));
        changes
    }

    /// The topic's epoch, or `None` while caches must not be used.
    pub fn epoch(&self, topic: Topic) -> Option<u64> {
        self.live
            .load(Ordering::Acquire)
            .then(|| self.epochs[topic as usize].load(Ordering::Acquire))
    }

    /// Moves `topic` on: what was cached under it no longer counts.
    pub fn bump(&self, topic: Topic) {
        self.epochs[topic as usize].fetch_add(1, Ordering::AcqRel);
    }

    fn bump_all(&self) {
        for e in &self.epochs {
            e.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
        }
        // Whatever was cached before a gap in listening no longer counts.
        self.bump_all();
        if live {
            self.live.store(true, Ordering::Release);
        }
    }

    /// Whether the caches are in use now.
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    fn hear(&self, table: &str) {
        for t in Topic::of_table(table) {
            self.bump(*t);
        }
    }
}

/// Keeps a listener connected; the caches are live only while it is.
async fn supervise(changes: Arc<Changes>, pool: PgPool) {
    let mut pause = Duration::from_millis(100);
    loop {
        match listen_once(&changes, &pool).await {
            Ok(()) => pause = Duration::from_millis(100),
            Err(e) => {
                tracing::warn!(error = %e, "change notices: listener failed; caches off until it is back");
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
        changes.set_live(false);
        if pool.is_closed() {
            return;
        }
        tokio::time::sleep(pause).await;
    }
}

/// Listens until the connection fails or stops answering its heartbeat.
///
/// The notices are applied by the task that receives them, and that task turns
/// the caches off the moment its connection fails, so neither waits for the
/// heartbeat, which goes through the (possibly busy) pool.
async fn listen_once(changes: &Arc<Changes>, pool: &PgPool) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // A lost connection ends this listener rather than being mended inside it:
    // the caches must be off until a new one listens.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    changes.set_live(true);
    tracing::info!("change notices: listening; caches on");
    let (beats, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let receiving = changes.clone();
    let receiver = tokio::spawn(async move {
        while let Ok(Some(n)) = listener.try_recv().await {
            if n.payload() == HEARTBEAT_NOTICE {
                let _ = beats.send(());
            } else {
                receiving.hear(n.payload());
            }
        }
        receiving.set_live(false);
    });
    let _stop = AbortOnDrop(receiver);
    let mut beat = tokio::time::interval(HEARTBEAT);
    let mut unanswered = 0u32;
    loop {
        tokio::select! {
            answer = heard.recv() => match answer {
                Some(()) => unanswered = 0,
                None => return Ok(()),
            },
            _ = beat.tick() => {
                if unanswered >= 2 {
                    tracing::warn!("change notices: heartbeat not heard back; reconnecting");
                    return Ok(());
                }
                unanswered += 1;
                let send = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(HEARTBEAT_NOTICE)
                    .execute(pool);
                // A send that cannot get a connection in time counts as unanswered.
                if let Ok(sent) = tokio::time::timeout(HEARTBEAT, send).await {
                    sent?;
                }
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Values of `V` by `K`, served only while their topic's epoch stands.
pub struct Cache<K, V> {
    topic: Topic,
    entries: Mutex<HashMap<K, (u64, Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub fn new(topic: Topic) -> Self {
        Cache {
            topic,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (u64, Instant, V)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The epoch to read under, or `None` when the cache is off: take it
    /// before reading, and file what was read with it.
    pub fn epoch(&self, changes: &Changes) -> Option<u64> {
        changes.epoch(self.topic)
    }

    pub fn get(&self, changes: &Changes, key: &K) -> Option<V> {
        let epoch = changes.epoch(self.topic)?;
        let entries = self.lock();
        let (at_epoch, at, value) = entries.get(key)?;
        (*at_epoch == epoch && at.elapsed() < TTL).then(|| value.clone())
    }

    /// Files `value`, read under `epoch`, unless the topic moved on since.
    pub fn put(&self, changes: &Changes, epoch: Option<u64>, key: K, value: V) {
        let Some(epoch) = epoch else { return };
        let mut entries = self.lock();
        if changes.epoch(self.topic) != Some(epoch) {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (e, at, _)| *e == epoch && at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (epoch, Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Changes {
        let c = Changes::default();
        c.set_live(true);
        c
    }

    #[test]
    fn nothing_is_served_while_not_listening() {
        let c = Changes::default();
        let cache: Cache<u32, &str> = Cache::new(Topic::Sessions);
        cache.put(&c, cache.epoch(&c), 1, "a");
        assert_eq!(cache.get(&c, &1), None);
        c.set_live(true);
        cache.put(&c, cache.epoch(&c), 1, "a");
        assert_eq!(cache.get(&c, &1), Some("a"));
        c.set_live(false);
        assert_eq!(cache.get(&c, &1), None);
        // Back on, what was filed before the gap does not count.
        c.set_live(true);
        assert_eq!(cache.get(&c, &1), None);
    }

    #[test]
    fn a_notice_drops_its_topic_only() {
        let c = live();
        let sessions: Cache<u32, &str> = Cache::new(Topic::Sessions);
        let families: Cache<u32, &str> = Cache::new(Topic::Families);
        sessions.put(&c, sessions.epoch(&c), 1, "s");
        families.put(&c, families.epoch(&c), 1, "f");
        c.hear("households");
        assert_eq!(sessions.get(&c, &1), Some("s"));
        assert_eq!(families.get(&c, &1), None);
        c.hear("users");
        assert_eq!(sessions.get(&c, &1), None);
        c.hear("some_new_table");
        families.put(&c, families.epoch(&c), 2, "g");
        c.hear("some_new_table");
        assert_eq!(families.get(&c, &2), None);
        // A municipality's rules go with its rule sets and the municipality.
        let rules: Cache<u32, &str> = Cache::new(Topic::Rules);
        families.put(&c, families.epoch(&c), 3, "h");
        rules.put(&c, rules.epoch(&c), 1, "r");
        c.hear("sites");
        assert_eq!(rules.get(&c, &1), Some("r"));
        c.hear("rule_sets");
        assert_eq!(rules.get(&c, &1), None);
        assert_eq!(families.get(&c, &3), Some("h"));
        rules.put(&c, rules.epoch(&c), 2, "s");
        c.hear("municipalities");
        assert_eq!(rules.get(&c, &2), None);
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_filed() {
        let c = live();
        let cache: Cache<u32, &str> = Cache::new(Topic::Sites);
        let before = cache.epoch(&c);
        // ... the read runs, and meanwhile a change's notice arrives ...
        c.hear("sites");
        cache.put(&c, before, 1, "stale");
        assert_eq!(cache.get(&c, &1), None);
    }
}
