//! Configuration: defaults, overridden by `SKOLFLYT_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/skolflyt.db` (default) or `postgres://user@host/db`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// The built SPA (Trunk's `dist/`).
    pub dist_dir: PathBuf,
    /// The address users reach; an `https://` URL makes session cookies `Secure`.
    pub public_url: Option<String>,
    /// A session ends after this many idle minutes …
    pub session_idle_minutes: i64,
    /// … and at the latest this many minutes after sign-in.
    pub session_max_minutes: i64,
    /// Failed logins per username and client address within `login_window_minutes` before
    /// further tries from that address wait.
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    /// Failed logins per username within an hour, from any address, before every try waits:
    /// the backstop against guessing from many addresses.
    pub login_max_failures_per_hour: i64,
    /// Argon2id memory cost in KiB for new password hashes (OWASP: 19 MiB).
    pub argon2_memory_kib: u32,
    /// Where case documents are stored: a directory (default `data/blobs`) or `s3://bucket/prefix`.
    pub blob_store_url: String,
    /// Outgoing e-mail; `None` (no `SKOLFLYT_SMTP_HOST`) keeps messages in the inbox only.
    pub smtp: Option<SmtpConfig>,
    /// Job runners in this process. Each sends at most one e-mail at a time, so a crash can
    /// repeat at most this many sends. More than one helps only on PostgreSQL.
    pub job_workers: usize,
    /// How long a runner's claim on its jobs lasts unless renewed (it renews while it works);
    /// the jobs of a crashed instance are taken over after this long.
    pub job_lease_seconds: u32,
    /// Done jobs are deleted this many days after they ran (their idempotency keys are kept);
    /// failed jobs and jobs with an exception follow-up stay.
    pub job_retention_days: u32,
    /// Who the letters are from (`SKOLFLYT_MUNICIPALITY_*`).
    pub municipality: MunicipalityProfile,
    /// How many days back a teacher may still change a lesson's marks; after that only the
    /// school's principal (`SKOLFLYT_ATTENDANCE_EDIT_DAYS`).
    pub attendance_edit_days: u32,
    /// How long after a register with unexcused absence the family's notice waits, so that a
    /// correction right after cancels it (`SKOLFLYT_ABSENCE_NOTICE_DELAY_SECONDS`).
    pub absence_notice_delay_seconds: u32,
    /// Where the daily planning export posts each school day's attendance
    /// (`SKOLFLYT_PLANNING_EXPORT_URL`, `SKOLFLYT_PLANNING_EXPORT_TOKEN`); `None` sends nothing.
    pub planning_export: Option<PlanningExportConfig>,
    /// How many days back a provider may date a placement report
    /// (`SKOLFLYT_PLACEMENT_RETROACTIVE_DAYS`).
    pub placement_retroactive_days: u32,
    /// The day of the month children are counted on for resource allocation
    /// (`SKOLFLYT_ALLOCATION_COUNT_DAY`, 1–31; the month's last day in a shorter month).
    pub allocation_count_day: u32,
}

/// The planning module's receiver: an `http(s)://` URL and, optionally, a bearer token.
#[derive(Clone)]
pub struct PlanningExportConfig {
    pub url: String,
    pub token: Option<String>,
}

/// Never prints the token.
impl std::fmt::Debug for PlanningExportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanningExportConfig")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The municipality's name, organisation number, postal address, registry e-mail and logo, as
/// its letters carry them. Each is optional; without a name the register's is used.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityProfile {
    pub name: Option<String>,
    pub organisation_number: Option<String>,
    pub address: Option<String>,
    pub registry_email: Option<String>,
    pub logo: Option<crate::documents::pdf::Logo>,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `Skolflyt <noreply@kommun.se>`
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub security: SmtpSecurity,
}

