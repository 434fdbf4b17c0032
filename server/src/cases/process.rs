//! Case processes: what happens to a case of one type beyond the common flow. The case core
//! (distribution, ownership, notes, subtasks, decisions, documents) knows no case type; each
//! type's process is registered once at start-up (`crate::registry`) and the core asks it who
//! may decide and on what legal basis, which steps follow the decision, whether the case closes
//! itself, and which facts the case page and "My cases" show. A case type without a process of
//! its own runs the [`DefaultProcess`]: distribution queue → owner → decision → the owner closes.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use shared::cases::{CaseFact, DecisionRequest, Names};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::cases::{CaseRow, NewDecision};

/// How appeals are made, as decision letters say it.
pub const APPEAL_INFORMATION: &str = "Beslutet kan överklagas hos förvaltningsrätten. Skicka \
    överklagandet till kommunen inom tre veckor från den dag du fick del av beslutet.";

/// The legal basis of a decision whose process names none and whose decider gave none.
pub const DEFAULT_LEGAL_BASIS: &str = "förvaltningslagen (2017:900)";

/// The owner's decision as the core has checked it (an open case, the owner, a motivation).
pub struct DecisionInput<'a> {
    pub state: &'a AppState,
    pub decider: &'a CurrentUser,
    pub case: &'a CaseRow,
    pub request: &'a DecisionRequest,
    pub motivation: &'a str,
    pub today: NaiveDate,
}

/// A submission that became a new case of the process's type.
pub struct Submission<'a> {
    pub case_id: Uuid,
    pub applicant: Uuid,
    pub answers: &'a shared::e_services::ValidAnswers,
}

/// What a reader sees of a case, for the facts a process tells.
#[derive(Debug, Clone, Copy)]
pub struct FactsReader {
    pub person_id: Uuid,
    /// The reader sees whom the case is about (not masked).
    pub sees_subject: bool,
}

/// What the applicant's view of a case shows from its process.
#[derive(Debug, Clone, Default)]
pub struct ApplicantFacts {
    pub facts: Vec<CaseFact>,
}

/// One case type's process. Every method has the default process's behaviour.
pub trait CaseProcess: Send + Sync + 'static {
    /// The case type this process runs.
    fn case_type(&self) -> &'static str;

    /// What the process does with a submission that became a case of its type, in the
    /// submission's transaction: keep its own data, enqueue its first automated steps.
    fn after_submission<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _submission: Submission<'a>,
    ) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async { Ok(()) })
    }

    /// What the process does when every guardian asked has confirmed the case and it has
    /// gone on to `new` (guardians' signing, `crate::applications::confirmation`), in that
    /// transaction. A case that needed no confirmation never gets here: its process starts
    /// in [`CaseProcess::after_submission`].
    fn after_confirmation<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _case_id: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// The decision to record: a process may refuse the decider (`AppError::Forbidden`) or
    /// set the legal basis and period from its own data.
    fn decision<'a>(
        &'a self,
        input: DecisionInput<'a>,
    ) -> BoxFuture<'a, AppResult<NewDecision<'a>>> {
        Box::pin(async move { Ok(default_decision(&input)) })
    }

    /// Whether `person`, as the case's owner, may decide it. An owner who may not is refused
    /// the decision (403) and offered the handover instead. By default every owner may.
    fn may_decide<'a>(
        &'a self,
        _state: &'a AppState,
        _case: &'a CaseRow,
        _person: Uuid,
        _today: NaiveDate,
    ) -> BoxFuture<'a, AppResult<bool>> {
        Box::pin(async { Ok(true) })
    }

    /// Who outside the case office may decide the case, by the register (leave: the pupil's
    /// mentor and principal): offered, with the case workers, when an owner hands it over.
    fn deciders<'a>(
        &'a self,
        _state: &'a AppState,
        _case: &'a CaseRow,
        _today: NaiveDate,
    ) -> BoxFuture<'a, AppResult<Vec<Uuid>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Steps that follow the decision, enqueued in the decision's transaction.
    fn after_decision<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _case_id: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Whether the case closes by itself after the decision; otherwise its owner closes it.
    fn closes_itself(&self) -> bool {
        false
    }

    /// Whether the process tells the parties of the decision itself (with its letter), so
    /// that the status notice "decision made" would only say it twice.
    fn tells_decision(&self) -> bool {
        false
    }

    /// What the decider should know before deciding.
    fn decision_hint(&self) -> Option<Names> {
        None
    }

    /// The facts the case page shows staff who see the case's content.
    fn staff_facts<'a>(
        &'a self,
        _state: &'a AppState,
        _case: &'a CaseRow,
        _reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<Vec<CaseFact>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// What the applicant's "My cases" page shows.
    fn applicant_facts<'a>(
        &'a self,
        _state: &'a AppState,
        _case: &'a CaseRow,
        _reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<ApplicantFacts>> {
        Box::pin(async { Ok(ApplicantFacts::default()) })
    }
}

/// The decision as the decider gave it, with the general legal basis if they named none.
pub fn default_decision<'a>(input: &DecisionInput<'a>) -> NewDecision<'a> {
    NewDecision {
        outcome: input.request.outcome.as_str(),
        legal_basis: input
            .request
            .legal_basis
            .as_deref()
            .unwrap_or(DEFAULT_LEGAL_BASIS)
            .into(),
        valid_from: input.request.valid_from,
        valid_to: input.request.valid_to,
        motivation: input.motivation,
        decided_by: input.decider.person_id,
        decided_on: input.today,
        appeal_information: APPEAL_INFORMATION,
    }
}

/// The process of a case type without one of its own.
pub struct DefaultProcess;

impl CaseProcess for DefaultProcess {
    fn case_type(&self) -> &'static str {
        ""
    }
}

/// Every registered process by its case type.
#[derive(Default)]
pub struct CaseProcesses {
    by_type: BTreeMap<&'static str, Arc<dyn CaseProcess>>,
}

impl CaseProcesses {
    pub fn register(&mut self, process: impl CaseProcess) -> &mut Self {
        let case_type = process.case_type();
        let previous = self.by_type.insert(case_type, Arc::new(process));
        assert!(
            previous.is_none(),
            "case type {case_type} has two processes"
        );
        self
    }

    /// The case types with a process of their own.
    pub fn case_types(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_type.keys().copied()
    }

    /// The process of `case_type`, or the default process.
    pub fn of(&self, case_type: &str) -> Arc<dyn CaseProcess> {
        self.by_type
            .get(case_type)
            .cloned()
            .unwrap_or_else(|| Arc::new(DefaultProcess))
    }
}
