//! Group commit for new bookings.
//!
//! A booking is decided under the locks of its days and household and stored
//! with its children, coupon balances, audit row, idempotency key and emails in
//! one transaction. One transaction per booking made every booking pay for the
//! whole round on its own: about twenty statements, each a hop to the database,
//! while every other writer waited (SQLite has one writer slot; PostgreSQL
//! queues on the day's lock row).
//!
//! Here a request that arrives while a booking transaction is running waits in
//! a queue, and the next transaction takes every request queued by then:
//!
//! 1. it locks the union of their days and households (sorted, so two server
//!    processes never deadlock);
//! 2. it reads each site's place-holding bookings, the families' usage for the
//!    quotas and the coupon balances once, for all of them;
//! 3. it decides the requests one after another in arrival order, each against
//!    those counts plus the bookings decided before it in the same round, so the
//!    second request for the last place sees the first;
//! 4. it writes the bookings, their children, the balances, the audit rows, the
//!    idempotency keys and the emails with one statement per table.
//!
//! A request that is refused (no place, a quota, a reused key) leaves the counts
//! as they were and only its caller hears of it. If the transaction itself
//! fails, each request is tried again in a transaction of its own, so one
//! request can never fail another. A request alone is simply a round of one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::availability::{Interval, local_date};
use hagukumi_domain::booking::{Recipient, submit};
use hagukumi_domain::calendar::FiscalYear;
use hagukumi_domain::capacity::{ConflictCode, Municipality, Occupancy};
use hagukumi_domain::fees::Period;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::events::BookingEvent;
use super::held::{self, HeldCache};
use super::helper_visits;
use super::locks::{LockSet, Versions};
use super::repo::{self, HOLDING, Stored};
use super::resource::occupancy;
use super::service::{
    BookingRequest, CreateOutcome, Created, Prepared, Reference, Spent, coupon_left_in, invalid,
    is_capacity, load_spent, new_stored, plan_with, prepare_from, quote_at, settle, spent_upsert,
};
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db;
use crate::db::changes::Topic;
use crate::entities::{booking, idempotency_key, service, site};
use crate::error::{ApiError, ApiResult};
use crate::mail::booking_events::{self, Known};
use crate::mail::outbox::{self, Already, Render};
use crate::state::{AppState, Cached};

/// The most requests one transaction decides; the rest wait for the next.
const MAX_ROUND: usize = 64;

/// The most requests one round takes where rounds overlap (PostgreSQL): a
/// round that took everything queued ran long, and the requests that came
/// back meanwhile then made the next one as long; smaller rounds side by
/// side kept every request's wait shorter. (With two lanes the load
/// program's rounds average about 11 requests, so the cap is seldom met.)
const MAX_OVERLAPPING_ROUND: usize = 24;

/// One request to book, waiting for its round.
pub struct Job {
    pub user: CurrentUser,
    pub req: BookingRequest,
    /// The request's fingerprint, for `Idempotency-Key`.
    pub fingerprint: String,
    pub key: Option<String>,
    pub now: DateTime<Utc>,
}

type Reply = oneshot::Sender<ApiResult<CreateOutcome>>;

/// The queue of requests waiting for a booking transaction (one per process).
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Vec<Queued>>,
    /// What the rounds now running will lock, as far as it can be told (see
    /// [`Claims`]), by round.
    running: Mutex<HashMap<u64, Claims>>,
    /// Numbers the rounds of this process.
    rounds: AtomicU64,
    /// Wakes the runner when a request is queued.
    wake: tokio::sync::Notify,
    /// Whether the runner has been started (by the first request).
    started: AtomicBool,
    /// The places held on the days the last rounds locked.
    held: HeldCache,
    /// A transaction begun for the next round (PostgreSQL; see [`Spare`]).
    spare: Mutex<Option<Spare>>,
}

/// A transaction begun on the rounds' connections before a round needs it.
///
/// On PostgreSQL a round's `BEGIN` was a round trip of its own, about a tenth
/// of a round under load, and on the part of the round that spaces the rounds.
/// While requests keep coming, a round that has answered its requests begins
/// the transaction of a round to come, which then starts at its first
/// statement. Nothing is read or written in it before the round's statements:
/// in READ COMMITTED each statement takes its own snapshot, so a transaction
/// begun early sees what one begun late would (the round reads the clock in
/// Rust, never `now()`, which would be the time of the `BEGIN`). A spare not
/// taken within [`SPARE_FOR`] is rolled back, so no connection stays idle in
/// a transaction once the bookings stop.
struct Spare {
    txn: db::WriteTxn,
    since: std::time::Instant,
}

impl Spare {
    fn stale(&self) -> bool {
        self.since.elapsed() >= SPARE_FOR
    }
}

/// How long a [`Spare`] waits for a round before it is rolled back.
const SPARE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