/// Never prints the password.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("security", &self.security)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on the same host or network.
    None,
    Starttls,
    Tls,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/skolflyt.db".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            dist_dir: PathBuf::from("dist"),
            public_url: None,
            session_idle_minutes: 60,
            session_max_minutes: 12 * 60,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_max_failures_per_hour: 100,
            argon2_memory_kib: 19 * 1024,
            blob_store_url: "data/blobs".to_owned(),
            smtp: None,
            job_workers: 1,
            job_lease_seconds: 30,
            job_retention_days: 30,
            municipality: MunicipalityProfile::default(),
            attendance_edit_days: 7,
            absence_notice_delay_seconds: 600,
            planning_export: None,
            placement_retroactive_days: 30,
            allocation_count_day: shared::statistics::COUNT_DAY_DEFAULT,
        }
    }
}

impl Config {
    /// Defaults overridden by the environment. Fails naming the variable that does not parse.
    pub fn from_env() -> anyhow::Result<Config> {
        let mut config = Config::default();
        fn var(name: &str) -> Option<String> {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        }
        fn parse<T: std::str::FromStr>(name: &str, target: &mut T) -> anyhow::Result<()>
        where
            T::Err: std::fmt::Display,
        {
            if let Some(value) = var(name) {
                *target = value
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{name}={value:?} is not valid: {e}"))?;
            }
            Ok(())
        }
        if let Some(url) = var("SKOLFLYT_DATABASE_URL") {
            config.database_url = url;
        }
        parse("SKOLFLYT_BIND", &mut config.bind)?;
        if let Some(dir) = var("SKOLFLYT_DIST_DIR") {
            config.dist_dir = dir.into();
        }
        config.public_url = var("SKOLFLYT_PUBLIC_URL");
        parse(
            "SKOLFLYT_SESSION_IDLE_MINUTES",
            &mut config.session_idle_minutes,
        )?;
        parse(
            "SKOLFLYT_SESSION_MAX_MINUTES",
            &mut config.session_max_minutes,
        )?;
        parse(
            "SKOLFLYT_LOGIN_MAX_FAILURES",
            &mut config.login_max_failures,
        )?;
        parse(
            "SKOLFLYT_LOGIN_WINDOW_MINUTES",
            &mut config.login_window_minutes,
        )?;
        parse(
            "SKOLFLYT_LOGIN_MAX_FAILURES_PER_HOUR",
            &mut config.login_max_failures_per_hour,
        )?;
        parse("SKOLFLYT_ARGON2_MEMORY_KIB", &mut config.argon2_memory_kib)?;
        if let Some(url) = var("SKOLFLYT_BLOB_STORE_URL") {
            config.blob_store_url = url;
        }
        parse("SKOLFLYT_JOB_WORKERS", &mut config.job_workers)?;
        anyhow::ensure!(
            (1..=64).contains(&config.job_workers),
            "SKOLFLYT_JOB_WORKERS must be between 1 and 64"
        );
        parse("SKOLFLYT_JOB_LEASE_SECONDS", &mut config.job_lease_seconds)?;
        anyhow::ensure!(
            (3..=3600).contains(&config.job_lease_seconds),
            "SKOLFLYT_JOB_LEASE_SECONDS must be between 3 and 3600"
        );
        parse(
            "SKOLFLYT_JOB_RETENTION_DAYS",
            &mut config.job_retention_days,
        )?;
        anyhow::ensure!(
            (1..=36_500).contains(&config.job_retention_days),
            "SKOLFLYT_JOB_RETENTION_DAYS must be between 1 and 36500"
        );
        parse(
            "SKOLFLYT_ATTENDANCE_EDIT_DAYS",
            &mut config.attendance_edit_days,
        )?;
        anyhow::ensure!(
            config.attendance_edit_days <= 366,
            "SKOLFLYT_ATTENDANCE_EDIT_DAYS must be between 0 and 366"
        );
        parse(
            "SKOLFLYT_ABSENCE_NOTICE_DELAY_SECONDS",
            &mut config.absence_notice_delay_seconds,
        )?;
        anyhow::ensure!(
            config.absence_notice_delay_seconds <= 86_400,
            "SKOLFLYT_ABSENCE_NOTICE_DELAY_SECONDS must be between 0 and 86400"
        );
        parse(
            "SKOLFLYT_PLACEMENT_RETROACTIVE_DAYS",
            &mut config.placement_retroactive_days,
        )?;
        anyhow::ensure!(
            config.placement_retroactive_days <= 366,
            "SKOLFLYT_PLACEMENT_RETROACTIVE_DAYS must be between 0 and 366"
        );
        parse(
            "SKOLFLYT_ALLOCATION_COUNT_DAY",
            &mut config.allocation_count_day,
        )?;
        anyhow::ensure!(
            (1..=31).contains(&config.allocation_count_day),
            "SKOLFLYT_ALLOCATION_COUNT_DAY must be between 1 and 31"
        );
        if let Some(url) = var("SKOLFLYT_PLANNING_EXPORT_URL") {
            anyhow::ensure!(
                (url.starts_with("http://") || url.starts_with("https://"))
                    && reqwest::Url::parse(&url).is_ok(),
                "SKOLFLYT_PLANNING_EXPORT_URL={url:?} is not an http:// or https:// URL"
            );
            config.planning_export = Some(PlanningExportConfig {
                url,
                token: var("SKOLFLYT_PLANNING_EXPORT_TOKEN"),
            });
        }
        config.municipality = MunicipalityProfile {
            name: var("SKOLFLYT_MUNICIPALITY_NAME"),
            organisation_number: var("SKOLFLYT_MUNICIPALITY_ORGANISATION_NUMBER"),
            address: var("SKOLFLYT_MUNICIPALITY_ADDRESS"),
            registry_email: var("SKOLFLYT_MUNICIPALITY_REGISTRY_EMAIL"),
            logo: var("SKOLFLYT_MUNICIPALITY_LOGO")
                .map(|path| {
                    let bytes = std::fs::read(&path)
                        .map_err(|e| anyhow::anyhow!("SKOLFLYT_MUNICIPALITY_LOGO={path:?}: {e}"))?;
                    crate::documents::pdf::Logo::from_bytes(bytes)
                        .map_err(|e| anyhow::anyhow!("SKOLFLYT_MUNICIPALITY_LOGO={path:?}: {e}"))
                })
                .transpose()?,
        };
        if let Some(number) = &config.municipality.organisation_number {
            anyhow::ensure!(
                crate::municipality::is_organisation_number(number),
                "SKOLFLYT_MUNICIPALITY_ORGANISATION_NUMBER={number:?} is not an organisation \
                 number (NNNNNN-NNNN with its check digit)"
            );
        }
        if let Some(email) = &config.municipality.registry_email {
            anyhow::ensure!(
                email.parse::<lettre::Address>().is_ok(),
                "SKOLFLYT_MUNICIPALITY_REGISTRY_EMAIL={email:?} is not an e-mail address"
            );
        }
        if let Some(host) = var("SKOLFLYT_SMTP_HOST") {
            let security = match var("SKOLFLYT_SMTP_SECURITY").as_deref() {
                None | Some("starttls") => SmtpSecurity::Starttls,
                Some("tls") => SmtpSecurity::Tls,
                Some("none") => SmtpSecurity::None,
                Some(other) => {
                    anyhow::bail!("SKOLFLYT_SMTP_SECURITY={other:?}: use none, starttls or tls")
                }
            };
            let mut port = match security {
                SmtpSecurity::Tls => 465,
                _ => 587,
            };
            parse("SKOLFLYT_SMTP_PORT", &mut port)?;
            config.smtp = Some(SmtpConfig {
                host,
                port,
                from: var("SKOLFLYT_SMTP_FROM")
                    .unwrap_or_else(|| "Skolflyt <noreply@skolflyt.invalid>".to_owned()),
                username: var("SKOLFLYT_SMTP_USERNAME"),
                password: var("SKOLFLYT_SMTP_PASSWORD"),
                security,
            });
        }
        Ok(config)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}
