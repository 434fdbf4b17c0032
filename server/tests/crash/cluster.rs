//! The server processes: `skolflyt demo`, `demo-accounts` and `serve` instances of the real
//! binary, each on a port of its own that it keeps across restarts; and the killer.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use skolflyt::demo::DemoAccount;
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_skolflyt");
/// An instance must be listening this long after it was started.
const START_LIMIT: Duration = Duration::from_secs(60);

pub struct Cluster {
    database_url: String,
    dir: PathBuf,
    instances: Vec<Instance>,
}

struct Instance {
    port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Cluster {
    pub fn new(database_url: &str, dir: &Path, instances: usize) -> Cluster {
        Cluster {
            database_url: database_url.to_owned(),
            dir: dir.to_owned(),
            instances: (0..instances)
                .map(|n| Instance {
                    port: free_port(),
                    child: None,
                    log: dir.join(format!("server-{n}.log")),
                })
                .collect(),
        }
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.dir.join("blobs")
    }

    pub fn base_urls(&self) -> Vec<String> {
        self.instances
            .iter()
            .map(|i| format!("http://127.0.0.1:{}", i.port))
            .collect()
    }

    pub fn log_paths(&self) -> String {
        self.instances
            .iter()
            .map(|i| i.log.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The warnings and errors the instances logged: each distinct message (without its time
    /// and fields) with how often it came.
    pub fn logged_problems(&self) -> Vec<(String, usize)> {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for instance in &self.instances {
            let text = std::fs::read_to_string(&instance.log).unwrap_or_default();
            for line in text.lines() {
                let plain = strip_ansi(line);
                let Some(at) = plain.find(" WARN ").or_else(|| plain.find(" ERROR ")) else {
                    continue;
                };
                // "WARN skolflyt::jobs: job failed kind=… error=…" → up to the first field.
                let message = &plain[at + 1..];
                let message = message.split(" kind=").next().unwrap_or(message);
                let message: String = message.split('=').next().unwrap_or(message).to_owned();
                match seen.iter_mut().find(|(m, _)| *m == message) {
                    Some((_, count)) => *count += 1,
                    None => seen.push((message, 1)),
                }
            }
        }
        seen
    }

    /// The binary with this cluster's environment and none of the caller's `SKOLFLYT_*`.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BINARY);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SKOLFLYT_") {
                command.env_remove(name);
            }
        }
        command
            .args(args)
            .env("SKOLFLYT_DATABASE_URL", &self.database_url)
            .env("SKOLFLYT_BLOB_STORE_URL", self.blob_dir())
            .env("SKOLFLYT_DIST_DIR", self.dir.join("no-dist"))
            // Cheap hashes: the demo's and the added accounts' passwords.
            .env("SKOLFLYT_ARGON2_MEMORY_KIB", "256")
            // A killed instance's claimed steps are taken over after this long.
            .env("SKOLFLYT_JOB_LEASE_SECONDS", "3")
            .env("SKOLFLYT_LOG", "warn")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> String {
        let output = self
            .command(args)
            .output()
            .await
            .expect("the skolflyt binary runs");
        assert!(
            output.status.success(),
            "skolflyt {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    pub async fn demo(&self, pupils: u32) {
        self.run(&["demo", "--pupils", &pupils.to_string()]).await;
    }

    pub async fn demo_accounts(&self) -> Vec<DemoAccount> {
        self.run(&["demo-accounts"])
            .await
            .lines()
            .map(|line| serde_json::from_str(line).expect("a demo account as JSON"))
            .collect()
    }

    /// Starts instance `n` (again) and waits until it listens.
    pub async fn start(&mut self, n: usize) {
        let started = Instant::now();
        loop {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.instances[n].log)
                .expect("server log file");
            let mut command = self.command(&["serve"]);
            command
                .env(
                    "SKOLFLYT_BIND",
                    format!("127.0.0.1:{}", self.instances[n].port),
                )
                .stdout(log.try_clone().expect("log file handle"))
                .stderr(log);
            let mut child = command.spawn().expect("skolflyt serve starts");
            let port = self.instances[n].port;
            loop {
                if let Some(status) = child.try_wait().expect("server status") {
                    // Most likely the port is not free yet; anything else shows in the log.
                    eprintln!("instance {n} exited at start ({status}); starting it again");
                    break;
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    self.instances[n].child = Some(child);
                    return;
                }
                assert!(
                    started.elapsed() < START_LIMIT,
                    "instance {n} does not listen on {port} (log: {})",
                    self.instances[n].log.display()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "instance {n} does not start (log: {})",
                self.instances[n].log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL, and waits for the process to be gone.
    pub async fn kill(&mut self, n: usize) {
        if let Some(mut child) = self.instances[n].child.take() {
            child.kill().await.expect("kill the server");
        }
    }

    pub async fn kill_all(&mut self) {
        for n in 0..self.instances.len() {
            self.kill(n).await;
        }
    }
}

fn strip_ansi(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// When each instance was killed, counted from the start of the killing.
pub struct Kills {
    at: Vec<Vec<Duration>>,
}

impl Kills {
    pub fn total(&self) -> usize {
        self.at.iter().map(Vec::len).sum()
    }

    pub fn describe(&self) -> String {
        self.at
            .iter()
            .enumerate()
            .map(|(n, at)| {
                let moments: Vec<String> = at
                    .iter()
                    .map(|d| format!("{:.1}", d.as_secs_f64()))
                    .collect();
                format!("instance {n} at {} s", moments.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Kills a random instance at random moments and starts it again, until stopped and enough
/// kills are done.
pub struct Killer {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(Cluster, Kills)>,
}

impl Killer {
    pub fn start(
        mut cluster: Cluster,
        seed: u64,
        min_kills: usize,
        min_per_instance: usize,
        name: String,
    ) -> Killer {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let task = tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let began = Instant::now();
            let count = cluster.instances.len();
            let mut kills = Kills {
                at: vec![Vec::new(); count],
            };
            loop {
                let stop = stopping.load(Ordering::Acquire);
                let enough = kills.total() >= min_kills
                    && kills.at.iter().all(|at| at.len() >= min_per_instance);
                if stop && enough {
                    return (cluster, kills);
                }
                // Between kills 0.5–3 s (less once the driving is over), so that they land
                // in every part of the flow: requests, job steps, PDF rendering, commits.
                let pause = if stop {
                    rng.gen_range(100..400)
                } else {
                    rng.gen_range(500..3000)
                };
                tokio::time::sleep(Duration::from_millis(pause)).await;
                let n = if stop {
                    (0..count)
                        .min_by_key(|n| kills.at[*n].len())
                        .expect("an instance")
                } else {
                    rng.gen_range(0..count)
                };
                cluster.kill(n).await;
                kills.at[n].push(began.elapsed());
                eprintln!(
                    "[{name}] killed instance {n} at {:.1} s",
                    began.elapsed().as_secs_f64()
                );
                // Down for up to 0.4 s; the other instance, if any, serves meanwhile.
                let down = rng.gen_range(0..400);
                tokio::time::sleep(Duration::from_millis(down)).await;
                cluster.start(n).await;
            }
        });
        Killer { stop, task }
    }

    pub async fn stop(self) -> (Cluster, Kills) {
        self.stop.store(true, Ordering::Release);
        match self.task.await {
            Ok(done) => done,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
}

/// A new database on the PostgreSQL server of `admin_url`: its URL and name.
pub async fn fresh_postgres_database(admin_url: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("skolflyt_crash_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the PostgreSQL admin URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
    (format!("{base}/{name}"), name)
}

pub async fn drop_postgres_database(admin_url: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await
        && let Err(error) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
    {
        eprintln!("could not drop the test database {name}: {error}");
    }
}