impl GroupCommit {
    /// Decides and stores `job`, with whatever other requests are waiting.
    pub async fn submit(&self, state: &AppState, job: Job) -> ApiResult<CreateOutcome> {
        let (tx, rx) = oneshot::channel();
        let claims = Claims::of(job.user.id, &job.req);
        self.lock_queue().push(Queued {
            item: (job, tx),
            claims,
            passed: 0,
            since: std::time::Instant::now(),
        });
        if !self.started.swap(true, Ordering::AcqRel) {
            tokio::spawn(runner(state.clone()));
        }
        self.wake.notify_one();
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Queued>> {
        // A panic while holding the lock leaves a queue that is still valid.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Claims>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_spare(&self) -> std::sync::MutexGuard<'_, Option<Spare>> {
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The spare transaction, if one was begun less than [`SPARE_FOR`] ago.
    fn take_spare(&self) -> Option<db::WriteTxn> {
        let spare = self.lock_spare().take()?;
        (!spare.stale()).then_some(spare.txn)
    }

    /// Begins a transaction for a round to come, while requests wait and
    /// none is spare yet (PostgreSQL).
    async fn make_spare(&self, state: &AppState) {
        if state.rounds.get_database_backend() != DbBackend::Postgres
            || self.lock_queue().is_empty()
            || self.lock_spare().is_some()
        {
            return;
        }
        // A failed BEGIN is left to the round, which begins its own.
        if let Ok(txn) = db::begin_write(&state.rounds).await {
            let fresh = Spare {
                txn,
                since: std::time::Instant::now(),
            };
            // Another round's spare, made meanwhile, is as good.
            let mut slot = self.lock_spare();
            if slot.is_none() {
                *slot = Some(fresh);
            }
        }
    }

    /// Rolls back a spare older than [`SPARE_FOR`].
    fn drop_stale_spare(&self) {
        let stale = self.lock_spare().take_if(|s| s.stale());
        drop(stale);
    }

    /// The next round: its number and its requests, in the order they came.
    /// While other rounds run (PostgreSQL, `choose`), a request that would
    /// lock what they lock waits for a later round rather than hold this one
    /// at the database's locks; one passed over twice is taken all the same,
    /// with everything queued before it, so none waits for ever.
    fn take_round(&self, choose: bool) -> (u64, Vec<(Job, Reply)>) {
        let id = self.rounds.fetch_add(1, Ordering::Relaxed);
        let mut running = self.lock_running();
        let mut q = self.lock_queue();
        let busy = Claims::union(running.values());
        let (taken, kept) = select(std::mem::take(&mut *q), &busy, choose);
        let mut mine = Claims::default();
        let now = std::time::Instant::now();
        let mut waited = 0;
        let taken: Vec<(Job, Reply)> = taken
            .into_iter()
            .map(|queued| {
                mine.add(&queued.claims);
                waited += micros(now - queued.since);
                queued.item
            })
            .collect();
        ROUNDS[3].fetch_add(waited, Ordering::Relaxed);
        *q = kept;
        if !taken.is_empty() {
            running.insert(id, mine);
        }
        (id, taken)
    }

    /// Round `id` has ended: what it locked is free, and what waited for it
    /// may go.
    fn ended(&self, id: u64) {
        self.lock_running().remove(&id);
        self.wake.notify_one();
    }
}

/// Tells the queue that a round ended, however it ended (a panic too).
struct Ended(std::sync::Arc<GroupCommit>, u64);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.ended(self.1);
    }
}

/// A request in the queue.
struct Queued<T = (Job, Reply)> {
    item: T,
    claims: Claims,
    /// Rounds that passed it over.
    passed: u8,
    /// When it was queued.
    since: std::time::Instant,
}

/// `queue` split into the next round (at most [`MAX_ROUND`], or
/// [`MAX_OVERLAPPING_ROUND`] where rounds overlap) and what waits,
/// each in order: see [`GroupCommit::take_round`].
fn select<T>(
    queue: Vec<Queued<T>>,
    busy: &Claims,
    choose: bool,
) -> (Vec<Queued<T>>, Vec<Queued<T>>) {
    let mut taken = Vec::new();
    let mut kept = Vec::new();
    let most = if choose {
        MAX_OVERLAPPING_ROUND
    } else {
        MAX_ROUND
    };
    let mut in_order = !choose || busy.is_empty();
    for mut queued in queue {
        if taken.len() == most {
            kept.push(queued);
            continue;
        }
        in_order |= queued.passed >= 2;
        if in_order || !queued.claims.meets(busy) {
            taken.push(queued);
        } else {
            queued.passed += 1;
            kept.push(queued);
        }
    }
    (taken, kept)
}

/// What a request will lock, as far as can be told before it is checked:
/// its family and its site's days. Only a guess for choosing rounds: the
/// locks themselves are taken, and waited for, in the database either way.
#[derive(Default, Clone)]
struct Claims {
    users: BTreeSet<Uuid>,
    days: BTreeSet<(String, NaiveDate)>,
    /// A series, whose days are known only once it is expanded: it meets
    /// every other claim.
    all: bool,
}

impl Claims {
    fn of(user: Uuid, req: &BookingRequest) -> Claims {
        let mut c = Claims::default();
        c.users.insert(user);
        let site = &req.site;
        let (first, last) = match req.period {
            Period::Hours { start, end } => (
                start.date(),
                (end - chrono::Duration::seconds(1))
                    .date()
                    .max(start.date()),
            ),
            Period::Nights { check_in, nights } => (
                check_in,
                check_in + chrono::Days::new(u64::from(nights.min(31))),
            ),
            Period::DayStay { date } => (date, date),
        };
        for day in first.iter_days().take_while(|d| *d <= last).take(32) {
            c.days.insert((site.clone(), day));
        }
        c.all = req.recurrence.is_some();
        c
    }

    fn add(&mut self, other: &Claims) {
        self.users.extend(other.users.iter().copied());
        self.days.extend(other.days.iter().cloned());
        self.all |= other.all;
    }

    fn union<'a>(all: impl Iterator<Item = &'a Claims>) -> Claims {
        let mut u = Claims::default();
        for c in all {
            u.add(c);
        }
        u
    }

    fn is_empty(&self) -> bool {
        !self.all && self.users.is_empty() && self.days.is_empty()
    }

    fn meets(&self, other: &Claims) -> bool {
        if other.is_empty() {
            return false;
        }
        self.all
            || other.all
            || !self.users.is_disjoint(&other.users)
            || !self.days.is_disjoint(&other.days)
    }
}

