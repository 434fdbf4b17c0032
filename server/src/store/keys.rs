//! Keys shared by every server instance (`server_keys`).

use chrono::{DateTime, Utc};

use super::Db;
use crate::with_tx;

/// The key called `name`; `fresh` becomes it when no instance has made one yet. Instances
/// starting together agree: the first insert wins and every one reads the winner.
pub async fn get_or_create(
    db: &Db,
    name: &str,
    fresh: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<u8>> {
    let mut tx = db.begin().await?;
    let secret = with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO server_keys (name, secret, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let (secret,): (Vec<u8>,) =
            sqlx::query_as("SELECT secret FROM server_keys WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *conn)
                .await?;
        secret
    });
    tx.commit().await?;
    Ok(secret)
}
