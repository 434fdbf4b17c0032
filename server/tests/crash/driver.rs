//! The HTTP driver: guardians submit and confirm, mentors decide, over whichever instance is
//! up. A request refused at connect never reached a server and is sent again; one cut off
//! (or answered 5xx) may or may not have taken effect, and is resolved by looking.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::api::Page;
use shared::applications::{LeaveSummary, Submitted};
use shared::auth::{CSRF_HEADER, Me};
use shared::cases::CaseSummary;
use uuid::Uuid;

use super::plan::{Application, Login};

/// No instance answering at all for this long fails the test.
const DOWN_LIMIT: Duration = Duration::from_secs(60);
/// Guardians submitting at once.
const SUBMITTERS: usize = 4;

pub struct Session {
    login: Login,
    client: reqwest::Client,
    csrf: String,
}

pub enum Reply {
    Answer(StatusCode, Bytes),
    /// Cut off, timed out or a 5xx: it may or may not have taken effect.
    Interrupted,
}

#[derive(Default)]
struct Stats {
    refused: AtomicU64,
    interrupted: AtomicU64,
    ambiguous_submissions: AtomicU64,
    found_after_interruption: AtomicU64,
    resubmitted: AtomicU64,
    confirmations_repeated: AtomicU64,
    decisions_repeated: AtomicU64,
    server_errors: Mutex<Vec<String>>,
    /// What the cut-off requests failed with, each kind once.
    cut_off_with: Mutex<Vec<String>>,
}

impl Stats {
    fn cut_off(&self, error: &reqwest::Error) {
        self.interrupted.fetch_add(1, Ordering::Relaxed);
        let text = chain(error);
        // The URL's port and path vary; the kind of failure is what is of interest.
        let kind = text.rsplit(": ").next().unwrap_or_default().to_owned();
        let mut seen = self.cut_off_with.lock().unwrap();
        if !seen.contains(&kind) {
            seen.push(kind);
        }
    }
}

