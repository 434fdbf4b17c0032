//! Guardians' signing: an application for a child that every acting guardian must agree to
//! (the leave of absence; an e-service whose signing policy is `all_guardians`) waits in
//! `awaiting_confirmation` until each co-applicant asked has confirmed it, and only then goes
//! on to `new` and its process. A co-applicant may decline instead (`applications::decline`),
//! which withdraws it. One step for every case type: the case core asks the process only what
//! follows ([`CaseProcess::after_confirmation`](crate::cases::process::CaseProcess)).

use shared::cases::CaseNumber;
use uuid::Uuid;

use crate::clock;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Tx;
use crate::store::cases::{self as case_store, Transition};
use crate::store::messages::NewMessage;
use crate::store::register as register_store;

/// The status a case waits in until every guardian asked has confirmed it.
pub const AWAITING: &str = "awaiting_confirmation";

/// The other acting guardians of `child`, whom `applicant`'s application must also be signed
/// by (in the register's order).
pub async fn other_guardians(
    state: &AppState,
    applicant: &crate::auth::CurrentUser,
    child: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(
        register_store::guardians_of(&state.db, applicant.reader(), child)
            .await?
            .into_iter()
            .map(|guardian| guardian.id)
            .filter(|guardian| *guardian != applicant.person_id)
            .collect(),
    )
}

/// What a case asks of the guardians: its number, what it is, and whom it is about.
pub struct Request<'a> {
    pub case_id: Uuid,
    pub number: CaseNumber,
    /// The case type's name, sv and en ("Ledighet", "Leave of absence").
    pub what: (&'a str, &'a str),
    pub child: Uuid,
    pub applicant_name: &'a str,
}

/// Asks `guardians` to confirm the case, in the submission's transaction: each gets a
/// message that they must confirm or decline it. The child is named by their first name
/// unless their identity is protected (the message is also sent by e-mail).
pub async fn ask(
    tx: &mut Tx,
    state: &AppState,
    request: &Request<'_>,
    guardians: &[Uuid],
) -> AppResult<()> {
    if guardians.is_empty() {
        return Ok(());
    }
    case_store::ask_confirmation(tx, request.case_id, guardians, clock::now()).await?;
    let child = register_store::person_basic(&state.db, request.child)
        .await?
        .filter(|child| !child.protected_identity);
    let (child_sv, of_child_sv, child_en, of_child_en) = match &child {
        Some(child) => {
            let name = &child.given_name;
            // Swedish genitive: Emils, but Lars, Max, Liz.
            let s = if name.ends_with(['s', 'x', 'z']) {
                ""
            } else {
                "s"
            };
            (
                name.clone(),
                format!("{name}{s}"),
                name.clone(),
                format!("{name}'s"),
            )
        }
        None => (
            "ert barn".to_owned(),
            "ert barns".to_owned(),
            "your child".to_owned(),
            "your child's".to_owned(),
        ),
    };
    let number = request.number;
    let what_sv = request.what.0.to_lowercase();
    let what_en = request.what.1;
    let applicant = request.applicant_name;
    let subject_sv =
        format!("Ärende {number}: godkänn eller avböj {of_child_sv} ansökan ({what_sv})");
    let subject_en =
        format!("Case {number}: confirm or decline {of_child_en} application ({what_en})");
    let body_sv = format!(
        "{applicant} har skickat en ansökan ({what_sv}) för {child_sv}. Den handläggs först när \
         du har godkänt den. Öppna ärendet under Mina ärenden för att godkänna den, eller avböja \
         med ett skäl."
    );
    let body_en = format!(
        "{applicant} has sent an application ({what_en}) for {child_en}. It is handled only \
         once you have confirmed it. Open the case under My cases to confirm it, or decline it \
         with a reason."
    );
    for guardian in guardians {
        let message = NewMessage {
            person_id: *guardian,
            case_id: Some(request.case_id),
            subject: (&subject_sv, &subject_en),
            body: (&body_sv, &body_en),
        };
        crate::messages::deliver(tx, state, &message).await?;
    }
    Ok(())
}

/// Whether `person` has been asked to confirm the case and has not yet, and whether anyone
/// else still has to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub on_me: bool,
    pub on_others: bool,
}

/// What the case waits for, as `person` sees it (nothing once it has left
/// `awaiting_confirmation`).
pub async fn waiting(
    state: &AppState,
    case: &case_store::CaseRow,
    person: Uuid,
) -> AppResult<Waiting> {
    if case.status != AWAITING {
        return Ok(Waiting::default());
    }
    let asked = case_store::confirmations(&state.db, case.id).await?;
    let pending = |mine: bool| {
        asked
            .iter()
            .any(|(who, at)| at.is_none() && (*who == person) == mine)
    };
    Ok(Waiting {
        on_me: pending(true),
        on_others: pending(false),
    })
}

/// `person` confirms the case. When nobody else is waited for, the case goes on to `new`
/// (its parties are told) and its process takes over. 404 when `person` was not asked; 409
/// when they have confirmed already or the case no longer waits (withdrawn, declined).
pub async fn confirm(state: &AppState, case_id: Uuid, person: Uuid) -> AppResult<()> {
    let case = case_store::get(&state.db, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let asked = case_store::confirmations(&state.db, case_id).await?;
    let Some((_, confirmed_at)) = asked.iter().find(|(who, _)| *who == person) else {
        return Err(AppError::NotFound);
    };
    if confirmed_at.is_some() {
        return Err(AppError::Conflict("already confirmed".into()));
    }
    if case.status != AWAITING {
        return Err(AppError::Conflict(
            "the application no longer waits for your answer".into(),
        ));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    case_store::lock(&mut tx, case_id, now).await?;
    if !case_store::confirm(&mut tx, case_id, person, now).await? {
        return Err(AppError::Conflict("already confirmed".into()));
    }
    case_store::record_event(&mut tx, case_id, Some(person), "confirmed", None, "", now).await?;
    if case_store::confirmations_missing(&mut tx, case_id).await? == 0 {
        match case_store::transition(&mut tx, case_id, "new", Some(person), "", now).await? {
            Transition::Done { .. } => {}
            Transition::NotAllowed { .. } => {
                return Err(AppError::Conflict("the application was withdrawn".into()));
            }
        }
        crate::cases::notices::notify_status(&mut tx, state, case_id, "new").await?;
        state
            .processes
            .of(&case.case_type)
            .after_confirmation(&mut tx, case_id)
            .await?;
    }
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok(())
}
