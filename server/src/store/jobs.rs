//! Background jobs as rows: enqueued inside the transaction that makes them necessary,
//! claimed with a lease, completed in the transaction that applies their effects.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Db, DbKind, Tx};
use crate::with_tx;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    pub idempotency_key: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: String,
    /// A second job with the same key is not added, also after the first was done and deleted.
    pub idempotency_key: String,
    pub run_after: DateTime<Utc>,
    pub max_attempts: i32,
}

/// Adds the job unless its key is taken: by a job in `jobs`, or by a done job the cleanup
/// deleted (its key is in `job_keys`, see [`delete_done`]).
///
/// Why a repeat cannot slip in while the cleanup moves its key. The cleanup writes the key to
/// `job_keys` and deletes the job in one transaction. SQLite: every write transaction runs on
/// the one write connection, so the insert here sees the cleanup either not begun (the job
/// still holds the key: the conflict) or committed (the key is in `job_keys`). PostgreSQL, in
/// READ COMMITTED (how every transaction here runs): the insert's `NOT EXISTS` reads a snapshot
/// taken when the statement starts, but its conflict check reads the key's current row and, if
/// an uncommitted transaction has deleted it, waits for that one. So the insert adds a row only
/// if the job was not there when it checked, i.e. the cleanup (if any) had committed by then.
/// The check that follows is a new statement with a new snapshot, so it sees that commit's key
/// in `job_keys` and takes the row out again, before anyone else can see it.
pub async fn enqueue(tx: &mut Tx, job: &NewJob<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    let id = Uuid::new_v4();
    let recheck = matches!(tx, Tx::Postgres(_));
    with_tx!(tx, |conn| {
        let added = sqlx::query(
            "INSERT INTO jobs (id, kind, payload, idempotency_key, status, run_after, max_attempts, created_at, updated_at) \
             SELECT $1, $2, $3, $4, 'pending', $5, $6, $7, $7 \
             WHERE NOT EXISTS (SELECT 1 FROM job_keys WHERE idempotency_key = $4) \
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(id)
        .bind(job.kind)
        .bind(&job.payload)
        .bind(&job.idempotency_key)
        .bind(job.run_after)
        .bind(job.max_attempts)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if added == 1 && recheck {
            sqlx::query(
                "DELETE FROM jobs WHERE id = $1 \
                 AND EXISTS (SELECT 1 FROM job_keys WHERE idempotency_key = $2)",
            )
            .bind(id)
            .bind(&job.idempotency_key)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

/// Jobs claimed together under one lease token.
pub struct Claim {
    pub token: Uuid,
    pub jobs: Vec<JobRow>,
}

/// Which kinds a claim takes: those named (exactly or by prefix), or all others.
pub struct Kinds<'a> {
    pub names: &'a [&'a str],
    pub prefixes: &'a [&'a str],
    pub named: bool,
}

impl Kinds<'_> {
    /// The condition, binding its values from `$first` on.
    fn condition(&self, first: usize) -> String {
        let mut terms = Vec::new();
        if !self.names.is_empty() {
            terms.push(format!(
                "kind IN ({})",
                super::placeholders(first, self.names.len())
            ));
        }
        for n in 0..self.prefixes.len() {
            terms.push(format!("kind LIKE ${}", first + self.names.len() + n));
        }
        let any = if terms.is_empty() {
            "FALSE".to_owned()
        } else {
            terms.join(" OR ")
        };
        if self.named {
            format!("({any})")
        } else {
            format!("NOT ({any})")
        }
    }

    fn values(&self) -> impl Iterator<Item = String> + '_ {
        self.names
            .iter()
            .map(|name| (*name).to_owned())
            .chain(self.prefixes.iter().map(|prefix| format!("{prefix}%")))
    }
}

/// Waiting jobs that are due, and running ones whose lease ran out (those were due when
/// claimed). Written so that both databases walk `jobs_waiting` in order and stop at the limit,
/// however many jobs wait.
const DUE: &str = "status IN ('pending', 'running') AND run_after <= $1 \
    AND (status = 'pending' OR locked_until < $1)";
