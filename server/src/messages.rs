//! The communication module: every message reaches the person's in-app inbox, and, when SMTP
//! is configured and the person has an address and has not opted out, an e-mail. Each e-mail
//! is a job keyed by its delivery, sent with a Message-ID derived from that key, so a retry
//! can be recognised downstream and never counts as a new message.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::error::{AppResult, Json};
use crate::jobs::{self, JobStep, SoloStep};
use crate::state::AppState;
use crate::store::Tx;
use crate::store::messages::{self as store, NewMessage};

pub const EMAIL: &str = "messages.email";

/// Sends e-mail over SMTP; absent when no SMTP server is configured.
#[derive(Clone)]
pub struct Mailer {
    connections: Arc<SmtpConnections>,
    from: Mailbox,
    /// The domain of Message-IDs.
    domain: String,
    public_url: Option<String>,
}

/// How long one e-mail may take, connecting included.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Idle connections older than this are closed rather than reused (servers drop them).
const IDLE_MAX: std::time::Duration = std::time::Duration::from_secs(30);

/// SMTP connections with TCP_NODELAY, reused between e-mails. lettre 0.11.23's own transport
/// leaves Nagle's algorithm on, and it writes the end-of-data line separately from the body, so
/// every e-mail waits ~40 ms for the server's delayed ACK (lettre pull request #1159, not yet
/// released). Implicit TLS (port 465) still goes through lettre's transport.
enum SmtpConnections {
    NoDelay {
        smtp: SmtpConfig,
        idle: tokio::sync::Mutex<Vec<(AsyncSmtpConnection, std::time::Instant)>>,
    },
    Transport(AsyncSmtpTransport<Tokio1Executor>),
}

impl SmtpConnections {
    async fn send(&self, email: Message) -> anyhow::Result<()> {
        match self {
            SmtpConnections::Transport(transport) => {
                transport.send(email).await?;
            }
            SmtpConnections::NoDelay { smtp, idle } => {
                let mut connection = loop {
                    let reusable = idle.lock().await.pop();
                    match reusable {
                        None => break connect(smtp).await?,
                        Some((mut connection, since)) => {
                            if since.elapsed() < IDLE_MAX && connection.test_connected().await {
                                break connection;
                            }
                            connection.abort().await;
                        }
                    }
                };
                match connection.send(email.envelope(), &email.formatted()).await {
                    Ok(_) => idle
                        .lock()
                        .await
                        .push((connection, std::time::Instant::now())),
                    Err(error) => {
                        connection.abort().await;
                        return Err(error.into());
                    }
                }
            }
        }
        Ok(())
    }
}

async fn connect(smtp: &SmtpConfig) -> anyhow::Result<AsyncSmtpConnection> {
    let tcp = tokio::net::TcpStream::connect((smtp.host.as_str(), smtp.port)).await?;
    tcp.set_nodelay(true)?;
    let hello = ClientId::default();
    let mut connection = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello).await?;
    if smtp.security == SmtpSecurity::Starttls {
        connection
            .starttls(TlsParameters::new(smtp.host.clone())?, &hello)
            .await?;
    }
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        let credentials = Credentials::new(user.clone(), password.clone());
        connection
            .auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
            .await?;
    }
    Ok(connection)
}

impl Mailer {
    /// Sends a plain-text e-mail to an address outside the register (another municipality's
    /// registry), with a Message-ID made of `id` so that a repeat is recognisable as one.
    pub async fn send_text(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        id: &str,
    ) -> anyhow::Result<()> {
        let email = Message::builder()
            .from(self.from.clone())
            .to(to.parse::<Mailbox>()?)
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())?;
        self.send(email).await
    }

    pub fn from_config(smtp: &SmtpConfig, public_url: Option<String>) -> anyhow::Result<Mailer> {
        let connections = match smtp.security {
            SmtpSecurity::None | SmtpSecurity::Starttls => SmtpConnections::NoDelay {
                smtp: smtp.clone(),
                idle: tokio::sync::Mutex::new(Vec::new()),
            },
            SmtpSecurity::Tls => {
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?.port(smtp.port);
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                SmtpConnections::Transport(builder.build())
            }
        };
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("SKOLFLYT_SMTP_FROM: {e}"))?;
        let domain = from.email.domain().to_owned();
        Ok(Mailer {
            connections: Arc::new(connections),
            from,
            domain,
            public_url,
        })
    }

    /// Sends one e-mail, within `SEND_TIMEOUT`.
    async fn send(&self, email: Message) -> anyhow::Result<()> {
        tokio::time::timeout(SEND_TIMEOUT, self.connections.send(email))
            .await
            .map_err(|_| {
                anyhow::anyhow!("the SMTP server did not answer within {SEND_TIMEOUT:?}")
            })?
    }
}

/// Puts a message in the person's inbox and, if e-mail is on, queues its e-mail: all inside the
/// caller's transaction, so a rolled-back action sends nothing.
pub async fn deliver(tx: &mut Tx, state: &AppState, message: &NewMessage<'_>) -> sqlx::Result<()> {
    let now = clock::now();
    let message_id = store::send(tx, message, now).await?;
    if state.mailer.is_none() {
        return Ok(());
    }
    let (address, wanted) = store::email_contact(tx, message.person_id).await?;
    let status = match (&address, wanted) {
        (None, _) => "no_contact",
        (Some(_), false) => "opted_out",
        (Some(_), true) => "queued",
    };
    let delivery = store::add_delivery(
        tx,
        message_id,
        message.person_id,
        address.as_deref(),
        status,
        now,
    )
    .await?;
    if status == "queued" {
        jobs::enqueue(
            tx,
            &SendEmail {
                delivery_id: delivery,
            },
        )
        .await?;
    }
    Ok(())
}

