//! Leave of absence (use case 3): a guardian applies for their child, or a pupil aged 18 or
//! more for themselves; the other guardian confirms; an automated step reads the register and
//! routes the decision to the mentor (at most 10 school days) or the principal (skollagen
//! 7 kap. 18 §); after the decision automated steps write the granted leave to the register,
//! render the decision letter, notify the family and close the case.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::applications::{
    ATTACHMENT_MAX_BYTES, LeaveApplicationForm, LeavePeriod, LeaveSummary, Submitted,
    validate_leave,
};
use shared::cases::Outcome;
use shared::personal_number::age_on;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::cases::{self, APPEAL_INFORMATION};
use crate::documents::pdf;
use crate::error::{AppError, AppResult, Json, Path};
use crate::startup::AppState;
use crate::store::applications::{self as store, LeaveRow, NewLeave};
use crate::store::cases::{self as case_store, CaseRow, NewCase, NewDecision, NewDocument};
use crate::store::register as register_store;
use crate::store::{Tx, messages};
use crate::{applications, clock, jobs};

pub const ROUTE: &str = "leave.route";
pub const FINISH: &str = "leave.finish";
pub const LEGAL_BASIS: &str = "skollagen (2010:800) 7 kap. 18 §";
const MUNICIPALITY: &str = "Norrfjärdens kommun";

/// Apply for leave of absence. Creates the case at once (its number is in the answer), with a
/// PDF/A receipt of the submitted data as its first document and the attachment as its own.
#[utoipa::path(post, path = "/applications/leave", tag = "applications", request_body = LeaveApplicationForm,
    responses((status = 201, body = Submitted),
              (status = 404, description = "Not my child", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(form): Json<LeaveApplicationForm>,
) -> AppResult<(StatusCode, Json<Submitted>)> {
    let today = clock::today();
    let valid = validate_leave(&form, today).map_err(AppError::Validation)?;
    let db = &state.db;
    let pupil = register_store::person_basic(db, form.pupil_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let adult = age_on(pupil.birth_date, today) >= 18;
    let mut co_applicants = Vec::new();
    if pupil.id == user.person_id {
        if !adult {
            return Err(AppError::field(
                "pupil_id",
                "minor_applicant",
                "a pupil under 18 applies through a guardian",
            ));
        }
    } else if register_store::has_guardianship(db, user.person_id, pupil.id, today).await? {
        if adult {
            return Err(AppError::field(
                "pupil_id",
                "adult_pupil",
                "the pupil is 18 or older and applies for themselves",
            ));
        }
        co_applicants = register_store::guardians_of(db, user.reader(), pupil.id)
            .await?
            .into_iter()
            .map(|g| g.id)
            .filter(|g| *g != user.person_id)
            .collect();
    } else {
        return Err(AppError::NotFound);
    }
    if register_store::memberships_of(db, today, &[pupil.id])
        .await?
        .is_empty()
    {
        return Err(AppError::field(
            "pupil_id",
            "not_pupil",
            "the child is not in a school class",
        ));
    }
    let attachment = match &form.attachment {
        Some(a) => Some((a, decode_attachment(&a.content_base64, &a.media_type)?)),
        None => None,
    };

    let second_guardian = co_applicants.first().copied();
    let status = if second_guardian.is_some() {
        "awaiting_confirmation"
    } else {
        "new"
    };
    let pupil_name = format!("{} {}", pupil.given_name, pupil.family_name);
    let title = format!("Ledighet {} – {}", valid.period.from, valid.period.to);
    let now = clock::now();
    let mut tx = db.begin().await?;
    let new_case = NewCase {
        case_type: "leave",
        status,
        title: &title,
        applicant: user.person_id,
        co_applicants: &co_applicants,
        subject: Some(pupil.id),
        actor: Some(user.person_id),
    };
    let (case_id, year, serial) = case_store::create(&mut tx, &new_case, now, today).await?;
    crate::follow_ups::subscriptions::case_created(&mut tx, case_id).await?;
    let number = shared::cases::CaseNumber {
        year: year as u16,
        serial: serial as u32,
    };
    case_store::record_event(
        &mut tx,
        case_id,
        Some(user.person_id),
        "created",
        None,
        &format!("status={status}"),
        now,
    )
    .await?;
    store::insert_leave(
        &mut tx,
        &NewLeave {
            case_id,
            pupil_id: pupil.id,
            from: valid.period.from,
            to: valid.period.to,
            reason: &valid.reason,
            school_days: valid.period.school_days() as i32,
            second_guardian_id: second_guardian,
        },
        now,
    )
    .await?;

    let fields = vec![
        ("Elev".to_owned(), pupil_name.clone()),
        (
            "Sökande".to_owned(),
            format!("{} {}", user.given_name, user.family_name),
        ),
        ("Första dag".to_owned(), valid.period.from.to_string()),
        ("Sista dag".to_owned(), valid.period.to.to_string()),
        (
            "Skoldagar".to_owned(),
            valid.period.school_days().to_string(),
        ),
        ("Skäl".to_owned(), valid.reason.clone()),
        (
            "Bilaga".to_owned(),
            attachment
                .as_ref()
                .map_or("Ingen".to_owned(), |(a, _)| a.file_name.clone()),
        ),
    ];
    let header = pdf::LetterHeader {
        municipality: MUNICIPALITY.to_owned(),
        case_number: number.to_string(),
        date: today,
        recipient_name: Some(format!("{} {}", user.given_name, user.family_name)),
    };
    let receipt = tokio::task::spawn_blocking(move || {
        pdf::render_receipt(&header, "Kvitto: ansökan om ledighet", now, &fields)
    })
    .await
    .map_err(anyhow::Error::from)??;
    store_document(
        &state,
        &mut tx,
        case_id,
        "receipt",
        "Kvitto på ansökan om ledighet",
        &format!("kvitto-{year}-{serial:05}.pdf"),
        "application/pdf",
        receipt,
        Some(user.person_id),
    )
    .await?;
    if let Some((meta, bytes)) = attachment {
        store_document(
            &state,
            &mut tx,
            case_id,
            "attachment",
            "Bilaga till ansökan",
            &meta.file_name,
            &meta.media_type,
            bytes,
            Some(user.person_id),
        )
        .await?;
    }

    applications::notify_status(&mut tx, &state, case_id, status).await?;
    if status == "new" {
        enqueue_route(&mut tx, case_id).await?;
    }
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(Submitted {
            case_id,
            number,
            awaiting_other_guardian: second_guardian.is_some(),
        }),
    ))
}