/// Runs the rounds of `state.bookings` while requests wait, each taking what
/// is queued when it starts; then sleeps until the next request. Before, the
/// request that got the turn started the next round: the turn passed to a task
/// that had to be scheduled, and that task then spawned the round, two waits
/// between rounds in which no booking was decided.
///
/// On PostgreSQL the next round starts as soon as the one before holds its
/// locks ([`Next`]): it reads its families and sites and asks for its locks
/// while the one before reads its counts, decides, writes and commits, and
/// where the two share a day or a household the database makes it wait for
/// the first one's commit, as it would a round of another process. One round
/// after another, about a third of each round was spent before its locks,
/// with the lane idle. The next round leaves out the requests for the
/// families and days of the rounds still running (see
/// [`GroupCommit::take_round`]) and takes at most [`MAX_OVERLAPPING_ROUND`]:
/// it then runs beside them instead of waiting at their locks. At most
/// [`IN_FLIGHT`] rounds run at once. (Two lanes, the next round starting once
/// the one before had written its bookings and rounds as large as the queue
/// made 1.6–2.2k bookings a second on the load program's machine, median
/// 1.9k; three lanes, the start at the locks and rounds of at most 16 made
/// 1.7–2.7k, median 2.1k; four lanes, or no cap, did no better. Since then
/// every round's statements got cheaper, and the requests' share of them
/// mattered more than the overlap: with the load program's warm-up and its
/// 2.5 s of bookings, two lanes and rounds of at most 24 took 14% less of the
/// machine's CPU per booking than three lanes and 16, 361 µs against 419
/// (medians of 8 runs each, one after the other), and made 0.34 of the plain
/// insert rate against 0.32, in rounds of 10.6 requests instead of 8.4.
/// Starting the next round before the locks, or a fourth lane, did worse;
/// one lane, with rounds of 17, worse still.)
/// On SQLite, whose rounds queue for the one writer anyway, the next starts
/// when the last ends.
///
/// Each round runs as a task of its own, so a caller who hangs up cannot cut
/// the others' transaction short, and a panic fails that round, not the runner.
async fn runner(state: AppState) {
    let group = state.bookings.clone();
    let lanes = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let choose = state.rounds.get_database_backend() == DbBackend::Postgres;
    loop {
        let Ok(lane) = lanes.clone().acquire_owned().await else {
            return;
        };
        let (id, round) = group.take_round(choose);
        if round.is_empty() {
            drop(lane);
            // Asleep, the runner still rolls back a spare left by the last round.
            if tokio::time::timeout(SPARE_FOR, group.wake.notified())
                .await
                .is_err()
            {
                group.drop_stale_spare();
            }
            continue;
        }
        let (next, started) = oneshot::channel();
        let state = state.clone();
        let task = tokio::spawn(async move {
            // Dropped in reverse: the round's claims go before its lane.
            let _lane = lane;
            let _ended = Ended(state.bookings.clone(), id);
            run(&state, round, Next(Some(next))).await;
        });
        tokio::spawn(async move {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a booking round stopped; its requests were answered with an error");
            }
        });
        // Until the round lets the next one start, or ends (or panics).
        let _ = started.await;
    }
}

/// Rounds of one process that may run at once (see [`runner`]).
pub const IN_FLIGHT: usize = 2;

/// A round's word to the runner that the next round may start: sent once
/// it holds its locks (PostgreSQL), or when it ends.
struct Next(Option<oneshot::Sender<()>>);