const RETURNING: &str = "RETURNING id, kind, payload, idempotency_key, attempts, max_attempts";

/// `id` among the rows `subquery` picks. PostgreSQL locks them, skipping rows other instances
/// hold, and gets them as an array first: as `IN (subquery)` it would rather hash-join the
/// whole table against the few picked.
fn picked(kind: DbKind, subquery: &str) -> String {
    match kind {
        DbKind::Sqlite => format!("id IN ({subquery})"),
        DbKind::Postgres => format!("id = ANY(ARRAY({subquery} FOR UPDATE SKIP LOCKED))"),
    }
}

/// Claims up to `limit` due jobs of `kinds` until `now + lease`. PostgreSQL skips rows other
/// instances hold; SQLite has a single writer, so the claim is atomic anyway.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u32,
    kinds: &Kinds<'_>,
) -> sqlx::Result<Claim> {
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, \
             lease_token = $3, updated_at = $1 WHERE {picked} {RETURNING}",
        picked = picked(
            db.kind(),
            &format!(
                "SELECT id FROM jobs WHERE {DUE} AND {kinds} ORDER BY run_after, id LIMIT {limit}",
                kinds = kinds.condition(4)
            )
        ),
    );
    let token = Uuid::new_v4();
    let mut tx = db.begin().await?;
    let jobs = with_tx!(&mut tx, |conn| {
        let mut query = sqlx::query_as(&sql).bind(now).bind(now + lease).bind(token);
        for value in kinds.values() {
            query = query.bind(value);
        }
        query.fetch_all(&mut *conn).await?
    });
    tx.commit().await?;
    Ok(Claim { token, jobs })
}

/// Claims these jobs, if they are still due (see `claim`).
pub async fn claim_ids(
    db: &Db,
    ids: &[Uuid],
    now: DateTime<Utc>,
    lease: Duration,
) -> sqlx::Result<Claim> {
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, \
             lease_token = $3, updated_at = $1 WHERE {picked} {RETURNING}",
        picked = picked(
            db.kind(),
            &format!(
                "SELECT id FROM jobs WHERE {DUE} AND id IN ({ids}) ORDER BY run_after, id",
                ids = super::placeholders(4, ids.len())
            )
        ),
    );
    let token = Uuid::new_v4();
    let mut tx = db.begin().await?;
    let jobs = with_tx!(&mut tx, |conn| {
        let mut query = sqlx::query_as(&sql).bind(now).bind(now + lease).bind(token);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *conn).await?
    });
    tx.commit().await?;
    Ok(Claim { token, jobs })
}

/// Takes up to `limit` due jobs of `kinds` and marks them done, inside the transaction that is
/// to hold their effects: they are done exactly when it commits. Rolled back, they wait again
/// with their attempts unchanged. PostgreSQL skips rows other transactions hold.
pub async fn take(
    tx: &mut Tx,
    now: DateTime<Utc>,
    limit: u32,
    kinds: &Kinds<'_>,
) -> sqlx::Result<Vec<JobRow>> {
    let kind = match tx {
        Tx::Sqlite(_) => DbKind::Sqlite,
        Tx::Postgres(_) => DbKind::Postgres,
    };
    let sql = format!(
        "UPDATE jobs SET status = 'done', attempts = attempts + 1, locked_until = NULL, \
             lease_token = NULL, last_error = NULL, updated_at = $1 WHERE {picked} {RETURNING}",
        picked = picked(
            kind,
            &format!(
                "SELECT id FROM jobs WHERE {DUE} AND {kinds} ORDER BY run_after, id LIMIT {limit}",
                kinds = kinds.condition(2)
            )
        ),
    );
    with_tx!(tx, |conn| {
        let mut query = sqlx::query_as(&sql).bind(now);
        for value in kinds.values() {
            query = query.bind(value);
        }
        query.fetch_all(&mut *conn).await
    })
}