/// Base64 → bytes, at most the size limit, and content that is what its media type says.
fn decode_attachment(content: &str, media_type: &str) -> AppResult<Vec<u8>> {
    let bytes = STANDARD
        .decode(content.trim())
        .map_err(|_| AppError::field("attachment", "invalid", "the file could not be read"))?;
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(AppError::field("attachment", "too_large", "at most 5 MB"));
    }
    let matches = match media_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G']),
        _ => false,
    };
    if !matches {
        return Err(AppError::field(
            "attachment",
            "content_mismatch",
            "the file is not a PDF, JPEG or PNG",
        ));
    }
    Ok(bytes)
}

#[allow(clippy::too_many_arguments)]
async fn store_document(
    state: &AppState,
    tx: &mut Tx,
    case_id: Uuid,
    document_type: &str,
    title: &str,
    file_name: &str,
    media_type: &str,
    bytes: Vec<u8>,
    created_by: Option<Uuid>,
) -> anyhow::Result<()> {
    let stored = state.blobs.put(bytes).await?;
    let document = NewDocument {
        case_id,
        document_type,
        title,
        file_name,
        media_type,
        size: stored.size,
        sha256: &stored.sha256,
        blob_key: &stored.key,
        created_by,
    };
    case_store::add_document(tx, &document, clock::now()).await?;
    case_store::record_event(
        tx,
        case_id,
        created_by,
        "document",
        None,
        title,
        clock::now(),
    )
    .await?;
    Ok(())
}

async fn enqueue_route(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<()> {
    jobs::enqueue(
        tx,
        ROUTE,
        &serde_json::json!({ "case_id": case_id }),
        format!("{ROUTE}:{case_id}"),
    )
    .await
}

pub async fn enqueue_finish(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<()> {
    jobs::enqueue(
        tx,
        FINISH,
        &serde_json::json!({ "case_id": case_id }),
        format!("{FINISH}:{case_id}"),
    )
    .await
}

/// The other guardian confirms the application; it then goes on to decision.
#[utoipa::path(post, path = "/applications/leave/{id}/confirmation", tag = "applications",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 204, description = "Confirmed"), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, description = "Already confirmed or withdrawn", body = shared::api::ErrorEnvelope)))]
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    let leave = store::leave(&state.db, id)
        .await?
        .filter(|l| l.second_guardian_id == Some(user.person_id))
        .ok_or(AppError::NotFound)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if !store::confirm_leave(&mut tx, leave.case_id, now).await? {
        return Err(AppError::Conflict("already confirmed".into()));
    }
    case_store::record_event(
        &mut tx,
        id,
        Some(user.person_id),
        "confirmed",
        None,
        "",
        now,
    )
    .await?;
    match case_store::transition(&mut tx, id, "new", Some(user.person_id), "", now).await? {
        case_store::Transition::Done { .. } => {}
        case_store::Transition::NotAllowed { .. } => {
            return Err(AppError::Conflict("the application was withdrawn".into()));
        }
    }
    applications::notify_status(&mut tx, &state, id, "new").await?;
    enqueue_route(&mut tx, id).await?;
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

/// A pupil's leave applications, for readers who may see the pupil (reasons only for the
/// pupil, guardians and school staff).
#[utoipa::path(get, path = "/pupils/{id}/leave", tag = "applications",
    params(("id" = Uuid, Path, description = "Pupil id")),
    responses((status = 200, body = Vec<LeaveSummary>), (status = 404, body = shared::api::ErrorEnvelope)))]