impl Next {
    fn go(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

fn stopped() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the booking transaction stopped"))
}

/// Rounds run, requests decided in them, the time spent in them and the
/// requests' time waiting for them (µs), in this process: the load program's
/// requests per transaction.
static ROUNDS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

/// (rounds, requests, microseconds in rounds, microseconds requests waited
/// for their round) so far in this process.
pub fn rounds() -> (u64, u64, u64, u64) {
    let [a, b, c, d] = &ROUNDS;
    (
        a.load(Ordering::Relaxed),
        b.load(Ordering::Relaxed),
        c.load(Ordering::Relaxed),
        d.load(Ordering::Relaxed),
    )
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

async fn run(state: &AppState, round: Vec<(Job, Reply)>, mut next: Next) {
    let started = std::time::Instant::now();
    ROUNDS[0].fetch_add(1, Ordering::Relaxed);
    ROUNDS[1].fetch_add(round.len() as u64, Ordering::Relaxed);
    let (jobs, replies): (Vec<Job>, Vec<Reply>) = round.into_iter().unzip();
    let answers = match decide_and_store(state, &jobs, &mut next).await {
        Ok(answers) => answers,
        Err(e) if jobs.len() > 1 => {
            tracing::warn!(error = %e, requests = jobs.len(), "booking round failed; each request is tried alone");
            let mut answers = Vec::with_capacity(jobs.len());
            for job in &jobs {
                answers.push(
                    decide_and_store(state, std::slice::from_ref(job), &mut next)
                        .await
                        .and_then(|mut a| a.pop().unwrap_or_else(|| Err(stopped()))),
                );
            }
            answers
        }
        Err(e) => vec![Err(e)],
    };
    next.go();
    ROUNDS[2].fetch_add(micros(started.elapsed()), Ordering::Relaxed);
    for (reply, answer) in replies.into_iter().zip(answers) {
        // The caller may have hung up; its booking stands all the same.
        let _ = reply.send(answer);
    }
    state.bookings.make_spare(state).await;
}

/// The parts of a round, in order: the load program's breakdown of a round.
pub const PHASES: [&str; 8] = [
    "begin",
    // On PostgreSQL the round begins while these are read, and both count here.
    "families, sites, rules",
    "locks",
    // On PostgreSQL the sites read again under the locks count here too.
    "places held",
    "decisions",
    // The rows built, and written only where something reads them back.
    "rows",
    // The emails built, and every row of the round written.
    "emails and writes",
    "commit",
];
static PHASE_MICROS: [AtomicU64; PHASES.len()] = [const { AtomicU64::new(0) }; PHASES.len()];

/// Microseconds spent so far in each of [`PHASES`], in this process.
pub fn phases() -> [u64; PHASES.len()] {
    std::array::from_fn(|i| PHASE_MICROS[i].load(Ordering::Relaxed))
}

/// Times the phases of one round attempt.
struct Laps(std::time::Instant);

impl Laps {
    /// Counts the time since the previous lap towards `phase`.
    fn lap(&mut self, phase: usize) {
        let now = std::time::Instant::now();
        PHASE_MICROS[phase].fetch_add(micros(now - self.0), Ordering::Relaxed);
        self.0 = now;
    }
}

/// What the decisions of one round count against, read once under the locks
/// and kept up to date as each request is decided.
struct Counts {
    codes: HashMap<Uuid, Municipality>,
    /// Place-holding bookings per resource key.
    holding: HashMap<String, Vec<Occupancy>>,
    /// The families' own bookings per (household, service), for quotas.
    usage: HashMap<(Uuid, String), Vec<Interval>>,
    /// Coupon spent per (child, fiscal year).
    spent: Spent,
    /// Keys used earlier in this round: (user, key) → (fingerprint, bookings, series).
    keys: HashMap<(Uuid, String), (String, Vec<Stored>, bool)>,
}

/// What one accepted request writes.
#[derive(Default)]
struct Writes {
    made: Vec<Stored>,
    audit: Vec<AuditEntry<'static>>,
    events: Vec<BookingEvent>,
    balances: BTreeSet<(Uuid, i32)>,
    keys: Vec<idempotency_key::ActiveModel>,
    /// Which request each booking belongs to, for its email.
    job_of: HashMap<Uuid, usize>,
    /// The checked requests, by index.
    prepared: HashMap<usize, Prepared>,
}

/// How often a round starts over because its sites changed under it.
const STALE_ATTEMPTS: usize = 5;

/// One round: `Ok` with one answer per job, or `Err` when the transaction failed.
async fn decide_and_store(
    state: &AppState,
    jobs: &[Job],
    next: &mut Next,
) -> ApiResult<Vec<ApiResult<CreateOutcome>>> {
    for _ in 0..STALE_ATTEMPTS {
        if let Some(answers) = attempt(state, jobs, next).await? {
            return Ok(answers);
        }
    }
    Err(ApiError::Conflict(Text::new(
        "施設の設定が変更され続けています。少し待ってからもう一度お試しください",
        "The site's settings kept changing; please try again in a moment",
    )))
}

/// One try at a round: `Ok(None)` when a site changed between reading it and
/// taking the locks (nothing is written; the round starts over).
async fn attempt(
    state: &AppState,
    jobs: &[Job],
    next: &mut Next,
) -> ApiResult<Option<Vec<ApiResult<CreateOutcome>>>> {
    let mut laps = Laps(std::time::Instant::now());
    // The families, children, sites and rules of every request, read once;
    // each request is checked against them (bad input is refused here).
    let asks: Vec<(&CurrentUser, &BookingRequest)> =
        jobs.iter().map(|j| (&j.user, &j.req)).collect();
    let (txn, reference) = if state.rounds.get_database_backend() == DbBackend::Postgres {
        // Read through the pool, each query on a connection of its own, while
        // the round's connection begins: what is read before the locks stands
        // only until they are taken either way (see `sites_changed` below).
        let spare = state.bookings.take_spare();
        futures::try_join!(
            async {
                Ok::<_, ApiError>(match spare {
                    Some(txn) => txn,
                    None => db::begin_write(&state.rounds).await?,
                })
            },
            Reference::load_cached(&state.db, Some(&state.cached), &asks)
        )?
    } else {
        // SQLite's write lock comes first, so what is read under it stands.
        let txn = db::begin_write(&state.rounds).await?;
        laps.lap(0);
        let reference = Reference::load(&txn, &asks).await?;
        (txn, reference)
    };
    let prepared: Vec<ApiResult<Prepared>> = jobs
        .iter()
        .map(|j| prepare_from(&reference, &j.user, &j.req, j.now))
        .collect();
    let checked: Vec<&Prepared> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
    laps.lap(1);
    let mut locks = LockSet::new();
    for p in &checked {
        locks.household(p.household.id);
        for iv in &p.occurrences {
            locks.days(&p.site.key(), iv);
        }
    }
    let versions = locks.acquire_versions(&txn).await?;
    laps.lap(2);
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    if postgres {
        next.go();
    }
    // A coordinator's change to a site (a day closed, beds added) holds the
    // days it touches until it commits. On SQLite this round's write lock came
    // before its reads, so what it read stands; on PostgreSQL the sites were read
    // before the locks, and a change committed in between must not be missed.
    // They are read again with the coupon balances, which are read under the
    // households' locks either way: one round trip, not two. (Read through the
    // pool beside the counts, the sites took longer than both reads one after
    // the other on the round's connection.)
    let mut spent = None;
    if postgres {
        let (changed, read) = sites_and_spent(&txn, &checked).await?;
        if changed {
            // What this process keeps of the sites is older than this too: the
            // next attempt reads them afresh rather than wait for the notice.
            state.cached.changes.bump(Topic::Sites);
            return Ok(None);
        }
        spent = Some(read);
    }
    let (mut counts, mut kept) = read_counts(
        &txn,
        &checked,
        reference.codes.clone(),
        &state.bookings.held,
        &versions,
        spent,
    )
    .await?;
    laps.lap(3);

    let mut answers = Vec::with_capacity(jobs.len());
    let mut writes = Writes::default();
    for (i, (job, p)) in jobs.iter().zip(prepared).enumerate() {
        answers.push(match p {
            Ok(p) => {
                let answer = decide(&txn, job, &p, i, &mut counts, &mut writes).await;
                writes.prepared.insert(i, p);
                answer
            }
            Err(e) => Err(e),
        });
    }

    // What the round holds now, on the days it keeps.
    for s in &writes.made {
        if let Some(days) = kept.get_mut(&s.row.resource_key)
            && HOLDING.contains(&s.row.status.as_str())
        {
            let code = counts.codes.get(&s.row.municipality_id).cloned();
            held::add(days, &occupancy(s.interval()?, s.births(), code));
        }
    }

    laps.lap(4);
    // Every row of the round, sent as one statement on PostgreSQL with the
    // emails (see `db::Batch`).
    let mut batch = db::Batch::new(txn.get_database_backend());
    // A round's bookings (at most [`MAX_ROUND`], each a kilobyte or two of
    // text) are far within one statement's bound: their size is not counted.
    let rows = writes
        .made
        .iter()
        .map(|s| s.row.clone().into_active_model());
    batch.insert(rows.collect());
    let children = writes
        .made
        .iter()
        .flat_map(|s| s.children.iter().cloned())
        .map(IntoActiveModel::into_active_model);
    batch.insert(children.collect());
    if !writes.balances.is_empty() {
        batch.add(spent_upsert(&writes.balances, &counts.spent), 0);
    }
    batch.insert(audit::rows(std::mem::take(&mut writes.audit)));
    batch.insert(std::mem::take(&mut writes.keys));
    // The helper programmes' dispatch and a coordinator's count of requests
    // awaiting approval read the new bookings back: they go first then.
    let read_back = writes
        .made
        .iter()
        .any(|s| helper_visits::is_helper_programme(&s.row.service_key))
        || writes.events.iter().any(|e| e.to == Recipient::Coordinator);
    if read_back {
        batch.run(&txn).await?;
    }
    for s in &writes.made {
        let actor = writes.job_of.get(&s.row.id).map(|i| jobs[*i].user.id);
        // Helper programmes hand an approved occurrence to the dispatcher.
        helper_visits::after_transition(&txn, state, actor, "requested", s).await?;
    }
    laps.lap(5);
    let known = known(&txn, &state.cached, jobs, &writes).await?;
    // The families' accounts were read with their sessions a moment ago, and
    // the bookings are new: the emails need not ask again.
    let mut already = Already::default();
    for job in jobs {
        let u = &job.user;
        already.account(
            u.id,
            u.municipality_id,
            &u.email,
            &u.display_name,
            &u.locale,
        );
    }
    for s in &writes.made {
        already.new_booking(s.row.id);
    }
    let mails = booking_events::mails_known(&txn, &writes.events, &known).await?;
    // The emails' events, rendered when they are sent: the round holds its
    // days' locks until it commits.
    let emails = outbox::rows_many(&txn, &state.settings, &mails, &already, Render::AtDelivery);
    batch.insert_sized(emails.await?);
    batch.run(&txn).await?;
    laps.lap(6);
    txn.commit().await?;
    for (key, days) in kept {
        state.bookings.held.keep(&key, days);
    }
    laps.lap(7);
    Ok(Some(answers))
}

/// Whether any site of `checked` reads differently now than when it was prepared.
pub(super) async fn sites_changed(
    conn: &impl ConnectionTrait,
    checked: &[&Prepared],
) -> ApiResult<bool> {
    let ids: BTreeSet<Uuid> = checked.iter().map(|p| p.site.site.id).collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let now = site::Entity::find()
        .filter(site::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(sites_differ(
        checked,
        now.iter()
            .map(|s| (s.id, &s.settings, i64::from(s.capacity))),
    ))
}

/// Whether the sites as they read `now` (id, settings, capacity) differ from
/// those `checked` was prepared with, or one of those is gone.
fn sites_differ<'a>(
    checked: &[&Prepared],
    now: impl IntoIterator<Item = (Uuid, &'a serde_json::Value, i64)>,
) -> bool {
    let read: HashMap<Uuid, &site::Model> = checked
        .iter()
        .map(|p| (p.site.site.id, &p.site.site))
        .collect();
    let mut found = 0;
    for (id, settings, capacity) in now {
        found += 1;
        if read
            .get(&id)
            .is_none_or(|r| r.settings != *settings || i64::from(r.capacity) != capacity)
        {
            return true;
        }
    }
    found != read.len()
}

/// The children and fiscal years whose coupon balances a round needs, if any
/// of its services takes the coupon.
fn coupon_keys(jobs: &[&Prepared]) -> Option<(Vec<Uuid>, Vec<i32>)> {
    if !jobs.iter().any(|p| p.all_rules.coupon.is_some()) {
        return None;
    }
    let children: BTreeSet<Uuid> = jobs
        .iter()
        .flat_map(|p| p.children.iter().map(|(id, _)| *id))
        .collect();
    let years: BTreeSet<i32> = jobs
        .iter()
        .flat_map(|p| p.occurrences.iter())
        .map(|iv| FiscalYear::of(local_date(iv.start())).0)
        .collect();
    Some((children.into_iter().collect(), years.into_iter().collect()))
}

/// On PostgreSQL, under the round's locks: whether a site of `checked` changed
/// since it was read (as [`sites_changed`]), and the coupon balances the
/// round needs (as [`load_spent`]), in one statement (its lists as
/// [`db::pg_array`]s, so its text is the same for every round).
async fn sites_and_spent(
    conn: &impl ConnectionTrait,
    checked: &[&Prepared],
) -> ApiResult<(bool, Spent)> {
    let sites: BTreeSet<Uuid> = checked.iter().map(|p| p.site.site.id).collect();
    let (children, years) = coupon_keys(checked).unwrap_or_default();
    let stmt = sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT 's' AS kind, id, 0 AS fiscal_year, capacity::bigint AS n, settings::text AS settings \
           FROM sites WHERE id = ANY($1::text::uuid[]) \
         UNION ALL \
         SELECT 'c', child_id, fiscal_year, spent_yen, NULL FROM coupon_balances \
          WHERE child_id = ANY($2::text::uuid[]) AND fiscal_year = ANY($3::text::int[])",
        [
            db::pg_array(&sites).into(),
            db::pg_array(&children).into(),
            db::pg_array(&years).into(),
        ],
    );
    let mut spent = Spent::new();
    let mut now = Vec::new();
    for r in conn.query_all_raw(stmt).await? {
        let kind: String = r.try_get_by_index(0)?;
        let id: Uuid = r.try_get_by_index(1)?;
        let n: i64 = r.try_get_by_index(3)?;
        if kind == "c" {
            spent.insert((id, r.try_get_by_index(2)?), n);
            continue;
        }
        let settings: String = r.try_get_by_index(4)?;
        let settings: serde_json::Value = serde_json::from_str(&settings)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("site settings: {e}")))?;
        now.push((id, settings, n));
    }
    let changed = sites_differ(checked, now.iter().map(|(id, s, n)| (*id, s, *n)));
    Ok((changed, spent))
}