pub struct Api {
    bases: Vec<String>,
    turn: AtomicUsize,
    stats: Stats,
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Api {
    pub fn new(bases: Vec<String>) -> Api {
        Api {
            bases,
            turn: AtomicUsize::new(0),
            stats: Stats::default(),
        }
    }

    /// Sends to the next instance in turn; to the following ones while they refuse connections.
    pub async fn send(
        &self,
        client: &reqwest::Client,
        csrf: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        let started = Instant::now();
        let mut refused = 0;
        loop {
            let base = &self.bases[self.turn.fetch_add(1, Ordering::Relaxed) % self.bases.len()];
            let mut request = client.request(method.clone(), format!("{base}{path}"));
            if let Some(csrf) = csrf {
                request = request.header(CSRF_HEADER, csrf);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    return match response.bytes().await {
                        Ok(bytes) if status.is_server_error() => {
                            let text = format!(
                                "{method} {path}: {status} {}",
                                String::from_utf8_lossy(&bytes)
                            );
                            self.stats.server_errors.lock().unwrap().push(text);
                            Reply::Interrupted
                        }
                        Ok(bytes) => Reply::Answer(status, bytes),
                        Err(error) => {
                            self.stats.cut_off(&error);
                            Reply::Interrupted
                        }
                    };
                }
                Err(error) if error.is_connect() => {
                    self.stats.refused.fetch_add(1, Ordering::Relaxed);
                    assert!(
                        started.elapsed() < DOWN_LIMIT,
                        "no instance took {method} {path} for {DOWN_LIMIT:?}: {}",
                        chain(&error)
                    );
                    refused += 1;
                    if refused % self.bases.len() == 0 {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                Err(error) => {
                    self.stats.cut_off(&error);
                    return Reply::Interrupted;
                }
            }
        }
    }

    async fn login(&self, login: &Login) -> Session {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        let body = json!({ "username": login.username, "password": login.password });
        loop {
            match self
                .send(&client, None, Method::POST, "/api/auth/login", Some(&body))
                .await
            {
                Reply::Answer(StatusCode::OK, bytes) => {
                    let me: Me = serde_json::from_slice(&bytes).expect("Me");
                    assert_eq!(me.person_id, login.person_id, "{}", login.username);
                    return Session {
                        login: login.clone(),
                        client,
                        csrf: me.csrf_token,
                    };
                }
                Reply::Answer(status, bytes) => panic!(
                    "login as {}: {status} {}",
                    login.username,
                    String::from_utf8_lossy(&bytes)
                ),
                Reply::Interrupted => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    pub async fn login_all(&self, logins: &[Login]) -> Vec<Session> {
        let mut sessions = Vec::with_capacity(logins.len());
        for chunk in logins.chunks(8) {
            sessions.extend(futures::future::join_all(chunk.iter().map(|l| self.login(l))).await);
        }
        sessions
    }

    async fn post(&self, session: &Session, path: &str, body: Option<&Value>) -> Reply {
        self.send(
            &session.client,
            Some(&session.csrf),
            Method::POST,
            path,
            body,
        )
        .await
    }

    /// A read, repeated until it is answered; anything but 200 fails the test.
    async fn get<T: DeserializeOwned>(&self, session: &Session, path: &str) -> T {
        loop {
            match self
                .send(&session.client, None, Method::GET, path, None)
                .await
            {
                Reply::Answer(StatusCode::OK, bytes) => {
                    return serde_json::from_slice(&bytes)
                        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
                }
                Reply::Answer(status, bytes) => panic!(
                    "GET {path} as {}: {status} {}",
                    session.login.username,
                    String::from_utf8_lossy(&bytes)
                ),
                Reply::Interrupted => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

pub struct Flow {
    api: Api,
    sessions: Vec<Session>,
    applications: Vec<Application>,
    admin: usize,
    /// Case → application, as the driver learnt it.
    cases: Mutex<HashMap<Uuid, usize>>,
    decided: Vec<AtomicBool>,
    next: AtomicUsize,
    /// After a cut-off submission, wait this long before looking whether it took effect.
    settle: Duration,
}

impl Flow {
    pub fn new(
        api: Api,
        sessions: Vec<Session>,
        applications: Vec<Application>,
        admin: usize,
        settle: Duration,
    ) -> Flow {
        let decided = applications
            .iter()
            .map(|_| AtomicBool::new(false))
            .collect();
        Flow {
            api,
            sessions,
            applications,
            admin,
            cases: Mutex::new(HashMap::new()),
            decided,
            next: AtomicUsize::new(0),
            settle,
        }
    }

    pub fn applications(&self) -> &[Application] {
        &self.applications
    }

    pub fn server_errors(&self) -> Vec<String> {
        self.api.stats.server_errors.lock().unwrap().clone()
    }

    pub fn stats(&self) -> String {
        let s = &self.api.stats;
        let n = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        format!(
            "requests refused at connect {}, cut off {} ({}), 5xx {}; submissions cut off {} \
             (found afterwards {}, sent again {}); confirmations repeated {}, decisions repeated {}",
            n(&s.refused),
            n(&s.interrupted),
            s.cut_off_with.lock().unwrap().join("; "),
            s.server_errors.lock().unwrap().len(),
            n(&s.ambiguous_submissions),
            n(&s.found_after_interruption),
            n(&s.resubmitted),
            n(&s.confirmations_repeated),
            n(&s.decisions_repeated),
        )
    }

    /// The applications not decided yet, with their case if known.
    pub fn undecided(&self) -> String {
        let cases = self.cases.lock().unwrap();
        let mut by_application: HashMap<usize, Uuid> = HashMap::new();
        for (case, index) in cases.iter() {
            by_application.insert(*index, *case);
        }
        let undecided: Vec<String> = (0..self.applications.len())
            .filter(|i| !self.decided[*i].load(Ordering::Acquire))
            .map(|i| match by_application.get(&i) {
                Some(case) => format!("#{i} (case {case})"),
                None => format!("#{i} (not submitted)"),
            })
            .collect();
        format!("{} of them: {}", undecided.len(), undecided.join(", "))
    }

    /// Submits and confirms every application and decides every case.
    pub async fn drive(self: Arc<Self>) {
        let mut tasks = Vec::new();
        for _ in 0..SUBMITTERS {
            let flow = self.clone();
            tasks.push(tokio::spawn(async move { flow.submit_and_confirm().await }));
        }
        let mut mentors: Vec<usize> = self.applications.iter().map(|a| a.mentor).collect();
        mentors.sort_unstable();
        mentors.dedup();
        for mentor in mentors {
            let flow = self.clone();
            tasks.push(tokio::spawn(async move { flow.decide_as(mentor).await }));
        }
        for task in tasks {
            if let Err(error) = task.await {
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }

    async fn submit_and_confirm(&self) {
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if index >= self.applications.len() {
                return;
            }
            let case = self.submit(index).await;
            // The look-up that resolves cut-off submissions finds what was submitted.
            if index.is_multiple_of(10) {
                assert_eq!(self.find_submitted(index).await, Some(case), "#{index}");
            }
            self.cases.lock().unwrap().insert(case, index);
            self.confirm(index, case).await;
        }
    }

    async fn submit(&self, index: usize) -> Uuid {
        let application = &self.applications[index];
        let applicant = &self.sessions[application.applicant];
        let body = json!({
            "pupil_id": application.pupil,
            "from": application.from,
            "to": application.to,
            "reason": application.reason,
            // The plan applies for the same children many times, over overlapping periods.
            "confirm_overlap": true,
        });
        let stats = &self.api.stats;
        let mut cut_off = false;
        loop {
            match self
                .api
                .post(applicant, "/api/applications/leave", Some(&body))
                .await
            {
                Reply::Answer(StatusCode::CREATED, bytes) => {
                    let submitted: Submitted = serde_json::from_slice(&bytes).expect("Submitted");
                    assert!(submitted.awaiting_other_guardian, "#{index}: {submitted:?}");
                    return submitted.case_id;
                }
                Reply::Answer(status, bytes) => panic!(
                    "submitting #{index}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                ),
                Reply::Interrupted => {
                    if !cut_off {
                        cut_off = true;
                        stats.ambiguous_submissions.fetch_add(1, Ordering::Relaxed);
                    }
                    // Did it commit before the kill? Then it is in the pupil's leave history.
                    tokio::time::sleep(self.settle).await;
                    if let Some(case) = self.find_submitted(index).await {
                        stats
                            .found_after_interruption
                            .fetch_add(1, Ordering::Relaxed);
                        return case;
                    }
                    stats.resubmitted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// The case the application made, if it made one.
    async fn find_submitted(&self, index: usize) -> Option<Uuid> {
        let application = &self.applications[index];
        let applicant = &self.sessions[application.applicant];
        let history: Vec<LeaveSummary> = self
            .api
            .get(
                applicant,
                &format!("/api/pupils/{}/leave", application.pupil),
            )
            .await;
        let made: Vec<Uuid> = history
            .iter()
            .filter(|leave| {
                leave.from == application.from
                    && leave.to == application.to
                    && leave.reason.as_deref() == Some(application.reason.as_str())
            })
            .map(|leave| leave.case_id)
            .collect();
        assert!(made.len() <= 1, "#{index} made the cases {made:?}");
        made.first().copied()
    }

    async fn confirm(&self, index: usize, case: Uuid) {
        let other = &self.sessions[self.applications[index].other_guardian];
        let path = format!("/api/applications/leave/{case}/confirmation");
        let mut cut_off = false;
        loop {
            match self.api.post(other, &path, None).await {
                Reply::Answer(StatusCode::NO_CONTENT, _) => return,
                // The cut-off confirmation went through.
                Reply::Answer(StatusCode::CONFLICT, _) if cut_off => return,
                Reply::Answer(status, bytes) => panic!(
                    "confirming #{index}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                ),
                Reply::Interrupted => {
                    cut_off = true;
                    self.api
                        .stats
                        .confirmations_repeated
                        .fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Decides the mentor's open cases as they are routed, until all of theirs are decided.
    async fn decide_as(&self, mentor: usize) {
        let mine: Vec<usize> = (0..self.applications.len())
            .filter(|i| self.applications[*i].mentor == mentor)
            .collect();
        let session = &self.sessions[mentor];
        while mine
            .iter()
            .any(|i| !self.decided[*i].load(Ordering::Acquire))
        {
            let mut open: Vec<CaseSummary> = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut path = "/api/cases?view=mine&type=leave&status=open&limit=200".to_owned();
                if let Some(cursor) = &cursor {
                    path.push_str(&format!("&cursor={cursor}"));
                }
                let page: Page<CaseSummary> = self.api.get(session, &path).await;
                open.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            let mut decided_any = false;
            for case in open {
                // A case the driver does not know (a second case of one application) is left
                // open, for the checks to find.
                let Some(index) = self.cases.lock().unwrap().get(&case.id).copied() else {
                    continue;
                };
                if self.decided[index].load(Ordering::Acquire) {
                    continue;
                }
                assert_eq!(
                    self.applications[index].mentor, mentor,
                    "#{index} was routed to another mentor"
                );
                self.decide(index, case.id).await;
                decided_any = true;
            }
            if !decided_any {
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        }
    }

    async fn decide(&self, index: usize, case: Uuid) {
        let application = &self.applications[index];
        let mentor = &self.sessions[application.mentor];
        let outcome = if application.approve {
            "approved"
        } else {
            "rejected"
        };
        let body = json!({ "outcome": outcome, "motivation": format!("Krocktest {index}") });
        let path = format!("/api/cases/{case}/decision");
        let mut cut_off = false;
        loop {
            match self.api.post(mentor, &path, Some(&body)).await {
                Reply::Answer(StatusCode::OK, _) => break,
                Reply::Answer(StatusCode::CONFLICT, bytes) if cut_off => {
                    // Decided by the cut-off request?
                    let detail: Value = self.api.get(mentor, &format!("/api/cases/{case}")).await;
                    if detail["decision"].is_null() {
                        panic!(
                            "deciding #{index}: 409 {} and no decision",
                            String::from_utf8_lossy(&bytes)
                        );
                    }
                    assert_eq!(detail["decision"]["outcome"], outcome, "#{index}");
                    break;
                }
                Reply::Answer(status, bytes) => panic!(
                    "deciding #{index}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                ),
                Reply::Interrupted => {
                    cut_off = true;
                    self.api
                        .stats
                        .decisions_repeated
                        .fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        self.decided[index].store(true, Ordering::Release);
    }

    /// Waits until no job step is pending or running (the administrator's queue summary).
    pub async fn wait_for_jobs(&self, limit: Duration) {
        let admin = &self.sessions[self.admin];
        let started = Instant::now();
        loop {
            let summary: Value = self.api.get(admin, "/api/jobs/summary").await;
            if summary["pending"] == 0 && summary["running"] == 0 {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "job steps still waiting after {limit:?}: {summary}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