pub async fn pupil_leave_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<LeaveSummary>>> {
    let pupil = register_store::visible_pupil(&state.db, user.reader(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let direct = pupil.direct == 1;
    let mut history = Vec::new();
    for item in store::leave_history(&state.db, id).await? {
        let (Some(case), Some(leave)) = (
            case_store::get(&state.db, item.case_id).await?,
            store::leave(&state.db, item.case_id).await?,
        ) else {
            continue;
        };
        history.push(summary(&case, &leave, !pupil.is_masked(), direct));
    }
    let access = crate::store::audit::Access {
        actor: user.person_id,
        action: "leave.list",
        detail: "",
    };
    crate::store::audit::record(&state.db, access, &[id], clock::now()).await?;
    Ok(Json(history))
}

pub fn summary(
    case: &CaseRow,
    leave: &LeaveRow,
    sees_pupil: bool,
    show_reason: bool,
) -> LeaveSummary {
    LeaveSummary {
        case_id: case.id,
        number: case.number(),
        pupil: cases::subject_ref(case, sees_pupil).expect("a leave case has a subject"),
        from: leave.from_date,
        to: leave.to_date,
        school_days: leave.school_days as u32,
        reason: show_reason.then(|| leave.reason.clone()),
        status: case.status.clone(),
        outcome: case.outcome.as_deref().and_then(Outcome::parse),
    }
}

/// The decision on a leave case: the principal alone decides more than 10 school days.
pub async fn decision_for<'a>(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseRow,
    outcome: Outcome,
    motivation: &'a str,
    today: chrono::NaiveDate,
) -> AppResult<NewDecision<'a>> {
    let leave = store::leave(&state.db, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let period = LeavePeriod {
        from: leave.from_date,
        to: leave.to_date,
    };
    if period.needs_principal() {
        let principals = register_store::principals_of(&state.db, today, leave.pupil_id).await?;
        if !principals.iter().any(|p| p.id == user.person_id) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(NewDecision {
        outcome: outcome.as_str(),
        legal_basis: LEGAL_BASIS,
        valid_from: Some(leave.from_date),
        valid_to: Some(leave.to_date),
        motivation,
        decided_by: user.person_id,
        decided_on: today,
        appeal_information: APPEAL_INFORMATION,
    })
}

fn case_id_of(payload: &serde_json::Value) -> anyhow::Result<Uuid> {
    Ok(payload["case_id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("payload without case_id"))?
        .parse()?)
}

/// Automated step: read the register and route the decision to the mentor or the principal.
pub async fn route(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<Tx> {
    let case_id = case_id_of(payload)?;
    let db = &state.db;
    let today = clock::today();
    let case = case_store::get(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {case_id}"))?;
    let leave = store::leave(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no leave for {case_id}"))?;
    let mut tx = db.begin().await?;
    if case.status != "new" || case.owner_id.is_some() {
        // Already routed, withdrawn or distributed by hand: nothing left to do.
        return Ok(tx);
    }
    let period = LeavePeriod {
        from: leave.from_date,
        to: leave.to_date,
    };
    let principal = register_store::principals_of(db, today, leave.pupil_id)
        .await?
        .into_iter()
        .next();
    let (decider, role) = if period.needs_principal() {
        (principal, "principal")
    } else {
        match register_store::mentors_of(db, today, leave.pupil_id)
            .await?
            .into_iter()
            .next()
        {
            Some(mentor) => (Some(mentor), "mentor"),
            None => (principal, "principal"),
        }
    };
    let now = clock::now();
    let Some(decider) = decider else {
        // Left in the distribution queue for a case worker to assign.
        case_store::record_event(
            &mut tx,
            case_id,
            None,
            "routing",
            None,
            "no mentor or principal in the register",
            now,
        )
        .await?;
        return Ok(tx);
    };
    case_store::assign(&mut tx, case_id, decider.id, None, now).await?;
    // Decided at the pupil's school: it leaves the case office's reach.
    let memberships = register_store::memberships_of(db, today, &[leave.pupil_id]).await?;
    let school = memberships
        .iter()
        .find(|m| m.group_kind == "class")
        .or(memberships.first())
        .map(|m| m.school_id);
    case_store::route_to(&mut tx, case_id, school, now).await?;
    let detail = format!("decider={role} school_days={}", period.school_days());
    case_store::record_event(&mut tx, case_id, None, "routing", None, &detail, now).await?;
    case_store::transition(&mut tx, case_id, "open", None, "", now).await?;
    applications::notify_status(&mut tx, state, case_id, "open").await?;
    let number = case.number();
    let subject = (
        format!("Ledighetsansökan {number} att besluta"),
        format!("Leave application {number} to decide"),
    );
    let body = (
        format!(
            "En ansökan om ledighet ({} skoldagar) väntar på ditt beslut.",
            period.school_days()
        ),
        format!(
            "An application for leave ({} school days) awaits your decision.",
            period.school_days()
        ),
    );
    let message = messages::NewMessage {
        person_id: decider.id,
        case_id: Some(case_id),
        subject: (&subject.0, &subject.1),
        body: (&body.0, &body.1),
    };
    crate::messages::deliver(&mut tx, state, &message).await?;
    Ok(tx)
}

/// Automated steps after the decision: granted leave to the register, the decision letter,
/// the family's notice, and closing the case.
pub async fn finish(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<Tx> {
    let case_id = case_id_of(payload)?;
    let db = &state.db;
    let case = case_store::get(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {case_id}"))?;
    if case.status != "decided" {
        return Ok(db.begin().await?);
    }
    let leave = store::leave(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no leave for {case_id}"))?;
    let decision = case_store::decision(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no decision for {case_id}"))?;
    let pupil = register_store::person_basic(db, leave.pupil_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no pupil"))?;
    let applicant = register_store::person_name(db, case.applicant_id).await?;
    let approved = decision.outcome == Outcome::Approved.as_str();
    let pupil_name = format!("{} {}", pupil.given_name, pupil.family_name);
    let letter = pdf::DecisionLetter {
        header: pdf::LetterHeader {
            municipality: MUNICIPALITY.to_owned(),
            case_number: case.number().to_string(),
            date: decision.decided_on,
            recipient_name: Some(format!(
                "{} {}",
                applicant.given_name, applicant.family_name
            )),
        },
        subject: format!("Beslut om ledighet för {pupil_name}"),
        outcome_text: if approved {
            "Ansökan om ledighet beviljas."
        } else {
            "Ansökan om ledighet avslås."
        }
        .to_owned(),
        period: Some((leave.from_date, leave.to_date)),
        legal_basis: decision.legal_basis.clone(),
        motivation: decision.motivation.clone(),
        decided_by: format!(
            "{} {}",
            decision.decided_by_given_name, decision.decided_by_family_name
        ),
        decided_by_title: decider_title(state, &leave, decision.decided_by).await?,
        appeal_information: decision.appeal_information.clone(),
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render_decision_letter(&letter)).await??;
    let number = case.number();
    let file_name = format!("beslut-{}-{:05}.pdf", number.year, number.serial);

    let now = clock::now();
    let mut tx = db.begin().await?;
    if approved {
        store::record_granted_leave(
            &mut tx,
            case_id,
            leave.pupil_id,
            leave.from_date,
            leave.to_date,
            now,
        )
        .await?;
        case_store::record_event(
            &mut tx,
            case_id,
            None,
            "register",
            None,
            "granted leave written",
            now,
        )
        .await?;
    }
    store_document(
        state,
        &mut tx,
        case_id,
        "decision_letter",
        "Beslutsbrev",
        &file_name,
        "application/pdf",
        bytes,
        None,
    )
    .await?;
    case_store::transition(&mut tx, case_id, "closed", None, "", now).await?;
    let (verdict_sv, verdict_en) = if approved {
        ("beviljats", "been approved")
    } else {
        ("avslagits", "been rejected")
    };
    let subject = (
        format!("Beslut i ärende {number}"),
        format!("Decision in case {number}"),
    );
    let body = (
        format!(
            "Ansökan om ledighet {} – {} har {verdict_sv}. Beslutsbrevet finns under Mina ärenden.",
            leave.from_date, leave.to_date
        ),
        format!(
            "The application for leave {} – {} has {verdict_en}. The decision letter is in My cases.",
            leave.from_date, leave.to_date
        ),
    );
    for person in case_store::parties_in(&mut tx, case_id).await? {
        let message = messages::NewMessage {
            person_id: person,
            case_id: Some(case_id),
            subject: (&subject.0, &subject.1),
            body: (&body.0, &body.1),
        };
        crate::messages::deliver(&mut tx, state, &message).await?;
    }
    Ok(tx)
}

async fn decider_title(
    state: &AppState,
    leave: &LeaveRow,
    decided_by: Uuid,
) -> anyhow::Result<String> {
    let principals =
        register_store::principals_of(&state.db, clock::today(), leave.pupil_id).await?;
    Ok(if principals.iter().any(|p| p.id == decided_by) {
        "Rektor"
    } else {
        "Mentor"
    }
    .to_owned())
}