/// Each resource's locked days as the round holds them, to keep once it commits.
type Kept = HashMap<String, BTreeMap<NaiveDate, held::Day>>;

async fn read_counts(
    conn: &impl ConnectionTrait,
    jobs: &[&Prepared],
    codes: HashMap<Uuid, Municipality>,
    cache: &HeldCache,
    versions: &Versions,
    // Read already (PostgreSQL, see `sites_and_spent`).
    spent: Option<Spent>,
) -> ApiResult<(Counts, Kept)> {
    // Each site's bookings on the days the requests touch (not the whole span
    // between the first and the last request): kept from an earlier round
    // where nothing changed since, read otherwise.
    let mut hulls: HashMap<String, Vec<Interval>> = HashMap::new();
    for p in jobs {
        hulls.entry(p.site.key()).or_default().push(p.hull());
    }
    let mut holding = HashMap::new();
    let mut kept = Kept::new();
    for (key, ranges) in hulls {
        let now = Utc::now();
        let Some((mut days, missing)) = held::plan(cache, &key, &ranges, versions, now) else {
            let held = repo::holding_in(conn, &key, &ranges, &codes).await?;
            holding.insert(key, held);
            continue;
        };
        if !missing.is_empty() {
            let whole: Vec<Interval> = missing
                .iter()
                .map(|(day, _)| Interval::local_day(*day))
                .collect();
            let read = repo::holding_in(conn, &key, &whole, &codes).await?;
            held::file_read(&mut days, &missing, &read, now);
        }
        holding.insert(key.clone(), held::union(&days));
        kept.insert(key, days);
    }
    // The families' own bookings count only for quotas: a year of them is
    // not read for a service without any.
    let limited = jobs.iter().filter(|p| p.has_quotas());
    let mut pairs: Vec<(Uuid, String)> = limited
        .clone()
        .map(|p| (p.household.id, p.service.as_str().to_owned()))
        .collect();
    pairs.sort();
    pairs.dedup();
    let range = limited
        .map(|p| p.usage_range())
        .reduce(|a, b| a.union_hull(&b));
    let usage = match range {
        Some(range) => repo::family_usage_many(conn, &pairs, range).await?,
        None => HashMap::new(),
    };
    let spent = match spent {
        Some(spent) => spent,
        None => match coupon_keys(jobs) {
            Some((children, years)) => load_spent(conn, &children, &years).await?,
            None => Spent::new(),
        },
    };
    let counts = Counts {
        codes,
        holding,
        usage,
        spent,
        keys: HashMap::new(),
    };
    Ok((counts, kept))
}