/// Extends the lease of the claim's unfinished jobs: a runner calls it while it works.
pub async fn renew(db: &Db, token: Uuid, until: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE jobs SET locked_until = $2 WHERE lease_token = $1 AND status = 'running'",
        )
        .bind(token)
        .bind(until)
        .execute(&mut *conn)
        .await?;
    });
    tx.commit().await
}

/// Marks the jobs done inside the transaction that holds their effects, if the claim still
/// holds every one of them; `false` (nothing marked) when another runner took one over.
pub async fn complete(
    tx: &mut Tx,
    token: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = $2 \
         WHERE lease_token = $1 AND status = 'running' AND id IN ({})",
        super::placeholders(3, ids.len())
    );
    with_tx!(tx, |conn| {
        let mut query = sqlx::query(&sql).bind(token).bind(now);
        for id in ids {
            query = query.bind(*id);
        }
        let done = query.execute(&mut *conn).await?.rows_affected();
        Ok(done == ids.len() as u64)
    })
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `None`. `false`
/// when the claim no longer holds the job (another runner has it now).
pub async fn fail(
    db: &Db,
    token: Uuid,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let changed = with_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE jobs SET status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END, \
                 run_after = COALESCE($3, run_after), locked_until = NULL, lease_token = NULL, \
                 last_error = $2, updated_at = $4 \
             WHERE id = $1 AND lease_token = $5 AND status = 'running'",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(token)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(changed == 1)
}

/// Jobs per status.
pub async fn counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    crate::with_db!(db, |pool| {
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(pool)
            .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedJobRow {
    pub kind: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

pub async fn recent_failures(db: &Db, limit: u32) -> sqlx::Result<Vec<FailedJobRow>> {
    let sql = format!(
        "SELECT kind, attempts, last_error, updated_at FROM jobs WHERE status = 'failed' \
         ORDER BY updated_at DESC LIMIT {limit}"
    );
    crate::with_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)
}

/// Runs a failed job again from the start, now.
pub async fn requeue(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE jobs SET status = 'pending', attempts = 0, run_after = $2, locked_until = NULL, \
                 lease_token = NULL, updated_at = $2 \
             WHERE id = $1 AND status = 'failed'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

/// Deletes the done jobs last updated before `before`, `batch` per transaction so that no lock
/// or write lasts long, and returns how many. Each one's idempotency key moves to `job_keys`
/// in the transaction that deletes it, so enqueueing the key again stays a no-op. Failed jobs
/// are not done, and a job that any follow-up refers to (an exception, whatever its status) is
/// kept: the follow-up's link to its job is its record, and the foreign key requires it.
pub async fn delete_done(db: &Db, before: DateTime<Utc>, batch: u32) -> sqlx::Result<u64> {
    let lock = match db.kind() {
        DbKind::Sqlite => "",
        DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let pick = format!(
        "SELECT id FROM jobs WHERE status = 'done' AND updated_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.job_id = jobs.id) \
         ORDER BY updated_at, id LIMIT {batch}{lock}"
    );
    let mut deleted = 0;
    loop {
        let mut tx = db.begin().await?;
        let ids: Vec<Uuid> = with_tx!(&mut tx, |conn| sqlx::query_scalar(&pick)
            .bind(before)
            .fetch_all(&mut *conn)
            .await?);
        if ids.is_empty() {
            tx.rollback().await?;
            return Ok(deleted);
        }
        let list = super::placeholders(1, ids.len());
        let keep_keys = format!(
            "INSERT INTO job_keys (idempotency_key, done_at) \
             SELECT idempotency_key, updated_at FROM jobs WHERE id IN ({list}) \
             ON CONFLICT (idempotency_key) DO NOTHING"
        );
        let delete = format!("DELETE FROM jobs WHERE status = 'done' AND id IN ({list})");
        let gone = with_tx!(&mut tx, |conn| {
            let mut query = sqlx::query(&keep_keys);
            for id in &ids {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await?;
            let mut query = sqlx::query(&delete);
            for id in &ids {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await?.rows_affected()
        });
        tx.commit().await?;
        deleted += gone;
        if ids.len() < batch as usize {
            return Ok(deleted);
        }
    }
}