/// Job step: send one queued e-mail. Its effect outside the database (the SMTP send) comes
/// first; the delivery is marked sent in the job's own transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail {
    pub delivery_id: Uuid,
}

impl JobStep for SendEmail {
    const KIND: &'static str = EMAIL;

    fn key(&self) -> String {
        format!("{EMAIL}:{}", self.delivery_id)
    }
}

impl SoloStep for SendEmail {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        send_email(state, self.delivery_id).await
    }

    /// When an e-mail has used up its attempts, its delivery is marked failed.
    async fn give_up(&self, state: &AppState, error: &str) -> anyhow::Result<()> {
        let mut tx = state.db.begin().await?;
        store::set_delivery_status(
            &mut tx,
            self.delivery_id,
            "failed",
            Some(error),
            clock::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn send_email(state: &AppState, id: Uuid) -> anyhow::Result<Tx> {
    let delivery = store::delivery(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no delivery {id}"))?;
    let mut tx = state.db.begin().await?;
    // Sent already, or never to be sent. A delivery given up on ("failed") is tried again when
    // an operator runs its step again.
    if !matches!(delivery.status.as_str(), "queued" | "failed") {
        return Ok(tx);
    }
    let mailer = state
        .mailer
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("e-mail is not configured"))?;
    let to: Mailbox = delivery
        .address
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("no address"))?
        .parse()?;
    let english = delivery.locale.as_deref() == Some("en");
    let (subject, body) = if english {
        (&delivery.subject_en, &delivery.body_en)
    } else {
        (&delivery.subject_sv, &delivery.body_sv)
    };
    let link = match (&mailer.public_url, delivery.case_id) {
        (Some(url), Some(case)) => format!("\n\n{}/my/cases/{case}", url.trim_end_matches('/')),
        _ => String::new(),
    };
    let footer = if english {
        "This message was sent by Skolflyt. You can turn e-mail off in Skolflyt; the messages stay in your inbox."
    } else {
        "Meddelandet skickades av Skolflyt. Du kan stänga av e-post i Skolflyt; meddelandena finns kvar i din inkorg."
    };
    let email = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{id}@{}>", mailer.domain)))
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{body}{link}\n\n--\n{footer}\n"))?;
    mailer.send(email).await?;
    store::set_delivery_status(&mut tx, id, "sent", None, clock::now()).await?;
    Ok(tx)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_contact, set_contact))
        .routes(routes!(inbox))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

/// Marks all my unread messages read.
#[utoipa::path(post, path = "/inbox/read", tag = "messages",
    responses((status = 200, body = shared::messages::InboxRead),
              (status = 401, body = shared::api::ErrorEnvelope)))]
async fn mark_all_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<shared::messages::InboxRead>> {
    let marked = store::mark_all_read(&state.db, user.person_id, clock::now()).await?;
    Ok(Json(shared::messages::InboxRead { marked }))
}

/// Marks one of my messages read.
#[utoipa::path(post, path = "/inbox/{id}/read", tag = "messages",
    params(("id" = Uuid, Path, description = "Message id")),
    responses((status = 204, description = "Marked read"), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::error::Path(id): crate::error::Path<Uuid>,
) -> AppResult<axum::http::StatusCode> {
    if store::mark_read(&state.db, user.person_id, id, clock::now()).await? {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(crate::error::AppError::NotFound)
    }
}

/// My messages, newest first, in my language.
#[utoipa::path(get, path = "/inbox", tag = "messages",
    responses((status = 200, body = Vec<shared::messages::InboxMessage>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<shared::messages::InboxMessage>>> {
    let rows = store::inbox(&state.db, user.person_id, 100).await?;
    let mut subjects: Vec<Uuid> = rows.iter().filter_map(|m| m.subject_id).collect();
    subjects.sort();
    subjects.dedup();
    crate::access::log_read(&state.db, &user, "inbox.list", "", &subjects).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| {
                let (subject, body) = match user.locale {
                    shared::auth::Locale::Sv => (m.subject_sv, m.body_sv),
                    shared::auth::Locale::En => (m.subject_en, m.body_en),
                };
                shared::messages::InboxMessage {
                    id: m.id,
                    case_id: m.case_id,
                    case_number: m.case_year.zip(m.case_serial).map(|(year, serial)| {
                        shared::cases::CaseNumber {
                            year: year as u16,
                            serial: serial as u32,
                        }
                    }),
                    subject,
                    body,
                    read: m.read_at.is_some(),
                    created_at: m.created_at,
                }
            })
            .collect(),
    ))
}

/// How the signed-in person is reached besides the inbox.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactPreferences {
    /// From the register; read-only here.
    pub email: Option<String>,
    pub email_enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactUpdate {
    pub email_enabled: bool,
}

#[utoipa::path(get, path = "/me/contact", tag = "applications",
    responses((status = 200, body = ContactPreferences), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn get_contact(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<ContactPreferences>> {
    let (email, email_enabled) = store::contact(&state.db, user.person_id).await?;
    Ok(Json(ContactPreferences {
        email,
        email_enabled,
    }))
}

#[utoipa::path(put, path = "/me/contact", tag = "applications", request_body = ContactUpdate,
    responses((status = 204, description = "Saved"), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn set_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(update): Json<ContactUpdate>,
) -> AppResult<StatusCode> {
    store::set_email_enabled(
        &state.db,
        user.person_id,
        update.email_enabled,
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