/// Decides one request against `counts`; on success adds what it writes to
/// `writes` and what it holds to `counts`, on refusal changes neither.
async fn decide(
    conn: &impl ConnectionTrait,
    job: &Job,
    p: &Prepared,
    index: usize,
    counts: &mut Counts,
    writes: &mut Writes,
) -> ApiResult<CreateOutcome> {
    if let Some(k) = &job.key
        && let Some(replay) = replay(conn, job, p, k, counts).await?
    {
        return Ok(replay);
    }
    let site_key = p.site.key();
    let hull = p.hull();
    let existing: Vec<Occupancy> = counts
        .holding
        .get(&site_key)
        .map(|all| {
            all.iter()
                .filter(|o| o.interval.overlaps(&hull))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let range = p.usage_range();
    let usage_key = (p.household.id, p.service.as_str().to_owned());
    let family: Vec<Interval> = counts
        .usage
        .get(&usage_key)
        .map(|all| {
            all.iter()
                .filter(|iv| iv.start() >= range.start() && iv.start() < range.end())
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let reports = plan_with(p, job.now, &existing, &family)?;

    let mut spent = counts.spent.clone();
    let mut mine = Writes::default();
    let mut skipped = Vec::new();
    let series_id = p.series.then(Uuid::now_v7);
    let coupon_cap = p
        .all_rules
        .coupon
        .map_or(0, |c| i64::from(c.yen_per_fiscal_year));
    for report in reports {
        let iv = report.interval;
        let fits = match &report.outcome {
            Ok(()) => true,
            Err(c) if !p.series && is_capacity(c.code) && p.flow.waitlist => false,
            Err(c) if !p.series && is_capacity(c.code) => {
                return Err(ApiError::Conflict(Text::new(
                    format!("{}(キャンセル待ちに登録できます)", c.message.ja),
                    format!("{} (you can join the waiting list)", c.message.en),
                )));
            }
            Err(c) if !p.series => {
                let field = if c.code == ConflictCode::Quota {
                    "period"
                } else {
                    "period.start"
                };
                let code = match c.code {
                    ConflictCode::Quota => "quota",
                    ConflictCode::BookingWindow => "booking_window",
                    ConflictCode::Closed => "outside_opening_hours",
                    _ => "not_bookable",
                };
                return Err(ApiError::field(field, code, c.message.clone()));
            }
            Err(_) => {
                skipped.push(report);
                continue;
            }
        };
        let balances = coupon_left_in(&p.all_rules, &p.children, local_date(iv.start()), &spent);
        let quote = quote_at(p, &iv, &balances)?;
        let (fresh, booking) = new_stored(job, p, iv, &quote, series_id)?;
        let t = submit(&booking, fits, job.now).map_err(|e| ApiError::Conflict(e.message))?;
        let done = settle(fresh, &t, job.now, coupon_cap, &mut spent, &mut mine.events);
        mine.balances.extend(done.balances);
        let stored = done.stored;
        mine.audit.push(AuditEntry {
            municipality_id: Some(stored.row.municipality_id),
            actor: Some(job.user.id),
            action: "booking.create",
            entity: "booking",
            entity_id: stored.row.id.to_string(),
            details: json!({
                "service": p.service.as_str(),
                "site": p.site.site.code,
                "status": stored.row.status,
                "children": stored.children.len(),
                "series_id": series_id,
            }),
        });
        mine.made.push(stored);
    }
    if mine.made.is_empty() {
        let first = skipped.first().and_then(|r| r.outcome.as_ref().err());
        return Err(ApiError::Conflict(first.map_or_else(
            || {
                Text::new(
                    "予約できる日時がありません",
                    "None of the occurrences can be booked",
                )
            },
            |c| {
                Text::new(
                    format!("予約できる日時がありません(例: {})", c.message.ja),
                    format!(
                        "None of the occurrences can be booked (e.g. {})",
                        c.message.en
                    ),
                )
            },
        )));
    }

    // Accepted: what it holds now counts for the requests after it.
    for s in &mine.made {
        if HOLDING.contains(&s.row.status.as_str()) {
            counts
                .holding
                .entry(site_key.clone())
                .or_default()
                .push(occupancy(
                    s.interval()?,
                    s.births(),
                    counts.codes.get(&s.row.municipality_id).cloned(),
                ));
            counts
                .usage
                .entry(usage_key.clone())
                .or_default()
                .push(s.interval()?);
        }
        writes.job_of.insert(s.row.id, index);
    }
    counts.spent = spent;
    if let Some(k) = &job.key {
        writes.keys.push(idempotency_key::ActiveModel {
            user_id: Set(job.user.id),
            key: Set(k.clone()),
            fingerprint: Set(job.fingerprint.clone()),
            booking_ids: Set(json!(
                mine.made.iter().map(|s| s.row.id).collect::<Vec<_>>()
            )),
            created_at: Set(job.now),
        });
        counts.keys.insert(
            (job.user.id, k.clone()),
            (job.fingerprint.clone(), mine.made.clone(), p.series),
        );
    }
    writes.made.extend(mine.made.iter().cloned());
    writes.audit.append(&mut mine.audit);
    writes.events.append(&mut mine.events);
    writes.balances.append(&mut mine.balances);
    let created = match series_id {
        Some(series_id) => Created::Series {
            series_id,
            bookings: mine.made,
            skipped,
        },
        None => Created::One(Box::new(mine.made.pop().ok_or(ApiError::NotFound)?)),
    };
    Ok(CreateOutcome {
        created,
        replayed: false,
        site: Some(p.site.site.clone()),
    })
}

/// The earlier answer to a request with the same `Idempotency-Key`, if any: from
/// this round or from the database.
async fn replay(
    conn: &impl ConnectionTrait,
    job: &Job,
    p: &Prepared,
    key: &str,
    counts: &Counts,
) -> ApiResult<Option<CreateOutcome>> {
    let (fingerprint, stored, series) = match counts.keys.get(&(job.user.id, key.to_owned())) {
        Some((f, s, series)) => (f.clone(), s.clone(), *series),
        None => {
            let Some(done) = idempotency_key::Entity::find_by_id((job.user.id, key.to_owned()))
                .one(conn)
                .await?
            else {
                return Ok(None);
            };
            let ids: Vec<Uuid> = serde_json::from_value(done.booking_ids).unwrap_or_default();
            let rows = booking::Entity::find()
                .filter(booking::Column::Id.is_in(ids.iter().copied()))
                .all(conn)
                .await?;
            let mut stored = repo::with_children(conn, rows).await?;
            stored.sort_by_key(|s| ids.iter().position(|id| *id == s.row.id));
            (done.fingerprint, stored, p.series)
        }
    };
    if fingerprint != job.fingerprint {
        return Err(invalid(
            "Idempotency-Key",
            "reused",
            "この Idempotency-Key は別の内容の予約に使われています",
            "This Idempotency-Key was used for a different request",
        ));
    }
    let mut stored = stored;
    let created = if series {
        Created::Series {
            series_id: stored
                .first()
                .and_then(|s| s.row.series_id)
                .unwrap_or_default(),
            bookings: stored,
            skipped: Vec::new(),
        }
    } else {
        Created::One(Box::new(stored.pop().ok_or(ApiError::NotFound)?))
    };
    Ok(Some(CreateOutcome {
        created,
        replayed: true,
        site: Some(p.site.site.clone()),
    }))
}

/// How the round's new bookings read in their emails, from what the requests
/// already hold: the services' names are kept by the process where it hears
/// the change notices, and read in one query otherwise.
async fn known(
    conn: &impl ConnectionTrait,
    cached: &Cached,
    jobs: &[Job],
    writes: &Writes,
) -> ApiResult<Known> {
    if writes.events.is_empty() {
        return Ok(Known::new());
    }
    let wanted: BTreeSet<(Uuid, String)> = writes
        .made
        .iter()
        .map(|s| (s.row.municipality_id, s.row.service_key.clone()))
        .collect();
    let epoch = cached.services.epoch(&cached.changes);
    let mut services: HashMap<(Uuid, String), service::Model> = wanted
        .iter()
        .filter_map(|k| Some((k.clone(), cached.services.get(&cached.changes, k)?)))
        .collect();
    if services.len() < wanted.len() {
        let read = service::Entity::find()
            .filter(
                service::Column::MunicipalityId.is_in(jobs.iter().map(|j| j.user.municipality_id)),
            )
            .filter(service::Column::ServiceKey.is_in(jobs.iter().map(|j| j.req.service.as_str())))
            .all(conn)
            .await?;
        for s in read {
            let key = (s.municipality_id, s.service_key.clone());
            cached
                .services
                .put(&cached.changes, epoch, key.clone(), s.clone());
            services.insert(key, s);
        }
    }
    let mut known = Known::new();
    for s in &writes.made {
        let Some(p) = writes
            .job_of
            .get(&s.row.id)
            .and_then(|i| writes.prepared.get(i))
        else {
            continue;
        };
        let svc = services.get(&(s.row.municipality_id, s.row.service_key.clone()));
        let info =
            booking_events::info_from(&s.row, svc, Some(&p.site.site), p.first_child_name.clone());
        known.insert(s.row.id, (s.row.clone(), info));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use hagukumi_domain::ServiceId;

    use super::*;

    fn hours(user: u128, day: u32) -> Claims {
        let date = NaiveDate::from_ymd_opt(2027, 1, day).expect("date");
        let req = BookingRequest {
            service: ServiceId::TemporaryCare,
            site: "with-i".into(),
            children: Vec::new(),
            period: Period::Hours {
                start: date.and_hms_opt(10, 0, 0).expect("time"),
                end: date.and_hms_opt(11, 0, 0).expect("time"),
            },
            reason: None,
            waitlist: false,
            recurrence: None,
        };
        Claims::of(Uuid::from_u128(user), &req)
    }

    fn queue(claims: Vec<Claims>) -> Vec<Queued<usize>> {
        claims
            .into_iter()
            .enumerate()
            .map(|(item, claims)| Queued {
                item,
                claims,
                passed: 0,
                since: std::time::Instant::now(),
            })
            .collect()
    }

    fn items(q: &[Queued<usize>]) -> Vec<usize> {
        q.iter().map(|q| q.item).collect()
    }

    #[test]
    fn claims_meet_on_a_family_or_a_day_of_the_same_site() {
        assert!(hours(1, 5).meets(&hours(2, 5)), "the same day");
        assert!(hours(1, 5).meets(&hours(1, 6)), "the same family");
        assert!(!hours(1, 5).meets(&hours(2, 6)));
        let mut other_site = hours(2, 5);
        other_site.days = other_site
            .days
            .into_iter()
            .map(|(_, d)| ("midori".to_owned(), d))
            .collect();
        assert!(!hours(1, 5).meets(&other_site));
        let mut series = hours(3, 20);
        series.all = true;
        assert!(series.meets(&hours(1, 5)), "a series meets everything");
        assert!(!hours(1, 5).meets(&Claims::default()));
    }

    #[test]
    fn a_round_beside_running_ones_leaves_their_days_for_later_but_not_for_ever() {
        let busy = Claims::union([hours(1, 5), hours(2, 6)].iter());
        let (taken, kept) = select(
            queue(vec![hours(3, 5), hours(4, 7), hours(2, 9), hours(5, 8)]),
            &busy,
            true,
        );
        assert_eq!(items(&taken), [1, 3]);
        assert_eq!(items(&kept), [0, 2]);
        // Passed over once more, the first is taken, and all after it in order.
        let (taken, kept) = select(kept, &busy, true);
        assert!(taken.is_empty());
        let (taken, kept) = select(kept, &busy, true);
        assert_eq!(items(&taken), [0, 2]);
        assert!(kept.is_empty());
        // Nothing running, or SQLite: everything in order.
        let all = queue(vec![hours(3, 5), hours(4, 7)]);
        assert_eq!(items(&select(all, &Claims::default(), true).0), [0, 1]);
        let all = queue(vec![hours(3, 5), hours(4, 7)]);
        assert_eq!(items(&select(all, &busy, false).0), [0, 1]);
    }

    #[test]
    fn overlapping_rounds_take_at_most_twenty_four_and_sqlite_rounds_sixty_four() {
        let many = |n: u32| queue((1..=n).map(|i| hours(u128::from(i), i % 28 + 1)).collect());
        let (taken, kept) = select(many(30), &Claims::default(), true);
        assert_eq!(items(&taken), (0..24).collect::<Vec<_>>());
        assert_eq!(items(&kept), (24..30).collect::<Vec<_>>());
        let (taken, kept) = select(many(70), &Claims::default(), false);
        assert_eq!(taken.len(), 64);
        assert_eq!(items(&kept), (64..70).collect::<Vec<_>>());
    }
}
